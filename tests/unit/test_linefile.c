/*
 * test_linefile.c - unit tests for common/linefile.c, the one reader of
 * dictionaries, synonym files and sou.conf: the comment rule (a line
 * whose first non-blank character is '#'; no inline comments, so "C#"
 * survives), trimming, CRLF, a leading byte-order mark, NUL bytes as
 * errors naming file and line, a missing file, and the same rule seen
 * through the three users (sou_segmenter_load_dict, synonyms via
 * sou_termgen_configure, sou_cli_read_config).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "testutil.h"
#include "cli.h"
#include "linefile.h"
#include "segment.h"
#include "termgen.h"


/* Writes len bytes to tu_dir/name; returns the path (static buffer). */
static const char *write_file(const char *name, const char *data, size_t len)
{
	static char path[512];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", tu_dir, name);
	f = fopen(path, "wb");
	assert_non_null(f);
	assert_int_equal(fwrite(data, 1, len, f), len);
	fclose(f);
	return path;
}

static void test_comment_rule(void **state)
{
	static const char text[] =
		"\xEF\xBB\xBF# a comment on the first line, after a BOM\n"
		"first\n"
		"   # an indented comment\n"
		"\t\n"
		"\n"
		"C# 5\r\n"
		"  trimmed  \t\n"
		"a # not a comment\n"
		"last without newline";
	static const char *const want[] = { "first", "C# 5", "trimmed", "a # not a comment",
					    "last without newline" };
	static const size_t want_line[] = { 2, 6, 7, 8, 9 };
	sou_linefile *lf = NULL;
	const char *line;
	size_t len, i = 0;
	sou_error err;

	(void)state;
	assert_int_equal(sou_linefile_open(write_file("a.txt", text, sizeof(text) - 1), &lf, &err),
			 SOU_OK);
	for (;;) {
		assert_int_equal(sou_linefile_next(lf, &line, &len, &err), SOU_OK);
		if (!line)
			break;
		assert_true(i < 5);
		assert_string_equal(line, want[i]);
		assert_int_equal(len, strlen(want[i]));
		assert_int_equal(sou_linefile_lineno(lf), want_line[i]);
		i++;
	}
	assert_int_equal(i, 5);
	/* the end stays the end */
	assert_int_equal(sou_linefile_next(lf, &line, &len, &err), SOU_OK);
	assert_null(line);
	sou_linefile_close(lf);
	sou_linefile_close(NULL);
}

static void test_nul_is_an_error(void **state)
{
	static const char text[] = "ok\nbad\0tail\nafter\n";
	sou_linefile *lf = NULL;
	const char *line;
	size_t len;
	sou_error err;

	(void)state;
	assert_int_equal(sou_linefile_open(write_file("nul.txt", text, sizeof(text) - 1), &lf, &err),
			 SOU_OK);
	assert_int_equal(sou_linefile_next(lf, &line, &len, &err), SOU_OK);
	assert_string_equal(line, "ok");
	assert_int_equal(sou_linefile_next(lf, &line, &len, &err), SOU_ERR_PARSE);
	assert_non_null(strstr(err.msg, "nul.txt:2: "));
	assert_non_null(strstr(err.msg, "NUL"));
	sou_linefile_close(lf);
}

static void test_missing_and_errors(void **state)
{
	char path[512];
	sou_linefile *lf = (sou_linefile *)1;
	const char *line;
	size_t len;
	sou_error err;

	(void)state;
	snprintf(path, sizeof(path), "%s/nope.txt", tu_dir);
	assert_int_equal(sou_linefile_open(path, &lf, &err), SOU_ERR_NOTFOUND);
	assert_null(lf);
	assert_non_null(strstr(err.msg, "nope.txt"));
	/* sou_linefile_error names the file and the line last read */
	assert_int_equal(sou_linefile_open(write_file("e.txt", "x\ny\n", 4), &lf, &err), SOU_OK);
	assert_int_equal(sou_linefile_next(lf, &line, &len, &err), SOU_OK);
	assert_int_equal(sou_linefile_next(lf, &line, &len, &err), SOU_OK);
	assert_int_equal(sou_linefile_error(lf, &err, SOU_ERR_PARSE, "bad %s", line),
			 SOU_ERR_PARSE);
	assert_int_equal(err.code, SOU_ERR_PARSE);
	assert_true(strlen(err.msg) > strlen(tu_dir));
	assert_string_equal(err.msg + strlen(err.msg) - strlen("e.txt:2: bad y"), "e.txt:2: bad y");
	assert_string_equal(sou_linefile_path(lf) + strlen(tu_dir), "/e.txt");
	sou_linefile_close(lf);
}

/* A FIFO is refused, not waited on; a line over the limit is an error,
 * read no further than the limit; one at the limit is fine. */
