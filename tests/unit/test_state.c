/*
 * test_state.c - unit tests for indexer/state.c, the per-file records:
 * put/find/remove in memory, the round trip through Xapian metadata
 * (every field, odd keys: long, not UTF-8, with newlines), shard-only
 * writes, growth of the table past its first size with removals in
 * between, and records of an unknown format being ignored.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "testutil.h"
#include "schema.h"
#include "state.h"
#include "xwrap.h"

static char *dir;
static int dbn;

static int setup(void **state)
{
	(void)state;
	dir = tu_mkdtemp();
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	tu_rmtree(dir);
	return 0;
}

static sou_xdb *fresh_db(void)
{
	char path[512];
	sou_xdb *db = NULL;
	sou_error err;

	snprintf(path, sizeof(path), "%s/db%d", dir, dbn++);
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

static void test_empty(void **state)
{
	sou_state *st = NULL;
	sou_error err;

	(void)state;
	must(sou_state_load(NULL, &st, &err), &err);
	assert_non_null(st);
	assert_null(sou_state_find(st, "a.md"));
	must(sou_state_remove(st, NULL, "a.md", &err), &err); /* absent: fine */
	sou_state_destroy(st);
	sou_state_destroy(NULL);
}

static void test_roundtrip(void **state)
{
	char longpath[600];
	const char *odd = "bad-\xff\n\x1b[31m.md";
	sou_xdb *db = fresh_db();
	sou_state *st = NULL, *again = NULL;
	sou_file_state r, *f;
	sou_error err;

	(void)state;
	memset(longpath, 'x', sizeof(longpath) - 4);
	strcpy(longpath + sizeof(longpath) - 4, ".md");
	must(sou_state_load(db, &st, &err), &err);
	r = rec("2022/a.md", 'o', 1234, NULL);
	must(sou_state_put(st, db, &r, &err), &err);
	f = sou_state_find(st, "2022/a.md");
	assert_non_null(f);
	assert_true(f->relpath != r.relpath); /* a copy */
	r = rec("b.md", 'f', 9, "b.md:3:1: bad YAML\nsecond line");
	must(sou_state_put(st, db, &r, &err), &err);
	r = rec(longpath, 's', 0, "no front matter");
	must(sou_state_put(st, db, &r, &err), &err);
	r = rec(odd, 'o', 7, NULL);
	must(sou_state_put(st, db, &r, &err), &err);
	/* the in-memory copy keeps the caller's fields, seen included */
	f = sou_state_find(st, "2022/a.md");
	assert_non_null(f);
	assert_int_equal(f->size, 1234);
	assert_false(f->seen);
	f->seen = 1;
	must(sou_xdb_commit(db, &err), &err);

	must(sou_state_load(db, &again, &err), &err);
	f = sou_state_find(again, "2022/a.md");
	assert_non_null(f);
	assert_int_equal(f->status, 'o');
	assert_int_equal(f->size, 1234);
	assert_true(f->mtime_ns == 1700000000123456789LL);
	assert_true(f->ctime_ns == -5);
	assert_true(f->hash == 0xfedcba9876543210ULL);
	assert_string_equal(f->root, "/home/u/posts");
	assert_null(f->message);
	assert_false(f->seen); /* loaded records are not seen yet (seen is never stored) */
	f = sou_state_find(again, "b.md");
	assert_non_null(f);
	assert_int_equal(f->status, 'f');
	assert_string_equal(f->message, "b.md:3:1: bad YAML\nsecond line");
	f = sou_state_find(again, longpath);
	assert_non_null(f);
	assert_int_equal(f->status, 's');
	assert_string_equal(f->relpath, longpath);
	f = sou_state_find(again, odd);
	assert_non_null(f);
	assert_string_equal(f->relpath, odd);
	assert_null(sou_state_find(again, "c.md"));
	sou_state_destroy(again);
	sou_state_destroy(st);
	sou_xdb_destroy(db);
}

