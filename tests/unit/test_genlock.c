/*
 * test_genlock.c - unit tests for common/genlock.c: reading the stub
 * (missing, sound, empty, garbled, trailing junk), and a reader's hold on
 * a generation (the path it opens, the shared lock a writer's exclusive
 * try sees, noticing a switch, a stub naming a missing generation).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "testutil.h"
#include "genlock.h"

static void write_file(const char *dir, const char *name, const char *data, size_t len)
{
	char p[4096];
	FILE *f;

	assert_true((size_t)snprintf(p, sizeof(p), "%s/%s", dir, name) < sizeof(p));
	f = fopen(p, "w");
	assert_non_null(f);
	assert_int_equal(fwrite(data, 1, len, f), len);
	fclose(f);
}

/* A generation directory with its readers' lock file. */
static void make_gen(const char *dir, unsigned gen)
{
	char p[4096];

	snprintf(p, sizeof(p), "%s/gen-%06u", dir, gen);
	assert_int_equal(mkdir(p, 0755), 0);
	write_file(p, SOU_GENLOCK_FILE, "", 0);
}

/* 1 if a writer could take gen's lock exclusively right now. */
static int writer_could_remove(const char *dir, unsigned gen)
{
	char p[4096];
	int fd, ok;

	snprintf(p, sizeof(p), "%s/gen-%06u/%s", dir, gen, SOU_GENLOCK_FILE);
	fd = open(p, O_RDONLY);
	assert_true(fd >= 0);
	ok = flock(fd, LOCK_EX | LOCK_NB) == 0;
	close(fd);
	return ok;
}

static void test_read_stub(void **state)
{
	char *dir = tu_mkdtemp();
	sou_error err;
	unsigned gen = 99;

	(void)state;
	assert_int_equal(sou_genlock_read_stub(dir, &gen, &err), SOU_OK);
	assert_int_equal(gen, 0); /* no stub: no index yet */

	write_file(dir, "XAPIANDB", "auto gen-000042\n", 16);
	assert_int_equal(sou_genlock_read_stub(dir, &gen, &err), SOU_OK);
	assert_int_equal(gen, 42);

	write_file(dir, "XAPIANDB", "", 0);
	assert_int_equal(sou_genlock_read_stub(dir, &gen, &err), SOU_ERR_DB);
	assert_non_null(strstr(err.msg, "/XAPIANDB: the index's stub file is empty"));
	assert_non_null(strstr(err.msg, SOU_GENLOCK_REBUILD_HINT));

	write_file(dir, "XAPIANDB", "hello world\n", 12);
	assert_int_equal(sou_genlock_read_stub(dir, &gen, &err), SOU_ERR_DB);
	assert_non_null(strstr(err.msg, "does not name a generation"));

	write_file(dir, "XAPIANDB", "auto gen-000042 trailing\n", 25);
	assert_int_equal(sou_genlock_read_stub(dir, &gen, &err), SOU_ERR_DB);

	write_file(dir, "XAPIANDB", "auto gen-000042\n\0", 17);
	assert_int_equal(sou_genlock_read_stub(dir, &gen, &err), SOU_ERR_DB);

	write_file(dir, "XAPIANDB", "auto gen-000000\n", 16);
	assert_int_equal(sou_genlock_read_stub(dir, &gen, &err), SOU_ERR_DB);
	tu_rmtree(dir);
}

static void test_hold(void **state)
{
	char *dir = tu_mkdtemp(), want[4096];
	sou_genhold *h = NULL, *h2 = NULL;
	sou_error err;

	(void)state;
	/* not an index directory: opened as given, nothing locked */
	assert_int_equal(sou_genlock_take(dir, &h, &err), SOU_OK);
	assert_string_equal(sou_genlock_path(h), dir);
	assert_int_equal(sou_genlock_moved(h), 0);
	sou_genlock_release(h);

	make_gen(dir, 1);
	write_file(dir, "XAPIANDB", "auto gen-000001\n", 16);
	assert_int_equal(sou_genlock_take(dir, &h, &err), SOU_OK);
	snprintf(want, sizeof(want), "%s/gen-000001", dir);
	assert_string_equal(sou_genlock_path(h), want);
	assert_false(writer_could_remove(dir, 1)); /* the reader holds it */
	/* readers share */
	assert_int_equal(sou_genlock_take(dir, &h2, &err), SOU_OK);
	sou_genlock_release(h2);
	assert_false(writer_could_remove(dir, 1));

	/* a rebuild switches: the hold notices, and still holds gen 1 */
	make_gen(dir, 2);
	write_file(dir, "XAPIANDB", "auto gen-000002\n", 16);
	assert_int_equal(sou_genlock_moved(h), 1);
	assert_false(writer_could_remove(dir, 1));
	assert_true(writer_could_remove(dir, 2));
	sou_genlock_release(h);
	assert_true(writer_could_remove(dir, 1)); /* released: removable */
	sou_genlock_release(NULL);
	tu_rmtree(dir);
}

static void test_missing_generation(void **state)
{
	char *dir = tu_mkdtemp();
	sou_genhold *h = NULL;
	sou_error err;

	(void)state;
	write_file(dir, "XAPIANDB", "auto gen-000007\n", 16);
	assert_int_equal(sou_genlock_take(dir, &h, &err), SOU_ERR_DB);
	assert_null(h);
	assert_non_null(strstr(err.msg, "names gen-000007, which is missing"));
	tu_rmtree(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_read_stub),
		cmocka_unit_test(test_hold),
		cmocka_unit_test(test_missing_generation),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
