/*
 * test_segment.c - unit tests for common/segment.c: the token stream of
 * segment.h (HANWORD followed by HAN units for Chinese, folded WORD units
 * for Latin and numbers, PART tokens for mixed words in document mode
 * only), byte offsets into the original text (also across full-width
 * folding), chain breaks (brk) at punctuation and line ends but not at
 * spaces, robustness on invalid UTF-8, stopping from the callback,
 * sou_segmenter_fold, and word choice with a dictionary: lexicon mode,
 * function characters on ties, number shapes learned from the lexicon
 * (PKU and MSR conventions), words found through their prefixes.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "testutil.h"
#include "segment.h"

typedef struct tok {
	sou_tok_kind kind;
	char term[128];
	size_t start, end;
	int brk;
} tok;

typedef struct toks {
	tok v[512];
	size_t n;
	size_t stop_after; /* 0: never stop */
} toks;

static int collect(void *ctx, const sou_token *t)
{
	toks *ts = ctx;
	tok *x;

	assert_true(ts->n < 512);
	assert_int_equal(strlen(t->term), t->term_len);
	assert_true(t->term_len < sizeof(x->term));
	assert_true(t->start <= t->end);
	x = &ts->v[ts->n++];
	x->kind = t->kind;
	memcpy(x->term, t->term, t->term_len + 1);
	x->start = t->start;
	x->end = t->end;
	x->brk = t->brk;
	if (ts->stop_after && ts->n == ts->stop_after)
		return 7;
	return 0;
}

static sou_segmenter *seg;

static int setup(void **state)
{
	(void)state;
	return sou_segmenter_create(&seg, NULL) == SOU_OK ? 0 : -1;
}

static int teardown(void **state)
{
	(void)state;
	sou_segmenter_destroy(seg);
	seg = NULL;
	return 0;
}

static void run(const char *text, size_t len, unsigned flags, toks *ts)
{
	sou_error err;
	int stopped = -1;

	memset(ts, 0, sizeof(*ts));
	sou_error_clear(&err);
	if (sou_segmenter_run(seg, text, len, flags, collect, ts, &stopped, &err) != SOU_OK)
		fail_msg("segmenter failed: %s", err.msg);
	assert_int_equal(stopped, 0);
}

static void dump(const toks *ts)
{
	size_t i;

	for (i = 0; i < ts->n; i++)
		print_message("  %d '%s' [%zu,%zu) brk=%d\n", ts->v[i].kind, ts->v[i].term,
			      ts->v[i].start, ts->v[i].end, ts->v[i].brk);
}

/* Finds the first token of kind with term, from index from; -1 if none. */
static int find(const toks *ts, sou_tok_kind kind, const char *term, size_t from)
{
	size_t i;

	for (i = from; i < ts->n; i++)
		if (ts->v[i].kind == kind && !strcmp(ts->v[i].term, term))
			return (int)i;
	return -1;
}

static size_t count_kind(const toks *ts, sou_tok_kind kind)
{
	size_t i, n = 0;

	for (i = 0; i < ts->n; i++)
		n += ts->v[i].kind == kind;
	return n;
}

/* The units (HAN and WORD) only, in order, joined with '|'. */
static void units(const toks *ts, char *out, size_t cap)
{
	size_t i;

	out[0] = '\0';
	for (i = 0; i < ts->n; i++) {
		if (ts->v[i].kind != SOU_TOK_HAN && ts->v[i].kind != SOU_TOK_WORD)
			continue;
		if (out[0])
			strncat(out, "|", cap - strlen(out) - 1);
		strncat(out, ts->v[i].term, cap - strlen(out) - 1);
	}
}

