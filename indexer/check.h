/*
 * check.h - sou-index --check: whether an index is sound.
 *
 * Two passes over the current generation, under the writer lock (so no
 * run changes it meanwhile):
 *   1. Xapian's own checker (Xapian::Database::check) over every table;
 *   2. sou's records against the documents: every per-file record of an
 *      indexed post (status 'o', state.h) has exactly one document, every
 *      document's id term belongs to such a record, the counts agree, and
 *      every document's stored data decodes (docdata.h).
 * Either finding anything means the index is damaged; the remedy is
 * sou-index --rebuild.
 *
 * A shard set (store.h) is checked under the set's lock: its stub, then
 * every shard as above plus that each indexed post's key hashes to the
 * shard holding it; each problem line starts with the shard's path.
 */
#ifndef SOU_CHECK_H
#define SOU_CHECK_H

#include "buf.h"
#include "error.h"

/* What a check found.  Owned by the caller; free with sou_check_report_clear. */
typedef struct sou_check_report {
	unsigned long posts;     /* documents in the index */
	unsigned long records;   /* per-file records of indexed posts */
	unsigned long problems;  /* 0: the index is sound */
	unsigned shards;         /* 0: a single index; N: a shard set's N */
	sou_buf text;            /* one line per problem found ('\n'-ended),
				  * the first SOU_CHECK_LISTED of each pass */
} sou_check_report;

#define SOU_CHECK_LISTED 20

/*
 * Checks the index at db_path, waiting up to wait_s for a running
 * sou-index (SOU_ERR_LOCKED after that).  Damage is not an error: it is
 * counted in out->problems.  The status is an error only when the check
 * cannot run (no index, no permission, a damaged stub).
 */
sou_status sou_check_run(const char *db_path, double wait_s, sou_check_report *out,
			 sou_error *err);

void sou_check_report_clear(sou_check_report *r);

#endif
