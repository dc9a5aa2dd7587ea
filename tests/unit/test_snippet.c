/*
 * test_snippet.c - unit tests for common/snippet.c: highlight ranges that
 * cover whole matches on UTF-8 boundaries, the choice of the passage with
 * the most distinct patterns, cuts on word boundaries marked with "…",
 * the column budget, max_cols 0 for the whole text, and part patterns
 * ("q1" inside "2022Q1").  Patterns are built by sou_termgen_query so
 * they are exactly what a real query produces.
 */
#include <stdlib.h>
#include <string.h>
#include <unicode/uchar.h>
#include <unicode/utf8.h>

#include "testutil.h"
#include "snippet.h"
#include "termgen.h"

#define ELL "\xE2\x80\xA6"

static sou_termgen *tg;

static int setup(void **state)
{
	(void)state;
	return sou_termgen_create(&tg, NULL) == SOU_OK ? 0 : -1;
}

static int teardown(void **state)
{
	(void)state;
	sou_termgen_destroy(tg);
	return 0;
}

/* Appends the patterns of each query word to pats. */
static void patterns(sou_strlist *pats, const char *const *words, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		sou_xq *q = NULL;
		assert_int_equal(sou_termgen_query(tg, SOU_FIELD_BODY, words[i], strlen(words[i]), 0,
						   &q, pats, NULL), SOU_OK);
		sou_xq_destroy(q);
	}
}

typedef struct snip {
	sou_buf out;
	sou_ranges r;
} snip;

static void make(const char *text, const char *const *words, size_t nw, size_t cols, snip *s)
{
	sou_strlist pats = { NULL, 0 };
	sou_error err;
	size_t i;

	patterns(&pats, words, nw);
	sou_buf_init(&s->out);
	memset(&s->r, 0, sizeof(s->r));
	sou_error_clear(&err);
	if (sou_snippet_make(sou_termgen_segmenter(tg), text, strlen(text), &pats, cols, &s->out,
			     &s->r, &err) != SOU_OK)
		fail_msg("snippet failed: %s", err.msg);
	sou_strlist_free(&pats);
	/* invariants of every snippet */
	assert_true(tu_valid_utf8(s->out.data, s->out.len));
	for (i = 0; i < s->r.n; i++) {
		size_t a = s->r.v[2 * i], b = s->r.v[2 * i + 1];
		assert_true(a < b);
		assert_true(b <= s->out.len);
		assert_true(tu_utf8_boundary(s->out.data, s->out.len, a));
		assert_true(tu_utf8_boundary(s->out.data, s->out.len, b));
		if (i)
			assert_true(s->r.v[2 * i - 1] < a); /* sorted, not overlapping */
	}
}

static void snip_free(snip *s)
{
	sou_buf_free(&s->out);
	sou_ranges_free(&s->r);
}

/* The highlighted text of range i. */
static char *hl(const snip *s, size_t i)
{
	static char buf[256];
	size_t a = s->r.v[2 * i], b = s->r.v[2 * i + 1];

	assert_true(b - a < sizeof(buf));
	memcpy(buf, s->out.data + a, b - a);
	buf[b - a] = '\0';
	return buf;
}

/* Display columns of s, not counting "…" markers. */
static size_t columns(const char *s, size_t n)
{
	int32_t i = 0, len = (int32_t)n;
	size_t cols = 0;

	while (i < len) {
		UChar32 c;
		int w;
		U8_NEXT((const uint8_t *)s, i, len, c);
		if (c == 0x2026)
			continue;
		w = u_getIntPropertyValue(c, UCHAR_EAST_ASIAN_WIDTH);
		cols += (w == U_EA_WIDE || w == U_EA_FULLWIDTH) ? 2 : 1;
	}
	return cols;
}

static void test_whole_match(void **state)
{
	static const char *const w[] = { "农业" };
	snip s;

	(void)state;
	make("中国农业发展银行", w, 1, 0, &s);
	assert_string_equal(s.out.data, "中国农业发展银行");
	assert_int_equal(s.r.n, 1);
	assert_int_equal(s.r.v[0], 6);
	assert_int_equal(s.r.v[1], 12);
	assert_string_equal(hl(&s, 0), "农业");
	snip_free(&s);
}

