/*
 * test_state.c - unit tests for indexer/state.c, the per-file records:
 * the round trip through Xapian metadata (every field, odd keys: long,
 * not UTF-8, with newlines), replace and remove, shard-only writes, many
 * records, records of an unknown format being ignored, "met during this
 * run" as find, put and each report it, sou_state_all_met, and keys whose
 * hashes collide (forced hashes: every answer must stay exact).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "testutil.h"
#include "schema.h"
#include "state.h"
#include "xwrap.h"

static int dbn;

static sou_xdb *fresh_db(void)
{
	char path[512];
	sou_xdb *db = NULL;
	sou_error err;

	snprintf(path, sizeof(path), "%s/db%d", tu_dir, dbn++);
	if (sou_xdb_open(path, SOU_XDB_CREATE, &db, &err))
		fail_msg("%s", err.msg);
	return db;
}

static sou_file_state rec(const char *relpath, char status, uint64_t size, const char *msg)
{
	sou_file_state r;

	memset(&r, 0, sizeof(r));
	r.status = status;
	r.size = size;
	r.mtime_ns = 1700000000123456789LL;
	r.ctime_ns = -5; /* before 1970: still exact */
	r.hash = 0xfedcba9876543210ULL;
	r.root = (char *)"/home/u/posts";
	r.relpath = (char *)relpath;
	r.message = (char *)msg;
	return r;
}

static void must(sou_status st, const sou_error *err)
{
	if (st)
		fail_msg("status %d: %s", (int)st, err->msg);
}

/* find, failing the test on an error. */
static sou_file_state *find(sou_state *st, const char *relpath)
{
	sou_file_state *f = NULL;
	sou_error err;

	must(sou_state_find(st, relpath, &f, &err), &err);
	return f;
}

static void put(sou_state *st, sou_xdb *db, const char *relpath, char status, uint64_t size,
		const char *msg)
{
	sou_file_state r = rec(relpath, status, size, msg);
	sou_error err;

	must(sou_state_put(st, db, &r, &err), &err);
}

static void commit(sou_xdb *db)
{
	sou_error err;

	must(sou_xdb_commit(db, &err), &err);
}

static sou_state *load(sou_xdb *db, sou_state_hash_fn hash)
{
	sou_state *st = NULL;
	sou_error err;

	must(sou_state_load_hashed(db, hash, &st, &err), &err);
	assert_non_null(st);
	return st;
}

/* What each reports: "relpath=seen" for every record, in key order, ';'-joined. */
static void each_fn(void *ctx, sou_file_state *r)
{
	char *out = ctx;

	snprintf(out + strlen(out), 4096 - strlen(out), "%s=%d;", r->relpath, r->seen);
}

static const char *each(sou_state *st)
{
	static char out[4096];
	sou_error err;

	out[0] = 0;
	must(sou_state_each(st, each_fn, out, &err), &err);
	return out;
}

static void test_empty(void **state)
{
	sou_state *st = load(NULL, NULL);
	sou_error err;

	(void)state;
	assert_null(find(st, "a.md"));
	must(sou_state_remove(st, NULL, "a.md", &err), &err); /* no db: nothing */
	put(st, NULL, "a.md", 'o', 1, NULL);                   /* no db: nothing */
	assert_null(find(st, "a.md"));
	assert_true(sou_state_all_met(st));
	assert_string_equal(each(st), "");
	assert_int_equal(sou_state_indexed(st), 0);
	sou_state_destroy(st);
	sou_state_destroy(NULL);
}

