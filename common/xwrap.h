/*
 * xwrap.h - sou's C API over libxapian, the only place Xapian is used.
 *
 * The implementation (xwrap.cc) is the one C++ file in sou.  Every
 * Xapian exception is caught at this boundary and returned as a
 * sou_status plus a message; no C++ exception ever reaches C code.
 *
 * Handles are opaque.  Ownership rules:
 *   - every handle returned by an open, create or sou_xq constructor is
 *     owned by the caller and released with the matching destroy function
 *     (destroy(NULL) is a no-op);
 *   - functions that take handles as inputs never take ownership (queries
 *     are reference-counted inside Xapian, so combining copies cheaply);
 *   - pointers returned by accessors (sou_xmset_data) stay valid until the
 *     handle they came from is destroyed.
 * Query constructors return NULL only when memory runs out or an input is
 * NULL; combinators propagate NULL, so callers check once at the end.
 */
#ifndef SOU_XWRAP_H
#define SOU_XWRAP_H

#include <stddef.h>

#include "buf.h"
#include "error.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Xapian's limit on the length of a term, in bytes. */
#define SOU_XAPIAN_MAX_TERM 245

typedef struct sou_xdb sou_xdb;
typedef struct sou_xdoc sou_xdoc;
typedef struct sou_xq sou_xq;
typedef struct sou_xmset sou_xmset;

/* ---- databases --------------------------------------------------------- */

#define SOU_XDB_READ   0 /* open an existing database read-only */
#define SOU_XDB_WRITE  1 /* open for writing, creating it if missing */
#define SOU_XDB_CREATE 2 /* open for writing, replacing any existing one */
/* A full build's throwaway shard: as CREATE, written without fsync and
 * with blocks updated in place (tune.h: shard_nosync, shard_dangerous).
 * Nothing reads a shard before it is merged, and a killed build is
 * redone from scratch, so neither durability nor concurrent readers are
 * needed.  The first shard opened also lifts Xapian's own flush every
 * 10000 documents (XAPIAN_FLUSH_THRESHOLD, unless set): shards flush by
 * sou_xdb_set_flush_budget. */
#define SOU_XDB_SHARD  3

/*
 * Opens the database at path.  A writer that finds another writer holding
 * the lock fails with SOU_ERR_LOCKED (any other locking failure, such as
 * no permission, is SOU_ERR_DB naming its cause); a missing database
 * opened for reading fails with SOU_ERR_NOTFOUND; other failures are
 * SOU_ERR_DB.  A reader of an index directory opens the generation its
 * stub names and holds it against removal until destroyed (genlock.h).
 *
 * Every failure that means the files are damaged (Xapian's
 * DatabaseCorruptError, a table missing or garbled, a bad stub) is
 * SOU_ERR_DB with a message saying the index is damaged and how to
 * rebuild it (SOU_GENLOCK_REBUILD_HINT).
 */
sou_status sou_xdb_open(const char *path, int mode, sou_xdb **out, sou_error *err);
/*
 * Opens path for reading (what SOU_XDB_READ does, with timeout_s for
 * remote shards; <= 0 means SOU_XDB_TIMEOUT_S).  path is resolved by
 * shardset.h: one index, or a stub or shard set listing local and remote
 * shards, searched as one database (Xapian merges their statistics, so
 * scores equal those of one index holding every post).  Each local sou
 * index among them is held by genlock.h.  A remote shard that cannot be
 * reached, or fails or exceeds the timeout during a read, is SOU_ERR_DB
 * with a message naming it (and the stub line that lists it); after such
 * a failure every shard is opened again before the next read.
 *
 * Nothing in the index runs: every local shard is opened as a glass
 * database only (never as a stub Xapian would follow, since a file or
 * directory in a hostile index could be one listing "remote :PROGRAM"),
 * after checking that its directory holds only regular files (fsafe.h),
 * and stubs are read by shardset.h, which allows program shards only
 * with SOU_XDB_ALLOW_PROGRAMS.  A local shard that is no glass database
 * is SOU_ERR_DB naming it; none there at all, SOU_ERR_NOTFOUND.
 */
