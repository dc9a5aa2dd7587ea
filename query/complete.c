/*
 * complete.c - completions and company lookups over a searcher's index
 * (see complete.h).
 */
#include "complete.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "pinyin.h"
#include "schema.h"
#include "text.h"

sou_status sou_complete(sou_searcher *s, const char *prefix, size_t len, size_t max,
			sou_completions *out, sou_error *err)
{
	sou_termgen *tg = sou_searcher_termgen(s);

	if (max > SOU_COMPLETE_MAX)
		max = SOU_COMPLETE_MAX;
	return sou_suggest(sou_searcher_xdb(s), sou_termgen_segmenter(tg), sou_termgen_pinyin(tg),
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

/* Names looked at for a word typed by its sound, at most. */
#define READING_NAMES 32

typedef struct by_reading {
	sou_strlist shown;
} by_reading;

static void reading_key(void *ctx, const char *term, size_t len, unsigned long tf)
{
	by_reading *b = ctx;
	const char *sep = memchr(term, SOU_SUGGEST_SEP, len);

	(void)tf;
	if (sep && sep + 1 < term + len && b->shown.n < READING_NAMES)
		sou_strlist_push_unique(&b->shown, sep + 1, (size_t)(term + len - sep - 1));
}

/*
 * The codes of the companies whose name reads as the Latin word w (gzmt,
 * guizhoumaotai): the completion keys that read exactly so (suggest.h's
 * reading keys: titles', tags' and companies' words), each looked up as
 * a company's name, and the user file's names read so
 * (sou_entity_resolve_reading).  Every one is listed (zgyh may be
 * several).
 */
static sou_status resolve_reading(sou_searcher *s, const char *w, size_t len,
				  sou_strlist *codes, sou_error *err)
{
	by_reading b = { { NULL, 0 } };
	sou_buf k = SOU_BUF_INIT;
	sou_status st;
	size_t i;

	for (i = 0; i < len; i++)
		if (!(w[i] >= 'a' && w[i] <= 'z'))
			return SOU_OK;
	if (len < SOU_PINYIN_INITIALS_MIN || len > SOU_MAX_PINYIN_LETTERS)
		return SOU_OK;
	sou_buf_adds(&k, SOU_PREFIX_SUGGEST);
	sou_buf_add(&k, w, len);
	sou_buf_addc(&k, SOU_SUGGEST_SEP);
	st = sou_xdb_each_term_tf(sou_searcher_xdb(s), k.data, k.len, READING_NAMES, reading_key,
				  &b, NULL, err);
	for (i = 0; !st && i < b.shown.n; i++)
		st = sou_entity_resolve(sou_searcher_xdb(s), sou_searcher_entities(s), b.shown.v[i],
					strlen(b.shown.v[i]), codes, NULL, err);
	if (!st)
		sou_entity_resolve_reading(sou_searcher_entities(s),
					   sou_termgen_pinyin(sou_searcher_termgen(s)), w, len, codes);
	sou_strlist_free(&b.shown);
	sou_buf_free(&k);
	return st;
}

sou_status sou_complete_entity(sou_searcher *s, const char *word, int json, sou_buf *out,
			       size_t *n, sou_error *err)
{
	sou_buf f = SOU_BUF_INIT, t = SOU_BUF_INIT;
	sou_strlist codes = { NULL, 0 };
	json_t *arr = json_array();
	sou_status st;
	size_t i, k;

	sou_buf_reset(out);
	*n = 0;
	st = sou_segmenter_fold(sou_termgen_segmenter(sou_searcher_termgen(s)), word, strlen(word),
				&f, err);
	if (!st)
		st = sou_entity_resolve(sou_searcher_xdb(s), sou_searcher_entities(s),
					f.data ? f.data : "", f.len, &codes, NULL, err);
	if (!st && !codes.n && f.len)
		st = resolve_reading(s, f.data, f.len, &codes, err);
	for (i = 0; !st && i < codes.n; i++) {
		sou_strlist names = { NULL, 0 }, dummy = { NULL, 0 };
		unsigned long posts = 0;
		json_t *jn = json_array();
		st = sou_entity_resolve(sou_searcher_xdb(s), sou_searcher_entities(s), codes.v[i],
					strlen(codes.v[i]), &dummy, &names, err);
		sou_buf_reset(&t);
		sou_buf_adds(&t, SOU_PREFIX_ENTITY);
		sou_buf_adds(&t, codes.v[i]);
		if (!st)
			st = sou_xdb_termfreq(sou_searcher_xdb(s), t.data, &posts, err);
		if (!st && !json) {
			sou_buf_adds(out, codes.v[i]);
			sou_buf_addc(out, '\t');
			for (k = 0; k < names.n; k++) {
				if (k)
					sou_buf_adds(out, ", ");
				sou_buf_add_escaped(out, names.v[k], strlen(names.v[k]));
			}
			sou_buf_addf(out, "\t%lu\n", posts);
		}
		for (k = 0; k < names.n; k++)
			json_array_append_new(jn, jtext(names.v[k]));
		json_array_append_new(arr, json_pack("{s:s,s:o,s:I}", "code", codes.v[i], "names",
						     jn, "posts", (json_int_t)posts));
		sou_strlist_free(&names);
		sou_strlist_free(&dummy);
	}
	*n = codes.n;
	if (!st && json) {
		json_t *o = json_pack("{s:o,s:o}", "entity", jtext(word), "companies", arr);
		char *d = json_dumps(o, JSON_INDENT(2));
		if (!d)
			abort();
		sou_buf_adds(out, d);
		sou_buf_addc(out, '\n');
		free(d);
		json_decref(o);
	} else {
		json_decref(arr);
	}
	sou_strlist_free(&codes);
	sou_buf_free(&f);
	sou_buf_free(&t);
	return st;
}
