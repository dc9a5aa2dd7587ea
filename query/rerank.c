/*
 * rerank.c - client-side ranking signals over the top of Xapian's
 * ranking (see rerank.h for the score and README "Ranking").
 *
 * Texts are compared after sou_segmenter_quick_fold (ASCII lower case,
 * half-width forms, simplified characters, no whitespace), the fold the
 * snippet code uses to find where patterns occur.  A pattern's "needle"
 * is its units joined without SOU_UNIT_SEP, so a pattern of Chinese units
 * is found wherever its characters stand together, and the needles of
 * adjacent query words joined are found where the words stand together.
 */
#define _GNU_SOURCE 1 /* memmem */
#include "rerank.h"

#include <stdlib.h>
#include <string.h>
#include <unicode/uchar.h>
#include <unicode/utf8.h>

#include "termgen.h"
#include "tune.h"
#include "units.h"

/* A knob in hundredths, as a weight. */
static double knob(const char *name, long dflt)
{
	return (double)sou_tune(name, dflt) / 100.0;
}

int sou_rerank_needs_text(const sou_strlist *patterns, const sou_strlist *runs)
{
	/* proximity is of two patterns or more (sou_rerank: nd.v.n > 1) */
	return (patterns && patterns->n > 1 && knob("rerank_proximity", SOU_RERANK_PROXIMITY) > 0) ||
	       (runs && runs->n && knob("rerank_run", SOU_RERANK_RUN) > 0);
}

unsigned sou_rerank_fetch(const sou_search_opts *o, const sou_strlist *patterns)
{
	long depth = sou_tune("rerank_depth", SOU_RERANK_DEPTH);
	unsigned long end = (unsigned long)o->offset + o->limit;

	if (o->sort != SOU_SORT_RELEVANCE || !patterns || !patterns->n || depth <= 0 ||
	    o->offset >= (unsigned long)depth || !o->limit)
		return 0;
	return end > (unsigned long)depth ? (unsigned)end : (unsigned)depth;
}

/* Code points in s[0..n) (UTF-8 lead bytes). */
static size_t cps(const char *s, size_t n)
{
	size_t i, k = 0;

	for (i = 0; i < n; i++)
		k += ((unsigned char)s[i] & 0xC0) != 0x80;
	return k;
}

/* Letters, digits and ideographs in s[0..n): what a title's coverage is
 * measured against (punctuation does not count). */
static size_t letters(const char *s, size_t n)
{
	int32_t i = 0, len = (int32_t)n;
	size_t k = 0;

	while (i < len) {
		UChar32 c;
		U8_NEXT((const uint8_t *)s, i, len, c);
		if (c >= 0 && u_isalnum(c))
			k++;
	}
	return k;
}

/* The query's needles: each pattern without its unit separators. */
typedef struct needles {
	sou_strlist v;
	size_t *len, *ncp;   /* byte lengths and code points */
	size_t total_cp;
} needles;

static void needles_make(const sou_strlist *patterns, needles *nd)
{
	size_t p;

	memset(nd, 0, sizeof(*nd));
	nd->len = sou_xcalloc(patterns->n ? patterns->n : 1, sizeof(size_t));
	nd->ncp = sou_xcalloc(patterns->n ? patterns->n : 1, sizeof(size_t));
	for (p = 0; p < patterns->n; p++) {
		sou_buf b = SOU_BUF_INIT;
		const char *s;
		for (s = patterns->v[p]; *s; s++)
			if (*s != SOU_UNIT_SEP)
				sou_buf_addc(&b, *s);
		sou_strlist_push(&nd->v, b.data ? b.data : "", b.len);
		nd->len[nd->v.n - 1] = b.len;
		nd->ncp[nd->v.n - 1] = cps(b.data ? b.data : "", b.len);
		nd->total_cp += nd->ncp[nd->v.n - 1];
		sou_buf_free(&b);
	}
}

static void needles_free(needles *nd)
{
	sou_strlist_free(&nd->v);
	free(nd->len);
	free(nd->ncp);
}

static int has(const sou_buf *t, const char *s, size_t n)
{
	return n && t->len >= n && memmem(t->data, t->len, s, n) != NULL;
}

