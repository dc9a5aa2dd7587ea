/*
 * state.c - per-file records in Xapian metadata (see state.h).  Memory
 * holds only a table of 64-bit hashes of the keys (open addressing, 9
 * bytes a slot, so a million posts take about 20 MB) with a few flags
 * each; a record is read from the metadata under its own key when asked
 * for, so the answers never depend on the hash being collision-free:
 *   - a hash absent from the table means no record has that key;
 *   - a present one only says one may: find reads the record stored
 *     under the key itself and compares its relpath;
 *   - "met during this run" is a flag per hash while exactly one record
 *     has it (SINGLE).  A hash several records share (MULTI: seen twice
 *     at load, or a new key landing on a known hash) keeps the keys met
 *     as strings instead, plus OLD_MET for the one record it had when it
 *     became MULTI during the run: a record of a MULTI hash that is not
 *     in the strings can only be that one.
 */
#include "state.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <xxhash.h>

#include "buf.h"
#include "schema.h"
#include "termgen.h"

/* The empty slot; a hash of 0 is stored as 1 (one more shared hash,
 * handled like any other). */
#define EMPTY 0

/* Slot flags. */
#define MET      1  /* SINGLE: its one record's key was met in this run */
#define MULTI    2  /* several records have this hash: keys met are in st->met */
#define OLD_MET  4  /* MULTI since this run: the one record it had was met */

struct sou_state {
	sou_xdb *db;              /* not owned; NULL: a state without records */
	sou_state_hash_fn hash;
	uint64_t *keys;           /* hash of each slot's key(s), or EMPTY */
	unsigned char *flags;     /* MET / MULTI / OLD_MET */
	size_t cap;               /* slots, a power of two (0 before the first) */
	size_t used;              /* slots in use (never freed: see remove) */
	sou_strlist met;          /* keys met whose hash is MULTI (rare) */
	unsigned long indexed;    /* records of status 'o' when loaded */
	unsigned long records;    /* records known: loaded + added by put */
	unsigned long nmet;       /* MET flags set */
	size_t nmulti;            /* MULTI slots */
	int removed;              /* a record was removed: counts are off */
	sou_buf key, val;         /* scratch: a metadata key, a record's text */
	sou_file_state found;     /* find's answer, its strings in val */
};

static uint64_t default_hash(const char *key, size_t len)
{
	return XXH3_64bits(key, len);
}

static uint64_t hash_of(const sou_state *st, const char *relpath)
{
	uint64_t h = st->hash(relpath, strlen(relpath));

	return h == EMPTY ? 1 : h;
}

void sou_state_destroy(sou_state *st)
{
	if (!st)
		return;
	free(st->keys);
	free(st->flags);
	sou_strlist_free(&st->met);
	sou_buf_free(&st->key);
	sou_buf_free(&st->val);
	free(st);
}

/* The slot holding h, or the empty slot where it would go. */
static size_t slot_of(const sou_state *st, uint64_t h)
{
	size_t mask = st->cap - 1, i = (size_t)(h ^ (h >> 29)) & mask;

	while (st->keys[i] != EMPTY && st->keys[i] != h)
		i = (i + 1) & mask;
	return i;
}

static void grow(sou_state *st)
{
	uint64_t *old = st->keys;
	unsigned char *oldf = st->flags;
	size_t oldcap = st->cap, fcap = 0, i, j;

	/* a fresh table of the next power of two (at least 1024 slots) */
	st->keys = NULL;
	st->flags = NULL;
	st->cap = 0;
	SOU_ARRAY_GROW(st->keys, st->cap, oldcap + 1 > 1024 ? oldcap + 1 : 1024);
	SOU_ARRAY_GROW(st->flags, fcap, st->cap);
	memset(st->keys, 0, st->cap * sizeof(*st->keys));
	memset(st->flags, 0, st->cap);
	for (i = 0; i < oldcap; i++)
		if (old[i] != EMPTY) {
			j = slot_of(st, old[i]);
			st->keys[j] = old[i];
			st->flags[j] = oldf[i];
		}
	free(old);
	free(oldf);
}

/* The slot of h, added (flags 0) if absent; *added says which. */
static size_t slot_add(sou_state *st, uint64_t h, int *added)
{
	size_t i;

	if ((st->used + 1) * 4 >= st->cap * 3)
		grow(st);
	i = slot_of(st, h);
	*added = st->keys[i] == EMPTY;
	if (*added) {
		st->keys[i] = h;
		st->used++;
	}
	return i;
}

