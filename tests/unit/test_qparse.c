/*
 * test_qparse.c - unit tests for query/qparse.c: the query language of
 * qparse.h.  Valid queries (words, phrases in ASCII and Chinese quotes,
 * OR, exclusion, title:/tag:/category:/author:/date: filters) are parsed
 * and run against a small real index (built in a temporary directory
 * from front matter and bodies by sou-index's own step, postdoc.h) to
 * check that they select exactly the right posts; malformed queries must
 * fail with SOU_ERR_QUERY and a message.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "testutil.h"
#include "date.h"
#include "docdata.h"
#include "postdoc.h"
#include "qparse.h"
#include "termgen.h"
#include "xwrap.h"

static char *dir;
static sou_termgen *tg;
static sou_xdb *rdb;

static const struct {
	const char *path;
	const char *src;
} POSTS[] = {
	{ "2022/2022-03-01-a.md",
	  "---\ntitle: 机器学习入门\ndate: 2022-03-01 10:00:00 +0800\ntags: [AI, 机器学习]\n"
	  "categories: [技术]\nauthor: 张三\n---\n"
	  "本文介绍机器学习的基本概念，以及 Xapian 搜索引擎。\n" },
	{ "2022/2022-06-15-b.md",
	  "---\ntitle: 农业银行年报\ndate: 2022-06-15\ntags: 金融\ncategory: 财经\nauthor: 李四\n---\n"
	  "中国农业发展银行发布 2022Q1 财报，A股 上涨。\n" },
	{ "2021/2021-12-31-c.md",
	  "---\ntitle: 旅行日记\ndate: 2021-12-31 23:30:00 +0800\ntags: [旅行]\nauthor: 张三\n---\n"
	  "在北京的最后一天，天气很好。\n\nThe quick brown fox.\n" },
	{ "notes.md",
	  "---\ntitle: 随想\n---\n机器 学习 和 生活。quick fox jumps\n" },
	{ "2022/2022-01-01-new-year.md",
	  "---\ntitle: 新年\ndate: 2022-01-01 00:30:00 +0800\n---\n新年快乐\n" },
};
#define NPOSTS (sizeof(POSTS) / sizeof(POSTS[0]))

/* Builds a document with the indexer's own step (postdoc.h). */
static void index_post(sou_xdb *w, const char *path, const char *src)
{
	sou_postdoc *pd = sou_postdoc_create();
	sou_xdoc *doc = NULL;
	sou_error err;

	if (sou_postdoc_parse(pd, path, src, strlen(src), SOU_DEFAULT_TZ_MIN, &err) ||
	    sou_postdoc_build(pd, tg, path, &doc, &err) ||
	    sou_xdb_replace(w, sou_postdoc_idterm(pd), doc, &err))
		fail_msg("%s", err.msg);
	sou_xdoc_destroy(doc);
	sou_postdoc_destroy(pd);
}

static int setup(void **state)
{
	char path[300];
	sou_xdb *w;
	sou_error err;
	size_t i;

	(void)state;
	dir = tu_mkdtemp();
	snprintf(path, sizeof(path), "%s/db", dir);
	if (sou_termgen_create(&tg, &err) || sou_xdb_open(path, SOU_XDB_CREATE, &w, &err))
		return -1;
	for (i = 0; i < NPOSTS; i++)
		index_post(w, POSTS[i].path, POSTS[i].src);
	if (sou_xdb_commit(w, &err))
		return -1;
	sou_xdb_destroy(w);
	return sou_xdb_open(path, SOU_XDB_READ, &rdb, &err) ? -1 : 0;
}

static int teardown(void **state)
{
	(void)state;
	sou_xdb_destroy(rdb);
	sou_termgen_destroy(tg);
	tu_rmtree(dir);
	return 0;
}

/* Runs query (zone tz) and returns the sorted, comma-joined hit paths. */
static const char *hits_tz(const char *query, int tz)
{
	static char out[1024];
	char paths[16][64];
	sou_query *q = NULL;
	sou_xmset *m = NULL;
	sou_xsearch o;
	sou_error err;
	size_t i, j, n;

	sou_error_clear(&err);
	if (sou_query_parse(tg, query, tz, &q, &err) != SOU_OK)
		fail_msg("query '%s' failed: %s", query, err.msg);
	assert_non_null(q);
	assert_non_null(sou_query_xq(q));
	memset(&o, 0, sizeof(o));
	o.limit = 16;
	if (sou_xdb_search(rdb, sou_query_xq(q), &o, &m, &err))
		fail_msg("search '%s' failed: %s", query, err.msg);
	n = sou_xmset_size(m);
	assert_true(n <= 16);
	for (i = 0; i < n; i++) {
		size_t len;
		const char *d = sou_xmset_data(m, i, &len);
		sou_docdata dd;
		assert_int_equal(sou_docdata_decode(d, len, &dd, NULL), SOU_OK);
		snprintf(paths[i], sizeof(paths[i]), "%s", dd.path);
		sou_docdata_clear(&dd);
	}
	/* sort for a stable comparison */
	for (i = 1; i < n; i++)
		for (j = i; j > 0 && strcmp(paths[j - 1], paths[j]) > 0; j--) {
			char t[64];
			memcpy(t, paths[j], 64);
			memcpy(paths[j], paths[j - 1], 64);
			memcpy(paths[j - 1], t, 64);
		}
	out[0] = '\0';
	for (i = 0; i < n; i++) {
		if (i)
			strcat(out, ",");
		strcat(out, paths[i]);
	}
	sou_xmset_destroy(m);
	sou_query_destroy(q);
	return out;
}

