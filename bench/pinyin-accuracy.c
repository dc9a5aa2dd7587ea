/*
 * pinyin-accuracy.c - polyphone accuracy of sou's readings (pinyin.h),
 * held out, on a word list built from the dictionary itself.
 *
 *   sou-bench-pinyin [-v]
 *
 * The list: every word of two or more characters in the compiled table
 * (pinyin_table.h, from rime-data-luna-pinyin) with at least one
 * polyphonic character (one the table gives two readings or more).  Each
 * word is read three ways, none of which may use the word's own entry:
 *   sou      the table's other words, then characters, then ICU
 *            (SOU_PINYIN_DEFAULT | SOU_PINYIN_HOLD_OUT): what sou does
 *            for a word it does not know
 *   chars    each character's most common reading, ICU where the table
 *            has none
 *   icu      ICU's Han-Latin transliterator alone (toneless)
 * and counted right when the whole reading equals the dictionary's.  The
 * words the table does know read right by construction (test_pinyin.c
 * checks that), so this measures the composition, not the lookup.  -v
 * lists the words sou reads wrong, with both readings.
 */
#include <stdio.h>
#include <string.h>

#include "buf.h"
#include "pinyin.h"

static int polyphonic(const char *w)
{
	const unsigned char *p = (const unsigned char *)w;

	while (*p) {
		size_t n = *p < 0x80 ? 1 : *p < 0xE0 ? 2 : *p < 0xF0 ? 3 : 4;
		const char *r = sou_pinyin_lookup((const char *)p, n);
		if (r && strchr(r, '|'))
			return 1;
		p += n;
	}
	return 0;
}

int main(int argc, char **argv)
{
	static const struct { const char *name; unsigned flags; } ways[] = {
		{ "sou", SOU_PINYIN_DEFAULT | SOU_PINYIN_HOLD_OUT },
		{ "chars", SOU_PINYIN_CHARS | SOU_PINYIN_ICU },
		{ "icu", SOU_PINYIN_ICU },
	};
	unsigned long right[3] = { 0 }, words = 0;
	int verbose = argc > 1 && !strcmp(argv[1], "-v");
	sou_pinyin *py;
	sou_error err;
	sou_buf out = SOU_BUF_INIT;
	size_t i, k;

	if (sou_pinyin_create(&py, &err)) {
		fprintf(stderr, "sou-bench-pinyin: %s\n", err.msg);
		return 1;
	}
	for (i = 0; i < sou_pinyin_table_size(); i++) {
		const char *key, *truth;
		sou_pinyin_table_entry(i, &key, &truth);
		if (!strchr(truth, ' ') || !polyphonic(key))
			continue; /* a character, or a word without a polyphone */
		words++;
		for (k = 0; k < 3; k++) {
			int ok = sou_pinyin_reading(py, key, strlen(key), ways[k].flags, &out, NULL) &&
				 !strcmp(out.data, truth);
			right[k] += ok;
			if (verbose && k == 0 && !ok)
				printf("%s\t%s\t%s\n", key, truth, out.data ? out.data : "");
		}
	}
	printf("| words with a polyphone | sou (held out) | per-character most common | ICU Han-Latin |\n");
	printf("|---:|---:|---:|---:|\n");
	printf("| %lu | %.1f%% | %.1f%% | %.1f%% |\n", words, 100.0 * right[0] / words,
	       100.0 * right[1] / words, 100.0 * right[2] / words);
	sou_buf_free(&out);
	sou_pinyin_destroy(py);
	return 0;
}