static void test_chinese(void **state)
{
	static const char text[] = "中国农业发展银行";
	static toks ts;
	char u[256];
	size_t i, han = 0;
	int w;

	(void)state;
	run(text, strlen(text), SOU_SEG_DOCUMENT, &ts);
	units(&ts, u, sizeof(u));
	assert_string_equal(u, "中|国|农|业|发|展|银|行");
	/* each HAN unit: one character, its exact bytes in the input */
	for (i = 0; i < ts.n; i++) {
		if (ts.v[i].kind != SOU_TOK_HAN)
			continue;
		assert_int_equal(ts.v[i].start, 3 * han);
		assert_int_equal(ts.v[i].end, 3 * han + 3);
		assert_memory_equal(text + ts.v[i].start, ts.v[i].term, 3);
		assert_int_equal(ts.v[i].brk, han == 0);
		han++;
	}
	assert_int_equal(han, 8);
	/* the dictionary word comes first, then its units, with its span */
	w = find(&ts, SOU_TOK_HANWORD, "农业", 0);
	if (w < 0) {
		dump(&ts);
		fail_msg("no HANWORD 农业");
	}
	assert_int_equal(ts.v[w].start, 6);
	assert_int_equal(ts.v[w].end, 12);
	assert_int_equal(ts.v[w].brk, 0);
	assert_int_equal(ts.v[w + 1].kind, SOU_TOK_HAN);
	assert_string_equal(ts.v[w + 1].term, "农");
	assert_int_equal(ts.v[w + 2].kind, SOU_TOK_HAN);
	assert_string_equal(ts.v[w + 2].term, "业");
	/* every HANWORD is followed by HAN units that spell it out */
	for (i = 0; i < ts.n; i++) {
		if (ts.v[i].kind == SOU_TOK_HANWORD) {
			char spelled[128] = "";
			size_t j = i + 1;
			while (j < ts.n && ts.v[j].kind == SOU_TOK_HAN &&
			       ts.v[j].end <= ts.v[i].end) {
				strcat(spelled, ts.v[j].term);
				j++;
			}
			assert_string_equal(spelled, ts.v[i].term);
			assert_int_equal(ts.v[i + 1].start, ts.v[i].start);
		}
	}
	assert_int_equal(ts.v[0].kind, SOU_TOK_HANWORD);
	assert_int_equal(count_kind(&ts, SOU_TOK_PART), 0);
}

static void test_offsets_after_prefix(void **state)
{
	static const char text[] = "abc 中文";
	static toks ts;
	int i;

	(void)state;
	run(text, strlen(text), SOU_SEG_DOCUMENT, &ts);
	i = find(&ts, SOU_TOK_HAN, "文", 0);
	assert_true(i >= 0);
	assert_int_equal(ts.v[i].start, 7);
	assert_int_equal(ts.v[i].end, 10);
	i = find(&ts, SOU_TOK_WORD, "abc", 0);
	assert_int_equal(i, 0);
	assert_int_equal(ts.v[0].start, 0);
	assert_int_equal(ts.v[0].end, 3);
	assert_int_equal(ts.v[0].brk, 1);
}

static void test_latin_lowercase(void **state)
{
	static toks ts;
	char u[256];

	(void)state;
	run("Hello WORLD FinV", 16, SOU_SEG_QUERY, &ts);
	units(&ts, u, sizeof(u));
	assert_string_equal(u, "hello|world|finv");
	assert_int_equal(ts.v[1].start, 6);
	assert_int_equal(ts.v[1].end, 11);
	assert_int_equal(count_kind(&ts, SOU_TOK_WORD), 3);
	/* accented capitals fold too */
	run("ÉCOLE Straße", strlen("ÉCOLE Straße"), SOU_SEG_QUERY, &ts);
	units(&ts, u, sizeof(u));
	assert_string_equal(u, "école|strasse");
}

static void test_fullwidth(void **state)
{
	static const char text[] = "ＦＩＮＶ ２０２２";
	static toks ts;

	(void)state;
	run(text, strlen(text), SOU_SEG_DOCUMENT, &ts);
	if (ts.n != 2) {
		dump(&ts);
		fail();
	}
	assert_int_equal(ts.v[0].kind, SOU_TOK_WORD);
	assert_string_equal(ts.v[0].term, "finv");
	assert_int_equal(ts.v[0].start, 0);
	assert_int_equal(ts.v[0].end, 12);
	assert_int_equal(ts.v[1].kind, SOU_TOK_WORD);
	assert_string_equal(ts.v[1].term, "2022");
	assert_int_equal(ts.v[1].start, 13);
	assert_int_equal(ts.v[1].end, 25);
	assert_int_equal(ts.v[1].brk, 0);
}

