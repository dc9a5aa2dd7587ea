/*
 * test_store.c - unit tests for indexer/store.c, the index directory:
 * creating it (and missing parents) private, the writer lock, a full
 * build's generation and shard paths, publishing by replacing the stub,
 * an unpublished build leaving the old index alone, incremental runs on
 * the current generation, and a damaged stub.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "testutil.h"
#include "schema.h"
#include "store.h"
#include "xwrap.h"


static void must(sou_status st, const sou_error *err)
{
	if (st)
		fail_msg("status %d: %s", (int)st, err->msg);
}

static char *path_in(const char *db, const char *name)
{
	static char p[1024];

	snprintf(p, sizeof(p), "%s/%s", db, name);
	return p;
}

static int exists(const char *p)
{
	struct stat sb;

	return stat(p, &sb) == 0;
}

static void read_stub(const char *db, char *out, size_t n)
{
	FILE *f = fopen(path_in(db, "XAPIANDB"), "r");

	assert_non_null(f);
	if (!fgets(out, (int)n, f))
		out[0] = '\0';
	fclose(f);
	out[strcspn(out, "\n")] = '\0';
}

/*
 * A full build the way the indexer does it: write the generation, publish.
 * Its one document is marked by the id term idterm (SOU_PREFIX_ID + a name).
 */
static void full_build(const char *db, int rebuild, const char *idterm)
{
	sou_store *s = NULL;
	sou_xdb *x = NULL;
	sou_xdoc *doc;
	sou_error err;

	must(sou_store_open(db, rebuild, 0, &s, &err), &err);
	assert_true(sou_store_is_fresh(s));
	must(sou_xdb_open(sou_store_gen_path(s), SOU_XDB_CREATE, &x, &err), &err);
	must(sou_xdb_commit(x, &err), &err);
	sou_xdb_destroy(x);
	x = NULL;
	must(sou_store_open_db(s, &x, &err), &err);
	doc = sou_xdoc_create();
	sou_xdoc_add_boolean(doc, idterm, strlen(idterm));
	must(sou_xdb_replace(x, idterm, doc, &err), &err);
	sou_xdoc_destroy(doc);
	must(sou_xdb_commit(x, &err), &err);
	sou_xdb_destroy(x);
	must(sou_store_publish(s, &err), &err);
	sou_store_destroy(s);
}

static unsigned long docs_with(const char *db, const char *term)
{
	sou_xdb *x = NULL;
	sou_error err;
	unsigned long n = 0;

	must(sou_xdb_open(db, SOU_XDB_READ, &x, &err), &err);
	must(sou_xdb_termfreq(x, term, &n, &err), &err);
	sou_xdb_destroy(x);
	return n;
}

static void test_new_directory(void **state)
{
	char db[512], stub[128];
	sou_store *s = NULL;
	sou_buf shard = SOU_BUF_INIT;
	sou_error err;
	struct stat sb;
	const char *gen;

	(void)state;
	snprintf(db, sizeof(db), "%s/missing/parents/index", tu_dir);
	must(sou_store_open(db, 0, 0, &s, &err), &err);
	assert_int_equal(stat(db, &sb), 0);
	assert_true(S_ISDIR(sb.st_mode));
	assert_int_equal(sb.st_mode & 077, 0); /* private: 0700 less the umask */
	assert_true(sou_store_is_fresh(s));     /* no generation yet */
	assert_false(sou_store_has_current(s));
	gen = sou_store_gen_path(s);
	assert_non_null(strstr(gen, "/gen-"));
	sou_store_shard_path(s, 3, &shard);
	assert_true(!strncmp(shard.data, gen, strlen(gen)));
	assert_string_equal(shard.data + strlen(gen), ".shard-3");
	sou_buf_free(&shard);
	sou_store_destroy(s);
	sou_store_destroy(NULL);

	full_build(db, 0, SOU_PREFIX_ID "first");
	read_stub(db, stub, sizeof(stub));
	assert_true(!strncmp(stub, "auto gen-", 9));
	assert_int_equal(docs_with(db, SOU_PREFIX_ID "first"), 1);
}