typedef struct sou_xdb_reader_opts {
	double timeout_s;   /* remote shards; <= 0: SOU_XDB_TIMEOUT_S */
	unsigned flags;     /* SOU_XDB_ALLOW_PROGRAMS, SOU_XDB_PARTIAL */
	double retry_s;     /* SOU_XDB_PARTIAL: how often a shard left out is
			     * looked for again; <= 0: SOU_XDB_RETRY_S */
} sou_xdb_reader_opts;
#define SOU_XDB_ALLOW_PROGRAMS 1u
/*
 * Partial answers by choice: a remote shard that cannot be reached when
 * the reader opens, or that fails or exceeds the timeout during a read,
 * is left out instead of failing every read from then on.  The read that
 * met the failure still fails (SOU_ERR_DB naming the shard, as without
 * the flag; sou_xdb_losses() counts up), since what it read before mixed
 * the shards' docids; the reads after it search the other shards.  A
 * thread looks for the shards left out every retry_s (each try bounded
 * by the timeout, in the background), and sou_xdb_rejoin() takes back
 * those that answer.  Local shards are never left out (a local shard
 * that fails is an index problem, not an outage), and a reader with no
 * shard left fails as a whole.
 */
#define SOU_XDB_PARTIAL 2u
#define SOU_XDB_TIMEOUT_S 10.0
#define SOU_XDB_RETRY_S 2.0
/* Connections per remote shard that sou_xmset_prefetch uses (SOU_TUNE
 * remote_pool; 0: fetch over the search's connection only). */
#define SOU_XDB_POOL 4
/* o may be NULL: the defaults (zeros). */
sou_status sou_xdb_open_reader(const char *path, const sou_xdb_reader_opts *o, sou_xdb **out,
			       sou_error *err);
/* Closes the database; for a writer, uncommitted changes are discarded. */
void sou_xdb_destroy(sou_xdb *db);

/*
 * Replaces (or adds) the document indexed by the unique term idterm.
 * When db compresses records (sou_xdb_add_dict, or a dictionary its index
 * holds), doc's data is compressed in place first (records.h).
 */
sou_status sou_xdb_replace(sou_xdb *db, const char *idterm, const sou_xdoc *doc,
			   sou_error *err);
/*
 * A writer commits by itself once the documents replaced since its last
 * commit are estimated to hold about bytes of Xapian's memory (0: never;
 * the default).  For build shards, whose commits only bound memory.
 */
void sou_xdb_set_flush_budget(sou_xdb *db, size_t bytes);
/*
 * Gives writer db a record dictionary (records.h; copied): stored in its
 * metadata (SOU_META_ZDICT + id, committed with the next commit), and
 * every record replaced from now on is compressed with it.  Bytes that
 * are not a zstd dictionary are ignored.  Readers decompress every record
 * transparently (sou_xdb_get_data, search results).
 */
sou_status sou_xdb_add_dict(sou_xdb *db, const char *dict, size_t len, sou_error *err);
/* Deletes the documents indexed by idterm (none is not an error). */
sou_status sou_xdb_delete(sou_xdb *db, const char *idterm, sou_error *err);
/* Makes all changes since the last commit durable and visible atomically. */
sou_status sou_xdb_commit(sou_xdb *db, sou_error *err);
/*
 * Merges the databases at srcs[0..n) into a new compact database at dest
 * (which must not exist), renumbering documents.  Used to join the shards
 * of a parallel build; compaction also leaves the B-trees full, so the
 * result is smaller than any incrementally written index.
 */
sou_status sou_xdb_compact(const char *const *srcs, size_t n, const char *dest,
			   sou_error *err);

/*
 * Makes a reader see the latest committed state, moving to a new
 * generation (and letting go of the old one) if a rebuild switched; for
 * shards, of each local one, and after a remote shard failed, connecting
 * every shard again (SOU_ERR_DB naming the shard if one still fails).
 */
sou_status sou_xdb_reopen(sou_xdb *db, sou_error *err);

/*
 * SOU_XDB_PARTIAL: at the start of a search, puts the shards left out
 * that answer again back into db (their connections were made by the
 * background thread: this waits for nothing).  Docids from before a
 * change of the shards searched name other posts after it.
 */
