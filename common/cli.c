/*
 * cli.c - helpers shared by the mains (see cli.h).
 */
#include "cli.h"

#include <stdlib.h>

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