/* SOU_META_FILE + the id term without its prefix (never over Xapian's key limit). */
static void key_for(const char *relpath, sou_buf *key)
{
	sou_buf id = SOU_BUF_INIT;

	sou_termgen_idterm(relpath, &id);
	sou_buf_reset(key);
	sou_buf_adds(key, SOU_META_FILE);
	sou_buf_add(key, id.data + strlen(SOU_PREFIX_ID), id.len - strlen(SOU_PREFIX_ID));
	sou_buf_free(&id);
}

/*
 * Parses a stored value into *r, its strings pointing into buf (which
 * receives a NUL-terminated copy of v).  0 for a value of an unknown
 * format (ignored: the file is indexed again and its record rewritten).
 */
static int parse(const char *v, size_t vlen, sou_buf *buf, sou_file_state *r)
{
	const char *f[9];
	size_t nf = 0, i = 0;

	sou_buf_reset(buf);
	sou_buf_add(buf, v, vlen);
	v = buf->data;
	/* split on NULs; the value ends without one */
	while (nf < 9 && i <= vlen) {
		f[nf++] = v + i;
		while (i < vlen && v[i])
			i++;
		i++;
	}
	if (nf < 8 || strcmp(f[0], "1"))
		return 0;
	memset(r, 0, sizeof(*r));
	r->status = f[1][0];
	r->size = strtoull(f[2], NULL, 10);
	r->mtime_ns = strtoll(f[3], NULL, 10);
	r->ctime_ns = strtoll(f[4], NULL, 10);
	r->hash = strtoull(f[5], NULL, 16);
	r->root = (char *)f[6];
	r->relpath = (char *)f[7];
	r->message = nf > 8 && *f[8] ? (char *)f[8] : NULL;
	return 1;
}

/* Reads relpath's record from st->db into *r (strings in buf); *have 0 if none. */
static sou_status read_rec(sou_state *st, const char *relpath, sou_buf *buf,
			   sou_file_state *r, int *have, sou_error *err)
{
	sou_buf v = SOU_BUF_INIT;
	sou_status s;

	*have = 0;
	key_for(relpath, &st->key);
	if (!(s = sou_xdb_get_metadata(st->db, st->key.data, &v, err)) && v.len)
		/* a long key shared by two paths (termgen.h) is not this one's */
		*have = parse(v.data, v.len, buf, r) && !strcmp(r->relpath, relpath);
	sou_buf_free(&v);
	return s;
}

/* Notes relpath, whose record exists and hashes to slot i, as met. */
static void mark_met(sou_state *st, size_t i, const char *relpath)
{
	if (st->flags[i] & MULTI) {
		sou_strlist_push_unique(&st->met, relpath, strlen(relpath));
	} else if (!(st->flags[i] & MET)) {
		st->flags[i] |= MET;
		st->nmet++;
	}
}

/* 1 if the record of relpath (in slot i, or i == (size_t)-1: none) was met. */
static int was_met(const sou_state *st, size_t i, const char *relpath)
{
	size_t j;

	if (i == (size_t)-1)
		return 0;
	if (!(st->flags[i] & MULTI))
		return st->flags[i] & MET;
	for (j = 0; j < st->met.n; j++)
		if (!strcmp(st->met.v[j], relpath))
			return 1;
	/* not among the keys met: it is the one record the slot had when it
	 * became MULTI during this run */
	return (st->flags[i] & OLD_MET) != 0;
}

static void load_one(void *ctx, const char *key, size_t klen, const char *v, size_t vlen)
{
	sou_state *st = ctx;
	sou_file_state r;
	size_t i;
	int added;

	(void)key;
	(void)klen;
	if (!parse(v, vlen, &st->val, &r))
		return; /* unknown format: ignored, the file will be re-indexed */
	i = slot_add(st, hash_of(st, r.relpath), &added);
	if (!added && !(st->flags[i] & MULTI)) {
		st->flags[i] |= MULTI;
		st->nmulti++;
	}
	st->records++;
	if (r.status == 'o')
		st->indexed++;
}

sou_status sou_state_load_hashed(sou_xdb *db, sou_state_hash_fn hash, sou_state **out,
				 sou_error *err)
{
	sou_state *st = sou_xcalloc(1, sizeof(*st));
	sou_status s;

	*out = NULL;
	st->db = db;
	st->hash = hash ? hash : default_hash;
	grow(st);
	if (db && (s = sou_xdb_metadata_each(db, SOU_META_FILE, load_one, st, err))) {
		sou_state_destroy(st);
		return s;
	}
	*out = st;
	return SOU_OK;
}

sou_status sou_state_load(sou_xdb *db, sou_state **out, sou_error *err)
{
	return sou_state_load_hashed(db, NULL, out, err);
}

