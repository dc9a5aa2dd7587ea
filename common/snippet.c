/*
 * snippet.c - passage selection and highlighting (see snippet.h).
 *
 * Steps: segment the text into units (and the spans of ICU words and
 * word parts), find every occurrence of every pattern as a run of equal
 * units inside one chain, slide a window of max_cols columns anchored a
 * little before each occurrence, keep the best window, then snap its ends
 * out of any word they would cut.
 */
#include "snippet.h"

#include <stdlib.h>
#include <string.h>
#include <unicode/uchar.h>
#include <unicode/utf8.h>

#include "termgen.h"
#include "xwrap.h"

typedef struct unit {
	size_t term_off, term_len; /* into the arena */
	size_t start, end;
	int brk;
	int part_of;               /* for parts: index of their unit; else -1 */
} unit;

typedef struct match {
	size_t start, end;
	size_t pat;
} match;

typedef struct collect {
	unit *u;
	size_t n, cap;
	unit *parts;
	size_t np, pcap;
	size_t *spans;             /* word spans (start, end) for snapping */
	size_t ns, scap;
	sou_buf arena;
	size_t base;               /* offset of the segmented region in the text */
	int words;                 /* whole-word patterns (sou_snippet_make_words) */
	unit *w;                   /* then: the text's words (HANWORD, WORD) */
	size_t nw, wcap;
	size_t word_end;           /* end of the last HANWORD */
} collect;

void sou_ranges_free(sou_ranges *r)
{
	if (!r)
		return;
	free(r->v);
	r->v = NULL;
	r->n = r->cap = 0;
}

static void ranges_add(sou_ranges *r, size_t s, size_t e)
{
	if (r->n && s <= r->v[2 * r->n - 1]) { /* overlaps the previous: merge */
		if (e > r->v[2 * r->n - 1])
			r->v[2 * r->n - 1] = e;
		return;
	}
	/* two size_t per range: an element is the pair */
	sou_array_reserve((void **)&r->v, &r->cap, r->n + 1, 2 * sizeof(size_t));
	r->v[2 * r->n] = s;
	r->v[2 * r->n + 1] = e;
	r->n++;
}

static void push_unit(unit **v, size_t *n, size_t *cap, const unit *x)
{
	sou_array_reserve((void **)v, cap, *n + 1, sizeof(unit));
	(*v)[(*n)++] = *x;
}

static void push_span(collect *c, size_t s, size_t e)
{
	sou_array_reserve((void **)&c->spans, &c->scap, c->ns + 1, 2 * sizeof(size_t));
	c->spans[2 * c->ns] = s;
	c->spans[2 * c->ns + 1] = e;
	c->ns++;
}

static int collect_token(void *ctx, const sou_token *t)
{
	collect *c = ctx;
	unit x;

	x.term_off = c->arena.len;
	x.term_len = t->term_len;
	x.start = t->start + c->base;
	x.end = t->end + c->base;
	x.brk = t->brk;
	x.part_of = -1;
	/* a HANWORD comes before its units: a WORD inside one (50 of 50万元)
	 * is part of a word, not a word */
	if (c->words && (t->kind == SOU_TOK_HANWORD ||
			 (t->kind == SOU_TOK_WORD && x.start >= c->word_end))) {
		unit y = x;
		if (t->kind == SOU_TOK_HANWORD)
			c->word_end = x.end;
		y.term_off = c->arena.len;
		sou_buf_add(&c->arena, t->term, t->term_len);
		push_unit(&c->w, &c->nw, &c->wcap, &y);
		x.term_off = c->arena.len;
	}
	switch (t->kind) {
	case SOU_TOK_HANWORD:
		push_span(c, x.start, x.end);
		return 0;
	case SOU_TOK_PART:
		sou_buf_add(&c->arena, t->term, t->term_len);
		x.part_of = (int)c->n - 1;
		push_unit(&c->parts, &c->np, &c->pcap, &x);
		return 0;
	case SOU_TOK_WORD:
		push_span(c, x.start, x.end);
		/* fall through */
	case SOU_TOK_HAN:
		sou_buf_add(&c->arena, t->term, t->term_len);
		push_unit(&c->u, &c->n, &c->cap, &x);
		return 0;
	}
	return 0;
}

