/*
 * suggest.c - completion keys and completions (see suggest.h).
 *
 * A title is cut into pieces chain by chain (segment.h): a word the
 * segmenter chose (HANWORD) is a piece, a Latin or number unit outside
 * one is a piece, a function character (的, 在...) alone is a piece that
 * no key holds, and other consecutive Chinese units outside any word form
 * one piece.  Keys are the pieces of two characters or more and adjacent
 * pairs of pieces (flush_chain says which), joined as they stood (a space
 * only between two Latin pieces).  Keys are boolean terms: they add no wdf, so they change
 * no post's length or weight.
 */
#include "suggest.h"

#include <stdlib.h>
#include <string.h>

#include "schema.h"
#include "tune.h"

/* The current chain: its units (folded), whether each is Chinese, and
 * the words the segmenter chose as unit spans [start, end). */
struct span {
	size_t start, end;
};

typedef struct collect {
	sou_xdoc *doc;
	sou_strlist units;
	int *han;
	size_t han_cap;
	struct span *w;
	size_t nw, w_cap;
	int pend;              /* 1: a word announced, 2: reading its units */
	sou_strlist *pieces;   /* sou_suggest_pieces: pieces go here, not keys */
	sou_buf *kinds;
	size_t pend_start, pend_bytes, pend_read;
	sou_pinyin *py;        /* reading keys; NULL: none */
	int readings;          /* 1: of single pieces, 2: of pairs too */
	int initials;          /* initials keys: 1 of single pieces, 2 of pairs too */
	sou_buf key, a, b, rd, rk;
} collect;

static size_t cps(const char *s, size_t n)
{
	size_t i, k = 0;

	for (i = 0; i < n; i++)
		k += ((unsigned char)s[i] & 0xC0) != 0x80;
	return k;
}

/* Reading keys longer than this (bytes) are left out (Xapian's
 * term limit is 245). */
#define READING_KEY_MAX 200

/* XJ + s joined (spaces left out) + SEP + shown, as a boolean term. */
static void add_shown(collect *c, const char *s, size_t n, const char *shown, size_t shown_len)
{
	sou_buf_reset(&c->rk);
	sou_buf_adds(&c->rk, SOU_PREFIX_SUGGEST);
	sou_pinyin_joined(s, n, &c->rk);
	sou_buf_addc(&c->rk, SOU_SUGGEST_SEP);
	sou_buf_add(&c->rk, shown, shown_len);
	if (c->rk.len <= READING_KEY_MAX)
		sou_xdoc_add_boolean(c->doc, c->rk.data, c->rk.len);
}

/* The reading keys of the key text k[0..n): only a text of characters
 * that all have a reading (no Latin, no digits) has them. */
static void add_reading_keys(collect *c, const char *k, size_t n, int initials)
{
	if (!sou_pinyin_reading(c->py, k, n, SOU_PINYIN_DEFAULT, &c->rd, NULL))
		return;
	add_shown(c, c->rd.data, c->rd.len, k, n);
	if (!initials)
		return;
	sou_buf_reset(&c->rk);
	sou_pinyin_initials(c->rd.data, c->rd.len, &c->rk);
	/* rk is reused by add_shown: keep the initials in rd */
	sou_buf_reset(&c->rd);
	sou_buf_add(&c->rd, c->rk.data, c->rk.len);
	add_shown(c, c->rd.data, c->rd.len, k, n);
}

static void add_key(collect *c, const sou_buf *a, const sou_buf *b, int space)
{
	size_t n = a->len + (b ? b->len : 0) + (space ? 1 : 0);

	if (n > SOU_SUGGEST_KEY_MAX || !n)
		return;
	sou_buf_reset(&c->key);
	sou_buf_adds(&c->key, SOU_PREFIX_SUGGEST);
	sou_buf_add(&c->key, a->data, a->len);
	if (space)
		sou_buf_addc(&c->key, ' ');
	if (b)
		sou_buf_add(&c->key, b->data, b->len);
	sou_xdoc_add_boolean(c->doc, c->key.data, c->key.len);
	if (c->py && (b ? c->readings >= 2 : c->readings >= 1))
		add_reading_keys(c, c->key.data + strlen(SOU_PREFIX_SUGGEST),
				 c->key.len - strlen(SOU_PREFIX_SUGGEST),
				 b ? c->initials >= 2 : c->initials >= 1);
}

