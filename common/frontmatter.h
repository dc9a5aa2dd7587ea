/*
 * frontmatter.h - Jekyll front matter: finding the "---" block, parsing
 * its YAML with libyaml's event API, and splitting off the body.
 *
 * Known keys: title, date, categories, category, tags, tag, permalink,
 * author, description, keywords.  Every other key (and any nested value)
 * is skipped without being interpreted.  Tags and categories may be a YAML
 * sequence or a string; a string is split on whitespace as Jekyll does.
 *
 * Limits, so that no front matter costs more than linear time:
 * collections nested deeper than SOU_FRONTMATTER_MAX_DEPTH fail the post,
 * and tags, categories and keywords keep their first
 * SOU_FRONTMATTER_MAX_LIST distinct entries each (the rest are ignored).
 */
#ifndef SOU_FRONTMATTER_H
#define SOU_FRONTMATTER_H

#include <stddef.h>

#include "buf.h"
#include "cancel.h"
#include "date.h"
#include "error.h"


/* Deepest nesting of YAML collections (sequences, mappings) accepted. */
#define SOU_FRONTMATTER_MAX_DEPTH 64
/* Entries kept per list (tags, categories, keywords). */
#define SOU_FRONTMATTER_MAX_LIST 1000

/*
 * A parsed post.  A plain record: every string is owned by the post and
 * freed by sou_post_destroy(); string fields are NULL when the key was
 * absent.  body/body_len point into the caller's input buffer, which must
 * outlive the post's use of them.
 */
typedef struct sou_post {
	char *title;
	char *permalink;
	char *author;
	char *description;
	sou_strlist tags;
	sou_strlist categories;
	sou_strlist keywords;
	int has_date;
	int date_from_filename; /* date came from the file name */
	sou_date date;
	const char *body;
	size_t body_len;
	unsigned body_line;     /* 1-based line where the body starts */
} sou_post;

/* Frees post and everything it owns.  NULL is a no-op. */
void sou_post_destroy(sou_post *post);

/*
 * Parses data[0..len) read from path (used for messages and for the
 * file-name date; only its base name is looked at).  The input may start
 * with a UTF-8 BOM and blank lines, and may use CRLF line ends.
 *
 * On success *out is a new post owned by the caller.  Failures:
 *   SOU_ERR_NOFRONTMATTER  no opening "---" line (Jekyll ignores such files)
 *   SOU_ERR_PARSE          unterminated block, YAML error ("path:line:col:
 *                          message", line/col counted in the whole file),
 *                          front matter that is not a mapping, a bad date,
 *                          nesting deeper than SOU_FRONTMATTER_MAX_DEPTH
 *                          ("... nested deeper than 64 levels")
 */
sou_status sou_frontmatter_parse(const char *path, const char *data, size_t len,
				 int default_tz_min, sou_post **out,
				 sou_error *err);

/*
 * The same, giving up with SOU_ERR_INTERRUPTED ("path: interrupted")
 * once *cancel is set (cancel.h; NULL: never).
 */
sou_status sou_frontmatter_parse_cancel(const char *path, const char *data, size_t len,
					int default_tz_min, const sou_cancel *cancel,
					sou_post **out, sou_error *err);

#endif
