/*
 * genlock.h - which generation of an index a reader opens, and the
 * shared lock by which it keeps the writer from removing it.
 *
 * An index directory (indexer/store.h has the whole layout) holds
 * generations DIR/gen-NNNNNN and a Xapian stub DIR/XAPIANDB whose one line
 * "auto gen-NNNNNN" names the current one.  Every published generation
 * holds an empty file SOU_GENLOCK_FILE, created by the writer before it
 * publishes the generation.  A reader takes a shared flock(2) on that file
 * for as long as it has the generation open; the writer removes a
 * generation that is no longer current only when it can take an exclusive
 * flock on the file without waiting.  A reader therefore never has its
 * files deleted under it, and an old generation goes as soon as its last
 * reader closes (at the writer's next run).
 *
 * Race-free because the writer removes only generations that are not
 * current, and a reader checks, after taking its lock, that the stub
 * still names the generation it locked (else it retries with the new one).
 */
#ifndef SOU_GENLOCK_H
#define SOU_GENLOCK_H

#include "buf.h"
#include "error.h"

#ifdef __cplusplus
extern "C" {
#endif

/* The readers' lock file inside each generation directory. */
#define SOU_GENLOCK_FILE "sou-readers.lock"

/* What every message about a damaged index ends with. */
#define SOU_GENLOCK_REBUILD_HINT "rebuild it with sou-index --rebuild"

/*
 * Reads the stub dir/XAPIANDB into *gen: 0 (and SOU_OK) when there is no
 * stub.  A stub that cannot be read, or is empty or garbled, is SOU_ERR_DB
 * with a message naming the stub file.
 */
sou_status sou_genlock_read_stub(const char *dir, unsigned *gen, sou_error *err);

/* "dir/gen-NNNNNN" into out (replacing its contents). */
void sou_genlock_gen_path(const char *dir, unsigned gen, sou_buf *out);

/* A reader's hold on one generation.  Opaque; owned by the caller. */
typedef struct sou_genhold sou_genhold;

/*
 * Resolves what a reader of path opens.  When path is a directory with a
 * stub, takes a shared lock on the current generation and the hold names
 * that generation's directory; otherwise (a database directory itself,
 * or nothing there) the hold names path unchanged and locks nothing.  A
 * generation without a lock file (written by an older sou) is opened
 * unlocked.  Errors: a bad stub (see sou_genlock_read_stub).
 */
sou_status sou_genlock_take(const char *path, sou_genhold **out, sou_error *err);

/* The path to open (owned by the hold). */
const char *sou_genlock_path(const sou_genhold *h);

/* 1 if the stub now names another generation than the one h holds. */
int sou_genlock_moved(const sou_genhold *h);

/* Drops the lock.  NULL is a no-op. */
void sou_genlock_release(sou_genhold *h);

#ifdef __cplusplus
}
#endif

#endif