/* Characters that stand alone between words (particles, prepositions,
 * conjunctions): no key holds them, and they end a run of single
 * characters.  Folded (simplified) forms. */
static const char *const FUNCTION_CHARS[] = {
	"的", "了", "在", "是", "和", "与", "及", "或", "也", "就", "都", "而", "上",
	"下", "中", "为", "对", "把", "被", "将", "从", "向", "于", "以", "之", "其",
	"这", "那", "等", "并", "由", "到", "又", "再", "还", "已", "让", "给", "论",
};

static int function_char(const char *u)
{
	size_t i;

	for (i = 0; i < sizeof(FUNCTION_CHARS) / sizeof(FUNCTION_CHARS[0]); i++)
		if (!strcmp(u, FUNCTION_CHARS[i]))
			return 1;
	return 0;
}

/* Kinds of pieces. */
enum { P_WORD, P_RUN, P_FUNC };

/* The next piece of the chain from unit *i on, into out, its kind into
 * *kind and whether it has Chinese into *han.  Returns 0 at the end. */
static int next_piece(collect *c, size_t *i, size_t *k, sou_buf *out, int *kind, int *han)
{
	size_t n = c->units.n, end;

	if (*i >= n)
		return 0;
	sou_buf_reset(out);
	while (*k < c->nw && c->w[*k].start < *i)
		(*k)++;
	if (*k < c->nw && c->w[*k].start == *i) {
		end = c->w[*k].end;
		*kind = P_WORD;
	} else if (c->han[*i] && function_char(c->units.v[*i])) {
		end = *i + 1;
		*kind = P_FUNC;
	} else if (c->han[*i]) {
		/* single characters up to a word, a Latin unit or a function
		 * character: one word no dictionary knows */
		for (end = *i + 1; end < n && c->han[end] && !function_char(c->units.v[end]) &&
				   !(*k < c->nw && c->w[*k].start == end); end++)
			;
		*kind = P_RUN;
	} else {
		end = *i + 1;
		*kind = P_WORD;
	}
	*han = 0;
	for (; *i < end; (*i)++) {
		sou_buf_adds(out, c->units.v[*i]);
		*han |= c->han[*i];
	}
	return 1;
}

/*
 * The keys of the chain collected, then a fresh chain: every piece of
 * two characters or more, and every two adjacent pieces but a function
 * character, and but a word followed by one lone character (贵州 新, the
 * start of a word the segmenter did not know; a lone character before a
 * word stays: 习 近平).
 */
static void flush_chain(collect *c)
{
	size_t i = 0, k = 0;
	int ka = P_FUNC, kb, ha = 0, hb;

	while (next_piece(c, &i, &k, &c->b, &kb, &hb)) {
		size_t nb = cps(c->b.data, c->b.len);
		if (c->pieces) {
			sou_strlist_push(c->pieces, c->b.data, c->b.len);
			sou_buf_addc(c->kinds, kb == P_FUNC ? 'f' : kb == P_RUN ? 'r' : 'w');
			continue;
		}
		if (kb != P_FUNC && nb >= 2)
			add_key(c, &c->b, NULL, 0);
		if (ka != P_FUNC && kb != P_FUNC && !(kb == P_RUN && nb == 1))
			add_key(c, &c->a, &c->b, !ha && !hb);
		sou_buf_reset(&c->a);
		sou_buf_add(&c->a, c->b.data, c->b.len);
		ka = kb;
		ha = hb;
	}
	sou_strlist_free(&c->units);
	c->nw = 0;
}

static int title_token(void *ctx, const sou_token *tok)
{
	collect *c = ctx;

	if (tok->kind == SOU_TOK_HANWORD) {
		c->pend = c->pend == 2 ? 0 : 1; /* a word inside a word: ignored */
		c->pend_bytes = tok->term_len;
		return 0;
	}
	if (tok->kind != SOU_TOK_HAN && tok->kind != SOU_TOK_WORD)
		return 0;
	if (tok->brk)
		flush_chain(c);
	if (c->pend == 1) {
		c->pend = 2;
		c->pend_start = c->units.n;
		c->pend_read = 0;
	}
	SOU_ARRAY_GROW(c->han, c->han_cap, c->units.n + 1);
	c->han[c->units.n] = tok->kind == SOU_TOK_HAN;
	sou_strlist_push(&c->units, tok->term, tok->term_len);
	if (c->pend == 2) {
		/* a word's folded text is its units' folded texts joined */
		c->pend_read += tok->term_len;
		if (c->pend_read == c->pend_bytes && c->units.n - c->pend_start < 2) {
			c->pend = 0; /* a word of one character: a lone character */
		} else if (c->pend_read == c->pend_bytes) {
			SOU_ARRAY_GROW(c->w, c->w_cap, c->nw + 1);
			c->w[c->nw].start = c->pend_start;
			c->w[c->nw++].end = c->units.n;
			c->pend = 0;
		} else if (c->pend_read > c->pend_bytes) {
			c->pend = 0;
		}
	}
	return 0;
}

