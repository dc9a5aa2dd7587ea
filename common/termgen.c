/*
 * termgen.c - the term scheme of termgen.h, for documents and queries.
 */
#include "termgen.h"

#include <stdlib.h>
#include <string.h>
#include <xxhash.h>

#include "linefile.h"

/* prefixes by sou_field (body, title): schema.h */
static const char *const WORD_PREFIX[] = { SOU_PREFIX_WORD, SOU_PREFIX_TITLE_WORD };
static const char *const BIGRAM_PREFIX[] = { SOU_PREFIX_BIGRAM, SOU_PREFIX_TITLE_BIGRAM };
static const char *const UNIGRAM_PREFIX[] = { SOU_PREFIX_UNIGRAM, SOU_PREFIX_TITLE_UNIGRAM };

/* Gap left between two sou_termgen_index() calls on the same field. */
#define FIELD_GAP 100

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
	sou_buf prev;         /* folded text of the previous unit */
	sou_buf term;         /* scratch */
	/* query side */
	sou_strlist units;    /* units of the current chain */
	int *unit_han;
	size_t unit_han_cap;
	sou_strlist words;    /* HANWORDs of the current chain */
	sou_xq **subs;        /* queries for the chains */
	size_t nsubs, subs_cap;
	sou_strlist *patterns;
	int failed;
	/* synonyms: syn_terms[i] (folded) belongs to group syn_group[i];
	 * groups are runs of consecutive entries */
	sou_strlist syn_terms;
	size_t *syn_group;
	size_t syn_cap;
};

