/*
 * segment.c - ICU word breaking, folding and word choice (see segment.h).
 *
 * The input is converted to UTF-16 once per call with a parallel table of
 * byte offsets (off[i] is the byte offset in the input of UTF-16 unit i;
 * off[n] == len), so every token can report its span in the original
 * text even though folding changes lengths (e.g. full-width "ＦＩＮＶ",
 * 12 bytes, folds to "finv").
 *
 * Pipeline per call: ICU segments -> atoms (folded units, plus '%' signs
 * that may end a number) collected per chain -> for each chain a
 * lowest-cost path of words (dynamic programming over atoms) -> tokens.
 *
 * The dictionary table also holds every prefix of its words (cost 0), so
 * the search for words starting at an atom stops as soon as no word
 * starts with the atoms read so far.
 */
#include "segment.h"
#include "units.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unicode/ubrk.h>
#include <unicode/uchar.h>
#include <unicode/unorm2.h>
#include <unicode/uscript.h>
#include <unicode/ustring.h>
#include <unicode/utf16.h>
#include <unicode/utf8.h>
#include <unicode/utrans.h>
#include <xxhash.h>

#include "linefile.h"

/* Costs of candidate words; the path with the lowest total wins, so fewer,
 * longer known words beat many single characters (see README). */
#define COST_KNOWN 1.0      /* a dictionary or ICU word, or a known single character */
#define COST_USER 0.95      /* a user-dictionary word (preferred over ICU's) */
#define COST_UNKNOWN 1.3    /* a single character no lexicon knows */
#define COST_NUMBER 0.8     /* a number expression: 397亿元, 2022年3月31日 */
#define COST_SHAPE 0.9      /* a span of a number shape the lexicon uses */
/* A known single function character (FUNCTION_CHARS) standing alone costs
 * this much less, so that of two cuts with as many words the one that
 * leaves 的/了/为... alone wins: 方面/的 over 方/面的, 为/重点 over
 * 为重/点.  Small enough never to outweigh a whole word. */
#define COST_FUNCTION_BONUS 0.05
#define MAX_WORD_ATOMS 16   /* longest dictionary word considered */

/* Characters that mostly stand alone as function words: ICU words made
 * only of single characters are not joined across these in lexicon mode
 * ("新的", "中的" are two words).  Written for sou. */
static const char FUNCTION_CHARS[] =
	"的了是在有也都要就更很一这那它他她你我们中到上下出做作成将会和与及或而但并且"
	"被把让给对从向于以为之其所得地着过个些每各该此本不没无已还再又才只最太多少大小新好人";

/* Chinese numerals and the units that end a number expression. */
static const char CN_NUMERALS[] = "〇○零一二三四五六七八九十百千两";
static const char CN_DIGITS[] = "〇○零一二三四五六七八九"; /* a year: 一九九八 */

/*
 * Number shapes: a lexicon says how it writes number expressions through
 * its words.  Each dictionary word containing a number is reduced to a
 * shape, every number in it (a run of digits with . and , inside, or of
 * Chinese numerals) replaced by SHAPE_YEAR if it could be a year (four
 * digits, or four of 〇 to 九) and SHAPE_NUM otherwise: 1998年 and
 * 一九九八年 are "Y年", 4月18日 and 六月二十二日 "N月N日", 500多篇 "N多篇",
 * 今年3月 "今年N月".  In lexicon mode a span of text whose shape SHAPE_MIN
 * or more lexicon words have is a candidate word, and these candidates
 * replace the built-in number expressions: a lexicon that writes 1998年
 * and 12月 and 31日 as words but no N月N日 gets 1998年/12月/31日 (the
 * PKU convention), one full of N月N日 and N个 gets 12月31日 and 3个 (the
 * MSR convention).
 */
#define SHAPE_NUM '\x01'
#define SHAPE_YEAR '\x02'
#define SHAPE_MIN 3          /* lexicon words a shape needs to be used */
#define MAX_SHAPE_ATOMS 12   /* longest span tried, in atoms */
#define MAX_SHAPE_PREFIX 3   /* atoms before its first number (今年N月) */
#define MAX_SHAPE_BYTES 96
static const char NUM_MULTIPLIERS[] = "万亿千百";
static const char NUM_UNITS1[] = "年月日号时点分秒岁元个倍余多%％";
static const char *const NUM_UNITS2[] = { "公斤", "公里", "美元", "亿元", "万元", "港元", "季度" };

typedef struct atom {
	size_t t_off, t_len;   /* folded term in the arena (contiguous per chain) */
	size_t start, end;     /* bytes of the original text */
	int32_t u16a, u16b;    /* UTF-16 range, for word parts */
	int kind;              /* ATOM_HAN, ATOM_WORD or ATOM_SIGN */
	int icu_seg;           /* ICU segment it came from */
	int brk;               /* first unit of a chain (or after a sign) */
	int digits;            /* a WORD made of digits (and . ,) */
	unsigned cls;          /* CLS_* of a one-character HAN atom; CLS_UNIT of a SIGN */
} atom;

/* Classes of CJK characters, looked up in sou_segmenter.cls (built from
 * the strings above) rather than searched for in them. */
enum {
	CLS_FUNCTION = 1,      /* FUNCTION_CHARS */
	CLS_NUMERAL = 2,       /* CN_NUMERALS */
	CLS_DIGIT = 4,         /* CN_DIGITS */
	CLS_MULTIPLIER = 8,    /* NUM_MULTIPLIERS */
	CLS_UNIT = 16          /* NUM_UNITS1 */
};
#define CLS_FIRST 0x3000
#define CLS_LIMIT 0xA000

enum { ATOM_HAN = 1, ATOM_WORD = 2, ATOM_SIGN = 3 };

typedef struct dict_entry {
	char *word;            /* the key; NULL: an empty slot */
	uint32_t len;
	uint32_t hash;         /* low bits of the key's hash, compared first */
	float cost;            /* a word's cost, 0 for a prefix only; a shape's count */
	unsigned char prefix;  /* a longer dictionary word starts with this key */
	unsigned char shared;  /* word points into another entry's key: not freed */
} dict_entry;

typedef struct word_table {
	dict_entry *e;
	size_t n, cap;
} word_table;

struct sou_segmenter {
	UBreakIterator *bi;
	const UNormalizer2 *nfkc_cf;
	UTransliterator *t2s;
	int32_t *t2s_cache;    /* per code point in [0x3400, 0xA000): 0 unknown, -1 not 1:1 */
	unsigned char *cls;    /* CLS_* per code point in [CLS_FIRST, CLS_LIMIT) */
	UChar *u16;            /* input as UTF-16 */
	size_t *off;           /* byte offset of each UTF-16 unit, plus one */
	size_t cap16;
	UChar *norm;           /* scratch for normalisation */
	int32_t normcap;
	sou_buf term;          /* scratch */
	sou_buf tok;           /* the current token's term */
	sou_buf arena;         /* folded atom terms of the current chain */
	atom *atoms;
	size_t natoms, atomcap;
	double *best;          /* DP over atoms */
	int *back;
	size_t dpcap;
	int *numrun;           /* per atom of the chain: see mark_numbers */
	int carry_brk;         /* a sign ended the last flushed part of a chain */
	/* dictionary */
	word_table dict;       /* words, and the prefixes of words (cost 0) */
	size_t nwords;         /* words in dict */
	size_t dict_maxlen;    /* longest word, in code points */
	word_table shapes;     /* number shapes of the dictionary's words; cost = count */
	size_t nshapes;        /* shapes with SHAPE_MIN words or more */
};

/* ---- small helpers ------------------------------------------------------- */

static int utf8_contains(const char *set, const char *s, size_t n)
{
	const char *p = set;
	size_t m = strlen(set);

	while ((p = memchr(p, s[0], m - (size_t)(p - set)))) {
		if ((size_t)(set + m - p) >= n && !memcmp(p, s, n))
			return 1;
		p++;
	}
	return 0;
}

static size_t count_cps(const char *s, size_t n)
{
	size_t i, c = 0;

	for (i = 0; i < n; i++)
		c += ((unsigned char)s[i] & 0xC0) != 0x80;
	return c;
}

/* ---- word tables --------------------------------------------------------- */

/* An open-addressing hash table of strings (the dictionary, the number
 * shapes); cap is 0 or a power of two, at most three quarters full. */
static dict_entry *tab_slot(const word_table *t, const char *w, size_t n, uint64_t h)
{
	size_t mask = t->cap - 1, i = (size_t)h & mask;

	for (;; i = (i + 1) & mask) {
		dict_entry *e = &t->e[i];
		if (!e->word || (e->hash == (uint32_t)h && e->len == n && !memcmp(e->word, w, n)))
			return e;
	}
}