/* Frees what a collect holds. */
static void collect_free(collect *c)
{
	sou_strlist_free(&c->units);
	free(c->han);
	free(c->w);
	sou_buf_free(&c->key);
	sou_buf_free(&c->a);
	sou_buf_free(&c->b);
	sou_buf_free(&c->rd);
	sou_buf_free(&c->rk);
}

sou_status sou_suggest_index(sou_segmenter *seg, sou_pinyin *py, sou_xdoc *doc,
			     const char *title, const sou_strlist *tags,
			     const sou_strlist *names, sou_error *err)
{
	collect c;
	sou_status st = SOU_OK;
	size_t i;

	memset(&c, 0, sizeof(c));
	c.doc = doc;
	c.py = py;
	c.readings = (int)sou_tune("suggest_readings", 2);
	c.initials = (int)sou_tune("suggest_initials", 1);
	if (title && *title) {
		st = sou_segmenter_run(seg, title, strlen(title), SOU_SEG_QUERY, title_token, &c,
				       NULL, err);
		if (!st)
			flush_chain(&c);
	}
	for (i = 0; !st && tags && i < tags->n; i++)
		if (!(st = sou_segmenter_fold(seg, tags->v[i], strlen(tags->v[i]), &c.a, err)) &&
		    c.a.len)
			add_key(&c, &c.a, NULL, 0);
	for (i = 0; !st && names && i < names->n; i++)
		if (!(st = sou_segmenter_fold(seg, names->v[i], strlen(names->v[i]), &c.a, err)) &&
		    c.a.len)
			add_key(&c, &c.a, NULL, 0);
	collect_free(&c);
	return st;
}

sou_status sou_suggest_pieces(sou_segmenter *seg, const char *text, size_t len,
			      sou_strlist *pieces, sou_buf *kinds, sou_error *err)
{
	collect c;
	sou_status st;

	memset(&c, 0, sizeof(c));
	c.pieces = pieces;
	c.kinds = kinds;
	st = sou_segmenter_run(seg, text, len, SOU_SEG_QUERY, title_token, &c, NULL, err);
	if (!st)
		flush_chain(&c);
	collect_free(&c);
	return st;
}

void sou_completions_clear(sou_completions *c)
{
	size_t i;

	if (!c)
		return;
	for (i = 0; i < c->n; i++)
		free(c->v[i].text);
	free(c->v);
	memset(c, 0, sizeof(*c));
}

typedef struct gather {
	size_t skip;          /* the prefix's bytes before a key */
	size_t max;
	const char *must;     /* shown texts start with this (NULL: any) */
	size_t must_len;
	sou_completions *out;
} gather;

/* 1 if a ranks before b: more posts, then shorter, then byte order. */
static int better(const char *a, unsigned long fa, const char *b, unsigned long fb)
{
	size_t la = strlen(a), lb = strlen(b);

	if (fa != fb)
		return fa > fb;
	if (la != lb)
		return la < lb;
	return strcmp(a, b) < 0;
}

