/*
 * search.c - running queries and rendering hits (see search.h).
 *
 * Rendering: every string from the index (titles, tags, paths, snippets,
 * facet values) may hold anything a post's author or a file name put
 * there.  JSON gets valid UTF-8 (invalid bytes become U+FFFD; a path that
 * is not valid UTF-8 also gets "path_escaped"); text for people goes
 * through sou_buf_add_escaped, and highlight markers and colours are
 * added after escaping, so that only sou's own escape sequences reach a
 * terminal.
 */
#include "search.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "genlock.h"
#include "qparse.h"
#include "termgen.h"
#include "text.h"

struct sou_searcher {
	sou_xdb *db;
	sou_termgen *tg;
};

void sou_search_opts_init(sou_search_opts *o)
{
	memset(o, 0, sizeof(*o));
	o->sort = SOU_SORT_RELEVANCE;
	o->limit = 10;
	o->tz_min = SOU_DEFAULT_TZ_MIN;
	o->snippet_cols = 150;
	o->recency_weight = 1.0;
	o->facet_exact = 10000;
	o->facet_top = 10;
}

sou_status sou_searcher_create(const char *db_path, sou_searcher **out, sou_error *err)
{
	sou_searcher *s = sou_xcalloc(1, sizeof(*s));
	sou_status st;

	*out = NULL;
	if ((st = sou_xdb_open(db_path, SOU_XDB_READ, &s->db, err))) {
		if (st == SOU_ERR_NOTFOUND)
			sou_error_set(err, st, "%s: no index here (run sou-index --db %s PATH first)",
				      db_path, db_path);
		free(s);
		return st;
	}
	if ((st = sou_termgen_create(&s->tg, err))) {
		sou_searcher_destroy(s);
		return st;
	}
	*out = s;
	return SOU_OK;
}

void sou_searcher_destroy(sou_searcher *s)
{
	if (!s)
		return;
	sou_xdb_destroy(s->db);
	sou_termgen_destroy(s->tg);
	free(s);
}

sou_termgen *sou_searcher_termgen(sou_searcher *s)
{
	return s->tg;
}

void sou_results_destroy(sou_results *r)
{
	size_t i;

	if (!r)
		return;
	for (i = 0; i < r->n; i++) {
		sou_docdata_clear(&r->hits[i].doc);
		sou_buf_free(&r->hits[i].snippet);
		sou_ranges_free(&r->hits[i].snippet_hl);
		sou_ranges_free(&r->hits[i].title_hl);
	}
	free(r->hits);
	for (i = 0; i < r->nfacets; i++) {
		free(r->facets[i].name);
		sou_strlist_free(&r->facets[i].values);
		free(r->facets[i].counts);
	}
	free(r->facets);
	free(r);
}

/* Value slot of a facet name (-1 if unknown) and its canonical name. */
static int facet_slot(const char *name, const char **canon)
{
	if (!strcmp(name, "tag") || !strcmp(name, "tags"))
		return *canon = "tag", SOU_SLOT_TAGS;
	if (!strcmp(name, "category") || !strcmp(name, "categories"))
		return *canon = "category", SOU_SLOT_CATEGORIES;
	if (!strcmp(name, "month"))
		return *canon = "month", SOU_SLOT_MONTH;
	return -1;
}