static const dict_entry *tab_find(const word_table *t, const char *w, size_t n)
{
	dict_entry *e;

	if (!t->n)
		return NULL;
	e = tab_slot(t, w, n, XXH3_64bits(w, n));
	return e->word ? e : NULL;
}

/* The entry for w, added (value 0) if it is new: its key is a copy of w,
 * or shared if not NULL (a key of the table that begins with w). */
static dict_entry *tab_add(word_table *t, const char *w, size_t n, char *shared)
{
	dict_entry *e;
	uint64_t h = XXH3_64bits(w, n);

	if ((t->n + 1) * 4 >= t->cap * 3) {
		dict_entry *old = t->e;
		size_t oldcap = t->cap, i;
		/* not an array to extend but a table to rehash into a new
		 * one twice the size (a power of two: see tab_slot) */
		t->cap = t->cap ? t->cap * 2 : 1024;
		t->e = sou_xcalloc(t->cap, sizeof(dict_entry));
		for (i = 0; i < oldcap; i++)
			if (old[i].word)
				*tab_slot(t, old[i].word, old[i].len, old[i].hash) = old[i];
		free(old);
	}
	e = tab_slot(t, w, n, h);
	if (!e->word) {
		e->word = shared ? shared : sou_xstrndup(w, n);
		e->shared = shared != NULL;
		e->len = (uint32_t)n;
		e->hash = (uint32_t)h;
		e->cost = 0;
		e->prefix = 0;
		t->n++;
	}
	return e;
}

static void tab_free(word_table *t)
{
	size_t i;

	for (i = 0; i < t->cap; i++)
		if (!t->e[i].shared)
			free(t->e[i].word);
	free(t->e);
}

/* The dictionary word w, or NULL; *more (may be NULL) says whether a
 * longer word starts with w. */
static const dict_entry *dict_find(const sou_segmenter *s, const char *w, size_t n, int *more)
{
	const dict_entry *e = tab_find(&s->dict, w, n);

	if (more)
		*more = e && e->prefix;
	return e && e->cost > 0 ? e : NULL;
}

/* ---- folding ------------------------------------------------------------- */

/* Folds u16[0, n) with NFKC_Casefold and appends its UTF-8 to out. */
static int fold_range(sou_segmenter *s, const UChar *src, int32_t n, sou_buf *out)
{
	UErrorCode st = U_ZERO_ERROR;
	int32_t i, m, u8len = 0;
	int ascii = 1;

	for (i = 0; i < n; i++)
		if (src[i] >= 0x80) {
			ascii = 0;
			break;
		}
	if (ascii) {
		sou_buf_grow(out, (size_t)n);
		for (i = 0; i < n; i++) {
			UChar c = src[i];
			out->data[out->len++] = (char)(c >= 'A' && c <= 'Z' ? c + 32 : c);
		}
		out->data[out->len] = '\0';
		return 1;
	}
	for (;;) {
		m = unorm2_normalize(s->nfkc_cf, src, n, s->norm, s->normcap, &st);
		if (st == U_BUFFER_OVERFLOW_ERROR) {
			st = U_ZERO_ERROR;
			s->normcap = m + 16;
			s->norm = sou_xrealloc(s->norm, (size_t)s->normcap * sizeof(UChar));
			continue;
		}
		break;
	}
	if (U_FAILURE(st))
		return 0;
	u_strToUTF8(NULL, 0, &u8len, s->norm, m, &st);
	st = U_ZERO_ERROR;
	sou_buf_grow(out, (size_t)u8len);
	u_strToUTF8(out->data + out->len, u8len + 1, &u8len, s->norm, m, &st);
	if (U_FAILURE(st) && st != U_STRING_NOT_TERMINATED_WARNING)
		return 0;
	out->len += (size_t)u8len;
	out->data[out->len] = '\0';
	return 1;
}

/* Traditional to simplified for one code point (cached); c if unchanged. */
static UChar32 to_simplified(sou_segmenter *s, UChar32 c)
{
	UChar buf[8];
	int32_t len = 0, limit, cap = 8;
	UErrorCode st = U_ZERO_ERROR;
	UChar32 r;

	if (!s->t2s || c < 0x3400 || c >= 0xA000)
		return c;
	if (s->t2s_cache[c - 0x3400])
		return s->t2s_cache[c - 0x3400] < 0 ? c : s->t2s_cache[c - 0x3400];
	U16_APPEND_UNSAFE(buf, len, c);
	limit = len;
	utrans_transUChars(s->t2s, buf, &len, cap, 0, &limit, &st);
	if (U_SUCCESS(st) && len >= 1 && len <= 2) {
		int32_t i = 0;
		U16_NEXT(buf, i, len, r);
		if (i == len) {
			s->t2s_cache[c - 0x3400] = r;
			return r;
		}
	}
	s->t2s_cache[c - 0x3400] = -1;
	return c;
}

/* Folds one CJK code point (NFKC_Casefold then simplified) into out. */
static int fold_ideo(sou_segmenter *s, const UChar *u, int32_t n, UChar32 c, sou_buf *out)
{
	size_t at = out->len;
	int32_t i = 0;
	UChar32 f;
	char u8[4];
	int32_t n8 = 0;

	/* CJK unified ideographs fold to themselves under NFKC_Casefold */
	if (!((c >= 0x4E00 && c <= 0x9FFF) || (c >= 0x3400 && c <= 0x4DBF) ||
	      (c >= 0x20000 && c <= 0x2A6DF))) {
		if (!fold_range(s, u, n, out))
			return 0;
		if (out->len - at > 4)
			return 1; /* several characters: leave as they are */
		U8_NEXT((const uint8_t *)out->data + at, i, (int32_t)(out->len - at), f);
		if (f < 0)
			return 1;
		out->len = at;
		c = f;
	}
	c = to_simplified(s, c);
	U8_APPEND_UNSAFE(u8, n8, c);
	sou_buf_add(out, u8, (size_t)n8);
	return 1;
}

/* ---- create / destroy ---------------------------------------------------- */

/* Marks the characters of set (UTF-8) in the class table. */
static void add_class(sou_segmenter *s, const char *set, unsigned flag)
{
	int32_t i = 0, n = (int32_t)strlen(set);
	UChar32 c;

	while (i < n) {
		U8_NEXT((const uint8_t *)set, i, n, c);
		if (c >= CLS_FIRST && c < CLS_LIMIT)
			s->cls[c - CLS_FIRST] |= (unsigned char)flag;
	}
}

/* The class of a folded atom term: that of its character if it has one. */
static unsigned term_class(const sou_segmenter *s, const char *t, size_t n)
{
	int32_t i = 0;
	UChar32 c;

	U8_NEXT((const uint8_t *)t, i, (int32_t)n, c);
	if ((size_t)i != n || c < CLS_FIRST || c >= CLS_LIMIT)
		return 0;
	return s->cls[c - CLS_FIRST];
}

sou_status sou_segmenter_create(sou_segmenter **out, sou_error *err)
{
	static const UChar t2s_id[] = { 'T', 'r', 'a', 'd', 'i', 't', 'i', 'o', 'n', 'a', 'l',
					'-', 'S', 'i', 'm', 'p', 'l', 'i', 'f', 'i', 'e', 'd', 0 };
	UErrorCode st = U_ZERO_ERROR;
	sou_segmenter *s = sou_xcalloc(1, sizeof(*s));

	*out = NULL;
	s->bi = ubrk_open(UBRK_WORD, "zh", NULL, 0, &st);
	if (U_FAILURE(st)) {
		free(s);
		return sou_error_set(err, SOU_ERR_INTERNAL,
				     "ICU word break iterator: %s", u_errorName(st));
	}
	s->nfkc_cf = unorm2_getNFKCCasefoldInstance(&st);
	if (U_FAILURE(st)) {
		sou_segmenter_destroy(s);
		return sou_error_set(err, SOU_ERR_INTERNAL,
				     "ICU NFKC_Casefold normaliser: %s", u_errorName(st));
	}
	s->t2s = utrans_openU(t2s_id, -1, UTRANS_FORWARD, NULL, 0, NULL, &st);
	if (U_FAILURE(st)) {
		sou_segmenter_destroy(s);
		return sou_error_set(err, SOU_ERR_INTERNAL,
				     "ICU Traditional-Simplified transform: %s", u_errorName(st));
	}
	s->t2s_cache = sou_xcalloc(0xA000 - 0x3400, sizeof(int32_t));
	s->cls = sou_xcalloc(CLS_LIMIT - CLS_FIRST, 1);
	add_class(s, FUNCTION_CHARS, CLS_FUNCTION);
	add_class(s, CN_NUMERALS, CLS_NUMERAL);
	add_class(s, CN_DIGITS, CLS_DIGIT);
	add_class(s, NUM_MULTIPLIERS, CLS_MULTIPLIER);
	add_class(s, NUM_UNITS1, CLS_UNIT);
	*out = s;
	return SOU_OK;
}

