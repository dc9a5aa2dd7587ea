/*
 * like.c - the --like query: a post's most telling words, chosen from
 * Xapian's expand set and the post's own segmentation (see like.h).
 *
 * A word's units are the unit tokens the segmenter emits after its
 * HANWORD token, up to the word's end; its bigram terms are built as
 * termgen builds a document's (SOU_PREFIX_BIGRAM + unit + unit), so they
 * name exactly the expand set's terms.
 */
#include "like.h"

#include <stdlib.h>
#include <string.h>

#include "docdata.h"
#include "schema.h"
#include "search.h"
#include "segment.h"

/* How many expand-set terms to read per word wanted: a word needs all its
 * bigrams among them to score fully. */
#define TERMS_PER_WORD 3
/* The words of a longer text are looked for in its first this many bytes
 * (a post of several megabytes would take a second to segment). */
#define TEXT_MAX (256u << 10)

typedef struct scored {
	char *word;     /* folded, owned */
	double score;
	size_t first;   /* order of first appearance (ties) */
} scored;

typedef struct collect {
	const sou_strlist *terms;   /* the expand set, prefixed */
	const double *weights;
	scored *v;
	size_t n, cap;
	/* the word being read: its end offset, units so far, bigram sum */
	int in_word;
	size_t end, units, bigrams;
	double sum;
	char *word;
	sou_buf prev;              /* the previous unit of the word */
	sou_buf term;
} collect;

static double weight_of(const collect *c, const char *t, size_t len)
{
	size_t i;

	for (i = 0; i < c->terms->n; i++)
		if (!strncmp(c->terms->v[i], t, len) && c->terms->v[i][len] == '\0')
			return c->weights[i];
	return 0;
}

static void add_word(collect *c, const char *w, double score)
{
	size_t i;

	for (i = 0; i < c->n; i++)
		if (!strcmp(c->v[i].word, w))
			return; /* the same word again scores the same */
	SOU_ARRAY_GROW(c->v, c->cap, c->n + 1);
	c->v[c->n].word = sou_xstrdup(w);
	c->v[c->n].score = score;
	c->v[c->n].first = c->n;
	c->n++;
}

static void end_word(collect *c)
{
	if (c->in_word && c->bigrams && c->sum > 0)
		add_word(c, c->word, c->sum / (double)c->bigrams);
	c->in_word = 0;
	free(c->word);
	c->word = NULL;
}

static int on_token(void *ctx, const sou_token *tok)
{
	collect *c = ctx;

	if (tok->kind == SOU_TOK_HANWORD) {
		end_word(c);
		c->in_word = 1;
		c->end = tok->end;
		c->units = c->bigrams = 0;
		c->sum = 0;
		c->word = sou_xstrndup(tok->term, tok->term_len);
		return 0;
	}
	if (!c->in_word || (tok->kind != SOU_TOK_HAN && tok->kind != SOU_TOK_WORD))
		return 0;
	if (c->units++) {
		sou_buf_reset(&c->term);
		sou_buf_adds(&c->term, SOU_PREFIX_BIGRAM);
		sou_buf_add(&c->term, c->prev.data, c->prev.len);
		sou_buf_add(&c->term, tok->term, tok->term_len);
		c->sum += weight_of(c, c->term.data, c->term.len);
		c->bigrams++;
	}
	sou_buf_reset(&c->prev);
	sou_buf_add(&c->prev, tok->term, tok->term_len);
	if (tok->end >= c->end)
		end_word(c);
	return 0;
}

static int by_score(const void *a, const void *b)
{
	const scored *x = a, *y = b;

	if (x->score != y->score)
		return x->score > y->score ? -1 : 1;
	return x->first < y->first ? -1 : x->first > y->first;
}

static sou_status segment(sou_segmenter *seg, const char *text, size_t len, collect *c,
			  sou_error *err)
{
	sou_status st = sou_segmenter_run(seg, text, len, SOU_SEG_QUERY, on_token, c, NULL, err);

	end_word(c); /* a word never spans two texts */
	return st;
}

sou_status sou_like_query(sou_xdb *db, sou_termgen *tg, const char *idterm, unsigned nwords,
			  sou_xq **out, sou_strlist *words, sou_error *err)
{
	sou_strlist terms = { NULL, 0 };
	double *weights = NULL;
	sou_buf data = SOU_BUF_INIT;
	sou_docdata d;
	collect c;
	sou_status st;
	size_t i, k, nq = 0;
	sou_xq **qs = NULL;

	*out = NULL;
	memset(&d, 0, sizeof(d));
	memset(&c, 0, sizeof(c));
	st = sou_xdb_like_post(db, idterm, nwords * TERMS_PER_WORD, &terms, &weights, &data, err);
	if (!st)
		st = sou_search_decode(data.data, data.len, &d, err);
	c.terms = &terms;
	c.weights = weights;
	/* the searchable texts the post was indexed from (schema.h) */
	if (!st && d.title)
		st = segment(sou_termgen_segmenter(tg), d.title, strlen(d.title), &c, err);
	if (!st && d.description)
		st = segment(sou_termgen_segmenter(tg), d.description, strlen(d.description), &c, err);
	for (i = 0; !st && i < d.keywords.n; i++)
		st = segment(sou_termgen_segmenter(tg), d.keywords.v[i], strlen(d.keywords.v[i]), &c,
			     err);
	if (!st && d.text)
		st = segment(sou_termgen_segmenter(tg), d.text,
			     d.text_len < TEXT_MAX ? d.text_len : TEXT_MAX, &c, err);
	/* Latin words and numbers are expand-set terms themselves */
	for (i = 0; !st && i < terms.n; i++)
		if (!SOU_TERM_IS_PREFIXED(terms.v[i][0]))
			add_word(&c, terms.v[i], weights[i]);
	if (!st) {
		qsort(c.v, c.n, sizeof(*c.v), by_score);
		qs = sou_xcalloc(nwords + 1, sizeof(*qs));
		for (k = 0; !st && k < c.n && nq < nwords; k++) {
			sou_xq *q = NULL;
			st = sou_termgen_query(tg, SOU_FIELD_BODY, c.v[k].word, strlen(c.v[k].word), 0,
					       &q, NULL, err);
			if (!st && q) {
				qs[nq++] = q;
				sou_strlist_push(words, c.v[k].word, strlen(c.v[k].word));
			}
		}
	}
	if (!st && nq) {
		sou_xq *any = sou_xq_combine(SOU_XQ_OR, qs, nq);
		sou_xq *pair[2];
		pair[0] = any;
		pair[1] = sou_xq_bool_term(idterm, strlen(idterm));
		*out = sou_xq_combine(SOU_XQ_AND_NOT, pair, 2);
		sou_xq_destroy(pair[0]);
		sou_xq_destroy(pair[1]);
	} else if (!st) {
		*out = sou_xq_match_nothing(); /* nothing to go by: no related posts */
	}
	if (!st && !*out) /* the combinators return NULL only without memory */
		st = sou_error_set(err, SOU_ERR_NOMEM, "building the --like query failed");
	for (i = 0; i < nq; i++)
		sou_xq_destroy(qs[i]);
	free(qs);
	for (i = 0; i < c.n; i++)
		free(c.v[i].word);
	free(c.v);
	free(c.word);
	sou_buf_free(&c.prev);
	sou_buf_free(&c.term);
	sou_docdata_clear(&d);
	sou_buf_free(&data);
	sou_strlist_free(&terms);
	free(weights);
	return st;
}
