/*
 * complete.h - completions for sou-query --suggest and sou-serve's
 * /suggest (common/suggest.h over a searcher's index), the companies a
 * word stands for (sou-query --entity, common/entity.h), and their text
 * and JSON forms.
 */
#ifndef SOU_COMPLETE_H
#define SOU_COMPLETE_H

#include "buf.h"
#include "error.h"
#include "search.h"
#include "suggest.h"

/* The most completions one call gives (a page's list, a terminal's). */
#define SOU_COMPLETE_MAX 50

/*
 * The at most max (<= SOU_COMPLETE_MAX) completions of prefix[0..len) in
 * s's index into *out (sou_completions_clear frees it).
 */
sou_status sou_complete(sou_searcher *s, const char *prefix, size_t len, size_t max,
			sou_completions *out, sou_error *err);

/*
 * {"prefix": …, "suggestions": [{"text": …, "posts": N}, …], "more": bool}
 * into out (replacing it), one line when compact, with a newline.
 */
void sou_complete_json(const char *prefix, const sou_completions *c, int compact,
		       sou_buf *out);
/* One completion per line, "TEXT<TAB>POSTS", escaped (buf.h) as the text
 * output escapes what came from the index. */
void sou_complete_text(const sou_completions *c, sou_buf *out);

/*
 * The companies word stands for (a code, a mined name, a user file's name
 * or alias: every one, an ambiguous word is listed, not guessed), each
 * with its known names and the posts naming it, as text ("CODE<TAB>NAME,
 * NAME<TAB>POSTS" lines) or JSON ({"entity": …, "companies": [{"code",
 * "names", "posts"}]}) into out.  *n receives how many.
 */
sou_status sou_complete_entity(sou_searcher *s, const char *word, int json, sou_buf *out,
			       size_t *n, sou_error *err);

#endif
