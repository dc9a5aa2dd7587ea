/*
 * store.h - the on-disk layout of an index directory, its writer lock,
 * and full builds that switch atomically.
 *
 * Layout of the directory given with --db:
 *   XAPIANDB          a Xapian stub file, one line "auto gen-NNNNNN" naming
 *                     the current generation (anything else: damaged)
 *   gen-NNNNNN/       the glass database of one generation, plus
 *     sou-readers.lock  flock(2)ed shared by every reader that has this
 *                     generation open (common/genlock.h)
 *   gen-NNNNNN.shard-K/  a parallel build's shards, merged into gen-NNNNNN
 *   XAPIANDB.tmp      the next stub while it is written
 *   sou.lock          flock(2)ed by the running sou-index (one writer at a time)
 *   sou.lastrun       the last run's outcome, "epoch\tsummary" padded with
 *                     NULs to 4096 bytes, overwritten in place so that a
 *                     run failing on a full disk is still recorded
 * Parent directories of DIR that are missing are created (0700).
 *
 * A full build (the first one, or --rebuild) writes a new generation
 * beside the current one, then replaces XAPIANDB with rename(2), which
 * readers see atomically; a build that fails or is killed leaves the stub,
 * and so the old index, alone.  Readers open the generation the stub names
 * and hold its lock file shared while they use it.  Incremental runs write
 * the current generation in place.
 *
 * A shard set (sou-index --shards N; indexer/shards.c) is a directory
 * DIR holding, instead of generations:
 *   shard-0/ ... shard-(N-1)/  each an index directory as above, written
 *                     by its own run with its own lock and generations
 *   XAPIANDB          a Xapian stub listing them, one line "auto shard-K"
 *                     each in order, written (temp + rename) once every
 *                     shard has a published generation, so a reader never
 *                     sees a set with a shard missing
 *   sou.shards        "N\n" while the set's first build has not finished
 *                     (before XAPIANDB exists), so the run after a killed
 *                     first build knows N; removed once XAPIANDB is written
 *   sou.lock          the set's writer lock, taken before any shard's
 *   sou.lastrun       the last run's outcome summed over the shards
 *
 * Disk use: every run, under the writer lock, first removes what killed
 * runs left (shards, half-written generations, XAPIANDB.tmp) and every
 * generation that is not current and that no reader holds (the writer
 * takes its lock file exclusively without waiting); a full build does the
 * same right after switching.  So an index takes one generation's space,
 * plus the one a reader still has open, plus a build in progress.
 */
#ifndef SOU_STORE_H
#define SOU_STORE_H

#include "buf.h"
#include "error.h"
#include "indexer.h"
#include "xwrap.h"

typedef struct sou_store sou_store;

/*
 * Takes the writer lock on dir (creating dir and its parents if needed),
 * waiting up to wait_s seconds for another writer (0: fail at once with
 * SOU_ERR_LOCKED; only a lock another process holds is SOU_ERR_LOCKED,
 * every other failure is SOU_ERR_DB naming its cause), then removes
 * leftovers and unused generations (see above).  The run is a full build
 * when rebuild is set or no generation exists.  A damaged stub is
 * SOU_ERR_DB unless rebuild is set.  *out is owned by the caller.
 */
sou_status sou_store_open(const char *dir, int rebuild, double wait_s,
			  sou_store **out, sou_error *err);

/*
 * Takes the writer lock on the existing index dir without changing
 * anything (no cleanup, no new generation), so that it can be read
 * undisturbed (sou-index --check); needs only read permission.
 * SOU_ERR_NOTFOUND if dir is missing; a damaged stub is SOU_ERR_DB.
 * sou_store_gen_path names the current generation.
 */
sou_status sou_store_lock(const char *dir, double wait_s, sou_store **out, sou_error *err);

/* 1 if this run writes a new generation (a full build). */
int sou_store_is_fresh(const sou_store *s);

/* 1 if a generation was current when the store was opened. */
int sou_store_has_current(const sou_store *s);

/*
 * Turns an incremental run into a full build (a new generation, published
 * by sou_store_publish), keeping the lock: for an index whose format this
 * sou no longer writes.  Call before opening any database of the run.
 */
void sou_store_make_fresh(sou_store *s);

/* Path of the generation being written (owned by the store). */
const char *sou_store_gen_path(const sou_store *s);

/* Path for shard k of a full build into out. */
void sou_store_shard_path(const sou_store *s, unsigned k, sou_buf *out);

/*
 * Opens the database this run writes: the current generation for an
 * incremental run, or (after the shards are merged into it) the new one.
 * *db is owned by the caller.
 */
sou_status sou_store_open_db(sou_store *s, sou_xdb **db, sou_error *err);

/*
 * For a full build: makes the new generation current by replacing the
 * stub, then removes the previous generation unless a reader holds it.
 * The caller commits and closes its database first.
 */
sou_status sou_store_publish(sou_store *s, sou_error *err);

/*
 * Records the outcome of this run in DIR/sou.lastrun (line: "epoch\t
 * summary", at most 4095 bytes kept).  A run's summary also goes into
 * Xapian with its last commit; this record also holds failed runs.
 */
sou_status sou_store_record_run(sou_store *s, const char *line, size_t len, sou_error *err);

/* Reads DIR/sou.lastrun into out (empty when there is none). */
sou_status sou_store_read_run(const char *dir, sou_buf *out, sou_error *err);

/*
 * Records a run's outcome in dir/sou.lastrun as sou_store_record_run does,
 * for a directory without a store (a shard set).
 */
sou_status sou_store_record_run_at(const char *dir, const char *line, size_t len,
				   sou_error *err);

/*
 * Takes the writer lock dir/sou.lock (dir must exist) as sou_store_open
 * does, waiting up to wait_s: SOU_ERR_LOCKED when another process holds
 * it.  read_only: for runs that write nothing (--check).  *fd is the
 * locked file (close it to release), -1 on failure.
 */
sou_status sou_store_lock_dir(const char *dir, double wait_s, int read_only, int *fd,
			      sou_error *err);

/* ---- shard sets (layout above) ---- */

/* The most shards a set may have: the indexer's limit, which also sizes
 * sou_index_status.shard_posts (one number, so they cannot drift apart). */
#define SOU_STORE_MAX_SHARDS SOU_MAX_SHARDS

/*
 * Whether dir is a shard set: *n its shard count, from its stub, or from
 * sou.shards before the stub is written; 0 when dir is no set (a single
 * index, nothing, or no directory).  *has_stub (may be NULL): the stub
 * exists.  A set's stub that is garbled, or a bad sou.shards, is
 * SOU_ERR_DB.
 */
sou_status sou_store_probe_set(const char *dir, unsigned *n, int *has_stub, sou_error *err);

/* 1 if dir holds a single index (a generation stub, or gen-N directories). */
int sou_store_holds_single(const char *dir);

/* "dir/shard-K" into out (replacing its contents). */
void sou_store_shard_dir(const char *dir, unsigned k, sou_buf *out);

/* Records that dir is becoming a set of n shards (writes sou.shards). */
sou_status sou_store_set_begin(const char *dir, unsigned n, sou_error *err);

/*
 * Writes dir's stub listing shard-0 ... shard-(n-1) atomically, unless
 * it already says that, then removes sou.shards.  The caller has checked
 * that every shard has a published generation.
 */
sou_status sou_store_set_publish(const char *dir, unsigned n, sou_error *err);

/*
 * Releases the lock.  An unpublished full build's generation and shards
 * are deleted.  NULL is a no-op.
 */
void sou_store_destroy(sou_store *s);

#endif