static void test_roundtrip(void **state)
{
	char longpath[600];
	const char *odd = "bad-\xff\n\x1b[31m.md";
	sou_xdb *db = fresh_db();
	sou_state *st = load(db, NULL), *again;
	sou_file_state *f;

	(void)state;
	memset(longpath, 'x', sizeof(longpath) - 4);
	strcpy(longpath + sizeof(longpath) - 4, ".md");
	put(st, db, "2022/a.md", 'o', 1234, NULL);
	put(st, db, "b.md", 'f', 9, "b.md:3:1: bad YAML\nsecond line");
	put(st, db, longpath, 's', 0, "no front matter");
	put(st, db, odd, 'o', 7, NULL);
	f = find(st, "2022/a.md"); /* written, not yet committed: read back */
	assert_non_null(f);
	assert_int_equal(f->size, 1234);
	assert_true(f->seen);
	commit(db);

	again = load(db, NULL);
	assert_int_equal(sou_state_indexed(again), 2);
	/* nothing met yet: each says so, and so does all_met */
	assert_false(sou_state_all_met(again));
	f = find(again, "2022/a.md");
	assert_non_null(f);
	assert_int_equal(f->status, 'o');
	assert_int_equal(f->size, 1234);
	assert_true(f->mtime_ns == 1700000000123456789LL);
	assert_true(f->ctime_ns == -5);
	assert_true(f->hash == 0xfedcba9876543210ULL);
	assert_string_equal(f->root, "/home/u/posts");
	assert_string_equal(f->relpath, "2022/a.md");
	assert_null(f->message);
	assert_true(f->seen);
	f = find(again, "b.md");
	assert_non_null(f);
	assert_int_equal(f->status, 'f');
	assert_string_equal(f->message, "b.md:3:1: bad YAML\nsecond line");
	f = find(again, longpath);
	assert_non_null(f);
	assert_int_equal(f->status, 's');
	assert_string_equal(f->relpath, longpath);
	assert_null(find(again, "c.md"));
	/* the odd key was not looked for: the only one not met */
	assert_false(sou_state_all_met(again));
	assert_non_null(strstr(each(again), "2022/a.md=1;"));
	assert_non_null(strstr(each(again), "b.md=1;"));
	assert_non_null(strstr(each(again), "bad-\xff\n\x1b[31m.md=0;"));
	f = find(again, odd);
	assert_non_null(f);
	assert_string_equal(f->relpath, odd);
	assert_true(sou_state_all_met(again));
	assert_null(strstr(each(again), "=0;"));
	sou_state_destroy(again);
	sou_state_destroy(st);
	sou_xdb_destroy(db);
}

/* put may be handed the answer of the last find, message included. */
static void test_put_from_find(void **state)
{
	sou_xdb *db = fresh_db();
	sou_state *st = load(db, NULL);
	sou_file_state *f, r;
	sou_error err;

	(void)state;
	put(st, db, "a.md", 's', 1, "not a post: no front matter, a long message");
	commit(db);
	sou_state_destroy(st);
	st = load(db, NULL);
	f = find(st, "a.md");
	assert_non_null(f);
	r = *f;
	r.size = 2;
	must(sou_state_put(st, db, &r, &err), &err);
	commit(db);
	f = find(st, "a.md");
	assert_non_null(f);
	assert_int_equal(f->size, 2);
	assert_string_equal(f->message, "not a post: no front matter, a long message");
	assert_true(sou_state_all_met(st));
	sou_state_destroy(st);
	sou_xdb_destroy(db);
}

static void test_replace_and_remove(void **state)
{
	sou_xdb *db = fresh_db();
	sou_state *st = load(db, NULL), *again;
	sou_error err;

	(void)state;
	put(st, db, "a.md", 'f', 1, "broken");
	put(st, db, "a.md", 'o', 2, NULL);
	assert_int_equal(find(st, "a.md")->status, 'o');
	assert_int_equal(find(st, "a.md")->size, 2);
	assert_null(find(st, "a.md")->message);
	put(st, db, "b.md", 'o', 3, NULL);
	assert_true(sou_state_all_met(st));
	commit(db);
	must(sou_state_remove(st, db, "b.md", &err), &err);
	assert_false(sou_state_all_met(st)); /* counts no longer tell */
	assert_null(find(st, "b.md"));
	commit(db);
	again = load(db, NULL);
	assert_null(find(again, "b.md"));
	assert_non_null(find(again, "a.md"));
	assert_int_equal(find(again, "a.md")->size, 2);
	assert_int_equal(sou_state_indexed(again), 1);
	assert_string_equal(each(again), "a.md=1;");
	sou_state_destroy(again);
	/* removed and put again: found again */
	put(st, db, "b.md", 's', 4, "again");
	assert_int_equal(find(st, "b.md")->status, 's');
	assert_string_equal(each(st), "a.md=1;b.md=1;"); /* both put by st */
	sou_state_destroy(st);
	sou_xdb_destroy(db);
}

