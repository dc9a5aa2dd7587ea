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
#define _GNU_SOURCE 1 /* memmem */
#include "search.h"

#include <jansson.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unicode/uscript.h>
#include <unicode/utf8.h>

#include "entity.h"
#include "genlock.h"
#include "like.h"
#include "qparse.h"
#include "rerank.h"
#include "termgen.h"
#include "text.h"
#include "tune.h"
#include "units.h"

struct sou_searcher {
	sou_xdb *db;
	sou_termgen *tg;
	sou_entities *ents;                /* the user's companies file, or NULL */
	int partial;                       /* opened with SOU_XDB_PARTIAL */
	sou_buf units_title, units_body;   /* scratch for checks */
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

sou_xdb *sou_searcher_xdb(sou_searcher *s)
{
	return s->db;
}

sou_status sou_searcher_create(const char *db_path, sou_searcher **out, sou_error *err)
{
	return sou_searcher_open(db_path, 0, out, err);
}

sou_status sou_searcher_open(const char *db_path, double timeout_s, sou_searcher **out,
			     sou_error *err)
{
	sou_xdb_reader_opts ro = { timeout_s, 0, 0 };

	return sou_searcher_open_opts(db_path, &ro, out, err);
}

sou_status sou_searcher_open_opts(const char *db_path, const sou_xdb_reader_opts *ro,
				  sou_searcher **out, sou_error *err)
{
	sou_searcher *s = sou_xcalloc(1, sizeof(*s));
	sou_status st;

	*out = NULL;
	s->partial = ro && (ro->flags & SOU_XDB_PARTIAL);
	if ((st = sou_xdb_open_reader(db_path, ro, &s->db, err))) {
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
	/* the company table is looked up for every Chinese word of a query:
	 * from remote shards it is read once per state of the shards */
	sou_xdb_cache_terms(s->db, SOU_PREFIX_ENTITY_NAME);
	sou_xdb_cache_terms(s->db, SOU_PREFIX_ENTITY_CODE);
	{
		/* an index of format 4 keeps working until it is rebuilt */
		sou_buf cfg = SOU_BUF_INIT;
		size_t n = strlen(SOU_SCHEMA_FORMAT_POSITIONAL);
		st = sou_xdb_get_metadata(s->db, SOU_META_CONFIG, &cfg, err);
		if (!st && cfg.len > n && !memcmp(cfg.data, SOU_SCHEMA_FORMAT_POSITIONAL, n) &&
		    cfg.data[n] == ' ')
			sou_termgen_query_positional(s->tg, 1);
		sou_buf_free(&cfg);
		if (st) {
			sou_searcher_destroy(s);
			return st;
		}
	}
	*out = s;
	return SOU_OK;
}

sou_status sou_searcher_reopen(sou_searcher *s, sou_error *err)
{
	return sou_xdb_reopen(s->db, err);
}

void sou_searcher_destroy(sou_searcher *s)
{
	if (!s)
		return;
	sou_xdb_destroy(s->db);
	sou_termgen_destroy(s->tg);
	sou_entities_destroy(s->ents);
	sou_buf_free(&s->units_title);
	sou_buf_free(&s->units_body);
	free(s);
}

sou_termgen *sou_searcher_termgen(sou_searcher *s)
{
	return s->tg;
}

void sou_hit_clear(sou_hit *h)
{
	sou_docdata_clear(&h->doc);
	sou_buf_free(&h->snippet);
	sou_ranges_free(&h->snippet_hl);
	sou_ranges_free(&h->title_hl);
}

void sou_results_destroy(sou_results *r)
{
	size_t i;

	if (!r)
		return;
	free(r->loosen_query);
	for (i = 0; i < r->n; i++)
		sou_hit_clear(&r->hits[i]);
	free(r->hits);
	for (i = 0; i < r->nfacets; i++) {
		free(r->facets[i].name);
		sou_strlist_free(&r->facets[i].values);
		free(r->facets[i].counts);
	}
	free(r->facets);
	sou_strlist_free(&r->missing);
	sou_strlist_free(&r->missing_why);
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
	if (!strcmp(name, "company") || !strcmp(name, "companies"))
		return *canon = "company", SOU_SLOT_COMPANIES;
	return -1;
}

/*
 * Decodes a hit's stored record.  sou-index wrote it, so a record that
 * does not decode (or whose unit streams do not) is damage, said so:
 * naming the shard that holds docid when s has several or a remote one
 * (s NULL: no name), and, for a remote shard, that the bytes may have
 * been garbled on the way rather than stored so.
 */
static sou_status damaged(sou_searcher *s, unsigned docid, sou_status st,
			  const sou_error *derr, sou_error *err)
{
	sou_buf who = SOU_BUF_INIT;

	if (st == SOU_ERR_NOMEM)
		return sou_error_set(err, st, "%s", derr->msg);
	if (!s)
		return sou_error_set(err, SOU_ERR_DB, "the index is damaged (a stored post "
				     "does not decode: %s): " SOU_GENLOCK_REBUILD_HINT, derr->msg);
	if (sou_xdb_doc_holder(s->db, docid, &who))
		sou_error_set(err, SOU_ERR_DB, "%s: a record came back damaged (a stored post does "
			      "not decode: %s): the shard's index is damaged or the connection "
			      "garbled it; check it with sou-index --check", who.data, derr->msg);
	else
		sou_error_set(err, SOU_ERR_DB, "%s: the index is damaged (a stored post does not "
			      "decode: %s): " SOU_GENLOCK_REBUILD_HINT, who.data, derr->msg);
	sou_buf_free(&who);
	return SOU_ERR_DB;
}

/* Hit i of m's record (data, len) decoded into d (see damaged()). */
static sou_status decode_hit(sou_searcher *s, const sou_xmset *m, size_t i, const char *data,
			     size_t len, sou_docdata *d, sou_error *err)
{
	sou_error derr;
	sou_status st = sou_docdata_decode(data, len, d, &derr);

	return st ? damaged(s, sou_xmset_docid(m, i), st, &derr, err) : SOU_OK;
}

sou_status sou_search_decode(const char *data, size_t len, sou_docdata *d, sou_error *err)
{
	sou_error derr;
	sou_status st = sou_docdata_decode(data, len, d, &derr);

	return st ? damaged(NULL, 0, st, &derr, err) : SOU_OK;
}

/*
 * A candidate being checked (qcheck.h callbacks).  Its unit streams are
 * derived only when a run must be looked up in them: a run of plain
 * Chinese characters found as it is in the stored text of a post whose
 * streams derive from that text is in the stream too
 * (sou_segmenter_plain_han), which settles most candidates that pass.
 */
typedef struct cand {
	sou_searcher *s;
	unsigned docid;
	const char *data;     /* the stored record */
	size_t len;
	int have_units;       /* s->units_title/_body are this candidate's */
	sou_status st;
	sou_error *err;
} cand;

static int ask(void *ctx, const sou_xq *q)
{
	cand *a = ctx;
	int yes = 0;

	if (a->st)
		return -1;
	if ((a->st = sou_xdb_doc_matches(a->s->db, q, a->docid, &yes, a->err)))
		return -1;
	return yes;
}

/* The record's text, if its unit streams derive from the record ("ud"). */
static const char *derived_text(const cand *a, size_t *len)
{
	const char *nl = memchr(a->data, '\n', a->len);
	size_t jl = nl ? (size_t)(nl - a->data) : 0;

	if (!nl || !(memmem(a->data, jl, "\"ud\":1,", 7) || memmem(a->data, jl, "\"ud\":1}", 7)))
		return NULL;
	*len = a->len - jl - 1;
	return nl + 1;
}

static int find(void *ctx, int title, const char *pat, size_t len)
{
	cand *a = ctx;
	sou_searcher *s = a->s;
	const char *t;
	size_t tl;

	if (a->st)
		return -1;
	if (!title && !a->have_units && (t = derived_text(a, &tl)) &&
	    sou_segmenter_plain_han(sou_termgen_segmenter(s->tg), pat, len) &&
	    memmem(t, tl, pat, len))
		return 1;
	if (!a->have_units) {
		sou_error derr;
		if ((a->st = sou_docdata_units_of(a->data, a->len, sou_termgen_segmenter(s->tg),
						  &s->units_title, &s->units_body, &derr))) {
			a->st = damaged(s, a->docid, a->st, &derr, a->err);
			return -1;
		}
		a->have_units = 1;
	}
	return title ? sou_units_find(s->units_title.data ? s->units_title.data : "",
				      s->units_title.len, pat, len)
		     : sou_units_find(s->units_body.data ? s->units_body.data : "",
				      s->units_body.len, pat, len);
}

/* The page being filled: hits in rank order. */
typedef struct page {
	sou_hit *hits;
	size_t n, cap;
} page;

static sou_hit *page_add(page *p)
{
	SOU_ARRAY_GROW(p->hits, p->cap, p->n + 1);
	memset(&p->hits[p->n], 0, sizeof(sou_hit));
	return &p->hits[p->n++];
}

/*
 * Counting (README "Counts").  Xapian's estimate of an AND or a FILTER is
 * poor (it assumes the terms independent), so when its bounds differ sou
 * counts the matches itself with an unranked query in docid order, which
 * is exact up to COUNT_CAP matches and extrapolated by Xapian beyond.
 * Checked queries (qcheck.h) also check a sample of candidates spread
 * evenly over that docid order, not the top of the ranking (whose share
 * of true matches is higher than the rest's): at least CHECK_SAMPLE, more
 * while the share is uncertain, at most CHECK_SAMPLE_MAX; and every
 * candidate when there are at most CHECK_ALL.  Candidates
 * come in windows of CHECK_WINDOW, doubling.  (tune.h names them for
 * experiments.)
 */
#define COUNT_CAP (unsigned)sou_tune("count_cap", 2000)
#define CHECK_WINDOW (unsigned)sou_tune("check_window", 32)
#define CHECK_ALL (unsigned long)sou_tune("check_all", 40)
#define CHECK_SAMPLE (size_t)sou_tune("check_sample", 16)
#define CHECK_SAMPLE_MAX (size_t)sou_tune("check_sample_max", 64)
#define SAMPLE_BITS 8                 /* sample slots: 256, in van der Corput order */
#define SAMPLE_SLOTS (1u << SAMPLE_BITS)
/*
 * Candidates are fetched ahead of their check in batches (of at least
 * PREFETCH_MIN, at most PREFETCH_MAX), so that remote shards send them
 * in parallel (sou_xmset_prefetch; nothing is fetched ahead from local
 * shards, where it would only cost).
 */
#define PREFETCH_MIN 8
#define PREFETCH_MAX 64

/* Candidates already checked in this search: docid and result. */
typedef struct seen_one {
	unsigned id;
	int ok;
} seen_one;

typedef struct seen {
	seen_one *v;
	size_t n, cap;
} seen;

static void seen_put(seen *v, unsigned id, int ok)
{
	SOU_ARRAY_GROW(v->v, v->cap, v->n + 1);
	v->v[v->n].id = id;
	v->v[v->n++].ok = ok;
}

static int cmp_seen(const void *a, const void *b)
{
	unsigned x = ((const seen_one *)a)->id, y = ((const seen_one *)b)->id;

	return x < y ? -1 : x > y;
}

static void seen_sort(seen *v)
{
	if (v->n > 1)
		qsort(v->v, v->n, sizeof(*v->v), cmp_seen);
}

/* The result for id (after seen_sort), or -1 if it was not checked. */
static int seen_get(const seen *v, unsigned id)
{
	seen_one key = { id, 0 };
	const seen_one *f = v->n ? bsearch(&key, v->v, v->n, sizeof(*v->v), cmp_seen) : NULL;

	return f ? f->ok : -1;
}

static void seen_free(seen *v)
{
	free(v->v);
}

/* Checks candidate i of m: 1 passes, 0 not, -1 on an error (*st, err). */
static int check_one(sou_searcher *s, const sou_check *check, sou_xmset *m, size_t i,
		     const char **data, size_t *len, sou_status *st, sou_error *err)
{
	cand a = { s, sou_xmset_docid(m, i), NULL, 0, 0, SOU_OK, err };
	int ok;

	if ((*st = sou_xmset_fetch(s->db, m, i, data, len, err)))
		return -1;
	a.data = *data;
	a.len = *len;
	ok = sou_check_eval(check, find, ask, &a);
	if (ok < 0)
		*st = a.st;
	return ok;
}

/* Prefetches hits [from, min(to, size)) of m (see PREFETCH_MIN). */
static sou_status prefetch_range(sou_searcher *s, sou_xmset *m, size_t from, size_t to,
				 sou_error *err)
{
	size_t idx[PREFETCH_MAX], n = 0, size = sou_xmset_size(m);

	while (from < to && from < size && n < PREFETCH_MAX)
		idx[n++] = from++;
	return sou_xmset_prefetch(s->db, m, idx, n, err);
}

/*
 * The matches of xq counted unranked (see above): *m (owned by the
 * caller) holds the first min(matches, cap) of them in docid order, and
 * *est their estimated number.  Beyond the cap Xapian's own estimate is
 * again poor, so it is extrapolated from how far into the docid range
 * the cap reached (matches spread evenly over the posts' ids).
 */
static sou_status count_unranked(sou_searcher *s, const sou_xq *xq,
				 unsigned cap, sou_xmset **m, unsigned long *est, sou_error *err)
{
	sou_xsearch xs;
	sou_status st;
	size_t n;
	unsigned long last = 0, lo, hi;

	memset(&xs, 0, sizeof(xs));
	xs.unranked = 1;
	xs.lazy_data = 1;
	xs.limit = cap;
	xs.check_at_least = cap;
	if ((st = sou_xdb_search(s->db, xq, &xs, m, err)))
		return st;
	n = sou_xmset_size(*m);
	lo = sou_xmset_lower(*m);
	hi = sou_xmset_upper(*m);
	*est = sou_xmset_estimated(*m);
	if (lo < hi && n && n == cap && !(st = sou_xdb_lastdocid(s->db, &last, err))) {
		double d = (double)sou_xmset_docid(*m, n - 1);
		*est = (unsigned long)((double)n * (double)last / d + 0.5);
		if (*est < lo)
			*est = lo;
		if (*est > hi)
			*est = hi;
	}
	return st;
}

/* --like's words (like.h) */
#define LIKE_WORDS 30

/*
 * One search, in named stages (sou_searcher_run):
 *
 *   parse        the query (and --like's) compiled: what Xapian matches
 *                (xq), what sou checks on each candidate (check), the
 *                facet slots, the re-ranked depth (fetch)
 *   match        Xapian's ranking: the hits of the page (or of the
 *                re-ranked depth), or the first window of candidates of
 *                a checked query
 *   exact-check  checked queries keep the candidates that pass, window
 *                after window, until the page is full; the totals (README
 *                "Counts")
 *   re-rank      the known-item signals over the top (rerank.h), from
 *                each hit's title (the title slot)
 *   fetch        the page's records
 *   render       facets, snippets and highlights
 *
 * The same stages serve one index, local shards and remote ones: only
 * sou_xmset_prefetch knows the difference.  It fetches what a stage is
 * about to read from remote shards in parallel (the re-ranked
 * candidates with their titles, the page, the candidates checked next),
 * so a search costs a bounded number of round trips per shard: the
 * match (2; 4 with facets), one per remote_pool records fetched, the
 * counting query when Xapian's bounds differ.  Each stage leaves its
 * results in the run; run_free is the one cleanup, whatever stage
 * failed.  Invariants after match: for an unchecked query m holds the
 * hits and pg one hit per hit of m, each with cand = 1 + its place in m
 * and its record not yet read; for a checked query pg holds the page,
 * each hit decoded (cand = 0).
 */
typedef struct run {
	sou_searcher *s;
	const sou_search_opts *o;
	/* parse */
	sou_query *q;
	sou_xq *like, *final;          /* --like's query; q's combined with it */
	sou_xq *boosted;               /* the ranked query with the title boost */
	const sou_xq *xq;              /* what is matched: final or q's */
	const sou_xq *ranked;          /* what is ranked: boosted or xq */
	sou_strlist like_words;
	const sou_check *check;
	unsigned slots[8];
	const char *names[8];
	size_t nslots;
	sou_search_opts ro;            /* o, or the re-ranked fetch (rerank.h) */
	unsigned fetch;                /* re-ranking: hits fetched from the top */
	/* match */
	sou_xsearch xs;
	sou_xmset *m;                  /* the hits; for a checked query, the
					* window whose spies counted the facets */
	page pg;
	sou_results *r;
	sou_buf scratch;
} run;

static void run_free(run *R)
{
	size_t i;

	for (i = 0; i < R->pg.n; i++)
		sou_hit_clear(&R->pg.hits[i]);
	free(R->pg.hits);
	sou_xmset_destroy(R->m);
	sou_xq_destroy(R->boosted);
	sou_xq_destroy(R->final);
	sou_xq_destroy(R->like);
	sou_query_destroy(R->q);
	sou_strlist_free(&R->like_words);
	sou_results_destroy(R->r);
	sou_buf_free(&R->scratch);
	memset(R, 0, sizeof(*R));
}

/* sou_query_entities_fn over the searcher's index and user file. */
static sou_status index_entities(void *ctx, const char *w, size_t len, sou_strlist *codes,
				 sou_strlist *names, sou_error *err)
{
	sou_searcher *s = ctx;
	sou_status st = sou_entity_resolve(s->db, s->ents, w, len, codes, NULL, err);
	size_t i, n = codes->n;

	/* the companies' names, read by code */
	for (i = 0; !st && i < n && i < 4; i++) {
		sou_strlist dummy = { NULL, 0 };
		st = sou_entity_resolve(s->db, s->ents, codes->v[i], strlen(codes->v[i]), &dummy,
					names, err);
		sou_strlist_free(&dummy);
	}
	return st;
}

sou_status sou_searcher_set_entities(sou_searcher *s, const char *path, sou_error *err)
{
	sou_entities *e = NULL;
	sou_status st = sou_entities_load(path, sou_termgen_segmenter(s->tg), &e, err);

	if (st)
		return st;
	sou_entities_destroy(s->ents);
	s->ents = e;
	return SOU_OK;
}

const sou_entities *sou_searcher_entities(const sou_searcher *s)
{
	return s->ents;
}

/* sou_termgen_df_fn over the searcher's index (all its shards). */
static long index_df(void *ctx, const char *term, size_t len)
{
	sou_searcher *s = ctx;
	unsigned long n = 0;
	sou_error e;
	char buf[SOU_XAPIAN_MAX_TERM + 1];

	if (len > SOU_XAPIAN_MAX_TERM)
		return -1;
	memcpy(buf, term, len);
	buf[len] = 0;
	sou_error_clear(&e);
	if (sou_xdb_termfreq(s->db, buf, &n, &e))
		return -1;
	return n > (unsigned long)LONG_MAX ? LONG_MAX : (long)n;
}

static sou_status stage_parse(run *R, const char *query, sou_error *err)
{
	sou_searcher *s = R->s;
	const sou_search_opts *o = R->o;
	sou_status st;
	size_t i;

	for (i = 0; o->facets && i < o->facets->n; i++) {
		int sl = R->nslots < 8 ? facet_slot(o->facets->v[i], &R->names[R->nslots]) : -1;
		if (sl < 0)
			return sou_error_set(err, SOU_ERR_USAGE,
					     "--facets: unknown facet '%s' (tag, category, month or "
					     "company)",
					     o->facets->v[i]);
		R->slots[R->nslots++] = (unsigned)sl;
	}
	if (o->like) {
		sou_buf id = SOU_BUF_INIT;
		sou_termgen_idterm(o->like, &id);
		st = sou_like_query(s->db, s->tg, id.data, LIKE_WORDS, &R->like, &R->like_words, err);
		sou_buf_free(&id);
		if (st == SOU_ERR_NOTFOUND) /* the user named a post that is not there */
			st = sou_error_set(err, SOU_ERR_USAGE,
					   "--like %s: no such post in the index (give its path as "
					   "sou-query prints it)", o->like);
		if (st)
			return st;
	}
	if (query && *query) {
		sou_query_env env = { index_entities, s };
		sou_termgen_set_df(s->tg, index_df, s);
		st = sou_query_parse_env(s->tg, query, o->tz_min, &env, &R->q, err);
		sou_termgen_set_df(s->tg, NULL, NULL);
		if (st)
			return st;
	}
	if (R->like && R->q) {
		sou_xq *pair[2] = { R->like, (sou_xq *)sou_query_xq(R->q) };
		R->final = sou_xq_combine(SOU_XQ_FILTER, pair, 2);
	} else if (R->like) {
		R->final = R->like;
		R->like = NULL;
	}
	if (!R->q && !R->final)
		return sou_error_set(err, SOU_ERR_QUERY, "empty query");
	R->xq = R->final ? R->final : sou_query_xq(R->q);
	/* with --like the query only filters, as FILTER's right side: its
	 * check tree still decides, in the same positive position */
	R->check = R->q ? sou_query_check(R->q) : NULL;
	/* known-item ranking (rerank.h): the top of Xapian's ranking is
	 * fetched from the first hit, re-ordered, and the page cut from it */
	R->ro = *o;
	R->fetch = o->like ? 0 : sou_rerank_fetch(o, R->q ? sou_query_patterns(R->q) : NULL);
	if (R->fetch) {
		R->ro.offset = 0;
		R->ro.limit = R->fetch;
	}
	if (R->q && !o->like &&
	    (st = sou_rerank_boost(s->tg, o, sou_query_patterns(R->q), R->xq, &R->boosted, err)))
		return st;
	R->ranked = R->boosted ? R->boosted : R->xq;
	return SOU_OK;
}

/* The title of hit i of R->m into *title (owned by the caller), from
 * the title slot (schema.h). */
static sou_status hit_title(run *R, size_t i, char **title, sou_error *err)
{
	sou_status st = sou_xmset_value(R->s->db, R->m, i, SOU_SLOT_TITLE, &R->scratch, err);

	*title = st ? NULL : sou_xstrndup(R->scratch.data ? R->scratch.data : "", R->scratch.len);
	return st;
}

static sou_status stage_match(run *R, sou_error *err)
{
	const sou_search_opts *o = R->o;
	sou_xsearch *xs = &R->xs;
	sou_status st;
	size_t i, n;

	memset(xs, 0, sizeof(*xs));
	xs->facet_slots = R->slots;
	xs->nfacets = R->nslots;
	xs->facet_exact = o->facet_exact;
	xs->sort = o->sort;
	xs->offset = R->ro.offset;
	xs->limit = R->ro.limit;
	/*
	 * Ranked by relevance, every match is examined: Xapian's weight
	 * pruning can drop a match whose score equals the page's lowest
	 * although the tie-break (the order slot: newer first) ranks it
	 * higher, and where it does depends on how the index is split into
	 * shards (seen in t0400).  Examining all costs about 10% at the
	 * median on xwlb (bench workload) and makes the counts exact too,
	 * but grows with the matches (a word in 2% of a million posts: about
	 * 40 ms); SOU_TUNE=rank_exhaustive=0 trades the guarantee for speed.
	 */
	xs->check_at_least = o->exact_total || (o->sort == SOU_SORT_RELEVANCE &&
						sou_tune("rank_exhaustive", 1))
				     ? UINT_MAX : 0;
	/* records are read when needed (fetch), so that a hit whose record
	 * is never shown or checked costs nothing, and remote ones come in
	 * parallel */
	xs->lazy_data = 1;
	/* the re-ranking reads the titles of its depth: SOU_TUNE
	 * remote_carry=1 has remote shards send them with the hits, two round
	 * trips fewer, but the collapser then reads the title of every
	 * match on the server: on loopback that cost more than it saved
	 * (十三, 908 matches over 3 shards: median 5.5 ms fetched after the
	 * hits, 6.3-7.8 ms carried; bench/README "Shards"), so the titles
	 * are fetched after the hits by their id terms (prefetch_titles) */
	xs->carry = R->fetch > 0 && sou_tune("remote_carry", 0);
	xs->carry_slot = SOU_SLOT_TITLE;
	xs->halflife_days = o->halflife_days;
	xs->recency_weight = o->recency_weight;
	xs->now = o->now;
	R->r = sou_xcalloc(1, sizeof(*R->r));
	if (R->check)
		return SOU_OK; /* the windows are the exact-check stage's */
	if ((st = sou_xdb_search(R->s->db, R->ranked, xs, &R->m, err)))
		return st;
	R->r->estimated = sou_xmset_estimated(R->m);
	R->r->lower = sou_xmset_lower(R->m);
	R->r->upper = sou_xmset_upper(R->m);
	n = sou_xmset_size(R->m);
	for (i = 0; i < n; i++) {
		sou_hit *h = page_add(&R->pg);
		h->score = sou_xmset_weight(R->m, i);
		h->cand = (unsigned)i + 1;
	}
	return SOU_OK;
}

/*
 * A checked query (see run_free): candidates in rank order, a window at
 * a time, fetched ahead in batches; those that pass fill the page, until
 * it is full or the candidates run out.  Totals:
 *   - every candidate checked: exact;
 *   - otherwise the candidates are counted (M, bounds [Ml, Mu]) and a
 *     sample of them checked: estimated M * (share of the sample that
 *     passed); at least the most that passed in one of the two checked
 *     sets, at most Mu less the most that failed in one of them.
 * The facet spies of the first window see candidates, so their counts are
 * scaled to the estimated total and never exact.
 */
static sou_status check_windows(run *R, sou_error *err)
{
	sou_searcher *s = R->s;
	const sou_search_opts *o = &R->ro;
	const sou_check *check = R->check;
	sou_xsearch *xs = &R->xs;
	sou_results *r = R->r;
	page *pg = &R->pg;
	unsigned long need = (unsigned long)o->offset + o->limit, checked = 0, passed = 0;
	unsigned start = 0, window = CHECK_WINDOW;
	int exhausted = 0, stop = 0;
	sou_status st = SOU_OK;
	sou_xmset *c = NULL;
	seen done = { NULL, 0, 0 };

	if (window < need + need / 2)
		window = (unsigned)(need + need / 2 < 1u << 30 ? need + need / 2 : 1u << 30);
	if (o->exact_total && window < 1024)
		window = 1024; /* every candidate is checked anyway */
	xs->check_at_least = 0;
	while (!stop) {
		sou_xmset *m = NULL;
		size_t i, n, ahead = 0;
		int all;

		xs->offset = start;
		xs->limit = window;
		if ((st = sou_xdb_search(s->db, R->ranked, xs, &m, err)))
			break;
		n = sou_xmset_size(m);
		/* the last candidates, or an exact total wanted: check them all */
		all = o->exact_total || n < window;
		for (i = 0; i < n; i++) {
			const char *data;
			size_t len;
			int ok;

			if (!all && passed >= need) {
				stop = 1;
				break;
			}
			if (i >= ahead) {
				/* as many as may still be needed, if all pass */
				size_t b = all ? PREFETCH_MAX : need - passed;
				b = b < PREFETCH_MIN ? PREFETCH_MIN : b > PREFETCH_MAX ? PREFETCH_MAX : b;
				if ((st = prefetch_range(s, m, i, i + b, err)))
					break;
				ahead = i + b;
			}
			if ((ok = check_one(s, check, m, i, &data, &len, &st, err)) < 0)
				break;
			seen_put(&done, sou_xmset_docid(m, i), ok);
			checked++;
			if (ok > 0 && passed++ >= o->offset && pg->n < o->limit) {
				sou_hit *h = page_add(pg);
				h->score = sou_xmset_weight(m, i);
				if ((st = decode_hit(s, m, i, data, len, &h->doc, err)))
					break;
			}
		}
		if (!st && !R->m && xs->nfacets) {
			R->m = m; /* the first window's spies saw every candidate */
			xs->nfacets = 0;
		} else {
			sou_xmset_destroy(m);
		}
		if (st)
			break;
		if (!stop && n < window) {
			exhausted = 1;
			break;
		}
		start += window;
		window = window < (1u << 29) ? window * 2 : window;
	}
	if (st || exhausted) {
		if (!st)
			r->estimated = r->lower = r->upper = passed;
		seen_free(&done);
		return st;
	}
	/*
	 * Count the candidates, then decide the ones not checked yet: all of
	 * them when few are left, else a sample in van der Corput order over
	 * the docid order (evenly spread at any length), until the share that
	 * passes is known to about 10% (relative standard error
	 * sqrt((1 - p) / (p n))) or CHECK_SAMPLE_MAX were checked.  The
	 * total is what passed so far plus that share of the rest.  The
	 * sample is fetched ahead CHECK_SAMPLE at a time (the least it takes).
	 */
	{
		size_t n, k, i, rest = 0, *order = NULL, norder = 0, next = 0;
		unsigned long sp = 0, sn = 0, mc = 0, mu;
		int exact, all;
		char *skip;

		if ((st = count_unranked(s, R->xq, COUNT_CAP, &c, &mc, err))) {
			sou_xmset_destroy(c);
			seen_free(&done);
			return st;
		}
		n = sou_xmset_size(c);
		mu = sou_xmset_upper(c);
		exact = sou_xmset_lower(c) == mu && n == mu;
		skip = sou_xcalloc(n ? n : 1, 1);  /* checked already, or sampled */
		seen_sort(&done);
		for (i = 0; i < n; i++)
			if (seen_get(&done, sou_xmset_docid(c, i)) >= 0)
				skip[i] = 1;
			else
				rest++;
		seen_free(&done);
		all = exact && rest <= CHECK_ALL;
		/* the candidates to check, in the order they are checked */
		order = sou_xcalloc(all ? (n ? n : 1) : SAMPLE_SLOTS, sizeof(size_t));
		for (k = 0; all ? k < n : k < SAMPLE_SLOTS; k++) {
			if (all) {
				i = k;
			} else {
				size_t j = 0, b;
				for (b = 0; b < SAMPLE_BITS; b++) /* bit reversal */
					j |= ((k >> b) & 1) << (SAMPLE_BITS - 1 - b);
				i = (size_t)((double)j * (double)n / SAMPLE_SLOTS);
			}
			if (i >= n || skip[i])
				continue;
			skip[i] = 1;
			order[norder++] = i;
		}
		free(skip);
		for (k = 0; k < norder && (all || sn < CHECK_SAMPLE_MAX); k++) {
			const char *data;
			size_t len;
			int ok;
			if (k >= next) {
				size_t b = all ? PREFETCH_MAX : CHECK_SAMPLE, e = k + b < norder ? k + b : norder;
				if ((st = sou_xmset_prefetch(s->db, c, order + k, e - k, err)))
					break;
				next = e;
			}
			if ((ok = check_one(s, check, c, order[k], &data, &len, &st, err)) < 0)
				break;
			sn++;
			sp += ok > 0;
			if (!all && sn >= CHECK_SAMPLE &&
			    (sp == 0 || sp == sn || (sn - sp) * 100 <= sp * sn))
				break;
		}
		free(order);
		sou_xmset_destroy(c);
		if (st)
			return st;
		if (all) {
			/* every candidate checked */
			r->estimated = r->lower = r->upper = passed + sp;
			return SOU_OK;
		}
		/* sampled and ranked checks are distinct candidates */
		r->lower = passed + sp;
		r->upper = mu > (checked - passed) + (sn - sp) ? mu - (checked - passed) - (sn - sp)
							       : r->lower;
		r->estimated = passed + sp;
		if (mc > checked + sn && sn)
			r->estimated += (unsigned long)((double)(mc - checked - sn) * (double)sp /
							(double)sn + 0.5);
		if (r->estimated < r->lower)
			r->estimated = r->lower;
		if (r->estimated > r->upper)
			r->estimated = r->upper;
		if (r->upper < r->lower)
			r->upper = r->lower;
	}
	return SOU_OK;
}

/*
 * The total of an unchecked query: Xapian's own when its bounds agree (a
 * single term, or every match examined), else counted unranked (see
 * above).
 */
static sou_status count_exact(run *R, sou_error *err)
{
	sou_results *r = R->r;
	sou_xmset *c = NULL;
	sou_status st;
	unsigned long est = 0;

	if (r->lower == r->upper || R->o->exact_total)
		return SOU_OK;
	if ((st = count_unranked(R->s, R->xq, COUNT_CAP, &c, &est, err))) {
		sou_xmset_destroy(c);
		return st;
	}
	r->estimated = est;
	/* the union of what both runs guarantee */
	if (sou_xmset_lower(c) > r->lower)
		r->lower = sou_xmset_lower(c);
	if (sou_xmset_upper(c) < r->upper)
		r->upper = sou_xmset_upper(c);
	if (r->estimated < r->lower)
		r->estimated = r->lower;
	if (r->estimated > r->upper)
		r->estimated = r->upper;
	sou_xmset_destroy(c);
	return SOU_OK;
}

static sou_status stage_check(run *R, sou_error *err)
{
	return R->check ? check_windows(R, err) : count_exact(R, err);
}

/*
 * The titles of the hits of pg that have cand, at once from remote
 * shards (sou_xmset_prefetch_value; by their id terms, made from the
 * keys their sort keys end with: schema.h SOU_SLOT_ORDER).
 */
static sou_status prefetch_titles(run *R, sou_error *err)
{
	size_t i, n = 0, len, *idx = sou_xcalloc(R->pg.n ? R->pg.n : 1, sizeof(size_t));
	char **ids = sou_xcalloc(R->pg.n ? R->pg.n : 1, sizeof(char *));
	sou_status st;

	for (i = 0; i < R->pg.n; i++) {
		size_t k = R->pg.hits[i].cand - 1;
		const char *key = R->pg.hits[i].cand ? sou_xmset_sort_key(R->m, k, &len) : NULL;
		if (key && len > SOU_ORDER_DATE_WIDTH) {
			char *path = sou_xstrndup(key + SOU_ORDER_DATE_WIDTH, len - SOU_ORDER_DATE_WIDTH);
			sou_termgen_idterm(path, &R->scratch);
			free(path);
			ids[n] = sou_xstrndup(R->scratch.data, R->scratch.len);
			idx[n++] = k;
		}
	}
	st = sou_xmset_prefetch_value(R->s->db, R->m, idx, (const char *const *)ids, n,
				      SOU_SLOT_TITLE, err);
	for (i = 0; i < n; i++)
		free(ids[i]);
	free(ids);
	free(idx);
	return st;
}

/* Prefetches (sou_xmset_prefetch) the hits of pg that have cand. */
static sou_status prefetch_hits(run *R, sou_error *err)
{
	size_t i, n = 0, *idx = sou_xcalloc(R->pg.n ? R->pg.n : 1, sizeof(size_t));
	sou_status st;

	for (i = 0; i < R->pg.n; i++)
		if (R->pg.hits[i].cand)
			idx[n++] = R->pg.hits[i].cand - 1;
	st = sou_xmset_prefetch(R->s->db, R->m, idx, n, err);
	free(idx);
	return st;
}

/*
 * Reads the record of the hits that still have cand, i.e. all of them
 * or the page (with prefetch: remote ones fetched in parallel first).
 */
static sou_status fetch_records(run *R, int prefetch, sou_error *err)
{
	sou_status st = prefetch ? prefetch_hits(R, err) : SOU_OK;
	size_t i;

	for (i = 0; !st && i < R->pg.n; i++) {
		sou_hit *h = &R->pg.hits[i];
		size_t k = h->cand - 1;
		const char *data;
		size_t len;
		if (!h->cand)
			continue;
		sou_docdata_clear(&h->doc);
		if (!(st = sou_xmset_fetch(R->s->db, R->m, k, &data, &len, err)) &&
		    !(st = decode_hit(R->s, R->m, k, data, len, &h->doc, err)))
			h->cand = 0;
	}
	return st;
}

static sou_status stage_rerank(run *R, sou_error *err)
{
	sou_status st = SOU_OK;
	size_t i;

	if (!R->fetch)
		return SOU_OK;
	/* checked hits are decoded already; the others need their titles
	 * (read from the title slot: a record is decompressed only for the
	 * page), or their texts when the proximity signal is on */
	if (!R->check && sou_rerank_needs_text(sou_query_patterns(R->q), sou_query_runs(R->q)))
		st = fetch_records(R, 1, err);
	else if (!R->check)
		st = prefetch_titles(R, err);
	for (i = 0; !st && !R->check && i < R->pg.n; i++) {
		sou_hit *h = &R->pg.hits[i];
		if (h->cand)
			st = hit_title(R, h->cand - 1, &h->doc.title, err);
	}
	if (!st)
		sou_rerank_page(sou_termgen_segmenter(R->s->tg), sou_query_patterns(R->q),
				sou_query_runs(R->q), R->pg.hits, &R->pg.n, R->o->offset, R->o->limit);
	return st;
}

static sou_status stage_fetch(run *R, sou_error *err)
{
	if (R->check)
		return SOU_OK; /* checked hits were decoded when checked */
	return fetch_records(R, 1, err);
}

/* Windows of this many characters at most are read (a name, a pair). */
#define PINYIN_HL_MAX_CHARS 8

/*
 * The words of folded text f[0..n) that a query typed by sound matched
 * (py: sou_query_pinyin's terms): every run of k consecutive Chinese
 * characters whose toneless reading joined is a 'p' term, or whose
 * initials are an 'i' term, appended to out (each once; a highlight
 * pattern: the characters as units, SOU_UNIT_SEP between).
 */
static void pinyin_windows(sou_pinyin *reader, const char *f, size_t n, const sou_strlist *py,
			   sou_strlist *out)
{
	/* at[0..nc]: offsets of the last nc characters of the run and the
	 * end of the last (a window of at most PINYIN_HL_MAX_CHARS) */
	size_t at[PINYIN_HL_MAX_CHARS + 1], nc = 0, k, j, t;
	sou_buf rd = SOU_BUF_INIT, cmp = SOU_BUF_INIT;
	int32_t off = 0, len = n > INT32_MAX ? INT32_MAX : (int32_t)n;

	while (off < len) {
		/* one run of Chinese characters: offsets of its characters */
		int32_t start = off;
		UChar32 c;
		UErrorCode e = U_ZERO_ERROR;
		U8_NEXT((const uint8_t *)f, off, len, c);
		if (c < 0 || uscript_getScript(c, &e) != USCRIPT_HAN || U_FAILURE(e)) {
			nc = 0;
			continue;
		}
		if (nc == PINYIN_HL_MAX_CHARS) {
			memmove(at, at + 1, PINYIN_HL_MAX_CHARS * sizeof(at[0]));
			nc--;
		}
		at[nc++] = (size_t)start;
		at[nc] = (size_t)off;
		/* the windows that end at this character */
		for (k = 2; k <= PINYIN_HL_MAX_CHARS && k <= nc; k++) {
			const char *w = f + at[nc - k];
			size_t wl = at[nc] - at[nc - k];
			for (t = 0; t < py->n; t++) {
				const char *term = py->v[t];
				if (sou_pinyin_reads_as(reader, w, wl, term + 1, strlen(term + 1),
							term[0] == 'i' ? SOU_READS_INITIALS
								       : SOU_READS_JOINED,
							&rd)) {
					/* a highlight pattern: one unit per character */
					sou_buf_reset(&cmp);
					for (j = nc - k; j < nc; j++) {
						if (j > nc - k)
							sou_buf_addc(&cmp, SOU_UNIT_SEP);
						sou_buf_add(&cmp, f + at[j], at[j + 1] - at[j]);
					}
					sou_strlist_push_unique(out, cmp.data, cmp.len);
					break;
				}
			}
		}
	}
	sou_buf_free(&rd);
	sou_buf_free(&cmp);
}

/*
 * pats and, when the query was typed by sound, the words the page's
 * titles and tags say it with (pinyin_windows; pinyin and initials are
 * indexed from titles, tags and company names only), into out: so that
 * 茅台 shows highlighted for maotai, in the title and the snippet.
 */
static sou_status sound_patterns(run *R, const sou_results *r, const sou_strlist *pats,
				 sou_strlist *out, sou_error *err)
{
	const sou_strlist *py = R->q ? sou_query_pinyin(R->q) : NULL;
	sou_segmenter *seg = sou_termgen_segmenter(R->s->tg);
	sou_pinyin *reader = sou_termgen_pinyin(R->s->tg);
	sou_buf f = SOU_BUF_INIT;
	sou_status st = SOU_OK;
	size_t i, k;

	for (i = 0; i < pats->n; i++)
		sou_strlist_push(out, pats->v[i], strlen(pats->v[i]));
	for (i = 0; reader && py && py->n && !st && i < r->n; i++) {
		const sou_docdata *d = &r->hits[i].doc;
		for (k = 0; !st && k <= d->tags.n; k++) {
			const char *t = k ? d->tags.v[k - 1] : d->title;
			if (!t || !(st = sou_segmenter_fold(seg, t, strlen(t), &f, err)))
				if (t && f.len)
					pinyin_windows(reader, f.data, f.len, py, out);
		}
	}
	sou_buf_free(&f);
	return st;
}

static sou_status stage_render(run *R, sou_error *err)
{
	const sou_search_opts *o = R->o;
	sou_results *r = R->r;
	sou_segmenter *seg = sou_termgen_segmenter(R->s->tg);
	const sou_strlist *pats = R->q ? sou_query_patterns(R->q) : &R->like_words;
	sou_strlist sound = { NULL, 0 };
	sou_status st = SOU_OK;
	size_t i;

	r->nfacets = R->m ? R->nslots : 0;
	r->facets = sou_xcalloc(R->nslots ? R->nslots : 1, sizeof(*r->facets));
	for (i = 0; i < r->nfacets; i++) {
		sou_xfacet f = sou_xmset_facet(R->m, i);
		sou_facet *rf = &r->facets[i];
		size_t k, top = f.n < o->facet_top ? f.n : o->facet_top;
		rf->name = sou_xstrdup(R->names[i]);
		rf->counts = sou_xcalloc(top ? top : 1, sizeof(unsigned long));
		rf->counted = f.seen;
		rf->exact = f.exact && !R->check;
		for (k = 0; k < top; k++) {
			sou_strlist_push(&rf->values, f.values[k], strlen(f.values[k]));
			/* beyond the exact limit, or when the spies counted
			 * unchecked candidates: scale to the estimated total */
			rf->counts[k] = rf->exact || !f.seen ? f.counts[k]
				: (unsigned long)((double)f.counts[k] * (double)r->estimated / (double)f.seen + 0.5);
		}
	}
	/* the page moves into the results */
	r->hits = R->pg.hits ? R->pg.hits : sou_xcalloc(1, sizeof(*r->hits));
	r->n = R->pg.n;
	r->offset = o->offset;
	r->limit = o->limit;
	memset(&R->pg, 0, sizeof(R->pg));
	if (R->q && sou_query_pinyin(R->q)->n) {
		st = sound_patterns(R, r, pats, &sound, err);
		pats = &sound;
	}
	for (i = 0; i < r->n && !st; i++) {
		sou_hit *h = &r->hits[i];

		h->rank = o->offset + (unsigned)i + 1;
		if (o->snippet_cols)
			/* --like's words are highlighted as whole words only */
			st = (R->q ? sou_snippet_make : sou_snippet_make_words)(
				seg, h->doc.text, h->doc.text_len, pats, o->snippet_cols,
				&h->snippet, &h->snippet_hl, err);
		if (!st) {
			sou_buf tmp = SOU_BUF_INIT;
			st = (R->q ? sou_snippet_make : sou_snippet_make_words)(
				seg, h->doc.title, strlen(h->doc.title), pats, 0, &tmp, &h->title_hl, err);
			sou_buf_free(&tmp);
		}
	}
	sou_strlist_free(&sound);
	return st;
}

/* The shards a partial answer leaves out, into r. */
static void note_missing(sou_searcher *s, sou_results *r)
{
	size_t k, n = sou_xdb_missing(s->db);

	r->partial = s->partial;
	r->shards = sou_xdb_shards(s->db);
	for (k = 0; k < n; k++) {
		sou_buf who = SOU_BUF_INIT, why = SOU_BUF_INIT;
		sou_xdb_missing_shard(s->db, k, &who, &why);
		sou_strlist_push(&r->missing, who.data ? who.data : "", who.len);
		sou_strlist_push(&r->missing_why, why.data ? why.data : "", why.len);
		sou_buf_free(&who);
		sou_buf_free(&why);
	}
}

sou_status sou_searcher_run(sou_searcher *s, const char *query,
			    const sou_search_opts *o, sou_results **out,
			    sou_error *err)
{
	unsigned tries;

	*out = NULL;
	/*
	 * A partial reader (SOU_XDB_PARTIAL) that loses a shard during the
	 * search fails that search (its docids mixed the shards) and
	 * searches the others from the start; each try loses one more shard
	 * or ends, so there are at most as many tries as shards.
	 */
	for (tries = 0;; tries++) {
		unsigned long losses = sou_xdb_losses(s->db);
		run R;
		sou_status st;

		memset(&R, 0, sizeof(R));
		R.s = s;
		R.o = o;
		if (!(st = sou_xdb_rejoin(s->db, err)) && !(st = stage_parse(&R, query, err)) &&
		    !(st = stage_match(&R, err)) && !(st = stage_check(&R, err)) &&
		    !(st = stage_rerank(&R, err)) && !(st = stage_fetch(&R, err)) &&
		    !(st = stage_render(&R, err))) {
			note_missing(s, R.r);
			*out = R.r;
			R.r = NULL;
		}
		run_free(&R);
		if (st == SOU_ERR_DB && s->partial && sou_xdb_losses(s->db) != losses &&
		    tries < sou_xdb_shards(s->db))
			continue;
		return st;
	}
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
		if (h->doc.permalink)
			json_object_set_new(x, "permalink", json_text(h->doc.permalink));
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
	if (r->partial) {
		/* always there for a partial searcher, so a client tells "every
		 * shard answered" ([]) from a server without the setting */
		json_t *ms = json_array();
		for (i = 0; i < r->missing.n; i++)
			json_array_append_new(ms, json_pack("{s:o,s:o}", "shard",
							    json_text(r->missing.v[i]), "error",
							    json_text(r->missing_why.v[i])));
		json_object_set_new(o, "missing_shards", ms);
	}
	if (r->loosen_kind && r->loosen_query) {
		/* kinds: loosen.h's, by name */
		static const char *const K[] = { "", "spelling", "filter", "run", "word" };
		json_object_set_new(o, "loosened",
				    json_pack("{s:s,s:b,s:o,s:I}", "kind",
					      r->loosen_kind < 5 ? K[r->loosen_kind] : "",
					      "did_you_mean", r->loosen_kind == 1,
					      "query", json_text(r->loosen_query),
					      "total", (json_int_t)r->loosen_total));
		json_object_set_new(json_object_get(o, "loosened"), "total_exact",
				    json_boolean(r->loosen_exact));
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

/* Wrap points kept back at most this many columns for a blank. */
#define WRAP_BLANK_COLS 16

/*
 * line[0..len) (one line, no newline; sou's own escape sequences in it)
 * appended to out, broken so that no line exceeds width columns, the
 * first line starting at column start, every further line indented by
 * indent blanks (width 0: as is).
 */
static void add_wrapped(sou_buf *out, const char *line, size_t len, unsigned start,
			unsigned width, unsigned indent)
{
	size_t i = 0, brk_out = 0;
	unsigned col = start, brk_col = 0;
	int have_brk = 0;

	if (!width || width <= indent + 8) {
		sou_buf_add(out, line, len);
		return;
	}
	while (i < len) {
		size_t at = i;
		UChar32 c;
		unsigned w;
		if (line[i] == '\033') {
			/* ESC [ ... final byte: no columns */
			for (i++; i < len && !(line[i] >= 0x40 && line[i] <= 0x7e && line[i] != '['); i++)
				;
			if (i < len)
				i++;
			sou_buf_add(out, line + at, i - at);
			continue;
		}
		U8_NEXT_OR_FFFD((const uint8_t *)line, i, len, c);
		w = (unsigned)sou_snippet_cp_cols(c);
		if (col + w > width && col > indent) {
			if (have_brk && col - brk_col <= WRAP_BLANK_COLS) {
				/* break at the blank: what followed it moves down */
				size_t tail = out->len - brk_out;
				char *keep = sou_xmalloc(tail ? tail : 1);
				memcpy(keep, out->data + brk_out, tail);
				out->len = brk_out - 1; /* the blank itself goes */
				while (out->len && out->data[out->len - 1] == ' ')
					out->len--;
				sou_buf_addc(out, '\n');
				sou_buf_addf(out, "%*s", (int)indent, "");
				sou_buf_add(out, keep, tail);
				free(keep);
				col = indent + (col - brk_col);
			} else {
				sou_buf_addc(out, '\n');
				sou_buf_addf(out, "%*s", (int)indent, "");
				col = indent;
			}
			have_brk = 0;
			if (c == ' ')
				continue; /* no blank at a line's start */
		}
		sou_buf_add(out, line + at, i - at);
		col += w;
		if (c == ' ') {
			have_brk = 1;
			brk_out = out->len;
			brk_col = col;
		}
	}
}

void sou_results_text(const sou_results *r, int color, unsigned width, sou_buf *out)
{
	const char *hl_on = color ? "\033[1;31m" : "**", *hl_off = color ? "\033[0m" : "**";
	const char *b_on = color ? "\033[1m" : "", *b_off = color ? "\033[0m" : "";
	const char *dim_on = color ? "\033[2m" : "", *dim_off = color ? "\033[0m" : "";
	const char *about;
	sou_buf line = SOU_BUF_INIT;
	size_t i;

	sou_buf_reset(out);
	for (i = 0; i < r->n; i++) {
		const sou_hit *h = &r->hits[i];
		char day[32];

		sou_buf_addf(out, "%3u. %s  ", h->rank,
			     h->doc.has_date ? sou_date_day(&h->doc.date, day) : "----------");
		sou_buf_reset(&line);
		sou_buf_adds(&line, b_on);
		add_marked(&line, h->doc.title, strlen(h->doc.title), &h->title_hl,
			   color ? "\033[1;31m" : "**", color ? "\033[0;1m" : "**");
		sou_buf_adds(&line, b_off);
		add_wrapped(out, line.data, line.len, 17, width, 5);
		sou_buf_addc(out, '\n');
		sou_buf_adds(out, "     ");
		sou_buf_reset(&line);
		sou_buf_adds(&line, dim_on);
		if (h->doc.tags.n) {
			sou_buf_adds(&line, "tags: ");
			add_list(&line, &h->doc.tags);
			sou_buf_adds(&line, "  ");
		}
		if (h->doc.categories.n) {
			sou_buf_adds(&line, "category: ");
			add_list(&line, &h->doc.categories);
			sou_buf_adds(&line, "  ");
		}
		add_text(&line, h->doc.path);
		sou_buf_adds(&line, dim_off);
		add_wrapped(out, line.data, line.len, 5, width, 5);
		sou_buf_addc(out, '\n');
		if (h->snippet.len) {
			sou_buf_adds(out, "     ");
			sou_buf_reset(&line);
			add_marked(&line, h->snippet.data, h->snippet.len, &h->snippet_hl,
				   hl_on, hl_off);
			add_wrapped(out, line.data, line.len, 5, width, 5);
			sou_buf_addc(out, '\n');
		}
		sou_buf_addc(out, '\n');
	}
	/* "about" only for a real estimate (README "Counts") */
	about = r->lower == r->upper ? "" : "about ";
	if (r->n)
		sou_buf_addf(out, "%s%lu result%s; showing %u-%u\n", about, r->estimated,
			     r->estimated == 1 ? "" : "s", r->offset + 1,
			     r->offset + (unsigned)r->n);
	else if (!r->estimated)
		sou_buf_adds(out, "no results\n");
	else if (!r->limit) /* --limit 0: a count */
		sou_buf_addf(out, "%s%lu result%s\n", about, r->estimated,
			     r->estimated == 1 ? "" : "s");
	else
		sou_buf_addf(out, "no results on this page (%s%lu in all)\n", about, r->estimated);
	if (!r->estimated && r->loosen_kind && r->loosen_query) {
		sou_buf_adds(out, r->loosen_kind == 1 ? "did you mean: " : "try: ");
		add_text(out, r->loosen_query);
		sou_buf_addf(out, "  (%s%lu result%s)\n", r->loosen_exact ? "" : "about ",
			     r->loosen_total, r->loosen_total == 1 ? "" : "s");
	}
	/* a partial answer says so, and which shards it leaves out */
	if (r->missing.n)
		sou_buf_addf(out, "partial: %zu of %zu shards did not answer; these results leave "
			     "out their posts:\n", r->missing.n, r->shards);
	for (i = 0; i < r->missing.n; i++) {
		sou_buf_adds(out, "  ");
		add_text(out, r->missing.v[i]);
		sou_buf_adds(out, ": ");
		add_text(out, r->missing_why.v[i]);
		sou_buf_addc(out, '\n');
	}
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
	sou_buf_free(&line);
}