void sou_segmenter_destroy(sou_segmenter *s)
{
	if (!s)
		return;
	if (s->bi)
		ubrk_close(s->bi);
	if (s->t2s)
		utrans_close(s->t2s);
	free(s->t2s_cache);
	free(s->cls);
	free(s->u16);
	free(s->off);
	free(s->norm);
	free(s->atoms);
	free(s->best);
	free(s->back);
	tab_free(&s->dict);
	tab_free(&s->shapes);
	free(s->numrun);
	sou_buf_free(&s->term);
	sou_buf_free(&s->tok);
	sou_buf_free(&s->arena);
	free(s);
}

/* UTF-8 to UTF-16 with the offset table (byte offsets plus base);
 * invalid bytes become U+FFFD. */
static int32_t to_utf16_at(sou_segmenter *s, const char *text, size_t len, size_t base)
{
	const uint8_t *p = (const uint8_t *)text;
	int32_t i = 0, n = 0, ilen;
	UChar32 c;

	if (len > INT32_MAX / 2)
		len = INT32_MAX / 2;
	ilen = (int32_t)len;
	if ((size_t)ilen + 1 > s->cap16) {
		s->cap16 = (size_t)ilen + 1;
		s->u16 = sou_xrealloc(s->u16, s->cap16 * sizeof(UChar));
		s->off = sou_xrealloc(s->off, s->cap16 * sizeof(size_t));
	}
	while (i < ilen) {
		int32_t at = i;
		U8_NEXT(p, i, ilen, c);
		if (c < 0 || c == 0)
			c = 0xFFFD; /* invalid UTF-8, and NUL, read as U+FFFD */
		if (c > 0xFFFF) {
			s->off[n] = base + (size_t)at;
			s->u16[n++] = U16_LEAD(c);
			s->off[n] = base + (size_t)at;
			s->u16[n++] = U16_TRAIL(c);
		} else {
			s->off[n] = base + (size_t)at;
			s->u16[n++] = (UChar)c;
		}
	}
	s->off[n] = base + (size_t)ilen;
	return n;
}

static int32_t to_utf16(sou_segmenter *s, const char *text, size_t len)
{
	return to_utf16_at(s, text, len, 0);
}

/* Folds text for comparison: NFKC_Casefold, then CJK to simplified. */
static int fold_text(sou_segmenter *s, const UChar *u, int32_t n, sou_buf *out)
{
	int32_t i = 0;

	while (i < n) {
		int32_t at = i;
		UChar32 c;
		U16_NEXT(u, i, n, c);
		if (c == 0x25CB) {
			/* WHITE CIRCLE written for zero (二○○一年): the text's
			 * atoms read it as 〇 (see sou_segmenter_run), and so
			 * does quick_fold */
			sou_buf_add(out, "\xE3\x80\x87", 3);
		} else if (c >= 0x2E80 && !(c >= 0xAC00 && c <= 0xD7AF)) {
			if (!fold_ideo(s, u + at, i - at, c, out))
				return 0;
		} else {
			/* fold runs of other characters together (combining marks) */
			int32_t j = i;
			while (j < n) {
				int32_t k = j;
				UChar32 d;
				U16_NEXT(u, k, n, d);
				if (d == 0x25CB || (d >= 0x2E80 && !(d >= 0xAC00 && d <= 0xD7AF)))
					break;
				j = k;
			}
			if (!fold_range(s, u + at, j - at, out))
				return 0;
			i = j;
		}
	}
	return 1;
}

/*
 * A lone 一 or 两 is mostly a determiner ("a", "both"), not a count: 一项,
 * 一年, 两大 are two words where 3项, 三年 are one, so it is no number in
 * a shape (the lexicon lists its own words such as 一个).
 */
static int lone_determiner(const char *w, size_t n)
{
	return n == 3 && (!memcmp(w, "一", 3) || !memcmp(w, "两", 3));
}

/*
 * Writes into out (room for MAX_SHAPE_BYTES) the number shape of the
 * folded word w[0, n) (see SHAPE_NUM) and returns its length, or 0 if the
 * word has no number or is too long.  A number is a run of ASCII digits
 * (with . or , between digits) and Chinese numerals; the same runs of
 * atoms are numbers in text (mark_numbers).
 */
static size_t word_shape(const char *w, size_t n, char *out)
{
	size_t i = 0, o = 0;
	int nums = 0;

	if (n > MAX_SHAPE_BYTES)
		return 0;
	while (i < n) {
		size_t j = i, digits = 0, cn = 0;
		int other = 0;
		for (;;) {
			if (j < n && w[j] >= '0' && w[j] <= '9') {
				j++;
				digits++;
			} else if (j + 1 < n && digits && (w[j] == '.' || w[j] == ',') &&
				   w[j + 1] >= '0' && w[j + 1] <= '9') {
				j++;
				other = 1;
			} else if (j + 3 <= n && utf8_contains(CN_NUMERALS, w + j, 3)) {
				other |= !utf8_contains(CN_DIGITS, w + j, 3);
				j += 3;
				cn++;
			} else {
				break;
			}
		}
		if (j > i && !lone_determiner(w + i, j - i)) {
			out[o++] = !other && ((digits == 4 && !cn) || (cn == 4 && !digits))
				   ? SHAPE_YEAR : SHAPE_NUM;
			nums++;
			i = j;
		} else {
			/* one character, literally (j == i: a lone 一 or 两 too) */
			j = j > i ? j : i + 1;
			while (j < n && ((unsigned char)w[j] & 0xC0) == 0x80)
				j++;
			memcpy(out + o, w + i, j - i);
			o += j - i;
			i = j;
		}
	}
	return nums ? o : 0;
}

void sou_segmenter_add_word(sou_segmenter *s, const char *word, size_t len, double weight)
{
	int32_t n = to_utf16(s, word, len);
	dict_entry *e;
	float cost = (float)(weight > 1 ? COST_USER - 0.05 * log10(weight) : COST_USER);

	if (cost < 0.5f)
		cost = 0.5f;
	sou_buf_reset(&s->term);
	if (!fold_text(s, s->u16, n, &s->term) || !s->term.len)
		return;
	e = tab_add(&s->dict, s->term.data, s->term.len, NULL);
	if (!e->cost) {
		/* a new word: count its number shape, mark its prefixes (their
		 * keys share this word's) */
		char shape[MAX_SHAPE_BYTES], *key = e->word;
		size_t sl = word_shape(s->term.data, s->term.len, shape), p;
		if (sl && ++tab_add(&s->shapes, shape, sl, NULL)->cost == SHAPE_MIN)
			s->nshapes++;
		s->nwords++;
		for (p = 1; p < s->term.len; p++)
			if (((unsigned char)key[p] & 0xC0) != 0x80)
				tab_add(&s->dict, key, p, key)->prefix = 1;
		e = tab_add(&s->dict, key, s->term.len, NULL); /* may have moved */
	}
	e->cost = cost;
	n = (int32_t)count_cps(s->term.data, s->term.len);
	if ((size_t)n > s->dict_maxlen)
		s->dict_maxlen = (size_t)n;
}

size_t sou_segmenter_dict_size(const sou_segmenter *s)
{
	return s->nwords;
}

sou_status sou_segmenter_load_dict(sou_segmenter *s, const char *path, sou_error *err)
{
	sou_linefile *lf = NULL;
	const char *line;
	size_t len;
	sou_status st = sou_linefile_open(path, &lf, err);

	while (!st && !(st = sou_linefile_next(lf, &line, &len, err)) && line) {
		const char *e = line, *num;
		char *end;
		double w = 1;

		while (*e && *e != ' ' && *e != '\t')
			e++;
		num = e;
		while (*num == ' ' || *num == '\t')
			num++;
		if (*num) {
			w = strtod(num, &end);
			if (end == num || *end || !(w > 0))
				st = sou_linefile_error(lf, err, SOU_ERR_PARSE,
							"expected a word and an optional positive weight");
		}
		if (!st)
			sou_segmenter_add_word(s, line, (size_t)(e - line), w);
	}
	sou_linefile_close(lf);
	return st;
}

/* ---- tokens -------------------------------------------------------------- */

typedef struct emit_ctx {
	sou_token_fn fn;
	void *ctx;
	int stopped;
	unsigned flags;
	int ok;
	sou_buf *tok;   /* the NUL-terminated copy handed to the callback */
} emit_ctx;