/* Title signals: share of needles found, adjacency, coverage. */
static void title_signals(const sou_buf *t, const needles *nd, double *found,
			  double *phrase, double *coverage)
{
	size_t p, nf = 0, cov = 0, pairs = 0, m = nd->v.n;
	sou_buf cat = SOU_BUF_INIT;

	*found = *phrase = *coverage = 0;
	if (!m || !t->len)
		return;
	for (p = 0; p < m; p++)
		if (has(t, nd->v.v[p], nd->len[p])) {
			nf++;
			cov += nd->ncp[p];
		}
	*found = (double)nf / (double)m;
	if (nf == m) {
		size_t all = letters(t->data, t->len);
		*coverage = all ? (double)cov / (double)all : 0;
		if (*coverage > 1)
			*coverage = 1;
	}
	if (m < 2)
		return;
	for (p = 0; p < m; p++)
		sou_buf_add(&cat, nd->v.v[p], nd->len[p]);
	if (has(t, cat.data, cat.len)) {
		*phrase = 1;
	} else {
		for (p = 0; p + 1 < m; p++) {
			sou_buf_reset(&cat);
			sou_buf_add(&cat, nd->v.v[p], nd->len[p]);
			sou_buf_add(&cat, nd->v.v[p + 1], nd->len[p + 1]);
			pairs += has(t, cat.data, cat.len);
		}
		*phrase = 0.5 * (double)pairs / (double)(m - 1);
	}
	sou_buf_free(&cat);
}

/* An occurrence of needle k at byte at of the folded body. */
typedef struct occ {
	size_t at, k;
} occ;

static int cmp_occ(const void *a, const void *b)
{
	const occ *x = a, *y = b;

	return x->at < y->at ? -1 : x->at > y->at;
}

/*
 * Body proximity: sum of needle lengths / the shortest stretch (in code
 * points) holding every needle, by a sliding window over their
 * occurrences (at most 256 per needle); 0 when one is missing.
 */
static double proximity(const sou_buf *b, const needles *nd)
{
	occ *v = NULL;
	size_t n = 0, cap = 0, p, l = 0, r, have = 0, best = (size_t)-1, m = nd->v.n;
	size_t *cnt;

	if (m < 2 || !b->len)
		return 0;
	for (p = 0; p < m; p++) {
		const char *at = b->data, *end = b->data + b->len, *h;
		size_t k = 0;
		while (k < 256 && at < end && (h = memmem(at, (size_t)(end - at), nd->v.v[p], nd->len[p]))) {
			SOU_ARRAY_GROW(v, cap, n + 1);
			v[n].at = (size_t)(h - b->data);
			v[n++].k = p;
			at = h + 1;
			k++;
		}
		if (!k) {
			free(v);
			return 0;
		}
	}
	qsort(v, n, sizeof(*v), cmp_occ);
	cnt = sou_xcalloc(m, sizeof(*cnt));
	for (r = 0; r < n; r++) {
		if (!cnt[v[r].k]++)
			have++;
		while (have == m) {
			size_t e = v[r].at + nd->len[v[r].k], span;
			span = cps(b->data + v[l].at, e > v[l].at ? e - v[l].at : 0);
			if (span < best)
				best = span;
			if (!--cnt[v[l].k])
				have--;
			l++;
		}
	}
	free(cnt);
	free(v);
	return best == (size_t)-1 || !best ? 0 : (double)nd->total_cp / (double)best;
}

typedef struct scored {
	double s;
	size_t i;
} scored;

static int cmp_scored(const void *a, const void *b)
{
	const scored *x = a, *y = b;

	if (x->s != y->s)
		return x->s > y->s ? -1 : 1;
	return x->i < y->i ? -1 : x->i > y->i; /* Xapian's order */
}

/* Share of the runs (units.h patterns) in the post's stream of
 * everything searchable, found as a check finds them (qcheck.h); a
 * record whose streams do not derive counts as holding none. */
static double runs_found(sou_segmenter *seg, const sou_docdata *d, const sou_strlist *runs,
			 sou_buf *ut, sou_buf *ub)
{
	size_t p, k = 0;
	sou_error e;

	if (sou_docdata_units(d, seg, ut, ub, &e))
		return 0;
	for (p = 0; p < runs->n; p++)
		k += sou_units_find(ub->data ? ub->data : "", ub->len, runs->v[p],
				    strlen(runs->v[p]));
	return runs->n ? (double)k / (double)runs->n : 0;
}

