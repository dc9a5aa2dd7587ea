/*
 * cli.h - small helpers the two programs' mains share: the default index
 * location, terminal detection and the exit-status contract.
 */
#ifndef SOU_CLI_H
#define SOU_CLI_H

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

/* Maps a library status from opening/using the index to an exit status. */
int sou_cli_exit_for(sou_status st);

#endif