static void test_mixed_word_parts(void **state)
{
	static toks ts;
	int w;

	(void)state;
	run("2022Q1", 6, SOU_SEG_DOCUMENT, &ts);
	assert_true(ts.n > 1);
	assert_int_equal(ts.v[0].kind, SOU_TOK_WORD);
	assert_string_equal(ts.v[0].term, "2022q1");
	assert_int_equal(ts.v[0].start, 0);
	assert_int_equal(ts.v[0].end, 6);
	w = find(&ts, SOU_TOK_PART, "2022", 0);
	assert_true(w > 0);
	assert_int_equal(ts.v[w].start, 0);
	assert_int_equal(ts.v[w].end, 4);
	w = find(&ts, SOU_TOK_PART, "q1", 0);
	assert_true(w > 0);
	assert_int_equal(ts.v[w].start, 4);
	assert_int_equal(ts.v[w].end, 6);
	w = find(&ts, SOU_TOK_PART, "q", 0);
	assert_true(w > 0);
	assert_int_equal(ts.v[w].start, 4);
	assert_int_equal(ts.v[w].end, 5);
	w = find(&ts, SOU_TOK_PART, "1", 0);
	assert_true(w > 0);
	assert_int_equal(ts.v[w].start, 5);
	assert_int_equal(ts.v[w].end, 6);
	assert_true(find(&ts, SOU_TOK_PART, "2022q", 0) > 0);
	/* the whole word is not repeated as a part; parts are no units */
	assert_int_equal(find(&ts, SOU_TOK_PART, "2022q1", 0), -1);
	assert_int_equal(count_kind(&ts, SOU_TOK_WORD), 1);
	assert_int_equal(count_kind(&ts, SOU_TOK_PART), 5);

	/* query mode: the unit only */
	run("2022Q1", 6, SOU_SEG_QUERY, &ts);
	assert_int_equal(ts.n, 1);
	assert_int_equal(ts.v[0].kind, SOU_TOK_WORD);
	assert_string_equal(ts.v[0].term, "2022q1");

	/* plain words and decimal numbers have no parts */
	run("finv 48.1 1,000", 15, SOU_SEG_DOCUMENT, &ts);
	assert_int_equal(count_kind(&ts, SOU_TOK_PART), 0);
	assert_int_equal(find(&ts, SOU_TOK_WORD, "48.1", 0), 1);

	/* full-width mixed word: parts fold and span original bytes */
	run("ＧＰＴ４", strlen("ＧＰＴ４"), SOU_SEG_DOCUMENT, &ts);
	assert_string_equal(ts.v[0].term, "gpt4");
	w = find(&ts, SOU_TOK_PART, "gpt", 0);
	assert_true(w > 0);
	assert_int_equal(ts.v[w].start, 0);
	assert_int_equal(ts.v[w].end, 9);
}

static void test_latin_han_chain(void **state)
{
	static toks ts;
	int a, g;

	(void)state;
	run("A股", strlen("A股"), SOU_SEG_DOCUMENT, &ts);
	a = find(&ts, SOU_TOK_WORD, "a", 0);
	g = find(&ts, SOU_TOK_HAN, "股", 0);
	if (a != 0 || g < 0) {
		dump(&ts);
		fail();
	}
	assert_int_equal(ts.v[a].brk, 1);
	assert_int_equal(ts.v[g].brk, 0); /* one chain */
	assert_int_equal(ts.v[g].start, 1);
	assert_int_equal(ts.v[g].end, 4);
	assert_true(g > a);
}

