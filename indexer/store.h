/*
 * store.h - the on-disk layout of an index directory, its writer lock,
 * and full builds that switch atomically.
 *
 * Layout of the directory given with --db:
 *   XAPIANDB          a Xapian stub file, one line "auto gen-NNNNNN": readers
 *                     and writers open the directory and Xapian follows it
 *   gen-NNNNNN/       the glass database of one generation
 *   gen-NNNNNN.shard-K/  a parallel build's shards, merged into gen-NNNNNN
 *   sou.lock          flock(2)ed by the running sou-index (one writer at a time)
 * A full build (the first one, or --rebuild) writes a new generation
 * beside the current one, then replaces XAPIANDB with rename(2), which
 * readers see atomically; a build that fails or is killed leaves the stub,
 * and so the old index, alone.  The generation before the current one is
 * kept until the next full build so that readers holding it open are not
 * cut off.  Incremental runs write the current generation in place.
 */
#ifndef SOU_STORE_H
#define SOU_STORE_H

#include "buf.h"
#include "error.h"
#include "xwrap.h"

typedef struct sou_store sou_store;

/*
 * Takes the writer lock on dir (creating dir if needed), waiting up to
 * wait_s seconds for another writer (0: fail at once with SOU_ERR_LOCKED).
 * The run is a full build when rebuild is set or no generation exists.
 * *out is owned by the caller.
 */
sou_status sou_store_open(const char *dir, int rebuild, double wait_s,
			  sou_store **out, sou_error *err);

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
 * stub, then removes generations older than the previous one.  The
 * caller commits and closes its database first.
 */
sou_status sou_store_publish(sou_store *s, sou_error *err);

/*
 * Releases the lock.  An unpublished full build's generation and shards
 * are deleted.  NULL is a no-op.
 */
void sou_store_destroy(sou_store *s);

#endif
