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

#include "buf.h"

struct sou_linefile {
	FILE *f;
	char *path;
	char *line;     /* getline's buffer */
	size_t cap;
	size_t lineno;
};

sou_status sou_linefile_open(const char *path, sou_linefile **out, sou_error *err)
{
	FILE *f = fopen(path, "r");
	sou_linefile *lf;

	*out = NULL;
	if (!f)
		return sou_error_set(err, (errno == ENOENT || errno == ENOTDIR) ? SOU_ERR_NOTFOUND : SOU_ERR_IO,
				     "%s: %s", path, strerror(errno));
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
	while ((n = getline(&lf->line, &lf->cap, lf->f)) >= 0) {
		char *p = lf->line, *e = lf->line + n;

		lf->lineno++;
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
