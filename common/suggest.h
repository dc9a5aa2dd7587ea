/*
 * suggest.h - completions as a reader types (issue 19, "suggestions as
 * you type").
 *
 * The index holds completion keys (schema.h, SOU_PREFIX_SUGGEST): for
 * every post, the folded words of its title as the segmenter cuts them
 * and each pair of adjacent words (贵州, 茅台, 贵州茅台), and each of its
 * tags whole.  A run of characters the segmenter leaves single (a word no
 * dictionary knows) counts as one word.  A completion of a prefix is a
 * key that starts with it; the posts holding a key rank it.  Everything
 * is term lookups (an allterms scan of the prefix, bounded), so it works
 * on every Xapian backend, remote shards included, and costs no
 * statistics of its own: a key's term frequency is its count.
 *
 * A key may carry a display form after SOU_SUGGEST_SEP: then the
 * completion shown is the display form.  Reading keys are such keys:
 * for every key of Chinese characters, its toneless pinyin joined and
 * its initials, each followed by the characters (XJguizhoumaotai␟贵州茅台,
 * XJgzmt␟贵州茅台), so that `guiz` and `gz` complete to 贵州茅台 (left
 * out by sou-index --no-pinyin).  A prefix of characters then letters
 * (贵州m) is read the same way and completes only to keys that start
 * with its characters.
 */
#ifndef SOU_SUGGEST_H
#define SOU_SUGGEST_H

#include <stddef.h>

#include "buf.h"
#include "error.h"
#include "pinyin.h"
#include "segment.h"
#include "xwrap.h"

/* Keys of one post longer than this (bytes) are left out. */
#define SOU_SUGGEST_KEY_MAX 60
/* Keys looked at per completion call, at most (the work is bounded). */
#define SOU_SUGGEST_SCAN 20000
/* Between a key and its display form. */
#define SOU_SUGGEST_SEP '\x1f'

/*
 * Adds the completion keys of a post with title (may be NULL), tags and
 * names (the companies it names, entity.h; may be NULL; tags and names
 * are keys whole) to doc (borrowed); seg segments and folds them; py
 * (borrowed; NULL: none) reads the reading keys.
 */
sou_status sou_suggest_index(sou_segmenter *seg, sou_pinyin *py, sou_xdoc *doc,
			     const char *title, const sou_strlist *tags,
			     const sou_strlist *names, sou_error *err);

/*
 * The pieces text[0..len) is cut into, as keys are made of them (folded),
 * appended to pieces, with one byte per piece appended to kinds: 'w' a
 * word, 'r' a run of characters no dictionary knows, 'f' a function
 * character.  For entity.c, which takes a company's name as the last
 * piece or two before its code.
 */
sou_status sou_suggest_pieces(sou_segmenter *seg, const char *text, size_t len,
			      sou_strlist *pieces, sou_buf *kinds, sou_error *err);

typedef struct sou_completion {
	char *text;            /* as shown (folded), owned */
	unsigned long posts;   /* posts holding it */
} sou_completion;

typedef struct sou_completions {
	sou_completion *v;     /* best first: most posts, then shorter */
	size_t n;
	int more;              /* the scan stopped at SOU_SUGGEST_SCAN keys */
} sou_completions;

/*
 * The at most max completions of prefix[0..len) (folded with seg like
 * the keys) in db, into *out (replacing it; sou_completions_clear frees
 * it).  A prefix that folds to nothing has none.  py (borrowed; NULL:
 * none) reads a prefix of characters then letters; letters typed with
 * spaces (gui zhou) are also looked up joined.  At most two scans.
 */
sou_status sou_suggest(sou_xdb *db, sou_segmenter *seg, sou_pinyin *py, const char *prefix,
		       size_t len, size_t max, sou_completions *out, sou_error *err);
void sou_completions_clear(sou_completions *c);

#endif
