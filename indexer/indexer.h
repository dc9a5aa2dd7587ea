/*
 * indexer.h - libsouindex: walking a posts tree and writing the index.
 *
 * The library does the work and reports through a callback; it never
 * prints.  sou-index's main.c turns events into output and statuses into
 * exit codes.
 */
#ifndef SOU_INDEXER_H
#define SOU_INDEXER_H

#include <stddef.h>

#include "error.h"

typedef struct sou_indexer sou_indexer;

typedef enum sou_ix_event_kind {
	SOU_IX_ADDED,    /* a post was indexed (added or replaced) */
	SOU_IX_SKIPPED,  /* not a post (e.g. no front matter); a note */
	SOU_IX_FAILED,   /* a post that could not be indexed; needs a person */
	SOU_IX_PROGRESS  /* periodic: done posts so far */
} sou_ix_event_kind;

/* An event; every pointer is borrowed and valid only during the callback. */
typedef struct sou_ix_event {
	sou_ix_event_kind kind;
	const char *path;     /* the file as given (root + relative path) */
	const char *message;  /* SKIPPED/FAILED: why, naming file and line */
	unsigned long done;   /* files looked at so far */
	unsigned long long bytes; /* bytes read so far */
} sou_ix_event;

typedef void (*sou_ix_event_fn)(void *ctx, const sou_ix_event *ev);

typedef struct sou_indexer_opts {
	const char *db_path;      /* index directory (created if missing) */
	int tz_min;               /* site zone for dates without one */
	unsigned batch;           /* posts per commit (0: default 2000) */
	size_t max_file_bytes;    /* larger files fail (0: default 8 MiB) */
	sou_ix_event_fn on_event; /* may be NULL */
	void *ctx;
} sou_indexer_opts;

typedef struct sou_index_stats {
	unsigned long added;
	unsigned long skipped;
	unsigned long failed;
	unsigned long dropped_terms; /* terms over Xapian's limit, dropped */
	unsigned long long bytes;    /* bytes of post files read */
	double seconds;
} sou_index_stats;

#define SOU_DEFAULT_BATCH 2000
#define SOU_DEFAULT_MAX_FILE (8u << 20)

/* Opens (creating if needed) the index; *out is owned by the caller. */
sou_status sou_indexer_create(const sou_indexer_opts *opts, sou_indexer **out,
			      sou_error *err);

/*
 * Indexes the posts (*.md, *.markdown, *.html) below path, or path itself
 * if it is a file.  Each post is keyed by its path relative to path (a
 * file given directly is keyed by its base name).  Bad posts are reported
 * as events and counted, never returned as errors: the status is an error
 * only when the index itself fails or path cannot be read at all.
 */
sou_status sou_indexer_add_path(sou_indexer *ix, const char *path, sou_error *err);

/* Commits what is pending and fills stats (may be NULL). */
sou_status sou_indexer_finish(sou_indexer *ix, sou_index_stats *stats,
			      sou_error *err);

/* Closes the index; anything not committed by finish is discarded. */
void sou_indexer_destroy(sou_indexer *ix);

#endif
