/*
 * postdoc.c - a post file's bytes to its Xapian document (see postdoc.h).
 */
#include "postdoc.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "docdata.h"
#include "schema.h"
#include "text.h"
#include "entity.h"
#include "suggest.h"
#include "tune.h"

struct sou_postdoc {
	sou_post *post;   /* the last successful parse, or NULL */
	sou_buf clean;    /* the input with invalid UTF-8 replaced, when it had any */
	sou_buf text;     /* the body as plain text */
	sou_buf idterm;   /* id term of the last built document */
	sou_buf data;     /* docdata record, scratch */
	sou_buf facet;    /* facet value, scratch */
	sou_strlist entities; /* the companies of the last built document */
	const sou_cancel *cancel;
};

/* A buffer that one big post grew is given back rather than kept for the
 * rest of the run (a worker would hold tens of MB for nothing). */
#define KEEP_BYTES (1u << 20)

static void trim(sou_buf *b)
{
	if (b->cap > KEEP_BYTES)
		sou_buf_free(b);
}

void sou_postdoc_set_cancel(sou_postdoc *pd, const sou_cancel *cancel)
{
	pd->cancel = cancel;
}

sou_postdoc *sou_postdoc_create(void)
{
	return sou_xcalloc(1, sizeof(sou_postdoc));
}

void sou_postdoc_destroy(sou_postdoc *pd)
{
	if (!pd)
		return;
	sou_post_destroy(pd->post);
	sou_buf_free(&pd->clean);
	sou_buf_free(&pd->text);
	sou_buf_free(&pd->idterm);
	sou_buf_free(&pd->data);
	sou_buf_free(&pd->facet);
	sou_strlist_free(&pd->entities);
	free(pd);
}

sou_status sou_postdoc_parse(sou_postdoc *pd, const char *path, const char *data,
			     size_t len, int tz_min, sou_error *err)
{
	const char *dot = strrchr(path, '.'), *nul;
	sou_status st;

	sou_post_destroy(pd->post);
	pd->post = NULL;
	trim(&pd->clean);
	trim(&pd->text);
	trim(&pd->data);
	sou_buf_reset(&pd->text);
	nul = memchr(data, '\0', len < SOU_POSTDOC_BINARY_SNIFF ? len : SOU_POSTDOC_BINARY_SNIFF);
	if (nul)
		return sou_error_set(err, SOU_ERR_NOFRONTMATTER,
				     "%s: binary file (NUL byte at offset %zu)", path,
				     (size_t)(nul - data));
	if (!sou_text_utf8_clean(data, len, &pd->clean)) {
		data = pd->clean.data;
		len = pd->clean.len;
	}
	if ((st = sou_frontmatter_parse_cancel(path, data, len, tz_min, pd->cancel, &pd->post,
					       err)))
		return st;
	st = sou_text_from_body_cancel(pd->post->body, pd->post->body_len,
				       dot && !strcmp(dot, ".html") ? SOU_BODY_HTML : SOU_BODY_MARKDOWN,
				       pd->cancel, &pd->text, err);
	if (st) {
		sou_error_prefix(err, path);
		sou_post_destroy(pd->post);
		pd->post = NULL;
	}
	return st;
}

const sou_post *sou_postdoc_post(const sou_postdoc *pd)
{
	return pd->post;
}

const char *sou_postdoc_text(const sou_postdoc *pd, size_t *len)
{
	*len = pd->text.len;
	return pd->text.data ? pd->text.data : "";
}

const char *sou_postdoc_idterm(const sou_postdoc *pd)
{
	return pd->idterm.data ? pd->idterm.data : "";
}

/* Tags or categories: searchable words (boosted) and folded filter terms. */
static sou_status index_list(sou_termgen *tg, const sou_strlist *l, const char *prefix,
			     sou_error *err)
{
	size_t i;
	sou_status st;

	for (i = 0; i < l->n; i++) {
		size_t n = strlen(l->v[i]);
		if ((st = sou_termgen_index(tg, SOU_FIELD_BODY, l->v[i], n, SOU_WDF_TAG, err)) ||
		    (st = sou_termgen_add_filter(tg, prefix, l->v[i], n, err)))
			return st;
		/* tags are typed by their sound too (categories are browsed) */
		if (!strcmp(prefix, SOU_PREFIX_TAG) &&
		    (st = sou_termgen_index_pinyin(tg, l->v[i], n, err)))
			return st;
	}
	return SOU_OK;
}

