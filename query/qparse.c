/*
 * qparse.c - query lexer, parser and compiler (see qparse.h).
 *
 * Two passes: the lexer turns the string into clauses and OR markers; the
 * compiler groups clauses joined by OR, turns each clause into a Xapian
 * query (text through termgen, filters as weightless terms or value
 * ranges) and assembles
 *     FILTER(AND(scoring groups) | MatchAll, AND(filter groups))
 *       AND_NOT OR(excluded clauses Xapian matches exactly)
 * and, beside it, the check tree (qcheck.h) of what the query means
 * exactly:
 *     ALL(scoring groups, filter groups, NOT(ANY(other excluded clauses)))
 * with each group an ANY of its clauses.  Xapian's match is a superset of
 * the query's meaning (runs of three or more Chinese units match the AND
 * of their bigrams) except for exclusions, which is why an excluded
 * clause that is not exact is left out of the Xapian query and only
 * checked: excluding the AND of its bigrams would drop posts that hold
 * the bigrams apart.
 *
 * Size: the cost of building and matching must grow about linearly with
 * the query, however hostile.  So the text is capped in bytes before
 * anything else (SOU_QUERY_MAX_BYTES), identical alternatives, groups and
 * exclusions are dropped (compared by their compiled form and their check
 * tree, so "银行", "銀行" and "ＢＡＮＫ"/"bank" count as the same thing):
 * AND or OR of the same thing twice matches what it matches once, and
 * Xapian's matcher pays for every copy, about quadratically.  The
 * finished query is capped in distinct terms (SOU_QUERY_MAX_TERMS).
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
	size_t off;      /* byte offset in the query (messages give characters) */
} clause;

struct sou_query {
	sou_xq *xq;
	sou_check *check;   /* NULL when Xapian's match is exact */
	sou_strlist patterns;
	sou_strlist runs;   /* positive runs cut into words, as typed */
	sou_strlist pinyin; /* pinyin query terms (termgen.h collect_pinyin) */
};

void sou_query_destroy(sou_query *q)
{
	if (!q)
		return;
	sou_xq_destroy(q->xq);
	sou_check_destroy(q->check);
	sou_strlist_free(&q->patterns);
	sou_strlist_free(&q->runs);
	sou_strlist_free(&q->pinyin);
	free(q);
}

const sou_xq *sou_query_xq(const sou_query *q) { return q->xq; }
const sou_check *sou_query_check(const sou_query *q) { return q->check; }
const sou_strlist *sou_query_patterns(const sou_query *q) { return &q->patterns; }
const sou_strlist *sou_query_runs(const sou_query *q) { return &q->runs; }
const sou_strlist *sou_query_pinyin(const sou_query *q) { return &q->pinyin; }

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

/* 1-based column, in characters, of byte offset off of s (for messages). */
static size_t column(const char *s, size_t off)
{
	size_t i, c = 1;

	for (i = 0; i < off && s[i]; i++)
		c += ((unsigned char)s[i] & 0xC0) != 0x80;
	return c;
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
	SOU_ARRAY_GROW(c->v, c->cap, c->n + 1);
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
					     column(s, (size_t)(p - s)));
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
						     column(s, (size_t)(p - s)), p);
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
				c->off = (size_t)(start - s);
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
		c->off = (size_t)(start - s);
		if (!*c->value)
			return sou_error_set(err, SOU_ERR_QUERY,
					     f == QF_TEXT ? "column %zu: empty phrase"
							  : "column %zu: %s: needs a value",
					     column(s, c->off), field_name(f));
	}
}

/*
 * How much a pinyin or initials match counts beside what the text itself
 * matches: below it, so that posts holding the words typed (and, for
 * Chinese typed with Latin, the characters) rank above posts found only
 * by their titles' readings.
 */
#define PINYIN_SCALE 0.3

