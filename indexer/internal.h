/*
 * internal.h - what the files of libsouindex share with each other and
 * with nobody else: the indexer's state, its workers and queue, and the
 * functions one file calls in another.  Public API: indexer.h.
 *
 * The files, one job each:
 *   indexer.c  orchestration: create/destroy, add_path, finish; events
 *   walk.c     roots, the directory walk and its symlink policy; hands
 *              each candidate file to the workers or works on it
 *   file.c     the work on one file: read, hash, index (postdoc.h),
 *              remember (state.h)
 *   pool.c     full builds: worker threads, the bounded queue, one shard
 *              database per worker, and the merge of the shards
 *   publish.c  the end of a run: deletion sweep, last-run summary,
 *              commit, switching to a new generation
 *   status.c   what --status shows
 *   shards.c   shard sets: one indexer per shard, run in parallel threads
 *
 * Threads: everything runs in the calling thread except file.c's work in
 * a full build, which runs in the workers; shared counters are under
 * ev_mu, the queue under mu.  In a shard set each shard's indexer runs
 * its add_path and finish in a thread of its own (shards.c), sharing
 * nothing with the other shards' but the set's event mutex.
 */
#ifndef SOU_INDEXER_INTERNAL_H
#define SOU_INDEXER_INTERNAL_H

#include <pthread.h>
#include <sys/stat.h>

#include "buf.h"
#include "indexer.h"
#include "postdoc.h"
#include "state.h"
#include "store.h"
#include "termgen.h"
#include "xwrap.h"

/* Files waiting for a worker; bounded so memory does not grow with the tree. */
#define SOU_IX_QUEUE_CAP 256

/* The end of the message of a post over the size limit, which walk.c
 * also looks for in records: such a post is retried when the limit grows. */
#define SOU_IX_TOOBIG_TEXT "-byte limit for one post"

/* Posts larger than this are indexed one at a time in the process (file.c). */
#define SOU_IX_BIG_POST (256u << 10)

/*
 * Terms and postings (sou_termgen_doc_adds) after which a worker commits
 * even before --batch changes: uncommitted postings cost Xapian about
 * 100 bytes each (file.c, sou_ix_count_change).  A full build's workers
 * share it.  An ordinary post has a few hundred to a few thousand, so
 * only runs over big posts commit more often than --batch says.
 */
#define SOU_IX_FLUSH_ADDS 400000ul

/*
 * One PATH of the run and the root it stands for (see indexer.h,
 * sou_indexer_add_path).  Resolved once, when the indexer is created.
 */
typedef struct sou_ix_root {
	const char *given;    /* the PATH as given (borrowed from opts) */
	char *real;           /* its real path; for a file, the real path of its
			       * directory + "/" + its name as given; the absolute
			       * path as written if it cannot be resolved */
	char *label;          /* key prefix ("" when the run has one root) */
	int resolved;         /* real is a real path (the PATH exists) */
	int is_dir;
	size_t same_as;       /* 1 + index of an earlier root with the same real path, or 0 */
	size_t inside;        /* 1 + index of a directory root whose walk reaches this one, or 0 */
} sou_ix_root;

/* A file handed to the workers. */
typedef struct sou_ix_item {
	char *path;           /* owned; the key follows it in the same block */
	const char *key;      /* the post's key (see indexer.h) */
	const char *root;     /* real path of its root (lives as long as ix) */
	struct stat sb;       /* lstat at walk time */
} sou_ix_item;

/* A shard set's state (shards.c). */
typedef struct sou_ix_set sou_ix_set;

/* One thread's tools for file.c: the calling thread's, or a worker's. */
typedef struct sou_ix_worker {
	sou_indexer *ix;
	sou_xdb *db;          /* the live index, or this worker's shard */
	sou_termgen *tg;
	sou_postdoc *pd;
	sou_buf file, idterm;
	unsigned long pending;    /* changes since the last commit */
	unsigned long pending_adds; /* terms handed to documents since then */
	sou_index_stats st;       /* this worker's counts */
	sou_status status;        /* first index failure, for threads */
	sou_error err;
	pthread_t thread;
	int started;
} sou_ix_worker;