static int unit_eq(const collect *c, const unit *u, const char *s, size_t n)
{
	return u->term_len == n && !memcmp(c->arena.data + u->term_off, s, n);
}

/* Finds every occurrence of every pattern (stem: may be NULL). */
static void find_matches(const collect *c, const sou_strlist *pats, sou_xstem *stem,
			 match **out, size_t *nout)
{
	size_t p, i, cap = 0, n = 0;
	match *m = NULL;

#define ADD(s_, e_, p_) do { \
		SOU_ARRAY_GROW(m, cap, n + 1); \
		m[n].start = (s_); m[n].end = (e_); m[n].pat = (p_); n++; \
	} while (0)

	for (p = 0; pats && p < pats->n; p++) {
		const char *pat = pats->v[p];
		size_t plen = strlen(pat), k = 1, j;
		const char *q;

		if (c->words) { /* a word matches the text's words equal to it */
			for (i = 0; i < c->nw; i++)
				if (unit_eq(c, &c->w[i], pat, plen))
					ADD(c->w[i].start, c->w[i].end, p);
			continue;
		}
		for (q = pat; *q; q++)
			if (*q == SOU_UNIT_SEP)
				k++;
		for (i = 0; i + k <= c->n; i++) {
			const char *s = pat;
			for (j = 0; j < k; j++) {
				const char *e = memchr(s, SOU_UNIT_SEP, plen - (size_t)(s - pat));
				size_t ul = e ? (size_t)(e - s) : plen - (size_t)(s - pat);
				if ((j && c->u[i + j].brk) || !unit_eq(c, &c->u[i + j], s, ul))
					break;
				s = e ? e + 1 : s + ul;
			}
			if (j == k)
				ADD(c->u[i].start, c->u[i + k - 1].end, p);
		}
		if (k == 1)
			for (i = 0; i < c->np; i++)
				if (unit_eq(c, &c->parts[i], pat, plen))
					ADD(c->parts[i].start, c->parts[i].end, p);
		if (k == 1 && stem && sou_termgen_stemmable(pat, plen)) {
			/* inflections: "rate" highlights "rates", as the index matched */
			sou_buf ps = SOU_BUF_INIT, us = SOU_BUF_INIT;
			sou_xstem_run(stem, pat, plen, &ps);
			for (i = 0; i < c->n; i++) {
				const char *t = c->arena.data + c->u[i].term_off;
				if (!sou_termgen_stemmable(t, c->u[i].term_len) || unit_eq(c, &c->u[i], pat, plen))
					continue;
				sou_xstem_run(stem, t, c->u[i].term_len, &us);
				if (us.len == ps.len && !memcmp(us.data, ps.data, ps.len))
					ADD(c->u[i].start, c->u[i].end, p);
			}
			sou_buf_free(&ps);
			sou_buf_free(&us);
		}
	}
#undef ADD
	*out = m;
	*nout = n;
}

static int cmp_match(const void *a, const void *b)
{
	const match *x = a, *y = b;

	if (x->start != y->start)
		return x->start < y->start ? -1 : 1;
	return x->end < y->end ? 1 : x->end > y->end ? -1 : 0;
}

size_t sou_snippet_cp_cols(int32_t c)
{
	int w, t;

	if (c < 0x20 || (c >= 0x7f && c < 0xa0))
		return 0;
	t = u_charType(c);
	if (u_getCombiningClass(c) || t == U_NON_SPACING_MARK || t == U_ENCLOSING_MARK ||
	    t == U_FORMAT_CHAR)
		return 0;
	w = u_getIntPropertyValue(c, UCHAR_EAST_ASIAN_WIDTH);
	return (w == U_EA_WIDE || w == U_EA_FULLWIDTH) ? 2 : 1;
}

