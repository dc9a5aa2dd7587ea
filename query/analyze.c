/*
 * analyze.c - sou-query --analyze (see analyze.h).
 */
#include "analyze.h"

#include <stdlib.h>
#include <string.h>

#include "qparse.h"
#include "xwrap.h"

typedef struct words_ctx {
	sou_buf *out;
	int first;
	const char *original; /* print input text instead of folded terms */
	size_t word_end;      /* end of the last HANWORD: its units are inside */
	sou_termgen *tg;      /* print readings too (SOU_ANALYZE_PINYIN), or NULL */
	sou_buf reading;
} words_ctx;

static int word_token(void *ctx, const sou_token *t)
{
	words_ctx *w = ctx;

	if (t->kind != SOU_TOK_HANWORD && t->kind != SOU_TOK_WORD)
		return 0;
	if (t->kind == SOU_TOK_WORD && t->start < w->word_end)
		return 0; /* a unit of the word just printed */
	if (t->kind == SOU_TOK_HANWORD)
		w->word_end = t->end;
	if (!w->first)
		sou_buf_adds(w->out, "  ");
	w->first = 0;
	if (w->original)
		sou_buf_add(w->out, w->original + t->start, t->end - t->start);
	else
		sou_buf_add(w->out, t->term, t->term_len);
	if (w->tg && sou_termgen_pinyin_reading(w->tg, t->term, t->term_len, &w->reading))
		sou_buf_addf(w->out, "(%s)", w->reading.data);
	return 0;
}

/* A lone Chinese unit (not inside a word) is a word of its own here. */
static int pinyin_token(void *ctx, const sou_token *t)
{
	words_ctx *w = ctx;
	sou_token u;

	if (t->kind != SOU_TOK_HAN || t->start < w->word_end)
		return word_token(ctx, t);
	u = *t;
	u.kind = SOU_TOK_HANWORD;
	return word_token(ctx, &u);
}

static void term_line(void *ctx, const char *term, size_t len, unsigned wdf,
		      const unsigned *pos, size_t npos)
{
	sou_buf *out = ctx;
	size_t i;

	if (out->len && out->data[out->len - 1] != '\n')
		sou_buf_addc(out, ' ');
	sou_buf_add(out, term, len);
	sou_buf_addf(out, "[%u]", wdf);
	for (i = 0; i < npos; i++)
		sou_buf_addf(out, "%c%u", i ? ',' : '@', pos[i]);
}

sou_status sou_analyze_line(sou_termgen *tg, sou_analyze_mode mode,
			    const char *line, size_t len, int tz_min,
			    sou_buf *out, sou_error *err)
{
	sou_status st = SOU_OK;

	switch (mode) {
	case SOU_ANALYZE_WORDS:
	case SOU_ANALYZE_ORIGINAL:
	case SOU_ANALYZE_PINYIN: {
		words_ctx w = { out, 1, mode == SOU_ANALYZE_ORIGINAL ? line : NULL, 0,
				mode == SOU_ANALYZE_PINYIN ? tg : NULL, SOU_BUF_INIT };
		st = sou_segmenter_run(sou_termgen_segmenter(tg), line, len, SOU_SEG_QUERY,
				       mode == SOU_ANALYZE_PINYIN ? pinyin_token : word_token, &w,
				       NULL, err);
		sou_buf_free(&w.reading);
		break;
	}
	case SOU_ANALYZE_DOC_TERMS: {
		sou_xdoc *doc = sou_xdoc_create();
		sou_buf tmp = SOU_BUF_INIT;
		sou_termgen_begin(tg, doc);
		st = sou_termgen_index(tg, SOU_FIELD_BODY, line, len, 1, err);
		if (!st)
			st = sou_xdoc_terms(doc, term_line, &tmp, err);
		sou_buf_add(out, tmp.data ? tmp.data : "", tmp.len);
		sou_buf_free(&tmp);
		sou_xdoc_destroy(doc);
		break;
	}
	case SOU_ANALYZE_QUERY: {
		sou_query *q = NULL;
		char *copy = sou_xstrndup(line, len), *d;
		if (!(st = sou_query_parse(tg, copy, tz_min, &q, err))) {
			d = sou_xq_describe(sou_query_xq(q));
			sou_buf_adds(out, d);
			free(d);
		}
		sou_query_destroy(q);
		free(copy);
		break;
	}
	}
	return st;
}
