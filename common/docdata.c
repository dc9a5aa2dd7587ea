/*
 * docdata.c - JSON stored data (see docdata.h), with the base64 copy of
 * file names that are not UTF-8.
 */
#include "docdata.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <unicode/utf8.h>

#include "text.h"

int sou_utf8_valid(const char *s, size_t n)
{
	const uint8_t *p = (const uint8_t *)s;
	size_t i = 0;

	while (i < n) {
		int32_t k = 0, len;
		UChar32 c;

		if (p[i] < 0x80) {
			i++;
			continue;
		}
		len = n - i > 4 ? 4 : (int32_t)(n - i);
		U8_NEXT(p + i, k, len, c);
		if (c < 0)
			return 0;
		i += (size_t)k;
	}
	return 1;
}

static const char B64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

static void b64_encode(const unsigned char *s, size_t n, sou_buf *out)
{
	size_t i;

	for (i = 0; i + 2 < n; i += 3) {
		unsigned v = (unsigned)s[i] << 16 | (unsigned)s[i + 1] << 8 | s[i + 2];
		sou_buf_addc(out, B64[v >> 18]);
		sou_buf_addc(out, B64[(v >> 12) & 63]);
		sou_buf_addc(out, B64[(v >> 6) & 63]);
		sou_buf_addc(out, B64[v & 63]);
	}
	if (i < n) {
		unsigned v = (unsigned)s[i] << 16 | (i + 1 < n ? (unsigned)s[i + 1] << 8 : 0);
		sou_buf_addc(out, B64[v >> 18]);
		sou_buf_addc(out, B64[(v >> 12) & 63]);
		sou_buf_addc(out, i + 1 < n ? B64[(v >> 6) & 63] : '=');
		sou_buf_addc(out, '=');
	}
}

/* Decodes base64 s[0..n) into out; 0 on success, -1 if malformed. */
static int b64_decode(const char *s, size_t n, sou_buf *out)
{
	unsigned v = 0;
	int bits = 0;
	size_t i;

	sou_buf_reset(out);
	if (n % 4)
		return -1;
	for (i = 0; i < n; i++) {
		const char *at;
		if (s[i] == '=') {
			if (i + 2 < n || (i + 1 < n && s[i + 1] != '='))
				return -1;
			break;
		}
		if (!s[i] || !(at = strchr(B64, s[i])))
			return -1;
		v = (v << 6 | (unsigned)(at - B64)) & 0xFFFFFF;
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			sou_buf_addc(out, (char)((v >> bits) & 0xFF));
		}
	}
	return 0;
}

static json_t *str_array(const sou_strlist *l)
{
	json_t *a = json_array();
	size_t i;

	for (i = 0; i < l->n; i++)
		json_array_append_new(a, json_stringn_nocheck(l->v[i], strlen(l->v[i])));
	return a;
}

/*
 * A post's searchable texts in the indexer's order (docdata.h): the
 * title, tags, categories, description, keywords, the body text.
 */
typedef struct fields {
	const char **v;
	size_t *len;
	size_t n, cap, lcap;
} fields;

static void fields_add(fields *f, const char *s, size_t len)
{
	SOU_ARRAY_GROW(f->v, f->cap, f->n + 1);
	SOU_ARRAY_GROW(f->len, f->lcap, f->n + 1);
	f->v[f->n] = s;
	f->len[f->n++] = len;
}

static void fields_free(fields *f)
{
	free(f->v);
	free(f->len);
}

static void fields_list(fields *f, const sou_strlist *l)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		fields_add(f, l->v[i], strlen(l->v[i]));
}

/*
 * The unit streams of the texts derived with sou_segmenter_quick_units
 * (the title's is that of the first text); 0 when one does not derive.
 */
static int derive(sou_segmenter *seg, const fields *f, sou_buf *t, sou_buf *b)
{
	size_t i;

	sou_buf_reset(t);
	sou_buf_reset(b);
	if (!f->n || !sou_segmenter_quick_units(seg, f->v[0], f->len[0], t))
		return 0;
	sou_buf_add(b, t->data, t->len);
	for (i = 1; i < f->n; i++)
		if (!sou_segmenter_quick_units(seg, f->v[i], f->len[i], b))
			return 0;
	return 1;
}

static void post_fields(fields *f, const char *title, const sou_strlist *tags,
			const sou_strlist *cats, const char *desc, const sou_strlist *kw,
			const char *text, size_t text_len)
{
	fields_add(f, title, strlen(title));
	fields_list(f, tags);
	fields_list(f, cats);
	fields_add(f, desc, strlen(desc));
	fields_list(f, kw);
	fields_add(f, text, text_len);
}

