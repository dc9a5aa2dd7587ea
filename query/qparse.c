/*
 * qparse.c - query lexer, parser and compiler (see qparse.h).
 *
 * Two passes: the lexer turns the string into clauses and OR markers; the
 * compiler groups clauses joined by OR, turns each clause into a Xapian
 * query (text through termgen, filters as weightless terms or value
 * ranges) and assembles
 *     FILTER(AND(scoring groups) | MatchAll, AND(filter groups))
 *       AND_NOT OR(excluded clauses Xapian matches exactly)
 * and, beside it, the check tree (check.h) of what the query means
 * exactly:
 *     ALL(scoring groups, filter groups, NOT(ANY(other excluded clauses)))
 * with each group an ANY of its clauses.  Xapian's match is a superset of
 * the query's meaning (runs of three or more Chinese units match the AND
 * of their bigrams) except for exclusions, which is why an excluded
 * clause that is not exact is left out of the Xapian query and only
 * checked: excluding the AND of its bigrams would drop posts that hold
 * the bigrams apart.
 */
#include "qparse.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "date.h"

typedef enum qfield {
	QF_TEXT, QF_TITLE, QF_TAG, QF_CATEGORY, QF_AUTHOR, QF_DATE
} qfield;

typedef struct clause {
	int is_or;       /* an OR marker, not a clause */
	int neg;
	int phrase;
	qfield field;
	char *value;
	size_t col;      /* 1-based column in the query, for messages */
} clause;

struct sou_query {
	sou_xq *xq;
	sou_check *check;   /* NULL when Xapian's match is exact */
	sou_strlist patterns;
};

void sou_query_destroy(sou_query *q)
{
	if (!q)
		return;
	sou_xq_destroy(q->xq);
	sou_check_destroy(q->check);
	sou_strlist_free(&q->patterns);
	free(q);
}

const sou_xq *sou_query_xq(const sou_query *q) { return q->xq; }
const sou_check *sou_query_check(const sou_query *q) { return q->check; }
const sou_strlist *sou_query_patterns(const sou_query *q) { return &q->patterns; }

static const struct { const char *name; qfield f; } FIELDS[] = {
	{ "title", QF_TITLE }, { "tag", QF_TAG }, { "tags", QF_TAG },
	{ "category", QF_CATEGORY }, { "categories", QF_CATEGORY },
	{ "author", QF_AUTHOR }, { "date", QF_DATE },
};

static const char *field_name(qfield f)
{
	size_t i;

	for (i = 0; i < sizeof(FIELDS) / sizeof(FIELDS[0]); i++)
		if (FIELDS[i].f == f)
			return FIELDS[i].name;
	return "text";
}

/* Opening quote at p: '"', U+201C or U+300C; returns its length, sets close. */
static size_t open_quote(const char *p, const char **close)
{
	if (*p == '"') {
		*close = "\"";
		return 1;
	}
	if (!strncmp(p, "\xE2\x80\x9C", 3)) { /* “ */
		*close = "\xE2\x80\x9D";
		return 3;
	}
	if (!strncmp(p, "\xE3\x80\x8C", 3)) { /* 「 */
		*close = "\xE3\x80\x8D";
		return 3;
	}
	return 0;
}

static int is_space_at(const char *p, size_t *len)
{
	if (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r') {
		*len = 1;
		return 1;
	}
	if (!strncmp(p, "\xE3\x80\x80", 3)) { /* U+3000 ideographic space */
		*len = 3;
		return 1;
	}
	return 0;
}

typedef struct clauses {
	clause *v;
	size_t n, cap;
} clauses;

static void clauses_free(clauses *c)
{
	size_t i;

	for (i = 0; i < c->n; i++)
		free(c->v[i].value);
	free(c->v);
}

static clause *push_clause(clauses *c)
{
	if (c->n == c->cap) {
		c->cap = c->cap ? c->cap * 2 : 8;
		c->v = sou_xrealloc(c->v, c->cap * sizeof(*c->v));
	}
	memset(&c->v[c->n], 0, sizeof(clause));
	return &c->v[c->n++];
}

