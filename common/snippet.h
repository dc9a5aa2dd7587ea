/*
 * snippet.h - choosing and highlighting a passage of a post for a hit.
 *
 * Matching is done on the segmenter's units, so a highlight always covers
 * whole characters and whole words, and a query for "农业" highlights the
 * two characters inside "中国农业发展银行" exactly as the index matched
 * them.  Patterns come from sou_termgen_query() (units joined by
 * SOU_UNIT_SEP); a one-unit Latin pattern also matches a part of a mixed
 * word ("q1" inside "2022Q1").
 */
#ifndef SOU_SNIPPET_H
#define SOU_SNIPPET_H

#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "error.h"
#include "segment.h"

/* Byte ranges [start, end) into a snippet, sorted, not overlapping. */
typedef struct sou_ranges {
	size_t *v;   /* 2 * n entries: start0, end0, start1, end1, ... */
	size_t n;
	size_t cap;
} sou_ranges;

void sou_ranges_free(sou_ranges *r);

/* Terminal columns of code point c: East Asian wide and full-width 2,
 * controls, combining and format marks 0, others 1 (snippet widths, and
 * sou-query's wrapping of results). */
size_t sou_snippet_cp_cols(int32_t c);

/*
 * Writes into out (replacing it) a passage of text[0..len) at most
 * max_cols terminal columns wide (CJK characters count 2), chosen to hold
 * the most distinct patterns (then the most matches, then the earliest),
 * starting and ending on word boundaries; line breaks become spaces and
 * "…" marks a cut.  ranges receives the highlighted byte ranges within
 * out.  With no match the passage is the start of the text.  max_cols 0
 * means the whole text.
 */
sou_status sou_snippet_make(sou_segmenter *seg, const char *text, size_t len,
			    const sou_strlist *patterns, size_t max_cols,
			    sou_buf *out, sou_ranges *ranges, sou_error *err);

/*
 * The same for whole words (index terms, e.g. the words --like chose):
 * a word is highlighted only where the segmenter cuts the text into that
 * very word (a dictionary word or a Latin/number word), never inside a
 * longer word or across two, so 汇率 is not highlighted in 结汇率 cut
 * 结汇 率, and nothing is highlighted by characters.
 */
sou_status sou_snippet_make_words(sou_segmenter *seg, const char *text, size_t len,
				  const sou_strlist *words, size_t max_cols,
				  sou_buf *out, sou_ranges *ranges, sou_error *err);

#endif
