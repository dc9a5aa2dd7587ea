/*
 * test_frontmatter.c - unit tests for common/frontmatter.c: finding the
 * "---" block, the known keys (title, date, tags, categories, permalink,
 * author, description, keywords) in their YAML shapes, skipping unknown
 * and nested keys, BOM/CRLF/blank-line handling, body splitting, the
 * error cases with file-relative line numbers, the file-name fallbacks
 * for date and title, that YAML aliases are never expanded, and that a
 * "\0" escape does not cut a value short.
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "testutil.h"
#include "frontmatter.h"

#define TZ8 SOU_DEFAULT_TZ_MIN

static sou_post *parse_ok(const char *path, const char *s, size_t len)
{
	sou_post *p = NULL;
	sou_error err;

	sou_error_clear(&err);
	if (sou_frontmatter_parse(path, s, len, TZ8, &p, &err) != SOU_OK)
		fail_msg("parse of %s failed: %s", path, err.msg);
	assert_non_null(p);
	return p;
}

#define PARSE_OK(path, lit) parse_ok(path, lit, sizeof(lit) - 1)

static sou_status parse_err(const char *path, const char *s, size_t len, sou_error *err)
{
	sou_post *p = (sou_post *)1;
	sou_status st;

	sou_error_clear(err);
	st = sou_frontmatter_parse(path, s, len, TZ8, &p, err);
	assert_null(p);
	assert_int_equal(err->code, st);
	return st;
}

static void assert_list(const sou_strlist *l, const char *const *want, size_t n)
{
	size_t i;

	if (l->n != n) {
		for (i = 0; i < l->n; i++)
			print_message("  got [%zu] '%s'\n", i, l->v[i]);
		fail_msg("list has %zu items, want %zu", l->n, n);
	}
	for (i = 0; i < n; i++)
		assert_string_equal(l->v[i], want[i]);
}

static void test_all_keys(void **state)
{
	static const char in[] =
		"---\n"
		"title: 中文标题\n"
		"date: 2022-03-01 09:30:15 +0800\n"
		"tags:\n"
		"  - AI\n"
		"  - 机器学习\n"
		"categories: [技术, 随笔]\n"
		"permalink: /a/b/\n"
		"author: 张三\n"
		"description: 一段描述\n"
		"keywords: 搜索, 中文,xapian\n"
		"---\n"
		"正文第一行\n"
		"第二行\n";
	static const char *const tags[] = { "AI", "机器学习" };
	static const char *const cats[] = { "技术", "随笔" };
	static const char *const kw[] = { "搜索", "中文", "xapian" };
	sou_post *p;

	(void)state;
	p = PARSE_OK("_posts/2020-01-01-other.md", in);
	assert_string_equal(p->title, "中文标题");
	assert_true(p->has_date);
	assert_false(p->date_from_filename);
	assert_int_equal(p->date.epoch, 1646098215);
	assert_int_equal(p->date.tz_min, 480);
	assert_list(&p->tags, tags, 2);
	assert_list(&p->categories, cats, 2);
	assert_list(&p->keywords, kw, 3);
	assert_string_equal(p->permalink, "/a/b/");
	assert_string_equal(p->author, "张三");
	assert_string_equal(p->description, "一段描述");
	assert_ptr_equal(p->body, strstr(in, "正文第一行"));
	assert_int_equal(p->body_len, strlen("正文第一行\n第二行\n"));
	assert_int_equal(p->body_line, 13);
	sou_post_destroy(p);
}

static void test_absent_keys_null(void **state)
{
	sou_post *p;

	(void)state;
	p = PARSE_OK("2022-03-01-x.md", "---\ntitle: only\n---\nbody");
	assert_string_equal(p->title, "only");
	assert_null(p->permalink);
	assert_null(p->author);
	assert_null(p->description);
	assert_int_equal(p->tags.n, 0);
	assert_int_equal(p->categories.n, 0);
	assert_int_equal(p->keywords.n, 0);
	sou_post_destroy(p);
	sou_post_destroy(NULL);
}

static void test_tag_shapes(void **state)
{
	static const char *const flow[] = { "ai", "ml", "深度学习" };
	static const char *const merged[] = { "solo", "x", "y" };
	static const char *const cats[] = { "技术", "生活", "读书" };
	sou_post *p;

	(void)state;
	p = PARSE_OK("a.md", "---\ntitle: t\ntags: [ai, ml, 深度学习]\n---\n");
	assert_list(&p->tags, flow, 3);
	sou_post_destroy(p);

	/* a string is split on whitespace, as Jekyll does */
	p = PARSE_OK("a.md", "---\ntitle: t\ntags: ai  ml\t深度学习\n---\n");
	assert_list(&p->tags, flow, 3);
	sou_post_destroy(p);

	p = PARSE_OK("a.md", "---\ntitle: t\ntags: \"ai ml 深度学习\"\n---\n");
	assert_list(&p->tags, flow, 3);
	sou_post_destroy(p);

	/* singular keys merge with the plural ones, duplicates dropped */
	p = PARSE_OK("a.md", "---\ntag: solo\ntitle: t\ntags:\n  - x\n  - solo\n  - y\n"
			     "category: 技术\ncategories: 生活 读书\n---\n");
	assert_list(&p->tags, merged, 3);
	assert_list(&p->categories, cats, 3);
	sou_post_destroy(p);

	/* empty list items and an empty list */
	p = PARSE_OK("a.md", "---\ntitle: t\ntags: [\"\", \" a \", b]\ncategories: []\n---\n");
	{
		static const char *const ab[] = { "a", "b" };
		assert_list(&p->tags, ab, 2);
	}
	assert_int_equal(p->categories.n, 0);
	sou_post_destroy(p);
}