static sou_status lex(const char *s, clauses *out, sou_error *err)
{
	const char *p = s;
	size_t sl;

	for (;;) {
		const char *start, *close = NULL;
		clause *c;
		size_t q, i;
		int neg = 0, phrase = 0;
		qfield f = QF_TEXT;

		while (*p && is_space_at(p, &sl))
			p += sl;
		if (!*p)
			return SOU_OK;
		start = p;
		if (*p == '-' && p[1] && !is_space_at(p + 1, &sl)) {
			neg = 1;
			p++;
		} else if (*p == '-') {
			return sou_error_set(err, SOU_ERR_QUERY,
					     "column %zu: '-' must be followed by a word to exclude",
					     (size_t)(p - s) + 1);
		}
		for (i = 0; i < sizeof(FIELDS) / sizeof(FIELDS[0]); i++) {
			size_t n = strlen(FIELDS[i].name);
			if (!strncasecmp(p, FIELDS[i].name, n) && p[n] == ':') {
				f = FIELDS[i].f;
				p += n + 1;
				break;
			}
		}
		if ((q = open_quote(p, &close))) {
			const char *e = strstr(p + q, close);
			if (!e)
				return sou_error_set(err, SOU_ERR_QUERY,
						     "column %zu: unclosed quote: %s",
						     (size_t)(p - s) + 1, p);
			phrase = 1;
			c = push_clause(out);
			c->value = sou_xstrndup(p + q, (size_t)(e - p - q));
			p = e + strlen(close);
		} else {
			const char *e = p;
			while (*e && !is_space_at(e, &sl))
				e++;
			if (f == QF_TEXT && !neg && e - p == 2 && !strncmp(p, "OR", 2)) {
				c = push_clause(out);
				c->is_or = 1;
				c->col = (size_t)(start - s) + 1;
				p = e;
				continue;
			}
			c = push_clause(out);
			c->value = sou_xstrndup(p, (size_t)(e - p));
			p = e;
		}
		c->neg = neg;
		c->phrase = phrase;
		c->field = f;
		c->col = (size_t)(start - s) + 1;
		if (!*c->value)
			return sou_error_set(err, SOU_ERR_QUERY,
					     f == QF_TEXT ? "column %zu: empty phrase"
							  : "column %zu: %s: needs a value",
					     c->col, field_name(f));
	}
}

/*
 * Compiles one clause into *q and its check tree *chk; both come back
 * NULL for text with nothing searchable.
 */
static sou_status compile_clause(sou_termgen *tg, const clause *c, int tz,
				 sou_strlist *patterns, sou_xq **q, sou_check **chk,
				 sou_error *err)
{
	sou_buf t = SOU_BUF_INIT;
	sou_status st = SOU_OK;

	*q = NULL;
	*chk = NULL;
	switch (c->field) {
	case QF_TEXT:
	case QF_TITLE:
		st = sou_termgen_query_checked(tg, c->field == QF_TITLE ? SOU_FIELD_TITLE
								: SOU_FIELD_BODY,
					       c->value, strlen(c->value), c->phrase, q, chk,
					       c->neg ? NULL : patterns, err);
		break;
	case QF_TAG:
	case QF_CATEGORY:
	case QF_AUTHOR: {
		const char *prefix = c->field == QF_TAG ? "K" : c->field == QF_CATEGORY ? "XC" : "A";
		st = sou_termgen_filter_term(tg, prefix, c->value, strlen(c->value), &t, err);
		if (!st && t.len == strlen(prefix))
			st = sou_error_set(err, SOU_ERR_QUERY, "column %zu: %s: needs a value",
					   c->col, field_name(c->field));
		if (!st && !(*q = sou_xq_bool_term(t.data, t.len)))
			st = sou_error_set(err, SOU_ERR_NOMEM, "out of memory");
		break;
	}
	case QF_DATE: {
		sou_date_range r;
		if ((st = sou_date_range_parse(c->value, tz, &r, err)))
			break;
		/* value ranges are inclusive: [lo, hi - 1] */
		*q = sou_xq_number_range(SOU_SLOT_DATE, r.has_lo, (double)r.lo, r.has_hi,
					 (double)(r.hi - 1));
		if (!*q)
			st = sou_error_set(err, SOU_ERR_NOMEM, "out of memory");
		break;
	}
	}
	if (!st && *q && !*chk && !(*chk = sou_check_xapian(*q)))
		st = sou_error_set(err, SOU_ERR_NOMEM, "out of memory");
	sou_buf_free(&t);
	return st;
}

