/*
 * test_units.c - unit tests for common/units.c and the unit streams of
 * common/termgen.c and common/segment.c: the stream encoding (bare
 * Chinese characters, wrapped Latin words, one byte per chain), the exact
 * check sou_units_find (consecutive units of one chain, never starting
 * inside a wrapped unit, never across a chain), and the quick derivation
 * sou_segmenter_quick_units, which must either give up or produce exactly
 * the stream the segmenter produced (checked on hand-written cases and on
 * thousands of random texts).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "testutil.h"
#include "segment.h"
#include "termgen.h"
#include "units.h"
#include "xwrap.h"

static sou_termgen *tg;

static int setup(void **state)
{
	sou_error err;

	(void)state;
	return sou_termgen_create(&tg, &err) ? -1 : 0;
}

static int teardown(void **state)
{
	(void)state;
	sou_termgen_destroy(tg);
	return 0;
}

/* The stream termgen produces for text indexed into the body field. */
static void stream_of(const char *text, sou_buf *out)
{
	sou_xdoc *doc = sou_xdoc_create();
	sou_error err;
	const char *u;
	size_t n;

	sou_termgen_begin(tg, doc);
	if (sou_termgen_index(tg, SOU_FIELD_BODY, text, strlen(text), 1, &err))
		fail_msg("%s", err.msg);
	u = sou_termgen_units(tg, SOU_FIELD_BODY, &n);
	sou_buf_reset(out);
	sou_buf_add(out, u, n);
	sou_xdoc_destroy(doc);
}

/* The pattern of a query chain given as units with HAN flags. */
static void pattern(sou_buf *p, const char *const *units, const int *han, size_t n)
{
	size_t i;

	sou_buf_reset(p);
	for (i = 0; i < n; i++)
		sou_units_add(p, units[i], strlen(units[i]), han[i], 0);
}

static void test_encoding(void **state)
{
	sou_buf s = SOU_BUF_INIT;

	(void)state;
	stream_of("中国人民，A股 上涨 GDP增长。", &s);
	/* chains: 中国人民 | a 股 上 涨 gdp 增 长 */
	assert_string_equal(s.data, "\n中国人民\n\x02" "a\x03股上涨\x02gdp\x03增长");
	stream_of("", &s);
	assert_int_equal(s.len, 0);
	sou_buf_free(&s);
}

static int find(const char *stream, const char *const *units, const int *han, size_t n)
{
	sou_buf p = SOU_BUF_INIT;
	int r;

	pattern(&p, units, han, n);
	r = sou_units_find(stream, strlen(stream), p.data, p.len);
	sou_buf_free(&p);
	return r;
}

static void test_find(void **state)
{
	static const char *const zgrm[] = { "中", "国", "人", "民" };
	static const char *const gy[] = { "国", "人" };
	static const char *const finv[] = { "finv", "指" };
	static const char *const inv[] = { "inv", "指" };
	static const char *const a[] = { "a" };
	static const char *const agu[] = { "a", "股" };
	static const int h4[] = { 1, 1, 1, 1 }, h2[] = { 1, 1 }, lh[] = { 0, 1 }, l1[] = { 0 };
	sou_buf s = SOU_BUF_INIT;

	(void)state;
	stream_of("中国人民银行；中国。人民。国人", &s);
	assert_true(find(s.data, zgrm, h4, 4));
	assert_true(find(s.data, gy, h2, 2));
	/* the characters apart, in other chains: no match */
	stream_of("中国。国人。人民", &s);
	assert_false(find(s.data, zgrm, h4, 4));
	assert_true(find(s.data, gy, h2, 2));
	/* spaces do not break a chain, punctuation does */
	stream_of("中国 人民", &s);
	assert_true(find(s.data, zgrm, h4, 4));
	stream_of("中国·人民", &s);
	assert_false(find(s.data, zgrm, h4, 4));
	/* Latin units match whole: inv is not finv */
	stream_of("了FINV指数", &s);
	assert_true(find(s.data, finv, lh, 2));
	assert_false(find(s.data, inv, lh, 2));
	stream_of("A股 aa股", &s);
	assert_true(find(s.data, agu, lh, 2));
	assert_true(find(s.data, a, l1, 1));
	stream_of("aa股", &s);
	assert_false(find(s.data, agu, lh, 2));
	assert_false(find(s.data, a, l1, 1));
	sou_buf_free(&s);
}

