/*
 * loosen.c - nearby queries for a query that found nothing (loosen.h).
 *
 * The query is taken apart into its blank-separated pieces as the parser
 * reads them (quotes keep a phrase whole); each candidate is the query
 * with one piece changed or left out, counted with an ordinary search
 * (limit 0), so what is offered is known to find posts.
 */
#include "loosen.h"

#include <stdlib.h>
#include <string.h>

#include "pinyin.h"
#include "schema.h"
#include "suggest.h"
#include "termgen.h"
#include "xwrap.h"

void sou_loosened_clear(sou_loosened *l)
{
	if (!l)
		return;
	free(l->query);
	memset(l, 0, sizeof(*l));
}

const char *sou_loosen_kind_name(sou_loosen_kind k)
{
	switch (k) {
	case SOU_LOOSEN_SPELLING: return "did you mean";
	case SOU_LOOSEN_FILTER: return "without a filter";
	case SOU_LOOSEN_RUN: return "shorter";
	case SOU_LOOSEN_WORD: return "fewer words";
	case SOU_LOOSEN_NONE: break;
	}
	return "";
}

/* The pieces of q: split at ASCII blanks outside double quotes. */
static void pieces(const char *q, sou_strlist *out)
{
	const char *p = q;

	while (*p) {
		const char *s;
		int quoted = 0;
		while (*p == ' ' || *p == '\t')
			p++;
		if (!*p)
			break;
		for (s = p; *p && (quoted || (*p != ' ' && *p != '\t')); p++)
			if (*p == '"')
				quoted = !quoted;
		sou_strlist_push(out, s, (size_t)(p - s));
	}
}

static int is_filter(const char *w)
{
	static const char *const F[] = { "tag:", "tags:", "category:", "categories:",
					 "author:", "date:" };
	size_t i;

	if (*w == '-')
		w++;
	for (i = 0; i < sizeof(F) / sizeof(F[0]); i++)
		if (!strncmp(w, F[i], strlen(F[i])))
			return 1;
	return 0;
}

/* A plain Latin word: ASCII letters only, 3 to 32 of them. */
static int is_latin(const char *w)
{
	size_t n = strlen(w), i;

	if (n < 3 || n > 32)
		return 0;
	for (i = 0; i < n; i++)
		if (!((w[i] >= 'a' && w[i] <= 'z') || (w[i] >= 'A' && w[i] <= 'Z')))
			return 0;
	return 1;
}

/* A plain run of Chinese, two characters or more: no ASCII at all (so
 * no field, quote or '-'). */
static int is_han_run(const char *w, size_t *chars)
{
	size_t i;

	*chars = 0;
	for (i = 0; w[i]; i++) {
		if (!((unsigned char)w[i] & 0x80))
			return 0;
		*chars += ((unsigned char)w[i] & 0xC0) != 0x80;
	}
	return *chars >= 2;
}

/* The query of pieces v with piece skip replaced by with (NULL: left out). */
static void join(const sou_strlist *v, size_t skip, const char *with, sou_buf *out)
{
	size_t i;

	sou_buf_reset(out);
	for (i = 0; i < v->n; i++) {
		const char *w = i == skip ? with : v->v[i];
		if (!w)
			continue;
		if (out->len)
			sou_buf_addc(out, ' ');
		sou_buf_adds(out, w);
	}
}

typedef struct trial {
	sou_searcher *s;
	sou_search_opts o;
	unsigned tries;
} trial;

/* Counts q's posts into *n (0 when it does not parse); -1 when the tries
 * are used up. */
static sou_status count(trial *t, const char *q, unsigned long *n, int *exact,
			sou_error *err)
{
	sou_results *r = NULL;
	sou_status st;

	*n = 0;
	if (t->tries >= SOU_LOOSEN_TRIES)
		return SOU_OK;
	t->tries++;
	st = sou_searcher_run(t->s, q, &t->o, &r, err);
	if (st == SOU_ERR_QUERY || st == SOU_ERR_USAGE)
		return SOU_OK;
	if (!st) {
		*n = r->estimated;
		*exact = r->lower == r->upper;
	}
	sou_results_destroy(r);
	return st;
}

/* Keeps q in *best when it finds more posts. */
static void keep(sou_loosened *best, sou_loosen_kind k, const char *q, unsigned long n,
		 int exact)
{
	if (!n || (best->kind == k && n <= best->total))
		return;
	free(best->query);
	best->kind = k;
	best->query = sou_xstrdup(q);
	best->total = n;
	best->exact = exact;
}

/*
 * Same-reading words for a run of Chinese no post holds (美连储, 茅苔:
 * typed by pinyin, the wrong character picked), at most SAME_MAX of them:
 * first the index's own, the completion keys whose reading is the run's
 * (suggest.h: XJ + reading joined + SEP + the characters, so titles,
 * tags and company names), then the pinyin table's words (pinyin.h).
 */