static void test_breaks(void **state)
{
	static const char text[] = "上涨，下跌\n新行 空格 word\tTab、x";
	static toks ts;
	size_t i;
	/* units in order and whether each starts a chain */
	static const struct { const char *u; int brk; } want[] = {
		{ "上", 1 }, { "涨", 0 }, { "下", 1 }, { "跌", 0 }, { "新", 1 },
		{ "行", 0 }, { "空", 0 }, { "格", 0 }, { "word", 0 }, { "tab", 0 },
		{ "x", 1 },
	};
	size_t k = 0;

	(void)state;
	run(text, strlen(text), SOU_SEG_DOCUMENT, &ts);
	for (i = 0; i < ts.n; i++) {
		if (ts.v[i].kind != SOU_TOK_HAN && ts.v[i].kind != SOU_TOK_WORD)
			continue;
		if (k >= sizeof(want) / sizeof(want[0]) || strcmp(ts.v[i].term, want[k].u) ||
		    ts.v[i].brk != want[k].brk) {
			dump(&ts);
			fail_msg("unit %zu", k);
		}
		k++;
	}
	assert_int_equal(k, sizeof(want) / sizeof(want[0]));
	/* extra tokens never carry brk */
	for (i = 0; i < ts.n; i++)
		if (ts.v[i].kind == SOU_TOK_HANWORD || ts.v[i].kind == SOU_TOK_PART)
			assert_int_equal(ts.v[i].brk, 0);

	/* an ideographic space does not break; a symbol does */
	run("机器\xE3\x80\x80学习 a+b", strlen("机器\xE3\x80\x80学习 a+b"), SOU_SEG_QUERY, &ts);
	assert_int_equal(ts.v[find(&ts, SOU_TOK_HAN, "学", 0)].brk, 0);
	assert_int_equal(ts.v[find(&ts, SOU_TOK_WORD, "a", 0)].brk, 0);
	assert_int_equal(ts.v[find(&ts, SOU_TOK_WORD, "b", 0)].brk, 1);
}

static void test_long_word_breaks_chain(void **state)
{
	char text[256];
	static toks ts;
	int i;

	(void)state;
	strcpy(text, "前 ");
	for (i = 0; i < 80; i++)
		strcat(text, "x");
	strcat(text, " 后");
	run(text, strlen(text), SOU_SEG_DOCUMENT, &ts);
	/* the over-long word is dropped and the next unit starts a chain */
	assert_int_equal(count_kind(&ts, SOU_TOK_WORD), 0);
	i = find(&ts, SOU_TOK_HAN, "后", 0);
	assert_true(i >= 0);
	assert_int_equal(ts.v[i].brk, 1);
}

static void test_query_doc_agree(void **state)
{
	static const char text[] = "ＡＩ研究：2022Q1 财报，A股 上涨 5G 手机";
	static toks d, q;
	char ud[512], uq[512];
	size_t i, j;

	(void)state;
	run(text, strlen(text), SOU_SEG_DOCUMENT, &d);
	run(text, strlen(text), SOU_SEG_QUERY, &q);
	units(&d, ud, sizeof(ud));
	units(&q, uq, sizeof(uq));
	assert_string_equal(ud, uq);
	/* same units with the same spans and breaks */
	for (i = j = 0; i < d.n; i++) {
		if (d.v[i].kind == SOU_TOK_PART)
			continue;
		assert_int_equal(d.v[i].kind, q.v[j].kind);
		assert_int_equal(d.v[i].start, q.v[j].start);
		assert_int_equal(d.v[i].end, q.v[j].end);
		assert_int_equal(d.v[i].brk, q.v[j].brk);
		j++;
	}
	assert_int_equal(j, q.n);
	assert_int_equal(count_kind(&q, SOU_TOK_PART), 0);
	assert_true(count_kind(&d, SOU_TOK_PART) > 0);
}

