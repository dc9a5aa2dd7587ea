/*
 * termgen.c - the term scheme of termgen.h, for documents and queries.
 */
#include "termgen.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <xxhash.h>

#include "linefile.h"
#include "pinyin.h"
#include "qcheck.h"
#include "tune.h"
#include "units.h"

/* prefixes by sou_field (body, title): schema.h */
static const char *const WORD_PREFIX[] = { SOU_PREFIX_WORD, SOU_PREFIX_TITLE_WORD };
static const char *const BIGRAM_PREFIX[] = { SOU_PREFIX_BIGRAM, SOU_PREFIX_TITLE_BIGRAM };
static const char *const UNIGRAM_PREFIX[] = { SOU_PREFIX_UNIGRAM, SOU_PREFIX_TITLE_UNIGRAM };

/* Gap left between two sou_termgen_index() calls on the same field. */
#define FIELD_GAP 100

/* A distinct term of the current call: acc_terms[off, off + len), wdf. */
struct acc_slot {
	size_t off, len;
	uint64_t hash;
	unsigned wdf;
	int used;
};

/* A term of the current document: its hash, valid when gen is the
 * document's (see doc_admit). */
struct seen_slot {
	uint64_t hash;
	uint32_t gen;
};

struct sou_termgen {
	sou_segmenter *seg;
	sou_xstem *stem;
	sou_buf stemmed;
	sou_xdoc *doc;
	unsigned pos[2];      /* last position used per field */
	/* per-run state of the document callback */
	sou_field field;
	unsigned wdfinc;
	unsigned unit_pos;    /* position of the last unit */
	int have_prev;
	int prev_han;
	int word2_left;       /* units left of a two-character word (0: none) */
	sou_buf prev;         /* folded text of the previous unit */
	sou_buf term;         /* scratch */
	sou_buf ustream[2];   /* unit streams (units.h) of the document, per field */
	/* wdf per distinct term without positions, for the current call:
	 * open addressing over acc_terms (see acc_add) */
	struct acc_slot *acc;
	size_t acc_cap, acc_n;
	sou_buf acc_terms;
	/* the distinct terms of the current document, for its cap */
	struct seen_slot *seen;
	size_t seen_cap, seen_n;
	uint32_t seen_gen;
	unsigned long doc_dropped;  /* terms left out of it by the cap */
	unsigned long doc_adds;     /* terms and postings handed to it */
	/* cancellation (cancel.h), looked at every few thousand tokens */
	const sou_cancel *cancel;
	unsigned long tokens;
	int cancelled;
	/* tune.h knobs */
	int bigram_positions, accumulate, title_words, han_words, word_bigram_wdf;
	int query_positional;  /* the index has positional bigrams (format 4) */
	int run_boost;         /* weight of a cut run's spanning bigrams, in hundredths */
	int cut_runs;          /* unquoted runs are cut into words (0: whole, as before) */
	/* query side */
	sou_strlist units;    /* units of the current chain */
	int *unit_han;
	size_t unit_han_cap;
	sou_strlist words;    /* HANWORDs of the current chain */
	/* the words the segmenter chose in the current chain, as unit spans
	 * qw[i] = [start, end), in order; a word is announced (HANWORD)
	 * before its units, so pend_* follow the one being read */
	struct qspan { size_t start, end; } *qw;
	size_t nqw, qw_cap;
	int pend;             /* 0 none, 1 announced, 2 reading its units */
	size_t pend_start, pend_bytes, pend_read;
	int qw_bad;           /* the units did not spell the word: no split */
	int phrase;           /* the piece was quoted: runs stay whole */
	sou_strlist *runs;    /* where cut runs go as typed (collect_runs) */
	sou_strlist *py_out;  /* where pinyin query terms go (collect_pinyin) */
	sou_termgen_df_fn df; /* the index's document frequencies, or NULL */
	void *df_ctx;
	sou_xq **subs;        /* queries for the chains */
	size_t nsubs, subs_cap;
	sou_check **chks;     /* their check trees (qcheck.h), when wanted */
	size_t chks_cap;
	int want_checks;
	sou_strlist *patterns;
	int failed;
	/* synonyms: syn_terms[i] (folded) belongs to group syn_group[i];
	 * groups are runs of consecutive entries */
	sou_strlist syn_terms;
	size_t *syn_group;
	size_t syn_cap;
	/* pinyin (pinyin.h): titles, tags and entity names get their readings */
	sou_pinyin *py;
	int pinyin_off;       /* sou-index --no-pinyin */
	sou_strlist py_words; /* the current chain's words, then their readings */
	size_t py_cover;      /* units of the last HANWORD still to come */
	sou_buf py_pend;      /* a HANWORD before its units (pinyin_token) */
	size_t py_pend_chars;
	sou_buf py_a, py_b;   /* scratch */
};

sou_status sou_termgen_create(sou_termgen **out, sou_error *err)
{
	sou_termgen *tg = sou_xcalloc(1, sizeof(*tg));
	sou_status st = sou_segmenter_create(&tg->seg, err);

	if (!st)
		st = sou_pinyin_create(&tg->py, err);
	if (!st && !(tg->stem = sou_xstem_create()))
		st = sou_error_set(err, SOU_ERR_INTERNAL, "cannot create the English stemmer");
	if (st) {
		sou_segmenter_destroy(tg->seg);
		sou_pinyin_destroy(tg->py);
		free(tg);
		*out = NULL;
		return st;
	}
	tg->bigram_positions = (int)sou_tune("bigram_positions", 0);
	tg->accumulate = (int)sou_tune("accumulate", 1);
	tg->title_words = (int)sou_tune("title_words", 0);
	tg->han_words = (int)sou_tune("han_words", SOU_HAN_WORD_MIN);
	tg->word_bigram_wdf = (int)sou_tune("word_bigram_wdf", SOU_WDF_WORD_BIGRAM);
	tg->run_boost = (int)sou_tune("run_boost", SOU_RUN_BOOST);
	tg->cut_runs = (int)sou_tune("cut_runs", 1);
	*out = tg;
	return SOU_OK;
}

void sou_termgen_destroy(sou_termgen *tg)
{
	if (!tg)
		return;
	sou_segmenter_destroy(tg->seg);
	sou_xstem_destroy(tg->stem);
	sou_buf_free(&tg->stemmed);
	sou_buf_free(&tg->prev);
	sou_buf_free(&tg->term);
	sou_buf_free(&tg->ustream[0]);
	sou_buf_free(&tg->ustream[1]);
	free(tg->acc);
	free(tg->seen);
	sou_buf_free(&tg->acc_terms);
	sou_strlist_free(&tg->units);
	sou_strlist_free(&tg->words);
	free(tg->unit_han);
	free(tg->qw);
	free(tg->subs);
	free(tg->chks);
	sou_strlist_free(&tg->syn_terms);
	free(tg->syn_group);
	sou_pinyin_destroy(tg->py);
	sou_strlist_free(&tg->py_words);
	sou_buf_free(&tg->py_a);
	sou_buf_free(&tg->py_b);
	sou_buf_free(&tg->py_pend);
	free(tg);
}

sou_segmenter *sou_termgen_segmenter(sou_termgen *tg)
{
	return tg->seg;
}