static void test_unknown_keys_skipped(void **state)
{
	static const char in[] =
		"---\n"
		"layout: post\n"
		"title: 真标题\n"
		"extra:\n"
		"  nested:\n"
		"    deep: [1, 2, {title: wrong, tags: [bad]}]\n"
		"  list:\n"
		"    - x\n"
		"    - {author: wrong}\n"
		"    - [title, wrong]\n"
		"comments: true\n"
		"? [complex, key]\n"
		": value\n"
		"sidebar:\n"
		"  - title: wrong too\n"
		"    tags: [bad2]\n"
		"tags: [ok]\n"
		"---\n"
		"body\n";
	static const char *const ok[] = { "ok" };
	sou_post *p;

	(void)state;
	p = PARSE_OK("a.md", in);
	assert_string_equal(p->title, "真标题");
	assert_list(&p->tags, ok, 1);
	assert_null(p->author);
	assert_string_equal(p->body, "body\n");
	sou_post_destroy(p);

	/* known scalar keys given a list or mapping are ignored, not fatal */
	p = PARSE_OK("a.md", "---\ntitle: t\nauthor: [a, b]\ndescription: {x: y}\n"
			     "permalink: /p/\n---\n");
	assert_null(p->author);
	assert_null(p->description);
	assert_string_equal(p->permalink, "/p/");
	sou_post_destroy(p);
}

static void test_bom_crlf_blank_lines(void **state)
{
	static const char bom[] = "\xEF\xBB\xBF---\ntitle: 有BOM\n---\nbody";
	static const char crlf[] =
		"---\r\ntitle: 标题\r\ntags:\r\n  - a\r\n  - b\r\ndate: 2022-03-01\r\n---\r\n"
		"body line\r\nline 2\r\n";
	static const char blanks[] = "\n   \n\t\n---\ntitle: x\n---\nbody";
	static const char *const ab[] = { "a", "b" };
	sou_post *p;

	(void)state;
	p = PARSE_OK("a.md", bom);
	assert_string_equal(p->title, "有BOM");
	assert_string_equal(p->body, "body");
	assert_int_equal(p->body_len, 4);
	sou_post_destroy(p);

	p = PARSE_OK("a.md", crlf);
	assert_string_equal(p->title, "标题");
	assert_list(&p->tags, ab, 2);
	assert_int_equal(p->date.epoch, 1646064000);
	assert_ptr_equal(p->body, strstr(crlf, "body line"));
	assert_int_equal(p->body_len, strlen("body line\r\nline 2\r\n"));
	assert_int_equal(p->body_line, 8);
	sou_post_destroy(p);

	p = PARSE_OK("a.md", blanks);
	assert_string_equal(p->title, "x");
	assert_string_equal(p->body, "body");
	assert_int_equal(p->body_line, 7);
	sou_post_destroy(p);

	/* BOM and CRLF together, closing with "..." and trailing blanks */
	p = PARSE_OK("a.md", "\xEF\xBB\xBF\r\n--- \r\ntitle: y\r\n...\t\r\nrest");
	assert_string_equal(p->title, "y");
	assert_string_equal(p->body, "rest");
	sou_post_destroy(p);
}