/*
 * text may also be pinyin or initials (termgen.h
 * sou_termgen_pinyin_query): *q becomes OR(*q, its pinyin terms scaled
 * by PINYIN_SCALE) and *chk ANY(*chk, their exact check); unchanged when
 * text means no pinyin.  *q and *chk may be NULL (nothing searchable).
 */
static sou_status add_pinyin(sou_termgen *tg, const char *text, size_t len, sou_xq **q,
			     sou_check **chk, sou_error *err)
{
	sou_xq *alt = NULL, *scaled, *both;
	sou_check *kids[2];
	sou_status st = sou_termgen_pinyin_query(tg, text, len, &alt, err);

	if (st || !alt)
		return st;
	scaled = sou_xq_scale(alt, PINYIN_SCALE);
	sou_xq_destroy(alt);
	if (!scaled)
		return sou_error_set(err, SOU_ERR_NOMEM, "out of memory");
	if (!*q) {
		*q = scaled;
		*chk = sou_check_xapian(scaled);
		return *chk ? SOU_OK : sou_error_set(err, SOU_ERR_NOMEM, "out of memory");
	}
	{
		sou_xq *pair[2] = { *q, scaled };
		both = sou_xq_combine(SOU_XQ_OR, pair, 2);
	}
	kids[0] = *chk;
	kids[1] = sou_check_xapian(scaled);
	sou_xq_destroy(*q);
	sou_xq_destroy(scaled);
	*q = both;
	*chk = sou_check_node(SOU_CHECK_ANY, kids, 2, both);
	if (!*q || !*chk)
		return sou_error_set(err, SOU_ERR_NOMEM, "out of memory");
	return SOU_OK;
}

/*
 * Compiles one clause of query text s into *q and its check tree *chk;
 * both come back NULL for text with nothing searchable.
 */
/*
 * A text clause that names a company (entity.h): *q becomes *q OR the
 * companies' entity terms, and *chk ANY(*chk, their XAPIAN leaf), so the
 * posts naming the company by code or name match too.
 */
static sou_status add_entities(sou_termgen *tg, const sou_query_env *env, const clause *c,
			       sou_xq **q, sou_check **chk, sou_error *err)
{
	sou_strlist codes = { NULL, 0 }, names = { NULL, 0 };
	sou_buf f = SOU_BUF_INIT, t = SOU_BUF_INIT;
	sou_status st;
	size_t i, n = 1, cap;

	if ((st = sou_segmenter_fold(sou_termgen_segmenter(tg), c->value, strlen(c->value), &f,
				     err)) ||
	    (st = env->entities(env->ctx, f.data ? f.data : "", f.len, &codes, &names, err)) ||
	    !codes.n)
		goto out;
	{
		/* alternatives: the clause, the entity terms, each other name
		 * (matched whole, as a quoted run) */
		sou_xq **alt, *ent, *any;
		sou_check **kids;
		cap = 2 + names.n;
		alt = sou_xcalloc(codes.n, sizeof(*alt));
		for (i = 0; i < codes.n; i++) {
			sou_buf_reset(&t);
			sou_buf_adds(&t, SOU_PREFIX_ENTITY);
			sou_buf_adds(&t, codes.v[i]);
			alt[i] = sou_xq_term(t.data, t.len, 1);
		}
		ent = sou_xq_combine(SOU_XQ_OR, alt, codes.n);
		for (i = 0; i < codes.n; i++)
			sou_xq_destroy(alt[i]);
		free(alt);
		alt = sou_xcalloc(cap, sizeof(*alt));
		kids = sou_xcalloc(cap, sizeof(*kids));
		alt[0] = *q;
		kids[0] = *chk;
		alt[n] = ent;
		kids[n++] = sou_check_xapian(ent);
		for (i = 0; !st && i < names.n && i < 8; i++) {
			if (names.v[i][0] && strcmp(names.v[i], f.data ? f.data : "")) {
				st = sou_termgen_query_checked(tg, SOU_FIELD_BODY, names.v[i],
							       strlen(names.v[i]), 1, &alt[n],
							       &kids[n], NULL, err);
				if (!st && alt[n])
					n++;
			}
		}
		any = st ? NULL : sou_xq_combine(SOU_XQ_OR, alt, n);
		*chk = any ? sou_check_node(SOU_CHECK_ANY, kids, n, any) : NULL; /* owns kids */
		if (!any)
			for (i = 0; i < n; i++)
				sou_check_destroy(kids[i]);
		for (i = 0; i < n; i++)
			sou_xq_destroy(alt[i]);
		free(alt);
		free(kids);
		*q = any;
		if (!st && (!*q || !*chk))
			st = sou_error_set(err, SOU_ERR_NOMEM, "out of memory");
	}
out:
	sou_strlist_free(&codes);
	sou_strlist_free(&names);
	sou_buf_free(&f);
	sou_buf_free(&t);
	return st;
}

