/*
 * docdata.h - what sou stores with each post for display and snippets.
 *
 * Format: a one-line JSON object (written and read with jansson), so the
 * record is self-describing and can gain fields, then '\n', then the body
 * as plain text (text.h format, used to build snippets) as raw bytes,
 * then (only when "ut"/"ub" say so) the unit streams:
 *   {"path":"2022/a.md","title":"...","date":1654048800,"tz":480,
 *    "tags":[...],"categories":[...],"author":"...","permalink":"...",
 *    "description":"...","keywords":[...],"ud":1}\n<text>
 *   {..., "ut":38,"ub":5120}\n<text><38 bytes: title units><5120: body units>
 * Compact JSON never contains a raw newline, so the first '\n' ends it.
 * Keeping the text out of the JSON spares every hit a JSON parse of the
 * whole body.  "date"/"tz" are absent when the post has no date,
 * "permalink", "description" and "keywords" when it has none (the
 * permalink is the front matter's, as written: the page builds links
 * from it).
 *
 * File names are bytes, not necessarily UTF-8, and JSON strings must be
 * UTF-8, so a path that is not valid UTF-8 is stored twice: "path" with
 * every invalid sequence replaced by U+FFFD (for readers that only show
 * it), and "path_b64", the exact bytes in standard base64 (RFC 4648,
 * with padding).  Decoding prefers "path_b64", so sou_docdata.path is
 * always the file's name byte for byte.  Every other field comes from the
 * file's contents, which the indexer has already made valid UTF-8.
 *
 * Unit streams (units.h) are what queries are checked against: the
 * title's, and the body's (every searchable text: title, tags,
 * categories, description, keywords, body text, in that order).  Every
 * one of those texts is in the record, so when sou_segmenter_quick_units
 * derives exactly the streams the indexer produced, the record says
 * "ud":1 and stores nothing more; otherwise it stores the streams.
 */
#ifndef SOU_DOCDATA_H
#define SOU_DOCDATA_H

#include "buf.h"
#include "date.h"
#include "error.h"
#include "frontmatter.h"
#include "segment.h"

/* A decoded record; every string is owned by the record. */
typedef struct sou_docdata {
	char *path;       /* the post's key as raw bytes (maybe not UTF-8) */
	char *title;
	char *author;
	char *permalink;  /* front matter's permalink: as written, NULL when none */
	int has_date;
	sou_date date;
	sou_strlist tags;
	sou_strlist categories;
	char *description;       /* "" when none */
	sou_strlist keywords;
	char *text;
	size_t text_len;
	/* unit streams: SOU_DOCUNITS_STORED (below), _DERIVED (derive them with
	 * sou_docdata_units) or _NONE (a record written without them) */
	int units;
	char *units_title, *units_body;
	size_t units_title_len, units_body_len;
} sou_docdata;

/*
 * 1 if s[0..n) is well-formed UTF-8 (no overlong forms, surrogates or
 * code points over U+10FFFF; NUL bytes are allowed).
 */
int sou_utf8_valid(const char *s, size_t n);

#define SOU_DOCUNITS_NONE 0
#define SOU_DOCUNITS_DERIVED 1
#define SOU_DOCUNITS_STORED 2

/* The unit streams the indexer produced for a post (termgen.h), and the
 * segmenter that derives them (borrowed). */
typedef struct sou_docunits {
	sou_segmenter *seg;
	const char *title, *body;
	size_t title_len, body_len;
} sou_docunits;

/*
 * Serialises a post into out (replacing its contents).  relpath may be any
 * bytes (see above); the post's strings must be valid UTF-8.
 */
void sou_docdata_encode(const sou_post *post, const char *relpath,
			const char *text, size_t text_len, sou_buf *out);

/*
 * sou_docdata_encode with the post's unit streams: "ud":1 when they
 * derive from the record, else the streams themselves.  u may be NULL
 * (no streams: a record queries cannot check).
 */
void sou_docdata_encode_units(const sou_post *post, const char *relpath,
			      const char *text, size_t text_len,
			      const sou_docunits *u, sou_buf *out);

/*
 * The unit streams of a decoded record, into title and body (replacing
 * their contents): stored ones copied, or derived with seg.  Fails with
 * SOU_ERR_DB when the record has none or they do not derive (a damaged
 * record).
 */
sou_status sou_docdata_units(const sou_docdata *d, sou_segmenter *seg, sou_buf *title,
			     sou_buf *body, sou_error *err);

/*
 * The same for a record that is not decoded (data[0..len)): only its
 * JSON is parsed, the text is not copied.  For checking candidates.
 */
sou_status sou_docdata_units_of(const char *data, size_t len, sou_segmenter *seg,
				sou_buf *title, sou_buf *body, sou_error *err);

/* Parses a record; on success *d owns its strings (free: sou_docdata_clear). */
sou_status sou_docdata_decode(const char *data, size_t len, sou_docdata *d,
			      sou_error *err);

/* Frees what d owns and zeroes it. */
void sou_docdata_clear(sou_docdata *d);

#endif
