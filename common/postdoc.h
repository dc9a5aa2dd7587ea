/*
 * postdoc.h - the one step from a post file's bytes to its Xapian
 * document.  sou-index, bench/extract.c and the unit tests all call it,
 * so every one of them builds exactly the documents sou-index builds.
 *
 * The step, in order:
 *   1. sniff   a NUL byte in the first SOU_POSTDOC_BINARY_SNIFF bytes
 *              marks a binary file (as git): not a post
 *   2. clean   invalid UTF-8 and NUL bytes become U+FFFD (text.h)
 *   3. parse   front matter (frontmatter.h), then the body as plain text
 *              (text.h; a ".html" file's body is HTML, any other's is
 *              Markdown, whatever it starts with: raw HTML is Markdown's)
 *   4. build   the Xapian document, every name from schema.h:
 *      terms    title (title field, wdf 1, and body field at SOU_WDF_TITLE),
 *               tags and categories (body, SOU_WDF_TAG), description,
 *               keywords and body text (body, SOU_WDF_BODY); pinyin and
 *               initials of the title and tags (sou_termgen_index_pinyin)
 *      filters  the id term (sou_termgen_idterm of the key), SOU_PREFIX_TAG,
 *               SOU_PREFIX_CATEGORY, SOU_PREFIX_AUTHOR (folded), and
 *               SOU_PREFIX_YEAR/MONTH/DAY of the date in its own zone
 *               companies named with their codes (entity.h) and
 *               completion keys of the title and tags (suggest.h)
 *      values   SOU_SLOT_DATE (epoch seconds, sortable), SOU_SLOT_TAGS and
 *               SOU_SLOT_CATEGORIES (as written, SOU_FACET_SEP between),
 *               SOU_SLOT_MONTH ("YYYY-MM"), SOU_SLOT_COMPANIES, SOU_SLOT_TITLE
 *      data     docdata.h's record, whose path is the key, with the unit
 *               streams (termgen.h) that queries are checked against
 * A change to what this produces needs a new SOU_SCHEMA_FORMAT.
 */
#ifndef SOU_POSTDOC_H
#define SOU_POSTDOC_H

#include <stddef.h>

#include "buf.h"
#include "error.h"
#include "frontmatter.h"
#include "termgen.h"
#include "xwrap.h"

/* A NUL byte within this many leading bytes marks a binary file. */
#define SOU_POSTDOC_BINARY_SNIFF 8000

/* Holds one post at a time and the buffers reused from post to post. */
typedef struct sou_postdoc sou_postdoc;

/* A new, empty postdoc owned by the caller (cannot fail: aborts on OOM). */
sou_postdoc *sou_postdoc_create(void);
/* NULL is a no-op. */
void sou_postdoc_destroy(sou_postdoc *pd);

/*
 * From now on, parsing gives up with SOU_ERR_INTERRUPTED once *cancel is
 * set (cancel.h; NULL: never; borrowed).  Building asks the term
 * generator's own flag (sou_termgen_set_cancel).
 */
void sou_postdoc_set_cancel(sou_postdoc *pd, const sou_cancel *cancel);

/*
 * Steps 1-3 on data[0..len) read from path (used in messages, for the
 * date in a file name and for the ".html" rule).  Replaces the post pd
 * held.  The parsed post may point into data, which must stay unchanged
 * until the next parse or sou_postdoc_build().  Failures, each with a
 * message naming path:
 *   SOU_ERR_NOFRONTMATTER  not a post: a binary file, or no front matter
 *   SOU_ERR_PARSE          malformed front matter (frontmatter.h)
 *   SOU_ERR_NOMEM          a body parser could not allocate
 *   SOU_ERR_INTERRUPTED    the cancel flag was set (not the post's fault)
 */
sou_status sou_postdoc_parse(sou_postdoc *pd, const char *path, const char *data,
			     size_t len, int tz_min, sou_error *err);

/* The post of the last successful parse, or NULL.  Borrowed from pd. */
const sou_post *sou_postdoc_post(const sou_postdoc *pd);

/* Its body as plain text (text.h format), *len bytes.  Borrowed from pd. */
const char *sou_postdoc_text(const sou_postdoc *pd, size_t *len);

/*
 * Step 4: a new document (owned by the caller: sou_xdoc_destroy) for the
 * parsed post, keyed by key (its unique id, also the path stored for
 * display; any bytes, see docdata.h), with terms from tg (borrowed).
 * Fails only if term generation fails or is cancelled (SOU_ERR_INTERRUPTED).
 */
sou_status sou_postdoc_build(sou_postdoc *pd, sou_termgen *tg, const char *key,
			     sou_xdoc **doc, sou_error *err);

/* The id term of the last built document (for sou_xdb_replace).  Borrowed. */
const char *sou_postdoc_idterm(const sou_postdoc *pd);

#endif
