/*
 * text.h - turning a post body (Markdown or HTML) into plain text.
 *
 * Markdown goes through cmark (CommonMark); HTML, whether a whole body or
 * an HTML block inside Markdown, goes through gumbo (an HTML5 tokenizer
 * and tree builder).  Markdown that starts with HTML is still Markdown:
 * its HTML blocks go to gumbo and the Markdown after them is Markdown.
 * Output format, relied on by the segmenter and the snippet code:
 *   - UTF-8 text; script, style, template contents and comments dropped;
 *     entities decoded; link text and image alt text kept (also of an
 *     inline <img>), link and image URLs and titles dropped, except an
 *     autolink's ("<https://x>"), whose text is its URL;
 *   - every block boundary (paragraph, heading, list item, table cell,
 *     <br>, ...) becomes exactly one '\n', so words from two blocks never
 *     fuse; runs of spaces inside a block collapse to one ' ';
 *   - no leading or trailing whitespace.
 */
#ifndef SOU_TEXT_H
#define SOU_TEXT_H

#include <stddef.h>

#include "buf.h"
#include "cancel.h"
#include "error.h"

/*
 * Bounds that keep any body linear in time and bounded in memory
 * (text.c says why each is safe for ordinary posts):
 *   - Markdown and HTML over *_WHOLE bytes are parsed in pieces of about
 *     *_PIECE bytes (at most *_PIECE_MAX), each freed before the next;
 *     a reference link defined in another piece of Markdown stays text;
 *   - Markdown lines whose container prefix (blanks, '>', list markers)
 *     reaches SOU_TEXT_MD_MAX_PREFIX columns have it cut there (markers
 *     beyond become text); runs of blank lines keep two; a paragraph with
 *     pathologically many brackets has them taken as text.
 */
#define SOU_TEXT_MD_WHOLE (256u << 10)
#define SOU_TEXT_MD_PIECE (128u << 10)
#define SOU_TEXT_MD_PIECE_MAX (256u << 10)
#define SOU_TEXT_MD_FEED (64u << 10)        /* cmark is fed this much at a time */
#define SOU_TEXT_MD_MAX_PREFIX 32
#define SOU_TEXT_MD_BRACKET_BASE (1u << 20)
#define SOU_TEXT_MD_BRACKET_PER_BYTE 16
#define SOU_TEXT_HTML_WHOLE (256u << 10)
#define SOU_TEXT_HTML_PIECE (128u << 10)
#define SOU_TEXT_HTML_PIECE_MAX (512u << 10)

typedef enum sou_body_format {
	SOU_BODY_AUTO,     /* HTML if the body starts with an HTML tag, else Markdown
			    * (for text of unknown kind; posts are told by name,
			    * postdoc.h) */
	SOU_BODY_MARKDOWN,
	SOU_BODY_HTML
} sou_body_format;

/*
 * Appends the plain text of body[0..len) to out (owned by the caller).
 * Invalid UTF-8 is passed through (the segmenter replaces it).  Fails
 * only with SOU_ERR_NOMEM if a parser cannot allocate.
 */
sou_status sou_text_from_body(const char *body, size_t len, sou_body_format fmt,
			      sou_buf *out, sou_error *err);

/*
 * The same, giving up with SOU_ERR_INTERRUPTED once *cancel is set
 * (cancel.h; NULL: never): it is looked at between pieces and every
 * SOU_TEXT_MD_FEED bytes fed to cmark.  out then holds partial text.
 */
sou_status sou_text_from_body_cancel(const char *body, size_t len, sou_body_format fmt,
				     const sou_cancel *cancel, sou_buf *out, sou_error *err);

/*
 * Returns 1 if s[0..n) is valid UTF-8 without NUL bytes.  Otherwise
 * writes to out (replacing its contents) a copy in which every invalid
 * sequence and every NUL is replaced by U+FFFD, and returns 0.
 */
int sou_text_utf8_clean(const char *s, size_t n, sou_buf *out);

#endif
