/*
 * test_idxstamp.c - unit tests for common/idxstamp.c: a stamp is stable
 * while nothing changes, and changes when a commit replaces the version
 * file, when the stub switches to another generation, when a file goes
 * missing, and for a change in any local shard of a list; remote shards
 * are not stamped.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "testutil.h"
#include "idxstamp.h"

/* Writes dir/name by a rename over it, as Xapian and sou-index do. */
static void replace_file(const char *dir, const char *name, const char *data)
{
	char p[4096], tmp[4200];
	FILE *f;

	snprintf(p, sizeof(p), "%s/%s", dir, name);
	snprintf(tmp, sizeof(tmp), "%s.tmp", p);
	f = fopen(tmp, "w");
	assert_non_null(f);
	fputs(data, f);
	fclose(f);
	assert_int_equal(rename(tmp, p), 0);
}

/* An index directory with generation gen: DIR/gen-N/iamglass and the stub. */
static void make_index(const char *dir, unsigned gen)
{
	char p[4096], stub[64];

	mkdir(dir, 0755);
	snprintf(p, sizeof(p), "%s/gen-%06u", dir, gen);
	mkdir(p, 0755);
	replace_file(p, "iamglass", "v1");
	snprintf(stub, sizeof(stub), "auto gen-%06u\n", gen);
	replace_file(dir, "XAPIANDB", stub);
}

static void add_shard(sou_shardlist *l, sou_shard_kind kind, const char *path)
{
	sou_shard *sh;

	if (l->n == l->cap) {
		l->cap = l->cap ? 2 * l->cap : 4;
		l->v = realloc(l->v, l->cap * sizeof(*l->v));
		assert_non_null(l->v);
	}
	sh = &l->v[l->n++];
	memset(sh, 0, sizeof(*sh));
	sh->kind = kind;
	sh->path = path ? strdup(path) : NULL;
	if (kind == SOU_SHARD_REMOTE) {
		sh->host = strdup("127.0.0.1");
		sh->port = 7001;
	}
}

static sou_idxstamp stamp(sou_idxstamper *s)
{
	sou_idxstamp st;

	memset(&st, 0, sizeof(st));
	sou_idxstamp_take(s, &st);
	return st;
}

static void test_one_index(void **state)
{
	char dir[4096], gen[4200];
	sou_shardlist l = SOU_SHARDLIST_INIT;
	sou_idxstamper *s;
	sou_idxstamp a, b;

	(void)state;
	snprintf(dir, sizeof(dir), "%s/one", tu_dir);
	make_index(dir, 1);
	add_shard(&l, SOU_SHARD_LOCAL, dir);
	s = sou_idxstamper_create(&l);
	sou_shardlist_free(&l); /* the stamper keeps copies */
	a = stamp(s);
	b = stamp(s);
	assert_true(sou_idxstamp_eq(&a, &b));

	/* a commit replaces iamglass */
	snprintf(gen, sizeof(gen), "%s/gen-000001", dir);
	replace_file(gen, "iamglass", "v1");
	b = stamp(s);
	assert_false(sou_idxstamp_eq(&a, &b));
	a = b;
	assert_true(sou_idxstamp_eq(&a, &(sou_idxstamp){ stamp(s).v }));

	/* a switch-over to a new generation */
	make_index(dir, 2);
	b = stamp(s);
	assert_false(sou_idxstamp_eq(&a, &b));
	a = b;
	/* the stamper now follows generation 2's version file */
	snprintf(gen, sizeof(gen), "%s/gen-000002", dir);
	replace_file(gen, "iamglass", "v2");
	b = stamp(s);
	assert_false(sou_idxstamp_eq(&a, &b));
	a = b;

	/* the version file goes missing: the stamp changes, and stays */
	snprintf(gen, sizeof(gen), "%s/gen-000002/iamglass", dir);
	assert_int_equal(unlink(gen), 0);
	b = stamp(s);
	assert_false(sou_idxstamp_eq(&a, &b));
	a = stamp(s);
	b = stamp(s);
	assert_true(sou_idxstamp_eq(&a, &b));
	sou_idxstamper_destroy(s);
}

static void test_no_stub(void **state)
{
	char dir[4096];
	sou_shardlist l = SOU_SHARDLIST_INIT;
	sou_idxstamper *s;
	sou_idxstamp a, b;

	(void)state;
	/* a glass database directory itself: DIR/iamglass */
	snprintf(dir, sizeof(dir), "%s/plain", tu_dir);
	mkdir(dir, 0755);
	replace_file(dir, "iamglass", "x");
	add_shard(&l, SOU_SHARD_LOCAL, dir);
	s = sou_idxstamper_create(&l);
	a = stamp(s);
	replace_file(dir, "iamglass", "x");
	b = stamp(s);
	assert_false(sou_idxstamp_eq(&a, &b));
	sou_idxstamper_destroy(s);
	sou_shardlist_free(&l);
}

static void test_shard_list(void **state)
{
	char d0[4096], d1[4096], gen[4200];
	sou_shardlist l = SOU_SHARDLIST_INIT;
	sou_idxstamper *s;
	sou_idxstamp a, b;

	(void)state;
	snprintf(d0, sizeof(d0), "%s/s0", tu_dir);
	snprintf(d1, sizeof(d1), "%s/s1", tu_dir);
	make_index(d0, 1);
	make_index(d1, 3);
	add_shard(&l, SOU_SHARD_LOCAL, d0);
	add_shard(&l, SOU_SHARD_REMOTE, NULL);
	add_shard(&l, SOU_SHARD_LOCAL, d1);
	s = sou_idxstamper_create(&l);
	a = stamp(s);
	b = stamp(s);
	assert_true(sou_idxstamp_eq(&a, &b));
	/* a commit in the second local shard alone */
	snprintf(gen, sizeof(gen), "%s/gen-000003", d1);
	replace_file(gen, "iamglass", "v3");
	b = stamp(s);
	assert_false(sou_idxstamp_eq(&a, &b));
	sou_idxstamper_destroy(s);
	sou_shardlist_free(&l);

	/* only remote shards: a constant stamp (nothing to stat) */
	add_shard(&l, SOU_SHARD_REMOTE, NULL);
	s = sou_idxstamper_create(&l);
	a = stamp(s);
	b = stamp(s);
	assert_true(sou_idxstamp_eq(&a, &b));
	sou_idxstamper_destroy(s);
	sou_shardlist_free(&l);
	sou_idxstamper_destroy(NULL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_one_index),
		cmocka_unit_test(test_no_stub),
		cmocka_unit_test(test_shard_list),
	};

	return cmocka_run_group_tests(tests, tu_dir_setup, tu_dir_teardown);
}
