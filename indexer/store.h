/*
 * store.h - the on-disk layout of an index directory, its writer lock,
 * and full rebuilds that switch atomically.
 *
 * Layout of the directory given with --db:
 *   XAPIANDB    a Xapian stub file, one line "auto gen-NNNNNN": readers and
 *               writers open the directory and Xapian follows the stub
 *   gen-NNNNNN/ the glass database of one generation
 *   sou.lock    flock(2)ed by the running sou-index (one writer at a time)
 * A rebuild writes a new generation beside the current one, then replaces
 * XAPIANDB with rename(2), which readers see atomically; a rebuild that
 * fails or is interrupted leaves the stub, and so the old index, alone.
 * The generation before the current one is kept until the next rebuild so
 * that readers still holding it open are not cut off.
 */
#ifndef SOU_STORE_H
#define SOU_STORE_H

#include "error.h"
#include "xwrap.h"

typedef struct sou_store sou_store;

/*
 * Takes the writer lock on dir (creating dir if needed), waiting up to
 * wait_s seconds for another writer to finish (0: fail at once with
 * SOU_ERR_LOCKED), then opens the current generation for writing, or a
 * fresh one when rebuild is set or none exists.  *out is owned by the
 * caller.
 */
sou_status sou_store_open(const char *dir, int rebuild, double wait_s,
			  sou_store **out, sou_error *err);

/* The writable database (owned by the store). */
sou_xdb *sou_store_db(sou_store *s);

/* 1 if this store writes a fresh generation (a rebuild or a new index). */
int sou_store_is_fresh(const sou_store *s);

/*
 * For a fresh generation: makes it current by replacing the stub, then
 * removes generations older than the previous one.  The caller commits
 * first.  A no-op for an incremental store.
 */
sou_status sou_store_publish(sou_store *s, sou_error *err);

/*
 * Closes the database and releases the lock.  An unpublished rebuild
 * generation is deleted.  NULL is a no-op.
 */
void sou_store_destroy(sou_store *s);

#endif