static void test_missing_body(void **state)
{
	static const char a[] = "---\ntitle: x\n---";
	static const char b[] = "---\ntitle: x\n---\n";
	static const char c[] = "---\r\ntitle: x\r\n---\r\n";
	sou_post *p;

	(void)state;
	p = PARSE_OK("a.md", a);
	assert_string_equal(p->title, "x");
	assert_int_equal(p->body_len, 0);
	assert_ptr_equal(p->body, a + sizeof(a) - 1);
	sou_post_destroy(p);

	p = PARSE_OK("a.md", b);
	assert_int_equal(p->body_len, 0);
	assert_ptr_equal(p->body, b + sizeof(b) - 1);
	sou_post_destroy(p);

	p = PARSE_OK("a.md", c);
	assert_string_equal(p->title, "x");
	assert_int_equal(p->body_len, 0);
	sou_post_destroy(p);

	/* an empty block is fine too */
	p = PARSE_OK("2021-3-5-empty-fm.md", "---\n---\nbody");
	assert_string_equal(p->title, "empty fm");
	assert_string_equal(p->body, "body");
	sou_post_destroy(p);
}

static void test_body_not_copied(void **state)
{
	char in[] = "---\ntitle: t\n---\nabc\n---\nnot front matter\n";
	sou_post *p;

	(void)state;
	p = parse_ok("a.md", in, sizeof(in) - 1);
	/* only the first closing line ends the block; body points into in */
	assert_ptr_equal(p->body, in + strlen("---\ntitle: t\n---\n"));
	assert_int_equal(p->body_len, strlen("abc\n---\nnot front matter\n"));
	assert_int_equal(p->body_line, 4);
	sou_post_destroy(p);

	/* len is honoured: bytes after len are not read as part of the post */
	{
		static const char full[] = "---\ntitle: t\n---\nbodyEXTRA";
		p = parse_ok("a.md", full, sizeof(full) - 1 - 5);
		assert_int_equal(p->body_len, 4);
		assert_memory_equal(p->body, "body", 4);
		sou_post_destroy(p);
	}
}

static void test_no_front_matter(void **state)
{
	sou_error err;

	(void)state;
	assert_int_equal(parse_err("a.md", "# hello\n", 8, &err), SOU_ERR_NOFRONTMATTER);
	assert_non_null(strstr(err.msg, "a.md"));
	assert_int_equal(parse_err("a.md", "", 0, &err), SOU_ERR_NOFRONTMATTER);
	assert_int_equal(parse_err("a.md", "\n\n", 2, &err), SOU_ERR_NOFRONTMATTER);
	assert_int_equal(parse_err("a.md", "title: x\n---\n", 13, &err), SOU_ERR_NOFRONTMATTER);
	assert_int_equal(parse_err("a.md", "----\ntitle: x\n----\n", 19, &err),
			 SOU_ERR_NOFRONTMATTER);
	assert_int_equal(parse_err("a.md", "text\n---\ntitle: x\n---\n", 22, &err),
			 SOU_ERR_NOFRONTMATTER);
}

