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

#include <stddef.h>
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
	int seen;             /* met during this run (never stored) */
} sou_file_state;

typedef struct sou_state sou_state;

/*
 * A run's view of db's records (db may be NULL: a state without records;
 * not owned, and it must outlive the state).  Loading reads every record
 * once but keeps only a 64-bit hash of each key and a few flags (about
 * 20 bytes a record): the records themselves are read from db when asked
 * for, so every answer is exact whatever the hash does (state.c).
 */
sou_status sou_state_load(sou_xdb *db, sou_state **out, sou_error *err);
/* The same with keys hashed by hash (NULL: XXH3), for tests that force
 * collisions. */
typedef uint64_t (*sou_state_hash_fn)(const char *key, size_t len);
sou_status sou_state_load_hashed(sou_xdb *db, sou_state_hash_fn hash, sou_state **out,
				 sou_error *err);
void sou_state_destroy(sou_state *st);

/* Records of status 'o' when the state was loaded. */
unsigned long sou_state_indexed(const sou_state *st);

/*
 * *out = the record of relpath read from the state's db, or NULL if it
 * has none; a record found is noted as met during this run (its seen is
 * 1).  *out is owned by the state and valid until the next find.
 */
sou_status sou_state_find(sou_state *st, const char *relpath, sou_file_state **out,
			  sou_error *err);

/*
 * Writes rec to db's metadata (at the next commit; nothing when db is
 * NULL); when db is the state's own, its key is noted as met.  rec may
 * point into the last find's answer.
 */
sou_status sou_state_put(sou_state *st, sou_xdb *db, const sou_file_state *rec,
			 sou_error *err);

/* Writes rec to db's metadata only (for shards, which keep no state). */
sou_status sou_state_write(sou_xdb *db, const sou_file_state *rec, sou_error *err);

/* Deletes relpath's record from db (nothing when db is NULL). */
sou_status sou_state_remove(sou_state *st, sou_xdb *db, const char *relpath,
			    sou_error *err);

/*
 * 1 when every record of the state's db is known to have been met in this
 * run (so a deletion sweep would find nothing); 0 when that is not known
 * (some were not met, keys share a hash, or a record was removed).
 */
int sou_state_all_met(const sou_state *st);

/*
 * Calls fn for every record of the state's db, streamed in key order,
 * with seen telling whether it was met during this run (rec and its
 * strings valid during the call; fn must not change the records: collect
 * and act afterwards).
 */
sou_status sou_state_each(sou_state *st, void (*fn)(void *ctx, sou_file_state *rec),
			  void *ctx, sou_error *err);

#endif
