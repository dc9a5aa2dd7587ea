/*
 * server.h - libsouserve: sou-serve's HTTP front door to a sou index.
 *
 * An HTTP/1.1 server (libmicrohttpd) that answers
 *   GET /search?q=&tag=&category=&date=&sort=&limit=&offset=&facets=
 *       the JSON of `sou-query --json` for the query q plus the filters
 *       (README "sou-serve"), searched by a pool of search workers
 *       (workers.h), each with its own Xapian reader, replaced when the
 *       index has changed (a commit or a --rebuild switch-over), so new
 *       posts are found by the next request without a restart;
 *   GET /health
 *       {"status":"ok"} at once, without touching the index;
 *   GET /, /sou.js, /sou.css, /favicon.svg
 *       the search page and its drop-in script, compiled into the binary
 *       (assets/, assets.h); nothing else is served.
 * The HTTP threads never search, so a search that blocks (a stopped
 * remote shard) never holds up the page, its files or /health.  The
 * server only reads.
 */
#ifndef SOU_SERVE_H
#define SOU_SERVE_H

#include <stddef.h>

#include "buf.h"
#include "error.h"

typedef struct sou_server sou_server;

/*
 * A line for the operator (index problems, 5xx answers, libmicrohttpd's
 * messages; those clients can cause are rate-limited).  It is not
 * escaped: it may quote a request or a file name, so pass it through
 * sou_buf_add_escaped (buf.h) before showing it.  Called from any thread.
 */
typedef void (*sou_serve_log_fn)(void *ctx, const char *line);

typedef struct sou_serve_opts {
	const char *db;            /* index directory (borrowed) */
	const char *listen;        /* "ADDR:PORT", "[V6]:PORT" or "PORT"; port 0 picks one */
	unsigned threads;          /* search workers (0: one per CPU, 2 to 16) */
	unsigned max_connections;  /* concurrent connections served; requests on
				    * connections over it get a 503 (server.c
				    * CONN_HEADROOM_MIN); at most 1000000 */
	unsigned max_client_connections; /* connections open at once from one
				    * client address; more are closed when
				    * accepted (0: no cap, e.g. behind a proxy,
				    * where every connection is the proxy's) */
	size_t max_request_bytes;  /* request line and headers as sent; 1 KiB
				    * to 16 MiB */
	size_t max_query_bytes;    /* the q parameter */
	unsigned max_limit;        /* largest limit= (default 100) */
	unsigned max_offset;       /* largest offset= (default 10000) */
	unsigned timeout_s;        /* idle connection timeout */
	double request_timeout_s;  /* a connection has this long to send each
				    * request in full (from its opening or its
				    * previous answer) and to read each answer;
				    * then it is closed.  0 < it <= 3600 */
	double search_timeout_s;   /* every search is answered within this long
				    * (its results, or a 503), and remote shards
				    * time out after it.  0 < it <= 3600 */
	int tz_min;                /* zone of date= filters (default +08:00) */
	const sou_strlist *cors;   /* origins allowed to call /search from a
				    * browser ("*": any); borrowed, may be NULL */
	const char *link;          /* permalink template for the page (see
				    * README), or NULL: titles are not links */
	int allow_programs;        /* --allow-remote-programs: a stub's "remote
				    * :PROGRAM" lines may run (shardset.h) */
	const char *entities;      /* --entities FILE: companies (entity.h), loaded
				    * by every reader; NULL: none (borrowed) */
	int partial;               /* --partial: a shard down or past the
				    * timeout leaves a partial answer naming it
				    * ("missing_shards") instead of a 503 */
	sou_serve_log_fn log;      /* may be NULL */
	void *log_ctx;
} sou_serve_opts;

/* Fills o with the defaults (127.0.0.1:8080, limits as documented in
 * the README: 256 connections, 16 a client, 10 s to send a request, 10 s
 * a search). */
void sou_serve_opts_init(sou_serve_opts *o);

/*
 * Checks that the index opens (and its sou.conf dictionaries load), binds
 * the address and starts the threads.  A bad option or address is
 * SOU_ERR_USAGE, an index that cannot be opened SOU_ERR_NOTFOUND or
 * SOU_ERR_DB, a failure to bind or start SOU_ERR_IO.  *out is owned by the
 * caller (sou_server_destroy).  o and what it points to need only live
 * during the call.
 */
sou_status sou_server_start(const sou_serve_opts *o, sou_server **out, sou_error *err);

/* The port actually bound (useful with port 0). */
unsigned sou_server_port(const sou_server *s);
/* "http://ADDRESS:PORT/" as bound (owned by s). */
const char *sou_server_url(const sou_server *s);

/*
 * Stops accepting connections, lets searches queued or running finish
 * (each within the search timeout), closes every connection and reader,
 * frees s.  NULL is a no-op.
 */
void sou_server_destroy(sou_server *s);

#endif