sou_status sou_searcher_run(sou_searcher *s, const char *query,
			    const sou_search_opts *o, sou_results **out,
			    sou_error *err)
{
	sou_query *q = NULL;
	sou_xmset *m = NULL;
	sou_results *r;
	sou_xsearch xs;
	sou_status st;
	size_t i;
	sou_segmenter *seg = sou_termgen_segmenter(s->tg);

	sou_xq *like = NULL, *final = NULL;
	sou_strlist like_words = { NULL, 0 };
	unsigned slots[8];
	const char *names[8];
	size_t nslots = 0;

	*out = NULL;
	for (i = 0; o->facets && i < o->facets->n; i++) {
		int sl = nslots < 8 ? facet_slot(o->facets->v[i], &names[nslots]) : -1;
		if (sl < 0)
			return sou_error_set(err, SOU_ERR_USAGE,
					     "--facets: unknown facet '%s' (tag, category or month)",
					     o->facets->v[i]);
		slots[nslots++] = (unsigned)sl;
	}
	if (o->like) {
		sou_buf id = SOU_BUF_INIT;
		sou_termgen_idterm(o->like, &id);
		st = sou_xdb_like(s->db, id.data, 30, &like, &like_words, err);
		sou_buf_free(&id);
		if (st == SOU_ERR_NOTFOUND) /* the user named a post that is not there */
			st = sou_error_set(err, SOU_ERR_USAGE,
					   "--like %s: no such post in the index (give its path as "
					   "sou-query prints it)", o->like);
		if (st) {
			sou_strlist_free(&like_words);
			return st;
		}
	}
	if (query && *query && (st = sou_query_parse(s->tg, query, o->tz_min, &q, err))) {
		sou_xq_destroy(like);
		sou_strlist_free(&like_words);
		return st;
	}
	if (like && q) {
		sou_xq *pair[2] = { like, (sou_xq *)sou_query_xq(q) };
		final = sou_xq_combine(SOU_XQ_FILTER, pair, 2);
	} else if (like) {
		final = like;
		like = NULL;
	}
	if (!q && !final) {
		sou_strlist_free(&like_words);
		return sou_error_set(err, SOU_ERR_QUERY, "empty query");
	}
	memset(&xs, 0, sizeof(xs));
	xs.facet_slots = slots;
	xs.nfacets = nslots;
	xs.facet_exact = o->facet_exact;
	xs.sort = o->sort;
	xs.date_slot = SOU_SLOT_DATE;
	xs.offset = o->offset;
	xs.limit = o->limit;
	xs.check_at_least = 0;
	xs.halflife_days = o->halflife_days;
	xs.recency_weight = o->recency_weight;
	xs.now = o->now;
	st = sou_xdb_search(s->db, final ? final : sou_query_xq(q), &xs, &m, err);
	sou_xq_destroy(final);
	sou_xq_destroy(like);
	if (st) {
		sou_query_destroy(q);
		sou_strlist_free(&like_words);
		return st;
	}
	r = sou_xcalloc(1, sizeof(*r));
	r->n = sou_xmset_size(m);
	r->hits = sou_xcalloc(r->n ? r->n : 1, sizeof(*r->hits));
	r->estimated = sou_xmset_estimated(m);
	r->lower = sou_xmset_lower(m);
	r->upper = sou_xmset_upper(m);
	r->offset = o->offset;
	r->nfacets = nslots;
	r->facets = sou_xcalloc(nslots ? nslots : 1, sizeof(*r->facets));
	for (i = 0; i < nslots; i++) {
		sou_xfacet f = sou_xmset_facet(m, i);
		sou_facet *rf = &r->facets[i];
		size_t k, top = f.n < o->facet_top ? f.n : o->facet_top;
		rf->name = sou_xstrdup(names[i]);
		rf->counts = sou_xcalloc(top ? top : 1, sizeof(unsigned long));
		rf->counted = f.seen;
		rf->exact = f.exact;
		for (k = 0; k < top; k++) {
			sou_strlist_push(&rf->values, f.values[k], strlen(f.values[k]));
			/* beyond the exact limit: scale to the estimated match count */
			rf->counts[k] = f.exact || !f.seen ? f.counts[k]
				: (unsigned long)((double)f.counts[k] * (double)r->estimated / (double)f.seen + 0.5);
		}
	}
	for (i = 0; i < r->n && !st; i++) {
		sou_hit *h = &r->hits[i];
		size_t len;
		const char *data = sou_xmset_data(m, i, &len);
		sou_error derr;

		h->rank = o->offset + (unsigned)i + 1;
		h->score = sou_xmset_weight(m, i);
		if ((st = sou_docdata_decode(data, len, &h->doc, &derr))) {
			/* sou-index wrote it: a record that does not decode is damage */
			st = sou_error_set(err, SOU_ERR_DB, "the index is damaged (a stored post "
					   "does not decode: %s): " SOU_GENLOCK_REBUILD_HINT, derr.msg);
			break;
		}
		if (o->snippet_cols)
			st = sou_snippet_make(seg, h->doc.text, h->doc.text_len,
					      q ? sou_query_patterns(q) : &like_words, o->snippet_cols,
					      &h->snippet, &h->snippet_hl, err);
		if (!st) {
			sou_buf tmp = SOU_BUF_INIT;
			st = sou_snippet_make(seg, h->doc.title, strlen(h->doc.title),
					      q ? sou_query_patterns(q) : &like_words, 0, &tmp,
					      &h->title_hl, err);
			sou_buf_free(&tmp);
		}
	}
	sou_xmset_destroy(m);
	sou_query_destroy(q);
	sou_strlist_free(&like_words);
	if (st) {
		sou_results_destroy(r);
		return st;
	}
	*out = r;
	return SOU_OK;
}

