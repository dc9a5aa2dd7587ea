/*
 * units.h - a post's searchable text as a stream of the segmenter's
 * units, stored with the post so that queries are checked exactly on the
 * client side of Xapian (README "How Chinese is indexed").
 *
 * Chinese bigrams carry no positions in the index, so a run of three or
 * more units matches the AND of its bigrams, which also finds posts where
 * the bigrams occur apart.  Every such candidate is confirmed by finding
 * the run's units, consecutive and inside one chain, in the post's unit
 * stream: exactly what a phrase of positional bigrams used to match.
 *
 * Stream format (bytes).  The units of every chain (segment.h: units not
 * separated by punctuation, a symbol or a line break) are written in
 * order after one SOU_UNITS_CHAIN byte:
 *   - a unit of kind HAN that is one non-ASCII code point: its UTF-8
 *     bytes, bare (almost every Chinese character; no overhead);
 *   - any other unit (Latin and number words, a HAN unit that folded to
 *     several code points): SOU_UNITS_OPEN, its bytes, SOU_UNITS_CLOSE.
 * Units never contain these three control bytes, and a wrapped unit is at
 * most SOU_UNITS_MAX_WRAPPED bytes.  Chains may appear in any order; only
 * their contents matter.
 *
 * A pattern (the units of one query chain) is encoded the same way
 * without the chain byte.  sou_units_find() then holds exactly when the
 * pattern's units occur consecutively inside one chain of the stream:
 * UTF-8 is self-synchronising, bare units are whole code points, wrapped
 * units match only from their opening byte to their closing byte, and a
 * match starting inside a wrapped unit is rejected.
 */
#ifndef SOU_UNITS_H
#define SOU_UNITS_H

#include <stddef.h>

#include "buf.h"

#define SOU_UNITS_CHAIN '\n'
#define SOU_UNITS_OPEN '\x02'
#define SOU_UNITS_CLOSE '\x03'
/* Longest wrapped unit (segment.h caps words at SOU_MAX_UNIT_BYTES = 64;
 * a HAN unit is one folded code point, at most 18 code points). */
#define SOU_UNITS_MAX_WRAPPED 96

/*
 * Appends one unit (its folded term, len bytes) to stream s: han is 1 for
 * a unit of kind SOU_TOK_HAN; chain_start is 1 for the first unit of a
 * chain.  For a pattern pass chain_start = 0 throughout.
 */
void sou_units_add(sou_buf *s, const char *term, size_t len, int han, int chain_start);

/*
 * 1 if pattern pat[0..plen) (plen > 0) occurs in stream s[0..n) at a unit
 * boundary, i.e. its units are consecutive units of one chain; else 0.
 */
int sou_units_find(const char *s, size_t n, const char *pat, size_t plen);

#endif