/* A facet value: the list as written, SOU_FACET_SEP between entries. */
static void set_facet(sou_postdoc *pd, sou_xdoc *doc, unsigned slot, const sou_strlist *l)
{
	size_t i;

	sou_buf_reset(&pd->facet);
	for (i = 0; i < l->n; i++) {
		if (i)
			sou_buf_addc(&pd->facet, SOU_FACET_SEP);
		sou_buf_adds(&pd->facet, l->v[i]);
	}
	if (pd->facet.len)
		sou_xdoc_set_value(doc, slot, pd->facet.data, pd->facet.len);
}

/*
 * The day slot and the order slot (schema.h): the order key is the date
 * (or zeros) then the key, so no two posts rank alike.  Uses pd->facet as
 * scratch (set_facet is done with it).
 */
static void set_order(sou_postdoc *pd, sou_xdoc *doc, const sou_post *p, const char *key)
{
	uint64_t t = 0;

	if (p->has_date) {
		int64_t e = p->date.epoch;
		/* floor division: days before 1970 round down too */
		long day = (long)(e >= 0 ? e / 86400 : -((-e + 86399) / 86400));
		char d[32];
		int n = snprintf(d, sizeof(d), "%0*ld", SOU_DAY_WIDTH, day + SOU_DAY_OFFSET);
		if (n > 0)
			sou_xdoc_set_value(doc, SOU_SLOT_DAY, d, (size_t)n);
		t = (uint64_t)e ^ ((uint64_t)1 << 63);
	}
	sou_buf_reset(&pd->facet);
	sou_buf_addf(&pd->facet, "%0*" PRIx64, SOU_ORDER_DATE_WIDTH, t);
	sou_buf_adds(&pd->facet, key);
	sou_xdoc_set_value(doc, SOU_SLOT_ORDER, pd->facet.data, pd->facet.len);
}

/* Boolean filter term prefix + the formatted date field. */
static void add_date_term(sou_xdoc *doc, const char *prefix, const char *fmt, int a, int b,
			  int c)
{
	char t[48];
	int n = snprintf(t, sizeof(t), "%s", prefix);

	snprintf(t + n, sizeof(t) - (size_t)n, fmt, a, b, c);
	sou_xdoc_add_boolean(doc, t, strlen(t));
}

