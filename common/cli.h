/*
 * cli.h - small helpers the two programs' mains share: the default index
 * location, terminal detection and the exit-status contract.
 */
#ifndef SOU_CLI_H
#define SOU_CLI_H

#include <stdarg.h>
#include <stdio.h>

#include "buf.h"
#include "error.h"

/* Exit statuses (README "Exit status", man pages). */
#define SOU_EXIT_OK 0
#define SOU_EXIT_SOME 1      /* sou-index: some posts failed; sou-query: no hits */
#define SOU_EXIT_USAGE 2     /* bad option or malformed query */
#define SOU_EXIT_DB 3        /* index missing, unreadable or failed */
#define SOU_EXIT_INTERRUPTED 4 /* sou-index: SIGINT/SIGTERM; finished work committed */
#define SOU_EXIT_LOCKED 75   /* EX_TEMPFAIL: another writer; cron retries */

/*
 * The index directory to use when --db is not given: $SOU_DB if set,
 * else $HOME/.sou/index.  Written to out.
 */
void sou_cli_default_db(sou_buf *out);

/*
 * Reads DIR/sou.conf if it exists: lines "dict = FILE" and "synonyms =
 * FILE" (relative paths are relative to DIR; comments follow linefile.h's
 * one rule: a line whose first non-blank character is '#', no inline
 * comments), appending the files to dicts and synonyms.  A missing file
 * is not an error; an unknown key is, naming the file and line.
 */
sou_status sou_cli_read_config(const char *dir, sou_strlist *dicts,
			       sou_strlist *synonyms, sou_error *err);

/*
 * Writes one line for a person to f: prefix (as is, e.g. "sou-query: "),
 * then the formatted message escaped (buf.h: sou_buf_add_escaped), then a
 * newline, in one write.  The mains' every stderr line goes through it, so
 * nothing from a post, a file name or an argument can move the cursor or
 * split the line.
 */
void sou_cli_say(FILE *f, const char *prefix, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
void sou_cli_vsay(FILE *f, const char *prefix, const char *fmt, va_list ap)
	__attribute__((format(printf, 3, 0)));

/*
 * The width in columns of the terminal fd is, or 0 when fd is no
 * terminal: the kernel's window size, else $COLUMNS, else 80.  Results
 * wrap at it (sou-query); a pipe gets lines unwrapped.
 */
unsigned sou_cli_term_width(int fd);

/* Maps a library status from opening/using the index to an exit status. */
int sou_cli_exit_for(sou_status st);

#endif
