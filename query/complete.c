/*
 * complete.c - completions over a searcher's index (see complete.h).
 */
#include "complete.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "text.h"

sou_status sou_complete(sou_searcher *s, const char *prefix, size_t len, size_t max,
			sou_completions *out, sou_error *err)
{
	if (max > SOU_COMPLETE_MAX)
		max = SOU_COMPLETE_MAX;
	return sou_suggest(sou_searcher_xdb(s), sou_termgen_segmenter(sou_searcher_termgen(s)),
			   prefix, len, max, out, err);
}

/* A JSON string of s, invalid UTF-8 as U+FFFD (keys come from posts). */
static json_t *jtext(const char *s)
{
	sou_buf clean = SOU_BUF_INIT;
	json_t *j;

	if (sou_text_utf8_clean(s, strlen(s), &clean)) {
		sou_buf_free(&clean);
		return json_string(s);
	}
	j = json_stringn(clean.data ? clean.data : "", clean.len);
	sou_buf_free(&clean);
	return j;
}

void sou_complete_json(const char *prefix, const sou_completions *c, int compact,
		       sou_buf *out)
{
	json_t *o = json_object(), *a = json_array();
	size_t i;
	char *s;

	json_object_set_new(o, "prefix", jtext(prefix ? prefix : ""));
	for (i = 0; i < c->n; i++)
		json_array_append_new(a, json_pack("{s:o,s:I}", "text", jtext(c->v[i].text),
						   "posts", (json_int_t)c->v[i].posts));
	json_object_set_new(o, "suggestions", a);
	json_object_set_new(o, "more", json_boolean(c->more));
	s = json_dumps(o, compact ? JSON_COMPACT : JSON_INDENT(2));
	if (!s)
		abort();
	sou_buf_reset(out);
	sou_buf_adds(out, s);
	sou_buf_addc(out, '\n');
	free(s);
	json_decref(o);
}

void sou_complete_text(const sou_completions *c, sou_buf *out)
{
	size_t i;

	sou_buf_reset(out);
	for (i = 0; i < c->n; i++) {
		sou_buf_add_escaped(out, c->v[i].text, strlen(c->v[i].text));
		sou_buf_addf(out, "\t%lu\n", c->v[i].posts);
	}
}
