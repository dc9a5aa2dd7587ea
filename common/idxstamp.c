/*
 * idxstamp.c - stamps of an index's published state (see idxstamp.h).
 *
 * Per local shard the stamper keeps the stat(2) identity of the stub last
 * read and the version-file path that stub named, so a stamp re-reads a
 * stub only after it was replaced.  The stamp hashes, for each local
 * shard in list order, a fixed-size record (stub identity, version file
 * identity) with every byte set (memset first: no padding garbage).
 */
#include "idxstamp.h"

#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <xxhash.h>

#include "buf.h"
#include "genlock.h"

typedef struct fstamp {
	unsigned long long dev, ino, size;
	long long mtime_ns;
	int exists;
	int pad_; /* explicit, so the hashed record has no padding */
} fstamp;

typedef struct shardstamp {
	char *dir;
	fstamp stub;           /* stub identity when version was last set */
	int have_version;      /* version holds the path its stub names */
	sou_buf version;       /* DIR/gen-N/iamglass, or DIR/iamglass */
} shardstamp;

struct sou_idxstamper {
	shardstamp *v;
	size_t n;
};

static void fstamp_of(const char *path, fstamp *f)
{
	struct stat st;

	memset(f, 0, sizeof(*f));
	if (stat(path, &st) == 0) {
		f->exists = 1;
		f->dev = (unsigned long long)st.st_dev;
		f->ino = (unsigned long long)st.st_ino;
		f->size = (unsigned long long)st.st_size;
		f->mtime_ns = (long long)st.st_mtim.tv_sec * 1000000000LL + st.st_mtim.tv_nsec;
	}
}

static int fstamp_eq(const fstamp *a, const fstamp *b)
{
	return !memcmp(a, b, sizeof(*a));
}

sou_idxstamper *sou_idxstamper_create(const sou_shardlist *shards)
{
	sou_idxstamper *s = sou_xcalloc(1, sizeof(*s));
	size_t i;

	s->v = sou_xcalloc(shards->n ? shards->n : 1, sizeof(*s->v));
	for (i = 0; i < shards->n; i++) {
		if (shards->v[i].kind != SOU_SHARD_LOCAL || !shards->v[i].path)
			continue;
		s->v[s->n].dir = sou_xstrdup(shards->v[i].path);
		sou_buf_init(&s->v[s->n].version);
		s->n++;
	}
	return s;
}

void sou_idxstamper_destroy(sou_idxstamper *s)
{
	size_t i;

	if (!s)
		return;
	for (i = 0; i < s->n; i++) {
		free(s->v[i].dir);
		sou_buf_free(&s->v[i].version);
	}
	free(s->v);
	free(s);
}

void sou_idxstamp_take(sou_idxstamper *s, sou_idxstamp *out)
{
	XXH64_state_t *h = XXH64_createState();
	sou_buf p = SOU_BUF_INIT;
	size_t i;

	if (!h)
		abort();
	XXH64_reset(h, 0);
	for (i = 0; i < s->n; i++) {
		shardstamp *sh = &s->v[i];
		fstamp rec[2];

		sou_buf_reset(&p);
		sou_buf_addf(&p, "%s/XAPIANDB", sh->dir);
		fstamp_of(p.data, &rec[0]);
		if (!sh->have_version || !fstamp_eq(&rec[0], &sh->stub)) {
			/* the stub names the current generation (genlock.h);
			 * without one, DIR is itself a glass database; a
			 * garbled one names nothing, so the version file is
			 * DIR/iamglass, likely missing: the stamp changes */
			unsigned gen = 0;
			sou_error err;

			sou_buf_reset(&sh->version);
			if (rec[0].exists && sou_genlock_read_stub(sh->dir, &gen, &err) == SOU_OK && gen) {
				sou_genlock_gen_path(sh->dir, gen, &sh->version);
				sou_buf_adds(&sh->version, "/iamglass");
			} else {
				sou_buf_addf(&sh->version, "%s/iamglass", sh->dir);
			}
			sh->stub = rec[0];
			sh->have_version = 1;
		}
		fstamp_of(sh->version.data, &rec[1]);
		XXH64_update(h, rec, sizeof(rec));
	}
	out->v = XXH64_digest(h);
	XXH64_freeState(h);
	sou_buf_free(&p);
}

int sou_idxstamp_eq(const sou_idxstamp *a, const sou_idxstamp *b)
{
	return a->v == b->v;
}