static const char *hits(const char *query)
{
	return hits_tz(query, SOU_DEFAULT_TZ_MIN);
}

#define A "2022/2022-03-01-a.md"
#define B "2022/2022-06-15-b.md"
#define C "2021/2021-12-31-c.md"
#define N "notes.md"
#define Y "2022/2022-01-01-new-year.md"

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Compares the hits of query with want, a comma-separated set of paths. */
static void expect(const char *query, const char *want)
{
	const char *got = hits(query);
	char buf[1024], sorted[1024] = "", *v[16], *tok, *save = NULL;
	size_t n = 0, i;

	snprintf(buf, sizeof(buf), "%s", want);
	for (tok = strtok_r(buf, ",", &save); tok && n < 16; tok = strtok_r(NULL, ",", &save))
		v[n++] = tok;
	qsort(v, n, sizeof(*v), cmp_str);
	for (i = 0; i < n; i++) {
		if (i)
			strcat(sorted, ",");
		strcat(sorted, v[i]);
	}
	if (strcmp(got, sorted))
		fail_msg("query '%s': got [%s], want [%s]", query, got, want);
}

static void test_words(void **state)
{
	(void)state;
	expect("机器学习", A "," N);
	expect("农业", B);
	expect("农业发展", B);
	expect("学习 概念", A);
	expect("quick fox", C "," N);
	expect("QUICK", C "," N);
	expect("xapian", A);
	expect("Q1", B);
	expect("A股", B);
	expect("不存在的词", "");
}

static void test_phrases(void **state)
{
	(void)state;
	expect("\"quick fox\"", N);
	expect("\"quick brown fox\"", C);
	expect("\xE2\x80\x9C农业发展\xE2\x80\x9D", B); /* “农业发展” */
	expect("\xE3\x80\x8C最后一天\xE3\x80\x8D", C); /* 「最后一天」 */
	expect("\"fox quick\"", "");
}

static void test_or_and_exclude(void **state)
{
	(void)state;
	expect("农业 OR 旅行", B "," C);
	expect("fox 北京 OR 生活", C "," N);
	expect("机器学习 -xapian", N);
	expect("quick -\"brown fox\"", N);
	expect("-旅行", A "," B "," N "," Y);
	expect("-旅行 -机器", B "," Y);
}

static void test_fields(void **state)
{
	(void)state;
	expect("title:农业", B);
	expect("Title:农业", B);
	expect("title:机器", A);
	expect("title:\"旅行日记\"", C);
	expect("tag:ai", A);
	expect("tag:ＡＩ", A);
	expect("tags:AI", A);
	expect("tag:机器学习", A);
	expect("tag:旅行 北京", C);
	expect("category:财经", B);
	expect("categories:技术", A);
	expect("author:张三", A "," C);
	expect("author:张三 北京", C);
	expect("author:张三 -tag:旅行", A);
	expect("tag:ai OR category:财经", A "," B);
	expect("tag:nosuch", "");
}

static void test_dates(void **state)
{
	(void)state;
	expect("date:2022", A "," B "," Y);
	expect("date:2021", C);
	expect("date:2022-03", A);
	expect("date:2022-03-01", A);
	expect("date:2022-3-1", A);
	expect("date:..2021", C);
	expect("date:2022-06..", B);
	expect("date:2021-12..2022-03", A "," C "," Y);
	expect("date:2022 机器", A);
	/* the zone matters at the year boundary: 2022-01-01 00:30 +08:00 is
	 * still 2021 in UTC */
	assert_string_equal(hits_tz("date:2021", 0), C "," Y); /* sorted by path */
	assert_string_equal(hits_tz("date:2022", 0), A "," B);
}

