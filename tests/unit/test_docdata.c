/*
 * test_docdata.c - unit tests for common/docdata.c: the JSON record
 * stored with each post, encoded from a parsed post and decoded back
 * (round trip with and without a date, Chinese text, tags/categories,
 * author, special characters, embedded NULs), file names that are not
 * UTF-8 (stored losslessly), plus corrupt input.
 */
#include <stdlib.h>
#include <string.h>

#include "testutil.h"
#include "docdata.h"
#include "frontmatter.h"

static sou_post *parse(const char *path, const char *src)
{
	sou_post *p = NULL;
	sou_error err;

	if (sou_frontmatter_parse(path, src, strlen(src), SOU_DEFAULT_TZ_MIN, &p, &err))
		fail_msg("%s", err.msg);
	return p;
}

static void roundtrip(const sou_post *p, const char *path, const char *text, size_t tlen,
		      sou_docdata *d)
{
	sou_buf enc = SOU_BUF_INIT;
	sou_error err;

	sou_docdata_encode(p, path, text, tlen, &enc);
	assert_non_null(enc.data);
	assert_int_equal(enc.data[0], '{');
	assert_true(tu_valid_utf8(enc.data, enc.len));
	if (sou_docdata_decode(enc.data, enc.len, d, &err) != SOU_OK)
		fail_msg("decode: %s", err.msg);
	sou_buf_free(&enc);
}

static void test_full_post(void **state)
{
	static const char src[] =
		"---\ntitle: 中文标题 \"引号\" \\ 反斜杠\ndate: 2022-06-01 10:00:00 +0800\n"
		"tags: [AI, 机器学习]\ncategories: [技术]\nauthor: 张三\n---\nbody\n";
	static const char text[] = "正文第一段\n第二段 with \"quotes\", tabs\tand \\backslashes\\ 😀";
	sou_post *p = parse("2022/a.md", src);
	sou_docdata d;

	(void)state;
	roundtrip(p, "2022/中文路径 a.md", text, strlen(text), &d);
	assert_string_equal(d.path, "2022/中文路径 a.md");
	assert_string_equal(d.title, "中文标题 \"引号\" \\ 反斜杠");
	assert_string_equal(d.author, "张三");
	assert_true(d.has_date);
	assert_int_equal(d.date.epoch, 1654048800);
	assert_int_equal(d.date.tz_min, 480);
	assert_int_equal(d.tags.n, 2);
	assert_string_equal(d.tags.v[0], "AI");
	assert_string_equal(d.tags.v[1], "机器学习");
	assert_int_equal(d.categories.n, 1);
	assert_string_equal(d.categories.v[0], "技术");
	assert_int_equal(d.text_len, strlen(text));
	assert_string_equal(d.text, text);
	sou_docdata_clear(&d);
	assert_null(d.path);
	assert_null(d.text);
	assert_int_equal(d.tags.n, 0);
	sou_docdata_clear(&d); /* twice is fine */
	sou_docdata_clear(NULL);
	sou_post_destroy(p);
}

static void test_no_date(void **state)
{
	sou_post *p = parse("drafts/notes.md", "---\ntitle: 随想\n---\n");
	sou_docdata d;

	(void)state;
	assert_false(p->has_date);
	roundtrip(p, "drafts/notes.md", "", 0, &d);
	assert_false(d.has_date);
	assert_int_equal(d.date.epoch, 0);
	assert_string_equal(d.title, "随想");
	assert_null(d.author);
	assert_int_equal(d.tags.n, 0);
	assert_int_equal(d.categories.n, 0);
	assert_string_equal(d.text, "");
	assert_int_equal(d.text_len, 0);
	sou_docdata_clear(&d);
	sou_post_destroy(p);
}

static void test_negative_zone_and_old_date(void **state)
{
	sou_post *p = parse("x.md", "---\ntitle: t\ndate: 1969-12-31 18:00:00 -0500\n---\n");
	sou_docdata d;

	(void)state;
	roundtrip(p, "x.md", "t", 1, &d);
	assert_true(d.has_date);
	assert_int_equal(d.date.epoch, -3600 + 0); /* 23:00Z on 1969-12-31 */
	assert_int_equal(d.date.tz_min, -300);
	sou_docdata_clear(&d);
	sou_post_destroy(p);
}

static void test_date_from_filename(void **state)
{
	sou_post *p = parse("_posts/2021-3-5-spring.md", "---\n---\n");
	sou_docdata d;

	(void)state;
	roundtrip(p, "_posts/2021-3-5-spring.md", "x", 1, &d);
	assert_true(d.has_date);
	assert_int_equal(d.date.epoch, 1614873600);
	assert_string_equal(d.title, "spring");
	sou_docdata_clear(&d);
	sou_post_destroy(p);
}

static void test_text_with_nul_and_length(void **state)
{
	sou_post *p = parse("n.md", "---\ntitle: t\n---\n");
	static const char text[] = "前\0后";
	sou_docdata d;

	(void)state;
	roundtrip(p, "n.md", text, sizeof(text) - 1, &d);
	assert_int_equal(d.text_len, sizeof(text) - 1);
	assert_memory_equal(d.text, text, sizeof(text) - 1);
	sou_docdata_clear(&d);
	/* only text_len bytes of the text are stored */
	roundtrip(p, "n.md", "abcdef", 3, &d);
	assert_string_equal(d.text, "abc");
	assert_int_equal(d.text_len, 3);
	sou_docdata_clear(&d);
	sou_post_destroy(p);
}

