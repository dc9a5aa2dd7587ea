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
 * The token stream is built around *units*, the atoms of sou's recall
 * guarantee (see README, "How Chinese is indexed"):
 *   SOU_TOK_HAN   one CJK ideograph (or kana) - a unit
 *   SOU_TOK_WORD  one Latin/number word such as "finv", "5g", "600519" - a unit
 * and two kinds of extra tokens that are not units:
 *   SOU_TOK_HANWORD  the ICU dictionary word that the following HAN units
 *                    form, e.g. "科技" before "科" and "技"
 *   SOU_TOK_PART     (documents only) a part of the preceding mixed WORD,
 *                    e.g. "2022" and "q1" after "2022q1"
 * Units form *chains*: consecutive units not separated by punctuation, a
 * symbol, a line break or an over-long word.  Spaces inside a line do not
 * break a chain.  tok->brk is 1 on the first unit of every chain.
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

/* Longest unit kept, in bytes after folding; longer ones break the chain. */
#define SOU_MAX_UNIT_BYTES 64

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
 * Folds a whole string (NFKC_Casefold, surrounding whitespace trimmed)
 * into out, replacing its contents.  Used for exact-match keys such as
 * tags and categories so "tag:AI" finds "ai".
 */
sou_status sou_segmenter_fold(sou_segmenter *seg, const char *text, size_t len,
			      sou_buf *out, sou_error *err);

#endif