static void gather_term(void *ctx, const char *term, size_t len, unsigned long tf)
{
	gather *g = ctx;
	sou_completions *o = g->out;
	const char *key = term + g->skip, *sep;
	size_t klen = len - g->skip, i, at;
	sou_buf shown = SOU_BUF_INIT;

	if (len <= g->skip)
		return;
	sep = memchr(key, SOU_SUGGEST_SEP, klen);
	if (sep)
		sou_buf_add(&shown, sep + 1, klen - (size_t)(sep + 1 - key));
	else
		sou_buf_add(&shown, key, klen);
	if (!shown.len || (g->must && (shown.len < g->must_len ||
					memcmp(shown.data, g->must, g->must_len)))) {
		sou_buf_free(&shown);
		return;
	}
	/* one entry per shown text: the best count of its keys */
	for (i = 0; i < o->n; i++)
		if (!strcmp(o->v[i].text, shown.data)) {
			if (tf > o->v[i].posts)
				o->v[i].posts = tf;
			sou_buf_free(&shown);
			goto resort;
		}
	if (o->n == g->max && !better(shown.data, tf, o->v[o->n - 1].text, o->v[o->n - 1].posts)) {
		sou_buf_free(&shown);
		return;
	}
	if (o->n == g->max) {
		free(o->v[o->n - 1].text);
		o->n--;
	}
	o->v[o->n].text = sou_xstrdup(shown.data);
	o->v[o->n].posts = tf;
	o->n++;
	sou_buf_free(&shown);
resort:
	/* insertion: keep v best first (n is small) */
	for (at = 1; at < o->n; at++) {
		size_t j = at;
		while (j > 0 && better(o->v[j].text, o->v[j].posts, o->v[j - 1].text,
				       o->v[j - 1].posts)) {
			sou_completion t = o->v[j];
			o->v[j] = o->v[j - 1];
			o->v[j - 1] = t;
			j--;
		}
	}
}

/* Length of the run of ASCII letters and spaces that ends s[0..n). */
static size_t latin_tail(const char *s, size_t n)
{
	size_t k = n;

	while (k > 0 && ((s[k - 1] >= 'a' && s[k - 1] <= 'z') || s[k - 1] == ' '))
		k--;
	return n - k;
}

/* One scan: the keys that start with SOU_PREFIX_SUGGEST + key[0..n). */
static sou_status scan(sou_xdb *db, gather *g, const char *key, size_t n, sou_error *err)
{
	sou_buf p = SOU_BUF_INIT;
	sou_status st;
	int more = 0;

	sou_buf_adds(&p, SOU_PREFIX_SUGGEST);
	sou_buf_add(&p, key, n);
	st = sou_xdb_each_term_tf(db, p.data, p.len, SOU_SUGGEST_SCAN, gather_term, g, &more,
				  err);
	g->out->more |= more;
	sou_buf_free(&p);
	return st;
}

sou_status sou_suggest(sou_xdb *db, sou_segmenter *seg, sou_pinyin *py, const char *prefix,
		       size_t len, size_t max, sou_completions *out, sou_error *err)
{
	sou_buf f = SOU_BUF_INIT, r = SOU_BUF_INIT;
	sou_status st;
	size_t tail;
	gather g;

	sou_completions_clear(out);
	if (!max)
		return SOU_OK;
	if ((st = sou_segmenter_fold(seg, prefix, len, &f, err)))
		return st;
	if (!f.len || f.len > SOU_SUGGEST_KEY_MAX) {
		sou_buf_free(&f);
		return SOU_OK;
	}
	out->v = sou_xcalloc(max, sizeof(*out->v));
	memset(&g, 0, sizeof(g));
	g.skip = strlen(SOU_PREFIX_SUGGEST);
	g.max = max;
	g.out = out;
	st = scan(db, &g, f.data, f.len, err);
	tail = latin_tail(f.data, f.len);
	if (!st && tail == f.len && memchr(f.data, ' ', f.len)) {
		/* gui zhou: the letters joined, as reading keys hold them */
		sou_pinyin_joined(f.data, f.len, &r);
		if (r.len)
			st = scan(db, &g, r.data, r.len, err);
	} else if (!st && py && tail && tail < f.len &&
		   sou_pinyin_reading(py, f.data, f.len - tail, SOU_PINYIN_DEFAULT, &r, NULL)) {
		/* 贵州m: the characters' reading then the letters, and only
		 * keys shown with those characters */
		sou_buf k = SOU_BUF_INIT;
		sou_pinyin_joined(r.data, r.len, &k);
		sou_pinyin_joined(f.data + f.len - tail, tail, &k);
		g.must = f.data;
		g.must_len = f.len - tail;
		st = scan(db, &g, k.data, k.len, err);
		sou_buf_free(&k);
	}
	sou_buf_free(&f);
	sou_buf_free(&r);
	if (st)
		sou_completions_clear(out);
	return st;
}
