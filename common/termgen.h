/*
 * termgen.h - index terms from text, for documents and queries alike.
 *
 * This is where sou's term scheme lives (README: "How Chinese is
 * indexed"); both sides use the same segmenter and this one module, so a
 * query always produces terms the index can contain.
 *
 * The term scheme itself (prefixes, slots, weights) is documented in
 * schema.h, its one home.
 */
#ifndef SOU_TERMGEN_H
#define SOU_TERMGEN_H

#include <stddef.h>

#include "buf.h"
#include "cancel.h"
#include "qcheck.h"
#include "error.h"
#include "pinyin.h"
#include "schema.h"
#include "segment.h"
#include "xwrap.h"


typedef enum sou_field {
	SOU_FIELD_BODY = 0,   /* everything searchable, unprefixed */
	SOU_FIELD_TITLE = 1   /* title only, for title: and ranking */
} sou_field;

typedef struct sou_termgen sou_termgen;

/* Creates a term generator with its own segmenter; owned by the caller. */
sou_status sou_termgen_create(sou_termgen **out, sou_error *err);
void sou_termgen_destroy(sou_termgen *tg);
/* The segmenter inside tg (borrowed; lives as long as tg). */
sou_segmenter *sou_termgen_segmenter(sou_termgen *tg);

/*
 * Loads dictionary files into tg's segmenter and synonym files into tg
 * (both lists may be NULL or empty).  A synonym file has one group per
 * line: terms that mean the same, separated by blanks ("央行 中国人民银行
 * 人民银行"); comments follow linefile.h's one rule (a line whose first
 * non-blank character is '#').  A query word equal to any term of a group
 * matches any of them.  Errors name the file and line.
 */
sou_status sou_termgen_configure(sou_termgen *tg, const sou_strlist *dicts,
				 const sou_strlist *synonyms, sou_error *err);

/*
 * The most distinct terms one document gets (filter terms aside): once
 * it has that many, terms it does not have yet are left out (counted by
 * sou_termgen_doc_dropped), those it has still count.  This bounds the
 * memory of indexing one post (termgen.c says why); no post of ordinary
 * size comes near it (the longest xwlb post has about 8,000), and its
 * unit streams, hence the checking of queries, stay complete.
 */
#define SOU_TERMGEN_MAX_TERMS 200000

/*
 * Starts a new document: later sou_termgen_index() calls add terms to
 * doc (borrowed, must outlive those calls) with positions from 1.
 */
void sou_termgen_begin(sou_termgen *tg, sou_xdoc *doc);

/*
 * From now on sou_termgen_index gives up with SOU_ERR_INTERRUPTED once
 * *cancel is set (cancel.h; NULL: never), looking every few thousand
 * tokens; the document is then incomplete.  Borrowed: must outlive tg.
 */
void sou_termgen_set_cancel(sou_termgen *tg, const sou_cancel *cancel);

/* Terms the current document lost to SOU_TERMGEN_MAX_TERMS. */
unsigned long sou_termgen_doc_dropped(const sou_termgen *tg);

/* Terms and postings handed to the current document so far (what its
 * memory in Xapian grows with, until a commit). */
unsigned long sou_termgen_doc_adds(const sou_termgen *tg);

/*
 * Indexes text into field with the given wdf increment (title and tag
 * boosts).  Successive calls on the same field continue its positions
 * after a gap, so phrases never span two calls.  The text's units are
 * also appended to the field's unit stream (units.h), one chain per
 * chain of the text, so no run of units spans two calls either.
 */
sou_status sou_termgen_index(sou_termgen *tg, sou_field field, const char *text,
			     size_t len, unsigned wdfinc, sou_error *err);

/*
 * The unit stream (units.h) of everything indexed into field since
 * sou_termgen_begin: what a query's runs are checked against (qcheck.h).
 * Borrowed; valid until the next sou_termgen_begin or _index call.
 */
const char *sou_termgen_units(const sou_termgen *tg, sou_field field, size_t *len);

/*
 * Adds a filter term prefix + fold(value) to the current document.
 */
sou_status sou_termgen_add_filter(sou_termgen *tg, const char *prefix,
				  const char *value, size_t len, sou_error *err);

/*
 * Builds the query for one piece of query text in field.  If the whole
 * text is a term of a synonym group, the query matches any of the group.  Every chain of
 * units must match (the AND of its bigrams for Chinese, which is exact
 * for two units and checked for more: sou_termgen_query_checked; a
 * phrase of word terms for Latin);
 * whole words add weight on top.  Each chain (units not separated by
 * punctuation) always compiles as a phrase, so quoted text (phrase set)
 * and plain text compile alike; the flag records the caller's intent.  On success *out is a new query owned
 * by the caller, or NULL when the text holds nothing searchable (only
 * punctuation).  If patterns is not NULL, each chain is appended to it as
 * its units joined by SOU_UNIT_SEP, for highlighting.
 */
sou_status sou_termgen_query(sou_termgen *tg, sou_field field, const char *text,
			     size_t len, int phrase, sou_xq **out,
			     sou_strlist *patterns, sou_error *err);

/*
 * sou_termgen_query, plus the text's check tree (qcheck.h) into *chk (a
 * new tree owned by the caller, NULL when *out is NULL): an ALL of one
 * leaf per chain (ANY of those for a synonym group).  A chain with a
 * Chinese unit is a UNITS leaf, exact for one or two units; a chain of
 * Latin units only is an XAPIAN leaf (a word, or a phrase by positions).
 */
