/*
 * error.c - sou_error helpers and sou_strerror().
 */
#include "error.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

void sou_error_clear(sou_error *err)
{
	if (!err)
		return;
	err->code = SOU_OK;
	err->msg[0] = '\0';
}

sou_status sou_error_set(sou_error *err, sou_status code, const char *fmt, ...)
{
	va_list ap;

	if (!err)
		return code;
	err->code = code;
	va_start(ap, fmt);
	vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
	va_end(ap);
	return code;
}

void sou_error_prefix(sou_error *err, const char *prefix)
{
	char tmp[SOU_ERROR_MSG_MAX];
	size_t n;

	if (!err || !prefix)
		return;
	memcpy(tmp, err->msg, sizeof(tmp));
	n = (size_t)snprintf(err->msg, sizeof(err->msg), "%s: ", prefix);
	if (n < sizeof(err->msg))
		snprintf(err->msg + n, sizeof(err->msg) - n, "%.*s",
			 (int)(sizeof(err->msg) - n - 1), tmp);
}

const char *sou_strerror(sou_status code)
{
	switch (code) {
	case SOU_OK: return "success";
	case SOU_ERR_NOMEM: return "out of memory";
	case SOU_ERR_IO: return "input/output error";
	case SOU_ERR_PARSE: return "malformed input";
	case SOU_ERR_NOFRONTMATTER: return "no front matter";
	case SOU_ERR_TOOBIG: return "input too large";
	case SOU_ERR_QUERY: return "malformed query";
	case SOU_ERR_USAGE: return "usage error";
	case SOU_ERR_DB: return "index error";
	case SOU_ERR_LOCKED: return "index locked by another writer";
	case SOU_ERR_NOTFOUND: return "not found";
	case SOU_ERR_INTERRUPTED: return "interrupted";
	case SOU_ERR_INTERNAL: return "internal error";
	}
	return "unknown error";
}
