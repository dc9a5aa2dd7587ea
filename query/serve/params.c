/*
 * params.c - /search parameters to one query text (see params.h).
 *
 * Every value is checked here, before any search: a name or value that
 * is not UTF-8 or holds NUL, an unknown or repeated parameter (tag and
 * category repeat), numbers out of range, a bad date, sort or facet.  The
 * first problem found is the one reported.  The query text is built from
 * parts, one a parameter, joined by spaces; the workers parse q alone
 * first (a dangling OR in it must not reach into the filters) and, when
 * the whole text fails, each part alone to find the parameter to blame.
 */
#include "params.h"

#include <jansson.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "date.h"
#include "text.h"

#define MAX_FILTER_BYTES 256   /* one tag= or category= value */
#define MAX_DATE_BYTES 64

void sou_serve_params_init(sou_serve_params *p, const sou_serve_limits *lim)
{
	memset(p, 0, sizeof(*p));
	p->lim = lim;
	sou_search_opts_init(&p->o);
	p->o.tz_min = lim->tz_min;
}

void sou_serve_params_free(sou_serve_params *p)
{
	free(p->q);
	free(p->date);
	free(p->sort);
	free(p->limit);
	free(p->offset);
	free(p->facets);
	free(p->facet_limit);
	free(p->bad_param);
	sou_strlist_free(&p->tags);
	sou_strlist_free(&p->cats);
	sou_strlist_free(&p->parts);
	sou_strlist_free(&p->part_names);
	sou_strlist_free(&p->facet_names);
	sou_buf_free(&p->bad);
	sou_buf_free(&p->text);
	memset(p, 0, sizeof(*p));
}