static int same(const sou_buf *a, const char *b, size_t blen)
{
	return a->len == blen && (!blen || !memcmp(a->data, b, blen));
}

void sou_docdata_encode_units(const sou_post *p, const char *relpath, const char *text,
			      size_t text_len, const sou_docunits *u, sou_buf *out)
{
	json_t *o = json_object();
	char *s;
	int stored = 0;

	/* _nocheck: the indexer cleans every input to valid UTF-8 first
	 * (sou_text_utf8_clean), so jansson need not validate again; the
	 * path, a file name, may be any bytes (see docdata.h). */
	if (sou_utf8_valid(relpath, strlen(relpath))) {
		json_object_set_new(o, "path", json_stringn_nocheck(relpath, strlen(relpath)));
	} else {
		sou_buf b = SOU_BUF_INIT;
		sou_text_utf8_clean(relpath, strlen(relpath), &b);
		json_object_set_new(o, "path", json_stringn_nocheck(b.data, b.len));
		sou_buf_reset(&b);
		b64_encode((const unsigned char *)relpath, strlen(relpath), &b);
		json_object_set_new(o, "path_b64", json_stringn_nocheck(b.data, b.len));
		sou_buf_free(&b);
	}
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
	if (p->permalink && *p->permalink)
		json_object_set_new(o, "permalink",
				    json_stringn_nocheck(p->permalink, strlen(p->permalink)));
	if (p->description)
		json_object_set_new(o, "description",
				    json_stringn_nocheck(p->description, strlen(p->description)));
	if (p->keywords.n)
		json_object_set_new(o, "keywords", str_array(&p->keywords));
	if (u) {
		sou_buf t = SOU_BUF_INIT, b = SOU_BUF_INIT;
		fields f = { 0 };
		post_fields(&f, p->title ? p->title : "", &p->tags, &p->categories,
			    p->description ? p->description : "", &p->keywords, text, text_len);
		if (derive(u->seg, &f, &t, &b) &&
		    same(&t, u->title, u->title_len) && same(&b, u->body, u->body_len)) {
			json_object_set_new(o, "ud", json_integer(1));
		} else {
			json_object_set_new(o, "ut", json_integer((json_int_t)u->title_len));
			json_object_set_new(o, "ub", json_integer((json_int_t)u->body_len));
			stored = 1;
		}
		sou_buf_free(&t);
		sou_buf_free(&b);
		fields_free(&f);
	}
	s = json_dumps(o, JSON_COMPACT);
	sou_buf_reset(out);
	if (!s)
		abort(); /* only fails on allocation */
	sou_buf_adds(out, s);
	sou_buf_addc(out, '\n');
	sou_buf_add(out, text, text_len);
	if (stored) {
		sou_buf_add(out, u->title, u->title_len);
		sou_buf_add(out, u->body, u->body_len);
	}
	free(s);
	json_decref(o);
}

void sou_docdata_encode(const sou_post *p, const char *relpath, const char *text,
			size_t text_len, sou_buf *out)
{
	sou_docdata_encode_units(p, relpath, text, text_len, NULL, out);
}

sou_status sou_docdata_units(const sou_docdata *d, sou_segmenter *seg, sou_buf *title,
			     sou_buf *body, sou_error *err)
{
	if (d->units == SOU_DOCUNITS_STORED) {
		sou_buf_reset(title);
		sou_buf_reset(body);
		sou_buf_add(title, d->units_title, d->units_title_len);
		sou_buf_add(body, d->units_body, d->units_body_len);
		return SOU_OK;
	}
	if (d->units == SOU_DOCUNITS_DERIVED) {
		fields f = { 0 };
		int ok;
		post_fields(&f, d->title, &d->tags, &d->categories, d->description, &d->keywords,
			    d->text, d->text_len);
		ok = derive(seg, &f, title, body);
		fields_free(&f);
		if (ok)
			return SOU_OK;
	}
	return sou_error_set(err, SOU_ERR_DB, "%s: stored data has no unit streams "
			     "(an index from an older sou, or damaged: run sou-index --rebuild)",
			     d->path);
}

static void json_fields(fields *f, json_t *o, const char *key)
{
	json_t *a = json_object_get(o, key), *v;
	size_t i;

	if (json_is_string(a)) {
		fields_add(f, json_string_value(a), json_string_length(a));
		return;
	}
	json_array_foreach(a, i, v)
		if (json_is_string(v))
			fields_add(f, json_string_value(v), json_string_length(v));
}

