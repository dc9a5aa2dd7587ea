/*
 * complete.h - completions for sou-query --suggest and sou-serve's
 * /suggest: common/suggest.h over a searcher's index, and their text and
 * JSON forms.
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

#endif
