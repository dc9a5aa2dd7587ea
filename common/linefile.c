/*
 * linefile.c - the line-file reader and its one comment rule (see
 * linefile.h).
 */
#include "linefile.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <unistd.h>

#include "buf.h"
#include "fsafe.h"

struct sou_linefile {
	FILE *f;
	char *path;
	char *line;     /* getline's buffer */
	size_t cap;
	size_t lineno;
};

sou_status sou_linefile_open(const char *path, sou_linefile **out, sou_error *err)
{
	FILE *f;
	sou_linefile *lf;
	sou_status st;
	int fd;

	*out = NULL;
	/* settings files may sit in an index from someone else: a FIFO or a
	 * device there must not block or stream forever (fsafe.h) */
	if ((st = sou_fsafe_open(path, &fd, NULL, err)))
		return st;
	if (!(f = fdopen(fd, "r"))) {
		int e = errno;
		close(fd);
		return sou_error_set(err, SOU_ERR_IO, "%s: %s", path, strerror(e));
	}
	lf = sou_xcalloc(1, sizeof(*lf));
	lf->f = f;
	lf->path = sou_xstrdup(path);
	*out = lf;
	return SOU_OK;
}

void sou_linefile_close(sou_linefile *lf)
{
	if (!lf)
		return;
	fclose(lf->f);
	free(lf->path);
	free(lf->line);
	free(lf);
}

size_t sou_linefile_lineno(const sou_linefile *lf)
{
	return lf->lineno;
}

const char *sou_linefile_path(const sou_linefile *lf)
{
	return lf->path;
}

sou_status sou_linefile_error(const sou_linefile *lf, sou_error *err, sou_status code,
			      const char *fmt, ...)
{
	sou_buf b = SOU_BUF_INIT;
	va_list ap;

	sou_buf_addf(&b, "%s:%zu: ", lf->path, lf->lineno);
	va_start(ap, fmt);
	sou_buf_vaddf(&b, fmt, ap);
	va_end(ap);
	sou_error_set(err, code, "%s", b.data);
	sou_buf_free(&b);
	return code;
}

/*
 * Reads one line, its "\n" included, into lf->line (NUL-terminated) and
 * returns its length, or -1 at the end of the file or on an error.  At
 * most SOU_LINEFILE_MAX_LINE + 2 bytes are kept: a longer line returns
 * that length, the rest of it unread, and the caller fails on it, so a
 * file of one endless line costs no more memory than a short one.
 */
static ssize_t read_line(sou_linefile *lf)
{
	size_t n = 0;
	int c;

	if (!lf->line) {
		lf->cap = 256;
		lf->line = sou_xmalloc(lf->cap);
	}
	while ((c = getc_unlocked(lf->f)) != EOF) {
		if (n + 2 > lf->cap) {
			lf->cap *= 2;
			lf->line = sou_xrealloc(lf->line, lf->cap);
		}
		lf->line[n++] = (char)c;
		if (c == '\n' || n > SOU_LINEFILE_MAX_LINE + 1)
			break;
	}
	if (n == 0)
		return -1;
	lf->line[n] = '\0';
	return (ssize_t)n;
}

static int is_blank(char c)
{
	return c == ' ' || c == '\t';
}

sou_status sou_linefile_next(sou_linefile *lf, const char **line, size_t *len,
			     sou_error *err)
{
	ssize_t n;

	*line = NULL;
	*len = 0;
	errno = 0;
	while ((n = read_line(lf)) >= 0) {
		char *p = lf->line, *e = lf->line + n;

		lf->lineno++;
		if ((size_t)n - (lf->line[n - 1] == '\n') > SOU_LINEFILE_MAX_LINE)
			return sou_linefile_error(lf, err, SOU_ERR_PARSE,
						  "the line is longer than %d bytes (is this a text file?)",
						  SOU_LINEFILE_MAX_LINE);
		if (memchr(p, '\0', (size_t)n))
			return sou_linefile_error(lf, err, SOU_ERR_PARSE,
						  "a NUL byte in the line (is this a text file?)");
		if (lf->lineno == 1 && n >= 3 && !memcmp(p, "\xEF\xBB\xBF", 3))
			p += 3;
		while (e > p && (e[-1] == '\n' || e[-1] == '\r' || is_blank(e[-1])))
			e--;
		while (p < e && is_blank(*p))
			p++;
		if (p == e || *p == '#')
			continue;
		*e = '\0';
		*line = p;
		*len = (size_t)(e - p);
		return SOU_OK;
	}
	if (ferror(lf->f))
		return sou_error_set(err, SOU_ERR_IO, "%s: %s", lf->path,
				     strerror(errno ? errno : EIO));
	return SOU_OK;
}