sou_status sou_xdb_rejoin(sou_xdb *db, sou_error *err);
/* How many shards reader db has (1 for one index). */
size_t sou_xdb_shards(const sou_xdb *db);
/* How many shards db leaves out now (SOU_XDB_PARTIAL; 0 without it). */
size_t sou_xdb_missing(const sou_xdb *db);
/* The k-th of them (k < sou_xdb_missing): its description as
 * sou_shard_describe gives it, appended to who, and why it is left out
 * (Xapian's words), appended to why. */
void sou_xdb_missing_shard(const sou_xdb *db, size_t k, sou_buf *who, sou_buf *why);
/* How many times db has left a shard out since it opened: a search that
 * failed while this changed may succeed if started again. */
unsigned long sou_xdb_losses(const sou_xdb *db);

/*
 * Runs Xapian's own consistency check (Xapian::Database::check) over the
 * database at path (an index directory's current generation, or a
 * database directory).  What it finds wrong is appended to report, one
 * line each, and counted in *problems (0: sound).  The status is an
 * error only when the check could not run (e.g. the files cannot be read).
 */
sou_status sou_xdb_check(const char *path, sou_buf *report, unsigned long *problems,
			 sou_error *err);

sou_status sou_xdb_doccount(sou_xdb *db, unsigned long *n, sou_error *err);
/* The highest document id in use (docids run from 1; deletions leave gaps). */
sou_status sou_xdb_lastdocid(sou_xdb *db, unsigned long *n, sou_error *err);
sou_status sou_xdb_termfreq(sou_xdb *db, const char *term, unsigned long *n,
			    sou_error *err);

/*
 * User metadata: value of key into out (empty if unset).  Metadata is
 * written in the same transaction as documents, so it commits atomically
 * with them; setting an empty value deletes the key.
 */
sou_status sou_xdb_get_metadata(sou_xdb *db, const char *key, sou_buf *out,
				sou_error *err);
sou_status sou_xdb_set_metadata(sou_xdb *db, const char *key, const char *value,
				size_t len, sou_error *err);

/*
 * Calls fn(ctx, key, value) for every metadata key starting with prefix,
 * in key order (key and value owned by the wrapper, valid during the call).
 */
typedef void (*sou_xmeta_fn)(void *ctx, const char *key, size_t klen,
			     const char *value, size_t vlen);
sou_status sou_xdb_metadata_each(sou_xdb *db, const char *prefix, sou_xmeta_fn fn,
				 void *ctx, sou_error *err);

/* The stored data of the document with idterm, into out; NOTFOUND if none. */
sou_status sou_xdb_get_data(sou_xdb *db, const char *idterm, sou_buf *out,
			    sou_error *err);

/*
 * Calls fn for every term of the document with idterm, in term order,
 * with its wdf and positions (positions owned by the wrapper, valid during
 * the call).  Used by tests and consistency checks.
 */
typedef void (*sou_xterm_fn)(void *ctx, const char *term, size_t len,
			     unsigned wdf, const unsigned *pos, size_t npos);
sou_status sou_xdb_doc_terms(sou_xdb *db, const char *idterm, sou_xterm_fn fn,
			     void *ctx, sou_error *err);

/*
 * Calls fn for every term in the database starting with prefix, in term
 * order (e.g. SOU_PREFIX_ID for every post's id term).
 */
typedef void (*sou_xallterm_fn)(void *ctx, const char *term, size_t len);
sou_status sou_xdb_each_term(sou_xdb *db, const char *prefix, sou_xallterm_fn fn,
			     void *ctx, sou_error *err);
/*
 * The same for at most limit terms of prefix[0..prefix_len), each with its
 * term frequency (the number of posts holding it, over every shard); *more
 * (may be NULL) is set to 1 when terms were left out.  For completions
 * (suggest.h), so the work per call is bounded.
 */
typedef void (*sou_xallterm_tf_fn)(void *ctx, const char *term, size_t len,
				   unsigned long termfreq);
/*
 * Marks the terms starting with family (copied) as a small table read
 * whole: with remote shards, sou_xdb_each_term_tf of a prefix inside it
 * reads the whole family once (every shard at once, at most 100,000
 * terms, else it is not kept) and answers later calls from memory while
 * no shard has changed (its uuid, post count, last docid and total
 * length; Xapian knows them without asking).  For the company table
 * (entity.h), looked up for every Chinese word of a query.
 */
