/*
 * params.h - the parameters of GET /search, checked and turned into one
 * query text, and the JSON error bodies of sou-serve.
 *
 * /search?q=Q&tag=T&category=C&date=D&sort=&limit=&offset=&facets=&facet_limit=
 * is the query text "Q tag:"T" category:"C" date:D" (filters quoted with the
 * first of "…", “…”, 「…」 their value does not close) with sou-query's
 * options; README "sou-serve" documents each parameter.  Checking needs
 * no index, so it runs in the HTTP threads; parsing the text (which
 * needs the index's term generator) is the search workers' (workers.h),
 * which blame a parameter with sou_serve_params' parts.
 */
#ifndef SOU_SERVE_PARAMS_H
#define SOU_SERVE_PARAMS_H

#include <stddef.h>

#include "buf.h"
#include "search.h"

/* More parameters than this are refused (400, no parameter blamed). */
#define SOU_SERVE_MAX_PARAMS 64

typedef struct sou_serve_limits {
	size_t max_query_bytes;    /* q */
	unsigned max_limit;        /* limit= */
	unsigned max_offset;       /* offset= */
	int tz_min;                /* zone of date= */
} sou_serve_limits;

/* One request's parameters; every pointer owned by it (sou_serve_params_free). */
typedef struct sou_serve_params {
	const sou_serve_limits *lim;   /* borrowed */
	unsigned n;                    /* parameters seen */
	/* raw values (owned copies); q may hold no NUL, so qlen is strlen */
	char *q, *date, *sort, *limit, *offset, *facets, *facet_limit;
	sou_strlist tags, cats;
	/* the first problem found: its message, and the parameter to blame
	 * (a static name or one of the request's, copied; NULL: none in
	 * particular, or its name is not text) */
	int bad_seen;
	char *bad_param;
	sou_buf bad;
	/* after sou_serve_params_build: the whole query text, and its parts
	 * in order, each one parameter's clause ("Q", "tag:\"T\"", ...),
	 * with the parameter it came from in part_names */
	sou_buf text;
	sou_strlist parts, part_names;
	sou_search_opts o;             /* facets point into facet_names */
	sou_strlist facet_names;
	int suggest;                   /* GET /suggest (sou_serve_params_build_suggest) */
} sou_serve_params;

/* An empty set of parameters under lim (borrowed, must outlive p). */
void sou_serve_params_init(sou_serve_params *p, const sou_serve_limits *lim);
void sou_serve_params_free(sou_serve_params *p);

/* Completions asked per /suggest at most, and by default. */
#define SOU_SERVE_SUGGEST_MAX 20
#define SOU_SERVE_SUGGEST_DEFAULT 8

/*
 * GET /suggest?q=PREFIX&limit=N: only q (the prefix, required, at most
 * SOU_SUGGEST_KEY_MAX bytes: longer prefixes complete to nothing) and
 * limit (1 to SOU_SERVE_SUGGEST_MAX, default SOU_SERVE_SUGGEST_DEFAULT)
 * are allowed.  On success p->suggest is 1, p->text holds the prefix and
 * p->o.limit the number; returns 0 with the problem recorded otherwise.
 */
int sou_serve_params_build_suggest(sou_serve_params *p);

/*
 * Adds one query-string parameter (key and value as decoded, with their
 * lengths: a NUL inside either is refused).  Returns 0 once a problem is
 * recorded (the caller stops adding), else 1.
 */
int sou_serve_params_add(sou_serve_params *p, const char *key, size_t key_size,
			 const char *value, size_t value_size);

/* Records "more than SOU_SERVE_MAX_PARAMS parameters" (the request's
 * parameters were not all read). */
void sou_serve_params_too_many(sou_serve_params *p);

/*
 * Checks the values and builds text, parts and o.  Returns 0 with the
 * problem recorded (bad_seen), else 1.
 */
int sou_serve_params_build(sou_serve_params *p);

/*
 * The JSON error body {"error": {"status": CODE, "parameter": PARAM,
 * "message": MSG}} and a newline into out (replacing it); "parameter"
 * only when param is not NULL.  msg may hold any bytes: what is not
 * UTF-8 becomes U+FFFD.
 */
void sou_serve_error_json(sou_buf *out, unsigned code, const char *param, const char *msg);

#endif
