/*
 * linefile.h - the one reader of sou's line-based settings files:
 * dictionaries (segment.c), synonym files (termgen.c) and sou.conf
 * (cli.c), so all three follow the same rules:
 *
 *   - UTF-8 text, one entry per line; "\n" or "\r\n" ends a line, and a
 *     UTF-8 byte-order mark at the very start is skipped;
 *   - blanks (spaces, tabs) around a line are not part of it;
 *   - a line that is empty or whose first non-blank character is '#' is
 *     a comment and is skipped.  There are no inline comments: a '#'
 *     anywhere else is an ordinary character, so dictionary words such as
 *     "C#" and file names with '#' survive;
 *   - a NUL byte in a line is an error (it would silently cut the line),
 *     and so is a line over SOU_LINEFILE_MAX_LINE bytes (no entry is
 *     that long; a file that is one endless line is not read to its end);
 *   - the file must be a regular file (common/fsafe.h): a FIFO or device
 *     named in an index's sou.conf cannot block or feed a reader forever.
 *
 * Errors name the file and line: "path:line: message".
 */
#ifndef SOU_LINEFILE_H
#define SOU_LINEFILE_H

#include <stddef.h>

#include "error.h"

typedef struct sou_linefile sou_linefile;

#define SOU_LINEFILE_MAX_LINE 65536

/*
 * Opens path.  A missing file fails with SOU_ERR_NOTFOUND (callers for
 * which a missing file is normal, like sou.conf, check for it), any other
 * failure (a FIFO, a device, a directory) with SOU_ERR_IO; both messages
 * name the path.  *out is owned by
 * the caller (sou_linefile_close).
 */
sou_status sou_linefile_open(const char *path, sou_linefile **out, sou_error *err);
void sou_linefile_close(sou_linefile *lf);

/*
 * Reads the next entry (comments and blank lines skipped).  On success
 * sets *line (NUL-terminated, trimmed, owned by lf and valid until the
 * next call) and *len and returns SOU_OK; at the end of the file sets
 * *line to NULL.  Fails with SOU_ERR_PARSE on a NUL byte, SOU_ERR_IO on
 * a read error.
 */
sou_status sou_linefile_next(sou_linefile *lf, const char **line, size_t *len,
			     sou_error *err);

/* The 1-based number of the line last returned (0 before the first). */
size_t sou_linefile_lineno(const sou_linefile *lf);
/* The path as given to open (owned by lf). */
const char *sou_linefile_path(const sou_linefile *lf);

/*
 * Sets err to code with "path:line: " and a printf-style message for the
 * line last returned, and returns code, so callers can write
 * "return sou_linefile_error(lf, err, SOU_ERR_PARSE, "...")".
 */
sou_status sou_linefile_error(const sou_linefile *lf, sou_error *err, sou_status code,
			      const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

#endif