static sou_status compile_clause(sou_termgen *tg, const sou_query_env *env, const char *s,
				 const clause *c, int tz, sou_strlist *patterns, sou_xq **q,
				 sou_check **chk, sou_error *err)
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
					       /* an excluded run keeps its exact
						* meaning: -中国人民 drops the posts
						* saying it, not those with 中国
						* and 人民 apart */
					       c->value, strlen(c->value), c->phrase || c->neg,
					       q, chk, c->neg ? NULL : patterns, err);
		break;
	case QF_TAG:
	case QF_CATEGORY:
	case QF_AUTHOR: {
		const char *prefix = c->field == QF_TAG ? SOU_PREFIX_TAG
				     : c->field == QF_CATEGORY ? SOU_PREFIX_CATEGORY
				     : SOU_PREFIX_AUTHOR;
		st = sou_termgen_filter_term(tg, prefix, c->value, strlen(c->value), &t, err);
		if (!st && t.len == strlen(prefix))
			st = sou_error_set(err, SOU_ERR_QUERY, "column %zu: %s: needs a value",
					   column(s, c->off), field_name(c->field));
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
	if (!st && *q && c->field == QF_TEXT && !c->neg && env && env->entities)
		st = add_entities(tg, env, c, q, chk, err);
	if (!st && c->field == QF_TEXT && !c->neg && !c->phrase)
		st = add_pinyin(tg, c->value, strlen(c->value), q, chk, err);
	if (st) {
		/* a lookup failed (a shard down): nothing half-built is kept */
		sou_xq_destroy(*q);
		sou_check_destroy(*chk);
		*q = NULL;
		*chk = NULL;
	}
	sou_buf_free(&t);
	return st;
}

/*
 * A list of compiled queries, each with its check tree (owned; NULL in
 * lists whose entries have none) and its description (Xapian's canonical
 * text of the query, then the check tree's, or NULL if it could not be
 * made), by which identical ones are found.  The check tree is part of
 * the key because two texts can compile to one Xapian query and still
 * mean different runs.
 */
typedef struct qlist {
	sou_xq **v;
	sou_check **chk;
	char **desc;
	size_t n, cap, ccap, dcap;
} qlist;

static char *entry_desc(const sou_xq *q, const sou_check *c)
{
	char *d = sou_xq_describe(q);
	sou_buf b = SOU_BUF_INIT;

	if (!d || !c)
		return d;
	sou_buf_adds(&b, d);
	sou_buf_addc(&b, '\n');
	sou_check_describe(c, &b);
	free(d);
	return sou_buf_detach(&b, NULL);
}

/* Adds q with its check tree c (may be NULL), taking both. */
static void ql_push(qlist *l, sou_xq *q, sou_check *c)
{
	SOU_ARRAY_GROW(l->v, l->cap, l->n + 1);
	SOU_ARRAY_GROW(l->chk, l->ccap, l->n + 1);
	SOU_ARRAY_GROW(l->desc, l->dcap, l->n + 1);
	l->v[l->n] = q;
	l->chk[l->n] = c;
	l->desc[l->n] = entry_desc(q, c);
	l->n++;
}