struct sou_indexer {
	sou_indexer_opts o;
	sou_store *store;       /* NULL in a dry run */
	sou_xdb *db;            /* live index (incremental), or reader in a dry run */
	sou_state *state;
	int stale;              /* index format/zone changed: redo every post */
	int stopped;            /* interrupted or failed: no deletion pass */
	sou_status failed;      /* the index failure that stopped add_path */
	sou_error fail_err;     /* its message, returned again by finish */
	int parallel;           /* a full build through worker shards */
	sou_ix_root *roots;     /* one per PATH of the run (opts.paths) */
	size_t nroots;
	const sou_ix_root *cur; /* the root being walked */
	sou_buf key;            /* scratch for keys, calling thread only */
	sou_index_stats st;     /* counts of the calling thread */
	double t0;
	sou_ix_worker main_w;   /* incremental work, in the calling thread */
	sou_ix_worker *workers;
	unsigned nworkers;
	/* the queue (pool.c) */
	pthread_mutex_t mu;
	pthread_cond_t not_empty, not_full;
	sou_ix_item q[SOU_IX_QUEUE_CAP];
	size_t q_head, q_n;
	int q_closed;
	int worker_failed;      /* 1 + index of the first worker that failed */
	/* the first files of a full build, held until the record dictionary
	 * is trained on them (pool.c); calling thread only */
	sou_ix_item *pre;
	size_t npre;
	int dict_done;
	/* progress, shared by all threads (under ev_mu) */
	pthread_mutex_t ev_mu;
	unsigned long looked, changed;
	unsigned long finished; /* files whose work is over (sou_ix_event) */
	unsigned long total;    /* files counted first (opts.count_files) */
	sou_ix_phase phase;     /* only ever moves forward */
	unsigned long long bytes;
	int counting;           /* the walk only counts files (walk.c) */
	/* a shard set: this indexer only drives the shards' (shards.c) */
	sou_ix_set *set;
	/* a shard of a set: takes only keys with sou_ix_shard_of == shard_k
	 * (shard_n 0: not a shard) */
	unsigned shard_k, shard_n;
};

/* ---- indexer.c ---- */

/* Seconds on the monotonic clock. */
double sou_ix_now(void);
/* 1 once the caller's interrupt flag is set. */
int sou_ix_interrupted(const sou_indexer *ix);
/* sou_indexer_create for shard k of a set of n (shards.c): an ordinary
 * index at opts->db_path that takes only its own keys (walk.c). */
sou_status sou_ix_create_shard(const sou_indexer_opts *opts, unsigned k, unsigned n,
			       sou_indexer **out, sou_error *err);
/* Reports an event to the caller's callback, from any thread. */
void sou_ix_emit(sou_indexer *ix, sou_ix_event_kind k, const char *path, const char *msg);
/* Enters phase p with a PHASE event, unless the run is there or past it. */
void sou_ix_enter_phase(sou_indexer *ix, sou_ix_phase p);
/* One more file whose work is over (any thread). */
void sou_ix_count_finished(sou_indexer *ix);
/* The SOU_META_CONFIG value for these options into out. */
void sou_ix_config_string(const sou_indexer_opts *o, sou_buf *out);
/*
 * The last-run line for --status into out: "epoch\tadded N, ... in S s",
 * or for a run that failed, "epoch\tfailed: MESSAGE; before that: ...".
 */
void sou_ix_run_summary(const sou_indexer *ix, const char *failure, sou_buf *out);
/* to += from. */
void sou_ix_add_stats(sou_index_stats *to, const sou_index_stats *from);
/* Sets up w to write db (borrowed; NULL: set later); clear with sou_ix_worker_clear. */
sou_status sou_ix_worker_init(sou_ix_worker *w, sou_indexer *ix, sou_xdb *db, sou_error *err);
void sou_ix_worker_clear(sou_ix_worker *w);

/* ---- walk.c ---- */

