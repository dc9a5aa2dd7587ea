/*
 * cli.c - helpers shared by the mains (see cli.h).
 */
#include "cli.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "linefile.h"

void sou_cli_default_db(sou_buf *out)
{
	const char *e = getenv("SOU_DB"), *home = getenv("HOME");

	sou_buf_reset(out);
	if (e && *e) {
		sou_buf_adds(out, e);
		return;
	}
	sou_buf_adds(out, home && *home ? home : ".");
	sou_buf_adds(out, "/.sou/index");
}

int sou_cli_exit_for(sou_status st)
{
	switch (st) {
	case SOU_OK: return SOU_EXIT_OK;
	case SOU_ERR_USAGE:
	case SOU_ERR_QUERY: return SOU_EXIT_USAGE;
	case SOU_ERR_LOCKED: return SOU_EXIT_LOCKED;
	case SOU_ERR_INTERRUPTED: return SOU_EXIT_INTERRUPTED;
	default: return SOU_EXIT_DB;
	}
}

sou_status sou_cli_read_config(const char *dir, sou_strlist *dicts,
			       sou_strlist *synonyms, sou_error *err)
{
	sou_buf path = SOU_BUF_INIT, val = SOU_BUF_INIT, key = SOU_BUF_INIT;
	sou_linefile *lf = NULL;
	const char *line;
	size_t len;
	sou_status st;

	sou_buf_addf(&path, "%s/sou.conf", dir);
	st = sou_linefile_open(path.data, &lf, err);
	if (st == SOU_ERR_NOTFOUND)
		st = SOU_OK, lf = NULL; /* no sou.conf: nothing to read */
	while (lf && !st && !(st = sou_linefile_next(lf, &line, &len, err)) && line) {
		const char *eq = strchr(line, '='), *e, *v;

		if (!eq) {
			st = sou_linefile_error(lf, err, SOU_ERR_PARSE, "expected KEY = VALUE");
			break;
		}
		for (e = eq; e > line && (e[-1] == ' ' || e[-1] == '\t'); e--)
			;
		sou_buf_reset(&key);
		sou_buf_add(&key, line, (size_t)(e - line));
		for (v = eq + 1; *v == ' ' || *v == '\t'; v++)
			;
		if (!*v) {
			st = sou_linefile_error(lf, err, SOU_ERR_PARSE, "%s: needs a file name",
						key.data);
			break;
		}
		sou_buf_reset(&val);
		if (*v != '/')
			sou_buf_addf(&val, "%s/", dir);
		sou_buf_adds(&val, v); /* the line is trimmed: v ends at its end */
		if (!strcmp(key.data, "dict"))
			sou_strlist_push(dicts, val.data, val.len);
		else if (!strcmp(key.data, "synonyms"))
			sou_strlist_push(synonyms, val.data, val.len);
		else
			st = sou_linefile_error(lf, err, SOU_ERR_PARSE,
						"unknown key '%s' (expected dict or synonyms)", key.data);
	}
	sou_linefile_close(lf);
	sou_buf_free(&path);
	sou_buf_free(&val);
	sou_buf_free(&key);
	return st;
}

void sou_cli_say(FILE *f, const char *prefix, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	sou_cli_vsay(f, prefix, fmt, ap);
	va_end(ap);
}

void sou_cli_vsay(FILE *f, const char *prefix, const char *fmt, va_list ap)
{
	sou_buf msg = SOU_BUF_INIT, line = SOU_BUF_INIT;

	sou_buf_vaddf(&msg, fmt, ap);
	sou_buf_adds(&line, prefix);
	sou_buf_add_escaped(&line, msg.data ? msg.data : "", msg.len);
	sou_buf_addc(&line, '\n');
	fwrite(line.data, 1, line.len, f);
	sou_buf_free(&msg);
	sou_buf_free(&line);
}

unsigned sou_cli_term_width(int fd)
{
	struct winsize ws;
	const char *c;
	long v;

	if (!isatty(fd))
		return 0;
	if (!ioctl(fd, TIOCGWINSZ, &ws) && ws.ws_col > 0)
		return ws.ws_col;
	c = getenv("COLUMNS");
	v = c ? strtol(c, NULL, 10) : 0;
	return v > 0 && v < 10000 ? (unsigned)v : 80;
}