static void test_lock(void **state)
{
	char db[512];
	sou_store *a = NULL, *b = NULL;
	sou_error err;

	(void)state;
	snprintf(db, sizeof(db), "%s/locked", tu_dir);
	must(sou_store_open(db, 0, 0, &a, &err), &err);
	assert_int_equal(sou_store_open(db, 0, 0, &b, &err), SOU_ERR_LOCKED);
	assert_null(b);
	assert_true(strlen(err.msg) > 0);
	assert_int_equal(sou_store_open(db, 0, 0.2, &b, &err), SOU_ERR_LOCKED);
	sou_store_destroy(a);
	must(sou_store_open(db, 0, 0, &b, &err), &err); /* released */
	sou_store_destroy(b);
}

static void test_incremental_and_rebuild(void **state)
{
	char db[512], stub1[128], stub2[128], gen1[1024];
	sou_store *s = NULL;
	sou_xdb *x = NULL;
	sou_error err;

	(void)state;
	snprintf(db, sizeof(db), "%s/gens", tu_dir);
	full_build(db, 0, SOU_PREFIX_ID "one");
	read_stub(db, stub1, sizeof(stub1));
	snprintf(gen1, sizeof(gen1), "%s/%s", db, stub1 + 5);
	assert_true(exists(gen1));

	/* an incremental run writes the current generation */
	must(sou_store_open(db, 0, 0, &s, &err), &err);
	assert_false(sou_store_is_fresh(s));
	assert_true(sou_store_has_current(s));
	assert_string_equal(sou_store_gen_path(s), gen1);
	must(sou_store_open_db(s, &x, &err), &err);
	sou_xdb_destroy(x);
	sou_store_destroy(s);

	/* a rebuild that is not published leaves the old index and no trace */
	must(sou_store_open(db, 1, 0, &s, &err), &err);
	assert_true(sou_store_is_fresh(s));
	assert_true(sou_store_has_current(s));
	assert_string_not_equal(sou_store_gen_path(s), gen1);
	x = NULL;
	must(sou_xdb_open(sou_store_gen_path(s), SOU_XDB_CREATE, &x, &err), &err);
	must(sou_xdb_commit(x, &err), &err);
	sou_xdb_destroy(x);
	{
		char gen2[1024];
		snprintf(gen2, sizeof(gen2), "%s", sou_store_gen_path(s));
		sou_store_destroy(s);
		assert_false(exists(gen2));
	}
	read_stub(db, stub2, sizeof(stub2));
	assert_string_equal(stub1, stub2);
	assert_int_equal(docs_with(db, SOU_PREFIX_ID "one"), 1);

	/* a published rebuild switches; the old generation (no reader) goes */
	full_build(db, 1, SOU_PREFIX_ID "two");
	read_stub(db, stub2, sizeof(stub2));
	assert_string_not_equal(stub1, stub2);
	assert_int_equal(docs_with(db, SOU_PREFIX_ID "two"), 1);
	assert_int_equal(docs_with(db, SOU_PREFIX_ID "one"), 0);
	assert_false(exists(gen1));
}

static void test_damaged_stub(void **state)
{
	char db[512];
	sou_store *s = NULL;
	sou_error err;
	FILE *f;

	(void)state;
	snprintf(db, sizeof(db), "%s/damaged", tu_dir);
	full_build(db, 0, SOU_PREFIX_ID "ok");
	f = fopen(path_in(db, "XAPIANDB"), "w");
	assert_non_null(f);
	fputs("garbage\n", f);
	fclose(f);
	assert_int_equal(sou_store_open(db, 0, 0, &s, &err), SOU_ERR_DB);
	assert_null(s);
	assert_non_null(strstr(err.msg, "XAPIANDB"));
	/* a rebuild replaces it */
	full_build(db, 1, SOU_PREFIX_ID "new");
	assert_int_equal(docs_with(db, SOU_PREFIX_ID "new"), 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_new_directory),
		cmocka_unit_test(test_lock),
		cmocka_unit_test(test_incremental_and_rebuild),
		cmocka_unit_test(test_damaged_stub),
	};
	return cmocka_run_group_tests(tests, tu_dir_setup, tu_dir_teardown);
}