sou_status sou_termgen_query_checked(sou_termgen *tg, sou_field field, const char *text,
				     size_t len, int phrase, sou_xq **out, sou_check **chk,
				     sou_strlist *patterns, sou_error *err);

/*
 * Queries for an index of format 4 (SOU_SCHEMA_FORMAT_POSITIONAL), whose
 * bigrams have positions: chains compile to exact phrases again and
 * nothing needs checking (its posts have no unit streams).
 */
void sou_termgen_query_positional(sou_termgen *tg, int on);

/*
 * Pinyin and initials (README "Pinyin and initials"; pinyin.h reads).
 * sou_termgen_index_pinyin adds to the current document, for text that
 * readers type by its sound (a title, a tag, an entity name; never a
 * body), for each word the segmenter chose and each run of up to
 * SOU_PINYIN_RUN_WORDS adjacent words of a chain, and the same for the
 * chain cut into the pinyin table's words, read as two syllables or more:
 * SOU_PREFIX_PINYIN + the reading joined ("maotai", "guizhoumaotai")
 * and SOU_PREFIX_INITIALS + its initials ("mt", "gzmt"; at most
 * SOU_PINYIN_INITIALS_MAX), wdf 1 per occurrence, no positions.  It does
 * nothing after sou_termgen_set_pinyin(tg, 0) (sou-index --no-pinyin).
 */
void sou_termgen_set_pinyin(sou_termgen *tg, int on);
/* tg's pinyin reader (borrowed, tg keeps it), or NULL after
 * sou_termgen_set_pinyin(tg, 0): for suggest.h's reading keys. */
sou_pinyin *sou_termgen_pinyin(sou_termgen *tg);
sou_status sou_termgen_index_pinyin(sou_termgen *tg, const char *text, size_t len,
				    sou_error *err);
/* Words per run: 2 finds 贵州|茅台 as gzmt; 3 cost 18% of the xwlb
 * index where 2 costs 9% (README "Pinyin and initials"). */
#define SOU_PINYIN_RUN_WORDS 2
/* The longest pinyin term indexed or looked up, in bytes. */
#define SOU_PINYIN_MAX_TERM 80

/*
 * The pinyin reading of one query piece: *out is a new query (owned by
 * the caller) of the pinyin and initials terms it may mean, or NULL when
 * it means none.  Latin letters are taken as typed pinyin (two syllables
 * or more: "maotai", "xian") or initials ("gzmt"); Chinese runs beside
 * them are read (贵州mt -> initials gzmt, 贵州maotai -> guizhoumaotai);
 * Chinese alone, digits, or Latin that is neither mean none.
 */
sou_status sou_termgen_pinyin_query(sou_termgen *tg, const char *text, size_t len,
				    sou_xq **out, sou_error *err);
/*
 * From now on, every pinyin or initials term sou_termgen_pinyin_query
 * makes is also appended to terms, without its prefix, after one kind
 * byte: 'p' and the pinyin joined ("pmaotai"), or 'i' and the initials
 * ("igzmt"); for showing where a title says what was typed by sound
 * (query/search.c).  terms is borrowed; NULL stops collecting.
 */
void sou_termgen_collect_pinyin(sou_termgen *tg, sou_strlist *terms);
/* The reading of a folded Chinese word (pinyin.h) into out; 0: none. */
size_t sou_termgen_pinyin_reading(sou_termgen *tg, const char *word, size_t len,
				  sou_buf *out);

/*
 * The index's statistics, for cutting a query's run of characters that
 * no dictionary knows into words (termgen.c, cut_unknown): fn returns the
 * number of posts holding term[0..len), or -1 if it cannot tell.  NULL
 * (the default): such runs stay whole.  ctx is borrowed; the caller sets
 * this around sou_termgen_query calls and clears it after.
 */
/*
 * From now on, every run a query cuts into words (termgen.c,
 * finish_chain) is also appended to runs as typed, as a units.h pattern
 * (what sou_units_find takes), where patterns are collected: for ranking
 * the posts that hold it as typed first (rerank.h).  runs is borrowed; NULL
 * stops collecting.
 */
void sou_termgen_collect_runs(sou_termgen *tg, sou_strlist *runs);

/*
 * In Xapian's ranking of a run cut into words, the bigrams that span two
 * of its words (储加 in 美联储加息: present only where the words stand as
 * typed) weigh this many hundredths of a plain term (SOU_TUNE run_boost),
 * so that the posts holding the run reach the re-ranked depth (rerank.h);
 * measured in bench/README "Unspaced queries".
 */
#define SOU_RUN_BOOST 600

typedef long (*sou_termgen_df_fn)(void *ctx, const char *term, size_t len);
void sou_termgen_set_df(sou_termgen *tg, sou_termgen_df_fn fn, void *ctx);

/* 1 if a folded word gets an English stem: three or more ASCII letters. */
int sou_termgen_stemmable(const char *word, size_t len);

/* Separator between units inside a highlight pattern. */
#define SOU_UNIT_SEP '\x1f'

/*
 * The folded form of value with prefix, as a filter term (e.g.
 * SOU_PREFIX_TAG for tag: queries), into out.
 */
sou_status sou_termgen_filter_term(sou_termgen *tg, const char *prefix,
				   const char *value, size_t len, sou_buf *out,
				   sou_error *err);

/*
 * The unique-id term for a post's relative path into out: SOU_PREFIX_ID +
 * path, or, when that would exceed Xapian's term limit, SOU_PREFIX_ID + a
 * prefix of the path cut on a character boundary + "#" + the path's 64-bit
 * xxHash in hex.
 */
void sou_termgen_idterm(const char *relpath, sou_buf *out);

#endif
