/*
 * like.h - the query behind `sou-query --like POST`: posts related to one
 * post (README "Related posts").
 *
 * Index format 7 has no Chinese word terms (schema.h), so the words are
 * chosen on the client side: Xapian's expand set over the post gives its
 * most telling Chinese bigrams and Latin words (sou_xdb_like_terms); the
 * post's stored text, cut by the one segmenter, gives its words; a
 * Chinese word scores the mean expand weight of its bigrams (0 for a
 * bigram outside the set), a Latin word its own.  Whole words only, so a
 * highlight is never a fragment such as 币汇 (of 人民币 汇率).
 */
#ifndef SOU_LIKE_H
#define SOU_LIKE_H

#include "buf.h"
#include "error.h"
#include "termgen.h"
#include "xwrap.h"

/*
 * The query for posts like the one whose id term is idterm
 * (sou_termgen_idterm): the OR of its nwords best words (each compiled by
 * sou_termgen_query: the AND of its bigrams for Chinese), the post itself
 * excluded.  *out is a new query owned by the caller (matching nothing when
 * the post has no word to go by); each word chosen is appended, folded, to words
 * (highlighting: sou_snippet_make_words).  SOU_ERR_NOTFOUND when no post
 * has idterm; a damaged stored record is SOU_ERR_DB.
 */
sou_status sou_like_query(sou_xdb *db, sou_termgen *tg, const char *idterm, unsigned nwords,
			  sou_xq **out, sou_strlist *words, sou_error *err);

#endif