static sou_status load_synonyms(sou_termgen *tg, const char *path, sou_error *err)
{
	sou_linefile *lf = NULL;
	const char *line;
	size_t len, group;
	sou_buf folded = SOU_BUF_INIT;
	sou_status st = sou_linefile_open(path, &lf, err);

	group = tg->syn_terms.n ? tg->syn_group[tg->syn_terms.n - 1] + 1 : 0;
	while (!st && !(st = sou_linefile_next(lf, &line, &len, err)) && line) {
		const char *p = line;
		size_t before = tg->syn_terms.n;

		while (*p) {
			const char *e = p;
			while (*e && *e != ' ' && *e != '\t')
				e++;
			if ((st = sou_segmenter_fold(tg->seg, p, (size_t)(e - p), &folded, err)))
				break;
			SOU_ARRAY_GROW(tg->syn_group, tg->syn_cap, tg->syn_terms.n + 1);
			tg->syn_group[tg->syn_terms.n] = group;
			sou_strlist_push(&tg->syn_terms, folded.data, folded.len);
			p = e;
			while (*p == ' ' || *p == '\t')
				p++;
		}
		if (!st && tg->syn_terms.n - before == 1)
			st = sou_linefile_error(lf, err, SOU_ERR_PARSE,
						"a synonym group needs at least two terms");
		group++;
	}
	sou_linefile_close(lf);
	sou_buf_free(&folded);
	return st;
}

sou_status sou_termgen_configure(sou_termgen *tg, const sou_strlist *dicts,
				 const sou_strlist *synonyms, sou_error *err)
{
	size_t i;
	sou_status st;

	for (i = 0; dicts && i < dicts->n; i++)
		if ((st = sou_segmenter_load_dict(tg->seg, dicts->v[i], err)))
			return st;
	for (i = 0; synonyms && i < synonyms->n; i++)
		if ((st = load_synonyms(tg, synonyms->v[i], err)))
			return st;
	return SOU_OK;
}

void sou_termgen_begin(sou_termgen *tg, sou_xdoc *doc)
{
	tg->doc = doc;
	tg->pos[0] = tg->pos[1] = 0;
	tg->seen_n = 0;
	tg->doc_dropped = tg->doc_adds = 0;
	/* what one big post grew is given back, not kept for the run */
	if (tg->seen_cap > 65536) {
		free(tg->seen);
		tg->seen = NULL;
		tg->seen_cap = 0;
	}
	if (tg->acc_cap > 65536) {
		free(tg->acc);
		tg->acc = NULL;
		tg->acc_cap = 0;
	}
	if (tg->ustream[0].cap > (1u << 20))
		sou_buf_free(&tg->ustream[0]);
	if (tg->ustream[1].cap > (1u << 20))
		sou_buf_free(&tg->ustream[1]);
	if (tg->acc_terms.cap > (1u << 20))
		sou_buf_free(&tg->acc_terms);
	if (++tg->seen_gen == 0) { /* wrapped: forget every older stamp */
		if (tg->seen)
			memset(tg->seen, 0, tg->seen_cap * sizeof(*tg->seen));
		tg->seen_gen = 1;
	}
	sou_buf_reset(&tg->ustream[0]);
	sou_buf_reset(&tg->ustream[1]);
}

void sou_termgen_set_cancel(sou_termgen *tg, const sou_cancel *cancel)
{
	tg->cancel = cancel;
}

unsigned long sou_termgen_doc_dropped(const sou_termgen *tg)
{
	return tg->doc_dropped;
}

unsigned long sou_termgen_doc_adds(const sou_termgen *tg)
{
	return tg->doc_adds;
}

void sou_termgen_query_positional(sou_termgen *tg, int on)
{
	tg->query_positional = on;
}

void sou_termgen_collect_runs(sou_termgen *tg, sou_strlist *runs)
{
	tg->runs = runs;
}

void sou_termgen_set_df(sou_termgen *tg, sou_termgen_df_fn fn, void *ctx)
{
	tg->df = fn;
	tg->df_ctx = ctx;
}

const char *sou_termgen_units(const sou_termgen *tg, sou_field field, size_t *len)
{
	*len = tg->ustream[field].len;
	return tg->ustream[field].data ? tg->ustream[field].data : "";
}

/* term = prefix + a [+ b] */
static void make_term(sou_buf *t, const char *prefix, const char *a, size_t alen,
		      const char *b, size_t blen)
{
	sou_buf_reset(t);
	sou_buf_adds(t, prefix);
	sou_buf_add(t, a, alen);
	if (b)
		sou_buf_add(t, b, blen);
}

int sou_termgen_stemmable(const char *w, size_t n)
{
	size_t i;

	if (n < 3)
		return 0;
	for (i = 0; i < n; i++)
		if (w[i] < 'a' || w[i] > 'z')
			return 0;
	return 1;
}

/* ---- documents ----------------------------------------------------------- */

/*
 * 1 if the term with hash h may go into the current document: it is in
 * it already, or it has fewer than SOU_TERMGEN_MAX_TERMS distinct terms
 * (the term is then counted in).  Xapian's document and its inverter hold
 * every distinct term of a post until the commit (about a kilobyte each
 * with the record's share), so the cap bounds the memory of one post:
 * a post of a few megabytes of varied or random text has millions.  A
 * post of ordinary length has a few thousand; the cap only ever drops the
 * new terms of the end of a giant post.
 */
static int doc_admit(sou_termgen *tg, uint64_t h)
{
	size_t i, mask;

	if ((tg->seen_n + 1) * 2 > tg->seen_cap) {
		struct seen_slot *old = tg->seen;
		size_t oldcap = tg->seen_cap, k;
		tg->seen_cap = oldcap ? oldcap * 2 : 4096;
		tg->seen = sou_xcalloc(tg->seen_cap, sizeof(*tg->seen));
		for (k = 0; k < oldcap; k++) {
			if (old[k].gen != tg->seen_gen)
				continue;
			for (i = old[k].hash & (tg->seen_cap - 1); tg->seen[i].gen == tg->seen_gen;
			     i = (i + 1) & (tg->seen_cap - 1))
				;
			tg->seen[i] = old[k];
		}
		free(old);
	}
	mask = tg->seen_cap - 1;
	for (i = h & mask; tg->seen[i].gen == tg->seen_gen; i = (i + 1) & mask)
		if (tg->seen[i].hash == h)
			return 1;
	if (tg->seen_n >= SOU_TERMGEN_MAX_TERMS) {
		tg->doc_dropped++;
		return 0;
	}
	tg->seen[i].hash = h;
	tg->seen[i].gen = tg->seen_gen;
	tg->seen_n++;
	return 1;
}

/* A term with a position, through the cap. */
static void add_posting(sou_termgen *tg, const char *t, size_t len, unsigned pos,
			unsigned wdfinc)
{
	if (!doc_admit(tg, XXH3_64bits(t, len)))
		return;
	tg->doc_adds++;
	sou_xdoc_add_posting(tg->doc, t, len, pos, wdfinc);
}

/*
 * Adds wdfinc to a term without positions.  Xapian's Document::add_term
 * costs a map lookup and a string per call, so terms are summed per
 * distinct term here (a 2 KB post repeats most of its unigrams and many
 * bigrams) and handed over once per call by acc_flush.
 */