static void test_patterns(void **state)
{
	sou_query *q = NULL;
	const sou_strlist *p;
	sou_error err;

	(void)state;
	assert_int_equal(sou_query_parse(tg, "农业 -旅行 title:银行 tag:x \"quick fox\"",
					 SOU_DEFAULT_TZ_MIN, &q, &err), SOU_OK);
	p = sou_query_patterns(q);
	assert_int_equal(p->n, 3);
	assert_string_equal(p->v[0], "农\x1f业");
	assert_string_equal(p->v[1], "银\x1f行");
	assert_string_equal(p->v[2], "quick\x1f" "fox");
	sou_query_destroy(q);
	sou_query_destroy(NULL);
}

static void bad(const char *query)
{
	sou_query *q = (sou_query *)1;
	sou_error err;
	sou_status st;

	sou_error_clear(&err);
	st = sou_query_parse(tg, query, SOU_DEFAULT_TZ_MIN, &q, &err);
	if (st != SOU_ERR_QUERY)
		fail_msg("query '%s' returned %d, want SOU_ERR_QUERY", query, (int)st);
	assert_null(q);
	assert_int_equal(err.code, SOU_ERR_QUERY);
	assert_true(strlen(err.msg) > 0);
}

static void test_malformed(void **state)
{
	(void)state;
	bad("\"unclosed");
	bad("foo \"unclosed");
	bad("\xE2\x80\x9C未闭合");
	bad("tag:");
	bad("author:");
	bad("title:");
	bad("tag:\"\"");
	bad("OR foo");
	bad("foo OR");
	bad("a OR OR b");
	bad("-");
	bad("a - b");
	bad("-a OR b");
	bad("a OR -b");
	bad("");
	bad("   ");
	bad("，。");
	bad("\"\"");
	bad("date:");
	bad("date:..");
	bad("date:2023..2022");
	bad("date:abc");
}

static void test_malformed_date_month(void **state)
{
	(void)state;
	bad("date:2022-13");
	bad("date:2022-13..2023");
}

static void test_malformed_date_day(void **state)
{
	(void)state;
	bad("date:2022-02-30");
}

static void test_error_messages(void **state)
{
	sou_query *q = NULL;
	sou_error err;

	(void)state;
	assert_int_equal(sou_query_parse(tg, "abc \"unclosed", 480, &q, &err), SOU_ERR_QUERY);
	assert_non_null(strstr(err.msg, "column 5"));
	assert_int_equal(sou_query_parse(tg, "x tag:", 480, &q, &err), SOU_ERR_QUERY);
	assert_non_null(strstr(err.msg, "tag"));
	/* NULL error record is allowed */
	assert_int_equal(sou_query_parse(tg, "OR", 480, &q, NULL), SOU_ERR_QUERY);
}

/* The compiled form of query, as Xapian describes it (malloc'd). */
static char *describe(const char *query)
{
	sou_query *q = NULL;
	sou_error err;
	char *d;

	if (sou_query_parse(tg, query, SOU_DEFAULT_TZ_MIN, &q, &err))
		fail_msg("query '%s' failed: %s", query, err.msg);
	d = sou_xq_describe(sou_query_xq(q));
	assert_non_null(d);
	sou_query_destroy(q);
	return d;
}

static void same_query(const char *a, const char *b)
{
	char *da = describe(a), *db = describe(b);

	if (strcmp(da, db))
		fail_msg("'%s' and '%s' compile differently:\n  %s\n  %s", a, b, da, db);
	free(da);
	free(db);
}

/* Repeats are dropped: AND/OR of the same thing twice is the same thing. */
static void test_repeats_dropped(void **state)
{
	sou_buf big = SOU_BUF_INIT;
	sou_query *q = NULL;
	sou_error err;
	size_t i;

	(void)state;
	same_query("农业 农业", "农业");
	same_query("农业 農業 农业", "农业"); /* folded alike: the same query */
	same_query("quick QUICK fox quick", "quick fox");
	same_query("农业 OR 农业", "农业");
	same_query("农业 OR 旅行 农业 OR 旅行", "农业 OR 旅行");
	same_query("fox -旅行 -旅行", "fox -旅行");
	same_query("tag:ai tag:AI", "tag:ai");
	same_query("date:2022 date:2022 quick", "date:2022 quick");
	expect("农业 农业 农业", B);
	/* highlight patterns once each */
	assert_int_equal(sou_query_parse(tg, "农业 农业 OR 农业 title:农业", 480, &q, &err),
			 SOU_OK);
	assert_int_equal(sou_query_patterns(q)->n, 1);
	sou_query_destroy(q);
	/* 600 copies (7.8 KB, under the byte cap) compile to one */
	for (i = 0; i < 600; i++)
		sou_buf_adds(&big, "新闻联播 ");
	same_query(big.data, "新闻联播");
	sou_buf_free(&big);
}

