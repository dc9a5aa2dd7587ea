/*
 * segment.h - the one segmenter that documents and queries share.
 *
 * Text is cut with ICU's word break iterator (dictionary-based for
 * Chinese) and every token is folded with ICU's NFKC_Casefold, so
 * full-width forms, compatibility characters and Latin case all fold the
 * same way on both sides.  Like an FTS5 tokenizer, a call says whether it
 * is segmenting a document or a query; both produce identical units so
 * the two sides always agree.
 *
 * Folding: NFKC_Casefold, then traditional Chinese characters to
 * simplified (ICU's Traditional-Simplified transform, character by
 * character), so 銀行 and 银行 are the same units on both sides.
 *
 * The token stream is built around *units*, the atoms of sou's recall
 * guarantee (see README, "How Chinese is indexed"):
 *   SOU_TOK_HAN   one CJK ideograph (or kana) - a unit
 *   SOU_TOK_WORD  one Latin/number word such as "finv", "5g", "600519" - a unit
 * and two kinds of extra tokens that are not units:
 *   SOU_TOK_HANWORD  a word made of the units that follow it, e.g. "科技"
 *                    before "科" and "技", or "2022年3月31日" before its
 *                    six units; never emitted for a lone Latin/number word
 *   SOU_TOK_PART     (documents only) a part of the preceding mixed WORD,
 *                    e.g. "2022" and "q1" after "2022q1"
 * Units form *chains*: consecutive units not separated by punctuation, a
 * symbol, a line break or an over-long word.  Spaces inside a line do not
 * break a chain.  tok->brk is 1 on the first unit of every chain.
 *
 * Words (HANWORD) are chosen per chain by a lowest-cost path over
 * candidate words (README "Segmentation"): ICU's dictionary words, the
 * user dictionary's words, number expressions (397亿元, 48.1%,
 * 2022年3月31日, 一季度) and single units; of two cuts with as many words,
 * the one leaving a function character (的, 了, 为...) alone wins.  A
 * dictionary of SOU_LEXICON_WORDS words or more is taken as a complete
 * lexicon: then ICU's words are only used to join runs of single
 * characters the lexicon does not know (new words, names), and number
 * expressions follow the lexicon's own convention, learnt from the shapes
 * of its words (1998年 and 12月 but no 12月31日: dates are cut into year,
 * month and day).  Words never change the units, so recall does not
 * depend on them; they only rank and highlight.
 */
#ifndef SOU_SEGMENT_H
#define SOU_SEGMENT_H

#include <stddef.h>

#include "buf.h"
#include "error.h"

typedef struct sou_segmenter sou_segmenter;

typedef enum sou_tok_kind {
	SOU_TOK_HAN = 1,
	SOU_TOK_WORD = 2,
	SOU_TOK_HANWORD = 3,
	SOU_TOK_PART = 4
} sou_tok_kind;

/* Segmenting a document (emits PART tokens) or a query (does not). */
#define SOU_SEG_DOCUMENT 0x1
#define SOU_SEG_QUERY    0x2
/*
 * Or'd with either: units (and parts) only, no HANWORD tokens, and CJK
 * ideographs that stand alone in ICU's rules are cut without ICU's
 * dictionary (most of the cost of segmenting Chinese).  The units, their
 * offsets and chain breaks are those of the same call without the flag
 * (tests/unit/test_segment.c checks it on real posts): for callers that
 * only match units, such as snippet highlighting.
 */
#define SOU_SEG_UNITS    0x4

/* Longest unit kept, in bytes after folding; longer ones break the chain. */
#define SOU_MAX_UNIT_BYTES 64

/*
 * Bounds on the work held at once, whatever the text (segment.c says
 * why they change no unit): text is segmented in windows of about
 * SOU_SEG_WINDOW bytes, ended where ICU breaks anyway (a line of more
 * than SOU_SEG_WINDOW_MAX bytes without a space or two adjacent
 * ideographs is cut anywhere), and words are chosen over parts of at most
 * SOU_SEG_MAX_CHAIN units of a chain.  Only a word across such a cut can
 * differ from one pass over the whole text.
 */
#define SOU_SEG_WINDOW (64u << 10)
#define SOU_SEG_WINDOW_MAX (256u << 10)
#define SOU_SEG_MAX_CHAIN 4096