static void test_hostile_files(void **state)
{
	char path[512];
	sou_linefile *lf = NULL;
	const char *line;
	size_t len;
	sou_error err;
	char *big = malloc(SOU_LINEFILE_MAX_LINE + 16);

	(void)state;
	snprintf(path, sizeof(path), "%s/fifo.txt", tu_dir);
	assert_int_equal(mkfifo(path, 0600), 0);
	assert_int_equal(sou_linefile_open(path, &lf, &err), SOU_ERR_IO);
	assert_null(lf);
	assert_non_null(strstr(err.msg, "not a regular file (a FIFO)"));
	assert_int_equal(sou_linefile_open("/dev/zero", &lf, &err), SOU_ERR_IO);

	memset(big, 'w', SOU_LINEFILE_MAX_LINE);
	memcpy(big + SOU_LINEFILE_MAX_LINE, "\nok\n", 4);
	assert_int_equal(sou_linefile_open(write_file("max.txt", big, SOU_LINEFILE_MAX_LINE + 4),
					   &lf, &err), SOU_OK);
	assert_int_equal(sou_linefile_next(lf, &line, &len, &err), SOU_OK);
	assert_int_equal(len, SOU_LINEFILE_MAX_LINE);
	assert_int_equal(sou_linefile_next(lf, &line, &len, &err), SOU_OK);
	assert_string_equal(line, "ok");
	sou_linefile_close(lf);

	memset(big, 'w', SOU_LINEFILE_MAX_LINE + 1);
	memcpy(big + SOU_LINEFILE_MAX_LINE + 1, "\nok\n", 4);
	assert_int_equal(sou_linefile_open(write_file("long.txt", big, SOU_LINEFILE_MAX_LINE + 5),
					   &lf, &err), SOU_OK);
	assert_int_equal(sou_linefile_next(lf, &line, &len, &err), SOU_ERR_PARSE);
	assert_non_null(strstr(err.msg, "long.txt:1: the line is longer than 65536 bytes"));
	sou_linefile_close(lf);
	free(big);
}

/* The three users follow the same rule. */
static void test_users_share_the_rule(void **state)
{
	static const char dict[] = "# words\nC#\n  # indented comment\n词语 5\n";
	static const char syn[] = "# groups\n  # indented\n央行 中国人民银行\n";
	static const char conf[] = "  # settings\ndict = my#words.txt\n";
	sou_termgen *tg = NULL;
	sou_strlist dicts = { NULL, 0 }, syns = { NULL, 0 };
	sou_error err;
	char want[600];

	(void)state;
	assert_int_equal(sou_termgen_create(&tg, &err), SOU_OK);
	sou_strlist_push(&dicts, write_file("my#words.txt", dict, sizeof(dict) - 1),
			 strlen(tu_dir) + strlen("/my#words.txt"));
	sou_strlist_push(&syns, write_file("syn.txt", syn, sizeof(syn) - 1),
			 strlen(tu_dir) + strlen("/syn.txt"));
	assert_int_equal(sou_termgen_configure(tg, &dicts, &syns, &err), SOU_OK);
	assert_int_equal(sou_segmenter_dict_size(sou_termgen_segmenter(tg)), 2);
	sou_strlist_free(&dicts);
	sou_strlist_free(&syns);
	/* sou.conf: a '#' inside a value is part of the file name */
	write_file("sou.conf", conf, sizeof(conf) - 1);
	assert_int_equal(sou_cli_read_config(tu_dir, &dicts, &syns, &err), SOU_OK);
	assert_int_equal(dicts.n, 1);
	snprintf(want, sizeof(want), "%s/my#words.txt", tu_dir);
	assert_string_equal(dicts.v[0], want);
	assert_int_equal(syns.n, 0);
	sou_strlist_free(&dicts);
	/* errors name file and line */
	write_file("sou.conf", "# x\n\nbogus = 1\n", 14);
	assert_int_equal(sou_cli_read_config(tu_dir, &dicts, &syns, &err), SOU_ERR_PARSE);
	assert_non_null(strstr(err.msg, "sou.conf:3: unknown key 'bogus'"));
	write_file("bad.txt", "ok\n词 0\n", strlen("ok\n词 0\n"));
	snprintf(want, sizeof(want), "%s/bad.txt", tu_dir);
	assert_int_equal(sou_segmenter_load_dict(sou_termgen_segmenter(tg), want, &err),
			 SOU_ERR_PARSE);
	assert_non_null(strstr(err.msg, "bad.txt:2: "));
	sou_termgen_destroy(tg);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_comment_rule),
		cmocka_unit_test(test_nul_is_an_error),
		cmocka_unit_test(test_missing_and_errors),
		cmocka_unit_test(test_hostile_files),
		cmocka_unit_test(test_users_share_the_rule),
	};

	return cmocka_run_group_tests(tests, tu_dir_setup, tu_dir_teardown);
}