static int emit(emit_ctx *e, sou_tok_kind kind, const char *term, size_t tlen,
		size_t start, size_t end, int brk)
{
	sou_token t;

	sou_buf_reset(e->tok);
	sou_buf_add(e->tok, term, tlen);
	t.kind = kind;
	t.term = e->tok->data;
	t.term_len = tlen;
	t.start = start;
	t.end = end;
	t.brk = brk;
	e->stopped = e->fn(e->ctx, &t);
	return e->stopped;
}

enum { CL_OTHER, CL_ALPHA, CL_DIGIT };

static int cls(UChar32 c)
{
	if (u_isdigit(c))
		return CL_DIGIT;
	if (u_isalpha(c))
		return CL_ALPHA;
	return CL_OTHER;
}

#define MAX_GROUPS 6

/*
 * Parts of a mixed word [a, b): maximal runs of letters or of digits
 * ("2022q1" -> 2022 | q | 1; "48.1" stays whole since '.' between digits
 * joins them).  Every contiguous run of groups except the whole word is
 * emitted, so "q1", "2022q" and "2022" are all findable.
 */
static int do_parts(sou_segmenter *s, int32_t a, int32_t b, emit_ctx *e)
{
	int32_t gs[MAX_GROUPS + 1], ge[MAX_GROUPS + 1];
	int ng = 0, cur = CL_OTHER, i0, i1;
	int32_t i = a;

	while (i < b) {
		int32_t at = i;
		UChar32 c;
		int k;
		U16_NEXT(s->u16, i, b, c);
		k = cls(c);
		if (k == CL_OTHER && cur == CL_DIGIT && (c == '.' || c == ',') && i < b) {
			int32_t j = i;
			UChar32 d;
			U16_NEXT(s->u16, j, b, d);
			if (cls(d) == CL_DIGIT)
				continue; /* 48.1, 1,000 */
		}
		if (k == CL_OTHER) {
			cur = CL_OTHER;
			continue;
		}
		if (k != cur) {
			if (ng == MAX_GROUPS + 1)
				return 0; /* too many parts: keep only the whole word */
			gs[ng] = at;
			ng++;
			cur = k;
		}
		ge[ng - 1] = i;
	}
	if (ng < 2 || ng > MAX_GROUPS)
		return 0;
	for (i0 = 0; i0 < ng; i0++)
		for (i1 = i0; i1 < ng; i1++) {
			if (i0 == 0 && i1 == ng - 1)
				continue;
			sou_buf_reset(&s->term);
			if (!fold_range(s, s->u16 + gs[i0], ge[i1] - gs[i0], &s->term)) {
				e->ok = 0;
				return 0;
			}
			if (s->term.len && s->term.len <= SOU_MAX_UNIT_BYTES &&
			    emit(e, SOU_TOK_PART, s->term.data, s->term.len,
				 s->off[gs[i0]], s->off[ge[i1]], 0))
				return 1;
		}
	return 0;
}

/* ---- number expressions -------------------------------------------------- */

static const char *aterm(const sou_segmenter *s, const atom *a)
{
	return s->arena.data + a->t_off;
}

static int is_cn_numeral(const sou_segmenter *s, const atom *a)
{
	(void)s;
	return a->kind == ATOM_HAN && (a->cls & CLS_NUMERAL);
}

/* Is a a Chinese character or sign of class flag (CLS_*)? */
static int atom_is(const atom *a, unsigned flag)
{
	return (a->kind == ATOM_HAN || a->kind == ATOM_SIGN) && (a->cls & flag);
}

/* A number at atom i: digits, or a run of Chinese numerals; returns atoms used. */
static size_t match_num(const sou_segmenter *s, size_t i, size_t n, int allow_single_cn)
{
	size_t j = i;

	if (i < n && s->atoms[i].kind == ATOM_WORD && s->atoms[i].digits)
		return 1;
	while (j < n && is_cn_numeral(s, &s->atoms[j]))
		j++;
	if (j - i >= 2 || (j - i == 1 && allow_single_cn))
		return j - i;
	return 0;
}

/* A unit after a number: multipliers then one unit; returns atoms used. */
static size_t match_unit(const sou_segmenter *s, size_t i, size_t n)
{
	size_t j = i, k;

	while (j < n && atom_is(&s->atoms[j], CLS_MULTIPLIER))
		j++;
	if (j < n && atom_is(&s->atoms[j], CLS_UNIT))
		return j + 1 - i;
	for (k = 0; k < sizeof(NUM_UNITS2) / sizeof(NUM_UNITS2[0]) && j + 1 < n; k++) {
		const atom *a = &s->atoms[j], *b = &s->atoms[j + 1];
		size_t ul = strlen(NUM_UNITS2[k]);
		if (a->kind == ATOM_HAN && b->kind == ATOM_HAN &&
		    a->t_len + b->t_len == ul && !memcmp(aterm(s, a), NUM_UNITS2[k], ul))
			return j + 2 - i;
	}
	return j - i;
}

/* Is atom k the single han character ch? */
static int atom_eq(const sou_segmenter *s, size_t k, size_t n, const char *ch)
{
	return k < n && s->atoms[k].kind == ATOM_HAN && s->atoms[k].t_len == strlen(ch) &&
	       !memcmp(aterm(s, &s->atoms[k]), ch, s->atoms[k].t_len);
}

/*
 * A number expression starting at atom i (the previous atom is not part
 * of a number): "2022年3月31日", "3月31日", "2022年3月", "397亿元",
 * "48.1%", "二○○一年", "一季度".  Returns its length in atoms (>= 2) or 0.
 */
static size_t match_number(const sou_segmenter *s, size_t i, size_t n)
{
	size_t a, b, c, j;

	if (i > 0 && !s->atoms[i].brk &&
	    ((s->atoms[i - 1].kind == ATOM_WORD && s->atoms[i - 1].digits) ||
	     is_cn_numeral(s, &s->atoms[i - 1])))
		return 0;
	/* dates */
	if ((a = match_num(s, i, n, 1))) {
		j = i + a;
		if (atom_eq(s, j, n, "年") && (b = match_num(s, j + 1, n, 1)) &&
		    atom_eq(s, j + 1 + b, n, "月")) {
			j = j + 1 + b + 1;
			if ((c = match_num(s, j, n, 1)) && (atom_eq(s, j + c, n, "日") || atom_eq(s, j + c, n, "号")))
				j += c + 1;
			return j - i;
		}
		if (atom_eq(s, j, n, "月") && (b = match_num(s, j + 1, n, 1)) &&
		    (atom_eq(s, j + 1 + b, n, "日") || atom_eq(s, j + 1 + b, n, "号")))
			return j + 1 + b + 1 - i;
		if (atom_eq(s, j, n, "季") || atom_eq(s, j, n, "季度")) {
			/* 一季度, 3季度 */
			j++;
			if (atom_eq(s, j, n, "度"))
				j++;
			return j - i;
		}
	}
	/* a number with multipliers and a unit */
	if (!(a = match_num(s, i, n, 0)))
		return 0;
	j = i + a;
	j += match_unit(s, j, n);
	return j - i >= 2 ? j - i : 0;
}

/* ---- number shapes in text ----------------------------------------------- */

static int is_num_atom(const sou_segmenter *s, const atom *a)
{
	return (a->kind == ATOM_WORD && a->digits) || is_cn_numeral(s, a);
}

/*
 * Marks the numbers of the chain (runs of contiguous digit words and
 * Chinese numerals, as word_shape reads them in a word): numrun[k] is 0
 * for an atom outside a number, -1 inside one after its first atom, and
 * (atoms << 1 | year) on its first atom.  Returns whether there is any.
 */
static int mark_numbers(sou_segmenter *s, size_t n)
{
	size_t k = 0, j, m;
	int any = 0;

	while (k < n) {
		const atom *a = &s->atoms[k];
		int year;
		if (!is_num_atom(s, a)) {
			s->numrun[k++] = 0;
			continue;
		}
		for (j = k + 1; j < n && is_num_atom(s, &s->atoms[j]) &&
				s->atoms[j].start == s->atoms[j - 1].end; j++)
			;
		if (j == k + 1 && a->kind == ATOM_HAN && lone_determiner(aterm(s, a), a->t_len)) {
			s->numrun[k++] = 0;
			continue;
		}
		if (j == k + 1 && a->kind == ATOM_WORD) {
			year = a->t_len == 4;
			for (m = 0; m < a->t_len; m++)
				year &= aterm(s, a)[m] >= '0' && aterm(s, a)[m] <= '9';
		} else {
			year = j - k == 4;
			for (m = k; m < j; m++)
				year &= s->atoms[m].kind == ATOM_HAN && (s->atoms[m].cls & CLS_DIGIT);
		}
		s->numrun[k] = (int)((j - k) << 1) | year;
		for (m = k + 1; m < j; m++)
			s->numrun[m] = -1;
		k = j;
		any = 1;
	}
	return any;
}

