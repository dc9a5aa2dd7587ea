/*
 * indexer.h - libsouindex: walking a posts tree and keeping an index of it
 * up to date, incrementally and crash-safely.
 *
 * A run compares every file with what the index remembers (state.h):
 * unchanged files (same size, mtime and ctime) are not read; changed ones
 * are hashed and re-indexed only if their bytes changed; files that are
 * gone are deleted from the index; failed and skipped files are remembered
 * and not retried until they change.  Work is committed in batches, each
 * commit atomic (documents and records together), so a crash or kill at
 * any moment loses only the batch in progress and the next run redoes it.
 *
 * The library does the work and reports through a callback; it never
 * prints.  sou-index's main.c turns events into output and statuses into
 * exit codes.
 */
#ifndef SOU_INDEXER_H
#define SOU_INDEXER_H

#include <signal.h>
#include <stddef.h>

#include "buf.h"
#include "error.h"

typedef struct sou_indexer sou_indexer;

typedef enum sou_ix_event_kind {
	SOU_IX_ADDED,    /* a new post was indexed (or would be, in a dry run) */
	SOU_IX_UPDATED,  /* a changed post was re-indexed */
	SOU_IX_DELETED,  /* a post whose file is gone was removed */
	SOU_IX_SKIPPED,  /* not a post (no front matter, binary); a note */
	SOU_IX_FAILED,   /* a post that could not be indexed; needs a person */
	SOU_IX_PROGRESS, /* periodic, for progress displays */
	SOU_IX_NOTICE,   /* one line worth telling once (message), e.g. a rebuild */
	SOU_IX_PHASE     /* the run enters ev->phase (for progress displays) */
} sou_ix_event_kind;

/*
 * The steps of a run, in order, for progress displays.  A step may be
 * left out (walk without opts.count_files, merge outside full builds,
 * publish in a dry run); the ones that come, come in this order.
 */
typedef enum sou_ix_phase {
	SOU_IX_PHASE_NONE,    /* before the first PHASE event */
	SOU_IX_PHASE_WALK,    /* counting the files (opts.count_files) */
	SOU_IX_PHASE_INDEX,   /* looking at each file, indexing what changed */
	SOU_IX_PHASE_MERGE,   /* a full build: merging the workers' databases,
			       * seconds without other events */
	SOU_IX_PHASE_PUBLISH  /* deleting what is gone, committing, switching
			       * to a new generation; may also take seconds */
} sou_ix_phase;

/* An event; every pointer is borrowed and valid only during the callback. */
typedef struct sou_ix_event {
	sou_ix_event_kind kind;
	const char *path;     /* the file (root + relative path); NULL for
			       * PHASE and the last PROGRESS (see finish) */
	const char *message;  /* SKIPPED/FAILED: why, naming file and line */
	unsigned long done;   /* files looked at so far */
	unsigned long changed;/* files that needed work so far */
	unsigned long long bytes; /* bytes read so far */
	/* files whose work is over (unchanged, indexed, failed...): at most
	 * done, less while a full build's workers still have files queued */
	unsigned long finished;
	/* the files this run looks at, counted before it starts
	 * (opts.count_files; during the walk phase, those counted so far);
	 * 0 without count_files.  A tree that changes meanwhile can make
	 * finished end a little off it. */
	unsigned long total;
	sou_ix_phase phase;   /* the phase the run is in (every kind) */
} sou_ix_event;

typedef void (*sou_ix_event_fn)(void *ctx, const sou_ix_event *ev);

typedef struct sou_indexer_opts {
	const char *db_path;      /* index directory (created 0700 if missing) */
	/* every PATH of this run, as given (borrowed; must outlive the
	 * indexer): resolved to roots when the indexer is created, so each
	 * post's key can be told apart from the other roots' (see add_path) */
	const char *const *paths;
	size_t npaths;
	int follow_symlinks;      /* follow symlinked files pointing outside every root */
	int no_pinyin;            /* no pinyin/initials terms (termgen.h); part of
				   * the index's config, so a change reindexes */
	int tz_min;               /* site zone for dates without one */
	unsigned batch;           /* changes per commit (0: SOU_DEFAULT_BATCH) */
	size_t max_file_bytes;    /* larger files fail (0: default 8 MiB) */
	int rebuild;              /* build a fresh index and switch to it */
	int dry_run;              /* report what would change; write nothing */
	double wait_s;            /* wait this long for another writer */
	unsigned jobs;            /* worker threads for full builds (0: one per core) */
	/* 0: db_path as it is (a shard set is detected by its stub; a new
	 * index is a single one); 2..SOU_MAX_SHARDS: db_path is, or becomes,
	 * a set of that many shards (see sou_indexer_create) */
	unsigned shards;
	/* walk the PATHs once more, first, only to count the files, so
	 * that events carry a total for a percentage (a WALK phase: a
	 * readdir and lstat per file, no file read); for progress displays */
	int count_files;
	const sou_strlist *dicts;    /* dictionary files (may be NULL) */
	const sou_strlist *synonyms; /* synonym files (checked, used by queries) */
	/* when *interrupted becomes nonzero (a signal handler sets it), the
	 * run stops after the current file and commits; may be NULL */
	volatile sig_atomic_t *interrupted;
	sou_ix_event_fn on_event; /* may be NULL */
	void *ctx;
} sou_indexer_opts;

