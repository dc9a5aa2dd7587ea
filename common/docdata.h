/*
 * docdata.h - what sou stores with each post for display and snippets.
 *
 * Format: a one-line JSON object (written and read with jansson), so the
 * record is self-describing and can gain fields, then '\n', then the body
 * as plain text (text.h format, used to build snippets) as raw bytes:
 *   {"path":"2022/a.md","title":"...","date":1654048800,"tz":480,
 *    "tags":[...],"categories":[...],"author":"..."}\n<text>
 * Compact JSON never contains a raw newline, so the first '\n' ends it.
 * Keeping the text out of the JSON spares every hit a JSON parse of the
 * whole body.  "date"/"tz" are absent when the post has no date.
 *
 * File names are bytes, not necessarily UTF-8, and JSON strings must be
 * UTF-8, so a path that is not valid UTF-8 is stored twice: "path" with
 * every invalid sequence replaced by U+FFFD (for readers that only show
 * it), and "path_b64", the exact bytes in standard base64 (RFC 4648,
 * with padding).  Decoding prefers "path_b64", so sou_docdata.path is
 * always the file's name byte for byte.  Every other field comes from the
 * file's contents, which the indexer has already made valid UTF-8.
 */
#ifndef SOU_DOCDATA_H
#define SOU_DOCDATA_H

#include "buf.h"
#include "date.h"
#include "error.h"
#include "frontmatter.h"

/* A decoded record; every string is owned by the record. */
typedef struct sou_docdata {
	char *path;       /* the post's key as raw bytes (maybe not UTF-8) */
	char *title;
	char *author;
	int has_date;
	sou_date date;
	sou_strlist tags;
	sou_strlist categories;
	char *text;
	size_t text_len;
} sou_docdata;

/*
 * 1 if s[0..n) is well-formed UTF-8 (no overlong forms, surrogates or
 * code points over U+10FFFF; NUL bytes are allowed).
 */
int sou_utf8_valid(const char *s, size_t n);

/*
 * Serialises a post into out (replacing its contents).  relpath may be any
 * bytes (see above); the post's strings must be valid UTF-8.
 */
void sou_docdata_encode(const sou_post *post, const char *relpath,
			const char *text, size_t text_len, sou_buf *out);

/* Parses a record; on success *d owns its strings (free: sou_docdata_clear). */
sou_status sou_docdata_decode(const char *data, size_t len, sou_docdata *d,
			      sou_error *err);

/* Frees what d owns and zeroes it. */
void sou_docdata_clear(sou_docdata *d);

#endif
