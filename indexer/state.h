/*
 * state.h - what the indexer remembers about every file it has seen, so a
 * re-run can skip unchanged posts without reading them.
 *
 * One record per post key (indexer.h: the path below its root, with the
 * root's label when a run has several roots), kept as Xapian user metadata
 * under the key SOU_META_FILE + the post's id term without its
 * SOU_PREFIX_ID (schema.h; so it is never over Xapian's key limit) and
 * therefore committed in the same transaction as the
 * documents: after a crash the records always describe exactly the
 * committed documents.  Value format: NUL-separated fields
 *   "1", status, size, mtime_ns, ctime_ns, xxh64 (hex), root, relpath, message
 * status: 'o' indexed, 'f' failed (message says why), 's' skipped (not a post).
 */
#ifndef SOU_STATE_H
#define SOU_STATE_H

#include <stdint.h>

#include "error.h"
#include "xwrap.h"

typedef struct sou_file_state {
	char status;          /* 'o', 'f' or 's' */
	uint64_t size;
	int64_t mtime_ns;
	int64_t ctime_ns;
	uint64_t hash;
	char *root;           /* real path of the root it was last found under
			       * (informational: the deletion sweep goes by
			       * "seen", whatever the root) */
	char *relpath;        /* the post's key, any bytes but NUL */
	char *message;        /* for 'f' and 's' */
	int seen;             /* met during this run */
} sou_file_state;

typedef struct sou_state sou_state;

/* Loads every record from db (may be NULL: an empty state). */
sou_status sou_state_load(sou_xdb *db, sou_state **out, sou_error *err);
void sou_state_destroy(sou_state *st);

/* The record for relpath, or NULL.  Owned by the state. */
sou_file_state *sou_state_find(sou_state *st, const char *relpath);

/*
 * Stores rec (copied) in memory and, when db is not NULL, in db's
 * metadata (written at the next commit).
 */
sou_status sou_state_put(sou_state *st, sou_xdb *db, const sou_file_state *rec,
			 sou_error *err);

/* Writes rec to db's metadata only (for shards, which keep no table). */
sou_status sou_state_write(sou_xdb *db, const sou_file_state *rec, sou_error *err);

/* Forgets relpath, in memory and in db (may be NULL). */
sou_status sou_state_remove(sou_state *st, sou_xdb *db, const char *relpath,
			    sou_error *err);

/* Calls fn for every record (removal during the walk is not allowed). */
void sou_state_each(sou_state *st, void (*fn)(void *ctx, sou_file_state *rec),
		    void *ctx);

#endif