sou_status sou_docdata_units_of(const char *data, size_t len, sou_segmenter *seg,
				sou_buf *title, sou_buf *body, sou_error *err)
{
	json_error_t je;
	const char *nl = memchr(data, '\n', len);
	size_t jlen = nl ? (size_t)(nl - data) : len, rest = nl ? len - jlen - 1 : 0;
	json_t *o = json_loadb(data, jlen, JSON_ALLOW_NUL, &je);
	json_t *ut, *ub;
	sou_status st = SOU_OK;

	if (!o || !json_is_object(o)) {
		json_decref(o);
		return sou_error_set(err, SOU_ERR_DB, "corrupt stored data: %s", je.text);
	}
	ut = json_object_get(o, "ut");
	ub = json_object_get(o, "ub");
	if (json_is_integer(ut) && json_is_integer(ub) && json_integer_value(ut) >= 0 &&
	    json_integer_value(ub) >= 0 && (size_t)json_integer_value(ut) <= rest &&
	    (size_t)json_integer_value(ub) <= rest - (size_t)json_integer_value(ut)) {
		size_t tl = (size_t)json_integer_value(ut), bl = (size_t)json_integer_value(ub);
		sou_buf_reset(title);
		sou_buf_reset(body);
		sou_buf_add(title, nl + 1 + rest - tl - bl, tl);
		sou_buf_add(body, nl + 1 + rest - bl, bl);
	} else if (json_is_integer(json_object_get(o, "ud"))) {
		/* as post_fields, from the record's own strings (an absent
		 * or empty text adds no units) */
		fields f = { 0 };
		json_fields(&f, o, "title");
		if (!f.n)
			fields_add(&f, "", 0);
		json_fields(&f, o, "tags");
		json_fields(&f, o, "categories");
		json_fields(&f, o, "description");
		json_fields(&f, o, "keywords");
		fields_add(&f, nl ? nl + 1 : "", rest);
		if (!derive(seg, &f, title, body))
			st = sou_error_set(err, SOU_ERR_DB, "corrupt stored data: unit streams "
					   "do not derive");
		fields_free(&f);
	} else {
		st = sou_error_set(err, SOU_ERR_DB, "stored data has no unit streams (an index "
				   "from an older sou, or damaged: run sou-index --rebuild)");
	}
	json_decref(o);
	return st;
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
	json_t *date, *ut, *ub;
	size_t units_len = 0;

	memset(d, 0, sizeof(*d));
	if (!o || !json_is_object(o)) {
		json_decref(o);
		return sou_error_set(err, SOU_ERR_DB, "corrupt stored data: %s", je.text);
	}
	{
		/* the exact bytes of a name that is not UTF-8 (see docdata.h) */
		json_t *raw = json_object_get(o, "path_b64");
		sou_buf b = SOU_BUF_INIT;
		if (json_is_string(raw) &&
		    !b64_decode(json_string_value(raw), json_string_length(raw), &b) && b.len &&
		    !memchr(b.data, '\0', b.len))
			d->path = sou_buf_detach(&b, NULL);
		sou_buf_free(&b);
	}
	if (!d->path)
		d->path = get_str(o, "path", NULL);
	d->title = get_str(o, "title", NULL);
	d->author = get_str(o, "author", NULL);
	d->permalink = get_str(o, "permalink", NULL);
	d->description = get_str(o, "description", NULL);
	ut = json_object_get(o, "ut");
	ub = json_object_get(o, "ub");
	if (json_is_integer(ut) && json_is_integer(ub) && json_integer_value(ut) >= 0 &&
	    json_integer_value(ub) >= 0) {
		size_t tl = (size_t)json_integer_value(ut), bl = (size_t)json_integer_value(ub);
		if (!nl || tl > len - jlen - 1 || bl > len - jlen - 1 - tl) {
			json_decref(o);
			sou_docdata_clear(d);
			return sou_error_set(err, SOU_ERR_DB, "corrupt stored data: unit streams "
					     "longer than the record");
		}
		units_len = tl + bl;
		d->units = SOU_DOCUNITS_STORED;
		d->units_title = sou_xstrndup(nl + 1 + (len - jlen - 1 - units_len), tl);
		d->units_title_len = tl;
		d->units_body = sou_xstrndup(nl + 1 + (len - jlen - 1 - bl), bl);
		d->units_body_len = bl;
	} else if (json_is_integer(json_object_get(o, "ud"))) {
		d->units = SOU_DOCUNITS_DERIVED;
	}
	if (nl) {
		d->text_len = len - jlen - 1 - units_len;
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
	get_list(o, "keywords", &d->keywords);
	if (!d->description)
		d->description = sou_xstrdup("");
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
	free(d->permalink);
	free(d->author);
	free(d->text);
	free(d->description);
	free(d->units_title);
	free(d->units_body);
	sou_strlist_free(&d->tags);
	sou_strlist_free(&d->categories);
	sou_strlist_free(&d->keywords);
	memset(d, 0, sizeof(*d));
}