static void test_several_matches(void **state)
{
	static const char *const w[] = { "finv", "银行" };
	static const char text[] = "ＦＩＮＶ与银行：银行的FinV数据";
	snip s;

	(void)state;
	make(text, w, 2, 0, &s);
	assert_string_equal(s.out.data, text);
	assert_int_equal(s.r.n, 4);
	assert_string_equal(hl(&s, 0), "ＦＩＮＶ"); /* the original, unfolded bytes */
	assert_string_equal(hl(&s, 1), "银行");
	assert_string_equal(hl(&s, 2), "银行");
	assert_string_equal(hl(&s, 3), "FinV");
	snip_free(&s);
}

/*
 * The tests of texts without any match come last in main(): see
 * test_no_match_chain.
 */
static void test_no_match_chain(void **state)
{
	static const char *const w[] = { "农业" };
	snip s;

	(void)state;
	/* 农 and 业 separated by punctuation or a line break do not match */
	/* BUG: with no match at all, sou_snippet_make() calls
	 * qsort(m, nm, ...) with m == NULL and nm == 0 (snippet.c, after
	 * find_matches); passing NULL to qsort is undefined behaviour and the
	 * SOU_SANITIZE build aborts here with "runtime error: null pointer
	 * passed as argument 1, which is declared to never be null".  Every
	 * hit whose text lacks the query's patterns (title-only or tag-only
	 * matches) goes through this path. */
	make("农，业\n农\n业", w, 1, 0, &s);
	assert_int_equal(s.r.n, 0);
	assert_string_equal(s.out.data, "农，业 农 业");
	snip_free(&s);
}

static void test_match_one_chain(void **state)
{
	static const char *const w[] = { "农业" };
	snip s;

	(void)state;
	/* a space inside a line does not break the chain */
	make("农 业", w, 1, 0, &s);
	assert_int_equal(s.r.n, 1);
	assert_string_equal(hl(&s, 0), "农 业");
	snip_free(&s);
}

static void test_part_pattern(void **state)
{
	static const char *const w[] = { "Q1" };
	static const char *const w2[] = { "2022" };
	snip s;

	(void)state;
	make("业绩 2022Q1 财报", w, 1, 0, &s);
	assert_int_equal(s.r.n, 1);
	assert_string_equal(hl(&s, 0), "Q1");
	assert_int_equal(s.r.v[0], strlen("业绩 2022"));
	snip_free(&s);
	make("业绩 2022Q1 财报", w2, 1, 0, &s);
	assert_int_equal(s.r.n, 1);
	assert_string_equal(hl(&s, 0), "2022");
	snip_free(&s);
}

static void test_whole_text_newlines(void **state)
{
	static const char *const w[] = { "second" };
	snip s;

	(void)state;
	make("first line\nsecond line\nthird", w, 1, 0, &s);
	assert_string_equal(s.out.data, "first line second line third");
	assert_int_equal(s.r.n, 1);
	assert_string_equal(hl(&s, 0), "second");
	snip_free(&s);
}

static void test_no_patterns(void **state)
{
	snip s;

	(void)state;
	/* no patterns at all: whole text, no ranges */
	/* BUG: qsort(NULL, 0) as in test_no_match_chain */
	make("甲\n乙", NULL, 0, 0, &s);
	assert_string_equal(s.out.data, "甲 乙");
	assert_int_equal(s.r.n, 0);
	snip_free(&s);
}

/* A long English text with the interesting passage far from the start. */
static void long_text(sou_buf *b)
{
	int i;

	for (i = 0; i < 60; i++)
		sou_buf_addf(b, "filler%02d words about nothing in particular. ", i);
	sou_buf_adds(b, "Here the report on banking mentions xapian once. ");
	for (i = 0; i < 40; i++)
		sou_buf_addf(b, "more%02d padding text without the terms. ", i);
	sou_buf_adds(b, "Finally xapian search and banking report appear together here. ");
	for (i = 0; i < 40; i++)
		sou_buf_addf(b, "tail%02d padding text. ", i);
}

