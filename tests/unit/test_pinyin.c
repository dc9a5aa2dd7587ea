/*
 * test_pinyin.c - unit tests for common/pinyin.c: word readings get
 * polyphones right from the table's words (银行 yin hang, 行长 hang
 * zhang...), unknown words are cut into table words and characters,
 * traditional and simplified text read alike (the table is folded),
 * ICU reads only what the table lacks, and Latin text is cut into
 * syllables or recognised as initials.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "testutil.h"
#include "pinyin.h"
#include "segment.h"

static sou_pinyin *py;
static sou_segmenter *seg;

static int setup(void **state)
{
	sou_error err;

	(void)state;
	if (sou_pinyin_create(&py, &err) || sou_segmenter_create(&seg, &err))
		return -1;
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	sou_pinyin_destroy(py);
	sou_segmenter_destroy(seg);
	return 0;
}

/* The reading of text as termgen reads it: folded first. */
static const char *reading(const char *text, unsigned flags)
{
	static sou_buf out = SOU_BUF_INIT;
	sou_buf f = SOU_BUF_INIT;
	sou_error err;

	assert_int_equal(sou_segmenter_fold(seg, text, strlen(text), &f, &err), SOU_OK);
	if (!sou_pinyin_reading(py, f.data, f.len, flags, &out, NULL))
		sou_buf_reset(&out);
	sou_buf_free(&f);
	return out.data ? out.data : "";
}

static void test_polyphones(void **state)
{
	(void)state;
	assert_string_equal(reading("银行", SOU_PINYIN_DEFAULT), "yin hang");
	assert_string_equal(reading("重庆", SOU_PINYIN_DEFAULT), "chong qing");
	assert_string_equal(reading("长江", SOU_PINYIN_DEFAULT), "chang jiang");
	assert_string_equal(reading("行长", SOU_PINYIN_DEFAULT), "hang zhang");
	assert_string_equal(reading("音乐", SOU_PINYIN_DEFAULT), "yin yue");
	assert_string_equal(reading("成都", SOU_PINYIN_DEFAULT), "cheng du");
	/* the same characters alone take their most common readings */
	assert_string_equal(reading("行", SOU_PINYIN_DEFAULT), "xing");
	assert_string_equal(reading("长", SOU_PINYIN_DEFAULT), "chang");
	assert_string_equal(reading("乐", SOU_PINYIN_DEFAULT), "le");
	/* traditional text reads as simplified (both fold alike) */
	assert_string_equal(reading("銀行行長", SOU_PINYIN_DEFAULT), "yin hang hang zhang");
	assert_string_equal(reading("重慶", SOU_PINYIN_DEFAULT), "chong qing");
	/* merged rows: 干 is mostly gan though 乾 (qian) folds to it too */
	assert_string_equal(reading("干", SOU_PINYIN_DEFAULT), "gan");
}

static void test_cuts(void **state)
{
	sou_strlist pieces = { NULL, 0 };
	sou_buf out = SOU_BUF_INIT;
	const char *w = "银行行长";

	(void)state;
	/* not a table word: cut into 银行|行长 (fewest pieces) */
	assert_int_equal(sou_pinyin_reading(py, w, strlen(w), SOU_PINYIN_DEFAULT, &out, &pieces),
			 4);
	assert_string_equal(out.data, "yin hang hang zhang");
	assert_int_equal(pieces.n, 2);
	assert_string_equal(pieces.v[0], "银行");
	assert_string_equal(pieces.v[1], "行长");
	sou_strlist_free(&pieces);
	/* company names read character by character where the table has no word */
	assert_string_equal(reading("贵州茅台", SOU_PINYIN_DEFAULT), "gui zhou mao tai");
	/* characters only: the polyphones go wrong, which is why words come first */
	assert_string_equal(reading("银行", SOU_PINYIN_CHARS), "yin xing");
	/* held out: 银行 from its characters alone */
	assert_string_equal(reading("银行", SOU_PINYIN_DEFAULT | SOU_PINYIN_HOLD_OUT), "yin xing");
	/* not Chinese: no reading */
	assert_string_equal(reading("abc", SOU_PINYIN_DEFAULT), "");
	assert_string_equal(reading("茅台a", SOU_PINYIN_DEFAULT), "");
	assert_int_equal(sou_pinyin_reading(py, "", 0, SOU_PINYIN_DEFAULT, &out, NULL), 0);
	sou_buf_reset(&out);
	sou_pinyin_initials("gui zhou mao tai", 16, &out);
	assert_string_equal(out.data, "gzmt");
	sou_buf_free(&out);
}

static void test_icu_fallback(void **state)
{
	const char *r;
	sou_buf out = SOU_BUF_INIT;
	size_t i, n = sou_pinyin_table_size();
	const char *key, *rd;

	(void)state;
	/* the table holds the polyphone test words and thousands of characters */
	assert_true(n > 50000);
	sou_pinyin_table_entry(0, &key, &rd);
	for (i = 1; i < n; i += 997) {
		const char *k2;
		sou_pinyin_table_entry(i, &k2, &rd);
		assert_true(strcmp(key, k2) < 0);
		key = k2;
	}
	r = sou_pinyin_lookup("行", strlen("行"));
	assert_non_null(r);
	assert_string_equal(r, "xing|hang");
	/* ICU alone reads a character toneless */
	assert_int_equal(sou_pinyin_reading(py, "茅", strlen("茅"), SOU_PINYIN_ICU, &out, NULL),
			 1);
	assert_string_equal(out.data, "mao");
	/* with nothing allowed there is no reading */
	assert_int_equal(sou_pinyin_reading(py, "茅", strlen("茅"), 0, &out, NULL), 0);
	sou_buf_free(&out);
}

static const char *split(const char *s, int *alt2)
{
	static sou_buf out = SOU_BUF_INIT;

	if (!sou_pinyin_split(s, strlen(s), &out, alt2))
		return NULL;
	return out.data;
}

static void test_split(void **state)
{
	int alt2;

	(void)state;
	assert_string_equal(split("maotai", &alt2), "mao tai");
	assert_int_equal(alt2, 1);
	assert_string_equal(split("xian", &alt2), "xian");
	assert_int_equal(alt2, 1); /* xi an */
	assert_string_equal(split("gui", &alt2), "gui");
	assert_int_equal(alt2, 0);
	assert_string_equal(split("guizhoumaotai", NULL), "gui zhou mao tai");
	assert_string_equal(split("GuiZhou", NULL), "gui zhou");
	assert_string_equal(split("zhuangchuang", NULL), "zhuang chuang");
	assert_null(split("gzmt", NULL));
	assert_null(split("bank", NULL));
	assert_null(split("mao tai", NULL)); /* one piece at a time */
	assert_null(split("", NULL));
	assert_true(sou_pinyin_is_initials("gzmt", 4));
	assert_true(sou_pinyin_is_initials("GZMT", 4));
	assert_true(sou_pinyin_is_initials("mt", 2));
	assert_false(sou_pinyin_is_initials("m", 1));
	assert_false(sou_pinyin_is_initials("ai", 2));      /* no syllable starts with i */
	assert_false(sou_pinyin_is_initials("gzmtabc", 7)); /* too long */
	assert_false(sou_pinyin_is_initials("g2", 2));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_polyphones),
		cmocka_unit_test(test_cuts),
		cmocka_unit_test(test_icu_fallback),
		cmocka_unit_test(test_split),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