/*
 * The spans of text starting at atom i whose number shape the lexicon
 * uses (SHAPE_MIN words or more): writes their lengths in atoms (>= 2)
 * into lens (room for MAX_SHAPE_ATOMS) and returns how many.
 */
static size_t shape_words(const sou_segmenter *s, size_t i, size_t n, size_t *lens)
{
	char shape[MAX_SHAPE_BYTES];
	size_t sl = 0, k = i, nl = 0, before = 0;
	int nums = 0;

	if (s->numrun[i] < 0)
		return 0; /* never from inside a number */
	while (k < n && k - i < MAX_SHAPE_ATOMS) {
		const atom *a = &s->atoms[k];
		const dict_entry *d;
		if (k > i && a->start != s->atoms[k - 1].end)
			break;
		if (sl + a->t_len > sizeof(shape))
			break;
		if (s->numrun[k] > 0) {
			shape[sl++] = s->numrun[k] & 1 ? SHAPE_YEAR : SHAPE_NUM;
			k += (size_t)(s->numrun[k] >> 1);
			nums++;
		} else {
			if (!nums && ++before > MAX_SHAPE_PREFIX)
				break;
			memcpy(shape + sl, aterm(s, a), a->t_len);
			sl += a->t_len;
			k++;
		}
		if (nums && k - i >= 2 && k - i <= MAX_SHAPE_ATOMS &&
		    (d = tab_find(&s->shapes, shape, sl)) && d->cost >= SHAPE_MIN)
			lens[nl++] = k - i;
	}
	return nl;
}

/* ---- word choice --------------------------------------------------------- */

/* Do atoms [i, j) form exactly one ICU segment? */
static int is_icu_word(const sou_segmenter *s, size_t i, size_t j, size_t n)
{
	size_t k;

	for (k = i + 1; k < j; k++)
		if (s->atoms[k].icu_seg != s->atoms[i].icu_seg)
			return 0;
	return (i == 0 || s->atoms[i - 1].icu_seg != s->atoms[i].icu_seg) &&
	       (j == n || s->atoms[j].icu_seg != s->atoms[i].icu_seg);
}

static int all_han(const sou_segmenter *s, size_t i, size_t j)
{
	for (; i < j; i++)
		if (s->atoms[i].kind != ATOM_HAN)
			return 0;
	return 1;
}

/* Emits the units of atoms [i, j), each WORD followed by its parts. */
static int emit_units(sou_segmenter *s, size_t i, size_t j, emit_ctx *e, int *brk)
{
	for (; i < j; i++) {
		atom *a = &s->atoms[i];
		if (a->kind == ATOM_SIGN) {
			*brk = 1; /* no bigram across a sign */
			continue;
		}
		if (emit(e, a->kind == ATOM_HAN ? SOU_TOK_HAN : SOU_TOK_WORD, aterm(s, a),
			 a->t_len, a->start, a->end, *brk || a->brk))
			return 1;
		*brk = 0;
		if (a->kind == ATOM_WORD && (e->flags & SOU_SEG_DOCUMENT) &&
		    do_parts(s, a->u16a, a->u16b, e))
			return 1;
		if (!e->ok)
			return 1;
	}
	return 0;
}

/*
 * Chooses the words of the current chain (atoms[0, natoms)) and emits
 * them.  Returns nonzero if the callback stopped the run or ICU failed.
 */
static int flush_chain(sou_segmenter *s, emit_ctx *e)
{
	size_t n = s->natoms, i, j, L, w;
	int lexicon = s->nwords >= SOU_LEXICON_WORDS, brk = s->carry_brk, shapes, more;
	size_t maxl = s->dict_maxlen > MAX_WORD_ATOMS ? MAX_WORD_ATOMS : s->dict_maxlen;

	if (!n)
		return 0;
	s->carry_brk = 0;
	if (e->flags & SOU_SEG_UNITS) { /* no words wanted */
		int stop = emit_units(s, 0, n, e, &brk);
		s->natoms = 0;
		s->carry_brk = brk;
		sou_buf_reset(&s->arena);
		return stop;
	}
	if (n + 1 > s->dpcap) {
		s->dpcap = n + 1;
		s->best = sou_xrealloc(s->best, s->dpcap * sizeof(double));
		s->back = sou_xrealloc(s->back, s->dpcap * sizeof(int));
		s->numrun = sou_xrealloc(s->numrun, s->dpcap * sizeof(int));
	}
	shapes = lexicon && s->nshapes && mark_numbers(s, n);
	for (i = 0; i <= n; i++)
		s->best[i] = 1e300;
	s->best[0] = 0;
	for (i = 0; i < n; i++) {
		atom *a = &s->atoms[i];
		double b = s->best[i];
/* on equal costs the first path found is kept: the one whose last word
 * starts earliest (方/面的 over 方面/的 but for COST_FUNCTION_BONUS) */
#define RELAX(len_, cost_) do { \
		if (b + (cost_) < s->best[i + (len_)]) { \
			s->best[i + (len_)] = b + (cost_); \
			s->back[i + (len_)] = (int)i; \
		} \
	} while (0)
		if (b >= 1e299)
			continue;
		if (shapes) {
			size_t lens[MAX_SHAPE_ATOMS], nl = shape_words(s, i, n, lens), k;
			for (k = 0; k < nl; k++)
				RELAX(lens[k], COST_SHAPE);
		} else if (!(lexicon && s->nshapes) && (L = match_number(s, i, n))) {
			RELAX(L, COST_NUMBER);
		}
		if (a->kind != ATOM_HAN) {
			RELAX(1, a->kind == ATOM_SIGN ? 0.0 : COST_KNOWN);
			/* dictionary words that start with digits or letters
			 * ("21世纪", "5g手机"), written without spaces */
			if (a->kind == ATOM_WORD)
				dict_find(s, aterm(s, a), a->t_len, &more);
			for (L = 2; a->kind == ATOM_WORD && more && L <= maxl && i + L <= n; L++) {
				const atom *last = &s->atoms[i + L - 1];
				const dict_entry *d;
				if (last->kind == ATOM_SIGN || last->start != s->atoms[i + L - 2].end)
					break;
				d = dict_find(s, aterm(s, a), last->t_off + last->t_len - a->t_off, &more);
				if (d)
					RELAX(L, d->cost);
			}
			continue;
		}
		/* single character */
		{
			const dict_entry *d = dict_find(s, aterm(s, a), a->t_len, &more);
			double c = d ? d->cost : (!lexicon && is_icu_word(s, i, i + 1, n))
						 ? COST_KNOWN : COST_UNKNOWN;
			if (c <= COST_KNOWN && (a->cls & CLS_FUNCTION))
				c -= COST_FUNCTION_BONUS;
			RELAX(1, c);
		}
		/* longer words (Chinese, or ending in digits/letters: "3季度") */
		for (L = 2; i + L <= n && s->atoms[i + L - 1].kind != ATOM_SIGN &&
			    s->atoms[i + L - 1].start == s->atoms[i + L - 2].end; L++) {
			const atom *last = &s->atoms[i + L - 1];
			const dict_entry *d = NULL;
			int icu;
			/* more: a dictionary word starts with atoms [i, i + L - 1) */
			if ((!more || L > maxl) && (lexicon || last->icu_seg != a->icu_seg))
				break;
			if (more && L <= maxl)
				d = dict_find(s, aterm(s, a), last->t_off + last->t_len - a->t_off, &more);
			icu = !lexicon && last->kind == ATOM_HAN && is_icu_word(s, i, i + L, n);
			if (d)
				RELAX(L, d->cost);
			else if (icu)
				RELAX(L, COST_KNOWN);
		}
#undef RELAX
	}
	/* the path, read backwards into back[] as word starts */
	{
		size_t nw = 0, *starts = sou_xmalloc((n + 1) * sizeof(size_t));
		for (j = n; j > 0; j = (size_t)s->back[j])
			starts[nw++] = (size_t)s->back[j];
		/* reverse: starts[0] is the first word */
		for (i = 0; i < nw / 2; i++) {
			size_t t = starts[i];
			starts[i] = starts[nw - 1 - i];
			starts[nw - 1 - i] = t;
		}
		starts[nw] = n;
		if (lexicon) {
			/* join single unknown characters that form one ICU word */
			size_t *merged = sou_xmalloc((nw + 1) * sizeof(size_t)), m = 0;
			for (w = 0; w < nw;) {
				size_t k = w, end;
				if (starts[w + 1] - starts[w] == 1 && s->atoms[starts[w]].kind == ATOM_HAN) {
					/* the ICU segment of this atom */
					size_t a0 = starts[w], a1 = a0 + 1;
					while (a1 < n && s->atoms[a1].icu_seg == s->atoms[a0].icu_seg)
						a1++;
					end = w;
					while (end < nw && starts[end] < a1 && starts[end + 1] - starts[end] == 1)
						end++;
					if (is_icu_word(s, a0, a1, n) && a1 - a0 >= 2 && end < nw + 1 &&
					    starts[end] == a1 && all_han(s, a0, a1) &&
					    !dict_find(s, aterm(s, &s->atoms[a0]),
						       s->atoms[a1 - 1].t_off + s->atoms[a1 - 1].t_len - s->atoms[a0].t_off,
						       NULL)) {
						int func = 0;
						for (k = a0; k < a1; k++)
							if (s->atoms[k].cls & CLS_FUNCTION)
								func = 1;
						if (!func) {
							merged[m++] = a0;
							w = end;
							continue;
						}
					}
				}
				merged[m++] = starts[w];
				w++;
			}
			merged[m] = n;
			free(starts);
			starts = merged;
			nw = m;
		}
		for (w = 0; w < nw; w++) {
			size_t a0 = starts[w], a1 = starts[w + 1];
			atom *first = &s->atoms[a0], *last = &s->atoms[a1 - 1];
			int stop;
			if (a1 - a0 == 1 && first->kind != ATOM_HAN) {
				stop = emit_units(s, a0, a1, e, &brk);
			} else {
				stop = emit(e, SOU_TOK_HANWORD, aterm(s, first),
					    last->t_off + last->t_len - first->t_off,
					    first->start, last->end, 0);
				if (!stop)
					stop = emit_units(s, a0, a1, e, &brk);
			}
			if (stop) {
				free(starts);
				return 1;
			}
		}
		free(starts);
	}
	s->natoms = 0;
	s->carry_brk = brk; /* a part that ends in a sign: see flush_part */
	sou_buf_reset(&s->arena);
	return 0;
}