static void test_invalid_utf8(void **state)
{
	static const char bad[] = "ab\xff" "cd \xe4\xb8 中\xc0\xaf文\0x \xf0\x9f";
	static toks ts;
	size_t i;
	char *big;

	(void)state;
	run(bad, sizeof(bad) - 1, SOU_SEG_DOCUMENT, &ts);
	assert_int_equal(find(&ts, SOU_TOK_WORD, "ab", 0), 0);
	assert_true(find(&ts, SOU_TOK_WORD, "cd", 0) > 0);
	assert_true(find(&ts, SOU_TOK_HAN, "中", 0) > 0);
	for (i = 0; i < ts.n; i++) {
		assert_true(ts.v[i].end <= sizeof(bad) - 1);
		assert_true(tu_valid_utf8(ts.v[i].term, strlen(ts.v[i].term)));
	}
	/* random bytes: must not crash, tokens stay in bounds */
	big = malloc(4096);
	srand(12345);
	for (i = 0; i < 4096; i++)
		big[i] = (char)(rand() & 0xff);
	{
		static toks many;
		many.n = 0;
		memset(&many, 0, sizeof(many));
		/* stop early so the fixed token array cannot overflow */
		many.stop_after = 500;
		assert_int_equal(sou_segmenter_run(seg, big, 4096, SOU_SEG_DOCUMENT, collect, &many,
						   NULL, NULL), SOU_OK);
		for (i = 0; i < many.n; i++)
			assert_true(many.v[i].end <= 4096);
	}
	free(big);
}

static void test_empty_and_stop(void **state)
{
	static toks ts;
	int stopped = -1;

	(void)state;
	run("", 0, SOU_SEG_DOCUMENT, &ts);
	assert_int_equal(ts.n, 0);
	run("，。！ \n", strlen("，。！ \n"), SOU_SEG_DOCUMENT, &ts);
	assert_int_equal(ts.n, 0);

	memset(&ts, 0, sizeof(ts));
	ts.stop_after = 3;
	assert_int_equal(sou_segmenter_run(seg, "one two three four five", 23, SOU_SEG_QUERY,
					   collect, &ts, &stopped, NULL), SOU_OK);
	assert_int_equal(stopped, 7);
	assert_int_equal(ts.n, 3);
	assert_string_equal(ts.v[2].term, "three");
	/* the segmenter is reusable after a stopped run */
	run("again", 5, SOU_SEG_QUERY, &ts);
	assert_int_equal(ts.n, 1);
	assert_string_equal(ts.v[0].term, "again");
}

static void test_kana(void **state)
{
	static toks ts;
	char u[256];

	(void)state;
	run("カタカナ", strlen("カタカナ"), SOU_SEG_DOCUMENT, &ts);
	units(&ts, u, sizeof(u));
	assert_string_equal(u, "カ|タ|カ|ナ");
	assert_int_equal(count_kind(&ts, SOU_TOK_HAN), 4);
	/* half-width katakana folds to the full-width form */
	run("ｶﾀｶﾅ", strlen("ｶﾀｶﾅ"), SOU_SEG_DOCUMENT, &ts);
	units(&ts, u, sizeof(u));
	assert_string_equal(u, "カ|タ|カ|ナ");
}

static void check_fold(const char *in, const char *want)
{
	sou_buf out = SOU_BUF_INIT;

	sou_buf_adds(&out, "old contents");
	assert_int_equal(sou_segmenter_fold(seg, in, strlen(in), &out, NULL), SOU_OK);
	assert_string_equal(out.data, want);
	assert_int_equal(out.len, strlen(want));
	sou_buf_free(&out);
}

static void test_fold(void **state)
{
	(void)state;
	check_fold("  ＡＩ ", "ai");
	check_fold("AI", "ai");
	check_fold("\xC2\xA0\xE3\x80\x80机器学习\t\n", "机器学习");
	check_fold("Machine Learning", "machine learning");
	check_fold("ＦＩＮＶ２０２２", "finv2022");
	check_fold("", "");
	check_fold("   ", "");
	check_fold("C++", "c++");
}

/* ---- word choice with a dictionary ------------------------------------- */

typedef struct words_ctx {
	sou_buf out;
	size_t word_end; /* end of the last HANWORD: its units are inside */
} words_ctx;

