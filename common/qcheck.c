/*
 * qcheck.c - check trees (see qcheck.h).
 */
#include "qcheck.h"

#include <stdlib.h>
#include <string.h>

#include "units.h"

struct sou_check {
	sou_check_kind kind;
	int exact;           /* Xapian's match is exactly this node */
	int has_xapian;      /* an XAPIAN leaf below (or this node is one) */
	int title;           /* UNITS: the title's stream, else the body's */
	char *pat;           /* UNITS: the pattern */
	size_t len;
	sou_xq *xq;
	sou_check **kids;
	size_t n;
};

static sou_xq *copy_xq(const sou_xq *q)
{
	sou_xq *one = (sou_xq *)q;

	return q ? sou_xq_combine(SOU_XQ_AND, &one, 1) : NULL;
}

sou_check *sou_check_units(int title, const char *pat, size_t len, int exact,
			   const sou_xq *xq)
{
	sou_check *c;

	if (!xq)
		return NULL;
	c = sou_xcalloc(1, sizeof(*c));
	c->kind = SOU_CHECK_UNITS;
	c->exact = exact;
	c->title = title;
	c->pat = sou_xstrndup(pat, len);
	c->len = len;
	c->xq = copy_xq(xq);
	if (!c->xq) {
		sou_check_destroy(c);
		return NULL;
	}
	return c;
}

sou_check *sou_check_xapian(const sou_xq *xq)
{
	sou_check *c;

	if (!xq)
		return NULL;
	c = sou_xcalloc(1, sizeof(*c));
	c->kind = SOU_CHECK_XAPIAN;
	c->exact = 1;
	c->has_xapian = 1;
	c->xq = copy_xq(xq);
	if (!c->xq) {
		sou_check_destroy(c);
		return NULL;
	}
	return c;
}

sou_check *sou_check_node(sou_check_kind kind, sou_check **kids, size_t n,
			  const sou_xq *xq)
{
	sou_check *c = sou_xcalloc(1, sizeof(*c));
	size_t i;
	int bad = !xq || !n || (kind == SOU_CHECK_NOT && n != 1);

	c->kind = kind;
	c->exact = 1;
	c->kids = sou_xcalloc(n ? n : 1, sizeof(*c->kids));
	for (i = 0; i < n; i++) {
		c->kids[c->n++] = kids[i];
		if (!kids[i]) {
			bad = 1;
			continue;
		}
		c->exact &= kids[i]->exact;
		c->has_xapian |= kids[i]->has_xapian;
	}
	if (!bad)
		c->xq = copy_xq(xq);
	if (bad || !c->xq) {
		sou_check_destroy(c);
		return NULL;
	}
	return c;
}

void sou_check_destroy(sou_check *c)
{
	size_t i;

	if (!c)
		return;
	for (i = 0; i < c->n; i++)
		sou_check_destroy(c->kids[i]);
	free(c->kids);
	free(c->pat);
	sou_xq_destroy(c->xq);
	free(c);
}

int sou_check_exact(const sou_check *c)
{
	return c->exact;
}

const sou_xq *sou_check_xq(const sou_check *c)
{
	return c->xq;
}

typedef struct eval_ctx {
	sou_check_find_fn find;
	sou_check_ask_fn ask;
	void *ctx;
} eval_ctx;

/* pos: only ALL nodes between c and the root (see qcheck.h). */
static int eval(const sou_check *c, int pos, const eval_ctx *e)
{
	size_t i;
	int r, pass;

	if (c->exact && pos)
		return 1;
	if (c->exact && c->has_xapian)
		return e->ask(e->ctx, c->xq);
	switch (c->kind) {
	case SOU_CHECK_UNITS:
		return e->find(e->ctx, c->title, c->pat, c->len);
	case SOU_CHECK_XAPIAN:
		return e->ask(e->ctx, c->xq);
	case SOU_CHECK_NOT:
		r = eval(c->kids[0], 0, e);
		return r < 0 ? r : !r;
	case SOU_CHECK_ALL:
		for (i = 0; i < c->n; i++)
			if ((r = eval(c->kids[i], pos, e)) <= 0)
				return r;
		return 1;
	case SOU_CHECK_ANY:
		/* children decided on the stream first: asking Xapian costs more */
		for (pass = 0; pass < 2; pass++)
			for (i = 0; i < c->n; i++) {
				if (c->kids[i]->has_xapian != pass)
					continue;
				if ((r = eval(c->kids[i], 0, e)) != 0)
					return r;
			}
		return 0;
	}
	return 0;
}

int sou_check_eval(const sou_check *c, sou_check_find_fn find, sou_check_ask_fn ask,
		   void *ctx)
{
	eval_ctx e = { find, ask, ctx };

	return eval(c, 1, &e);
}

void sou_check_describe(const sou_check *c, sou_buf *out)
{
	static const char *const names[] = { "ALL", "ANY", "NOT", "UNITS", "XAPIAN" };
	size_t i;

	sou_buf_adds(out, names[c->kind]);
	if (c->kind == SOU_CHECK_UNITS) {
		sou_buf_addf(out, "%s%s(", c->title ? ":title" : "", c->exact ? ":exact" : "");
		for (i = 0; i < c->len; i++)
			sou_buf_addc(out, c->pat[i] == SOU_UNITS_OPEN || c->pat[i] == SOU_UNITS_CLOSE
				     ? '|' : c->pat[i]);
		sou_buf_addc(out, ')');
		return;
	}
	if (c->kind == SOU_CHECK_XAPIAN)
		return;
	sou_buf_addc(out, '(');
	for (i = 0; i < c->n; i++) {
		if (i)
			sou_buf_addc(out, ' ');
		sou_check_describe(c->kids[i], out);
	}
	sou_buf_addc(out, ')');
}
