/*
 * search.h - libsouquery: running a query and rendering the results.
 *
 * A sou_searcher holds an open index and a term generator, so many
 * queries (sou-query --batch, benchmarks) pay the opening cost once.
 */
#ifndef SOU_SEARCH_H
#define SOU_SEARCH_H

#include <stddef.h>

#include "buf.h"
#include "docdata.h"
#include "entity.h"
#include "error.h"
#include "snippet.h"
#include "termgen.h"
#include "xwrap.h"

typedef struct sou_searcher sou_searcher;

/* The most values a facet lists (sou-query --facet-limit, facet_limit=). */
#define SOU_FACET_LIMIT_MAX 1000

typedef struct sou_search_opts {
	sou_sort sort;
	unsigned offset;
	unsigned limit;          /* hits to return */
	int tz_min;              /* zone for date: ranges */
	double halflife_days;    /* recency boost (0: off); see xwrap.h */
	double recency_weight;
	double now;              /* epoch seconds for the recency boost */
	size_t snippet_cols;     /* snippet width in columns (0: no snippet) */
	/* facets: any of "tag", "category", "month", counted over the whole
	 * match set; exact while it holds at most facet_exact posts */
	const sou_strlist *facets;
	unsigned facet_exact;    /* default 10000 */
	unsigned facet_top;      /* values shown per facet, most posts first
				  * (default 10, at most SOU_FACET_LIMIT_MAX) */
	/* related posts: when set, rank posts like this one (its path as
	 * indexed); QUERY, if any, then only filters them */
	const char *like;
	/* count every match exactly (estimated, lower and upper equal);
	 * otherwise the total is estimated (README "Counts") */
	int exact_total;
} sou_search_opts;

/* Fills o with the defaults (relevance, 10 hits, +08:00, 150 columns,
 * no facets, facets exact up to 10000 posts). */
void sou_search_opts_init(sou_search_opts *o);

/* One hit; all owned by the results. */
typedef struct sou_hit {
	unsigned rank;           /* 1-based, counting the offset */
	double score;
	sou_docdata doc;
	sou_buf snippet;
	sou_ranges snippet_hl;   /* byte ranges in snippet */
	sou_ranges title_hl;     /* byte ranges in doc.title */
	/* search.c's own: 1 + the hit's place among the candidates fetched
	 * while only its title is read (re-ranking), 0 once doc is decoded */
	unsigned cand;
} sou_hit;

/* Frees what h owns (its record, snippet and ranges); h is empty again. */
void sou_hit_clear(sou_hit *h);

/*
 * A post's stored record (as read from the index) decoded into d (owned
 * by the caller: sou_docdata_clear).  A record that does not decode is
 * damage: SOU_ERR_DB, with the rebuild hint.
 */
sou_status sou_search_decode(const char *data, size_t len, sou_docdata *d, sou_error *err);

/* Counts of one facet; all owned by the results. */
typedef struct sou_facet {
	char *name;              /* "tag", "category" or "month" */
	sou_strlist values;      /* by descending count */
	unsigned long *counts;
	unsigned long counted;   /* posts counted */
	int exact;               /* counted the whole match set */
} sou_facet;

typedef struct sou_results {
	sou_hit *hits;
	size_t n;
	/* the total: an estimate between bounds; exact when they are equal */
	unsigned long estimated, lower, upper;
	unsigned offset;
	unsigned limit;          /* the page asked for (0: a count only) */
	sou_facet *facets;
	size_t nfacets;
	/*
	 * A partial answer (a searcher opened with SOU_XDB_PARTIAL, xwrap.h):
	 * the shards this answer leaves out (sou_shard_describe's words:
	 * "remote HOST:PORT (listed at STUB line N)") and why (Xapian's
	 * words), in the same order; empty when every shard answered or
	 * without the flag.  shards: how many the searcher has in all.
	 */
	int partial;
	size_t shards;
	sou_strlist missing, missing_why;
	/*
	 * For a query that found nothing, a nearby one that finds posts
	 * (loosen.h, sou_loosen_results): its kind (a sou_loosen_kind, 0:
	 * none), text (owned) and total; shown by the text and
	 * JSON forms ("loosened").
	 */
	int loosen_kind;
	char *loosen_query;
	unsigned long loosen_total;
	int loosen_exact;        /* the total is exact (its bounds met) */
} sou_results;