static void ql_free(qlist *l)
{
	size_t i;

	for (i = 0; i < l->n; i++) {
		sou_xq_destroy(l->v[i]);
		sou_check_destroy(l->chk[i]);
		free(l->desc[i]);
	}
	free(l->v);
	free(l->chk);
	free(l->desc);
	memset(l, 0, sizeof(*l));
}

/* A list of check trees. */
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

/* Moves the check trees of q's entries onto the end of l. */
static void cl_take(clist *l, qlist *q)
{
	size_t i;

	for (i = 0; i < q->n; i++) {
		cl_push(l, q->chk[i]);
		q->chk[i] = NULL;
	}
}

/* Sort key for finding duplicates: description, then first occurrence. */
typedef struct dkey {
	const char *s;
	size_t i;
} dkey;

static int cmp_dkey(const void *a, const void *b)
{
	const dkey *x = a, *y = b;
	int c = strcmp(x->s, y->s);

	return c ? c : (x->i > y->i) - (x->i < y->i);
}

/*
 * Marks dup[i] = 1 for every string s[i] equal to an earlier one.
 * O(n log n), so that thousands of repeated words stay cheap.
 */
static void find_dups(char *const *s, size_t n, unsigned char *dup)
{
	dkey *k = sou_xcalloc(n ? n : 1, sizeof(*k));
	size_t i;

	memset(dup, 0, n);
	for (i = 0; i < n; i++) {
		k[i].s = s[i];
		k[i].i = i;
	}
	if (n > 1)
		qsort(k, n, sizeof(*k), cmp_dkey);
	for (i = 1; i < n; i++)
		if (!strcmp(k[i].s, k[i - 1].s))
			dup[k[i].i] = 1;
	free(k);
}

/* Drops the entries of l identical to an earlier one, keeping the order. */
static void ql_dedupe(qlist *l)
{
	unsigned char *dup = sou_xmalloc(l->n ? l->n : 1);
	size_t i, m = 0;

	find_dups(l->desc, l->n, dup);
	for (i = 0; i < l->n; i++) {
		if (dup[i]) {
			sou_xq_destroy(l->v[i]);
			sou_check_destroy(l->chk[i]);
			free(l->desc[i]);
			continue;
		}
		l->v[m] = l->v[i];
		l->chk[m] = l->chk[i];
		l->desc[m] = l->desc[i];
		m++;
	}
	l->n = m;
	free(dup);
}

/* Drops the strings of l equal to an earlier one, keeping the order. */
static void strlist_dedupe(sou_strlist *l)
{
	unsigned char *dup = sou_xmalloc(l->n ? l->n : 1);
	size_t i, m = 0;

	find_dups(l->v, l->n, dup);
	for (i = 0; i < l->n; i++) {
		if (dup[i])
			free(l->v[i]);
		else
			l->v[m++] = l->v[i];
	}
	l->n = m;
	free(dup);
}

/*
 * 1 and where, when text holds a run of ASCII letters and digits longer
 * than the segmenter keeps (SOU_MAX_UNIT_BYTES): such a word is in no
 * index and in no query, which is why a query of it alone has nothing
 * to search for.
 */
static int long_word(const char *text, size_t *at, size_t *len)
{
	size_t i = 0, j;

	while (text[i]) {
		for (j = i; isalnum((unsigned char)text[j]); j++)
			;
		if (j - i > SOU_MAX_UNIT_BYTES) {
			*at = i;
			*len = j - i;
			return 1;
		}
		i = j > i ? j : i + 1;
	}
	return 0;
}

/* The combination of the list by op (NULL if empty), as a new query. */
static sou_xq *combine(qlist *l, sou_xq_op op)
{
	return l->n ? sou_xq_combine(op, l->v, l->n) : NULL;
}

/* 1 if a clause may be one piece of pinyin typed with spaces: plain
 * text of ASCII letters only ("gui zhou mao tai"). */