static void test_replace_and_remove(void **state)
{
	sou_xdb *db = fresh_db();
	sou_state *st = NULL, *again = NULL;
	sou_file_state r;
	sou_error err;

	(void)state;
	must(sou_state_load(db, &st, &err), &err);
	r = rec("a.md", 'f', 1, "broken");
	must(sou_state_put(st, db, &r, &err), &err);
	r = rec("a.md", 'o', 2, NULL);
	must(sou_state_put(st, db, &r, &err), &err);
	assert_int_equal(sou_state_find(st, "a.md")->status, 'o');
	assert_int_equal(sou_state_find(st, "a.md")->size, 2);
	r = rec("b.md", 'o', 3, NULL);
	must(sou_state_put(st, db, &r, &err), &err);
	must(sou_xdb_commit(db, &err), &err);
	must(sou_state_remove(st, db, "b.md", &err), &err);
	assert_null(sou_state_find(st, "b.md"));
	must(sou_xdb_commit(db, &err), &err);
	must(sou_state_load(db, &again, &err), &err);
	assert_null(sou_state_find(again, "b.md"));
	assert_non_null(sou_state_find(again, "a.md"));
	assert_int_equal(sou_state_find(again, "a.md")->size, 2);
	sou_state_destroy(again);
	/* removed and put again: found again */
	r = rec("b.md", 's', 4, "again");
	must(sou_state_put(st, NULL, &r, &err), &err);
	assert_int_equal(sou_state_find(st, "b.md")->status, 's');
	sou_state_destroy(st);
	sou_xdb_destroy(db);
}

/* A shard writes records to its database only. */
static void test_write_only(void **state)
{
	sou_xdb *db = fresh_db();
	sou_state *st = NULL;
	sou_file_state r = rec("s.md", 'o', 5, NULL);
	sou_error err;

	(void)state;
	must(sou_state_write(db, &r, &err), &err);
	must(sou_xdb_commit(db, &err), &err);
	must(sou_state_load(db, &st, &err), &err);
	assert_non_null(sou_state_find(st, "s.md"));
	assert_int_equal(sou_state_find(st, "s.md")->size, 5);
	sou_state_destroy(st);
	sou_xdb_destroy(db);
}

typedef struct count_ctx {
	size_t n;
	unsigned long long sum;
} count_ctx;

static void count(void *ctx, sou_file_state *r)
{
	count_ctx *c = ctx;

	c->n++;
	c->sum += r->size;
}

/* The table grows past its first 1024 slots; removals leave tombstones. */
static void test_grow(void **state)
{
	sou_state *st = NULL;
	sou_error err;
	char name[32];
	count_ctx c = { 0, 0 };
	size_t i;

	(void)state;
	must(sou_state_load(NULL, &st, &err), &err);
	for (i = 0; i < 5000; i++) {
		sou_file_state r;
		snprintf(name, sizeof(name), "p/%zu.md", i);
		r = rec(name, 'o', i, NULL);
		must(sou_state_put(st, NULL, &r, &err), &err);
		if (i % 3 == 0) {
			snprintf(name, sizeof(name), "p/%zu.md", i / 2);
			must(sou_state_remove(st, NULL, name, &err), &err);
		}
	}
	for (i = 0; i < 5000; i++) {
		int removed = 0;
		size_t j;
		snprintf(name, sizeof(name), "p/%zu.md", i);
		/* i was removed if some later j (multiple of 3, j >= i) had j / 2 == i */
		for (j = 0; j < 5000; j += 3)
			if (j / 2 == i && j >= i)
				removed = 1;
		if (removed)
			assert_null(sou_state_find(st, name));
		else
			assert_non_null(sou_state_find(st, name));
	}
	sou_state_each(st, count, &c);
	for (i = 0; i < 5000; i++) {
		snprintf(name, sizeof(name), "p/%zu.md", i);
		if (sou_state_find(st, name))
			c.n--, c.sum -= i;
	}
	assert_int_equal(c.n, 0);  /* each visits every live record once */
	assert_true(c.sum == 0);
	sou_state_destroy(st);
}

static void test_unknown_format_ignored(void **state)
{
	sou_xdb *db = fresh_db();
	sou_state *st = NULL;
	sou_error err;
	static const char v2[] = "2\0o\0001\0002\0003\0004\0/r\0x.md\0";
	static const char shortv[] = "1\0o\0001";

	(void)state;
	must(sou_xdb_set_metadata(db, SOU_META_FILE "x.md", v2, sizeof(v2) - 1, &err), &err);
	must(sou_xdb_set_metadata(db, SOU_META_FILE "y.md", shortv, sizeof(shortv) - 1, &err),
	     &err);
	must(sou_xdb_commit(db, &err), &err);
	must(sou_state_load(db, &st, &err), &err);
	assert_null(sou_state_find(st, "x.md"));
	assert_null(sou_state_find(st, "y.md"));
	sou_state_destroy(st);
	sou_xdb_destroy(db);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_empty),
		cmocka_unit_test(test_roundtrip),
		cmocka_unit_test(test_replace_and_remove),
		cmocka_unit_test(test_write_only),
		cmocka_unit_test(test_grow),
		cmocka_unit_test(test_unknown_format_ignored),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