typedef struct qlist {
	sou_xq **v;
	size_t n, cap;
} qlist;

static void ql_push(qlist *l, sou_xq *q)
{
	if (l->n == l->cap) {
		l->cap = l->cap ? l->cap * 2 : 8;
		l->v = sou_xrealloc(l->v, l->cap * sizeof(*l->v));
	}
	l->v[l->n++] = q;
}

static void ql_free(qlist *l)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		sou_xq_destroy(l->v[i]);
	free(l->v);
	memset(l, 0, sizeof(*l));
}

/* A list of check trees, parallel to a qlist or on its own. */
typedef struct clist {
	sou_check **v;
	size_t n, cap;
} clist;

static void cl_push(clist *l, sou_check *c)
{
	SOU_ARRAY_GROW(l->v, l->cap, l->n + 1);
	l->v[l->n++] = c;
}

static void cl_free(clist *l)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		sou_check_destroy(l->v[i]);
	free(l->v);
	memset(l, 0, sizeof(*l));
}

/* A node over the list's trees, which it takes (the list is emptied). */
static sou_check *cl_node(clist *l, sou_check_kind kind, const sou_xq *xq)
{
	sou_check *c = sou_check_node(kind, l->v, l->n, xq);

	free(l->v);
	memset(l, 0, sizeof(*l));
	return c;
}

/* AND of the list (or dflt if empty), as a new query. */
static sou_xq *and_of(qlist *l, sou_xq_op op)
{
	if (!l->n)
		return NULL;
	return sou_xq_combine(op, l->v, l->n);
}