/* Collects the words as --analyze prints them: HANWORDs, and WORD units
 * that are not inside the last HANWORD. */
static int words_token(void *ctx, const sou_token *t)
{
	words_ctx *w = ctx;

	if (t->kind != SOU_TOK_HANWORD && t->kind != SOU_TOK_WORD)
		return 0;
	if (t->kind == SOU_TOK_WORD && t->start < w->word_end)
		return 0;
	if (t->kind == SOU_TOK_HANWORD)
		w->word_end = t->end;
	if (w->out.len)
		sou_buf_addc(&w->out, '/');
	sou_buf_add(&w->out, t->term, t->term_len);
	return 0;
}

/* The words sg chooses for text, joined with '/', must be want. */
static void check_words(sou_segmenter *sg, const char *text, const char *want)
{
	words_ctx w = { SOU_BUF_INIT, 0 };

	assert_int_equal(sou_segmenter_run(sg, text, strlen(text), SOU_SEG_QUERY, words_token,
					   &w, NULL, NULL), SOU_OK);
	if (strcmp(w.out.data ? w.out.data : "", want))
		fail_msg("%s: got %s, want %s", text, w.out.data ? w.out.data : "", want);
	sou_buf_free(&w.out);
}

/* A segmenter in lexicon mode: SOU_LEXICON_WORDS filler words (letters
 * only, so they have no number shape) and the NULL-terminated words. */
static sou_segmenter *lexicon(const char *const *words)
{
	sou_segmenter *sg;
	char w[8];
	size_t i;

	assert_int_equal(sou_segmenter_create(&sg, NULL), SOU_OK);
	for (i = 0; i < SOU_LEXICON_WORDS; i++) {
		size_t k = i, j;
		w[0] = 'q';
		for (j = 1; j < 6; j++, k /= 26)
			w[j] = (char)('a' + k % 26);
		sou_segmenter_add_word(sg, w, 6, 1);
	}
	for (i = 0; words[i]; i++)
		sou_segmenter_add_word(sg, words[i], strlen(words[i]), 1);
	return sg;
}

static void test_dict_words(void **state)
{
	static const char *const words[] = {
		"中华人民共和国", "中华", "共和国", "方面", "面的", "的", "方", NULL
	};
	sou_segmenter *sg = lexicon(words);

	(void)state;
	/* a word is counted once, its prefixes (中华人民, ...) not at all */
	assert_int_equal(sou_segmenter_dict_size(sg), SOU_LEXICON_WORDS + 7);
	sou_segmenter_add_word(sg, "中华", strlen("中华"), 5);
	assert_int_equal(sou_segmenter_dict_size(sg), SOU_LEXICON_WORDS + 7);
	/* long words are found although 中华人, 中华人民 are no words */
	check_words(sg, "中华人民共和国成立", "中华人民共和国/成/立");
	/* 民族, unknown to the lexicon, is joined as ICU's word */
	check_words(sg, "中华民族", "中华/民族");
	sou_segmenter_destroy(sg);
}

static void test_function_char_ties(void **state)
{
	static const char *const words[] = {
		"方面", "面的", "方", "面", "的", "为", "重", "点", "为重", "重点",
		"取得", "得了", "取", "得", "了", NULL
	};
	sou_segmenter *sg = lexicon(words);

	(void)state;
	/* two cuts of two words each: the one leaving 的, 为, 了 alone wins */
	check_words(sg, "方面的", "方面/的");
	check_words(sg, "为重点", "为/重点");
	check_words(sg, "取得了", "取得/了");
	sou_segmenter_destroy(sg);
}

