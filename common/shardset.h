/*
 * shardset.h - what a reader's --db names: one index, or several shards
 * (local or remote) listed in a Xapian stub file.
 *
 * A path given to a reader is one of:
 *   - a sou index directory: DIR/XAPIANDB is one line "auto gen-NNNNNN"
 *     (genlock.h); one local shard;
 *   - a directory holding a plain Xapian database (no stub); one local
 *     shard, opened as Xapian would;
 *   - a stub file, or a directory whose XAPIANDB is a stub listing other
 *     databases (a shard set written by `sou-index --shards N`, or by
 *     hand), in Xapian's stub syntax, one database a line:
 *         auto PATH          (also "glass PATH"; PATH relative to the
 *                             stub's directory unless absolute)
 *         remote HOST:PORT   (a stock xapian-tcpsrv; "remote :PORT" is
 *                             localhost)
 *         remote :PROGRAM ARGS
 *                            (a program speaking Xapian's remote protocol
 *                             on its standard input and output, such as
 *                             xapian-progsrv; only with
 *                             SOU_SHARDSET_ALLOW_PROGRAMS, see below)
 *     blank lines and lines starting with '#' are skipped.  A local line
 *     that names a sou index directory, a shard set or another stub is
 *     followed (at most SOU_SHARDSET_DEPTH deep), so a stub may list
 *     shard sets.  Xapian's "inmemory" and "chert" lines are refused with
 *     a message naming the file and line.
 *
 * Nothing in an index runs a program unless the user asked for it.  A
 * stub may come with an index from someone else, and Xapian itself would
 * start the PROGRAM of a "remote :PROGRAM" line when it opens the stub.
 * So sou reads every stub itself (Xapian never sees one: each local
 * shard is opened as a glass database only, xwrap.cc), and a program
 * line is an error (SOU_ERR_USAGE, naming the file and line and the
 * option that allows it) unless the caller passes
 * SOU_SHARDSET_ALLOW_PROGRAMS, which sou-query and sou-serve do only for
 * --allow-remote-programs.  "remote :PORT" (digits only) stays sou's
 * shorthand for 127.0.0.1:PORT, never a program.
 *
 * The list is resolved once, when a reader opens; each local shard is
 * then opened through genlock.h (so a rebuild cannot remove it under the
 * reader) and each remote one with Xapian's own remote backend.
 */
#ifndef SOU_SHARDSET_H
#define SOU_SHARDSET_H

#include "buf.h"
#include "error.h"

#ifdef __cplusplus
extern "C" {
#endif

#define SOU_SHARDSET_DEPTH 8

/* sou_shardset_resolve's flags */
#define SOU_SHARDSET_ALLOW_PROGRAMS 1u

typedef enum sou_shard_kind { SOU_SHARD_LOCAL, SOU_SHARD_REMOTE } sou_shard_kind;

/* One database of a reader; every string owned by the list. */
typedef struct sou_shard {
	sou_shard_kind kind;
	char *path;      /* LOCAL: what to open (a sou index dir or a database) */
	char *host;      /* REMOTE over TCP: host name or address ("127.0.0.1"
			  * for ":PORT"); NULL for a program */
	unsigned port;   /* REMOTE over TCP */
	char *program;   /* REMOTE through a program: its name (NULL for TCP) */
	char *args;      /* its arguments, one string as Xapian takes them */
	char *where;     /* "STUB line N" it was listed at; NULL for the path itself */
} sou_shard;

typedef struct sou_shardlist {
	sou_shard *v;
	size_t n, cap;
} sou_shardlist;

#define SOU_SHARDLIST_INIT { NULL, 0, 0 }

/*
 * Appends to out the shards that path names (see above).  Errors
 * (SOU_ERR_DB, or SOU_ERR_NOTFOUND when path does not exist, or
 * SOU_ERR_USAGE for a program line that is not allowed): a stub
 * that cannot be read, a malformed or unsupported line (naming the file
 * and line), stubs nested too deep or in a loop, a stub listing nothing.
 */
sou_status sou_shardset_resolve(const char *path, sou_shardlist *out, sou_error *err);

/* sou_shardset_resolve with flags (SOU_SHARDSET_ALLOW_PROGRAMS). */
sou_status sou_shardset_resolve_flags(const char *path, unsigned flags, sou_shardlist *out,
				      sou_error *err);

/*
 * 1 if dir is a directory whose XAPIANDB lists databases (a shard set or
 * a hand-written stub) rather than naming one generation; 0 otherwise
 * (a sou index, a plain database, nothing, unreadable).
 */
int sou_shardset_is_set(const char *dir);

/* "remote 127.0.0.1:7001 (listed at STUB line 3)", "remote :PROGRAM
 * (...)", or "PATH (...)". */
void sou_shard_describe(const sou_shard *s, sou_buf *out);

/* Frees the strings and the array; the list is empty again. */
void sou_shardlist_free(sou_shardlist *l);

#ifdef __cplusplus
}
#endif

#endif