static int set_bad(sou_serve_params *p, const char *param, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Records the first problem; returns 0, so that callers can return it. */
static int set_bad(sou_serve_params *p, const char *param, const char *fmt, ...)
{
	va_list ap;

	if (p->bad_seen)
		return 0;
	p->bad_seen = 1;
	p->bad_param = param ? sou_xstrdup(param) : NULL;
	va_start(ap, fmt);
	sou_buf_vaddf(&p->bad, fmt, ap);
	va_end(ap);
	return 0;
}

void sou_serve_params_too_many(sou_serve_params *p)
{
	set_bad(p, NULL, "more than %d parameters", SOU_SERVE_MAX_PARAMS);
}

static char *dup_n(const char *s, size_t n)
{
	char *d = malloc(n + 1);

	if (!d)
		abort();
	memcpy(d, s, n);
	d[n] = '\0';
	return d;
}

int sou_serve_params_add(sou_serve_params *p, const char *key, size_t key_size,
			 const char *value, size_t value_size)
{
	static const char *const names[] = { "q", "date", "sort", "limit", "offset", "facets",
					       "facet_limit" };
	sou_buf tmp = SOU_BUF_INIT;
	char **one = NULL;
	size_t i;
	int key_ok, ok;

	if (p->bad_seen)
		return 0;
	if (!value) {
		value = "";
		value_size = 0;
	}
	if (++p->n > SOU_SERVE_MAX_PARAMS) {
		sou_serve_params_too_many(p);
		return 0;
	}
	key_ok = strlen(key) == key_size && sou_text_utf8_clean(key, key_size, &tmp);
	ok = key_ok && strlen(value) == value_size && sou_text_utf8_clean(value, value_size, &tmp);
	sou_buf_free(&tmp);
	if (!ok)
		return set_bad(p, key_ok ? key : NULL,
			       "parameter is not valid UTF-8 text (or holds a NUL byte)");
	if (!strcmp(key, "tag") || !strcmp(key, "category")) {
		if (value_size > MAX_FILTER_BYTES)
			return set_bad(p, key, "%s: %zu bytes is over the %d-byte limit", key,
				       value_size, MAX_FILTER_BYTES);
		sou_strlist_push(!strcmp(key, "tag") ? &p->tags : &p->cats, value, value_size);
		return 1;
	}
	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (!strcmp(key, names[i]))
			break;
	switch (i) {
	case 0: one = &p->q; break;
	case 1: one = &p->date; break;
	case 2: one = &p->sort; break;
	case 3: one = &p->limit; break;
	case 4: one = &p->offset; break;
	case 5: one = &p->facets; break;
	case 6: one = &p->facet_limit; break;
	default:
		return set_bad(p, key, "unknown parameter '%.40s' (known: q, tag, category, date, "
			       "sort, limit, offset, facets, facet_limit)", key);
	}
	if (*one)
		return set_bad(p, key, "%s given more than once", key);
	*one = dup_n(value, value_size);
	return 1;
}

/* A whole number from 0 to max, or records the problem. */
static int param_uint(sou_serve_params *p, const char *name, const char *s, unsigned max,
		      unsigned *out)
{
	unsigned long v = 0;
	const char *c = s;

	if (!*c)
		return set_bad(p, name, "%s: expected a whole number from 0 to %u, got nothing",
			       name, max);
	for (; *c; c++) {
		if (*c < '0' || *c > '9' || v > max)
			return set_bad(p, name, "%s: expected a whole number from 0 to %u, got '%.40s'",
				       name, max, s);
		v = v * 10 + (unsigned long)(*c - '0');
	}
	if (v > max)
		return set_bad(p, name, "%s: %lu is over the limit of %u", name, v, max);
	*out = (unsigned)v;
	return 1;
}

/* Adds a part (one parameter's clause) to the text. */
static void add_part(sou_serve_params *p, const char *name, const char *clause)
{
	if (p->text.len)
		sou_buf_addc(&p->text, ' ');
	sou_buf_adds(&p->text, clause);
	sou_strlist_push(&p->parts, clause, strlen(clause));
	sou_strlist_push(&p->part_names, name, strlen(name));
}

/*
 * Adds the part 'FIELD:<quoted value>'.  The query language has no
 * escapes, so the value goes between the first of "…", “…”, 「…」 whose
 * closing quote it does not contain.
 */
static int add_filter(sou_serve_params *p, const char *field, const char *v)
{
	static const char *const q[][2] = {
		{ "\"", "\"" }, { "\xE2\x80\x9C", "\xE2\x80\x9D" }, { "\xE3\x80\x8C", "\xE3\x80\x8D" },
	};
	sou_buf clause = SOU_BUF_INIT;
	size_t i;

	for (i = 0; i < 3; i++)
		if (!strstr(v, q[i][1]))
			break;
	if (i == 3)
		return set_bad(p, field, "%s: a value holding \", ” and 」 cannot be searched", field);
	sou_buf_addf(&clause, "%s:%s%s%s", field, q[i][0], v, q[i][1]);
	add_part(p, field, clause.data);
	sou_buf_free(&clause);
	return 1;
}

int sou_serve_params_build_suggest(sou_serve_params *p)
{
	if (p->bad_seen)
		return 0;
	if (p->sort || p->offset || p->facets || p->facet_limit || p->date || p->tags.n || p->cats.n)
		return set_bad(p, NULL, "/suggest takes only q and limit");
	if (!p->q || !*p->q)
		return set_bad(p, "q", "q: the prefix to complete is missing");
	if (strlen(p->q) > 200)
		return set_bad(p, "q", "q: %zu bytes is over the 200-byte limit", strlen(p->q));
	p->o.limit = SOU_SERVE_SUGGEST_DEFAULT;
	if (p->limit && !param_uint(p, "limit", p->limit, SOU_SERVE_SUGGEST_MAX, &p->o.limit))
		return 0;
	if (!p->o.limit)
		return set_bad(p, "limit", "limit: expected 1 to %d", SOU_SERVE_SUGGEST_MAX);
	sou_buf_reset(&p->text);
	sou_buf_adds(&p->text, p->q);
	p->suggest = 1;
	return 1;
}

int sou_serve_params_build(sou_serve_params *p)
{
	const sou_serve_limits *lim = p->lim;
	sou_search_opts *o = &p->o;
	size_t i;

	if (p->bad_seen)
		return 0;
	if (p->q && strlen(p->q) > lim->max_query_bytes)
		return set_bad(p, "q", "q: %zu bytes is over the %zu-byte limit", strlen(p->q),
			       lim->max_query_bytes);
	if (p->sort) {
		if (!strcmp(p->sort, "relevance"))
			o->sort = SOU_SORT_RELEVANCE;
		else if (!strcmp(p->sort, "-date"))
			o->sort = SOU_SORT_DATE_DESC;
		else if (!strcmp(p->sort, "date"))
			o->sort = SOU_SORT_DATE_ASC;
		else
			return set_bad(p, "sort", "sort: expected relevance, date or -date, got '%.40s'",
				       p->sort);
	}
	if (p->limit && !param_uint(p, "limit", p->limit, lim->max_limit, &o->limit))
		return 0;
	if (p->offset && !param_uint(p, "offset", p->offset, lim->max_offset, &o->offset))
		return 0;
	if (p->facets) {
		/* as sou-query --facets: empty names are skipped, so "" and
		 * "," ask for none */
		const char *f = p->facets;
		while (*f) {
			size_t n = strcspn(f, ",");
			if ((n == 3 && !strncmp(f, "tag", 3)) || (n == 8 && !strncmp(f, "category", 8)) ||
			    (n == 5 && !strncmp(f, "month", 5)))
				sou_strlist_push_unique(&p->facet_names, f, n);
			else if (n)
				return set_bad(p, "facets", "facets: expected a comma-separated list of "
					       "tag, category and month, got '%.*s'", (int)(n < 40 ? n : 40), f);
			f += n + (f[n] == ',');
		}
		if (p->facet_names.n)
			o->facets = &p->facet_names;
	}
	if (p->facet_limit) {
		if (!param_uint(p, "facet_limit", p->facet_limit, SOU_FACET_LIMIT_MAX, &o->facet_top))
			return 0;
		if (!o->facet_top)
			return set_bad(p, "facet_limit", "facet_limit: expected 1 to %d",
				       SOU_FACET_LIMIT_MAX);
	}
	if (p->q && strspn(p->q, " \t") < strlen(p->q))
		add_part(p, "q", p->q);
	for (i = 0; i < p->tags.n; i++)
		if (!add_filter(p, "tag", p->tags.v[i]))
			return 0;
	for (i = 0; i < p->cats.n; i++)
		if (!add_filter(p, "category", p->cats.v[i]))
			return 0;
	if (p->date) {
		const char *c;
		sou_date_range dr;
		sou_error derr;
		sou_buf clause = SOU_BUF_INIT;

		if (strlen(p->date) > MAX_DATE_BYTES)
			return set_bad(p, "date", "date: over %d bytes", MAX_DATE_BYTES);
		for (c = p->date; *c; c++)
			if (!((*c >= '0' && *c <= '9') || *c == '-' || *c == '.'))
				return set_bad(p, "date", "date: expected YYYY, YYYY-MM, YYYY-MM-DD or a range "
					       "A..B of them, got '%s'", p->date);
		if (!*p->date)
			return set_bad(p, "date", "date: needs a value");
		if (sou_date_range_parse(p->date, o->tz_min, &dr, &derr))
			return set_bad(p, "date", "%s", derr.msg);
		sou_buf_addf(&clause, "date:%s", p->date);
		add_part(p, "date", clause.data);
		sou_buf_free(&clause);
	}
	if (!p->parts.n)
		return set_bad(p, "q", "empty query: give q, or a tag, category or date filter");
	return 1;
}

void sou_serve_error_json(sou_buf *out, unsigned code, const char *param, const char *msg)
{
	sou_buf clean = SOU_BUF_INIT;
	json_t *e = json_object(), *o = json_object();
	char *s;

	/* messages quote the request; JSON needs valid UTF-8 */
	if (!sou_text_utf8_clean(msg, strlen(msg), &clean))
		msg = clean.data;
	json_object_set_new(e, "status", json_integer(code));
	if (param)
		json_object_set_new(e, "parameter", json_string(param));
	json_object_set_new(e, "message", json_string(msg));
	json_object_set_new(o, "error", e);
	s = json_dumps(o, JSON_COMPACT);
	if (!s)
		abort();
	sou_buf_reset(out);
	sou_buf_adds(out, s);
	sou_buf_addc(out, '\n');
	free(s);
	json_decref(o);
	sou_buf_free(&clean);
}
