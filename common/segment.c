/*
 * segment.c - ICU word breaking plus NFKC_Casefold (see segment.h).
 *
 * The input is converted to UTF-16 once per call with a parallel table of
 * byte offsets (off[i] is the byte offset in the input of UTF-16 unit i;
 * off[n] == len), so every token can report its span in the original
 * text even though folding changes lengths (e.g. full-width "ＦＩＮＶ",
 * 12 bytes, folds to "finv").
 */
#include "segment.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unicode/ubrk.h>
#include <unicode/uchar.h>
#include <unicode/unorm2.h>
#include <unicode/ustring.h>
#include <unicode/utf16.h>
#include <unicode/utf8.h>

struct sou_segmenter {
	UBreakIterator *bi;
	const UNormalizer2 *nfkc_cf;
	UChar *u16;         /* input as UTF-16 */
	size_t *off;        /* byte offset of each UTF-16 unit, plus one */
	size_t cap16;
	UChar *norm;        /* scratch for normalisation */
	int32_t normcap;
	sou_buf term;       /* folded UTF-8 of the current token */
	sou_buf word;       /* folded UTF-8 of the current HANWORD */
	size_t *unit_ends;  /* ends (in word) of the HAN units of a segment */
	size_t *unit_src;   /* their UTF-16 start indexes, plus one */
	size_t unitcap;
};

sou_status sou_segmenter_create(sou_segmenter **out, sou_error *err)
{
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
	*out = s;
	return SOU_OK;
}

void sou_segmenter_destroy(sou_segmenter *s)
{
	if (!s)
		return;
	if (s->bi)
		ubrk_close(s->bi);
	free(s->u16);
	free(s->off);
	free(s->norm);
	free(s->unit_ends);
	free(s->unit_src);
	sou_buf_free(&s->term);
	sou_buf_free(&s->word);
	free(s);
}

/* UTF-8 to UTF-16 with the offset table; invalid bytes become U+FFFD. */
static int32_t to_utf16(sou_segmenter *s, const char *text, size_t len)
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
			s->off[n] = (size_t)at;
			s->u16[n++] = U16_LEAD(c);
			s->off[n] = (size_t)at;
			s->u16[n++] = U16_TRAIL(c);
		} else {
			s->off[n] = (size_t)at;
			s->u16[n++] = (UChar)c;
		}
	}
	s->off[n] = (size_t)ilen;
	return n;
}

/* Folds u16[a, b) and appends its UTF-8 to out.  Returns 0 on ICU failure. */
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

/* Horizontal whitespace does not break a chain; everything else does. */
static int only_spaces(const UChar *u, int32_t n)
{
	int32_t i;

	for (i = 0; i < n; i++)
		if (u[i] != ' ' && u[i] != '\t' && u[i] != 0x3000 && u[i] != 0xA0)
			return 0;
	return 1;
}

/* Is the code point folded trivially (itself) by NFKC_Casefold? */
static int trivial_ideo(UChar32 c)
{
	return (c >= 0x4E00 && c <= 0x9FFF) || (c >= 0x3400 && c <= 0x4DBF) ||
	       (c >= 0x3041 && c <= 0x3096) || (c >= 0x30A1 && c <= 0x30FA) ||
	       (c >= 0x20000 && c <= 0x2A6DF);
}

typedef struct emit_ctx {
	sou_token_fn fn;
	void *ctx;
	int stopped;
} emit_ctx;

static int emit(emit_ctx *e, sou_tok_kind kind, const char *term, size_t tlen,
		size_t start, size_t end, int brk)
{
	sou_token t;

	t.kind = kind;
	t.term = term;
	t.term_len = tlen;
	t.start = start;
	t.end = end;
	t.brk = brk;
	e->stopped = e->fn(e->ctx, &t);
	return e->stopped;
}