void sou_xdb_cache_terms(sou_xdb *db, const char *family);
sou_status sou_xdb_each_term_tf(sou_xdb *db, const char *prefix, size_t prefix_len,
				size_t limit, sou_xallterm_tf_fn fn, void *ctx, int *more,
				sou_error *err);

/*
 * A canonical text form of the document with idterm, into out: its data,
 * its values (hex) and every term with wdf and positions, one per line.
 * Two indexes hold the same post exactly when these are equal; docids are
 * left out on purpose.
 */
sou_status sou_xdb_doc_canonical(sou_xdb *db, const char *idterm, sou_buf *out,
				 sou_error *err);

/* ---- documents ----------------------------------------------------------- */

/* A new empty document.  Aborts on allocation failure. */
sou_xdoc *sou_xdoc_create(void);
void sou_xdoc_destroy(sou_xdoc *doc);
/*
 * Term adders.  Empty terms and terms over SOU_XAPIAN_MAX_TERM bytes are
 * dropped (and counted, see sou_xdoc_dropped) rather than failing the
 * whole document later inside Xapian.
 */
void sou_xdoc_add_posting(sou_xdoc *doc, const char *term, size_t len,
			  unsigned pos, unsigned wdfinc);
void sou_xdoc_add_term(sou_xdoc *doc, const char *term, size_t len, unsigned wdfinc);
/* A filter term: no wdf, so it does not change the document length. */
void sou_xdoc_add_boolean(sou_xdoc *doc, const char *term, size_t len);
void sou_xdoc_set_value(sou_xdoc *doc, unsigned slot, const char *v, size_t len);
/* Stores a number so that byte order equals numeric order (for sorting). */
void sou_xdoc_set_number(sou_xdoc *doc, unsigned slot, double v);
void sou_xdoc_set_data(sou_xdoc *doc, const char *data, size_t len);
/* The document's data into out (replacing its contents). */
void sou_xdoc_get_data(const sou_xdoc *doc, sou_buf *out);
unsigned sou_xdoc_dropped(const sou_xdoc *doc);
/* Calls fn for every term of a document being built (as sou_xdb_doc_terms). */
sou_status sou_xdoc_terms(const sou_xdoc *doc, sou_xterm_fn fn, void *ctx,
			  sou_error *err);

/* ---- queries ------------------------------------------------------------- */

typedef enum sou_xq_op {
	SOU_XQ_AND,
	SOU_XQ_OR,
	SOU_XQ_AND_NOT,    /* first minus the union of the rest */
	SOU_XQ_AND_MAYBE,  /* first, with weight added from the rest */
	SOU_XQ_FILTER,     /* first, restricted to the rest, weight from first */
	SOU_XQ_PHRASE,     /* subqueries at consecutive positions, in order */
	SOU_XQ_SYNONYM     /* union scored as if one term */
} sou_xq_op;

sou_xq *sou_xq_term(const char *term, size_t len, unsigned wqf);
/* A term matched without contributing weight (filters). */
sou_xq *sou_xq_bool_term(const char *term, size_t len);
sou_xq *sou_xq_combine(sou_xq_op op, sou_xq *const *subs, size_t n);
sou_xq *sou_xq_scale(const sou_xq *q, double factor);
/* Documents whose number in slot lies in [lo, hi] (open ends allowed). */
sou_xq *sou_xq_number_range(unsigned slot, int has_lo, double lo, int has_hi,
			    double hi);
sou_xq *sou_xq_match_all(void);
sou_xq *sou_xq_match_nothing(void);
void sou_xq_destroy(sou_xq *q);
/* A description for debugging, malloc'd, owned by the caller (never NULL:
 * running out of memory aborts). */
char *sou_xq_describe(const sou_xq *q);
/*
 * Number of distinct terms in q (each counted once however often it
 * occurs); (size_t)-1 if they cannot be counted (out of memory).
 */
size_t sou_xq_count_terms(const sou_xq *q);

/* ---- stemming ------------------------------------------------------------ */

