/*
 * test_entity.c - unit tests for common/entity.c: which brackets and
 * suffixes make a stock code, which six-digit numbers are no code (dates,
 * amounts, ETFs, phone numbers), how a company's name is taken from the
 * words before its code, and the user file's lines and errors.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "testutil.h"
#include "entity.h"
#include "segment.h"

static sou_segmenter *seg;

static int setup(void **state)
{
	sou_error err;

	(void)state;
	return sou_segmenter_create(&seg, &err) ? -1 : 0;
}

static int teardown(void **state)
{
	(void)state;
	sou_segmenter_destroy(seg);
	return 0;
}

/* The mined pairs of text as "CODE=NAME;..." */
static const char *mined(const char *text)
{
	static char out[1024];
	sou_strlist l = { NULL, 0 };
	size_t i;

	out[0] = 0;
	sou_entity_mine(seg, text, strlen(text), &l);
	for (i = 0; i < l.n; i++) {
		char *sep = strchr(l.v[i], SOU_ENTITY_SEP);
		strncat(out, l.v[i], (size_t)(sep - l.v[i]));
		strcat(out, "=");
		strcat(out, sep + 1);
		strcat(out, ";");
	}
	sou_strlist_free(&l);
	return out;
}

static void test_codes(void **state)
{
	(void)state;
	assert_true(sou_entity_code_valid("600519", 6, 0));
	assert_true(sou_entity_code_valid("002456", 6, 0));
	assert_true(sou_entity_code_valid("300750", 6, 0));
	assert_true(sou_entity_code_valid("688981", 6, 0));
	assert_true(sou_entity_code_valid("830799", 6, 0));
	assert_false(sou_entity_code_valid("516380", 6, 0)); /* an ETF */
	assert_false(sou_entity_code_valid("202112", 6, 0)); /* a month */
	assert_false(sou_entity_code_valid("200011", 6, 0)); /* B share: only suffixed */
	assert_true(sou_entity_code_valid("200011", 6, 1));
	assert_false(sou_entity_code_valid("60051", 5, 0));
	assert_false(sou_entity_code_valid("60051x", 6, 0));
}

static void test_mining(void **state)
{
	(void)state;
	/* full-width and ASCII brackets; the name is the words before */
	assert_string_equal(mined("白酒股龙头贵州茅台（600519）收涨"), "600519=贵州茅台;");
	assert_string_equal(mined("午后欧菲光(002456)涨停"), "002456=欧菲光;");
	assert_string_equal(mined("晚间，新希望(000876)公告"), "000876=新希望;");
	/* a function character ends the name */
	assert_string_equal(mined("关注的欧菲光(002456)"), "002456=欧菲光;");
	/* suffixes, in brackets or alone (a code alone has no name) */
	assert_string_equal(mined("宁德时代(300750.SZ)发布"), "300750=宁德时代;");
	assert_string_equal(mined("收盘600519.SH报价"), "600519=;");
	assert_string_equal(mined("600519.sh"), "600519=;");
	assert_string_equal(mined("(200011.SZ)"), "200011=;");
	/* each pair once */
	assert_string_equal(mined("欧菲光(002456)与欧菲光(002456)"), "002456=欧菲光;");
	/* not codes: dates, amounts, ETFs, longer numbers, no brackets */
	assert_string_equal(mined("智能电动车ETF（516380）"), "");
	assert_string_equal(mined("报告期（202112）"), "");
	assert_string_equal(mined("营收600519万元"), "");
	assert_string_equal(mined("电话(6005190)"), "");
	assert_string_equal(mined("（1600519）"), "");
	assert_string_equal(mined("600519.SHA"), "");
	assert_string_equal(mined("600519.SZ"), ""); /* not Shenzhen's code */
	assert_string_equal(mined("000001.SZ"), "000001=;");
	assert_string_equal(mined("贵州茅台（600519"), "");
	assert_string_equal(mined(""), "");
}

static void test_user_file(void **state)
{
	char path[] = "/tmp/sou-entity-XXXXXX";
	int fd = mkstemp(path);
	FILE *f;
	sou_entities *e = NULL;
	sou_error err;
	sou_strlist codes = { NULL, 0 }, names = { NULL, 0 };

	(void)state;
	assert_true(fd >= 0);
	f = fdopen(fd, "w");
	fputs("# companies\n600519 贵州茅台 茅台 MaoTai\n\n000876 新希望\n", f);
	fclose(f);
	assert_int_equal(sou_entities_load(path, seg, &e, &err), SOU_OK);
	assert_int_equal(sou_entity_resolve(NULL, e, "maotai", 6, &codes, NULL, &err), SOU_OK);
	assert_int_equal(codes.n, 1);
	assert_string_equal(codes.v[0], "600519");
	assert_int_equal(sou_entity_resolve(NULL, e, "600519", 6, &codes, &names, &err), SOU_OK);
	assert_int_equal(codes.n, 1);
	assert_int_equal(names.n, 3);
	assert_string_equal(names.v[0], "贵州茅台");
	sou_strlist_free(&codes);
	sou_strlist_free(&names);
	sou_entities_destroy(e);
	/* a bad code and a code without a name, named by file and line */
	f = fopen(path, "w");
	fputs("600519 贵州茅台\n12345 坏\n", f);
	fclose(f);
	assert_int_not_equal(sou_entities_load(path, seg, &e, &err), SOU_OK);
	assert_null(e);
	assert_non_null(strstr(err.msg, ":2:"));
	assert_non_null(strstr(err.msg, "not an A-share code"));
	f = fopen(path, "w");
	fputs("600519\n", f);
	fclose(f);
	assert_int_not_equal(sou_entities_load(path, seg, &e, &err), SOU_OK);
	assert_non_null(strstr(err.msg, "has no name"));
	unlink(path);
	sou_entities_destroy(NULL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_codes),
		cmocka_unit_test(test_mining),
		cmocka_unit_test(test_user_file),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