/*
 * Opens the index at db_path read-only: one index, a shard set or a stub
 * listing local and remote shards (common/shardset.h), with timeout_s
 * for remote shards (<= 0: the default, 10 s).  *out is owned by the
 * caller.
 */
sou_status sou_searcher_open(const char *db_path, double timeout_s, sou_searcher **out,
			     sou_error *err);
/* sou_searcher_open with every reader option (xwrap.h: the timeout, and
 * SOU_XDB_ALLOW_PROGRAMS for --allow-remote-programs); ro may be NULL. */
sou_status sou_searcher_open_opts(const char *db_path, const sou_xdb_reader_opts *ro,
				  sou_searcher **out, sou_error *err);
/*
 * Brings s up to the index's latest committed state (and, after a remote
 * shard failed, connects every shard again); see sou_xdb_reopen.
 */
sou_status sou_searcher_reopen(sou_searcher *s, sou_error *err);
/* sou_searcher_open with the default timeout. */
sou_status sou_searcher_create(const char *db_path, sou_searcher **out, sou_error *err);
void sou_searcher_destroy(sou_searcher *s);
/*
 * Loads the user's companies file (entity.h; path NULL or "": none) for
 * s's queries: a name or alias there also finds the posts naming the
 * company by code.  Errors name the file and line.
 */
sou_status sou_searcher_set_entities(sou_searcher *s, const char *path, sou_error *err);
/* The loaded user file (borrowed), or NULL. */
const sou_entities *sou_searcher_entities(const sou_searcher *s);
/* The index s reads (borrowed: lives as long as s). */
sou_xdb *sou_searcher_xdb(sou_searcher *s);
/* The searcher's term generator (borrowed), e.g. to load dictionaries. */
sou_termgen *sou_searcher_termgen(sou_searcher *s);

/*
 * Parses and runs query.  *out (owned by the caller, free with
 * sou_results_destroy) may hold zero hits.  Query errors (also a query
 * over qparse.h's size caps) are SOU_ERR_QUERY; o->like naming a post
 * that is not in the index is SOU_ERR_USAGE (the message names it);
 * index errors SOU_ERR_DB.
 */
sou_status sou_searcher_run(sou_searcher *s, const char *query,
			    const sou_search_opts *o, sou_results **out,
			    sou_error *err);
void sou_results_destroy(sou_results *r);

/*
 * One JSON document for the results (see README "JSON output"), indented,
 * or on one line when compact (for --batch), ending in a newline.  Every
 * string is valid UTF-8 (bad bytes become U+FFFD); a hit whose path is
 * not valid UTF-8 also gets "path_escaped" (sou_buf_add_escaped form).
 * A partial searcher's results also get "missing_shards": [{"shard":
 * "remote HOST:PORT (listed at STUB line N)", "error": "…"}, …], empty
 * when every shard answered.
 */
void sou_results_json(const sou_results *r, const char *query, int compact,
		      sou_buf *out);

/*
 * Human-readable results.  color: ANSI highlighting; otherwise matches are
 * wrapped in "**" markers.  width (columns; 0: none) wraps a title, the
 * line of tags and path, or a snippet longer than a line, continued under its start (5 columns in),
 * a Chinese character counted as two columns and escape sequences as
 * none, at a blank where the line's last 16 columns hold one.  Every string from the index is escaped with
 * sou_buf_add_escaped before the markers are added, so the only escape
 * sequences in out are sou's own colours.  A partial answer ends with a
 * line saying how many shards did not answer and one line per shard
 * left out ("  remote HOST:PORT (listed at STUB line N): why").
 */
void sou_results_text(const sou_results *r, int color, unsigned width, sou_buf *out);

#endif