static void test_number_shapes(void **state)
{
	/* PKU: years, months and days are words of their own */
	static const char *const pku[] = {
		"１９９８年", "2000年", "一九九八年", "12月", "五月", "十二月", "31日", "一日",
		"十九日", "2000", "５００", "三十五", "八十", "项", "年", "月", "日", NULL
	};
	/* MSR: whole dates, and numbers with their measure words */
	static const char *const msr[] = {
		"1997年4月29日", "１９９６年５月３０日", "一九九八年六月二日", "4月18日",
		"5月20日", "六月二十二日", "50项", "三项", "20713项", "今年4月1日",
		"今年3月30日", "今年8月14日", "项", "年", "今年", NULL
	};
	sou_segmenter *sg = lexicon(pku);

	(void)state;
	check_words(sg, "2000年12月31日", "2000年/12月/31日");
	check_words(sg, "二○○一年二月三日", "二〇〇一年/二月/三日");
	check_words(sg, "１０年", "10/年"); /* no year: N年 is no PKU shape */
	check_words(sg, "三十六", "三十六");
	sou_segmenter_destroy(sg);

	sg = lexicon(msr);
	check_words(sg, "2000年12月31日", "2000年12月31日");
	check_words(sg, "十二月三十一日", "十二月三十一日");
	check_words(sg, "今年5月9日", "今年5月9日");
	check_words(sg, "８项", "8项");
	check_words(sg, "四十项", "四十项");
	/* a lone 一 or 两 is a determiner: no shape takes it */
	check_words(sg, "一项", "一/项");
	check_words(sg, "两项", "两/项");
	sou_segmenter_destroy(sg);
}

static void test_number_shapes_need_support(void **state)
{
	/* two words of a shape are not enough (SHAPE_MIN is 3); a lexicon
	 * without any shape keeps the built-in number expressions */
	static const char *const two[] = { "50项", "三项", "项", NULL };
	static const char *const none[] = { "项", "年", NULL };
	sou_segmenter *sg = lexicon(two);

	(void)state;
	check_words(sg, "8项", "8/项");
	sou_segmenter_destroy(sg);
	sg = lexicon(none);
	check_words(sg, "2022年3月31日", "2022年3月31日");
	check_words(sg, "48.1%", "48.1%");
	sou_segmenter_destroy(sg);
}

static void test_white_circle_zero(void **state)
{
	/* ○ written for zero in a dictionary word matches the text, where
	 * it is read as 〇; the lexicon's shapes do not cover the word (so
	 * only the dictionary can make it one) */
	static const char *const words[] = { "二○○一年", "3个", "50个", "八个", NULL };
	sou_segmenter *sg = lexicon(words);

	(void)state;
	check_fold("二○○一年", "二〇〇一年");
	check_words(sg, "二○○一年", "二〇〇一年");
	check_words(sg, "二〇〇一年", "二〇〇一年");
	sou_segmenter_destroy(sg);
}

/* ---- SOU_SEG_UNITS ------------------------------------------------------- */

/* A token stream without HANWORDs, as one string: kind, term, offsets,
 * break flag per token. */
static int stream_tok(void *ctx, const sou_token *t)
{
	sou_buf *b = ctx;

	if (t->kind != SOU_TOK_HANWORD)
		sou_buf_addf(b, "%d %s %zu %zu %d\n", (int)t->kind, t->term, t->start, t->end, t->brk);
	return 0;
}

/* Units-only mode gives text's units exactly as the full segmentation. */
static void units_agree(const char *text, size_t len, const char *what)
{
	sou_buf full = SOU_BUF_INIT, quick = SOU_BUF_INIT;
	sou_error err;
	unsigned f;

	for (f = SOU_SEG_DOCUMENT; f <= SOU_SEG_QUERY; f <<= 1) {
		sou_buf_reset(&full);
		sou_buf_reset(&quick);
		assert_int_equal(sou_segmenter_run(seg, text, len, f, stream_tok, &full, NULL, &err),
				 SOU_OK);
		assert_int_equal(sou_segmenter_run(seg, text, len, f | SOU_SEG_UNITS, stream_tok,
						   &quick, NULL, &err), SOU_OK);
		if (full.len != quick.len || memcmp(full.data, quick.data, full.len)) {
			size_t i = 0;
			while (i < full.len && i < quick.len && full.data[i] == quick.data[i])
				i++;
			while (i > 0 && full.data[i - 1] != '\n')
				i--;
			fail_msg("%s: units differ at byte %zu of the stream:\n  full:  %.80s\n  units: %.80s",
				 what, i, full.data + i, quick.data + i);
		}
	}
	sou_buf_free(&full);
	sou_buf_free(&quick);
}