sou_status sou_termgen_create(sou_termgen **out, sou_error *err)
{
	sou_termgen *tg = sou_xcalloc(1, sizeof(*tg));
	sou_status st = sou_segmenter_create(&tg->seg, err);

	if (!st && !(tg->stem = sou_xstem_create()))
		st = sou_error_set(err, SOU_ERR_INTERNAL, "cannot create the English stemmer");
	if (st) {
		sou_segmenter_destroy(tg->seg);
		free(tg);
		*out = NULL;
		return st;
	}
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
	sou_strlist_free(&tg->units);
	sou_strlist_free(&tg->words);
	free(tg->unit_han);
	free(tg->subs);
	sou_strlist_free(&tg->syn_terms);
	free(tg->syn_group);
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

static int doc_token(void *ctx, const sou_token *tok)
{
	sou_termgen *tg = ctx;
	sou_field f = tg->field;
	int is_han = tok->kind == SOU_TOK_HAN;

	switch (tok->kind) {
	case SOU_TOK_HANWORD:
		make_term(&tg->term, WORD_PREFIX[f], tok->term, tok->term_len, NULL, 0);
		sou_xdoc_add_term(tg->doc, tg->term.data, tg->term.len, tg->wdfinc);
		return 0;
	case SOU_TOK_PART:
		make_term(&tg->term, WORD_PREFIX[f], tok->term, tok->term_len, NULL, 0);
		sou_xdoc_add_posting(tg->doc, tg->term.data, tg->term.len, tg->unit_pos,
				     tg->wdfinc);
		return 0;
	case SOU_TOK_HAN:
	case SOU_TOK_WORD:
		break;
	}
	/* a unit */
	if (tok->brk && tg->have_prev)
		tg->unit_pos++; /* gap: phrases never cross a chain break */
	tg->unit_pos++;
	if (!tok->brk && tg->have_prev && (tg->prev_han || is_han)) {
		make_term(&tg->term, BIGRAM_PREFIX[f], tg->prev.data, tg->prev.len,
			  tok->term, tok->term_len);
		sou_xdoc_add_posting(tg->doc, tg->term.data, tg->term.len,
				     tg->unit_pos - 1, tg->wdfinc);
	}
	if (is_han) {
		make_term(&tg->term, UNIGRAM_PREFIX[f], tok->term, tok->term_len, NULL, 0);
		sou_xdoc_add_term(tg->doc, tg->term.data, tg->term.len, tg->wdfinc);
	} else {
		make_term(&tg->term, WORD_PREFIX[f], tok->term, tok->term_len, NULL, 0);
		sou_xdoc_add_posting(tg->doc, tg->term.data, tg->term.len, tg->unit_pos,
				     tg->wdfinc);
		if (f == SOU_FIELD_BODY && sou_termgen_stemmable(tok->term, tok->term_len)) {
			sou_xstem_run(tg->stem, tok->term, tok->term_len, &tg->stemmed);
			make_term(&tg->term, SOU_PREFIX_STEM, tg->stemmed.data, tg->stemmed.len, NULL, 0);
			sou_xdoc_add_posting(tg->doc, tg->term.data, tg->term.len, tg->unit_pos,
					     tg->wdfinc);
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
	st = sou_segmenter_run(tg->seg, text, len, SOU_SEG_DOCUMENT, doc_token, tg,
			       NULL, err);
	tg->pos[field] = tg->unit_pos;
	return st;
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

static void push_sub(sou_termgen *tg, sou_xq *q)
{
	SOU_ARRAY_GROW(tg->subs, tg->subs_cap, tg->nsubs + 1);
	tg->subs[tg->nsubs++] = q;
	if (!q)
		tg->failed = 1;
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

/* Turns the collected chain (units + ICU words) into one query. */
static void finish_chain(sou_termgen *tg)
{
	size_t n = tg->units.n, i, nseq = 0;
	char **u = tg->units.v;
	int *han = tg->unit_han;
	sou_field f = tg->field;
	sou_xq **seq, *recall, *boost = NULL;

	if (!n)
		return;
	if (tg->patterns) {
		sou_buf p = SOU_BUF_INIT;
		for (i = 0; i < n; i++) {
			if (i)
				sou_buf_addc(&p, SOU_UNIT_SEP);
			sou_buf_adds(&p, u[i]);
		}
		sou_strlist_push(tg->patterns, p.data, p.len);
		sou_buf_free(&p);
	}
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
	recall = sou_xq_combine(SOU_XQ_PHRASE, seq, nseq);
	destroy_all(seq, nseq);
	free(seq);
	/* Whole ICU words that are not already the recall terms add weight. */
	if (tg->words.n && !(n == 1 && !han[0])) {
		sou_xq **w = sou_xcalloc(tg->words.n, sizeof(*w));
		for (i = 0; i < tg->words.n; i++)
			w[i] = term_q(tg, WORD_PREFIX[f], tg->words.v[i], NULL);
		boost = sou_xq_combine(SOU_XQ_OR, w, tg->words.n);
		destroy_all(w, tg->words.n);
		free(w);
	}
	if (boost) {
		sou_xq *pair[2] = { recall, boost };
		push_sub(tg, sou_xq_combine(SOU_XQ_AND_MAYBE, pair, 2));
		sou_xq_destroy(recall);
		sou_xq_destroy(boost);
	} else {
		push_sub(tg, recall);
	}
	sou_strlist_free(&tg->units);
	sou_strlist_free(&tg->words);
}

static int query_token(void *ctx, const sou_token *tok)
{
	sou_termgen *tg = ctx;

	if (tok->kind == SOU_TOK_HANWORD) {
		sou_strlist_push_unique(&tg->words, tok->term, tok->term_len);
		return 0;
	}
	if (tok->kind != SOU_TOK_HAN && tok->kind != SOU_TOK_WORD)
		return 0;
	if (tok->brk)
		finish_chain(tg);
	SOU_ARRAY_GROW(tg->unit_han, tg->unit_han_cap, tg->units.n + 1);
	tg->unit_han[tg->units.n] = tok->kind == SOU_TOK_HAN;
	sou_strlist_push(&tg->units, tok->term, tok->term_len);
	return 0;
}

static sou_status query_one(sou_termgen *tg, sou_field field, const char *text,
			   size_t len, int phrase, sou_xq **out,
			   sou_strlist *patterns, sou_error *err)
{
	sou_status st;

	*out = NULL;
	tg->field = field;
	(void)phrase; /* chains always compile as phrases; see termgen.h */
	tg->patterns = patterns;
	tg->nsubs = 0;
	tg->failed = 0;
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
	}
	destroy_all(tg->subs, tg->nsubs);
	tg->nsubs = 0;
	tg->patterns = NULL;
	return st;
}

sou_status sou_termgen_query(sou_termgen *tg, sou_field field, const char *text,
			     size_t len, int phrase, sou_xq **out,
			     sou_strlist *patterns, sou_error *err)
{
	sou_buf folded = SOU_BUF_INIT;
	sou_status st;
	size_t i, g = 0, found = (size_t)-1;
	sou_xq **alts = NULL;
	size_t nalt = 0;

	*out = NULL;
	if (!tg->syn_terms.n)
		return query_one(tg, field, text, len, phrase, out, patterns, err);
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
		return query_one(tg, field, text, len, phrase, out, patterns, err);
	/* every term of the group, the one typed first */
	alts = sou_xcalloc(tg->syn_terms.n + 1, sizeof(*alts));
	st = query_one(tg, field, text, len, phrase, &alts[nalt], patterns, err);
	if (alts[nalt])
		nalt++;
	for (i = 0; !st && i < tg->syn_terms.n; i++) {
		if (tg->syn_group[i] != g || i == found)
			continue;
		st = query_one(tg, field, tg->syn_terms.v[i], strlen(tg->syn_terms.v[i]), phrase,
			       &alts[nalt], patterns, err);
		if (alts[nalt])
			nalt++;
	}
	if (!st && nalt) {
		*out = sou_xq_combine(SOU_XQ_OR, alts, nalt);
		if (!*out)
			st = sou_error_set(err, SOU_ERR_NOMEM, "building query failed");
	}
	for (i = 0; i < nalt; i++)
		sou_xq_destroy(alts[i]);
	free(alts);
	return st;
}