/* Byte offset reached by walking cols columns forward from byte a. */
static size_t walk_cols(const char *t, size_t len, size_t a, size_t cols)
{
	size_t used = 0;
	int32_t i = (int32_t)a, n = (int32_t)len;

	while (i < n) {
		int32_t at = i;
		UChar32 c;
		U8_NEXT((const uint8_t *)t, i, n, c);
		used += sou_snippet_cp_cols(c < 0 ? 0xFFFD : c);
		if (used > cols)
			return (size_t)at;
	}
	return len;
}

/* Byte offset reached by walking back up to cols columns from byte a,
 * not before byte lo. */
static size_t back_cols(const char *t, size_t lo, size_t a, size_t cols)
{
	size_t used = 0;
	int32_t i = (int32_t)a;

	while (i > (int32_t)lo) {
		int32_t at = i;
		UChar32 c;
		U8_PREV((const uint8_t *)t, (int32_t)lo, i, c);
		used += sou_snippet_cp_cols(c < 0 ? 0xFFFD : c);
		if (used > cols)
			return (size_t)at;
	}
	return 0;
}

/* Moves b out of any word span it falls strictly inside. */
static size_t snap(const collect *c, size_t b, int to_end)
{
	size_t i;

	for (i = 0; i < c->ns; i++) {
		size_t s = c->spans[2 * i], e = c->spans[2 * i + 1];
		if (s < b && b < e)
			return to_end ? e : s;
	}
	return b;
}

/*
 * The whole algorithm on text[rs, re) of a text of len bytes: segment the
 * region, match, choose the window, emit.  "…" marks cuts relative to the
 * whole text.  stem (may be NULL) matches inflections of Latin patterns.
 */
static sou_status make_in_region(sou_segmenter *seg, sou_xstem *stem, const char *text,
				 size_t len, size_t rs, size_t re,
				 const sou_strlist *patterns, int words, size_t max_cols,
				 sou_buf *out, sou_ranges *ranges, sou_error *err)
{
	collect c;
	match *m = NULL;
	size_t nm = 0, i, best_s = rs, best_e, ctx;
	size_t best_distinct = 0, best_count = 0;
	sou_status st;
	unsigned char *seen;

	memset(&c, 0, sizeof(c));
	c.base = rs;
	c.words = words;
	sou_buf_reset(out);
	ranges->n = 0;
	/* matching patterns needs units only: SOU_SEG_UNITS skips ICU's
	 * dictionary (the word spans for snapping are then Latin words';
	 * Chinese text may be cut anywhere) */
	st = sou_segmenter_run(seg, text + rs, re - rs,
			       SOU_SEG_DOCUMENT | (words ? 0 : SOU_SEG_UNITS), collect_token, &c,
			       NULL, err);
	if (st)
		goto done;
	find_matches(&c, patterns, stem, &m, &nm);
	if (nm > 1)
		qsort(m, nm, sizeof(*m), cmp_match);
	if (!max_cols) {
		best_s = rs;
		best_e = re;
	} else {
		ctx = max_cols / 6;
		seen = sou_xcalloc(patterns && patterns->n ? patterns->n : 1, 1);
		best_e = walk_cols(text, re, rs, max_cols);
		for (i = 0; i < nm; i++) {
			size_t ws = back_cols(text, rs, m[i].start, ctx), we, j, distinct = 0, count = 0;
			we = walk_cols(text, re, ws, max_cols);
			memset(seen, 0, patterns->n);
			for (j = i; j < nm && m[j].start < we; j++) {
				if (m[j].end > we)
					continue;
				count++;
				if (!seen[m[j].pat]) {
					seen[m[j].pat] = 1;
					distinct++;
				}
			}
			/* earlier matches before i inside the window also count */
			for (j = i; j-- > 0 && m[j].start >= ws;) {
				count++;
				if (!seen[m[j].pat]) {
					seen[m[j].pat] = 1;
					distinct++;
				}
			}
			if (distinct > best_distinct ||
			    (distinct == best_distinct && count > best_count)) {
				best_distinct = distinct;
				best_count = count;
				best_s = ws;
				best_e = we;
			}
		}
		free(seen);
		/* snap the start back to a word start, then measure the width
		 * from there so the passage never exceeds max_cols */
		best_s = snap(&c, best_s, 0);
		best_e = walk_cols(text, re, best_s, max_cols);
		if (best_e < re)
			best_e = snap(&c, best_e, 0);
		if (best_e <= best_s) /* one word wider than the window */
			best_e = walk_cols(text, re, best_s, max_cols);
	}
	{
		/* trim spaces at the cut ends, then emit */
		size_t shift;
		while (best_s < best_e && (text[best_s] == ' ' || text[best_s] == '\n'))
			best_s++;
		while (best_e > best_s && (text[best_e - 1] == ' ' || text[best_e - 1] == '\n'))
			best_e--;
		if (best_s > 0)
			sou_buf_adds(out, "\xE2\x80\xA6"); /* … */
		shift = out->len;
		for (i = best_s; i < best_e; i++)
			sou_buf_addc(out, text[i] == '\n' ? ' ' : text[i]);
		if (best_e < len)
			sou_buf_adds(out, "\xE2\x80\xA6");
		for (i = 0; i < nm; i++)
			if (m[i].start >= best_s && m[i].end <= best_e)
				ranges_add(ranges, m[i].start - best_s + shift,
					   m[i].end - best_s + shift);
	}
done:
	free(m);
	free(c.u);
	free(c.parts);
	free(c.w);
	free(c.spans);
	sou_buf_free(&c.arena);
	return st;
}