static void test_unterminated(void **state)
{
	static const char in[] = "---\ntitle: x\nbody without end\n";
	sou_error err;

	(void)state;
	assert_int_equal(parse_err("p.md", in, sizeof(in) - 1, &err), SOU_ERR_PARSE);
	assert_non_null(strstr(err.msg, "p.md"));
	assert_int_equal(parse_err("p.md", "---", 3, &err), SOU_ERR_PARSE);
	assert_int_equal(parse_err("p.md", "---\n", 4, &err), SOU_ERR_PARSE);
}

static void test_yaml_error_line(void **state)
{
	/* lines: 1 "", 2 "", 3 "---", 4 "author: x", 5 "title: a: b" */
	static const char in[] = "\n\n---\nauthor: x\ntitle: a: b\n---\nbody\n";
	/* the same with a BOM, CRLF and the error on file line 6 */
	static const char in2[] =
		"\xEF\xBB\xBF\r\n---\r\ntitle: ok\r\ntags: [a, b\r\ndate: 2022-01-01\r\n---\r\n";
	sou_error err;
	unsigned line = 0, col = 0;
	char path[64];

	(void)state;
	assert_int_equal(parse_err("dir/p.md", in, sizeof(in) - 1, &err), SOU_ERR_PARSE);
	print_message("yaml error: %s\n", err.msg);
	assert_int_equal(sscanf(err.msg, "%63[^:]:%u:%u:", path, &line, &col), 3);
	assert_string_equal(path, "dir/p.md");
	assert_int_equal(line, 5);
	assert_int_equal(col, 9); /* the second ':' of "title: a: b" */

	assert_int_equal(parse_err("q.md", in2, sizeof(in2) - 1, &err), SOU_ERR_PARSE);
	print_message("yaml error: %s\n", err.msg);
	assert_int_equal(sscanf(err.msg, "%63[^:]:%u:%u:", path, &line, &col), 3);
	assert_string_equal(path, "q.md");
	/* libyaml notices the missing ']' at the "date:" line: file line 5
	 * (line 1 holds the BOM, line 2 the opening "---") */
	assert_int_equal(line, 5);
	assert_int_equal(col, 5);
}

static void test_yaml_error_tab(void **state)
{
	/* line 4 starts with a tab, which YAML forbids for indentation */
	static const char in[] = "---\ntitle: t\ntags:\n\t- a\n---\n";
	sou_error err;
	unsigned line = 0, col = 0;
	char path[64];

	(void)state;
	assert_int_equal(parse_err("t.md", in, sizeof(in) - 1, &err), SOU_ERR_PARSE);
	assert_int_equal(sscanf(err.msg, "%63[^:]:%u:%u:", path, &line, &col), 3);
	assert_int_equal(line, 4);
}

static void test_not_mapping(void **state)
{
	sou_error err;

	(void)state;
	assert_int_equal(parse_err("a.md", "---\n- a\n- b\n---\n", 16, &err), SOU_ERR_PARSE);
	assert_int_equal(parse_err("a.md", "---\njust text\n---\n", 18, &err), SOU_ERR_PARSE);
}

static void test_bad_date(void **state)
{
	static const char in[] = "---\ntitle: t\ndate: 2022-02-30\n---\n";
	sou_error err;
	unsigned line = 0;
	char path[64];

	(void)state;
	assert_int_equal(parse_err("b.md", in, sizeof(in) - 1, &err), SOU_ERR_PARSE);
	assert_int_equal(sscanf(err.msg, "%63[^:]:%u:", path, &line), 2);
	assert_int_equal(line, 3);
	assert_non_null(strstr(err.msg, "2022-02-30"));
}