static int pinyin_piece(const clause *c)
{
	const char *p;

	if (c->field != QF_TEXT || c->neg || c->phrase || !*c->value)
		return 0;
	for (p = c->value; *p; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z')))
			return 0;
	return 1;
}

/*
 * Adjacent pinyin pieces (pinyin_piece), each already a scoring group in
 * span, go to scoring as one group: the AND of theirs, or (add_pinyin)
 * the pinyin of their letters joined, so "gui zhou mao tai" also finds
 * 贵州茅台 (XPYguizhoumaotai).  Empties span and joined.
 */
static sou_status flush_span(sou_termgen *tg, qlist *span, sou_buf *joined, qlist *scoring,
			     sou_error *err)
{
	sou_status st = SOU_OK;
	sou_xq *alt = NULL;
	size_t i;

	if (span->n > 1 &&
	    (st = sou_termgen_pinyin_query(tg, joined->data, joined->len, &alt, err)))
		goto out;
	if (!alt) {
		/* no pinyin meaning: the groups as they are (deduplicated later) */
		for (i = 0; i < span->n; i++) {
			ql_push(scoring, span->v[i], span->chk[i]);
			span->v[i] = NULL;
			span->chk[i] = NULL;
		}
	} else {
		sou_xq *x;
		clist kids = { 0 };
		sou_check *c;
		sou_xq_destroy(alt);
		ql_dedupe(span); /* a AND a is a */
		x = combine(span, SOU_XQ_AND);
		cl_take(&kids, span);
		c = cl_node(&kids, SOU_CHECK_ALL, x);
		if (!x || !c)
			st = sou_error_set(err, SOU_ERR_NOMEM, "out of memory");
		else
			st = add_pinyin(tg, joined->data, joined->len, &x, &c, err);
		if (!st) {
			ql_push(scoring, x, c);
		} else {
			sou_xq_destroy(x);
			sou_check_destroy(c);
		}
	}
out:
	ql_free(span);
	sou_buf_reset(joined);
	return st;
}

sou_status sou_query_parse(sou_termgen *tg, const char *text, int tz,
			   sou_query **out, sou_error *err)
{
	return sou_query_parse_env(tg, text, tz, NULL, out, err);
}

sou_status sou_query_parse_env(sou_termgen *tg, const char *text, int tz,
			       const sou_query_env *env, sou_query **out, sou_error *err)
{
	qlist span = { 0 };   /* adjacent pinyin pieces (flush_span) */
	sou_buf joined = SOU_BUF_INIT;
	clauses cl = { NULL, 0, 0 };
	qlist scoring = { 0 }, filters = { 0 }, negs = { 0 }, group = { 0 };
	qlist negonly = { 0 }; /* excluded clauses that are only checked */
	clist checks = { 0 }, negchecks = { 0 }, gchecks = { 0 };
	sou_query *q = sou_xcalloc(1, sizeof(*q));
	sou_status st;
	size_t i, j, len = strlen(text), nterms;
	int group_scoring = 0, any = 0;
	sou_xq *pos = NULL;

	*out = NULL;
	sou_termgen_collect_pinyin(tg, &q->pinyin);
	if (len > SOU_QUERY_MAX_BYTES) {
		st = sou_error_set(err, SOU_ERR_QUERY,
				   "query too long: %zu bytes (at most %d)", len,
				   SOU_QUERY_MAX_BYTES);
		goto fail;
	}
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
					   "column %zu: OR needs a term on each side",
					   column(text, cl.v[i].off));
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
						   column(text, c->off));
				goto fail;
			}
			sou_termgen_collect_runs(tg, &q->runs);
			st = compile_clause(tg, env, text, c, tz, &q->patterns, &x, &xc, err);
			sou_termgen_collect_runs(tg, NULL);
			if (st)
				goto fail;
			if (x) {
				if (c->neg && sou_check_exact(xc)) {
					sou_check_destroy(xc);
					ql_push(&negs, x, NULL);
				} else if (c->neg) {
					/* only checked (see the comment at the top);
					 * x stays for finding duplicates */
					ql_push(&negonly, x, xc);
				} else {
					ql_push(&group, x, xc);
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
						   column(text, cl.v[j + 1].off));
				goto fail;
			}
		}
		if (group.n) {
			sou_xq *g;
			int piece = j == i + 1 && pinyin_piece(&cl.v[i]);
			ql_dedupe(&group); /* a OR a is a */
			g = combine(&group, SOU_XQ_OR);
			cl_take(&gchecks, &group);
			if (!piece && (st = flush_span(tg, &span, &joined, &scoring, err))) {
				sou_xq_destroy(g);
				goto fail;
			}
			ql_push(piece ? &span : group_scoring ? &scoring : &filters, g,
				cl_node(&gchecks, SOU_CHECK_ANY, g));
			if (piece)
				sou_buf_adds(&joined, cl.v[i].value);
			any = 1;
		}
		ql_free(&group);
	}
	if ((st = flush_span(tg, &span, &joined, &scoring, err)))
		goto fail;
	if (!any && !negs.n && !negonly.n) {
		size_t at, n;
		if (long_word(text, &at, &n))
			st = sou_error_set(err, SOU_ERR_QUERY,
					   "column %zu: a word of %zu letters is longer than any "
					   "indexed word (at most %d bytes), so nothing can match it",
					   column(text, at), n, SOU_MAX_UNIT_BYTES);
		else
			st = sou_error_set(err, SOU_ERR_QUERY,
					   "nothing to search for in '%s' (only punctuation?)", text);
		goto fail;
	}
	/* a AND a is a; excluding a twice excludes a */
	ql_dedupe(&scoring);
	ql_dedupe(&filters);
	ql_dedupe(&negs);
	ql_dedupe(&negonly);
	strlist_dedupe(&q->patterns);
	cl_take(&checks, &scoring);
	cl_take(&checks, &filters);
	cl_take(&negchecks, &negonly);
	pos = scoring.n ? combine(&scoring, SOU_XQ_AND) : sou_xq_match_all();
	if (filters.n) {
		sou_xq *f = combine(&filters, SOU_XQ_AND);
		sou_xq *pair[2] = { pos, f };
		sou_xq *x = sou_xq_combine(SOU_XQ_FILTER, pair, 2);
		sou_xq_destroy(pos);
		sou_xq_destroy(f);
		pos = x;
	}
	if (negs.n) {
		sou_xq *n = combine(&negs, SOU_XQ_OR);
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
		sou_xq *nq = combine(&negonly, SOU_XQ_OR);
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
	q->xq = pos; /* q owns it from here (fail: frees q) */
	pos = NULL;
	if ((nterms = sou_xq_count_terms(q->xq)) > SOU_QUERY_MAX_TERMS) {
		st = nterms == (size_t)-1
			? sou_error_set(err, SOU_ERR_NOMEM, "out of memory building the query")
			: sou_error_set(err, SOU_ERR_QUERY,
					"query too large: %zu distinct terms (at most %d); "
					"use fewer or shorter words",
					nterms, SOU_QUERY_MAX_TERMS);
		goto fail;
	}
	*out = q;
	sou_termgen_collect_pinyin(tg, NULL);
	sou_buf_free(&joined);
	clauses_free(&cl);
	ql_free(&scoring);
	ql_free(&filters);
	ql_free(&negs);
	ql_free(&negonly);
	return SOU_OK;
fail:
	sou_termgen_collect_pinyin(tg, NULL);
	sou_xq_destroy(pos);
	ql_free(&span);
	sou_buf_free(&joined);
	clauses_free(&cl);
	ql_free(&scoring);
	ql_free(&filters);
	ql_free(&negs);
	ql_free(&group);
	ql_free(&negonly);
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