/*
 * A chain is cut into parts of at most SOU_SEG_MAX_CHAIN atoms, and at
 * the end of every window (sou_segmenter_run): the atoms so far get
 * their words and are emitted, but the chain goes on (the next unit has
 * no break), so units, their breaks and bigrams are those of the whole
 * chain; only a word across the cut is lost.  Without it one line of a
 * few million characters without punctuation held an atom per character
 * and the lowest-cost path over all of them (hundreds of MB).  Ordinary
 * text has no chain that long.
 */
static int flush_part(sou_segmenter *s, emit_ctx *e)
{
	return s->natoms ? flush_chain(s, e) : 0;
}

/* Before a new atom: a chain part that is full is flushed (see above);
 * not right after a sign, which belongs to the number before it. */
static int chain_room(sou_segmenter *s, emit_ctx *e)
{
	if (s->natoms < SOU_SEG_MAX_CHAIN || s->atoms[s->natoms - 1].kind == ATOM_SIGN)
		return 0;
	return flush_part(s, e);
}

static atom *new_atom(sou_segmenter *s)
{
	SOU_ARRAY_GROW(s->atoms, s->atomcap, s->natoms + 1);
	memset(&s->atoms[s->natoms], 0, sizeof(atom));
	return &s->atoms[s->natoms++];
}

/* Horizontal whitespace does not break a chain; everything else does. */
static int only_spaces(const UChar *u, int32_t n)
{
	int32_t i;

	for (i = 0; i < n; i++)
		if (u[i] != ' ' && u[i] != '\t' && u[i] != 0x3000 && u[i] != 0xA0)
			return 0;
	return 1;
}

static int is_percent(const UChar *u, int32_t n)
{
	return n == 1 && (u[0] == '%' || u[0] == 0xFF05 || u[0] == 0x2030);
}

/*
 * Takes one segment [a, b) of s->u16 with ICU rule status rs (the seg-th):
 * spaces and punctuation break the chain, ideographs and kana become one
 * unit each, letters and numbers one unit.  Returns nonzero when the
 * callback stopped the run or folding failed (e->ok is 0 then).
 */
static int take_segment(sou_segmenter *s, emit_ctx *e, int32_t a, int32_t b, int32_t rs,
			int seg, int *brk)
{
	atom *t;

	if (rs < UBRK_WORD_NONE_LIMIT && b - a == 1 && s->u16[a] == 0x25CB) {
		/* WHITE CIRCLE, written for zero in dates (二○○一年): an
		 * ideographic zero, U+3007 */
		rs = UBRK_WORD_IDEO;
		s->u16[a] = 0x3007;
	}
	if (rs < UBRK_WORD_NONE_LIMIT) {
		if (only_spaces(s->u16 + a, b - a))
			return 0;
		if (is_percent(s->u16 + a, b - a) && s->natoms && !*brk &&
		    s->atoms[s->natoms - 1].digits) {
			/* a sign that may end a number: kept for words only */
			t = new_atom(s);
			t->kind = ATOM_SIGN;
			t->t_off = s->arena.len;
			sou_buf_add(&s->arena, "%", 1);
			t->t_len = 1;
			t->cls = CLS_UNIT;
			t->start = s->off[a];
			t->end = s->off[b];
			t->icu_seg = seg;
			return 0;
		}
		*brk = 1;
		return 0;
	}
	if (*brk && s->natoms && flush_chain(s, e))
		return 1;
	if (rs >= UBRK_WORD_KANA && rs < UBRK_WORD_IDEO_LIMIT) {
		int32_t i = a;
		while (i < b) {
			int32_t at = i;
			size_t before;
			UChar32 c;
			if (chain_room(s, e))
				return 1;
			before = s->arena.len;
			U16_NEXT(s->u16, i, b, c);
			if (!fold_ideo(s, s->u16 + at, i - at, c, &s->arena)) {
				e->ok = 0;
				return 1;
			}
			if (s->arena.len == before)
				continue; /* folded to nothing */
			t = new_atom(s);
			t->kind = ATOM_HAN;
			t->t_off = before;
			t->t_len = s->arena.len - before;
			t->cls = term_class(s, s->arena.data + before, t->t_len);
			t->start = s->off[at];
			t->end = s->off[i];
			t->icu_seg = seg;
			t->brk = *brk;
			*brk = 0;
		}
		return 0;
	}
	/* letters and numbers: one unit */
	{
		size_t before;
		int32_t i;
		if (chain_room(s, e))
			return 1;
		before = s->arena.len;
		if (!fold_range(s, s->u16 + a, b - a, &s->arena)) {
			e->ok = 0;
			return 1;
		}
		if (s->arena.len == before)
			return 0;
		if (s->arena.len - before > SOU_MAX_UNIT_BYTES) {
			sou_buf_truncate(&s->arena, before);
			*brk = 1;
			return 0;
		}
		t = new_atom(s);
		t->kind = ATOM_WORD;
		t->t_off = before;
		t->t_len = s->arena.len - before;
		t->start = s->off[a];
		t->end = s->off[b];
		t->u16a = a;
		t->u16b = b;
		t->icu_seg = seg;
		t->brk = *brk;
		t->digits = 1;
		for (i = a; i < b; i++)
			if (!u_isdigit(s->u16[i]) && s->u16[i] != '.' && s->u16[i] != ',' &&
			    s->u16[i] != 0xFF0E)
				t->digits = 0;
		*brk = 0;
	}
	return 0;
}

/* The ideographs SOU_SEG_UNITS may cut without ICU: CJK unified ideographs
 * of the BMP (and U+3007). */
static int plain_ideograph(UChar c)
{
	return (c >= 0x4E00 && c <= 0x9FFF) || (c >= 0x3400 && c <= 0x4DBF) || c == 0x3007;
}

/*
 * 1 if c may join a run that ICU's dictionary segments with the
 * ideographs beside it although it is not a plain ideograph: another
 * character of the Han script (radicals such as U+2EC4, compatibility
 * ideographs, 々), kana, or a surrogate (ideographs beyond the BMP),
 * conservatively.
 */
static int dictionary_kin(UChar c)
{
	UErrorCode st = U_ZERO_ERROR;
	UScriptCode sc;

	if (plain_ideograph(c))
		return 0;
	if (U16_IS_SURROGATE(c))
		return 1;
	sc = uscript_getScript(c, &st);
	return U_FAILURE(st) || sc == USCRIPT_HAN || sc == USCRIPT_HIRAGANA ||
	       sc == USCRIPT_KATAKANA || sc == USCRIPT_KATAKANA_OR_HIRAGANA;
}

/*
 * 1 if s->u16[i] is a plain ideograph that ICU's rules cut on both sides
 * whatever its context, so that SOU_SEG_UNITS may cut it without ICU:
 * no character that attaches to it follows (a combining or format mark
 * such as ZWJ), and neither neighbour is kin to it in ICU's dictionary
 * (which would segment them together; seen with U+2EC4 in xwlb posts).
 */
