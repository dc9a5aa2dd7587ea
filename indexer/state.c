/*
 * state.c - per-file records in Xapian metadata (see state.h), held in
 * memory as an open-addressing hash table keyed by relpath (xxh64).
 */
#include "state.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <xxhash.h>

#include "buf.h"
#include "schema.h"
#include "termgen.h"

struct sou_state {
	sou_file_state **slots;   /* NULL or a record; deleted slots hold TOMB */
	size_t cap;               /* power of two */
	size_t used;              /* live + tombstones */
};

static sou_file_state tomb;
#define TOMB (&tomb)

static void rec_free(sou_file_state *r)
{
	if (!r || r == TOMB)
		return;
	free(r->root);
	free(r->relpath);
	free(r->message);
	free(r);
}

void sou_state_destroy(sou_state *st)
{
	size_t i;

	if (!st)
		return;
	for (i = 0; i < st->cap; i++)
		rec_free(st->slots[i]);
	free(st->slots);
	free(st);
}

static size_t slot_of(const sou_state *st, const char *relpath, int for_insert)
{
	size_t mask = st->cap - 1, i = (size_t)XXH3_64bits(relpath, strlen(relpath)) & mask;
	size_t first_tomb = (size_t)-1;

	for (;; i = (i + 1) & mask) {
		sou_file_state *r = st->slots[i];
		if (!r)
			return for_insert && first_tomb != (size_t)-1 ? first_tomb : i;
		if (r == TOMB) {
			if (first_tomb == (size_t)-1)
				first_tomb = i;
			continue;
		}
		if (!strcmp(r->relpath, relpath))
			return i;
	}
}

static void grow(sou_state *st)
{
	sou_file_state **old = st->slots;
	size_t oldcap = st->cap, i;

	/* a fresh table of the next power of two (at least 1024 slots) */
	st->slots = NULL;
	st->cap = 0;
	SOU_ARRAY_GROW(st->slots, st->cap, oldcap + 1 > 1024 ? oldcap + 1 : 1024);
	memset(st->slots, 0, st->cap * sizeof(*st->slots));
	st->used = 0;
	for (i = 0; i < oldcap; i++)
		if (old[i] && old[i] != TOMB) {
			st->slots[slot_of(st, old[i]->relpath, 1)] = old[i];
			st->used++;
		}
	free(old);
}

sou_file_state *sou_state_find(sou_state *st, const char *relpath)
{
	sou_file_state *r;

	if (!st->cap)
		return NULL;
	r = st->slots[slot_of(st, relpath, 0)];
	return r == TOMB ? NULL : r;
}

/* Inserts or replaces in memory; takes ownership of rec. */
static void insert(sou_state *st, sou_file_state *rec)
{
	size_t i;

	if ((st->used + 1) * 4 >= st->cap * 3)
		grow(st);
	i = slot_of(st, rec->relpath, 0);
	if (st->slots[i] && st->slots[i] != TOMB) {
		rec_free(st->slots[i]);
		st->slots[i] = rec;
		return;
	}
	i = slot_of(st, rec->relpath, 1);
	if (!st->slots[i])
		st->used++;
	st->slots[i] = rec;
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

static void load_one(void *ctx, const char *key, size_t klen, const char *v, size_t vlen)
{
	sou_state *st = ctx;
	const char *f[9];
	size_t nf = 0, i = 0;
	sou_file_state *r;

	(void)key;
	(void)klen;
	/* split on NULs; the value ends without one */
	while (nf < 9 && i <= vlen) {
		f[nf++] = v + i;
		while (i < vlen && v[i])
			i++;
		i++;
	}
	if (nf < 8 || strcmp(f[0], "1"))
		return; /* unknown format: ignore, the file will be re-indexed */
	r = sou_xcalloc(1, sizeof(*r));
	r->status = f[1][0];
	r->size = strtoull(f[2], NULL, 10);
	r->mtime_ns = strtoll(f[3], NULL, 10);
	r->ctime_ns = strtoll(f[4], NULL, 10);
	r->hash = strtoull(f[5], NULL, 16);
	r->root = sou_xstrdup(f[6]);
	r->relpath = sou_xstrdup(f[7]);
	r->message = nf > 8 && *f[8] ? sou_xstrndup(f[8], (size_t)(v + vlen - f[8])) : NULL;
	insert(st, r);
}

sou_status sou_state_load(sou_xdb *db, sou_state **out, sou_error *err)
{
	sou_state *st = sou_xcalloc(1, sizeof(*st));
	sou_status s;

	*out = NULL;
	grow(st);
	if (db && (s = sou_xdb_metadata_each(db, SOU_META_FILE, load_one, st, err))) {
		sou_state_destroy(st);
		return s;
	}
	*out = st;
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
	sou_file_state *r = sou_xcalloc(1, sizeof(*r));
	sou_status s = SOU_OK;

	*r = *rec;
	r->root = sou_xstrdup(rec->root ? rec->root : "");
	r->relpath = sou_xstrdup(rec->relpath);
	r->message = rec->message ? sou_xstrdup(rec->message) : NULL;
	if (db)
		s = sou_state_write(db, r, err);
	insert(st, r);
	return s;
}

sou_status sou_state_remove(sou_state *st, sou_xdb *db, const char *relpath,
			    sou_error *err)
{
	size_t i;

	if (db) {
		sou_buf key = SOU_BUF_INIT;
		sou_status s;
		key_for(relpath, &key);
		s = sou_xdb_set_metadata(db, key.data, "", 0, err);
		sou_buf_free(&key);
		if (s)
			return s;
	}
	if (!st->cap)
		return SOU_OK;
	i = slot_of(st, relpath, 0);
	if (st->slots[i] && st->slots[i] != TOMB) {
		rec_free(st->slots[i]);
		st->slots[i] = TOMB;
	}
	return SOU_OK;
}

void sou_state_each(sou_state *st, void (*fn)(void *ctx, sou_file_state *rec), void *ctx)
{
	size_t i;

	for (i = 0; i < st->cap; i++)
		if (st->slots[i] && st->slots[i] != TOMB)
			fn(ctx, st->slots[i]);
}
