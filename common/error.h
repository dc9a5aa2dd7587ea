/*
 * error.h - status codes and the caller-provided error record.
 *
 * Every fallible function in sou returns a sou_status and, when it fails,
 * fills a sou_error that the caller owns (usually on its stack).  The
 * message names the file, line and field where they are known, in the
 * form "path:line:col: message".  The library never prints: programs
 * print err.msg themselves.  Passing a NULL sou_error is allowed and
 * simply discards the message.
 */
#ifndef SOU_ERROR_H
#define SOU_ERROR_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef enum sou_status {
	SOU_OK = 0,
	SOU_ERR_NOMEM,        /* allocation failed */
	SOU_ERR_IO,           /* a file or directory could not be read/written */
	SOU_ERR_PARSE,        /* malformed input: YAML, date, HTML, ... */
	SOU_ERR_NOFRONTMATTER,/* a post without a leading '---' block */
	SOU_ERR_TOOBIG,       /* input over a documented size limit */
	SOU_ERR_QUERY,        /* malformed query */
	SOU_ERR_USAGE,        /* bad option or argument */
	SOU_ERR_DB,           /* the index could not be opened, read or written */
	SOU_ERR_LOCKED,       /* another writer holds the index */
	SOU_ERR_NOTFOUND,     /* a named thing does not exist */
	SOU_ERR_INTERRUPTED,  /* stopped by a signal after committing finished work */
	SOU_ERR_INTERNAL      /* a bug or an unexpected library failure */
} sou_status;

/* Size of the message buffer; longer messages are truncated safely. */
#define SOU_ERROR_MSG_MAX 1024

typedef struct sou_error {
	sou_status code;
	char msg[SOU_ERROR_MSG_MAX];
} sou_error;

/* Reset err (may be NULL) to SOU_OK with an empty message. */
void sou_error_clear(sou_error *err);

/*
 * Set err (may be NULL) to code with a printf-style message and return
 * code, so callers can write "return sou_error_set(err, ...)".
 */
sou_status sou_error_set(sou_error *err, sou_status code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/*
 * Prefix err's existing message with "prefix: " (used to add a file name
 * to a message produced deeper down).  No-op on NULL.
 */
void sou_error_prefix(sou_error *err, const char *prefix);

/* A static, human-readable description of a status, like strerror(3). */
const char *sou_strerror(sou_status code);

#ifdef __cplusplus
}
#endif

#endif