static int lone_ideograph(const sou_segmenter *s, int32_t i, int32_t n)
{
	UChar c = s->u16[i];

	if (!plain_ideograph(c))
		return 0;
	if (i > 0 && dictionary_kin(s->u16[i - 1]))
		return 0;
	if (i + 1 < n) {
		UChar d = s->u16[i + 1];
		int8_t ct;
		if (dictionary_kin(d))
			return 0;
		ct = u_charType(d);
		if (ct == U_NON_SPACING_MARK || ct == U_ENCLOSING_MARK ||
		    ct == U_COMBINING_SPACING_MARK || ct == U_FORMAT_CHAR)
			return 0;
	}
	return 1;
}

/* Runs ICU's word break iterator over s->u16[from, to), taking each segment. */
static int take_icu(sou_segmenter *s, emit_ctx *e, int32_t from, int32_t to, int *seg,
		    int *brk, UErrorCode *st)
{
	int32_t a, b;
	int stop = 0;

	ubrk_setText(s->bi, s->u16 + from, to - from, st);
	if (U_FAILURE(*st))
		return 1;
	a = ubrk_first(s->bi);
	for (b = ubrk_next(s->bi); b != UBRK_DONE && !stop && e->ok; a = b, b = ubrk_next(s->bi))
		stop = take_segment(s, e, from + a, from + b, ubrk_getRuleStatus(s->bi), (*seg)++,
				    brk);
	return stop;
}

/* 1 if the UTF-8 character at p (of at least 3 bytes left) is a CJK unified
 * ideograph U+4E00..U+9FFF, which ICU's rules never join to anything but
 * dictionary words. */
static int utf8_plain_han(const unsigned char *p)
{
	return ((p[0] == 0xE4 && p[1] >= 0xB8) || (p[0] >= 0xE5 && p[0] <= 0xE9)) &&
	       (p[1] & 0xC0) == 0x80 && (p[2] & 0xC0) == 0x80;
}

static int ascii_alnum(unsigned char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

/*
 * Where the window that starts at from ends (see sou_segmenter_run): the
 * first place at or after from + SOU_SEG_WINDOW where ICU breaks whatever
 * the context and no unit can span: after a newline, after a space that
 * a letter, digit or ideograph follows, or between two ideographs.  Only
 * lines of more than SOU_SEG_WINDOW_MAX bytes with none of those are cut
 * elsewhere (at a character boundary).
 */
static size_t window_end(const char *text, size_t len, size_t from)
{
	const unsigned char *p = (const unsigned char *)text;
	size_t i = from + SOU_SEG_WINDOW, lim = from + SOU_SEG_WINDOW_MAX;

	if (len - from <= SOU_SEG_WINDOW)
		return len;
	if (lim > len)
		lim = len;
	for (; i < lim; i++) {
		if ((p[i] & 0xC0) == 0x80)
			continue;
		if (p[i - 1] == '\n' ||
		    (p[i - 1] == ' ' && (ascii_alnum(p[i]) || (i + 3 <= len && utf8_plain_han(p + i)))))
			return i;
		if (i >= 3 && i + 3 <= len && utf8_plain_han(p + i) && utf8_plain_han(p + i - 3))
			return i;
	}
	if (lim == len)
		return len;
	while (lim > from + 1 && (p[lim] & 0xC0) == 0x80)
		lim--;
	return lim;
}

/* Segments one window text[from, to) of a run, continuing its chain. */
static int run_window(sou_segmenter *s, emit_ctx *e, const char *text, size_t from,
		      size_t to, unsigned flags, int *seg, int *brk, UErrorCode *st)
{
	int32_t n = to_utf16_at(s, text + from, to - from, from);
	int stop = 0;

	if (flags & SOU_SEG_UNITS) {
		/* lone ideographs one by one, the stretches between through ICU */
		int32_t i = 0;
		while (i < n && !stop && e->ok && !U_FAILURE(*st)) {
			int32_t j = i;
			while (j < n && !lone_ideograph(s, j, n))
				j++;
			if (j > i)
				stop = take_icu(s, e, i, j, seg, brk, st);
			if (j < n && !stop && e->ok && !U_FAILURE(*st))
				stop = take_segment(s, e, j, j + 1, UBRK_WORD_IDEO, (*seg)++, brk);
			i = j + 1;
		}
	} else {
		stop = take_icu(s, e, 0, n, seg, brk, st);
	}
	return stop;
}

/*
 * Text is taken in windows of about SOU_SEG_WINDOW bytes, each turned
 * into UTF-16 (10 bytes per character with its offset) and run through
 * ICU on its own, so an 8 MiB post needs a window's worth of that, not
 * 80 MB.  Windows end only where ICU would break anyway (window_end), so
 * the units, their offsets and breaks are those of one pass; a chain
 * going on across a window end is flushed as a part (flush_part), which
 * can only change a dictionary word across the end.
 */
sou_status sou_segmenter_run(sou_segmenter *s, const char *text, size_t len,
			     unsigned flags, sou_token_fn fn, void *ctx,
			     int *stopped, sou_error *err)
{
	UErrorCode st = U_ZERO_ERROR;
	int brk = 1, seg = 0, stop = 0;
	emit_ctx e = { fn, ctx, 0, flags, 1, &s->tok };
	size_t from = 0;

	if (stopped)
		*stopped = 0;
	s->natoms = 0;
	s->carry_brk = 0;
	sou_buf_reset(&s->arena);
	if (!len)
		return SOU_OK;
	if (len > INT32_MAX / 2)
		len = INT32_MAX / 2;
	while (from < len && !stop && e.ok && !U_FAILURE(st)) {
		size_t to = window_end(text, len, from);
		if (from && (stop = flush_part(s, &e)))
			break;
		stop = run_window(s, &e, text, from, to, flags, &seg, &brk, &st);
		from = to;
	}
	if (U_FAILURE(st))
		e.ok = 0;
	if (!stop && e.ok)
		stop = flush_chain(s, &e);
	s->natoms = 0;
	sou_buf_reset(&s->arena);
	{
		/* Do not keep the iterator pointing at our scratch copy. */
		static const UChar empty[1] = { 0 };
		UErrorCode st2 = U_ZERO_ERROR;
		ubrk_setText(s->bi, empty, 0, &st2);
	}
	if (stopped)
		*stopped = e.stopped;
	if (U_FAILURE(st))
		return sou_error_set(err, SOU_ERR_INTERNAL, "ICU ubrk_setText: %s",
				     u_errorName(st));
	if (!e.ok)
		return sou_error_set(err, SOU_ERR_INTERNAL, "ICU normalisation failed");
	return SOU_OK;
}

sou_status sou_segmenter_fold(sou_segmenter *s, const char *text, size_t len,
			      sou_buf *out, sou_error *err)
{
	int32_t n, a = 0;

	sou_buf_reset(out);
	n = to_utf16(s, text, len);
	while (a < n && (u_isWhitespace(s->u16[a]) || s->u16[a] == 0xA0))
		a++;
	while (n > a && (u_isWhitespace(s->u16[n - 1]) || s->u16[n - 1] == 0xA0))
		n--;
	if (!fold_text(s, s->u16 + a, n - a, out))
		return sou_error_set(err, SOU_ERR_INTERNAL, "ICU normalisation failed");
	return SOU_OK;
}

void sou_segmenter_quick_fold(sou_segmenter *s, const char *text, size_t len,
			      sou_buf *out, size_t **map, size_t *mapcap)
{
	const uint8_t *p = (const uint8_t *)text;
	int32_t i = 0, n = len > INT32_MAX ? INT32_MAX : (int32_t)len;

	sou_buf_reset(out);
	sou_buf_grow(out, len);
	if (*mapcap < len + 1) {
		*mapcap = len + 1;
		*map = sou_xrealloc(*map, *mapcap * sizeof(size_t));
	}
	while (i < n) {
		int32_t at = i;
		UChar32 c;
		char u8[4];
		int32_t n8 = 0, k;
		U8_NEXT(p, i, n, c);
		if (c < 0)
			continue;
		if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == 0x3000 || c == 0xA0)
			continue;
		if (c >= 'A' && c <= 'Z')
			c += 32;
		else if (c >= 0xFF01 && c <= 0xFF5E) {
			c -= 0xFEE0; /* full-width ASCII */
			if (c >= 'A' && c <= 'Z')
				c += 32;
		} else if (c == 0x25CB)
			c = 0x3007;
		else if (c >= 0x3400 && c < 0xA000)
			c = to_simplified(s, c);
		U8_APPEND_UNSAFE(u8, n8, c);
		for (k = 0; k < n8; k++)
			(*map)[out->len + (size_t)k] = (size_t)at;
		sou_buf_add(out, u8, (size_t)n8);
	}
	(*map)[out->len] = len;
}