/*
 * Segmenting is most of a snippet's cost (ICU's dictionary), so only a
 * region around the best stretch is segmented: the window (span bytes at
 * most, three per column) and a quarter of it either side, room for the
 * context before the first match and for snapping the ends to words.
 * A text no longer than the region would be is segmented whole.
 */
#define REGION(span) ((span) + (span) / 2)

/* First occurrence of needle in hay (memmem is a GNU extension). */
static const char *find_bytes(const char *hay, size_t hn, const char *nd, size_t nn)
{
	const char *p = hay, *end = hay + hn;

	if (!nn || nn > hn)
		return NULL;
	while ((p = memchr(p, nd[0], (size_t)(end - p) - nn + 1))) {
		if (!memcmp(p, nd, nn))
			return p;
		p++;
		if ((size_t)(end - p) < nn)
			break;
	}
	return NULL;
}

typedef struct cand {
	size_t at;
	size_t pat;
} cand;

static int cmp_cand(const void *a, const void *b)
{
	const cand *x = a, *y = b;

	return x->at < y->at ? -1 : x->at > y->at;
}

/* Moves b back (at most 120 bytes) to just after a space or line break,
 * else to a character boundary, so a region never starts inside a word. */
static size_t region_start(const char *t, size_t b)
{
	size_t lim = b > 120 ? b - 120 : 0, i;

	for (i = b; i > lim; i--)
		if (t[i - 1] == ' ' || t[i - 1] == '\n')
			return i;
	while (b > 0 && ((unsigned char)t[b] & 0xC0) == 0x80)
		b--;
	return b;
}

static size_t region_end(const char *t, size_t len, size_t e)
{
	size_t lim = e + 120 < len ? e + 120 : len, i;

	for (i = e; i < lim; i++)
		if (t[i] == ' ' || t[i] == '\n')
			return i;
	while (e < len && ((unsigned char)t[e] & 0xC0) == 0x80)
		e++;
	return e;
}

