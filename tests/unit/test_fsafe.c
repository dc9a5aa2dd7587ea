/*
 * test_fsafe.c - unit tests for common/fsafe.c: regular files open, and
 * nothing else does (a FIFO without a writer, a device, a directory, a
 * symlink to a device), without ever blocking; a glass directory is one
 * with an iamglass file and regular files only.
 */
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "testutil.h"
#include "fsafe.h"

static const char *at(const char *name)
{
	static char p[4][512];
	static int k;

	k = (k + 1) % 4;
	snprintf(p[k], sizeof(p[k]), "%s/%s", tu_dir, name);
	return p[k];
}

static void put(const char *name, const char *text)
{
	FILE *f = fopen(at(name), "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

static void refused(const char *path, const char *kind)
{
	sou_error err;
	int fd = 7;

	assert_int_equal(sou_fsafe_open(path, &fd, NULL, &err), SOU_ERR_IO);
	assert_int_equal(fd, -1);
	if (!strstr(err.msg, kind) || !strstr(err.msg, path))
		fail_msg("'%s' lacks '%s' or the path", err.msg, kind);
}

static void test_open(void **state)
{
	sou_error err;
	struct stat sb;
	char buf[8];
	int fd;

	(void)state;
	put("plain", "hello");
	assert_int_equal(sou_fsafe_open(at("plain"), &fd, &sb, &err), SOU_OK);
	assert_true(S_ISREG(sb.st_mode));
	assert_int_equal(sb.st_size, 5);
	assert_int_equal(read(fd, buf, sizeof(buf)), 5);
	assert_int_equal(fcntl(fd, F_GETFL) & O_NONBLOCK, 0);
	close(fd);
	/* a symlink to a regular file is followed */
	assert_int_equal(symlink(at("plain"), at("link")), 0);
	assert_int_equal(sou_fsafe_open(at("link"), &fd, NULL, &err), SOU_OK);
	close(fd);

	assert_int_equal(sou_fsafe_open(at("missing"), &fd, NULL, &err), SOU_ERR_NOTFOUND);
	assert_non_null(strstr(err.msg, "missing"));
	/* a FIFO nobody writes to: refused at once (open(2) would block) */
	assert_int_equal(mkfifo(at("fifo"), 0600), 0);
	refused(at("fifo"), "not a regular file (a FIFO)");
	refused(tu_dir, "not a regular file (a directory)");
	refused("/dev/null", "not a regular file (a character device)");
	assert_int_equal(symlink("/dev/zero", at("zero")), 0);
	refused(at("zero"), "(a character device)");
}

static void test_check_glass(void **state)
{
	sou_error err;

	(void)state;
	assert_int_equal(mkdir(at("db"), 0700), 0);
	/* no version file: nothing there (callers say "no index") */
	assert_int_equal(sou_fsafe_check_glass(at("db"), &err), SOU_ERR_NOTFOUND);
	put("db/iamglass", "x");
	put("db/postlist.glass", "x");
	assert_int_equal(sou_fsafe_check_glass(at("db"), &err), SOU_OK);
	/* a FIFO, a symlink or a directory among the tables */
	assert_int_equal(mkfifo(at("db/termlist.glass"), 0600), 0);
	assert_int_equal(sou_fsafe_check_glass(at("db"), &err), SOU_ERR_DB);
	assert_non_null(strstr(err.msg, "'termlist.glass' is a FIFO, not a regular file"));
	assert_int_equal(unlink(at("db/termlist.glass")), 0);
	assert_int_equal(symlink("/dev/zero", at("db/position.glass")), 0);
	assert_int_equal(sou_fsafe_check_glass(at("db"), &err), SOU_ERR_DB);
	assert_non_null(strstr(err.msg, "'position.glass' is a symlink"));
	assert_int_equal(unlink(at("db/position.glass")), 0);
	assert_int_equal(mkdir(at("db/XAPIANDB"), 0700), 0);
	assert_int_equal(sou_fsafe_check_glass(at("db"), &err), SOU_ERR_DB);
	assert_non_null(strstr(err.msg, "'XAPIANDB' is a directory"));
	/* a file where the directory should be */
	put("file", "remote :/bin/true\n");
	assert_int_equal(sou_fsafe_check_glass(at("file"), &err), SOU_ERR_NOTFOUND);
	assert_int_equal(sou_fsafe_check_glass(at("nothing"), &err), SOU_ERR_NOTFOUND);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_open),
		cmocka_unit_test(test_check_glass),
	};

	return cmocka_run_group_tests(tests, tu_dir_setup, tu_dir_teardown);
}