/* ---- quick unit streams -------------------------------------------------- */

enum { Q_FAIL, Q_HAN, Q_LETTER, Q_DIGIT, Q_SPACE, Q_BREAK, Q_MIDLETTER, Q_MIDNUMLET,
       Q_MIDNUM, Q_EXTENDNUMLET };

/*
 * Class of a code point for sou_segmenter_quick_units.  The Q_MID*
 * classes are UAX #29's (as ICU's word rules use them): characters that
 * join the letters or digits on both sides into one word, and otherwise
 * break like punctuation.  Q_FAIL: anything the quick path leaves to ICU.
 */
static int quick_class(UChar32 c)
{
	if ((c >= 0x4E00 && c <= 0x9FA5) || (c >= 0x3400 && c <= 0x4DB5) || c == 0x3007)
		return Q_HAN; /* 〇 (U+3007), an ideographic zero, too */
	if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'))
		return Q_LETTER;
	if (c >= '0' && c <= '9')
		return Q_DIGIT;
	if (c == ' ' || c == '\t' || c == 0x3000 || c == 0xA0)
		return Q_SPACE; /* what the segmenter skips without a break */
	switch (c) {
	case ':': case 0xB7: case 0x2027: case 0xFE13: case 0xFE55: case 0xFF1A:
		return Q_MIDLETTER;
	case '.': case '\'': case 0x2018: case 0x2019: case 0x2024: case 0xFE52:
	case 0xFF07: case 0xFF0E:
		return Q_MIDNUMLET;
	case ',': case ';': case 0xFE10: case 0xFE14: case 0xFE50: case 0xFE54:
	case 0xFF0C: case 0xFF1B:
		return Q_MIDNUM;
	case '_': case 0x203F: case 0x2040: case 0xFF3F:
		return Q_EXTENDNUMLET;
	}
	if (c == '@')
		return Q_FAIL; /* ICU's word rules take it as a letter */
	if (c < 0x80)
		return Q_BREAK; /* ASCII punctuation, symbols and controls */
	if ((c >= 0x3001 && c <= 0x3003) || (c >= 0x3008 && c <= 0x3011) ||
	    (c >= 0x3014 && c <= 0x301F) || (c >= 0xFF01 && c <= 0xFF0F) ||
	    (c >= 0xFF1A && c <= 0xFF20) || (c >= 0xFF3B && c <= 0xFF40) ||
	    (c >= 0xFF5B && c <= 0xFF64) || (c >= 0x2010 && c <= 0x2026) ||
	    (c >= 0x2030 && c <= 0x203A) || c == 0xFE30 || c == 0xFE31 || c == 0x2103 ||
	    c == 0x2109)
		return Q_BREAK; /* CJK and general punctuation, degree signs */
	return Q_FAIL;
}

static int alnum_class(int k)
{
	return k == Q_LETTER || k == Q_DIGIT;
}

/* Would ICU join a word across mid character class k between classes a and b? */
static int mid_joins(int k, int a, int b)
{
	switch (k) {
	case Q_MIDLETTER:
		return a == Q_LETTER && b == Q_LETTER;
	case Q_MIDNUMLET:
		return (a == Q_LETTER && b == Q_LETTER) || (a == Q_DIGIT && b == Q_DIGIT);
	case Q_MIDNUM:
		return a == Q_DIGIT && b == Q_DIGIT;
	case Q_EXTENDNUMLET:
		return alnum_class(a) || alnum_class(b) || a == Q_EXTENDNUMLET ||
		       b == Q_EXTENDNUMLET;
	}
	return 0;
}

/* Class of the code point at byte i of p[0..n) (Q_BREAK at the end). */
static int class_at(const uint8_t *p, int32_t i, int32_t n)
{
	UChar32 c;

	if (i >= n)
		return Q_BREAK;
	U8_NEXT(p, i, n, c);
	return c < 0 ? Q_FAIL : quick_class(c);
}

int sou_segmenter_quick_units(sou_segmenter *s, const char *text, size_t len,
			      sou_buf *out)
{
	const uint8_t *p = (const uint8_t *)text;
	int32_t i = 0, n = (int32_t)len;
	size_t at0 = out->len;
	int brk = 1, prevk = Q_BREAK;
	char u8[4];
	sou_buf *w = &s->term;

	if (len > INT32_MAX)
		return 0;
	while (i < n) {
		int32_t n8 = 0;
		UChar32 c;
		int k;
		/* fast path: a run of three-byte CJK ideographs that are their
		 * own simplified form, copied as they are (most of a post) */
		if (p[i] >= 0xE4 && p[i] <= 0xE9 && i + 2 < n) {
			int32_t j = i;
			size_t at = out->len;
			sou_buf_grow(out, (size_t)(n - i) + 1);
			while (j + 2 < n && p[j] >= 0xE4 && p[j] <= 0xE9 &&
			       (p[j + 1] & 0xC0) == 0x80 && (p[j + 2] & 0xC0) == 0x80) {
				UChar32 h = ((UChar32)(p[j] & 0x0F) << 12) |
					    ((UChar32)(p[j + 1] & 0x3F) << 6) | (p[j + 2] & 0x3F);
				int32_t cached;
				if (h > 0x9FA5 || (h > 0x4DB5 && h < 0x4E00))
					break;
				cached = s->t2s_cache[h - 0x3400];
				if (cached == 0) {
					to_simplified(s, h); /* fills the cache */
					cached = s->t2s_cache[h - 0x3400];
				}
				if (cached > 0 && cached != h)
					break; /* changes: the slow path below */
				if (brk) {
					out->data[out->len++] = SOU_UNITS_CHAIN;
					brk = 0;
				}
				memcpy(out->data + out->len, p + j, 3);
				out->len += 3;
				j += 3;
			}
			if (j > i) {
				out->data[out->len] = '\0';
				i = j;
				prevk = Q_HAN;
				continue;
			}
			out->len = at;
		}
		U8_NEXT(p, i, n, c);
		k = c < 0 ? Q_FAIL : quick_class(c);
		switch (k) {
		case Q_HAN:
			c = to_simplified(s, c);
			U8_APPEND_UNSAFE(u8, n8, c);
			sou_units_add(out, u8, (size_t)n8, 1, brk);
			brk = 0;
			break;
		case Q_SPACE:
			break;
		case Q_BREAK:
			brk = 1;
			break;
		case Q_MIDLETTER:
		case Q_MIDNUMLET:
		case Q_MIDNUM:
		case Q_EXTENDNUMLET:
			/* a word would have taken it if it joined; a join the
			 * word loop does not make (':', '_' ...) is left to ICU */
			if (mid_joins(k, prevk, class_at(p, i, n)))
				goto fail;
			brk = 1;
			break;
		case Q_LETTER:
		case Q_DIGIT: {
			/* one word: ASCII letters and digits, joined across one
			 * '.' or '\'' between two letters or two digits and one
			 * ',' between two digits (UAX #29 WB6/7, WB11/12) */
			int last = k;
			sou_buf_reset(w);
			sou_buf_addc(w, (char)(c >= 'A' && c <= 'Z' ? c + 32 : c));
			while (i < n) {
				int32_t j = i;
				UChar32 x;
				int kx, after;
				U8_NEXT(p, j, n, x);
				kx = x < 0 ? Q_FAIL : quick_class(x);
				if (alnum_class(kx)) {
					sou_buf_addc(w, (char)(x >= 'A' && x <= 'Z' ? x + 32 : x));
					last = kx;
					i = j;
					continue;
				}
				if (kx < Q_MIDLETTER)
					break;
				after = class_at(p, j, n);
				if (!mid_joins(kx, last, after))
					break;
				if (x != '.' && x != '\'' && x != ',')
					goto fail;
				sou_buf_addc(w, (char)x);
				i = j;
			}
			prevk = last;
			if (w->len > SOU_MAX_UNIT_BYTES) {
				brk = 1; /* the segmenter drops an over-long word */
			} else {
				sou_units_add(out, w->data, w->len, 0, brk);
				brk = 0;
			}
			continue;
		}
		default:
			goto fail;
		}
		prevk = k;
	}
	return 1;
fail:
	sou_buf_truncate(out, at0);
	return 0;
}

int sou_segmenter_plain_han(sou_segmenter *s, const char *text, size_t len)
{
	const uint8_t *p = (const uint8_t *)text;
	int32_t i = 0, n = len > INT32_MAX ? INT32_MAX : (int32_t)len;

	if (!n)
		return 0;
	while (i < n) {
		UChar32 c;
		U8_NEXT(p, i, n, c);
		if (c < 0 || quick_class(c) != Q_HAN || to_simplified(s, c) != c)
			return 0;
	}
	return 1;
}