#define SAME_MAX 6

/* Words looked at per run, at most (the first character's words). */
#define SAME_SCAN 5000

typedef struct same {
	const char *run;
	sou_strlist *out;
	/* same_word: the run's reading and length in bytes */
	const sou_buf *r;
	size_t len, skip;         /* skip: the scanned prefix's bytes */
	sou_termgen *tg;
	sou_buf rd;
} same;

static void add_same(sou_strlist *out, const char *w, size_t n, const char *run)
{
	if (out->n < SAME_MAX && !(strlen(run) == n && !memcmp(run, w, n)))
		sou_strlist_push_unique(out, w, n);
}

static void same_key(void *ctx, const char *term, size_t len, unsigned long tf)
{
	same *sm = ctx;
	const char *sep = memchr(term, SOU_SUGGEST_SEP, len);

	(void)tf;
	if (sep && sep + 1 < term + len)
		add_same(sm->out, sep + 1, (size_t)(term + len - sep - 1), sm->run);
}

static void same_word(void *ctx, const char *term, size_t len, unsigned long tf)
{
	same *sm = ctx;
	size_t i;

	(void)tf;
	term += sm->skip;
	len -= sm->skip;
	if (len != sm->len)
		return;
	for (i = 0; i < len; i++)
		if (!((unsigned char)term[i] & 0x80))
			return;
	if (sou_termgen_pinyin_reading(sm->tg, term, len, &sm->rd) &&
	    !strcmp(sm->rd.data, sm->r->data))
		add_same(sm->out, term, len, sm->run);
}

static sou_status same_reading(sou_searcher *s, const char *run, sou_strlist *out,
			       sou_error *err)
{
	sou_termgen *tg = sou_searcher_termgen(s);
	sou_buf f = SOU_BUF_INIT, r = SOU_BUF_INIT, k = SOU_BUF_INIT;
	sou_status st;
	size_t i;
	same sm;

	memset(&sm, 0, sizeof(sm));
	if ((st = sou_segmenter_fold(sou_termgen_segmenter(tg), run, strlen(run), &f, err)) ||
	    !f.len || !sou_termgen_pinyin_reading(tg, f.data, f.len, &r))
		goto done;
	sm.run = f.data;
	sm.out = out;
	sou_buf_adds(&k, SOU_PREFIX_SUGGEST);
	sou_pinyin_joined(r.data, r.len, &k);
	sou_buf_addc(&k, SOU_SUGGEST_SEP);
	if ((st = sou_xdb_each_term_tf(sou_searcher_xdb(s), k.data, k.len, 64, same_key, &sm,
				       NULL, err)))
		goto done;
	/* the index's words of as many characters that start with the same
	 * character (茅苔 -> 茅台: a slip after the first character); words
	 * of two characters are bigram terms (schema.h), longer ones words */
	if (out->n < SAME_MAX) {
		sm.r = &r;
		sm.tg = tg;
		sm.len = f.len;
		sou_buf_reset(&k);
		if (f.len == 6) /* two characters */
			sou_buf_adds(&k, SOU_PREFIX_BIGRAM);
		sm.skip = k.len;
		sou_buf_add(&k, f.data, 3);
		if (f.len % 3 == 0 &&
		    (st = sou_xdb_each_term_tf(sou_searcher_xdb(s), k.data, k.len, SAME_SCAN,
					       same_word, &sm, NULL, err)))
			goto done;
	}
	/* the table: words read exactly so (a word's one reading) */
	for (i = 0; out->n < SAME_MAX && i < sou_pinyin_table_size(); i++) {
		const char *key, *rd;
		sou_pinyin_table_entry(i, &key, &rd);
		if (!strcmp(rd, r.data))
			add_same(out, key, strlen(key), f.data);
	}
done:
	sou_buf_free(&sm.rd);
	sou_buf_free(&f);
	sou_buf_free(&r);
	sou_buf_free(&k);
	return st;
}

/*
 * Piece i of v (a run of chars Chinese characters) with one part of it
 * respelled by sound (美连储 in 美连储加息): parts of up to four
 * characters, longest first, the first length that finds posts wins.
 * Only characters of three bytes are cut here (is_han_run's runs are).
 */
