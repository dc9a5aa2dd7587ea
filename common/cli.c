/*
 * cli.c - helpers shared by the mains (see cli.h).
 */
#include "cli.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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
	sou_buf path = SOU_BUF_INIT, val = SOU_BUF_INIT;
	FILE *f;
	char *line = NULL;
	size_t cap = 0, lineno = 0;
	sou_status st = SOU_OK;

	sou_buf_addf(&path, "%s/sou.conf", dir);
	if (!(f = fopen(path.data, "r"))) {
		st = errno == ENOENT ? SOU_OK
				     : sou_error_set(err, SOU_ERR_IO, "%s: %s", path.data, strerror(errno));
		sou_buf_free(&path);
		return st;
	}
	while (getline(&line, &cap, f) >= 0) {
		char *p = line, *key, *eq, *v, *e;
		lineno++;
		if ((e = strchr(p, '#')))
			*e = '\0';
		while (isspace((unsigned char)*p))
			p++;
		if (!*p)
			continue;
		key = p;
		if (!(eq = strchr(p, '='))) {
			st = sou_error_set(err, SOU_ERR_PARSE, "%s:%zu: expected KEY = VALUE", path.data, lineno);
			break;
		}
		e = eq;
		while (e > key && isspace((unsigned char)e[-1]))
			e--;
		*e = '\0';
		v = eq + 1;
		while (isspace((unsigned char)*v))
			v++;
		e = v + strlen(v);
		while (e > v && isspace((unsigned char)e[-1]))
			e--;
		*e = '\0';
		sou_buf_reset(&val);
		if (*v != '/')
			sou_buf_addf(&val, "%s/", dir);
		sou_buf_adds(&val, v);
		if (!strcmp(key, "dict"))
			sou_strlist_push(dicts, val.data, val.len);
		else if (!strcmp(key, "synonyms"))
			sou_strlist_push(synonyms, val.data, val.len);
		else {
			st = sou_error_set(err, SOU_ERR_PARSE, "%s:%zu: unknown key '%s' (expected dict or synonyms)",
					   path.data, lineno, key);
			break;
		}
	}
	fclose(f);
	free(line);
	sou_buf_free(&path);
	sou_buf_free(&val);
	return st;
}
