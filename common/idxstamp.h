/*
 * idxstamp.h - has an index changed since a reader opened it?  A cheap
 * stamp of the files that change whenever an index does.
 *
 * An open Xapian reader sees one committed state, and follows neither of
 * the two ways a sou index changes: Xapian's glass backend replaces a
 * database's version file "iamglass" by rename(2) on every commit, and a
 * sou index directory DIR switches to a new generation (a --rebuild) by
 * renaming its stub DIR/XAPIANDB (genlock.h).  So the stamp of a local
 * shard is the stat(2) identity (device, inode, size, mtime) of DIR/XAPIANDB
 * and of the current generation's iamglass (DIR/iamglass when there is no
 * stub); the stamp of a reader's shard list (shardset.h) is a 64-bit hash
 * over those of every local shard.  Remote shards are not stamped: no
 * stat(2) reaches them (reopen the reader to see their commits).
 *
 * Invariant: a commit or a switch-over of any local shard changes the
 * stamp (both replace a file, so its inode changes); equal stamps mean,
 * up to a 2^-64 hash collision, that nothing was published in between.
 * A file that is missing or cannot be read is stamped as missing, so the
 * stamp changes and the reader's reopen reports the problem.
 */
#ifndef SOU_IDXSTAMP_H
#define SOU_IDXSTAMP_H

#include <stdint.h>

#include "shardset.h"

/* A stamp; compare with sou_idxstamp_eq.  Zero-initialised: no stamp yet. */
typedef struct sou_idxstamp {
	uint64_t v;
} sou_idxstamp;

typedef struct sou_idxstamper sou_idxstamper;

/*
 * A stamper for the local shards of shards (their paths are copied; the
 * list need only live during the call).  Owned by the caller
 * (sou_idxstamper_destroy).  A stamper caches the generation each stub
 * names, so it is not thread-safe: one per thread.
 */
sou_idxstamper *sou_idxstamper_create(const sou_shardlist *shards);
/* NULL is a no-op. */
void sou_idxstamper_destroy(sou_idxstamper *s);

/*
 * The current stamp of the stamper's shards into *out: two stat(2)s per
 * local shard, and a read of its stub only when the stub changed.  Never
 * fails (see above); never blocks on a FIFO (stat(2) does not open, and
 * stubs are read by genlock.h).
 */
void sou_idxstamp_take(sou_idxstamper *s, sou_idxstamp *out);

/* 1 if a and b are the same state. */
int sou_idxstamp_eq(const sou_idxstamp *a, const sou_idxstamp *b);

#endif