/* An English (Snowball) stemmer; one per thread.  NULL on failure. */
typedef struct sou_xstem sou_xstem;
sou_xstem *sou_xstem_create(void);
void sou_xstem_destroy(sou_xstem *st);
/* The stem of a lower-case word into out (replacing its contents). */
void sou_xstem_run(sou_xstem *st, const char *word, size_t len, sou_buf *out);

/* ---- related posts ------------------------------------------------------- */

/*
 * The nterms terms that best tell the post with idterm apart from the
 * others (Xapian's expand set over that one post, with term frequencies
 * counted exactly over every shard), best first: Chinese bigram terms
 * (SOU_PREFIX_BIGRAM followed by two non-ASCII units) and unprefixed
 * words of two bytes or more that are not a lone character.  Each is
 * appended to terms (prefix included) and its expand weight to
 * *weights (a new array of terms->n entries, owned by the caller; NULL
 * when nothing was chosen).  SOU_ERR_NOTFOUND when no post has idterm.  Xapian's own get_eset asks every remote shard for
 * every term's frequency, a round trip each; this costs about 6 round
 * trips in all (xwrap.cc).
 */
sou_status sou_xdb_like_terms(sou_xdb *db, const char *idterm, unsigned nterms,
			      sou_strlist *terms, double **weights, sou_error *err);
/* sou_xdb_like_terms that also gives the post's stored record (as
 * sou_xdb_get_data would) in data, unless data is NULL. */
sou_status sou_xdb_like_post(sou_xdb *db, const char *idterm, unsigned nterms,
			     sou_strlist *terms, double **weights, sou_buf *data,
			     sou_error *err);

/* ---- searching ----------------------------------------------------------- */

typedef enum sou_sort {
	SOU_SORT_RELEVANCE,
	SOU_SORT_DATE_DESC,  /* newest first */
	SOU_SORT_DATE_ASC    /* oldest first */
} sou_sort;

typedef struct sou_xsearch {
	sou_sort sort;
	unsigned offset, limit;
	unsigned check_at_least;   /* passed to Enquire::get_mset */
	int lazy_data;             /* fetch stored data only on sou_xmset_fetch */
	int unranked;              /* matches in docid order, unweighted (counting,
				    * sampling); sort and recency are ignored */
	/*
	 * Recency: when halflife_days > 0, each matching post gains
	 * recency_weight * 2^(-age_days / halflife_days) on top of its BM25
	 * score, age in whole days from now (epoch seconds) to the post's UTC
	 * day (SOU_SLOT_DAY), 0 for posts dated after now.
	 *
	 * Order: the date sorts use SOU_SLOT_ORDER (date, then key); equal
	 * scores rank by it too (newest first), so no result depends on
	 * docids, which differ between one index and its shards.
	 */
	double halflife_days;
	double recency_weight;
	double now;
	/*
	 * Facets: for each slot in facet_slots[0..nfacets), count the values
	 * (a value may hold several, separated by SOU_FACET_SEP) over the
	 * whole match set.  Xapian sees at least facet_exact documents, so the
	 * counts are exact when the match set is no larger.
	 */
	const unsigned *facet_slots;
	size_t nfacets;
	unsigned facet_exact;
	/*
	 * carry: with remote shards, each hit's value in carry_slot comes in
	 * the reply with the hits (as Xapian's collapse key, collapse_max
	 * above any count, so nothing collapses), and sou_xmset_value returns
	 * it with no round trip of its own.  Only for a search that examines
	 * every match (check_at_least above the match count), whose counts
	 * the collapser then cannot change.  Ignored without remote shards.
	 */
	int carry;
	unsigned carry_slot;
} sou_xsearch;

#define SOU_FACET_SEP '\x1f'

/* Counts of one facet; strings owned by the mset. */
typedef struct sou_xfacet {
	const char **values;   /* by descending count, then value */
	const unsigned long *counts;
	size_t n;
	unsigned long seen;    /* documents counted */
	int exact;             /* seen the whole match set */
} sou_xfacet;

/*
 * Runs q.  If the database moved on under a reader (Xapian's
 * DatabaseModifiedError), the reader is reopened and the search retried,
 * so callers always get one consistent snapshot.
 */
