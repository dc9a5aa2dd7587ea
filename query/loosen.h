/*
 * loosen.h - a way on from a query that found nothing (issue 19, "no
 * dead ends").
 *
 * Given a query with no hits, sou_loosen tries a bounded number of
 * nearby queries, each counted by an ordinary search over the same index
 * (so it works over remote shards as any search does), and offers the
 * first that finds posts:
 *   1. "did you mean": a Latin word no post holds respelled as the
 *      index's most frequent word within a small edit distance (one edit
 *      for words of up to four letters, two beyond), read from the
 *      index's own vocabulary; a run of Chinese no post holds respelled
 *      by its sound (美连储 -> 美联储, 茅苔 -> 茅台: typed by pinyin, the
 *      wrong character picked), whole or a part of up to four characters,
 *      from the words of the same toneless reading among the index's
 *      completion keys (titles, tags, company names), its words that
 *      start with the same character, and the pinyin table's words;
 *   2. a filter (tag:, category:, author:, date:) dropped;
 *   3. a run of Chinese cut down to its longest part that finds posts
 *      (茅台酒 -> 茅台);
 *   4. one word of several dropped.
 * Among the candidates of one kind the one with the most posts wins.
 * At most SOU_LOOSEN_TRIES searches are run.
 */
#ifndef SOU_LOOSEN_H
#define SOU_LOOSEN_H

#include "error.h"
#include "search.h"

#define SOU_LOOSEN_TRIES 24

typedef enum sou_loosen_kind {
	SOU_LOOSEN_NONE = 0,
	SOU_LOOSEN_SPELLING,   /* a word respelled: "did you mean" */
	SOU_LOOSEN_FILTER,     /* a filter dropped */
	SOU_LOOSEN_RUN,        /* a run of Chinese shortened */
	SOU_LOOSEN_WORD        /* a word dropped */
} sou_loosen_kind;

/* What sou_loosen offers; query is owned by the struct (sou_loosened_clear). */
typedef struct sou_loosened {
	sou_loosen_kind kind;  /* SOU_LOOSEN_NONE: nothing found */
	char *query;           /* the query to offer, NULL with NONE */
	unsigned long total;   /* its number of posts, estimated */
	int exact;             /* ... or exact */
} sou_loosened;

/*
 * Looks for a query near query (which found nothing with o) that finds
 * posts, searching s with o's filters and zone (pages of none: counts
 * only).  *out is filled (kind NONE when nothing helps); errors of the
 * searches are returned (SOU_ERR_DB and the like), a candidate that does
 * not parse is skipped.
 */
sou_status sou_loosen(sou_searcher *s, const char *query, const sou_search_opts *o,
		      sou_loosened *out, sou_error *err);
void sou_loosened_clear(sou_loosened *l);

/*
 * When r (the results of query with o) holds no post, sou_loosen, and
 * what it offers into r's loosen_* fields (search.h), for the text and
 * JSON forms.  Nothing happens when r found posts.
 */
sou_status sou_loosen_results(sou_searcher *s, const char *query, const sou_search_opts *o,
			      sou_results *r, sou_error *err);

/* "did you mean" and the like, for messages: a static string. */
const char *sou_loosen_kind_name(sou_loosen_kind k);

#endif