sou_status sou_query_parse(sou_termgen *tg, const char *text, int tz,
			   sou_query **out, sou_error *err)
{
	clauses cl = { NULL, 0, 0 };
	qlist scoring = { 0 }, filters = { 0 }, negs = { 0 }, group = { 0 }, negq = { 0 };
	clist checks = { 0 }, negchecks = { 0 }, gchecks = { 0 };
	sou_query *q = sou_xcalloc(1, sizeof(*q));
	sou_status st;
	size_t i, j;
	int group_scoring = 0, any = 0;
	sou_xq *pos = NULL;

	*out = NULL;
	if ((st = lex(text, &cl, err)))
		goto fail;
	if (!cl.n) {
		st = sou_error_set(err, SOU_ERR_QUERY, "empty query");
		goto fail;
	}
	for (i = 0; i < cl.n; i = j) {
		/* a group: clause (OR clause)* */
		if (cl.v[i].is_or) {
			st = sou_error_set(err, SOU_ERR_QUERY,
					   "column %zu: OR needs a term on each side", cl.v[i].col);
			goto fail;
		}
		group_scoring = 0;
		for (j = i;; j += 2) {
			clause *c = &cl.v[j];
			sou_xq *x;
			sou_check *xc;
			if (c->neg && (j > i || (j + 1 < cl.n && cl.v[j + 1].is_or))) {
				st = sou_error_set(err, SOU_ERR_QUERY,
						   "column %zu: an excluded term cannot be part of OR",
						   c->col);
				goto fail;
			}
			if ((st = compile_clause(tg, c, tz, &q->patterns, &x, &xc, err)))
				goto fail;
			if (x) {
				if (c->neg && sou_check_exact(xc)) {
					ql_push(&negs, x);
					sou_check_destroy(xc);
				} else if (c->neg) {
					/* only checked: see the comment at the top */
					ql_push(&negq, x);
					cl_push(&negchecks, xc);
				} else {
					ql_push(&group, x);
					cl_push(&gchecks, xc);
				}
				if (c->field == QF_TEXT || c->field == QF_TITLE)
					group_scoring = 1;
			}
			if (j + 1 >= cl.n || !cl.v[j + 1].is_or) {
				j++;
				break;
			}
			if (j + 2 >= cl.n || cl.v[j + 2].is_or) {
				st = sou_error_set(err, SOU_ERR_QUERY,
						   "column %zu: OR needs a term on each side",
						   cl.v[j + 1].col);
				goto fail;
			}
		}
		if (group.n) {
			sou_xq *g = sou_xq_combine(SOU_XQ_OR, group.v, group.n);
			ql_push(group_scoring ? &scoring : &filters, g);
			cl_push(&checks, cl_node(&gchecks, SOU_CHECK_ANY, g));
			any = 1;
		}
		ql_free(&group);
	}
	if (!any && !negs.n && !negchecks.n) {
		st = sou_error_set(err, SOU_ERR_QUERY,
				   "nothing to search for in '%s' (only punctuation?)", text);
		goto fail;
	}
	pos = scoring.n ? and_of(&scoring, SOU_XQ_AND) : sou_xq_match_all();
	if (filters.n) {
		sou_xq *f = and_of(&filters, SOU_XQ_AND);
		sou_xq *pair[2] = { pos, f };
		sou_xq *x = sou_xq_combine(SOU_XQ_FILTER, pair, 2);
		sou_xq_destroy(pos);
		sou_xq_destroy(f);
		pos = x;
	}
	if (negs.n) {
		sou_xq *n = and_of(&negs, SOU_XQ_OR);
		sou_xq *pair[2] = { pos, n };
		sou_xq *x = sou_xq_combine(SOU_XQ_AND_NOT, pair, 2);
		sou_xq_destroy(pos);
		sou_xq_destroy(n);
		pos = x;
	}
	if (!pos) {
		st = sou_error_set(err, SOU_ERR_NOMEM, "out of memory building the query");
		goto fail;
	}
	if (negchecks.n) {
		/* labelled with what they compiled to; never run (not exact) */
		sou_xq *nq = and_of(&negq, SOU_XQ_OR);
		sou_check *n = cl_node(&negchecks, SOU_CHECK_ANY, nq);
		cl_push(&checks, sou_check_node(SOU_CHECK_NOT, &n, 1, nq));
		sou_xq_destroy(nq);
	}
	if (checks.n) {
		q->check = cl_node(&checks, SOU_CHECK_ALL, pos);
		if (!q->check) {
			st = sou_error_set(err, SOU_ERR_NOMEM, "out of memory building the query");
			goto fail;
		}
		if (sou_check_exact(q->check)) {
			sou_check_destroy(q->check);
			q->check = NULL;
		}
	}
	q->xq = pos;
	*out = q;
	clauses_free(&cl);
	ql_free(&scoring);
	ql_free(&filters);
	ql_free(&negs);
	ql_free(&negq);
	return SOU_OK;
fail:
	sou_xq_destroy(pos);
	clauses_free(&cl);
	ql_free(&scoring);
	ql_free(&filters);
	ql_free(&negs);
	ql_free(&negq);
	ql_free(&group);
	cl_free(&checks);
	cl_free(&negchecks);
	cl_free(&gchecks);
	sou_query_destroy(q);
	return st;
}

void sou_query_split_line(const char *line, sou_strlist *out)
{
	const char *p = line;
	size_t sl;

	for (;;) {
		const char *start, *close;
		size_t q;

		while (*p && is_space_at(p, &sl))
			p += sl;
		if (!*p)
			return;
		start = p;
		while (*p && !is_space_at(p, &sl)) {
			if ((q = open_quote(p, &close))) {
				const char *e = strstr(p + q, close);
				p = e ? e + strlen(close) : p + strlen(p);
			} else {
				p++;
			}
		}
		sou_strlist_push(out, start, (size_t)(p - start));
	}
}