sou_status sou_xdb_search(sou_xdb *db, const sou_xq *q, const sou_xsearch *opts,
			  sou_xmset **out, sou_error *err);
/*
 * *yes = 1 if the document docid (from an mset of db) matches q, else 0:
 * q restricted to the document's unique id term, so it works on any
 * backend (for qcheck.h's questions about one candidate).
 */
sou_status sou_xdb_doc_matches(sou_xdb *db, const sou_xq *q, unsigned docid, int *yes,
			       sou_error *err);
size_t sou_xmset_size(const sou_xmset *m);
/* Estimated number of matches, and the bounds Xapian guarantees. */
unsigned long sou_xmset_estimated(const sou_xmset *m);
unsigned long sou_xmset_lower(const sou_xmset *m);
unsigned long sou_xmset_upper(const sou_xmset *m);
double sou_xmset_weight(const sou_xmset *m, size_t i);
unsigned sou_xmset_docid(const sou_xmset *m, size_t i);
/*
 * Appends to out what holds document docid of reader db, for messages:
 * its shard as shardset.h describes it ("remote HOST:PORT (listed at
 * STUB line N)") when db has several shards or a remote one, else the
 * path db was opened with.  Returns 1 when that shard is remote (a bad
 * record may then have been garbled on the way), else 0.
 */
int sou_xdb_doc_holder(const sou_xdb *db, unsigned docid, sou_buf *out);
const char *sou_xmset_data(const sou_xmset *m, size_t i, size_t *len);
/*
 * The stored data of hit i of an mset searched with lazy_data, fetched
 * now from db (the database searched): *data stays valid while m lives.
 * Candidates that are checked one by one (qcheck.h) often stop before the
 * end of their window, and a document's data is the costly part (zlib).
 */
sou_status sou_xmset_fetch(sou_xdb *db, sou_xmset *m, size_t i, const char **data,
			   size_t *len, sou_error *err);
/*
 * Hit i's sort key, NULL when m has none (an unranked search): the order
 * value (schema.h SOU_SLOT_ORDER: date, then the post's key) of every
 * ranked or date-sorted search, which Xapian's MSet carries from every
 * shard, so reading it costs nothing; *len its length.  Valid while m
 * lives.
 */
const char *sou_xmset_sort_key(const sou_xmset *m, size_t i, size_t *len);
/*
 * Reads now the values in slot of hits idx[0..n) of m, whose id terms
 * are idterms[0..n), so that sou_xmset_value then returns them without
 * a round trip each: when db has remote shards, all of them in one query
 * (2 round trips, the shards in parallel); else nothing happens (a local
 * value costs no wait).
 */
sou_status sou_xmset_prefetch_value(sou_xdb *db, sou_xmset *m, const size_t *idx,
				    const char *const *idterms, size_t n, unsigned slot,
				    sou_error *err);
/*
 * Fetches now, in parallel, the records of hits idx[0..n) of m held by
 * remote shards (a few connections per shard, each with a thread:
 * SOU_XDB_POOL), so that sou_xmset_fetch then returns them without a
 * round trip each, and sou_xmset_value from the values that came with
 * them; hits on local shards are left for those to read (a local record
 * costs no wait, and one never needed costs nothing).  Nothing happens
 * without remote shards.  A shard that fails
 * or exceeds the timeout fails it naming the shard, as any read does.
 */
sou_status sou_xmset_prefetch(sou_xdb *db, sou_xmset *m, const size_t *idx, size_t n,
			      sou_error *err);
/*
 * The value in slot of hit i, read now from db (the database searched)
 * into out (replacing its contents; empty when the post has none).  Cheap
 * on a local index: values are stored apart from the compressed record;
 * from a remote shard, a round trip unless sou_xmset_prefetch fetched the
 * hit.
 */
sou_status sou_xmset_value(sou_xdb *db, const sou_xmset *m, size_t i, unsigned slot,
			   sou_buf *out, sou_error *err);
/* Facet k (in the order of facet_slots), valid while m lives. */
sou_xfacet sou_xmset_facet(const sou_xmset *m, size_t k);
void sou_xmset_destroy(sou_xmset *m);

#ifdef __cplusplus
}
#endif

#endif