static sou_status respell_parts(sou_searcher *s, trial *t, const sou_strlist *v, size_t i,
				size_t chars, sou_loosened *out, sou_error *err)
{
	sou_strlist cands = { NULL, 0 };
	sou_buf w = SOU_BUF_INIT, part = SOU_BUF_INIT, q = SOU_BUF_INIT;
	const char *run = v->v[i];
	sou_status st = SOU_OK;
	size_t len, k, j;
	unsigned long n;
	int ex = 0;

	if (strlen(run) != 3 * chars)
		return SOU_OK;
	for (len = chars - 1 < 4 ? chars - 1 : 4; !st && !out->kind && len >= 2; len--) {
		for (k = 0; !st && k + len <= chars; k++) {
			sou_buf_reset(&part);
			sou_buf_add(&part, run + 3 * k, 3 * len);
			sou_strlist_free(&cands);
			if ((st = same_reading(s, part.data, &cands, err)))
				break;
			for (j = 0; !st && j < cands.n; j++) {
				sou_buf_reset(&w);
				sou_buf_add(&w, run, 3 * k);
				sou_buf_adds(&w, cands.v[j]);
				sou_buf_adds(&w, run + 3 * (k + len));
				join(v, i, w.data, &q);
				if (!(st = count(t, q.data, &n, &ex, err)))
					keep(out, SOU_LOOSEN_SPELLING, q.data, n, ex);
			}
		}
	}
	sou_strlist_free(&cands);
	sou_buf_free(&w);
	sou_buf_free(&part);
	sou_buf_free(&q);
	return st;
}

/* Edit distance of a and b, counting a swap of two neighbours as one
 * edit (optimal string alignment: "chian" is one from "china"), or
 * max + 1 once it exceeds max. */
static size_t edits(const char *a, size_t na, const char *b, size_t nb, size_t max)
{
	size_t m[33][33], i, j;

	if (na > 32 || nb > 32 || (na > nb ? na - nb : nb - na) > max)
		return max + 1;
	for (i = 0; i <= na; i++)
		m[i][0] = i;
	for (j = 0; j <= nb; j++)
		m[0][j] = j;
	for (i = 1; i <= na; i++) {
		size_t lo = (size_t)-1;
		for (j = 1; j <= nb; j++) {
			size_t v = m[i - 1][j - 1] + (a[i - 1] != b[j - 1]);
			if (m[i - 1][j] + 1 < v)
				v = m[i - 1][j] + 1;
			if (m[i][j - 1] + 1 < v)
				v = m[i][j - 1] + 1;
			if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] &&
			    m[i - 2][j - 2] + 1 < v)
				v = m[i - 2][j - 2] + 1;
			m[i][j] = v;
			if (v < lo)
				lo = v;
		}
		if (lo > max)
			return max + 1;
	}
	return m[na][nb];
}

/* Words of the index's vocabulary near a misspelt Latin word. */
typedef struct near {
	const char *w;
	size_t n, max;
	sou_strlist cands;
	size_t *dist;
	size_t cap;
} near;

static void near_term(void *ctx, const char *term, size_t len)
{
	near *nr = ctx;
	size_t d, i;

	for (i = 0; i < len; i++)
		if (!(term[i] >= 'a' && term[i] <= 'z'))
			return; /* only plain Latin words */
	d = edits(nr->w, nr->n, term, len, nr->max);
	if (d == 0 || d > nr->max || nr->cands.n >= 256)
		return;
	SOU_ARRAY_GROW(nr->dist, nr->cap, nr->cands.n + 1);
	nr->dist[nr->cands.n] = d;
	sou_strlist_push(&nr->cands, term, len);
}

/* The most frequent vocabulary word nearest to w (folded), into out
 * (empty when none). */
static sou_status respell(sou_searcher *s, const char *w, sou_buf *out, sou_error *err)
{
	sou_xdb *db = sou_searcher_xdb(s);
	near nr;
	char lower[33], prefix[2];
	size_t i, bestd = (size_t)-1;
	unsigned long bestf = 0, f;
	sou_status st;

	sou_buf_reset(out);
	memset(&nr, 0, sizeof(nr));
	for (i = 0; w[i] && i < 32; i++)
		lower[i] = (char)(w[i] >= 'A' && w[i] <= 'Z' ? w[i] - 'A' + 'a' : w[i]);
	lower[i] = 0;
	if ((st = sou_xdb_termfreq(db, lower, &f, err)) || f)
		return st; /* a word the index has is no misspelling */
	nr.w = lower;
	nr.n = i;
	nr.max = i <= 4 ? 1 : 2;
	/* words of the same first letter: unprefixed Latin terms (schema.h) */
	prefix[0] = lower[0];
	prefix[1] = 0;
	st = sou_xdb_each_term(db, prefix, near_term, &nr, err);
	for (i = 0; !st && i < nr.cands.n; i++) {
		if (nr.dist[i] > bestd)
			continue;
		if ((st = sou_xdb_termfreq(db, nr.cands.v[i], &f, err)))
			break;
		if (nr.dist[i] < bestd || f > bestf ||
		    (f == bestf && strlen(nr.cands.v[i]) == nr.n && out->len != nr.n)) {
			bestd = nr.dist[i];
			bestf = f;
			sou_buf_reset(out);
			sou_buf_adds(out, nr.cands.v[i]);
		}
	}
	sou_strlist_free(&nr.cands);
	free(nr.dist);
	return st;
}

