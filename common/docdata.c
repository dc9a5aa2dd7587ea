/*
 * docdata.c - JSON stored data (see docdata.h).
 */
#include "docdata.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

static json_t *str_array(const sou_strlist *l)
{
	json_t *a = json_array();
	size_t i;

	for (i = 0; i < l->n; i++)
		json_array_append_new(a, json_stringn_nocheck(l->v[i], strlen(l->v[i])));
	return a;
}

void sou_docdata_encode(const sou_post *p, const char *relpath, const char *text,
			size_t text_len, sou_buf *out)
{
	json_t *o = json_object();
	char *s;

	/* _nocheck: the indexer cleans every input to valid UTF-8 first
	 * (sou_text_utf8_clean), so jansson need not validate again. */
	json_object_set_new(o, "path", json_stringn_nocheck(relpath, strlen(relpath)));
	json_object_set_new(o, "title", json_stringn_nocheck(p->title ? p->title : "",
							     p->title ? strlen(p->title) : 0));
	if (p->has_date) {
		json_object_set_new(o, "date", json_integer((json_int_t)p->date.epoch));
		json_object_set_new(o, "tz", json_integer(p->date.tz_min));
	}
	json_object_set_new(o, "tags", str_array(&p->tags));
	json_object_set_new(o, "categories", str_array(&p->categories));
	if (p->author)
		json_object_set_new(o, "author", json_stringn_nocheck(p->author, strlen(p->author)));
	s = json_dumps(o, JSON_COMPACT);
	sou_buf_reset(out);
	if (!s)
		abort(); /* only fails on allocation */
	sou_buf_adds(out, s);
	sou_buf_addc(out, '\n');
	sou_buf_add(out, text, text_len);
	free(s);
	json_decref(o);
}

static char *get_str(json_t *o, const char *key, size_t *len)
{
	json_t *v = json_object_get(o, key);

	if (!json_is_string(v)) {
		if (len)
			*len = 0;
		return NULL;
	}
	if (len)
		*len = json_string_length(v);
	return sou_xstrndup(json_string_value(v), json_string_length(v));
}

static void get_list(json_t *o, const char *key, sou_strlist *l)
{
	json_t *a = json_object_get(o, key), *v;
	size_t i;

	json_array_foreach(a, i, v)
		if (json_is_string(v))
			sou_strlist_push(l, json_string_value(v), json_string_length(v));
}

sou_status sou_docdata_decode(const char *data, size_t len, sou_docdata *d,
			      sou_error *err)
{
	json_error_t je;
	const char *nl = memchr(data, '\n', len);
	size_t jlen = nl ? (size_t)(nl - data) : len;
	json_t *o = json_loadb(data, jlen, JSON_ALLOW_NUL, &je);
	json_t *date;

	memset(d, 0, sizeof(*d));
	if (!o || !json_is_object(o)) {
		json_decref(o);
		return sou_error_set(err, SOU_ERR_DB, "corrupt stored data: %s", je.text);
	}
	d->path = get_str(o, "path", NULL);
	d->title = get_str(o, "title", NULL);
	d->author = get_str(o, "author", NULL);
	if (nl) {
		d->text_len = len - jlen - 1;
		d->text = sou_xstrndup(nl + 1, d->text_len);
	}
	date = json_object_get(o, "date");
	if (json_is_integer(date)) {
		d->has_date = 1;
		d->date.epoch = json_integer_value(date);
		d->date.tz_min = (int)json_integer_value(json_object_get(o, "tz"));
	}
	get_list(o, "tags", &d->tags);
	get_list(o, "categories", &d->categories);
	if (!d->path)
		d->path = sou_xstrdup("");
	if (!d->title)
		d->title = sou_xstrdup("");
	if (!d->text)
		d->text = sou_xstrdup("");
	json_decref(o);
	return SOU_OK;
}

void sou_docdata_clear(sou_docdata *d)
{
	if (!d)
		return;
	free(d->path);
	free(d->title);
	free(d->author);
	free(d->text);
	sou_strlist_free(&d->tags);
	sou_strlist_free(&d->categories);
	memset(d, 0, sizeof(*d));
}