/* A shard writes records to its database only. */
static void test_write_only(void **state)
{
	sou_xdb *db = fresh_db();
	sou_state *st;
	sou_file_state r = rec("s.md", 'o', 5, NULL);
	sou_error err;

	(void)state;
	must(sou_state_write(db, &r, &err), &err);
	commit(db);
	st = load(db, NULL);
	assert_non_null(find(st, "s.md"));
	assert_int_equal(find(st, "s.md")->size, 5);
	sou_state_destroy(st);
	sou_xdb_destroy(db);
}

typedef struct count_ctx {
	size_t n, seen;
	unsigned long long sum;
} count_ctx;

static void count(void *ctx, sou_file_state *r)
{
	count_ctx *c = ctx;

	c->n++;
	c->seen += r->seen != 0;
	c->sum += r->size;
}

/* Many records: the table grows past its first 1024 slots. */
static void test_many(void **state)
{
	sou_xdb *db = fresh_db();
	sou_state *st = load(db, NULL);
	sou_error err;
	char name[32];
	count_ctx c = { 0, 0, 0 };
	size_t i;

	(void)state;
	for (i = 0; i < 5000; i++) {
		snprintf(name, sizeof(name), "p/%zu.md", i);
		put(st, db, name, 'o', i, NULL);
	}
	commit(db);
	sou_state_destroy(st);
	st = load(db, NULL);
	assert_int_equal(sou_state_indexed(st), 5000);
	for (i = 0; i < 5000; i += 2) {
		snprintf(name, sizeof(name), "p/%zu.md", i);
		assert_non_null(find(st, name));
		assert_int_equal(find(st, name)->size, i);
		snprintf(name, sizeof(name), "q/%zu.md", i);
		assert_null(find(st, name));
	}
	must(sou_state_each(st, count, &c, &err), &err);
	assert_int_equal(c.n, 5000);
	assert_int_equal(c.seen, 2500);
	assert_true(c.sum == 4999ULL * 5000 / 2);
	assert_false(sou_state_all_met(st));
	for (i = 1; i < 5000; i += 2) {
		snprintf(name, sizeof(name), "p/%zu.md", i);
		assert_non_null(find(st, name));
	}
	assert_true(sou_state_all_met(st));
	sou_state_destroy(st);
	sou_xdb_destroy(db);
}

static void test_unknown_format_ignored(void **state)
{
	sou_xdb *db = fresh_db();
	sou_state *st;
	sou_error err;
	static const char v2[] = "2\0o\0001\0002\0003\0004\0/r\0x.md\0";
	static const char shortv[] = "1\0o\0001";

	(void)state;
	must(sou_xdb_set_metadata(db, SOU_META_FILE "x.md", v2, sizeof(v2) - 1, &err), &err);
	must(sou_xdb_set_metadata(db, SOU_META_FILE "y.md", shortv, sizeof(shortv) - 1, &err),
	     &err);
	commit(db);
	st = load(db, NULL);
	assert_null(find(st, "x.md"));
	assert_null(find(st, "y.md"));
	assert_string_equal(each(st), "");
	assert_true(sou_state_all_met(st));
	sou_state_destroy(st);
	sou_xdb_destroy(db);
}

/* Forced hashes: every key alike, or alike by its first byte. */
static uint64_t hash_same(const char *key, size_t len)
{
	(void)key;
	(void)len;
	return 42;
}

