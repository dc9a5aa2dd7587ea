/*
 * analyze.h - showing what the segmenter and the term generator make of
 * text (sou-query --analyze), so a user can see why a search missed, and
 * so the SIGHAN scorer in bench/ scores exactly what sou indexes.
 */
#ifndef SOU_ANALYZE_H
#define SOU_ANALYZE_H

#include "buf.h"
#include "error.h"
#include "termgen.h"

typedef enum sou_analyze_mode {
	SOU_ANALYZE_WORDS,      /* the words, separated by two spaces */
	SOU_ANALYZE_ORIGINAL,   /* the same words as written in the input (for scorers) */
	SOU_ANALYZE_DOC_TERMS,  /* the document terms: term[wdf]@positions */
	SOU_ANALYZE_QUERY,      /* the compiled Xapian query of the line */
	SOU_ANALYZE_PINYIN      /* the words, each Chinese one with its reading
				 * (pinyin.h) in brackets: 银行(yin hang) */
} sou_analyze_mode;

/*
 * Appends to out one line for the text line[0..len) (no newline inside):
 * words are the segmenter's words in text order (ICU words for Chinese,
 * folded Latin and number words); punctuation is not a word.
 */
sou_status sou_analyze_line(sou_termgen *tg, sou_analyze_mode mode,
			    const char *line, size_t len, int tz_min,
			    sou_buf *out, sou_error *err);

#endif