static void acc_add(sou_termgen *tg, const char *t, size_t len, unsigned wdfinc)
{
	uint64_t h;
	size_t i, mask;

	if (!tg->accumulate) {
		if (doc_admit(tg, XXH3_64bits(t, len))) {
			tg->doc_adds++;
			sou_xdoc_add_term(tg->doc, t, len, wdfinc);
		}
		return;
	}
	if ((tg->acc_n + 1) * 2 > tg->acc_cap) {
		struct acc_slot *old = tg->acc;
		size_t oldcap = tg->acc_cap, k;
		tg->acc_cap = oldcap ? oldcap * 2 : 1024;
		tg->acc = sou_xcalloc(tg->acc_cap, sizeof(*tg->acc));
		for (k = 0; k < oldcap; k++) {
			if (!old[k].used)
				continue;
			for (i = old[k].hash & (tg->acc_cap - 1); tg->acc[i].used;
			     i = (i + 1) & (tg->acc_cap - 1))
				;
			tg->acc[i] = old[k];
		}
		free(old);
	}
	h = XXH3_64bits(t, len);
	mask = tg->acc_cap - 1;
	for (i = h & mask; tg->acc[i].used; i = (i + 1) & mask) {
		struct acc_slot *e = &tg->acc[i];
		if (e->hash == h && e->len == len && !memcmp(tg->acc_terms.data + e->off, t, len)) {
			e->wdf += wdfinc;
			return;
		}
	}
	if (!doc_admit(tg, h))
		return;
	tg->acc[i].used = 1;
	tg->acc[i].hash = h;
	tg->acc[i].off = tg->acc_terms.len;
	tg->acc[i].len = len;
	tg->acc[i].wdf = wdfinc;
	sou_buf_add(&tg->acc_terms, t, len);
	tg->acc_n++;
}

/* Empties the table without handing anything over. */
static void acc_discard(sou_termgen *tg)
{
	if (tg->acc_n && tg->acc)
		memset(tg->acc, 0, tg->acc_cap * sizeof(*tg->acc));
	tg->acc_n = 0;
	sou_buf_reset(&tg->acc_terms);
}

/* Hands the summed terms to the document and empties the table. */
static void acc_flush(sou_termgen *tg)
{
	size_t i;

	if (!tg->acc_n)
		return;
	for (i = 0; i < tg->acc_cap; i++)
		if (tg->acc[i].used) {
			sou_xdoc_add_term(tg->doc, tg->acc_terms.data + tg->acc[i].off,
					  tg->acc[i].len, tg->acc[i].wdf);
			tg->doc_adds++;
			tg->acc[i].used = 0;
		}
	tg->acc_n = 0;
	sou_buf_reset(&tg->acc_terms);
}

/* The characters (code points) of a word; *wide (may be NULL) is 1 when
 * none is ASCII, so that each character is one unit. */
static size_t word_chars(const char *w, size_t len, int *wide)
{
	size_t i, chars = 0;

	if (wide)
		*wide = 1;
	for (i = 0; i < len; i++) {
		if (wide && !((unsigned char)w[i] & 0x80))
			*wide = 0;
		chars += ((unsigned char)w[i] & 0xC0) != 0x80;
	}
	return chars;
}

/*
 * 1 if a Chinese word (HANWORD) of chars characters is indexed as a word
 * term: it has at least han_words (schema.h).  Documents and queries both
 * ask here.
 */
static int word_is_term(const sou_termgen *tg, size_t chars)
{
	return tg->han_words > 0 && chars >= (size_t)tg->han_words;
}

static int doc_token(void *ctx, const sou_token *tok)
{
	sou_termgen *tg = ctx;
	sou_field f = tg->field;
	int is_han = tok->kind == SOU_TOK_HAN, word2;

	if ((++tg->tokens & 4095) == 0 && sou_cancelled(tg->cancel)) {
		tg->cancelled = 1;
		return 1; /* stops the segmenter */
	}
	switch (tok->kind) {
	case SOU_TOK_HANWORD: {
		int wide;
		size_t chars = word_chars(tok->term, tok->term_len, &wide);
		/* a two-character word's units are its two characters */
		tg->word2_left = wide && chars == 2 ? 2 : 0;
		if (!word_is_term(tg, chars) ||
		    (f == SOU_FIELD_TITLE && !tg->title_words))
			return 0; /* title: queries match by bigrams and unigrams */
		make_term(&tg->term, WORD_PREFIX[f], tok->term, tok->term_len, NULL, 0);
		acc_add(tg, tg->term.data, tg->term.len, tg->wdfinc);
		return 0;
	}
	case SOU_TOK_PART:
		make_term(&tg->term, WORD_PREFIX[f], tok->term, tok->term_len, NULL, 0);
		add_posting(tg, tg->term.data, tg->term.len, tg->unit_pos, tg->wdfinc);
		return 0;
	case SOU_TOK_HAN:
	case SOU_TOK_WORD:
		break;
	}
	/* a unit */
	sou_units_add(&tg->ustream[f], tok->term, tok->term_len, is_han,
		      tok->brk || !tg->have_prev);
	if (tok->brk && tg->have_prev)
		tg->unit_pos++; /* gap: phrases never cross a chain break */
	tg->unit_pos++;
	/* the second unit of a two-character word: its bigram is the word */
	word2 = tg->word2_left && --tg->word2_left == 0;
	if (!tok->brk && tg->have_prev && (tg->prev_han || is_han)) {
		unsigned inc = tg->wdfinc * (word2 ? (unsigned)tg->word_bigram_wdf : 1);
		make_term(&tg->term, BIGRAM_PREFIX[f], tg->prev.data, tg->prev.len,
			  tok->term, tok->term_len);
		if (tg->bigram_positions)
			add_posting(tg, tg->term.data, tg->term.len, tg->unit_pos - 1, inc);
		else
			acc_add(tg, tg->term.data, tg->term.len, inc);
	}
	if (is_han) {
		make_term(&tg->term, UNIGRAM_PREFIX[f], tok->term, tok->term_len, NULL, 0);
		acc_add(tg, tg->term.data, tg->term.len, tg->wdfinc);
	} else {
		make_term(&tg->term, WORD_PREFIX[f], tok->term, tok->term_len, NULL, 0);
		add_posting(tg, tg->term.data, tg->term.len, tg->unit_pos, tg->wdfinc);
		if (f == SOU_FIELD_BODY && sou_termgen_stemmable(tok->term, tok->term_len)) {
			sou_xstem_run(tg->stem, tok->term, tok->term_len, &tg->stemmed);
			make_term(&tg->term, SOU_PREFIX_STEM, tg->stemmed.data, tg->stemmed.len, NULL, 0);
			add_posting(tg, tg->term.data, tg->term.len, tg->unit_pos, tg->wdfinc);
		}
	}
	sou_buf_reset(&tg->prev);
	sou_buf_add(&tg->prev, tok->term, tok->term_len);
	tg->prev_han = is_han;
	tg->have_prev = 1;
	return 0;
}

sou_status sou_termgen_index(sou_termgen *tg, sou_field field, const char *text,
			     size_t len, unsigned wdfinc, sou_error *err)
{
	sou_status st;

	if (!len)
		return SOU_OK;
	tg->field = field;
	tg->wdfinc = wdfinc;
	tg->unit_pos = tg->pos[field] ? tg->pos[field] + FIELD_GAP : 0;
	tg->have_prev = 0;
	tg->cancelled = 0;
	if (sou_cancelled(tg->cancel))
		return sou_error_set(err, SOU_ERR_INTERRUPTED, "interrupted");
	st = sou_segmenter_run(tg->seg, text, len, SOU_SEG_DOCUMENT, doc_token, tg,
			       NULL, err);
	if (tg->cancelled)
		acc_discard(tg); /* the document is dropped: handing it a giant
				  * post's terms would delay the stop by seconds */
	else
		acc_flush(tg);
	tg->pos[field] = tg->unit_pos;
	if (!st && tg->cancelled)
		st = sou_error_set(err, SOU_ERR_INTERRUPTED, "interrupted");
	return st;
}

