/*
 * qcheck.h - the exact meaning of a query, decided on one candidate post.
 *
 * Chinese bigrams have no positions (README "How Chinese is indexed"), so
 * the Xapian query sou runs is an upper bound of what the user asked for:
 * a run of three or more units matches the AND of its bigrams.  A check
 * tree mirrors the query's boolean structure; search.c runs the Xapian
 * query, fetches candidates in rank order and keeps those for which
 * sou_check_eval() holds.  Nothing here runs inside Xapian (no
 * MatchDecider), so it works over Xapian's remote backend too.
 *
 * Nodes:
 *   ALL    every child holds (AND, FILTER: a clause's chains, the query's
 *          groups and filters)
 *   ANY    some child holds (OR groups, synonym alternatives)
 *   NOT    the child does not hold (excluded clauses Xapian cannot exclude
 *          exactly itself)
 *   UNITS  a run of units occurs, consecutive and in one chain, in the
 *          post's unit stream (units.h) of the body or of the title.  This
 *          is how a Chinese run is defined, so it is always decided here;
 *          it is "exact" when Xapian's own match already means the same
 *          (one character: its unigram; two units: their bigram)
 *   XAPIAN a piece Xapian matches exactly but the stream cannot decide
 *          (filters, dates, Latin words with their stems and parts, Latin
 *          phrases by positions)
 * Every node keeps the Xapian query it was compiled to.
 *
 * Evaluation: a node that is exact and sits in a positive conjunctive
 * position (only ALL nodes above it) holds for every candidate, since the
 * candidate matched the Xapian query.  Elsewhere (under ANY or NOT) an
 * exact node with an XAPIAN leaf is decided by asking Xapian whether the
 * candidate matches its query; everything else is decided on the stream.
 */
#ifndef SOU_QCHECK_H
#define SOU_QCHECK_H

#include <stddef.h>

#include "xwrap.h"

typedef enum sou_check_kind {
	SOU_CHECK_ALL,
	SOU_CHECK_ANY,
	SOU_CHECK_NOT,
	SOU_CHECK_UNITS,
	SOU_CHECK_XAPIAN
} sou_check_kind;

typedef struct sou_check sou_check;

/*
 * Leaves.  pat[0..len) is a pattern (units.h) of a run in the title's
 * stream (title = 1) or the body's (everything searchable); exact as
 * above.  xq is copied (queries are reference-counted).  Return a new
 * node owned by the caller, NULL if xq is NULL.
 */
sou_check *sou_check_units(int title, const char *pat, size_t len, int exact,
			   const sou_xq *xq);
sou_check *sou_check_xapian(const sou_xq *xq);
/*
 * An inner node over kids[0..n) (n >= 1; NOT takes exactly one), taking
 * ownership of the kids whether or not it succeeds; xq (copied) is the
 * query the node compiled to.  NULL if any kid or xq is NULL.
 */
sou_check *sou_check_node(sou_check_kind kind, sou_check **kids, size_t n,
			  const sou_xq *xq);
void sou_check_destroy(sou_check *c);

/* 1 if Xapian's match of c's query is exactly c (no check needed). */
int sou_check_exact(const sou_check *c);
/* The query c was compiled to (owned by c). */
const sou_xq *sou_check_xq(const sou_check *c);

/*
 * The candidate being checked, as the caller provides it:
 *   find  does the run pat[0..len) (a units.h pattern) occur in the
 *         candidate's title stream (title = 1) or body stream?
 *         (sou_units_find on the streams, or anything equivalent)
 *   ask   does the candidate match q (asking Xapian)?
 * Both return 1 yes, 0 no, -1 on an error (which they record for their
 * caller).
 */
typedef int (*sou_check_find_fn)(void *ctx, int title, const char *pat, size_t len);
typedef int (*sou_check_ask_fn)(void *ctx, const sou_xq *q);

/*
 * Decides c for one candidate of c's query.  Returns 1 if it holds, 0 if
 * not, -1 if find or ask failed.
 */
int sou_check_eval(const sou_check *c, sou_check_find_fn find, sou_check_ask_fn ask,
		   void *ctx);

/* A description for debugging (the patterns with their control bytes
 * shown as '|'), appended to out. */
void sou_check_describe(const sou_check *c, sou_buf *out);

#endif