sou_status sou_loosen(sou_searcher *s, const char *query, const sou_search_opts *o,
		      sou_loosened *out, sou_error *err)
{
	sou_strlist v = { NULL, 0 };
	sou_buf q = SOU_BUF_INIT, w = SOU_BUF_INIT;
	trial t;
	sou_status st = SOU_OK;
	unsigned long n;
	int ex = 0;
	size_t i, texts = 0;

	memset(out, 0, sizeof(*out));
	memset(&t, 0, sizeof(t));
	t.s = s;
	t.o = *o;
	t.o.limit = 0;
	t.o.offset = 0;
	t.o.facets = NULL;
	t.o.snippet_cols = 0;
	pieces(query ? query : "", &v);
	for (i = 0; i < v.n; i++)
		texts += !is_filter(v.v[i]) && v.v[i][0] != '-' && strcmp(v.v[i], "OR");
	/* 1. a misspelt Latin word */
	for (i = 0; !st && i < v.n; i++) {
		if (!is_latin(v.v[i]) || (st = respell(s, v.v[i], &w, err)) || !w.len)
			continue;
		join(&v, i, w.data, &q);
		if (!(st = count(&t, q.data, &n, &ex, err)))
			keep(out, SOU_LOOSEN_SPELLING, q.data, n, ex);
	}
	/* 1b. a run of Chinese respelled by its sound: the candidate that
	 * finds the most posts */
	for (i = 0; !st && !out->kind && i < v.n; i++) {
		sou_strlist cands = { NULL, 0 };
		size_t chars, j;
		if (!is_han_run(v.v[i], &chars))
			continue;
		st = same_reading(s, v.v[i], &cands, err);
		for (j = 0; !st && j < cands.n; j++) {
			join(&v, i, cands.v[j], &q);
			if (!(st = count(&t, q.data, &n, &ex, err)))
				keep(out, SOU_LOOSEN_SPELLING, q.data, n, ex);
		}
		sou_strlist_free(&cands);
		if (!st && !out->kind && chars >= 3)
			st = respell_parts(s, &t, &v, i, chars, out, err);
	}
	/* 2. a filter dropped */
	for (i = 0; !st && !out->kind && i < v.n; i++) {
		if (!is_filter(v.v[i]) || v.n < 2)
			continue;
		join(&v, i, NULL, &q);
		if (!(st = count(&t, q.data, &n, &ex, err)))
			keep(out, SOU_LOOSEN_FILTER, q.data, n, ex);
	}
	/* 3. a run of Chinese shortened: its longest parts first */
	for (i = 0; !st && !out->kind && i < v.n; i++) {
		size_t chars, len, k;
		if (!is_han_run(v.v[i], &chars))
			continue;
		for (len = chars - 1; !st && !out->kind && len >= 2; len--) {
			for (k = 0; !st && k + len <= chars; k++) {
				/* characters [k, k + len) of the run */
				const char *p = v.v[i], *a, *b;
				size_t c = 0;
				for (a = p; *a && c < k; a++)
					c += ((unsigned char)a[1] & 0xC0) != 0x80;
				for (b = a, c = 0; *b && c < len; b++)
					c += ((unsigned char)b[1] & 0xC0) != 0x80;
				sou_buf_reset(&w);
				sou_buf_add(&w, a, (size_t)(b - a));
				join(&v, i, w.data, &q);
				if (!(st = count(&t, q.data, &n, &ex, err)))
					keep(out, SOU_LOOSEN_RUN, q.data, n, ex);
			}
		}
	}
	/* 4. one word of several dropped */
	for (i = 0; !st && !out->kind && texts >= 2 && i < v.n; i++) {
		if (is_filter(v.v[i]) || v.v[i][0] == '-' || !strcmp(v.v[i], "OR"))
			continue;
		join(&v, i, NULL, &q);
		if (!(st = count(&t, q.data, &n, &ex, err)))
			keep(out, SOU_LOOSEN_WORD, q.data, n, ex);
	}
	sou_strlist_free(&v);
	sou_buf_free(&q);
	sou_buf_free(&w);
	if (st)
		sou_loosened_clear(out);
	return st;
}

sou_status sou_loosen_results(sou_searcher *s, const char *query, const sou_search_opts *o,
			      sou_results *r, sou_error *err)
{
	sou_loosened l;
	sou_status st;

	if (r->estimated || r->loosen_kind)
		return SOU_OK;
	if ((st = sou_loosen(s, query, o, &l, err)))
		return st;
	r->loosen_kind = (int)l.kind;
	r->loosen_query = l.query; /* moves into r */
	r->loosen_total = l.total;
	r->loosen_exact = l.exact;
	return SOU_OK;
}