/* A JSON string of s, with bytes that are not valid UTF-8 as U+FFFD. */
static json_t *json_text(const char *s)
{
	sou_buf clean = SOU_BUF_INIT;
	json_t *j;

	if (sou_text_utf8_clean(s, strlen(s), &clean))
		return json_string(s);
	j = json_stringn(clean.data, clean.len);
	sou_buf_free(&clean);
	return j;
}

static json_t *list_json(const sou_strlist *l)
{
	json_t *a = json_array();
	size_t i;

	for (i = 0; i < l->n; i++)
		json_array_append_new(a, json_text(l->v[i]));
	return a;
}

static json_t *ranges_json(const sou_ranges *r)
{
	json_t *a = json_array();
	size_t i;

	for (i = 0; i < r->n; i++)
		json_array_append_new(a, json_pack("[II]", (json_int_t)r->v[2 * i],
						   (json_int_t)r->v[2 * i + 1]));
	return a;
}

void sou_results_json(const sou_results *r, const char *query, int compact,
		      sou_buf *out)
{
	json_t *o = json_object(), *hits = json_array();
	sou_buf esc = SOU_BUF_INIT;
	size_t i;
	char *s;

	json_object_set_new(o, "query", json_text(query ? query : ""));
	json_object_set_new(o, "estimated_total", json_integer((json_int_t)r->estimated));
	json_object_set_new(o, "total_lower_bound", json_integer((json_int_t)r->lower));
	json_object_set_new(o, "total_upper_bound", json_integer((json_int_t)r->upper));
	json_object_set_new(o, "offset", json_integer(r->offset));
	for (i = 0; i < r->n; i++) {
		const sou_hit *h = &r->hits[i];
		json_t *x = json_object();
		char iso[32];

		json_object_set_new(x, "rank", json_integer(h->rank));
		json_object_set_new(x, "path", json_text(h->doc.path));
		if (!sou_text_utf8_clean(h->doc.path, strlen(h->doc.path), &esc)) {
			/* not UTF-8: "path" is lossy, this names the file exactly */
			sou_buf_reset(&esc);
			sou_buf_add_escaped(&esc, h->doc.path, strlen(h->doc.path));
			json_object_set_new(x, "path_escaped", json_string(esc.data));
		}
		json_object_set_new(x, "title", json_text(h->doc.title));
		json_object_set_new(x, "title_highlights", ranges_json(&h->title_hl));
		json_object_set_new(x, "date", h->doc.has_date
				    ? json_string(sou_date_iso(&h->doc.date, iso)) : json_null());
		json_object_set_new(x, "tags", list_json(&h->doc.tags));
		json_object_set_new(x, "categories", list_json(&h->doc.categories));
		json_object_set_new(x, "score", json_real(h->score));
		json_object_set_new(x, "snippet", json_text(h->snippet.data ? h->snippet.data : ""));
		json_object_set_new(x, "highlights", ranges_json(&h->snippet_hl));
		json_array_append_new(hits, x);
	}
	json_object_set_new(o, "hits", hits);
	if (r->nfacets) {
		json_t *fs = json_object();
		for (i = 0; i < r->nfacets; i++) {
			const sou_facet *f = &r->facets[i];
			json_t *fo = json_object(), *vals = json_array();
			size_t k;
			json_object_set_new(fo, "exact", json_boolean(f->exact));
			json_object_set_new(fo, "counted", json_integer((json_int_t)f->counted));
			for (k = 0; k < f->values.n; k++)
				json_array_append_new(vals, json_pack("{s:o,s:I}", "value",
								      json_text(f->values.v[k]),
								      "count", (json_int_t)f->counts[k]));
			json_object_set_new(fo, "values", vals);
			json_object_set_new(fs, f->name, fo);
		}
		json_object_set_new(o, "facets", fs);
	}
	s = json_dumps(o, compact ? JSON_COMPACT : JSON_INDENT(2));
	sou_buf_reset(out);
	if (!s)
		abort();
	sou_buf_adds(out, s);
	sou_buf_addc(out, '\n');
	free(s);
	json_decref(o);
	sou_buf_free(&esc);
}