static sou_status build(sou_postdoc *pd, sou_termgen *tg, const char *key, sou_xdoc *doc,
			sou_error *err)
{
	const sou_post *p = pd->post;
	sou_strlist names = {NULL, 0};
	sou_status st;
	size_t i;

	sou_termgen_begin(tg, doc);
	if (p->title) {
		size_t n = strlen(p->title);
		if ((st = sou_termgen_index(tg, SOU_FIELD_TITLE, p->title, n, 1, err)) ||
		    (st = sou_termgen_index(tg, SOU_FIELD_BODY, p->title, n, SOU_WDF_TITLE, err)) ||
		    (st = sou_termgen_index_pinyin(tg, p->title, n, err)))
			return st;
	}
	if ((st = index_list(tg, &p->tags, SOU_PREFIX_TAG, err)) ||
	    (st = index_list(tg, &p->categories, SOU_PREFIX_CATEGORY, err)))
		return st;
	if (p->description &&
	    (st = sou_termgen_index(tg, SOU_FIELD_BODY, p->description, strlen(p->description),
				    SOU_WDF_BODY, err)))
		return st;
	for (i = 0; i < p->keywords.n; i++)
		if ((st = sou_termgen_index(tg, SOU_FIELD_BODY, p->keywords.v[i],
					    strlen(p->keywords.v[i]), SOU_WDF_BODY, err)))
			return st;
	if ((st = sou_termgen_index(tg, SOU_FIELD_BODY, pd->text.data ? pd->text.data : "",
				    pd->text.len, SOU_WDF_BODY, err)))
		return st;
	if (p->author && (st = sou_termgen_add_filter(tg, SOU_PREFIX_AUTHOR, p->author,
						      strlen(p->author), err)))
		return st;
	/* companies named with their codes (entity.h), in the title and body */
	sou_strlist_free(&pd->entities);
	if (p->title)
		sou_entity_mine(sou_termgen_segmenter(tg), p->title, strlen(p->title), &pd->entities);
	sou_entity_mine(sou_termgen_segmenter(tg), pd->text.data ? pd->text.data : "", pd->text.len,
			&pd->entities);
	sou_entity_index(doc, &pd->entities, &pd->facet);
	/* the companies' names by their sound too (gzmt), like titles */
	for (i = 0; !st && i < pd->entities.n; i++) {
		const char *name = strchr(pd->entities.v[i], SOU_ENTITY_SEP);
		if (name && name[1]) {
			st = sou_termgen_index_pinyin(tg, name + 1, strlen(name + 1), err);
			sou_strlist_push(&names, name + 1, strlen(name + 1));
		}
	}
	/* completion keys (suggest.h); SOU_TUNE suggest=0 leaves them out */
	if (!st && sou_tune("suggest", 1))
		st = sou_suggest_index(sou_termgen_segmenter(tg), sou_termgen_pinyin(tg), doc,
				       p->title, &p->tags, &names, err);
	sou_strlist_free(&names);
	if (st)
		return st;
	set_facet(pd, doc, SOU_SLOT_TAGS, &p->tags);
	set_facet(pd, doc, SOU_SLOT_CATEGORIES, &p->categories);
	if (p->has_date) {
		int y, m, d;
		char t[32];
		sou_date_fields(&p->date, &y, &m, &d);
		snprintf(t, sizeof(t), "%04u-%02u", (unsigned)y % 10000u, (unsigned)m % 100u);
		sou_xdoc_set_value(doc, SOU_SLOT_MONTH, t, strlen(t));
		add_date_term(doc, SOU_PREFIX_YEAR, "%04d", y, 0, 0);
		add_date_term(doc, SOU_PREFIX_MONTH, "%04d%02d", y, m, 0);
		add_date_term(doc, SOU_PREFIX_DAY, "%04d%02d%02d", y, m, d);
		sou_xdoc_set_number(doc, SOU_SLOT_DATE, (double)p->date.epoch);
	}
	set_order(pd, doc, p, key);
	if (p->title && *p->title)
		sou_xdoc_set_value(doc, SOU_SLOT_TITLE, p->title, strlen(p->title));
	sou_termgen_idterm(key, &pd->idterm);
	sou_xdoc_add_boolean(doc, pd->idterm.data, pd->idterm.len);
	{
		/* the unit streams queries are checked against (docdata.h) */
		sou_docunits u;
		u.seg = sou_termgen_segmenter(tg);
		u.title = sou_termgen_units(tg, SOU_FIELD_TITLE, &u.title_len);
		u.body = sou_termgen_units(tg, SOU_FIELD_BODY, &u.body_len);
		sou_docdata_encode_units(p, key, pd->text.data ? pd->text.data : "", pd->text.len,
					 &u, &pd->data);
	}
	sou_xdoc_set_data(doc, pd->data.data, pd->data.len);
	return SOU_OK;
}

sou_status sou_postdoc_build(sou_postdoc *pd, sou_termgen *tg, const char *key,
			     sou_xdoc **doc, sou_error *err)
{
	sou_status st;

	*doc = NULL;
	sou_buf_reset(&pd->idterm);
	if (!pd->post)
		return sou_error_set(err, SOU_ERR_INTERNAL, "%s: no parsed post to build", key);
	*doc = sou_xdoc_create();
	if ((st = build(pd, tg, key, *doc, err))) {
		sou_xdoc_destroy(*doc);
		*doc = NULL;
	}
	return st;
}