static void test_filename_fallbacks(void **state)
{
	sou_post *p;

	(void)state;
	p = PARSE_OK("_posts/2021/2021-3-5-spring-notes.md", "---\nlayout: post\n---\nhi");
	assert_true(p->has_date);
	assert_true(p->date_from_filename);
	assert_int_equal(p->date.epoch, 1614873600); /* 2021-03-05T00:00+08:00 */
	assert_string_equal(p->title, "spring notes");
	sou_post_destroy(p);

	/* an empty title also falls back to the slug */
	p = PARSE_OK("2021-03-05-my_first-post.markdown", "---\ntitle: \"\"\n---\n");
	assert_string_equal(p->title, "my first post");
	sou_post_destroy(p);

	/* an explicit date wins over the file name */
	p = PARSE_OK("2021-03-05-x.md", "---\ndate: 2022-03-01\n---\n");
	assert_true(p->has_date);
	assert_false(p->date_from_filename);
	assert_int_equal(p->date.epoch, 1646064000);
	sou_post_destroy(p);

	/* no date anywhere */
	p = PARSE_OK("drafts/notes.md", "---\ntitle: n\n---\n");
	assert_false(p->has_date);
	assert_false(p->date_from_filename);
	sou_post_destroy(p);

	p = PARSE_OK("about.md", "---\n---\n");
	assert_string_equal(p->title, "about");
	assert_false(p->has_date);
	sou_post_destroy(p);
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static void test_alias_bomb(void **state)
{
	static const char in[] =
		"---\n"
		"title: bomb\n"
		"a: &a [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]\n"
		"b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]\n"
		"c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]\n"
		"d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]\n"
		"e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]\n"
		"f: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]\n"
		"g: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f]\n"
		"h: &h [*g,*g,*g,*g,*g,*g,*g,*g,*g]\n"
		"i: &i [*h,*h,*h,*h,*h,*h,*h,*h,*h]\n"
		"j: &j [*i,*i,*i,*i,*i,*i,*i,*i,*i]\n"
		"tags: [*j, *j, real]\n"
		"categories: *j\n"
		"---\n"
		"body\n";
	static const char *const real[] = { "real" };
	double t0 = now_s();
	sou_post *p;

	(void)state;
	p = PARSE_OK("bomb.md", in);
	assert_true(now_s() - t0 < 1.0);
	assert_string_equal(p->title, "bomb");
	assert_list(&p->tags, real, 1);
	assert_int_equal(p->categories.n, 0);
	assert_string_equal(p->body, "body\n");
	sou_post_destroy(p);
}

static void test_nul_in_front_matter(void **state)
{
	static const char in[] = "---\ntitle: a\0b\n---\nbody";
	sou_error err;

	(void)state;
	assert_int_equal(parse_err("n.md", in, sizeof(in) - 1, &err), SOU_ERR_PARSE);
}

/* YAML's "\0" escape keeps what follows it (issue 8, defect 13). */
static void test_nul_escape_keeps_rest(void **state)
{
	sou_post *p = PARSE_OK("n.md", "---\ntitle: \"前\\0后 end\"\nauthor: \"a\\x00b\"\n"
				       "tags: [\"x\\0y\", z]\ndescription: \"d\\u0000e\"\n"
				       "\"title\\0x\": ignored\n---\n");

	(void)state;
	assert_string_equal(p->title, "前\xEF\xBF\xBD后 end");
	assert_string_equal(p->author, "a\xEF\xBF\xBD" "b");
	assert_string_equal(p->description, "d\xEF\xBF\xBD" "e");
	assert_int_equal(p->tags.n, 2);
	assert_string_equal(p->tags.v[0], "x\xEF\xBF\xBDy");
	assert_string_equal(p->tags.v[1], "z");
	sou_post_destroy(p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_all_keys),
		cmocka_unit_test(test_absent_keys_null),
		cmocka_unit_test(test_tag_shapes),
		cmocka_unit_test(test_unknown_keys_skipped),
		cmocka_unit_test(test_bom_crlf_blank_lines),
		cmocka_unit_test(test_missing_body),
		cmocka_unit_test(test_body_not_copied),
		cmocka_unit_test(test_no_front_matter),
		cmocka_unit_test(test_unterminated),
		cmocka_unit_test(test_yaml_error_line),
		cmocka_unit_test(test_yaml_error_tab),
		cmocka_unit_test(test_not_mapping),
		cmocka_unit_test(test_bad_date),
		cmocka_unit_test(test_filename_fallbacks),
		cmocka_unit_test(test_alias_bomb),
		cmocka_unit_test(test_nul_in_front_matter),
		cmocka_unit_test(test_nul_escape_keeps_rest),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