static sou_status make(sou_segmenter *seg, const char *text, size_t len,
		       const sou_strlist *patterns, int words, size_t max_cols,
		       sou_buf *out, sou_ranges *ranges, sou_error *err)
{
	sou_buf folded = SOU_BUF_INIT, needle = SOU_BUF_INIT;
	size_t *map = NULL, mapcap = 0, ncand = 0, candcap = 0, p, i, j;
	size_t span = max_cols * 3, best = 0, best_distinct = 0, rs, re;
	cand *cands = NULL;
	unsigned char *seen;
	sou_xstem *stem = NULL;
	sou_status st;

	/* one stemmer for the call, only when some pattern is a Latin word */
	for (p = 0; !words && patterns && p < patterns->n && !stem; p++)
		if (sou_termgen_stemmable(patterns->v[p], strlen(patterns->v[p])))
			stem = sou_xstem_create();
	if (!max_cols || len <= REGION(span) || !patterns || !patterns->n) {
		st = make_in_region(seg, stem, text, len, 0,
				    max_cols && len > REGION(span) ? region_end(text, len, REGION(span)) : len,
				    patterns, words, max_cols, out, ranges, err);
		sou_xstem_destroy(stem);
		return st;
	}
	/*
	 * A long text: find where patterns may occur with a quick fold (no
	 * segmentation), pick the densest stretch, and run the real
	 * algorithm only on a region around it.  A pattern's units joined is
	 * a substring of the quick-folded text wherever the units match.
	 */
	sou_segmenter_quick_fold(seg, text, len, &folded, &map, &mapcap);
	for (p = 0; p < patterns->n; p++) {
		const char *v = patterns->v[p], *hit, *from;
		size_t n;
		sou_buf_reset(&needle);
		for (; *v; v++)
			if (*v != SOU_UNIT_SEP)
				sou_buf_addc(&needle, *v);
		if (sou_termgen_stemmable(needle.data, needle.len)) {
			if (stem) {
				sou_buf tmp = SOU_BUF_INIT;
				sou_xstem_run(stem, needle.data, needle.len, &tmp);
				if (tmp.len)
					sou_buf_reset(&needle), sou_buf_add(&needle, tmp.data, tmp.len);
				sou_buf_free(&tmp);
			}
		}
		if (!needle.len)
			continue;
		from = folded.data;
		for (n = 0; n < 4096 && from && (hit = find_bytes(from, folded.len - (size_t)(from - folded.data),
								 needle.data, needle.len)); n++) {
			SOU_ARRAY_GROW(cands, candcap, ncand + 1);
			cands[ncand].at = map[hit - folded.data];
			cands[ncand].pat = p;
			ncand++;
			from = hit + 1;
		}
	}
	if (ncand > 1)
		qsort(cands, ncand, sizeof(*cands), cmp_cand);
	seen = sou_xcalloc(patterns->n, 1);
	for (i = 0; i < ncand; i++) {
		size_t distinct = 0;
		memset(seen, 0, patterns->n);
		for (j = i; j < ncand && cands[j].at < cands[i].at + span; j++)
			if (!seen[cands[j].pat]) {
				seen[cands[j].pat] = 1;
				distinct++;
			}
		if (distinct > best_distinct) {
			best_distinct = distinct;
			best = cands[i].at;
		}
	}
	free(seen);
	/* the region: the window and a quarter of a window either side */
	rs = ncand ? region_start(text, best > span / 4 ? best - span / 4 : 0) : 0;
	re = (ncand ? best : 0) + span + span / 4;
	re = region_end(text, len, re < len ? re : len);
	st = make_in_region(seg, stem, text, len, rs, re, patterns, words, max_cols, out, ranges,
			    err);
	sou_xstem_destroy(stem);
	free(cands);
	free(map);
	sou_buf_free(&folded);
	sou_buf_free(&needle);
	return st;
}

sou_status sou_snippet_make(sou_segmenter *seg, const char *text, size_t len,
			    const sou_strlist *patterns, size_t max_cols,
			    sou_buf *out, sou_ranges *ranges, sou_error *err)
{
	return make(seg, text, len, patterns, 0, max_cols, out, ranges, err);
}

sou_status sou_snippet_make_words(sou_segmenter *seg, const char *text, size_t len,
				  const sou_strlist *words, size_t max_cols,
				  sou_buf *out, sou_ranges *ranges, sou_error *err)
{
	return make(seg, text, len, words, 1, max_cols, out, ranges, err);
}