/* Appends text, escaped, with ranges marked by on/off strings. */
static void add_marked(sou_buf *out, const char *t, size_t len, const sou_ranges *r,
		       const char *on, const char *off)
{
	size_t at = 0, i;

	for (i = 0; i < r->n; i++) {
		size_t s = r->v[2 * i], e = r->v[2 * i + 1];
		if (s < at || e > len)
			continue;
		sou_buf_add_escaped(out, t + at, s - at);
		sou_buf_adds(out, on);
		sou_buf_add_escaped(out, t + s, e - s);
		sou_buf_adds(out, off);
		at = e;
	}
	sou_buf_add_escaped(out, t + at, len - at);
}

static void add_text(sou_buf *out, const char *s)
{
	sou_buf_add_escaped(out, s, strlen(s));
}

static void add_list(sou_buf *out, const sou_strlist *l)
{
	size_t i;

	for (i = 0; i < l->n; i++) {
		if (i)
			sou_buf_adds(out, ", ");
		add_text(out, l->v[i]);
	}
}

void sou_results_text(const sou_results *r, int color, sou_buf *out)
{
	const char *hl_on = color ? "\033[1;31m" : "**", *hl_off = color ? "\033[0m" : "**";
	const char *b_on = color ? "\033[1m" : "", *b_off = color ? "\033[0m" : "";
	const char *dim_on = color ? "\033[2m" : "", *dim_off = color ? "\033[0m" : "";
	size_t i;

	sou_buf_reset(out);
	for (i = 0; i < r->n; i++) {
		const sou_hit *h = &r->hits[i];
		char day[32];

		sou_buf_addf(out, "%3u. %s  ", h->rank,
			     h->doc.has_date ? sou_date_day(&h->doc.date, day) : "----------");
		sou_buf_adds(out, b_on);
		add_marked(out, h->doc.title, strlen(h->doc.title), &h->title_hl,
			   color ? "\033[1;31m" : "**", color ? "\033[0;1m" : "**");
		sou_buf_adds(out, b_off);
		sou_buf_addc(out, '\n');
		sou_buf_adds(out, "     ");
		sou_buf_adds(out, dim_on);
		if (h->doc.tags.n) {
			sou_buf_adds(out, "tags: ");
			add_list(out, &h->doc.tags);
			sou_buf_adds(out, "  ");
		}
		if (h->doc.categories.n) {
			sou_buf_adds(out, "category: ");
			add_list(out, &h->doc.categories);
			sou_buf_adds(out, "  ");
		}
		add_text(out, h->doc.path);
		sou_buf_adds(out, dim_off);
		sou_buf_addc(out, '\n');
		if (h->snippet.len) {
			sou_buf_adds(out, "     ");
			add_marked(out, h->snippet.data, h->snippet.len, &h->snippet_hl,
				   hl_on, hl_off);
			sou_buf_addc(out, '\n');
		}
		sou_buf_addc(out, '\n');
	}
	if (r->n)
		sou_buf_addf(out, "about %lu result%s; showing %u-%u\n", r->estimated,
			     r->estimated == 1 ? "" : "s", r->offset + 1,
			     r->offset + (unsigned)r->n);
	else
		sou_buf_addf(out, "no results%s\n", r->estimated ? " on this page" : "");
	for (i = 0; i < r->nfacets; i++) {
		const sou_facet *f = &r->facets[i];
		size_t k;
		sou_buf_addf(out, "%s%-9s", i ? "" : "\n", f->name);
		for (k = 0; k < f->values.n; k++) {
			sou_buf_adds(out, k ? ", " : " ");
			add_text(out, f->values.v[k]);
			sou_buf_addf(out, " (%s%lu)", f->exact ? "" : "~", f->counts[k]);
		}
		sou_buf_addf(out, "%s\n", f->exact ? "" : "  [estimated]");
	}
}