typedef struct sou_index_stats {
	unsigned long added, updated, deleted, unchanged;
	unsigned long skipped;   /* newly found not to be posts */
	unsigned long failed;    /* failed in this run */
	unsigned long dropped_terms; /* terms over Xapian's limit, dropped */
	unsigned long long bytes;    /* bytes of post files read */
	double seconds;
	int kept_old;            /* a rebuild not switched to (a PATH or
				  * directory could not be read, or it was
				  * interrupted): the old index stays */
	int kept_gone;           /* an incremental run that could not read a
				  * PATH or directory: posts whose files were
				  * not seen are kept, not deleted, this run */
} sou_index_stats;

/*
 * Changes per commit by default.  Small batches build faster: Xapian keeps
 * every pending posting in a std::map per term until the commit, and
 * beyond about a thousand posts those maps outgrow the CPU caches (full
 * xwlb build, 2 cores: 2000 -> 75.5 CPU-s and 199 MB peak RSS, 1000 ->
 * 54.3, 500 -> 52.5 and 76 MB, 250 -> 49.5 and 53 MB, 100 -> 48.7 plus
 * more system time; bench/README.md "Where the index goes").
 */
#define SOU_DEFAULT_BATCH 250
#define SOU_MAX_SHARDS 64
#define SOU_DEFAULT_MAX_FILE (8u << 20)

/*
 * Opens the index for writing (taking the writer lock; SOU_ERR_LOCKED if
 * another writer holds it past opts->wait_s), or read-only for a dry run.
 * *out is owned by the caller.
 *
 * Shard sets (store.h has the layout): with opts->shards = N, or when
 * db_path already is a set, the indexer works on db_path/shard-0 ...
 * shard-(N-1), each an ordinary index with its own records, commits and
 * generations, under the set's writer lock (db_path/sou.lock).  A post
 * goes to shard XXH3_64bits(key) % N, key as in add_path: each shard's
 * walk sees every file and takes only its own keys, so every run is
 * incremental per shard (a post gone is deleted from its shard).  The
 * shards are worked on in parallel, one thread each, a full build's
 * workers (opts->jobs) split between them.  The set's stub is written
 * once every shard has a published generation.  Events and stats are
 * those of all shards.  opts->shards other than a set's N, or given for
 * a single index, is SOU_ERR_USAGE: the number of shards is fixed when
 * the set is made.
 */
sou_status sou_indexer_create(const sou_indexer_opts *opts, sou_indexer **out,
			      sou_error *err);

/*
 * Brings the index up to date with the posts (*.md, *.markdown, *.html)
 * below path, or path itself if it is a file; path must be one of
 * opts->paths (else SOU_ERR_USAGE).
 *
 * Roots: each PATH stands for its real path (symlinks resolved) as it was
 * when the indexer was created.  A post's key (its id, and the path shown
 * for it) is its path relative to its root; a file given as PATH has its
 * base name.  When the run has several roots, every key starts with the
 * root's label, the fewest trailing components of the root's real path
 * that tell the run's roots apart ("a/posts/x.md", "b/posts/x.md"; a root
 * with no more components than that is labelled by its whole real path).
 * A root given twice is walked once; a root inside another root (reached
 * by that root's walk) is walked as part of it, with a SKIPPED note.
 *
 * Symlinks: symlinked directories are never followed; a symlinked post
 * is followed when its target is inside one of the roots, or always with
 * opts->follow_symlinks; otherwise it is left out with a SKIPPED note.
 * A file given as PATH is read even if it is a symlink.
 *
 * Bad posts are events, not errors: the status is an error only when the
 * index fails, path cannot be read, or the run was interrupted
 * (SOU_ERR_INTERRUPTED, after which only finish/destroy may be called).
 */
sou_status sou_indexer_add_path(sou_indexer *ix, const char *path, sou_error *err);

/*
 * Deletes every post not seen in this run, so that the index holds
 * exactly the posts below this run's PATHs (those of a PATH left off the
 * command line go too), unless the run was interrupted or a PATH or
 * directory could not be read; commits, switches to the new index after a rebuild,
 * and fills stats (may be NULL).  Also to be called after add_path failed
 * with an index error: then it commits nothing, fills stats with the
 * work done, records the failed run for --status (DIR/sou.lastrun) and
 * returns that error again.  An interrupted run ends in
 * SOU_ERR_INTERRUPTED, saying whether finished work was committed or
 * (an interrupted rebuild) the old index is kept.  Its last event is a
 * PROGRESS with the run's final counts (path NULL).
 */
sou_status sou_indexer_finish(sou_indexer *ix, sou_index_stats *stats,
			      sou_error *err);

/* Closes the index; anything not committed by finish is discarded (a
 * rebuild that was not finished leaves the old index in place). */
void sou_indexer_destroy(sou_indexer *ix);

/* What sou-index --status shows.  Strings owned by the struct. */
typedef struct sou_index_status {
	unsigned long posts;
	unsigned shards;       /* 0: a single index; N: a set, whose shard K
				* holds shard_posts[K] of the posts */
	unsigned long shard_posts[SOU_MAX_SHARDS];
	char *last_run;        /* "time\tsummary", or NULL if never run */
	sou_strlist failed;    /* "path\tmessage" of posts that failed */
	sou_strlist skipped;   /* "path\tmessage" of files that are not posts */
} sou_index_status;

/* For a shard set: the sums over its shards, its last run, and the
 * failed and skipped files of every shard. */
sou_status sou_index_status_read(const char *db_path, sou_index_status *out,
				 sou_error *err);
void sou_index_status_clear(sou_index_status *s);

#endif