/* A bare character never matches inside a wrapped unit, even when the
 * segmenter made a multi-character unit (written by hand here). */
static void test_find_inside_wrapped(void **state)
{
	static const char stream[] = "\n\x02" "x股y\x03" "票\n股\x02z\x03";
	static const char pat_gp[] = "股票";
	static const char pat_g[] = "股";

	(void)state;
	assert_false(sou_units_find(stream, sizeof(stream) - 1, pat_gp, strlen(pat_gp)));
	assert_true(sou_units_find(stream, sizeof(stream) - 1, pat_g, strlen(pat_g)));
	assert_false(sou_units_find(stream, sizeof(stream) - 1, "", 0));
}

/* quick_units either gives up or equals the segmenter's stream. */
static int quick_matches(const char *text, int *derived)
{
	sou_buf s = SOU_BUF_INIT, q = SOU_BUF_INIT;
	int same;

	stream_of(text, &s);
	sou_buf_adds(&q, "prefix"); /* appends, keeping what was there */
	*derived = sou_segmenter_quick_units(sou_termgen_segmenter(tg), text, strlen(text), &q);
	if (!*derived) {
		same = q.len == 6;
	} else {
		same = q.len == s.len + 6 && !memcmp(q.data + 6, s.data ? s.data : "", s.len);
		if (!same)
			print_message("text '%s'\n  quick '%s'\n  segmenter '%s'\n", text, q.data + 6,
				      s.data ? s.data : "");
	}
	sou_buf_free(&s);
	sou_buf_free(&q);
	return same;
}

static void test_quick_cases(void **state)
{
	static const char *const derive[] = {
		"中国农业发展银行今天发布了报告。",
		"增长3.5%，达到1,000亿元；U.S. GDP 增长 don't stop",
		"二〇二一年 新年贺词\n第二行  多个空格\t和制表符",
		"臺灣銀行和乾隆",
		"a.b.c 3.14.15 x'y 12'34 e-mail 5G手机 2022Q1财报",
		"…——“引号”《书名》【括号】（括号）！？",
		"",
	};
	static const char *const give_up[] = {
		"a_b", "a:b", "user@example", "ＦＩＮＶ", "Ⅱ类", "①②", "café", "カタカナ", "한국어",
		"😀", "1，000",
	};
	size_t i;
	int d;

	(void)state;
	for (i = 0; i < sizeof(derive) / sizeof(derive[0]); i++) {
		assert_true(quick_matches(derive[i], &d));
		if (!d)
			fail_msg("'%s' should derive", derive[i]);
	}
	for (i = 0; i < sizeof(give_up) / sizeof(give_up[0]); i++) {
		assert_true(quick_matches(give_up[i], &d));
		if (d)
			fail_msg("'%s' should be left to ICU", give_up[i]);
	}
}

static uint64_t rng = 0x9E3779B97F4A7C15ULL;

static uint64_t next_rand(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

/* Random texts over an alphabet of the cases that matter. */
static void test_quick_random(void **state)
{
	static const char *const alpha[] = {
		"中", "国", "人", "民", "臺", "灣", "〇", "a", "B", "z", "Q", "0", "7", ".", ",", "'",
		":", ";", "_", "@", " ", "\t", "\n", "，", "。", "、", "“", "”", "%", "-", "/",
		"\xC2\xA0", "\xE3\x80\x80", "·", "’", "．", "Ａ", "１", "é", "ア", "😀", "℃", "(", ")",
	};
	char text[256];
	int i, k, derived = 0, d;

	(void)state;
	for (i = 0; i < 4000; i++) {
		size_t len = 0, n = 1 + next_rand() % 24;
		for (k = 0; k < (int)n; k++) {
			const char *a = alpha[next_rand() % (sizeof(alpha) / sizeof(alpha[0]))];
			if (len + strlen(a) + 1 >= sizeof(text))
				break;
			memcpy(text + len, a, strlen(a));
			len += strlen(a);
		}
		text[len] = '\0';
		if (!quick_matches(text, &d))
			fail_msg("quick units differ for '%s'", text);
		derived += d;
	}
	/* most random texts hold a character left to ICU; enough derive */
	assert_true(derived > 200);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_encoding),
		cmocka_unit_test(test_find),
		cmocka_unit_test(test_find_inside_wrapped),
		cmocka_unit_test(test_quick_cases),
		cmocka_unit_test(test_quick_random),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