/* Resolves opts.paths into ix->roots and labels them (at create). */
void sou_ix_walk_resolve(sou_indexer *ix);
/* Frees ix->roots. */
void sou_ix_walk_clear(sou_indexer *ix);
/* Walks one PATH (a directory or a file); see sou_indexer_add_path. */
sou_status sou_ix_walk_path(sou_indexer *ix, const char *path, sou_error *err);
/*
 * The WALK phase of opts.count_files: walks every root as add_path will,
 * counting into ix->total the files it would look at (every shard's),
 * reading none, reporting and remembering nothing.
 */
void sou_ix_walk_count(sou_indexer *ix);

/* ---- file.c ---- */

/* 1 if the lstat sb matches what rec remembers (so the file is not read). */
int sou_ix_file_unchanged(const struct stat *sb, const sou_file_state *rec);
/*
 * The work on one file under root that may have changed (rec: what was
 * remembered, or NULL): read, hash, and index it unless its bytes are the
 * same.  Returns an error only for index failures; every problem with the
 * post itself is an event and a record.
 */
sou_status sou_ix_file_work(sou_ix_worker *w, const char *root, const char *path,
			    const char *relpath, const struct stat *lsb,
			    const sou_file_state *rec, sou_error *err);
/* Deletes the document of relpath (if any) from w's database. */
sou_status sou_ix_file_delete(sou_ix_worker *w, const char *relpath, sou_error *err);
/* Counts one change in w and commits w's database when its batch is full. */
sou_status sou_ix_count_change(sou_ix_worker *w, sou_error *err);
/*
 * Reads the whole file at path into w->file, refusing files over the
 * post size limit unread; a file that changes while being read is tried
 * again, then SOU_ERR_IO with *changing set.  *sb: the stat of the bytes
 * read.  Counts nothing (sou_ix_file_work counts the bytes it indexes).
 */
sou_status sou_ix_read_file(sou_ix_worker *w, const char *path, struct stat *sb,
			    int *changing, sou_error *err);

/* ---- pool.c ---- */

/* Creates the shard databases and starts the workers now (in the calling
 * thread), rather than at the first file. */
sou_status sou_ix_pool_start(sou_indexer *ix, sou_error *err);

/* Hands a file to the workers (starting them), waiting while the queue is full. */
sou_status sou_ix_pool_enqueue(sou_indexer *ix, const char *path, const char *key,
			       const struct stat *sb, sou_error *err);
/* Closes the queue and waits for the workers (idempotent). */
void sou_ix_pool_stop(sou_indexer *ix);
/* Frees the workers, their shards and what is left in the queue. */
void sou_ix_pool_destroy(sou_indexer *ix);
/*
 * End of a full build: waits for the workers, merges their shards into
 * the new generation and opens it as ix->db.
 */
sou_status sou_ix_pool_merge(sou_indexer *ix, sou_error *err);

/* ---- shards.c ---- */

/* The shard of a set of n that the post with this key goes to. */
unsigned sou_ix_shard_of(const char *key, unsigned n);
/* 1 if this indexer reports what its walk meets (not a shard but the
 * first: N walks of one tree say each thing once). */
int sou_ix_walk_reports(const sou_indexer *ix);
/*
 * sou_indexer_create for a set: ix (its options filled) drives the
 * shards of db_path; n: the set's shard count found, or 0 (new set of
 * ix->o.shards).
 */
sou_status sou_ix_set_open(sou_indexer *ix, unsigned n, sou_error *err);
sou_status sou_ix_set_add_path(sou_indexer *ix, const char *path, sou_error *err);
sou_status sou_ix_set_finish(sou_indexer *ix, sou_index_stats *stats, sou_error *err);
void sou_ix_set_destroy(sou_indexer *ix);
/* sou_index_status_read for a set of n shards. */
sou_status sou_ix_set_status(const char *db_path, unsigned n, sou_index_status *out,
			     sou_error *err);

/* ---- publish.c ---- */

/* Deletes posts whose files were not seen in this run. */
sou_status sou_ix_publish_sweep(sou_indexer *ix, sou_error *err);
/*
 * Writes the last-run summary, commits, and (after a full build that
 * should replace the current index) switches to the new generation.
 */
sou_status sou_ix_publish_commit(sou_indexer *ix, int was_interrupted, sou_error *err);

#endif