/* ---- pinyin (schema.h: SOU_PREFIX_PINYIN, SOU_PREFIX_INITIALS) ----------- */

void sou_termgen_collect_pinyin(sou_termgen *tg, sou_strlist *terms)
{
	tg->py_out = terms;
}

/* A pinyin query term of kind ('p' or 'i') into the collector, once. */
static void collect_pinyin(sou_termgen *tg, char kind, const char *s, size_t n)
{
	sou_buf b = SOU_BUF_INIT;

	if (!tg->py_out)
		return;
	sou_buf_addc(&b, kind);
	sou_buf_add(&b, s, n);
	sou_strlist_push_unique(tg->py_out, b.data, b.len);
	sou_buf_free(&b);
}

void sou_termgen_set_pinyin(sou_termgen *tg, int on)
{
	tg->pinyin_off = !on;
}

sou_pinyin *sou_termgen_pinyin(sou_termgen *tg)
{
	return tg->pinyin_off ? NULL : tg->py;
}

/* The pinyin and initials terms of a reading (syllables separated by
 * spaces) of two or more syllables. */
static void pinyin_terms(sou_termgen *tg, const char *r, size_t len)
{
	size_t i, syl = 1;

	for (i = 0; i < len; i++)
		syl += r[i] == ' ';
	if (syl < 2)
		return; /* one syllable reads as too many words to find anything */
	sou_buf_reset(&tg->py_b);
	sou_buf_adds(&tg->py_b, SOU_PREFIX_PINYIN);
	for (i = 0; i < len; i++)
		if (r[i] != ' ')
			sou_buf_addc(&tg->py_b, r[i]);
	if (tg->py_b.len <= SOU_PINYIN_MAX_TERM)
		acc_add(tg, tg->py_b.data, tg->py_b.len, 1);
	sou_buf_reset(&tg->py_b);
	sou_buf_adds(&tg->py_b, SOU_PREFIX_INITIALS);
	sou_pinyin_initials(r, len, &tg->py_b);
	if (syl <= SOU_PINYIN_INITIALS_MAX)
		acc_add(tg, tg->py_b.data, tg->py_b.len, 1);
}

/* The terms of each word read (rd[i], NULL: no reading) and of each run
 * of up to SOU_PINYIN_RUN_WORDS adjacent ones. */
static void pinyin_runs(sou_termgen *tg, char **rd, size_t n)
{
	size_t i, k;
	sou_buf run = SOU_BUF_INIT;

	for (i = 0; i < n; i++) {
		sou_buf_reset(&run);
		for (k = i; k < n && k < i + SOU_PINYIN_RUN_WORDS && rd[k]; k++) {
			if (run.len)
				sou_buf_addc(&run, ' ');
			sou_buf_adds(&run, rd[k]);
			pinyin_terms(tg, run.data, run.len);
		}
	}
	sou_buf_free(&run);
}

/*
 * The terms of one chain's words (tg->py_words): each word and each run
 * of two or three adjacent words, read by pinyin.h; a word of four or
 * more characters also gives its parts (贵州茅台 -> 贵州, 茅台: the
 * table's words, and two by two what it reads by characters), since the
 * user dictionary may hold a company's whole name as one word.
 */
static void pinyin_chain(sou_termgen *tg)
{
	size_t n = tg->py_words.n, i;
	char **rd;

	if (!n)
		return;
	rd = sou_xcalloc(n, sizeof(*rd));
	for (i = 0; i < n; i++) {
		const char *w = tg->py_words.v[i];
		size_t wl = strlen(w);
		sou_strlist pieces = { NULL, 0 };
		if (!sou_pinyin_reading(tg->py, w, wl, SOU_PINYIN_DEFAULT, &tg->py_a, &pieces)) {
			sou_strlist_free(&pieces);
			continue; /* no reading: breaks the runs */
		}
		rd[i] = sou_xstrndup(tg->py_a.data, tg->py_a.len);
		if (word_chars(w, wl, NULL) >= 4) {
			size_t p = 0;
			while (p < pieces.n) {
				/* a single character pairs with the next single one */
				sou_buf_reset(&tg->py_b);
				sou_buf_adds(&tg->py_b, pieces.v[p]);
				if (word_chars(pieces.v[p], strlen(pieces.v[p]), NULL) == 1 &&
				    p + 1 < pieces.n &&
				    word_chars(pieces.v[p + 1], strlen(pieces.v[p + 1]), NULL) == 1)
					sou_buf_adds(&tg->py_b, pieces.v[++p]);
				p++;
				if (sou_pinyin_reading(tg->py, tg->py_b.data, tg->py_b.len,
						       SOU_PINYIN_DEFAULT, &tg->py_a, NULL))
					pinyin_terms(tg, tg->py_a.data, tg->py_a.len);
			}
		}
		sou_strlist_free(&pieces);
	}
	pinyin_runs(tg, rd, n);
	for (i = 0; i < n; i++)
		free(rd[i]);
	free(rd);
	/* The same for the chain cut into the table's own words, which knows
	 * words ICU may cut apart: ICU reads 银行行长 as 银行|行|长谈, the
	 * table as 银行|行长|谈 (hangzhang). */
	sou_buf_reset(&tg->py_b);
	for (i = 0; i < n; i++)
		sou_buf_adds(&tg->py_b, tg->py_words.v[i]);
	{
		sou_strlist pieces = { NULL, 0 };
		char *all = sou_xstrndup(tg->py_b.data, tg->py_b.len);
		if (n > 1 && sou_pinyin_reading(tg->py, all, strlen(all), SOU_PINYIN_DEFAULT, &tg->py_a,
						&pieces)) {
			rd = sou_xcalloc(pieces.n, sizeof(*rd));
			for (i = 0; i < pieces.n; i++)
				if (sou_pinyin_reading(tg->py, pieces.v[i], strlen(pieces.v[i]),
						       SOU_PINYIN_DEFAULT, &tg->py_a, NULL))
					rd[i] = sou_xstrndup(tg->py_a.data, tg->py_a.len);
			pinyin_runs(tg, rd, pieces.n);
			for (i = 0; i < pieces.n; i++)
				free(rd[i]);
			free(rd);
		}
		free(all);
		sou_strlist_free(&pieces);
	}
	sou_strlist_free(&tg->py_words);
}

/*
 * A HANWORD comes before its units and carries no chain break, so it is
 * held (py_pend) until its first unit says which chain it starts.
 */