static void test_units_mode_edges(void **state)
{
	static const char *const texts[] = {
		"中国农业发展银行今天发布了FINV指数。2022q1财报：营收397亿元，同比增长48.1%。",
		"二○○一年，A股、港股与美股；食べる東京タワー。",
		"汉\xCC\x81字与组合符号，汉\xE2\x80\x8D字与零宽连接符，𠀀字在补充平面。",
		"ＦＵＬＬ　ｗｉｄｔｈ　全角１２３，U.S. 3.14 don't 1,000 你好.世界",
		"　开头的全角空格\n换行\t制表 结尾%",
		"銀行與發展，簡體与繁體混排。〇〇七",
		/* a radical (U+2EC4) that ICU's dictionary takes with its neighbours */
		"中\xE2\xBB\x84商，\xE2\xBB\x84，々木，東京タワー",
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(texts) / sizeof(texts[0]); i++)
		units_agree(texts[i], strlen(texts[i]), texts[i]);
}

/* Every post of the sample corpus, and of ../shared's finews posts when
 * present (SOU_SRC and SOU_SHARED come from ctest). */
static size_t units_dir(const char *dir)
{
	char cmd[1200];
	char path[1024];
	FILE *ls;
	size_t n = 0;

	snprintf(cmd, sizeof(cmd), "find -L '%s' -type f -name '*.md' | sort", dir);
	ls = popen(cmd, "r");
	assert_non_null(ls);
	while (fgets(path, sizeof(path), ls)) {
		FILE *f;
		sou_buf text = SOU_BUF_INIT;
		char chunk[4096];
		size_t k;
		path[strcspn(path, "\n")] = '\0';
		f = fopen(path, "rb");
		assert_non_null(f);
		while ((k = fread(chunk, 1, sizeof(chunk), f)) > 0)
			sou_buf_add(&text, chunk, k);
		fclose(f);
		units_agree(text.data ? text.data : "", text.len, path);
		sou_buf_free(&text);
		n++;
	}
	pclose(ls);
	return n;
}

static void test_units_mode_posts(void **state)
{
	const char *src = getenv("SOU_SRC"), *shared = getenv("SOU_SHARED");
	char dir[1024];

	(void)state;
	if (!src) {
		print_message("SOU_SRC unset (run through ctest): posts not compared\n");
		return;
	}
	snprintf(dir, sizeof(dir), "%s/corpus", src);
	assert_true(units_dir(dir) >= 40);
	snprintf(dir, sizeof(dir), "%s/corpus/finews", shared ? shared : "");
	if (!shared || access(dir, R_OK)) {
		print_message("skipped: %s is absent (../shared)\n", dir);
		return;
	}
	assert_true(units_dir(dir) >= 50);
	print_message("compared %s\n", dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_chinese),
		cmocka_unit_test(test_offsets_after_prefix),
		cmocka_unit_test(test_latin_lowercase),
		cmocka_unit_test(test_fullwidth),
		cmocka_unit_test(test_mixed_word_parts),
		cmocka_unit_test(test_latin_han_chain),
		cmocka_unit_test(test_breaks),
		cmocka_unit_test(test_long_word_breaks_chain),
		cmocka_unit_test(test_query_doc_agree),
		cmocka_unit_test(test_invalid_utf8),
		cmocka_unit_test(test_empty_and_stop),
		cmocka_unit_test(test_kana),
		cmocka_unit_test(test_fold),
		cmocka_unit_test(test_dict_words),
		cmocka_unit_test(test_function_char_ties),
		cmocka_unit_test(test_number_shapes),
		cmocka_unit_test(test_number_shapes_need_support),
		cmocka_unit_test(test_white_circle_zero),
		cmocka_unit_test(test_units_mode_edges),
		cmocka_unit_test(test_units_mode_posts),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