static void test_encode_replaces(void **state)
{
	sou_post *p = parse("r.md", "---\ntitle: t\n---\n");
	sou_buf enc = SOU_BUF_INIT;
	sou_docdata d;

	(void)state;
	sou_buf_adds(&enc, "stale contents that must go");
	sou_docdata_encode(p, "r.md", "x", 1, &enc);
	assert_int_equal(enc.data[0], '{');
	assert_int_equal(sou_docdata_decode(enc.data, enc.len, &d, NULL), SOU_OK);
	assert_string_equal(d.path, "r.md");
	sou_docdata_clear(&d);
	sou_buf_free(&enc);
	sou_post_destroy(p);
}

static void test_decode_minimal_and_corrupt(void **state)
{
	sou_docdata d;
	sou_error err;
	static const char minimal[] = "{}";
	static const char extra[] = "{\"path\":\"a.md\",\"future\":[1,2],\"date\":5,\"tz\":-60,"
				    "\"tags\":[\"x\",3,\"y\"]}";

	(void)state;
	/* missing fields decode to empty strings */
	assert_int_equal(sou_docdata_decode(minimal, 2, &d, &err), SOU_OK);
	assert_string_equal(d.path, "");
	assert_string_equal(d.title, "");
	assert_string_equal(d.text, "");
	assert_null(d.author);
	assert_false(d.has_date);
	sou_docdata_clear(&d);
	/* unknown fields are ignored; non-string list items skipped */
	assert_int_equal(sou_docdata_decode(extra, sizeof(extra) - 1, &d, &err), SOU_OK);
	assert_string_equal(d.path, "a.md");
	assert_true(d.has_date);
	assert_int_equal(d.date.epoch, 5);
	assert_int_equal(d.date.tz_min, -60);
	assert_int_equal(d.tags.n, 2);
	assert_string_equal(d.tags.v[1], "y");
	sou_docdata_clear(&d);
	/* corrupt records fail with SOU_ERR_DB */
	assert_int_equal(sou_docdata_decode("{\"path\":", 8, &d, &err), SOU_ERR_DB);
	assert_true(strlen(err.msg) > 0);
	assert_null(d.path);
	assert_int_equal(sou_docdata_decode("[1,2]", 5, &d, &err), SOU_ERR_DB);
	assert_int_equal(sou_docdata_decode("", 0, &d, &err), SOU_ERR_DB);
	assert_int_equal(sou_docdata_decode("not json", 8, &d, NULL), SOU_ERR_DB);
}

static void test_utf8_valid(void **state)
{
	(void)state;
	assert_true(sou_utf8_valid("", 0));
	assert_true(sou_utf8_valid("a.md", 4));
	assert_true(sou_utf8_valid("中文/😀.md", strlen("中文/😀.md")));
	assert_true(sou_utf8_valid("a\0b", 3));
	assert_false(sou_utf8_valid("\xff", 1));
	assert_false(sou_utf8_valid("ab\xe4\xb8", 4));       /* cut short */
	assert_false(sou_utf8_valid("\xc0\xaf", 2));          /* overlong '/' */
	assert_false(sou_utf8_valid("\xed\xa0\x80", 3));      /* surrogate */
	assert_false(sou_utf8_valid("\xf4\x90\x80\x80", 4));  /* over U+10FFFF */
	assert_false(sou_utf8_valid("\x80x", 2));
}

/* A file name that is not UTF-8 is stored losslessly and the record stays valid JSON. */
static void test_path_not_utf8(void **state)
{
	static const char *const names[] = {
		"bad-\xff.md", "\xfe", "x/\xe4\xb8.md", "\xc0\xaf\x80",
		"\x1b[31m\xff\n.md", "中\xff文.md",
	};
	sou_post *p = parse("n.md", "---\ntitle: t\n---\n");
	sou_buf enc = SOU_BUF_INIT;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		sou_docdata d;
		roundtrip(p, names[i], "x", 1, &d);
		assert_string_equal(d.path, names[i]);
		sou_docdata_clear(&d);
		sou_docdata_encode(p, names[i], "x", 1, &enc);
		assert_non_null(strstr(enc.data, "\"path_b64\":"));
		assert_non_null(strstr(enc.data, "\xEF\xBF\xBD")); /* U+FFFD in "path" */
	}
	/* a valid name has no second copy */
	sou_docdata_encode(p, "中文.md", "x", 1, &enc);
	assert_null(strstr(enc.data, "path_b64"));
	sou_buf_free(&enc);
	sou_post_destroy(p);
}

/* A damaged base64 copy falls back to "path". */
static void test_path_b64_damaged(void **state)
{
	static const char *const recs[] = {
		"{\"path\":\"a\uFFFD.md\",\"path_b64\":\"YW*\"}",
		"{\"path\":\"a\uFFFD.md\",\"path_b64\":\"YQ=\"}",
		"{\"path\":\"a\uFFFD.md\",\"path_b64\":\"\"}",
		"{\"path\":\"a\uFFFD.md\",\"path_b64\":\"AA==\"}",
		"{\"path\":\"a\uFFFD.md\",\"path_b64\":7}",
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(recs) / sizeof(recs[0]); i++) {
		sou_docdata d;
		assert_int_equal(sou_docdata_decode(recs[i], strlen(recs[i]), &d, NULL), SOU_OK);
		assert_string_equal(d.path, "a\xEF\xBF\xBD.md");
		sou_docdata_clear(&d);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_full_post),
		cmocka_unit_test(test_no_date),
		cmocka_unit_test(test_negative_zone_and_old_date),
		cmocka_unit_test(test_date_from_filename),
		cmocka_unit_test(test_text_with_nul_and_length),
		cmocka_unit_test(test_encode_replaces),
		cmocka_unit_test(test_decode_minimal_and_corrupt),
		cmocka_unit_test(test_utf8_valid),
		cmocka_unit_test(test_path_not_utf8),
		cmocka_unit_test(test_path_b64_damaged),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