static int pinyin_token(void *ctx, const sou_token *tok)
{
	sou_termgen *tg = ctx;

	switch (tok->kind) {
	case SOU_TOK_HANWORD: {
		int wide;
		size_t chars = word_chars(tok->term, tok->term_len, &wide);
		tg->py_pend_chars = 0;
		if (!wide)
			return 0; /* 2022年: its units come one by one */
		sou_buf_reset(&tg->py_pend);
		sou_buf_add(&tg->py_pend, tok->term, tok->term_len);
		tg->py_pend_chars = chars;
		return 0;
	}
	case SOU_TOK_HAN:
		if (tok->brk)
			pinyin_chain(tg);
		if (tg->py_pend_chars) {
			sou_strlist_push(&tg->py_words, tg->py_pend.data, tg->py_pend.len);
			tg->py_cover = tg->py_pend_chars - 1;
			tg->py_pend_chars = 0;
		} else if (tg->py_cover) {
			tg->py_cover--; /* inside the word taken */
		} else {
			sou_strlist_push(&tg->py_words, tok->term, tok->term_len);
		}
		return 0;
	case SOU_TOK_WORD:
	case SOU_TOK_PART:
		/* Latin and numbers break the runs (readings are of Chinese) */
		pinyin_chain(tg);
		tg->py_cover = tg->py_pend_chars = 0;
		return 0;
	}
	return 0;
}

sou_status sou_termgen_index_pinyin(sou_termgen *tg, const char *text, size_t len,
				    sou_error *err)
{
	sou_status st;

	if (tg->pinyin_off || !len)
		return SOU_OK;
	tg->py_cover = tg->py_pend_chars = 0;
	sou_strlist_free(&tg->py_words);
	st = sou_segmenter_run(tg->seg, text, len, SOU_SEG_QUERY, pinyin_token, tg, NULL, err);
	if (!st)
		pinyin_chain(tg);
	sou_strlist_free(&tg->py_words);
	acc_flush(tg);
	return st;
}

/* Query side: the text's units, Chinese runs read, Latin kept. */
typedef struct pyq {
	sou_termgen *tg;
	sou_buf han;       /* the Chinese run being collected */
	sou_buf full;      /* readings joined, Latin as typed */
	sou_buf inits;     /* initials, Latin as typed */
	sou_buf latin;     /* the Latin units alone */
	int any_han, any_latin, bad, latin_not_pinyin, latin_not_initials;
	size_t syl;        /* syllables of the Chinese runs */
} pyq;

static void pyq_flush_han(pyq *q)
{
	sou_termgen *tg = q->tg;
	size_t n;

	if (!q->han.len)
		return;
	n = sou_pinyin_reading(tg->py, q->han.data, q->han.len, SOU_PINYIN_DEFAULT, &tg->py_a,
			       NULL);
	if (!n) {
		q->bad = 1;
	} else {
		size_t i;
		for (i = 0; i < tg->py_a.len; i++)
			if (tg->py_a.data[i] != ' ')
				sou_buf_addc(&q->full, tg->py_a.data[i]);
		sou_pinyin_initials(tg->py_a.data, tg->py_a.len, &q->inits);
		q->syl += n;
	}
	sou_buf_reset(&q->han);
}

static int pyq_token(void *ctx, const sou_token *tok)
{
	pyq *q = ctx;
	size_t i;

	if (tok->kind == SOU_TOK_HAN) {
		sou_buf_add(&q->han, tok->term, tok->term_len);
		q->any_han = 1;
		return 0;
	}
	if (tok->kind != SOU_TOK_WORD)
		return 0;
	pyq_flush_han(q);
	for (i = 0; i < tok->term_len; i++)
		if (tok->term[i] < 'a' || tok->term[i] > 'z')
			q->bad = 1; /* digits: not pinyin */
	if (!q->bad) {
		int alt2 = 0;
		size_t n = sou_pinyin_split(tok->term, tok->term_len, &q->tg->py_b, &alt2);
		if (!n)
			q->latin_not_pinyin = 1;
		else
			q->syl += n > 1 || alt2 ? 2 : 1;
		for (i = 0; i < tok->term_len; i++)
			if (strchr("iuv", tok->term[i]))
				q->latin_not_initials = 1;
	}
	sou_buf_add(&q->full, tok->term, tok->term_len);
	sou_buf_add(&q->inits, tok->term, tok->term_len);
	sou_buf_add(&q->latin, tok->term, tok->term_len);
	q->any_latin = 1;
	return 0;
}

sou_status sou_termgen_pinyin_query(sou_termgen *tg, const char *text, size_t len,
				    sou_xq **out, sou_error *err)
{
	pyq q;
	sou_status st;
	sou_xq *alt[2];
	size_t n = 0;

	*out = NULL;
	memset(&q, 0, sizeof(q));
	q.tg = tg;
	st = sou_segmenter_run(tg->seg, text, len, SOU_SEG_QUERY, pyq_token, &q, NULL, err);
	if (!st)
		pyq_flush_han(&q);
	/* Chinese alone keeps its meaning; Latin must be there to be read */
	if (!st && !q.bad && q.any_latin) {
		if (!q.latin_not_pinyin && q.syl >= 2 &&
		    q.full.len + strlen(SOU_PREFIX_PINYIN) <= SOU_PINYIN_MAX_TERM) {
			make_term(&tg->term, SOU_PREFIX_PINYIN, q.full.data, q.full.len, NULL, 0);
			alt[n++] = sou_xq_term(tg->term.data, tg->term.len, 1);
			collect_pinyin(tg, 'p', q.full.data, q.full.len);
		}
		if (!q.latin_not_initials &&
		    sou_pinyin_is_initials(q.inits.data, q.inits.len)) {
			make_term(&tg->term, SOU_PREFIX_INITIALS, q.inits.data, q.inits.len, NULL, 0);
			alt[n++] = sou_xq_term(tg->term.data, tg->term.len, 1);
			collect_pinyin(tg, 'i', q.inits.data, q.inits.len);
		}
	}
	if (n) {
		size_t i;
		*out = sou_xq_combine(SOU_XQ_OR, alt, n);
		for (i = 0; i < n; i++)
			sou_xq_destroy(alt[i]);
		if (!*out)
			st = sou_error_set(err, SOU_ERR_NOMEM, "building query failed");
	}
	sou_buf_free(&q.han);
	sou_buf_free(&q.full);
	sou_buf_free(&q.inits);
	sou_buf_free(&q.latin);
	return st;
}

size_t sou_termgen_pinyin_reading(sou_termgen *tg, const char *word, size_t len,
				  sou_buf *out)
{
	return sou_pinyin_reading(tg->py, word, len, SOU_PINYIN_DEFAULT, out, NULL);
}

sou_status sou_termgen_filter_term(sou_termgen *tg, const char *prefix,
				   const char *value, size_t len, sou_buf *out,
				   sou_error *err)
{
	sou_status st = sou_segmenter_fold(tg->seg, value, len, &tg->term, err);

	if (st)
		return st;
	sou_buf_reset(out);
	sou_buf_adds(out, prefix);
	sou_buf_add(out, tg->term.data, tg->term.len);
	return SOU_OK;
}

sou_status sou_termgen_add_filter(sou_termgen *tg, const char *prefix,
				  const char *value, size_t len, sou_error *err)
{
	sou_buf t = SOU_BUF_INIT;
	sou_status st = sou_termgen_filter_term(tg, prefix, value, len, &t, err);

	if (!st && t.len > strlen(prefix))
		sou_xdoc_add_boolean(tg->doc, t.data, t.len);
	sou_buf_free(&t);
	return st;
}

