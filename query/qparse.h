/*
 * qparse.h - sou's query language, parsed and compiled to a Xapian query.
 *
 * Syntax (README "Query syntax"):
 *   word word          all must match (AND); Chinese runs match as
 *                      substrings, whole words rank higher
 *   "a phrase"         the words in this order, adjacent ("…" “…” also)
 *   a OR b             either; OR binds tighter than the implicit AND
 *   -word, -"phrase"   exclude posts that match
 *   title:x            match in the title only (x may be "quoted")
 *   tag:x category:x author:x
 *                      exact (case- and width-folded) filters
 *   date:2022  date:2022-03  date:2022-03-01  date:A..B  date:..B  date:A..
 *                      posts dated inside the range (in the site zone)
 * Malformed queries (an unclosed quote, an empty field, a bad date, a
 * dangling OR) fail with SOU_ERR_QUERY and a message saying what is wrong;
 * positions are 1-based columns counted in characters.
 *
 * Size: repeating a clause changes nothing (identical alternatives,
 * groups and exclusions are dropped, so a word typed twice weighs as
 * much as once), and a query over SOU_QUERY_MAX_BYTES bytes or compiling
 * to more than SOU_QUERY_MAX_TERMS distinct index terms fails with
 * SOU_ERR_QUERY, so building and matching a query stay about linear in
 * its size (README "Query syntax").
 */
#ifndef SOU_QPARSE_H
#define SOU_QPARSE_H

#include "buf.h"
#include "qcheck.h"
#include "error.h"
#include "termgen.h"
#include "xwrap.h"

/* Limits on one query (see above). */
#define SOU_QUERY_MAX_BYTES 8192
#define SOU_QUERY_MAX_TERMS 1024

typedef struct sou_query sou_query;

/*
 * Parses text.  tg (borrowed) provides the shared segmenter; tz_min is
 * the zone date: ranges are read in.  *out is owned by the caller.
 */
sou_status sou_query_parse(sou_termgen *tg, const char *text, int tz_min,
			   sou_query **out, sou_error *err);

/*
 * What parsing may ask of the index and the user's files (all optional):
 * entities(ctx, word, len, codes, names, err) appends the stock codes a
 * folded query word stands for and the companies' names (entity.h,
 * sou_entity_resolve); then a text clause naming a company by code, name
 * or alias also matches the posts naming it by code (its entity term) or
 * by any of its names.  ctx is borrowed.
 */
typedef sou_status (*sou_query_entities_fn)(void *ctx, const char *word, size_t len,
					    sou_strlist *codes, sou_strlist *names,
					    sou_error *err);
typedef struct sou_query_env {
	sou_query_entities_fn entities;
	void *ctx;
} sou_query_env;

/* sou_query_parse with env (may be NULL: the same). */
sou_status sou_query_parse_env(sou_termgen *tg, const char *text, int tz_min,
			       const sou_query_env *env, sou_query **out, sou_error *err);
void sou_query_destroy(sou_query *q);

/*
 * The compiled query (owned by q).  Its matches are a superset of what
 * the query means when sou_query_check() is not NULL: then every match
 * must be confirmed with that check tree (qcheck.h; owned by q).
 */
const sou_xq *sou_query_xq(const sou_query *q);
const sou_check *sou_query_check(const sou_query *q);
/* Highlight patterns of the positive text terms (owned by q). */
const sou_strlist *sou_query_patterns(const sou_query *q);
/*
 * The positive runs typed without spaces that the query cut into words
 * (`美联储加息` into 美联储 and 加息: termgen.h), as typed, as units.h
 * patterns (owned by q); re-ranking puts posts holding them first.
 */
const sou_strlist *sou_query_runs(const sou_query *q);
/* The pinyin and initials terms the query looks up, as
 * sou_termgen_collect_pinyin gives them ("pmaotai", "igzmt"). */
const sou_strlist *sou_query_pinyin(const sou_query *q);

/*
 * Splits a line of a --batch file into words as a shell would for a
 * simple command line: on spaces, keeping quoted stretches (with their
 * quotes, so the query parser still sees the phrase) inside one word.
 * Words are appended to out (owned by the caller).
 */
void sou_query_split_line(const char *line, sou_strlist *out);

#endif