unsigned long sou_state_indexed(const sou_state *st)
{
	return st->indexed;
}

sou_status sou_state_find(sou_state *st, const char *relpath, sou_file_state **out,
			  sou_error *err)
{
	size_t i;
	sou_status s;
	int have;

	*out = NULL;
	if (!st->db)
		return SOU_OK;
	i = slot_of(st, hash_of(st, relpath));
	if (st->keys[i] == EMPTY)
		return SOU_OK; /* no record has its hash, so none is its */
	if ((s = read_rec(st, relpath, &st->val, &st->found, &have, err)) || !have)
		return s;
	mark_met(st, i, relpath);
	st->found.seen = 1;
	*out = &st->found;
	return SOU_OK;
}

sou_status sou_state_write(sou_xdb *db, const sou_file_state *r, sou_error *err)
{
	sou_buf key = SOU_BUF_INIT, v = SOU_BUF_INIT;
	sou_status s;

	key_for(r->relpath, &key);
	sou_buf_addf(&v, "1%c%c%c%llu%c%lld%c%lld%c%016llx%c%s%c%s%c%s", 0, r->status, 0,
		     (unsigned long long)r->size, 0, (long long)r->mtime_ns, 0,
		     (long long)r->ctime_ns, 0, (unsigned long long)r->hash, 0,
		     r->root ? r->root : "", 0, r->relpath, 0, r->message ? r->message : "");
	s = sou_xdb_set_metadata(db, key.data, v.data, v.len, err);
	sou_buf_free(&key);
	sou_buf_free(&v);
	return s;
}

sou_status sou_state_put(sou_state *st, sou_xdb *db, const sou_file_state *rec,
			 sou_error *err)
{
	size_t i;
	sou_status s;
	int added, have;

	if (!db)
		return SOU_OK;
	if (db == st->db) {
		i = slot_add(st, hash_of(st, rec->relpath), &added);
		if (added) {
			/* a hash no record had: a new record */
			st->flags[i] = MET;
			st->nmet++;
			st->records++;
		} else {
			/* into a buffer of its own: rec may point into st->found */
			sou_buf buf = SOU_BUF_INIT;
			sou_file_state old;
			s = read_rec(st, rec->relpath, &buf, &old, &have, err);
			sou_buf_free(&buf);
			if (s)
				return s;
			if (!have) {
				/* a new key on a known hash */
				st->records++;
				if (!(st->flags[i] & MULTI)) {
					st->flags[i] |= MULTI | (st->flags[i] & MET ? OLD_MET : 0);
					st->nmulti++;
				}
			}
			mark_met(st, i, rec->relpath);
		}
	}
	return sou_state_write(db, rec, err);
}

sou_status sou_state_remove(sou_state *st, sou_xdb *db, const char *relpath,
			    sou_error *err)
{
	sou_buf key = SOU_BUF_INIT;
	sou_status s;

	if (!db)
		return SOU_OK;
	/* the slot stays: it may still be another record's; sou_state_all_met
	 * no longer answers from the counts */
	if (db == st->db)
		st->removed = 1;
	key_for(relpath, &key);
	s = sou_xdb_set_metadata(db, key.data, "", 0, err);
	sou_buf_free(&key);
	return s;
}

int sou_state_all_met(const sou_state *st)
{
	return !st->db || (!st->nmulti && !st->removed && st->nmet == st->records);
}

typedef struct each_ctx {
	sou_state *st;
	void (*fn)(void *ctx, sou_file_state *rec);
	void *ctx;
	sou_buf buf;
} each_ctx;

static void each_one(void *ctx, const char *key, size_t klen, const char *v, size_t vlen)
{
	each_ctx *c = ctx;
	sou_state *st = c->st;
	sou_file_state r;
	size_t i;

	(void)key;
	(void)klen;
	if (!parse(v, vlen, &c->buf, &r))
		return;
	i = slot_of(st, hash_of(st, r.relpath));
	r.seen = was_met(st, st->keys[i] == EMPTY ? (size_t)-1 : i, r.relpath);
	c->fn(c->ctx, &r);
}

sou_status sou_state_each(sou_state *st, void (*fn)(void *ctx, sou_file_state *rec),
			  void *ctx, sou_error *err)
{
	each_ctx c = { st, fn, ctx, SOU_BUF_INIT };
	sou_status s;

	if (!st->db)
		return SOU_OK;
	s = sou_xdb_metadata_each(st->db, SOU_META_FILE, each_one, &c, err);
	sou_buf_free(&c.buf);
	return s;
}