void sou_termgen_idterm(const char *relpath, sou_buf *out)
{
	size_t n = strlen(relpath);

	sou_buf_reset(out);
	sou_buf_addc(out, SOU_PREFIX_ID_CHAR);
	if (n + 1 <= SOU_XAPIAN_MAX_TERM) {
		sou_buf_add(out, relpath, n);
		return;
	}
	/* keep 200 bytes, backing up off UTF-8 continuation bytes */
	n = 200;
	while (n > 0 && ((unsigned char)relpath[n] & 0xC0) == 0x80)
		n--;
	sou_buf_add(out, relpath, n);
	sou_buf_addf(out, "#%016llx",
		     (unsigned long long)XXH64(relpath, strlen(relpath), 0));
}

/* ---- queries ------------------------------------------------------------- */

/* Adds a chain's query and (when checks are wanted) its check leaf,
 * taking ownership of both. */
static void push_sub(sou_termgen *tg, sou_xq *q, sou_check *c)
{
	SOU_ARRAY_GROW(tg->subs, tg->subs_cap, tg->nsubs + 1);
	SOU_ARRAY_GROW(tg->chks, tg->chks_cap, tg->nsubs + 1);
	tg->chks[tg->nsubs] = c;
	tg->subs[tg->nsubs++] = q;
	if (!q || (tg->want_checks && !c))
		tg->failed = 1;
}

static void destroy_checks(sou_check **v, size_t n)
{
	size_t i;

	for (i = 0; v && i < n; i++)
		sou_check_destroy(v[i]);
}

static sou_xq *term_q(sou_termgen *tg, const char *prefix, const char *a,
		      const char *b)
{
	make_term(&tg->term, prefix, a, strlen(a), b, b ? strlen(b) : 0);
	return sou_xq_term(tg->term.data, tg->term.len, 1);
}

static void destroy_all(sou_xq **v, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		sou_xq_destroy(v[i]);
}

/* Appends units u[a, b) to list as a pattern (units joined by
 * SOU_UNIT_SEP). */
static void push_pattern(sou_termgen *tg, sou_strlist *list, size_t a, size_t b)
{
	sou_buf p = SOU_BUF_INIT;
	size_t i;

	for (i = a; i < b; i++) {
		if (i > a)
			sou_buf_addc(&p, SOU_UNIT_SEP);
		sou_buf_adds(&p, tg->units.v[i]);
	}
	sou_strlist_push(list, p.data, p.len);
	sou_buf_free(&p);
}

/*
 * Compiles the run of units u[a, b) of the collected chain into *q (new,
 * owned by the caller) and, when checks are wanted, its check leaf *c:
 *   one unit          its unigram (Chinese) or word (Latin, with its stem)
 *   Latin units only  a phrase of the words, by their positions
 *   otherwise         its bigrams (and words between two Latin units),
 *                     which is exact for two units; for more, the AND of
 *                     the bigrams is checked on the unit stream (qcheck.h)
 * With boost, the chain's whole ICU words that are not already the
 * recall terms add weight.
 */
static void compile_run(sou_termgen *tg, size_t a, size_t b, int boost_words,
			sou_xq **q, sou_check **c)
{
	size_t n = b - a, i, nseq = 0;
	char **u = tg->units.v + a;
	int *han = tg->unit_han + a, any_han = 0;
	sou_field f = tg->field;
	sou_xq **seq, *recall, *boost = NULL;

	*c = NULL;
	for (i = 0; i < n; i++)
		any_han |= han[i];
	seq = sou_xcalloc(n, sizeof(*seq));
	if (n == 1 && !han[0] && f == SOU_FIELD_BODY && sou_termgen_stemmable(u[0], strlen(u[0]))) {
		/* the word itself, or (scoring less) any word with its stem */
		sou_xq *alt[2], *z;
		sou_xstem_run(tg->stem, u[0], strlen(u[0]), &tg->stemmed);
		alt[0] = term_q(tg, WORD_PREFIX[f], u[0], NULL);
		z = term_q(tg, SOU_PREFIX_STEM, tg->stemmed.data, NULL);
		alt[1] = sou_xq_scale(z, 0.5);
		sou_xq_destroy(z);
		seq[nseq++] = sou_xq_combine(SOU_XQ_OR, alt, 2);
		sou_xq_destroy(alt[0]);
		sou_xq_destroy(alt[1]);
	} else if (n == 1) {
		seq[nseq++] = term_q(tg, han[0] ? UNIGRAM_PREFIX[f] : WORD_PREFIX[f], u[0], NULL);
	} else {
		for (i = 0; i < n; i++) {
			if (i + 1 < n && (han[i] || han[i + 1]))
				seq[nseq++] = term_q(tg, BIGRAM_PREFIX[f], u[i], u[i + 1]);
			else if (i + 1 == n && (han[i - 1] || han[i]))
				continue; /* covered by the last bigram */
			else
				seq[nseq++] = term_q(tg, WORD_PREFIX[f], u[i], NULL);
		}
	}
	/* Chinese bigrams have no positions: a longer run is their AND */
	recall = sou_xq_combine(any_han && !tg->query_positional ? SOU_XQ_AND : SOU_XQ_PHRASE,
				seq, nseq);
	destroy_all(seq, nseq);
	free(seq);
	/* Whole ICU words that are not already the recall terms add weight
	 * (title: queries have no Chinese title words unless tuned so). */
	if (boost_words && tg->words.n && !(n == 1 && !han[0]) &&
	    (f == SOU_FIELD_BODY || tg->title_words)) {
		sou_xq **w = sou_xcalloc(tg->words.n, sizeof(*w));
		for (i = 0; i < tg->words.n; i++)
			w[i] = term_q(tg, WORD_PREFIX[f], tg->words.v[i], NULL);
		boost = sou_xq_combine(SOU_XQ_OR, w, tg->words.n);
		destroy_all(w, tg->words.n);
		free(w);
	}
	if (boost) {
		sou_xq *pair[2] = { recall, boost };
		*q = sou_xq_combine(SOU_XQ_AND_MAYBE, pair, 2);
		sou_xq_destroy(recall);
		sou_xq_destroy(boost);
	} else {
		*q = recall;
	}
	if (tg->want_checks && any_han) {
		sou_buf p = SOU_BUF_INIT;
		for (i = 0; i < n; i++)
			sou_units_add(&p, u[i], strlen(u[i]), han[i], 0);
		*c = sou_check_units(f == SOU_FIELD_TITLE, p.data, p.len,
				     n <= 2 || tg->query_positional, *q);
		sou_buf_free(&p);
	} else if (tg->want_checks) {
		*c = sou_check_xapian(*q);
	}
}

/* How many times rarer than both its neighbours a bigram must be for a
 * run of unknown characters to be cut there (cut_unknown). */
#define CUT_RATIO 2

/*
 * Cuts a run of k >= 4 characters that the segmenter left as single
 * units (no dictionary knows the words: 美联储加息 is 美|联|储|加|息 to
 * ICU) by the index's own statistics: between two characters whose bigram
 * is in fewer posts than 1/CUT_RATIO of each neighbouring bigram (储加
 * against 联储 and 加息), or in none (the run as typed occurs nowhere),
 * each piece keeping two characters or more.  cut[i] = 1 means a cut
 * between unit a + i and a + i + 1.  Returns the number of cuts.
 */