static void test_window_most_distinct(void **state)
{
	static const char *const w[] = { "xapian", "banking", "search" };
	sou_buf text = SOU_BUF_INIT;
	snip s;
	size_t i;

	(void)state;
	long_text(&text);
	make(text.data, w, 3, 80, &s);
	print_message("snippet: %s\n", s.out.data);
	/* the passage with all three patterns wins over the earlier one with two */
	assert_non_null(strstr(s.out.data, "xapian search and banking"));
	assert_int_equal(s.r.n, 3);
	assert_string_equal(hl(&s, 0), "xapian");
	assert_string_equal(hl(&s, 1), "search");
	assert_string_equal(hl(&s, 2), "banking");
	/* cut on both sides */
	assert_memory_equal(s.out.data, ELL, 3);
	assert_memory_equal(s.out.data + s.out.len - 3, ELL, 3);
	/* the passage is a real slice of the text */
	{
		size_t inner = s.out.len - 6;
		char *slice = malloc(inner + 1);
		memcpy(slice, s.out.data + 3, inner);
		slice[inner] = '\0';
		assert_non_null(strstr(text.data, slice));
		free(slice);
	}
	for (i = 0; i < s.r.n; i++)
		assert_true(s.r.v[2 * i] >= 3);
	snip_free(&s);
	sou_buf_free(&text);
}