static void test_size_caps(void **state)
{
	sou_buf big = SOU_BUF_INIT;
	sou_query *q = (sou_query *)1;
	sou_error err;
	size_t i;

	(void)state;
	/* bytes: exactly the cap is fine, one more byte is not */
	while (big.len + 2 <= SOU_QUERY_MAX_BYTES)
		sou_buf_adds(&big, "a ");
	while (big.len < SOU_QUERY_MAX_BYTES)
		sou_buf_addc(&big, ' ');
	assert_int_equal(sou_query_parse(tg, big.data, 480, &q, &err), SOU_OK);
	sou_query_destroy(q);
	sou_buf_addc(&big, 'b');
	q = (sou_query *)1;
	assert_int_equal(sou_query_parse(tg, big.data, 480, &q, &err), SOU_ERR_QUERY);
	assert_null(q);
	assert_non_null(strstr(err.msg, "query too long"));
	assert_non_null(strstr(err.msg, "8192"));
	/* distinct terms: 1500 different words, each its own term */
	sou_buf_reset(&big);
	for (i = 0; i < 1500; i++)
		sou_buf_addf(&big, "w%zu ", i);
	assert_true(big.len <= SOU_QUERY_MAX_BYTES);
	assert_int_equal(sou_query_parse(tg, big.data, 480, &q, &err), SOU_ERR_QUERY);
	assert_null(q);
	assert_non_null(strstr(err.msg, "distinct terms"));
	/* ... and as many as the cap allows are fine */
	sou_buf_reset(&big);
	for (i = 0; i < SOU_QUERY_MAX_TERMS / 2; i++)
		sou_buf_addf(&big, "w%zu ", i);
	assert_int_equal(sou_query_parse(tg, big.data, 480, &q, &err), SOU_OK);
	sou_query_destroy(q);
	sou_buf_free(&big);
}

/* Columns count characters, not bytes. */
static void test_columns_are_characters(void **state)
{
	sou_query *q = NULL;
	sou_error err;

	(void)state;
	assert_int_equal(sou_query_parse(tg, "机器学习 \"unclosed", 480, &q, &err), SOU_ERR_QUERY);
	assert_non_null(strstr(err.msg, "column 6:"));
	assert_int_equal(sou_query_parse(tg, "农业 OR", 480, &q, &err), SOU_ERR_QUERY);
	assert_non_null(strstr(err.msg, "column 4:"));
	assert_int_equal(sou_query_parse(tg, "农业 tag:", 480, &q, &err), SOU_ERR_QUERY);
	assert_non_null(strstr(err.msg, "column 4:"));
	assert_int_equal(sou_query_parse(tg, "农业 a - b", 480, &q, &err), SOU_ERR_QUERY);
	assert_non_null(strstr(err.msg, "column 6:"));
}

static void check_split(const char *line, const char *const *want, size_t n)
{
	sou_strlist l = { NULL, 0 };
	size_t i;

	sou_query_split_line(line, &l);
	if (l.n != n) {
		for (i = 0; i < l.n; i++)
			print_message("  [%zu] '%s'\n", i, l.v[i]);
		fail_msg("'%s': %zu words, want %zu", line, l.n, n);
	}
	for (i = 0; i < n; i++)
		assert_string_equal(l.v[i], want[i]);
	sou_strlist_free(&l);
}

static void test_split_line(void **state)
{
	static const char *const w1[] = { "a", "\"b c\"", "tag:\xE2\x80\x9Cx y\xE2\x80\x9D", "d" };
	static const char *const w2[] = { "机器学习", "-\"quick fox\"", "x\"y z\"w" };
	static const char *const w3[] = { "open", "\"never closed here" };

	(void)state;
	check_split("  a \"b c\"\ttag:\xE2\x80\x9Cx y\xE2\x80\x9D   d  ", w1, 4);
	check_split("机器学习\xE3\x80\x80-\"quick fox\" x\"y z\"w", w2, 3);
	check_split("open \"never closed here", w3, 2);
	check_split("   ", NULL, 0);
	check_split("", NULL, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_words),
		cmocka_unit_test(test_phrases),
		cmocka_unit_test(test_or_and_exclude),
		cmocka_unit_test(test_fields),
		cmocka_unit_test(test_dates),
		cmocka_unit_test(test_patterns),
		cmocka_unit_test(test_malformed),
		cmocka_unit_test(test_malformed_date_month),
		cmocka_unit_test(test_malformed_date_day),
		cmocka_unit_test(test_error_messages),
		cmocka_unit_test(test_split_line),
		cmocka_unit_test(test_repeats_dropped),
		cmocka_unit_test(test_size_caps),
		cmocka_unit_test(test_columns_are_characters),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