static size_t cut_unknown(sou_termgen *tg, size_t a, size_t k, unsigned char *cut)
{
	long *df = sou_xcalloc(k, sizeof(*df));
	size_t i, ncut = 0, last = 0;

	memset(cut, 0, k);
	for (i = 0; i + 1 < k; i++) {
		make_term(&tg->term, BIGRAM_PREFIX[tg->field], tg->units.v[a + i],
			  strlen(tg->units.v[a + i]), tg->units.v[a + i + 1],
			  strlen(tg->units.v[a + i + 1]));
		df[i] = tg->df(tg->df_ctx, tg->term.data, tg->term.len);
		if (df[i] < 0)
			goto out; /* no statistics: keep the run whole */
	}
	/* cut i leaves units (last, i] before it and i + 1... after it */
	for (i = 1; i + 2 < k; i++) {
		long lo = df[i - 1] < df[i + 1] ? df[i - 1] : df[i + 1];
		int weak = df[i] == 0 ? lo > 0 : df[i] * CUT_RATIO < lo;
		if (weak && i + 1 - last >= 2) {
			cut[i] = 1;
			ncut++;
			last = i + 1;
		}
	}
	/* the last piece needs two characters too */
	if (ncut && k - last < 2) {
		for (i = k - 1; i-- > 0;)
			if (cut[i]) {
				cut[i] = 0;
				ncut--;
				break;
			}
	}
out:
	free(df);
	return ncut;
}

/*
 * Cuts the collected chain into words, for an unquoted run typed without
 * spaces: into groups[] as [start, end) unit spans, returning their
 * number.  The words are those the segmenter chose (the same lattice as
 * indexing, segment.h).  A lone Latin or number unit stays glued to its
 * neighbour (`A股`, `iPhone 15发布`), whose bigram says more than the
 * letter alone.  Characters the segmenter left single form one run (a
 * name or a word no dictionary knows) unless the index's statistics cut
 * it (cut_unknown).  Returns 0 when the chain is not to be cut: quoted,
 * no Chinese, fewer than three units, one word, or the words did not line
 * up with the units.
 */
static size_t chain_groups(sou_termgen *tg, struct qspan **groups)
{
	size_t n = tg->units.n, i = 0, k = 0, gs = 0, ng = 0, end, j, m;
	int any_han = 0;
	struct qspan *g, *h;
	unsigned char *cut;

	*groups = NULL;
	for (i = 0; i < n; i++)
		any_han |= tg->unit_han[i];
	if (tg->phrase || !any_han || n < 3 || tg->qw_bad || tg->query_positional ||
	    !tg->cut_runs)
		return 0;
	g = sou_xcalloc(n, sizeof(*g));
	for (i = 0; i < n; i = end) {
		while (k < tg->nqw && tg->qw[k].start < i)
			k++;
		end = k < tg->nqw && tg->qw[k].start == i ? tg->qw[k].end : i + 1;
		if (end > n)
			end = n;
		if (end - i == 1 && !tg->unit_han[i] && end < n)
			continue; /* a lone Latin unit joins the next word */
		g[ng].start = gs;
		g[ng++].end = end;
		gs = end;
	}
	/* a lone Latin unit at the end joins the word before it */
	if (ng > 1 && g[ng - 1].end - g[ng - 1].start == 1 &&
	    !tg->unit_han[g[ng - 1].start]) {
		g[ng - 2].end = g[ng - 1].end;
		ng--;
	}
	/* runs of single characters: one piece, or cut by the statistics */
	h = sou_xcalloc(n, sizeof(*h));
	cut = sou_xcalloc(n, 1);
	for (i = 0, m = 0; i < ng; i = j) {
		size_t a = g[i].start, len;
		for (j = i; j < ng && g[j].end - g[j].start == 1 && tg->unit_han[g[j].start]; j++)
			;
		if (j == i) {
			h[m++] = g[j++];
			continue;
		}
		len = g[j - 1].end - a;
		if (len >= 4 && tg->df && cut_unknown(tg, a, len, cut)) {
			size_t p, s0 = a;
			for (p = 0; p + 1 < len; p++)
				if (cut[p]) {
					h[m].start = s0;
					h[m++].end = a + p + 1;
					s0 = a + p + 1;
				}
			h[m].start = s0;
			h[m++].end = a + len;
		} else {
			h[m].start = a;
			h[m++].end = a + len;
		}
	}
	free(cut);
	free(g);
	if (m < 2) {
		free(h);
		return 0;
	}
	*groups = h;
	return m;
}

/*
 * Turns the collected chain (units + ICU words) into one query.  A
 * quoted chain, or one the segmenter sees as one word, is one run
 * (compile_run).  An unquoted run typed without spaces (`美联储加息`)
 * means its words, like `美联储 加息`: the AND of the words' runs, each
 * checked as a run of its own, so it finds at least what the spaced query
 * finds; what shows the words as typed - the bigrams that span two
 * words (`储加`) and the longer words - adds weight (AND_MAYBE), so posts
 * holding the exact run rank first.  Each word is its own highlight
 * pattern, so re-ranking (rerank.h) rewards titles with them adjacent.
 */
static void finish_chain(sou_termgen *tg)
{
	size_t n = tg->units.n, i, ng;
	struct qspan *g;
	sou_xq *q = NULL;
	sou_check *chk = NULL;

	if (!n)
		return; /* the words announced so far belong to the next chain */
	ng = chain_groups(tg, &g);
	if (!ng) {
		if (tg->patterns)
			push_pattern(tg, tg->patterns, 0, n);
		compile_run(tg, 0, n, 1, &q, &chk);
	} else {
		sou_xq **sub = sou_xcalloc(ng, sizeof(*sub)), **extra, *recall, *boost;
		sou_check **kid = sou_xcalloc(ng, sizeof(*kid));
		size_t nx = 0;
		char **u = tg->units.v;
		int bad = 0;

		if (tg->patterns && tg->runs) {
			/* as a units.h pattern, what sou_units_find takes */
			sou_buf p = SOU_BUF_INIT;
			for (i = 0; i < n; i++)
				sou_units_add(&p, u[i], strlen(u[i]), tg->unit_han[i], 0);
			sou_strlist_push(tg->runs, p.data, p.len);
			sou_buf_free(&p);
		}
		for (i = 0; i < ng; i++) {
			if (tg->patterns)
				push_pattern(tg, tg->patterns, g[i].start, g[i].end);
			compile_run(tg, g[i].start, g[i].end, 0, &sub[i], &kid[i]);
			bad |= !sub[i] || (tg->want_checks && !kid[i]);
		}
		recall = sou_xq_combine(SOU_XQ_AND, sub, ng);
		extra = sou_xcalloc(ng + tg->words.n, sizeof(*extra));
		for (i = 0; tg->run_boost > 0 && i + 1 < ng; i++) {
			size_t l = g[i].end - 1, r = g[i + 1].start;
			if (tg->unit_han[l] || tg->unit_han[r]) {
				sou_xq *b = term_q(tg, BIGRAM_PREFIX[tg->field], u[l], u[r]);
				extra[nx++] = sou_xq_scale(b, tg->run_boost / 100.0);
				sou_xq_destroy(b);
			}
		}
		if (tg->field == SOU_FIELD_BODY || tg->title_words)
			for (i = 0; i < tg->words.n; i++)
				extra[nx++] = term_q(tg, WORD_PREFIX[tg->field], tg->words.v[i], NULL);
		boost = nx ? sou_xq_combine(SOU_XQ_OR, extra, nx) : NULL;
		destroy_all(extra, nx);
		free(extra);
		if (boost && recall) {
			sou_xq *pair[2] = { recall, boost };
			q = sou_xq_combine(SOU_XQ_AND_MAYBE, pair, 2);
			sou_xq_destroy(recall);
		} else {
			q = recall;
		}
		sou_xq_destroy(boost);
		destroy_all(sub, ng);
		free(sub);
		if (tg->want_checks && !bad && q)
			chk = sou_check_node(SOU_CHECK_ALL, kid, ng, q); /* owns kid[] */
		else
			destroy_checks(kid, ng);
		free(kid);
		free(g);
		if (bad) {
			sou_xq_destroy(q);
			q = NULL;
		}
	}
	push_sub(tg, q, chk);
	sou_strlist_free(&tg->units);
	sou_strlist_free(&tg->words);
	tg->nqw = 0;
	tg->qw_bad = 0;
}