static int is_word_byte(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

static void test_never_cuts_words(void **state)
{
	static const char *const w[] = { "target" };
	sou_buf text = SOU_BUF_INIT;
	size_t cols, shift;

	(void)state;
	/* long words everywhere so any window edge would land inside one */
	for (shift = 0; shift < 12; shift++) {
		sou_buf_reset(&text);
		sou_buf_add(&text, "abcdefghijk", shift);
		for (cols = 0; cols < 30; cols++)
			sou_buf_adds(&text, "internationalization ");
		sou_buf_adds(&text, "target ");
		for (cols = 0; cols < 30; cols++)
			sou_buf_adds(&text, "characteristically ");
		for (cols = 30; cols <= 90; cols += 7) {
			snip s;
			const char *p, *e, *tp;
			size_t start_in_text, end_in_text;

			make(text.data, w, 1, cols, &s);
			assert_int_equal(s.r.n, 1);
			assert_string_equal(hl(&s, 0), "target");
			p = s.out.data;
			e = s.out.data + s.out.len;
			if (!strncmp(p, ELL, 3))
				p += 3;
			if (e - p >= 3 && !strncmp(e - 3, ELL, 3))
				e -= 3;
			/* locate the passage in the text; its edges are word edges */
			tp = strstr(text.data, "target");
			start_in_text = (size_t)(tp - text.data) - (size_t)(s.out.data + s.r.v[0] - p);
			end_in_text = start_in_text + (size_t)(e - p);
			assert_memory_equal(text.data + start_in_text, p, (size_t)(e - p));
			if (start_in_text > 0 && is_word_byte(text.data[start_in_text]) &&
			    is_word_byte(text.data[start_in_text - 1]))
				fail_msg("cols %zu: passage starts inside a word: %s", cols, s.out.data);
			if (end_in_text < text.len && is_word_byte(text.data[end_in_text]) &&
			    is_word_byte(text.data[end_in_text - 1]))
				fail_msg("cols %zu: passage ends inside a word: %s", cols, s.out.data);
			snip_free(&s);
		}
	}
	sou_buf_free(&text);
}

static void test_column_budget(void **state)
{
	static const char *const w[] = { "target" };
	sou_buf text = SOU_BUF_INIT;
	size_t i, cols;

	(void)state;
	for (i = 0; i < 30; i++)
		sou_buf_adds(&text, "internationalization ");
	sou_buf_adds(&text, "target ");
	for (i = 0; i < 30; i++)
		sou_buf_adds(&text, "characteristically ");
	for (cols = 40; cols <= 120; cols += 10) {
		snip s;
		make(text.data, w, 1, cols, &s);
		/* BUG: sou_snippet_make() computes the window end from the unsnapped
		 * start, then snaps the start back to the beginning of the word it
		 * fell in (snap(&c, best_s, 0)), so the passage can be up to one
		 * word wider than max_cols, contrary to snippet.h ("at most
		 * max_cols terminal columns wide"). */
		if (columns(s.out.data, s.out.len) > cols)
			fail_msg("max_cols %zu but passage is %zu columns: %s", cols,
				 columns(s.out.data, s.out.len), s.out.data);
		snip_free(&s);
	}
	sou_buf_free(&text);
}

static void test_cjk_columns(void **state)
{
	static const char *const w[] = { "目标" };
	sou_buf text = SOU_BUF_INIT;
	snip s;
	int i;

	(void)state;
	for (i = 0; i < 100; i++)
		sou_buf_adds(&text, "天地玄黄");
	sou_buf_adds(&text, "目标");
	for (i = 0; i < 100; i++)
		sou_buf_adds(&text, "宇宙洪荒");
	make(text.data, w, 1, 40, &s);
	assert_int_equal(s.r.n, 1);
	assert_string_equal(hl(&s, 0), "目标");
	/* CJK characters count two columns: about 20 of them fit */
	assert_true(columns(s.out.data, s.out.len) <= 40 + 4);
	assert_true(columns(s.out.data, s.out.len) >= 30);
	assert_memory_equal(s.out.data, ELL, 3);
	assert_memory_equal(s.out.data + s.out.len - 3, ELL, 3);
	snip_free(&s);
	sou_buf_free(&text);
}

static void test_no_match_start(void **state)
{
	static const char *const w[] = { "absent" };
	sou_buf text = SOU_BUF_INIT;
	snip s;
	int i;

	(void)state;
	for (i = 0; i < 50; i++)
		sou_buf_addf(&text, "word%02d ", i);
	/* BUG: qsort(NULL, 0) as in test_no_match_chain */
	make(text.data, w, 1, 30, &s);
	assert_int_equal(s.r.n, 0);
	/* the start of the text, not cut at the front, cut at the end */
	assert_memory_equal(s.out.data, "word00 word01", 13);
	assert_memory_equal(s.out.data + s.out.len - 3, ELL, 3);
	assert_true(columns(s.out.data, s.out.len) <= 30);
	snip_free(&s);
	/* a short text fits whole: no markers */
	make("short text", w, 1, 30, &s);
	assert_string_equal(s.out.data, "short text");
	snip_free(&s);
	sou_buf_free(&text);
}

static void test_reuse_buffers(void **state)
{
	static const char *const w[] = { "农业" };
	sou_strlist pats = { NULL, 0 };
	sou_buf out = SOU_BUF_INIT;
	sou_ranges r = { NULL, 0, 0 };
	int i;

	(void)state;
	patterns(&pats, w, 1);
	for (i = 0; i < 3; i++) {
		assert_int_equal(sou_snippet_make(sou_termgen_segmenter(tg), "农业农业", 12, &pats, 0,
						  &out, &r, NULL), SOU_OK);
		assert_string_equal(out.data, "农业农业");
		assert_int_equal(r.n, 1); /* adjacent matches merge into one range */
		assert_int_equal(r.v[0], 0);
		assert_int_equal(r.v[1], 12);
	}
	sou_ranges_free(&r);
	sou_ranges_free(&r);
	sou_ranges_free(NULL);
	sou_buf_free(&out);
	sou_strlist_free(&pats);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_whole_match),
		cmocka_unit_test(test_several_matches),
		cmocka_unit_test(test_match_one_chain),
		cmocka_unit_test(test_part_pattern),
		cmocka_unit_test(test_whole_text_newlines),
		cmocka_unit_test(test_window_most_distinct),
		cmocka_unit_test(test_never_cuts_words),
		cmocka_unit_test(test_column_budget),
		cmocka_unit_test(test_cjk_columns),
		cmocka_unit_test(test_reuse_buffers),
		/* last: these abort the whole program in the SOU_SANITIZE build
		 * (see the BUG in test_no_match_chain) */
		cmocka_unit_test(test_no_match_chain),
		cmocka_unit_test(test_no_patterns),
		cmocka_unit_test(test_no_match_start),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
