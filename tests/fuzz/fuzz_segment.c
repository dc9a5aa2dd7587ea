/*
 * fuzz_segment.c - libFuzzer target: the segmenter and the snippet code
 * on arbitrary bytes.  Checks that every token's span lies inside the
 * input, that highlight ranges lie inside the snippet, and that the quick
 * unit stream (sou_segmenter_quick_units), when it is derived at all, is
 * byte for byte the stream termgen made from the segmenter's units.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "segment.h"
#include "snippet.h"
#include "termgen.h"

static sou_termgen *tg;

typedef struct ctx {
	size_t len;
	sou_strlist *pats;
	int n;
} ctx;

static int check(void *p, const sou_token *t)
{
	ctx *c = p;

	if (t->start > t->end || t->end > c->len || !t->term_len)
		__builtin_trap();
	if (c->n++ < 3 && (t->kind == SOU_TOK_HAN || t->kind == SOU_TOK_WORD))
		sou_strlist_push(c->pats, t->term, t->term_len);
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	sou_strlist pats = { NULL, 0 };
	ctx c = { size, &pats, 0 };
	sou_buf out = SOU_BUF_INIT;
	sou_ranges r = { NULL, 0, 0 };
	sou_error err;
	size_t i;

	if (!tg && sou_termgen_create(&tg, &err))
		abort();
	sou_segmenter_run(sou_termgen_segmenter(tg), (const char *)data, size,
			  SOU_SEG_DOCUMENT, check, &c, NULL, &err);
	sou_snippet_make(sou_termgen_segmenter(tg), (const char *)data, size, &pats,
			 40, &out, &r, &err);
	for (i = 0; i < r.n; i++)
		if (r.v[2 * i] >= r.v[2 * i + 1] || r.v[2 * i + 1] > out.len)
			__builtin_trap();
	sou_ranges_free(&r);
	{
		sou_xdoc *doc = sou_xdoc_create();
		const char *u;
		size_t n;
		sou_buf_reset(&out);
		sou_termgen_begin(tg, doc);
		if (!sou_termgen_index(tg, SOU_FIELD_BODY, (const char *)data, size, 1, &err) &&
		    sou_segmenter_quick_units(sou_termgen_segmenter(tg), (const char *)data, size,
					      &out)) {
			u = sou_termgen_units(tg, SOU_FIELD_BODY, &n);
			if (out.len != n || (n && memcmp(out.data, u, n)))
				__builtin_trap();
		}
		sou_xdoc_destroy(doc);
	}
	sou_buf_free(&out);
	sou_strlist_free(&pats);
	return 0;
}