void sou_rerank(sou_segmenter *seg, const sou_strlist *patterns, const sou_strlist *runs,
		sou_hit *hits, size_t n)
{
	long depth = sou_tune("rerank_depth", SOU_RERANK_DEPTH);
	double wt = knob("rerank_title", SOU_RERANK_TITLE);
	double wp = knob("rerank_phrase", SOU_RERANK_PHRASE);
	double wc = knob("rerank_coverage", SOU_RERANK_COVERAGE);
	double wx = knob("rerank_proximity", SOU_RERANK_PROXIMITY);
	double wr = runs && runs->n ? knob("rerank_run", SOU_RERANK_RUN) : 0;
	double top = 0;
	needles nd;
	sou_buf tfold = SOU_BUF_INIT, ut = SOU_BUF_INIT, ub = SOU_BUF_INIT;
	scored *sc;
	sou_hit *tmp;
	sou_buf fold = SOU_BUF_INIT;
	size_t *map = NULL, mapcap = 0, i, all = n;

	if (depth <= 0 || !patterns || !patterns->n || !n)
		return;
	if (n > (size_t)depth)
		n = (size_t)depth;
	for (i = 0; i < n; i++)
		if (hits[i].score > top)
			top = hits[i].score;
	/* below the depth: Xapian's order, the weight on the same scale (so
	 * scores never rise down the page) */
	for (i = n; i < all; i++)
		hits[i].score = top > 0 ? hits[i].score / top : 0;
	needles_make(patterns, &nd);
	sc = sou_xcalloc(n, sizeof(*sc));
	for (i = 0; i < n; i++) {
		const sou_docdata *d = &hits[i].doc;
		double found, phrase, coverage, s = top > 0 ? hits[i].score / top : 0;
		sou_segmenter_quick_fold(seg, d->title ? d->title : "", d->title ? strlen(d->title) : 0,
					 &fold, &map, &mapcap);
		title_signals(&fold, &nd, &found, &phrase, &coverage);
		s += wt * found + wp * phrase + wc * coverage;
		if (wx > 0 && nd.v.n > 1 && d->text) {
			sou_segmenter_quick_fold(seg, d->text, d->text_len, &tfold, &map, &mapcap);
			s += wx * proximity(&tfold, &nd);
		}
		if (wr > 0)
			s += wr * runs_found(seg, d, runs, &ut, &ub);
		sc[i].s = s;
		sc[i].i = i;
	}
	qsort(sc, n, sizeof(*sc), cmp_scored);
	tmp = sou_xcalloc(n, sizeof(*tmp));
	for (i = 0; i < n; i++) {
		tmp[i] = hits[sc[i].i];
		tmp[i].score = sc[i].s;
	}
	memcpy(hits, tmp, n * sizeof(*tmp));
	free(tmp);
	free(sc);
	free(map);
	sou_buf_free(&fold);
	sou_buf_free(&tfold);
	sou_buf_free(&ut);
	sou_buf_free(&ub);
	needles_free(&nd);
}

void sou_rerank_page(sou_segmenter *seg, const sou_strlist *patterns,
		     const sou_strlist *runs, sou_hit *hits,
		     size_t *n, unsigned offset, unsigned limit)
{
	size_t i, keep = 0;

	sou_rerank(seg, patterns, runs, hits, *n);
	for (i = 0; i < *n; i++) {
		if (i >= offset && i - offset < limit)
			hits[keep++] = hits[i];
		else
			sou_hit_clear(&hits[i]);
	}
	*n = keep;
}

/* A pattern as query text: its units, with a space only between two
 * units that end and start in ASCII (Latin words), so Chinese units stay
 * one run. */
static void pattern_text(const char *pat, sou_buf *out)
{
	const char *s;

	sou_buf_reset(out);
	for (s = pat; *s; s++) {
		if (*s != SOU_UNIT_SEP) {
			sou_buf_addc(out, *s);
			continue;
		}
		if (out->len && !((unsigned char)out->data[out->len - 1] & 0x80) && s[1] &&
		    !((unsigned char)s[1] & 0x80))
			sou_buf_addc(out, ' ');
	}
}

sou_status sou_rerank_boost(sou_termgen *tg, const sou_search_opts *o,
			    const sou_strlist *patterns, const sou_xq *base, sou_xq **out,
			    sou_error *err)
{
	double w = knob("rerank_title_field", SOU_RERANK_TITLE_FIELD);
	sou_xq **v, *any, *scaled, *pair[2];
	sou_buf text = SOU_BUF_INIT;
	size_t p, n = 0;
	sou_status st = SOU_OK;

	*out = NULL;
	if (w <= 0 || sou_tune("rerank_depth", SOU_RERANK_DEPTH) <= 0 ||
	    o->sort != SOU_SORT_RELEVANCE || !patterns || !patterns->n || !base)
		return SOU_OK;
	v = sou_xcalloc(patterns->n, sizeof(*v));
	for (p = 0; p < patterns->n && !st; p++) {
		pattern_text(patterns->v[p], &text);
		if (text.len &&
		    !(st = sou_termgen_query(tg, SOU_FIELD_TITLE, text.data, text.len, 0, &v[n], NULL,
					     err)) && v[n])
			n++;
	}
	sou_buf_free(&text);
	if (!st && n) {
		any = sou_xq_combine(SOU_XQ_OR, v, n);
		scaled = any ? sou_xq_scale(any, w) : NULL;
		pair[0] = (sou_xq *)base;
		pair[1] = scaled;
		*out = scaled ? sou_xq_combine(SOU_XQ_AND_MAYBE, pair, 2) : NULL;
		sou_xq_destroy(any);
		sou_xq_destroy(scaled);
		if (!*out)
			st = sou_error_set(err, SOU_ERR_NOMEM, "building the title boost failed");
	}
	for (p = 0; p < n; p++)
		sou_xq_destroy(v[p]);
	free(v);
	return st;
}