/*
 * A token, valid only during the callback.  term is the folded form,
 * NUL-terminated, owned by the segmenter.  [start, end) are byte offsets
 * of the token's original text in the input.
 */
typedef struct sou_token {
	sou_tok_kind kind;
	const char *term;
	size_t term_len;
	size_t start, end;
	int brk;
} sou_token;

/* Return 0 to continue, nonzero to stop segmenting (that value is returned). */
typedef int (*sou_token_fn)(void *ctx, const sou_token *tok);

/* A dictionary of this many words or more is used as a complete lexicon. */
#define SOU_LEXICON_WORDS 20000

/* Creates a segmenter (ICU break iterator and normaliser).  *out is owned
 * by the caller.  A segmenter is not thread-safe; make one per thread. */
sou_status sou_segmenter_create(sou_segmenter **out, sou_error *err);
void sou_segmenter_destroy(sou_segmenter *seg);

/*
 * Segments text[0..len) (UTF-8; invalid bytes are read as U+FFFD) and
 * calls fn for each token in text order.  flags is SOU_SEG_DOCUMENT or
 * SOU_SEG_QUERY.  Returns SOU_OK, or SOU_ERR_INTERNAL if ICU fails; if fn
 * stops the run, *stopped (may be NULL) receives its value.
 */
sou_status sou_segmenter_run(sou_segmenter *seg, const char *text, size_t len,
			     unsigned flags, sou_token_fn fn, void *ctx,
			     int *stopped, sou_error *err);

/*
 * Adds the words of a dictionary file to seg: UTF-8, one word per line,
 * optionally followed by blanks and a weight (a frequency; higher makes
 * the word win more often).  Comments and blank lines follow linefile.h's
 * one rule (a line whose first non-blank character is '#'; no inline
 * comments, so "C#" is a word).  Words are folded like text.  Errors name
 * the file and line.
 */
sou_status sou_segmenter_load_dict(sou_segmenter *seg, const char *path,
				   sou_error *err);

/* Adds one word (folded like text) with a weight (1 = plain). */
void sou_segmenter_add_word(sou_segmenter *seg, const char *word, size_t len,
			    double weight);

/* Number of distinct dictionary words loaded (after folding). */
size_t sou_segmenter_dict_size(const sou_segmenter *seg);

/*
 * A quick approximation of the folding, for finding where units may
 * match without segmenting: writes into out (replacing it) the text with
 * ASCII lower-cased, full-width forms made half-width, CJK characters made
 * simplified and whitespace dropped; (*map)[i] is the input byte offset of
 * the character that output byte i comes from (*map is grown with
 * realloc; *mapcap tracks its size; the caller frees it).
 */
void sou_segmenter_quick_fold(sou_segmenter *seg, const char *text, size_t len,
			      sou_buf *out, size_t **map, size_t *mapcap);

/*
 * Folds a whole string (NFKC_Casefold, surrounding whitespace trimmed)
 * into out, replacing its contents.  Used for exact-match keys such as
 * tags and categories so "tag:AI" finds "ai".
 */
sou_status sou_segmenter_fold(sou_segmenter *seg, const char *text, size_t len,
			      sou_buf *out, sou_error *err);

/*
 * The unit stream (units.h) of text, derived in one pass without ICU's
 * break iterator, for text whose segmentation into units is simple:
 * CJK unified ideographs (U+4E00-U+9FA5, U+3400-U+4DB5, U+3007), ASCII letters and
 * digits (joined by '.', ',' and '\'' as ICU's word rules join them),
 * spaces, and common ASCII and CJK punctuation.  Returns 1 and appends
 * the stream to out; returns 0 (out unchanged) when text holds anything
 * else.  The indexer stores a post's stream only when this derivation
 * differs from what sou_segmenter_run produced (termgen.h), so the stream
 * a query checks is always exactly the indexed one.
 */
int sou_segmenter_quick_units(sou_segmenter *seg, const char *text, size_t len,
			      sou_buf *out);

/*
 * 1 if s[0..len) (non-empty) is only CJK ideographs of the quick path
 * above that fold to themselves: then where these bytes occur in a text
 * that derives, its stream holds them as consecutive units of one chain.
 */
int sou_segmenter_plain_han(sou_segmenter *seg, const char *s, size_t len);

#endif