static uint64_t hash_zero(const char *key, size_t len)
{
	(void)key;
	(void)len;
	return 0;
}

static uint64_t hash_first(const char *key, size_t len)
{
	return len ? (unsigned char)key[0] : 0;
}

/* Records that share a hash at load: each one is told apart exactly. */
static void test_collisions_at_load(void **state)
{
	sou_state_hash_fn fns[] = { hash_same, hash_zero };
	size_t k;

	(void)state;
	for (k = 0; k < 2; k++) {
		sou_xdb *db = fresh_db();
		sou_state *st = load(db, fns[k]);
		sou_file_state *f;

		put(st, db, "a.md", 'o', 1, NULL);
		put(st, db, "b.md", 's', 2, "skipped");
		put(st, db, "c.md", 'o', 3, NULL);
		/* same hash, but a new key each time: all three are records */
		assert_string_equal(each(st), "a.md=1;b.md=1;c.md=1;");
		assert_false(sou_state_all_met(st)); /* shared hashes: never from counts */
		commit(db);
		sou_state_destroy(st);

		st = load(db, fns[k]);
		assert_int_equal(sou_state_indexed(st), 2);
		assert_string_equal(each(st), "a.md=0;b.md=0;c.md=0;");
		f = find(st, "b.md");
		assert_non_null(f);
		assert_int_equal(f->size, 2);
		assert_string_equal(f->message, "skipped");
		/* a key without a record, on the same hash: none */
		assert_null(find(st, "new.md"));
		assert_string_equal(each(st), "a.md=0;b.md=1;c.md=0;");
		/* a new key on the shared hash is met; the others stay as they were */
		put(st, db, "d.md", 'o', 4, NULL);
		assert_string_equal(each(st), "a.md=0;b.md=1;c.md=0;d.md=1;");
		assert_non_null(find(st, "c.md"));
		assert_non_null(find(st, "c.md")); /* twice: still one key */
		assert_string_equal(each(st), "a.md=0;b.md=1;c.md=1;d.md=1;");
		assert_false(sou_state_all_met(st));
		sou_state_destroy(st);
		sou_xdb_destroy(db);
	}
}

/*
 * A hash one record had becomes shared during the run (a new key lands on
 * it): that record keeps its "met" whichever way it was.
 */
static void test_collision_during_run(void **state)
{
	int met_before;

	(void)state;
	for (met_before = 0; met_before < 2; met_before++) {
		sou_xdb *db = fresh_db();
		sou_state *st = load(db, hash_first);

		put(st, db, "old.md", 'o', 1, NULL);
		put(st, db, "x.md", 'o', 9, NULL);
		commit(db);
		sou_state_destroy(st);
		st = load(db, hash_first);
		if (met_before)
			assert_non_null(find(st, "old.md"));
		/* "only.md" shares old.md's hash but has no record */
		assert_null(find(st, "only.md"));
		put(st, db, "other.md", 'o', 2, NULL);
		if (met_before)
			assert_string_equal(each(st), "old.md=1;other.md=1;x.md=0;");
		else
			assert_string_equal(each(st), "old.md=0;other.md=1;x.md=0;");
		assert_non_null(find(st, "other.md"));
		assert_int_equal(find(st, "other.md")->size, 2);
		assert_non_null(find(st, "x.md"));
		assert_non_null(find(st, "old.md"));
		assert_string_equal(each(st), "old.md=1;other.md=1;x.md=1;");
		sou_state_destroy(st);
		sou_xdb_destroy(db);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_empty),
		cmocka_unit_test(test_roundtrip),
		cmocka_unit_test(test_put_from_find),
		cmocka_unit_test(test_replace_and_remove),
		cmocka_unit_test(test_write_only),
		cmocka_unit_test(test_many),
		cmocka_unit_test(test_unknown_format_ignored),
		cmocka_unit_test(test_collisions_at_load),
		cmocka_unit_test(test_collision_during_run),
	};
	return cmocka_run_group_tests(tests, tu_dir_setup, tu_dir_teardown);
}
