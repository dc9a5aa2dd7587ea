/*
 * rerank.h - known-item ranking signals computed on the client side of
 * Xapian (README "Ranking").
 *
 * Xapian ranks the matches with BM25 over the body field (title words
 * count SOU_WDF_TITLE times there).  For a query a person types to find a
 * post they half remember - a few words of its headline - how the words
 * sit in the title decides more than BM25 can: sou re-orders the top
 * depth candidates of Xapian's ranking by
 *
 *   score = weight / max weight of the candidates      (BM25, in [0, 1])
 *         + title     * share of the query's patterns found in the title
 *         + phrase    * [all patterns adjacent and in order in the title:
 *                        1; else half the share of adjacent pairs that are]
 *                       (queries of two or more patterns)
 *         + coverage  * share of the title's letters the patterns cover
 *                       (only when every pattern is in the title)
 *         + proximity * sum of the patterns' lengths / the shortest
 *                       stretch of the body holding all of them
 *                       (two or more patterns)
 *         + run       * share of the runs typed without spaces that the
 *                       query cut into words (qparse.h, sou_query_runs)
 *                       found as typed in the title or the text, so that
 *                       posts saying `美联储加息` come before posts that
 *                       only hold 美联储 and 加息 apart
 *
 * Everything is read from the hits' stored records (docdata.h: title,
 * text), folded as sou_segmenter_quick_fold folds, so it works on any
 * Xapian backend, remote ones included, and gives the same order for one
 * index and for its shards (the candidates are Xapian's top depth, whose
 * weights use collection-wide statistics; equal scores keep Xapian's
 * order, which breaks its own ties by the date and key slot).
 *
 * Weights and depth are SOU_TUNE knobs (tune.h), in hundredths so that
 * bench/ can switch each signal off: rerank_depth (candidates, 0 turns
 * re-ranking off), rerank_title, rerank_phrase, rerank_coverage,
 * rerank_proximity, rerank_run.  Defaults below (measured, bench/README.md "Ranking
 * signals").
 */
#ifndef SOU_RERANK_H
#define SOU_RERANK_H

#include <stddef.h>

#include "buf.h"
#include "search.h"
#include "segment.h"
#include "termgen.h"
#include "xwrap.h"

#define SOU_RERANK_DEPTH 30
#define SOU_RERANK_TITLE 200       /* hundredths */
#define SOU_RERANK_PHRASE 200
#define SOU_RERANK_COVERAGE 300
#define SOU_RERANK_PROXIMITY 0     /* measured: it hurts known items */
#define SOU_RERANK_TITLE_FIELD 100
#define SOU_RERANK_RUN 1000        /* above every other signal together */

/*
 * How many hits from the top of Xapian's ranking a search for a page of
 * o->offset, o->limit must fetch so that it can be re-ranked: 0 when
 * nothing is re-ranked (not sorted by relevance, no patterns, re-ranking
 * switched off, or the page starts at or below the re-ranked depth, whose
 * order is Xapian's), else max(depth, offset + limit).  Positions below
 * the depth keep Xapian's order, so pages of any size fit together.
 */
unsigned sou_rerank_fetch(const sou_search_opts *o, const sou_strlist *patterns);

/*
 * 1 when re-ranking reads the candidates' texts (the proximity signal is
 * on and there are two patterns or more, or runs (may be NULL) is not
 * empty and the run signal is on), else it reads only their titles
 * (SOU_SLOT_TITLE suffices): a one-word query over remote shards then
 * re-ranks from what came with the hits.
 */
int sou_rerank_needs_text(const sou_strlist *patterns, const sou_strlist *runs);

/*
 * Re-orders hits[0..min(n, depth)) (Xapian's order, each with its record
 * decoded and score = Xapian's weight) by the score above and sets their
 * score to it; hits beyond the depth keep their place, their score
 * becoming weight / max weight, so scores never rise down a page.  patterns
 * (borrowed) are the query's positive patterns (qparse.h: units joined by
 * SOU_UNIT_SEP), runs (borrowed, may be NULL) the runs cut into words
 * (sou_query_runs, units.h patterns, looked for in the hits' unit
 * streams as checks look); seg folds the texts and derives the streams.  Cannot fail (allocation failure
 * aborts).
 */
void sou_rerank(sou_segmenter *seg, const sou_strlist *patterns, const sou_strlist *runs,
		sou_hit *hits, size_t n);

/*
 * The title field's weight in Xapian's own ranking, so that posts with
 * the query's words in their title reach the re-ranked depth: *out
 * becomes base AND_MAYBE (title * the OR of each pattern's title-field
 * query, sou_termgen_query with SOU_FIELD_TITLE), a new query owned by
 * the caller, or NULL when the knob rerank_title_field (hundredths,
 * default SOU_RERANK_TITLE_FIELD) or rerank_depth is 0, o is not sorted
 * by relevance, or no pattern compiles.  Applied on every page (deep
 * ones too), so that pages below the re-ranked depth continue the same
 * Xapian order.  Only
 * Xapian's built-in operators: remote backends run it.  It does not
 * change what matches, only the weights.
 */
sou_status sou_rerank_boost(sou_termgen *tg, const sou_search_opts *o,
			    const sou_strlist *patterns, const sou_xq *base, sou_xq **out,
			    sou_error *err);

/*
 * For sou_searcher_run: *hits[0..*n) were fetched from the first hit
 * (sou_rerank_fetch); re-ranks them, then keeps hits [offset, offset +
 * limit) at the start of the array (freeing the others' contents) and
 * sets *n to their number.
 */
void sou_rerank_page(sou_segmenter *seg, const sou_strlist *patterns,
		     const sou_strlist *runs, sou_hit *hits,
		     size_t *n, unsigned offset, unsigned limit);

#endif