/* Ideographic segment [a, b): HANWORD then one HAN unit per character. */
static int do_ideo(sou_segmenter *s, int32_t a, int32_t b, int *brk, emit_ctx *e,
		   int *ok)
{
	int32_t i = a, nunits = 0, k;
	size_t prev = 0;

	sou_buf_reset(&s->word);
	if ((size_t)(b - a) + 1 > s->unitcap) {
		s->unitcap = (size_t)(b - a) + 1;
		s->unit_ends = sou_xrealloc(s->unit_ends, s->unitcap * sizeof(size_t));
		s->unit_src = sou_xrealloc(s->unit_src, s->unitcap * sizeof(size_t));
	}
	while (i < b) {
		int32_t at = i;
		UChar32 c;
		U16_NEXT(s->u16, i, b, c);
		if (trivial_ideo(c)) {
			char u8[4];
			int32_t n8 = 0;
			U8_APPEND_UNSAFE(u8, n8, c);
			sou_buf_add(&s->word, u8, (size_t)n8);
		} else if (!fold_range(s, s->u16 + at, i - at, &s->word)) {
			*ok = 0;
			return 0;
		}
		if (s->word.len == prev)
			continue; /* folded to nothing */
		s->unit_src[nunits] = (size_t)at;
		s->unit_ends[nunits++] = s->word.len;
		prev = s->word.len;
	}
	s->unit_src[nunits] = (size_t)b;
	if (!nunits)
		return 0;
	if (emit(e, SOU_TOK_HANWORD, s->word.data, s->word.len, s->off[a], s->off[b], 0))
		return 1;
	prev = 0;
	for (k = 0; k < nunits; k++) {
		size_t tl = s->unit_ends[k] - prev;
		sou_buf_reset(&s->term);
		sou_buf_add(&s->term, s->word.data + prev, tl);
		if (emit(e, SOU_TOK_HAN, s->term.data, tl, s->off[s->unit_src[k]],
			 s->off[s->unit_src[k + 1]], *brk))
			return 1;
		*brk = 0;
		prev = s->unit_ends[k];
	}
	return 0;
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
static int do_parts(sou_segmenter *s, int32_t a, int32_t b, emit_ctx *e, int *ok)
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
				*ok = 0;
				return 0;
			}
			if (s->term.len && s->term.len <= SOU_MAX_UNIT_BYTES &&
			    emit(e, SOU_TOK_PART, s->term.data, s->term.len,
				 s->off[gs[i0]], s->off[ge[i1]], 0))
				return 1;
		}
	return 0;
}

sou_status sou_segmenter_run(sou_segmenter *s, const char *text, size_t len,
			     unsigned flags, sou_token_fn fn, void *ctx,
			     int *stopped, sou_error *err)
{
	UErrorCode st = U_ZERO_ERROR;
	int32_t n, a, b;
	int brk = 1, ok = 1;
	emit_ctx e = { fn, ctx, 0 };

	if (stopped)
		*stopped = 0;
	if (!len)
		return SOU_OK;
	n = to_utf16(s, text, len);
	ubrk_setText(s->bi, s->u16, n, &st);
	if (U_FAILURE(st))
		return sou_error_set(err, SOU_ERR_INTERNAL, "ICU ubrk_setText: %s",
				     u_errorName(st));
	a = ubrk_first(s->bi);
	for (b = ubrk_next(s->bi); b != UBRK_DONE; a = b, b = ubrk_next(s->bi)) {
		int32_t rs = ubrk_getRuleStatus(s->bi);

		if (rs < UBRK_WORD_NONE_LIMIT) {
			if (!only_spaces(s->u16 + a, b - a))
				brk = 1;
			continue;
		}
		if (rs >= UBRK_WORD_KANA && rs < UBRK_WORD_IDEO_LIMIT) {
			if (do_ideo(s, a, b, &brk, &e, &ok))
				break;
			if (!ok)
				break;
			continue;
		}
		/* letters and numbers: one unit */
		sou_buf_reset(&s->term);
		if (!fold_range(s, s->u16 + a, b - a, &s->term)) {
			ok = 0;
			break;
		}
		if (!s->term.len)
			continue;
		if (s->term.len > SOU_MAX_UNIT_BYTES) {
			brk = 1;
			continue;
		}
		if (emit(&e, SOU_TOK_WORD, s->term.data, s->term.len, s->off[a], s->off[b], brk))
			break;
		brk = 0;
		if ((flags & SOU_SEG_DOCUMENT) && do_parts(s, a, b, &e, &ok))
			break;
		if (!ok)
			break;
	}
	{
		/* Do not keep the iterator pointing at our scratch copy. */
		static const UChar empty[1] = { 0 };
		UErrorCode st2 = U_ZERO_ERROR;
		ubrk_setText(s->bi, empty, 0, &st2);
	}
	if (stopped)
		*stopped = e.stopped;
	if (!ok)
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
	if (!fold_range(s, s->u16 + a, n - a, out))
		return sou_error_set(err, SOU_ERR_INTERNAL, "ICU normalisation failed");
	return SOU_OK;
}