static int query_token(void *ctx, const sou_token *tok)
{
	sou_termgen *tg = ctx;

	if (tok->kind == SOU_TOK_HANWORD) {
		if (word_is_term(tg, word_chars(tok->term, tok->term_len, NULL)))
			sou_strlist_push_unique(&tg->words, tok->term, tok->term_len);
		if (tg->pend == 2)
			tg->qw_bad = 1; /* a word inside a word: not a cut */
		tg->pend = 1;
		tg->pend_bytes = tok->term_len;
		return 0;
	}
	if (tok->kind != SOU_TOK_HAN && tok->kind != SOU_TOK_WORD)
		return 0;
	if (tok->brk)
		finish_chain(tg);
	if (tg->pend == 1) {
		tg->pend = 2;
		tg->pend_start = tg->units.n;
		tg->pend_read = 0;
	}
	SOU_ARRAY_GROW(tg->unit_han, tg->unit_han_cap, tg->units.n + 1);
	tg->unit_han[tg->units.n] = tok->kind == SOU_TOK_HAN;
	sou_strlist_push(&tg->units, tok->term, tok->term_len);
	if (tg->pend == 2) {
		/* the word's folded text is its units' folded texts, joined */
		tg->pend_read += tok->term_len;
		if (tg->pend_read == tg->pend_bytes) {
			SOU_ARRAY_GROW(tg->qw, tg->qw_cap, tg->nqw + 1);
			tg->qw[tg->nqw].start = tg->pend_start;
			tg->qw[tg->nqw++].end = tg->units.n;
			tg->pend = 0;
		} else if (tg->pend_read > tg->pend_bytes) {
			tg->qw_bad = 1;
			tg->pend = 0;
		}
	}
	return 0;
}

static sou_status query_one(sou_termgen *tg, sou_field field, const char *text,
			   size_t len, int phrase, sou_xq **out, sou_check **chk,
			   sou_strlist *patterns, sou_error *err)
{
	sou_status st;

	*out = NULL;
	if (chk)
		*chk = NULL;
	tg->field = field;
	tg->phrase = phrase;
	tg->pend = 0;
	tg->nqw = 0;
	tg->qw_bad = 0;
	tg->patterns = patterns;
	tg->nsubs = 0;
	tg->failed = 0;
	tg->want_checks = chk != NULL;
	st = sou_segmenter_run(tg->seg, text, len, SOU_SEG_QUERY, query_token, tg,
			       NULL, err);
	if (!st)
		finish_chain(tg);
	sou_strlist_free(&tg->units);
	sou_strlist_free(&tg->words);
	if (!st && tg->failed)
		st = sou_error_set(err, SOU_ERR_NOMEM, "building query failed");
	if (!st && tg->nsubs) {
		*out = sou_xq_combine(SOU_XQ_AND, tg->subs, tg->nsubs);
		if (!*out)
			st = sou_error_set(err, SOU_ERR_NOMEM, "building query failed");
		if (!st && chk) {
			*chk = sou_check_node(SOU_CHECK_ALL, tg->chks, tg->nsubs, *out);
			if (!*chk)
				st = sou_error_set(err, SOU_ERR_NOMEM, "building query failed");
		} else {
			destroy_checks(tg->chks, tg->nsubs);
		}
	} else {
		destroy_checks(tg->chks, tg->nsubs);
	}
	destroy_all(tg->subs, tg->nsubs);
	tg->nsubs = 0;
	tg->patterns = NULL;
	if (st) {
		sou_xq_destroy(*out);
		*out = NULL;
	}
	return st;
}

sou_status sou_termgen_query_checked(sou_termgen *tg, sou_field field, const char *text,
				     size_t len, int phrase, sou_xq **out, sou_check **chk,
				     sou_strlist *patterns, sou_error *err)
{
	sou_buf folded = SOU_BUF_INIT;
	sou_status st;
	size_t i, g = 0, found = (size_t)-1;
	sou_xq **alts = NULL;
	sou_check **achk = NULL;
	size_t nalt = 0;

	*out = NULL;
	if (chk)
		*chk = NULL;
	if (!tg->syn_terms.n)
		return query_one(tg, field, text, len, phrase, out, chk, patterns, err);
	if ((st = sou_segmenter_fold(tg->seg, text, len, &folded, err)))
		return st;
	for (i = 0; i < tg->syn_terms.n; i++)
		if (!strcmp(tg->syn_terms.v[i], folded.data ? folded.data : "")) {
			found = i;
			g = tg->syn_group[i];
			break;
		}
	sou_buf_free(&folded);
	if (found == (size_t)-1)
		return query_one(tg, field, text, len, phrase, out, chk, patterns, err);
	/* every term of the group, the one typed first */
	alts = sou_xcalloc(tg->syn_terms.n + 1, sizeof(*alts));
	achk = sou_xcalloc(tg->syn_terms.n + 1, sizeof(*achk));
	/* the terms of a group are names: each is matched whole, not cut
	 * into words */
	st = query_one(tg, field, text, len, 1, &alts[nalt], chk ? &achk[nalt] : NULL,
		       patterns, err);
	if (alts[nalt])
		nalt++;
	for (i = 0; !st && i < tg->syn_terms.n; i++) {
		if (tg->syn_group[i] != g || i == found)
			continue;
		st = query_one(tg, field, tg->syn_terms.v[i], strlen(tg->syn_terms.v[i]), 1,
			       &alts[nalt], chk ? &achk[nalt] : NULL, patterns, err);
		if (alts[nalt])
			nalt++;
	}
	if (!st && nalt) {
		*out = sou_xq_combine(SOU_XQ_OR, alts, nalt);
		if (!*out)
			st = sou_error_set(err, SOU_ERR_NOMEM, "building query failed");
		if (!st && chk) {
			*chk = sou_check_node(SOU_CHECK_ANY, achk, nalt, *out);
			/* the node owns the alternatives' checks now */
			memset(achk, 0, (tg->syn_terms.n + 1) * sizeof(*achk));
			if (!*chk)
				st = sou_error_set(err, SOU_ERR_NOMEM, "building query failed");
		}
	}
	for (i = 0; i < nalt; i++) {
		sou_xq_destroy(alts[i]);
		sou_check_destroy(achk[i]);
	}
	free(alts);
	free(achk);
	if (st) {
		sou_xq_destroy(*out);
		*out = NULL;
	}
	return st;
}

sou_status sou_termgen_query(sou_termgen *tg, sou_field field, const char *text,
			     size_t len, int phrase, sou_xq **out,
			     sou_strlist *patterns, sou_error *err)
{
	return sou_termgen_query_checked(tg, field, text, len, phrase, out, NULL, patterns,
					 err);
}
