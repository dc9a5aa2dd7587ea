/*
 * server.c - sou-serve's HTTP server (see server.h).
 *
 * libmicrohttpd runs IO_THREADS polling threads, each calling handle()
 * for the requests on its share of the connections.  They do only what
 * cannot block:
 *
 *   GET /search  parameters checked (params.h); the connection is
 *                suspended and a job handed to the search workers
 *                (workers.h); when the job has its answer, its done
 *                callback resumes the connection and handle() queues it
 *                (the JSON of `sou-query --json` for the query, or a
 *                JSON error);
 *   GET /suggest the same for completions of a prefix (complete.h);
 *   GET /health  {"status":"ok"}, without touching the index;
 *   GET /, /sou.js, /sou.css, /favicon.svg   compiled-in files;
 *   anything else                            a JSON 404/405/413;
 *   a request over the size limit            a JSON 414/431 (REQUEST_HEADROOM);
 *   a connection over the connection limit   a JSON 503 (CONN_HEADROOM_MIN).
 *
 * Hostile clients.  libmicrohttpd's connection timeout is an idle timeout,
 * which every byte restarts, so a client trickling a header a byte at a
 * time would hold its connection forever.  So each connection also has a
 * deadline (conn.deadline_ns), checked by the janitor thread four times a
 * second: a connection must send each request in full within
 * request_timeout_s of being opened or of its previous answer, and read
 * each answer within request_timeout_s of its being queued; past that the
 * janitor shuts its socket down (shutdown(2)), libmicrohttpd sees the end
 * of the stream and closes it.  No deadline runs while a search is being
 * done for it (the workers bound that).  And libmicrohttpd's per-address
 * limit (max_client_connections) closes, when accepted, connections past
 * that many from one address, so one client cannot take every slot.
 *
 * The fd-reuse race: the janitor only shuts down sockets of connections
 * in sv->conns, under conns_lock, and a connection leaves the list
 * (notify_conn, MHD_CONNECTION_NOTIFY_CLOSED, under the same lock) before
 * libmicrohttpd closes its socket: libmicrohttpd 0.9.75 calls the close
 * notification first in both of its close paths (daemon.c
 * MHD_cleanup_connections and new_connection_process_'s cleanup), so a
 * descriptor the janitor shuts down is always still that connection's.
 *
 * The janitor also ticks the search pool (jobs past their deadline get a
 * 503; idle workers' stale readers are closed).
 */
#include "server.h"

#include <errno.h>
#include <microhttpd.h>
#include <netdb.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "assets.h"
#include "cli.h"
#include "date.h"
#include "params.h"
#include "search.h"
#include "shardset.h"
#include "workers.h"

/*
 * Connections: up to max_connections are admitted and served.  Past that
 * libmicrohttpd still accepts up to CONN_HEADROOM_MIN (or a quarter of
 * the limit, or the thread count, whichever is most) further
 * connections, whose requests are answered at once with a JSON 503 and
 * "Connection: close"; they get OVER_TIMEOUT_S to send one.  Only past
 * the headroom does libmicrohttpd stop calling accept(), so that new
 * connections wait in the kernel's listen queue.  (libmicrohttpd's own
 * limit alone would make every connection over it wait, silently, and it
 * splits that limit across its threads.)
 */
#define CONN_HEADROOM_MIN 64
#define OVER_TIMEOUT_S 5
#define RETRY_AFTER "1"

/*
 * libmicrohttpd's polling threads.  They never block (searches are the
 * workers'), so two keep both cores busy with I/O; more would only split
 * the connection limit finer.
 */
#define IO_THREADS 2

/* Jobs waiting for a search worker, per worker (at least QUEUE_MIN). */
#define QUEUE_PER_WORKER 16
#define QUEUE_MIN 64

/* The janitor's period: deadlines are kept to within about this. */
#define JANITOR_NS 250000000L

/* How long a stop waits for answers already made to be sent. */
#define STOP_DRAIN_NS 2000000000LL

/*
 * Requests: libmicrohttpd keeps a connection's request line and headers,
 * one 64-byte record per header and per query parameter, and then the
 * answer's headers in one memory pool per connection.  The pool is
 * max_request_bytes + REQUEST_HEADROOM + POOL_SPARE, so a request up to
 * REQUEST_HEADROOM over the limit still reaches handle() and gets the
 * JSON 414 or 431 (if its records fit too); one that does not fit gets
 * libmicrohttpd's own bare 414/431 and is closed.  Query parameters past
 * SOU_SERVE_MAX_PARAMS are cut off before libmicrohttpd records them
 * (uri_cb): 1250 of them filled the pool, and libmicrohttpd 0.9.75 then
 * neither answered nor closed the connection until the idle timeout.
 */
#define REQUEST_HEADROOM (48 * 1024)
#define POOL_SPARE (16 * 1024)

/*
 * Log lines that clients can cause (libmicrohttpd's complaints about
 * their requests, 503s for being over the connection limit): at most
 * RATE_LINES a minute from each source; the rest are counted and the
 * count is reported with the next line let through.
 */
#define RATE_LINES 5
#define RATE_WINDOW_S 60

typedef struct ratelimit {
	long long window;      /* start of the current window, monotonic seconds */
	unsigned lines;        /* lines let through in that window */
	unsigned dropped;      /* lines dropped since the last one let through */
} ratelimit;

/*
 * Per connection: its socket context (notify_conn), in sv->conns while
 * libmicrohttpd has it.  fd and admitted are fixed; deadline_ns is set
 * by the connection's polling thread and read by the janitor.
 */
typedef struct conn {
	int fd;
	int admitted;          /* counted in sv->admitted; else over the limit */
	int too_many_params;   /* the current request's were cut (uri_cb) */
	size_t target_bytes;   /* the request target as sent, query included
				* (uri_cb), for the current request */
	atomic_llong deadline_ns;  /* monotonic; 0: none (a search is running) */
	int shut;              /* the janitor shut it down (conns_lock) */
	struct conn *prev, *next;  /* sv->conns (conns_lock) */
} conn;

/* Per request: handle()'s context, freed by request_done. */
typedef struct rq {
	int body_seen;         /* unannounced body bytes came */
	sou_job *job;          /* submitted: its answer is queued on resume */
} rq;

struct sou_server {
	sou_serve_opts o;      /* strings below are the server's copies */
	char *db;
	char *link;
	sou_strlist cors;
	sou_strlist dicts, synonyms;   /* from DIR/sou.conf */
	sou_shardlist shards;  /* what db resolved to at start (shardset.h) */
	sou_serve_limits lim;
	sou_pool *pool;
	struct MHD_Daemon *d;
	unsigned port;
	sou_buf url;           /* http://ADDRESS:PORT/ */
	pthread_mutex_t lock;  /* guards startlog, the rate limits, stopping */
	sou_buf startlog;      /* libmicrohttpd's messages while starting */
	int starting;
	pthread_t janitor;
	int janitor_running;
	int stopping;          /* wakes the janitor to end */
	pthread_cond_t wake;
	pthread_mutex_t conns_lock;
	conn *conns;           /* every open connection */
	atomic_uint inflight;  /* searches submitted whose request is not done */
	sou_buf page;          /* index.html with the link template filled in */
	char page_etag[24];
	char (*etags)[24];     /* per asset */
	atomic_uint admitted;  /* open connections within max_connections */
	ratelimit mhd_rl;      /* libmicrohttpd's messages */
	ratelimit busy_rl;     /* 503s over the connection limit */
};

static long long now_ns(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (long long)t.tv_sec * 1000000000LL + t.tv_nsec;
}

static void logf_(sou_server *sv, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Formats a line and hands it to the log callback (which escapes it). */
static void logf_(sou_server *sv, const char *fmt, ...)
{
	sou_buf raw = SOU_BUF_INIT;
	va_list ap;

	if (!sv->o.log)
		return;
	va_start(ap, fmt);
	sou_buf_vaddf(&raw, fmt, ap);
	va_end(ap);
	sv->o.log(sv->o.log_ctx, raw.data ? raw.data : "");
	sou_buf_free(&raw);
}

/*
 * Whether a line from rl's source may be logged now; *dropped is set to
 * the number of lines dropped before it.
 */
static int ratelimit_pass(sou_server *sv, ratelimit *rl, unsigned *dropped)
{
	struct timespec now;
	int pass;

	clock_gettime(CLOCK_MONOTONIC, &now);
	pthread_mutex_lock(&sv->lock);
	if (!rl->window || (long long)now.tv_sec - rl->window >= RATE_WINDOW_S) {
		rl->window = (long long)now.tv_sec;
		rl->lines = 0;
	}
	pass = rl->lines < RATE_LINES;
	if (pass) {
		rl->lines++;
		*dropped = rl->dropped;
		rl->dropped = 0;
	} else {
		rl->dropped++;
	}
	pthread_mutex_unlock(&sv->lock);
	return pass;
}

/* " (N earlier not logged)" after a rate-limited line, or "". */
static const char *dropped_note(char note[48], unsigned dropped)
{
	note[0] = '\0';
	if (dropped)
		snprintf(note, 48, " (%u earlier not logged)", dropped);
	return note;
}

/*
 * libmicrohttpd's own messages: kept while starting (for the error), else
 * logged, rate-limited (most are about clients' requests).
 */
static void mhd_logger(void *cls, const char *fmt, va_list ap)
{
	sou_server *sv = cls;
	sou_buf raw = SOU_BUF_INIT;
	unsigned dropped = 0;
	char note[48];
	int starting;

	sou_buf_vaddf(&raw, fmt, ap);
	while (raw.len && (raw.data[raw.len - 1] == '\n' || raw.data[raw.len - 1] == '\r'))
		sou_buf_truncate(&raw, raw.len - 1);
	pthread_mutex_lock(&sv->lock);
	starting = sv->starting;
	if (starting) {
		sou_buf_reset(&sv->startlog);
		sou_buf_add(&sv->startlog, raw.data ? raw.data : "", raw.len);
	}
	pthread_mutex_unlock(&sv->lock);
	if (!starting && ratelimit_pass(sv, &sv->mhd_rl, &dropped)) {
		logf_(sv, "libmicrohttpd: %s%s", raw.data ? raw.data : "",
		      dropped_note(note, dropped));
	}
	sou_buf_free(&raw);
}

/* ---- connections and their deadlines --------------------------------------- */

static long long request_ns(const sou_server *sv)
{
	return (long long)(sv->o.request_timeout_s * 1e9);
}

/* Starts c's deadline: it has the request timeout from now (0: none). */
static void conn_deadline(const sou_server *sv, conn *cn, int on)
{
	if (cn)
		atomic_store(&cn->deadline_ns, on ? now_ns() + request_ns(sv) : 0);
}

static conn *conn_of(struct MHD_Connection *c)
{
	const union MHD_ConnectionInfo *ci =
		MHD_get_connection_info(c, MHD_CONNECTION_INFO_SOCKET_CONTEXT);

	return ci ? ci->socket_context : NULL;
}

/*
 * libmicrohttpd's connection callback: admits a new connection while
 * fewer than max_connections are, else marks it to be refused (see
 * CONN_HEADROOM_MIN), and starts its deadline; a closing connection
 * leaves the list (before libmicrohttpd closes its socket: see the top)
 * and an admitted one frees its place.
 */
static void notify_conn(void *cls, struct MHD_Connection *c, void **ctx,
			enum MHD_ConnectionNotificationCode code)
{
	sou_server *sv = cls;
	conn *cn = *ctx;

	if (code == MHD_CONNECTION_NOTIFY_STARTED) {
		unsigned n = atomic_load(&sv->admitted);
		const union MHD_ConnectionInfo *ci =
			MHD_get_connection_info(c, MHD_CONNECTION_INFO_CONNECTION_FD);
		long long limit = request_ns(sv);

		cn = *ctx = sou_xcalloc(1, sizeof(*cn));
		cn->fd = ci ? ci->connect_fd : -1;
		while (n < sv->o.max_connections && !cn->admitted)
			cn->admitted = atomic_compare_exchange_weak(&sv->admitted, &n, n + 1);
		if (!cn->admitted) {
			/* it is kept only to be told to come back */
			MHD_set_connection_option(c, MHD_CONNECTION_OPTION_TIMEOUT,
						  sv->o.timeout_s && sv->o.timeout_s < OVER_TIMEOUT_S
						  ? sv->o.timeout_s : OVER_TIMEOUT_S);
			if (limit > OVER_TIMEOUT_S * 1000000000LL)
				limit = OVER_TIMEOUT_S * 1000000000LL;
		}
		atomic_init(&cn->deadline_ns, now_ns() + limit);
		pthread_mutex_lock(&sv->conns_lock);
		cn->next = sv->conns;
		if (sv->conns)
			sv->conns->prev = cn;
		sv->conns = cn;
		pthread_mutex_unlock(&sv->conns_lock);
	} else if (code == MHD_CONNECTION_NOTIFY_CLOSED && cn) {
		pthread_mutex_lock(&sv->conns_lock);
		if (cn->prev)
			cn->prev->next = cn->next;
		else
			sv->conns = cn->next;
		if (cn->next)
			cn->next->prev = cn->prev;
		pthread_mutex_unlock(&sv->conns_lock);
		if (cn->admitted)
			atomic_fetch_sub(&sv->admitted, 1);
		free(cn);
		*ctx = NULL;
	}
}

/* Shuts down the sockets of connections past their deadline. */
static void reap_late(sou_server *sv)
{
	long long now = now_ns();
	unsigned n = 0;
	conn *cn;

	pthread_mutex_lock(&sv->conns_lock);
	for (cn = sv->conns; cn; cn = cn->next) {
		long long dl = atomic_load(&cn->deadline_ns);
		if (dl && dl <= now && !cn->shut && cn->fd >= 0) {
			shutdown(cn->fd, SHUT_RDWR);
			cn->shut = 1;
			n++;
		}
	}
	pthread_mutex_unlock(&sv->conns_lock);
	if (n) {
		unsigned dropped = 0;
		char note[48];
		if (ratelimit_pass(sv, &sv->busy_rl, &dropped))
			logf_(sv, "closed %u connection%s that took over %g s to send a request "
			      "or read an answer (--request-timeout)%s", n, n == 1 ? "" : "s",
			      sv->o.request_timeout_s, dropped_note(note, dropped));
	}
}

/* Four times a second: connection deadlines, the search pool. */
static void *janitor_main(void *arg)
{
	sou_server *sv = arg;
	struct timespec until;

	pthread_mutex_lock(&sv->lock);
	while (!sv->stopping) {
		clock_gettime(CLOCK_REALTIME, &until);
		until.tv_nsec += JANITOR_NS;
		if (until.tv_nsec >= 1000000000L) {
			until.tv_sec++;
			until.tv_nsec -= 1000000000L;
		}
		pthread_cond_timedwait(&sv->wake, &sv->lock, &until);
		if (sv->stopping)
			break;
		pthread_mutex_unlock(&sv->lock);
		reap_late(sv);
		sou_pool_tick(sv->pool);
		pthread_mutex_lock(&sv->lock);
	}
	pthread_mutex_unlock(&sv->lock);
	return NULL;
}

/* ---- responses ----------------------------------------------------------- */

/* Content-Security-Policy of the page: scripts, styles and fetches from
 * this origin only, no inline script or style, no framing. */
static const char csp_page[] =
	"default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; "
	"connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'";
/* Everything else is data, never a document. */
static const char csp_data[] = "default-src 'none'; frame-ancestors 'none'; sandbox";

typedef struct req {
	sou_server *sv;
	struct MHD_Connection *c;
	const char *origin;    /* Origin header, or NULL */
	int cors_ok;           /* origin is allowed */
	int busy;              /* over the connection limit: 503, close */
	int retry;             /* a 503 worth retrying: Retry-After */
} req;

static int origin_allowed(const sou_server *sv, const char *origin)
{
	size_t i;

	if (!origin)
		return 0;
	for (i = 0; i < sv->cors.n; i++)
		if (!strcmp(sv->cors.v[i], "*") || !strcmp(sv->cors.v[i], origin))
			return 1;
	return 0;
}

/* Headers every answer carries, plus CORS for cross-origin callers. */
static void common_headers(const req *r, struct MHD_Response *resp, int page)
{
	MHD_add_response_header(resp, "X-Content-Type-Options", "nosniff");
	MHD_add_response_header(resp, "Content-Security-Policy", page ? csp_page : csp_data);
	MHD_add_response_header(resp, "Referrer-Policy", "strict-origin-when-cross-origin");
	if (page)
		MHD_add_response_header(resp, "X-Frame-Options", "DENY");
	if (r->sv->cors.n) {
		MHD_add_response_header(resp, "Vary", "Origin");
		if (r->cors_ok)
			MHD_add_response_header(resp, "Access-Control-Allow-Origin", r->origin);
	}
}

/* Queues an answer; the client then has the request timeout to read it. */
static enum MHD_Result queue(const req *r, unsigned code, struct MHD_Response *resp)
{
	enum MHD_Result ret = MHD_queue_response(r->c, code, resp);

	MHD_destroy_response(resp);
	conn_deadline(r->sv, conn_of(r->c), 1);
	return ret;
}

static enum MHD_Result send_buf(const req *r, unsigned code, const char *type,
				const void *data, size_t len, int copy, int page,
				const char *cache, const char *etag)
{
	struct MHD_Response *resp = MHD_create_response_from_buffer(
		len, (void *)data, copy ? MHD_RESPMEM_MUST_COPY : MHD_RESPMEM_PERSISTENT);

	if (!resp)
		return MHD_NO;
	if (type)
		MHD_add_response_header(resp, "Content-Type", type);
	if (cache)
		MHD_add_response_header(resp, "Cache-Control", cache);
	if (etag)
		MHD_add_response_header(resp, "ETag", etag);
	if (code == MHD_HTTP_METHOD_NOT_ALLOWED)
		MHD_add_response_header(resp, "Allow", "GET, HEAD, OPTIONS");
	if (r->busy || r->retry)
		MHD_add_response_header(resp, "Retry-After", RETRY_AFTER);
	if (r->busy)
		MHD_add_response_header(resp, "Connection", "close");
	common_headers(r, resp, page);
	return queue(r, code, resp);
}

static enum MHD_Result send_json(const req *r, unsigned code, const sou_buf *body)
{
	return send_buf(r, code, "application/json; charset=utf-8", body->data, body->len, 1, 0,
			"no-store", NULL);
}

/*
 * A JSON error: {"error": {"status": N, "parameter": P, "message": M}}
 * ("parameter" only when one is to blame).  The message goes to a
 * client: it may quote the client's own request, never a path or a file.
 */
static enum MHD_Result send_error(const req *r, unsigned code, const char *param,
				  const char *fmt, ...) __attribute__((format(printf, 4, 5)));

static enum MHD_Result send_error(const req *r, unsigned code, const char *param,
				  const char *fmt, ...)
{
	sou_buf msg = SOU_BUF_INIT, body = SOU_BUF_INIT;
	va_list ap;
	enum MHD_Result ret;

	va_start(ap, fmt);
	sou_buf_vaddf(&msg, fmt, ap);
	va_end(ap);
	sou_serve_error_json(&body, code, param, msg.data ? msg.data : "");
	if (code >= 500 && !r->busy && !r->retry)
		logf_(r->sv, "%u: %s", code, msg.data ? msg.data : "");
	ret = send_json(r, code, &body);
	sou_buf_free(&msg);
	sou_buf_free(&body);
	return ret;
}

/* ---- handlers -------------------------------------------------------------- */


/* Collects one query-string parameter; MHD_NO (stop) on the first problem. */
static enum MHD_Result param_cb(void *cls, enum MHD_ValueKind kind, const char *key,
				size_t key_size, const char *value, size_t value_size)
{
	(void)kind;
	return sou_serve_params_add(cls, key, key_size, value, value_size) ? MHD_YES : MHD_NO;
}

/* The search workers' done callback: the job has its answer. */
static void job_done(void *ctx)
{
	MHD_resume_connection(ctx);
}

/*
 * GET /search and GET /suggest (completions, suggest): the parameters
 * are checked here; the search is the workers'.  The connection is suspended before the job is submitted, so
 * that the job's done callback (which resumes it) can never come first.
 */
static enum MHD_Result handle_search(const req *r, rq *q, int suggest)
{
	sou_server *sv = r->sv;
	const conn *cn = conn_of(r->c);
	sou_serve_params p;
	enum MHD_Result ret;

	sou_serve_params_init(&p, &sv->lim);
	if (cn && cn->too_many_params)
		sou_serve_params_too_many(&p);
	MHD_get_connection_values_n(r->c, MHD_GET_ARGUMENT_KIND, param_cb, &p);
	if (!(suggest ? sou_serve_params_build_suggest(&p) : sou_serve_params_build(&p))) {
		ret = send_error(r, MHD_HTTP_BAD_REQUEST, p.bad_param, "%s",
				 p.bad.data ? p.bad.data : "");
		sou_serve_params_free(&p);
		return ret;
	}
	q->job = sou_job_create(&p, job_done, r->c);
	atomic_fetch_add(&sv->inflight, 1);
	conn_deadline(sv, conn_of(r->c), 0);
	MHD_suspend_connection(r->c);
	if (!sou_pool_submit(sv->pool, q->job))
		MHD_resume_connection(r->c); /* refused: its 503 is ready */
	return MHD_YES;
}

/* The answer of a search, once its connection is resumed. */
static enum MHD_Result send_job(req *r, const rq *q)
{
	r->retry = sou_job_busy(q->job);
	return send_json(r, sou_job_code(q->job), sou_job_body(q->job));
}

static enum MHD_Result handle_asset(const req *r, size_t i)
{
	const sou_asset *a = &sou_assets[i];
	const sou_server *sv = r->sv;
	int page = !strcmp(a->path, "/");
	const char *etag = page ? sv->page_etag : sv->etags[i];
	const char *inm = MHD_lookup_connection_value(r->c, MHD_HEADER_KIND, "If-None-Match");

	if (inm && !strcmp(inm, etag)) {
		/* unchanged: no body, same validators */
		return send_buf(r, MHD_HTTP_NOT_MODIFIED, NULL, "", 0, 0, page, "no-cache", etag);
	}
	if (page)
		return send_buf(r, MHD_HTTP_OK, a->type, sv->page.data, sv->page.len, 0, 1,
				"no-cache", etag);
	return send_buf(r, MHD_HTTP_OK, a->type, a->data, a->len, 0, 0, "no-cache", etag);
}

/* Adds up the bytes of the values of one kind (an iterator for sizes). */
static enum MHD_Result size_cb(void *cls, enum MHD_ValueKind kind, const char *key,
			       size_t key_size, const char *value, size_t value_size)
{
	size_t *total = cls;

	(void)kind;
	(void)key;
	(void)value;
	*total += key_size + value_size + 4; /* ": ", CRLF or "=", "&" */
	return MHD_YES;
}


/*
 * libmicrohttpd's URI callback, called with the request target as sent
 * (before percent-decoding and splitting off the query), so that the
 * request line is measured as it came; returns the request's initial
 * context, none.
 *
 * It also cuts the query string after SOU_SERVE_MAX_PARAMS + 1
 * parameters (the request is refused with a 400 for having too many):
 * libmicrohttpd 0.9.75 calls this callback on the NUL-terminated target
 * in its read buffer and only then splits the query string from that
 * same buffer (connection.c parse_initial_message_line), so a NUL written
 * here ends what it parses.  Without the cut, 1250 or so parameters fill
 * the connection's memory with their records and libmicrohttpd answers
 * nothing until the idle timeout.
 */
static void *uri_cb(void *cls, const char *uri, struct MHD_Connection *c)
{
	conn *cn = conn_of(c);
	char *qs = strchr(uri, '?');
	unsigned n = 0;

	(void)cls;
	if (!cn)
		return NULL;
	cn->target_bytes = strlen(uri);
	cn->too_many_params = 0;
	for (; qs; qs = strchr(qs + 1, '&')) {
		if (++n > SOU_SERVE_MAX_PARAMS + 1) {
			*qs = '\0'; /* the buffer is libmicrohttpd's, and writable */
			cn->too_many_params = 1;
			break;
		}
	}
	return NULL;
}

/* The 503 for a connection over the limit: told to come back, and closed. */
static enum MHD_Result send_busy(req *r)
{
	unsigned dropped = 0;
	char note[48];

	r->busy = 1;
	if (ratelimit_pass(r->sv, &r->sv->busy_rl, &dropped))
		logf_(r->sv, "503: a connection over --max-connections (%u) refused%s",
		      r->sv->o.max_connections, dropped_note(note, dropped));
	return send_error(r, MHD_HTTP_SERVICE_UNAVAILABLE, NULL,
			  "too many connections (the limit is %u): try again shortly",
			  r->sv->o.max_connections);
}

/* Counts the Content-Length headers (a second one is an attack: refused). */
static enum MHD_Result count_cl(void *cls, enum MHD_ValueKind kind, const char *key,
				size_t key_size, const char *value, size_t value_size)
{
	unsigned *n = cls;

	(void)kind;
	(void)key_size;
	(void)value;
	(void)value_size;
	if (!strcasecmp(key, "Content-Length"))
		(*n)++;
	return MHD_YES;
}

/*
 * The first call for a request, with its headers: refuses it over the
 * connection limit, with a body or over the request limit.
 */
static enum MHD_Result check_request(req *r, const char *url, const char *method,
				     const char *version)
{
	struct MHD_Connection *c = r->c;
	const conn *cn = conn_of(c);
	const char *cl = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Content-Length");
	const char *te = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Transfer-Encoding");
	size_t hbytes = 2, lbytes;
	unsigned ncl = 0;

	if (cn && !cn->admitted)
		return send_busy(r);
	MHD_get_connection_values_n(c, MHD_HEADER_KIND, count_cl, &ncl);
	if (ncl > 1)
		return send_error(r, MHD_HTTP_BAD_REQUEST, NULL,
				  "more than one Content-Length header");
	if ((cl && strcmp(cl, "0")) || te)
		return send_error(r, MHD_HTTP_CONTENT_TOO_LARGE, NULL,
				  "requests to sou-serve carry no body");
	/* "METHOD TARGET VERSION\r\n", then "Key: value\r\n" each and
	 * "\r\n"; exact up to the whitespace libmicrohttpd trims */
	lbytes = strlen(method) + strlen(version) + 4;
	if (cn && cn->target_bytes) {
		lbytes += cn->target_bytes;
	} else {
		/* no URI callback: the decoded parameters instead */
		lbytes += strlen(url) + 1;
		MHD_get_connection_values_n(c, MHD_GET_ARGUMENT_KIND, size_cb, &lbytes);
	}
	MHD_get_connection_values_n(c, MHD_HEADER_KIND, size_cb, &hbytes);
	if (lbytes > r->sv->o.max_request_bytes)
		return send_error(r, MHD_HTTP_URI_TOO_LONG, NULL,
				  "the request line is over the %zu-byte request limit",
				  r->sv->o.max_request_bytes);
	if (hbytes + lbytes > r->sv->o.max_request_bytes)
		return send_error(r, MHD_HTTP_REQUEST_HEADER_FIELDS_TOO_LARGE, NULL,
				  "the request line and headers are over the %zu-byte limit",
				  r->sv->o.max_request_bytes);
	return MHD_YES;
}

/*
 * libmicrohttpd's request callback.  It is called once with the headers
 * (*req_cls NULL: the request has come in full, as requests carry no
 * body, so its deadline stops), then for each piece of a body, then once
 * more with *upload_data_size 0 when the request is complete; the answer
 * is queued then, which keeps the connection alive for the next request.
 * Requests carry no body: one announcing a body is refused with 413 at
 * once (and the connection closed), so a body is never read.  A
 * connection over the connection limit gets a 503 at once, and is
 * closed.  A search suspends the connection; on resume this is called
 * again, and queues the search's answer.
 */
static enum MHD_Result handle(void *cls, struct MHD_Connection *c, const char *url,
			      const char *method, const char *version,
			      const char *upload_data, size_t *upload_data_size, void **req_cls)
{
	rq *q = *req_cls;
	req r;
	size_t i;

	(void)upload_data;
	memset(&r, 0, sizeof(r));
	r.sv = cls;
	r.c = c;
	r.origin = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Origin");
	r.cors_ok = origin_allowed(r.sv, r.origin);
	if (!q) {
		*req_cls = q = sou_xcalloc(1, sizeof(*q));
		conn_deadline(r.sv, conn_of(c), 0);
		return check_request(&r, url, method, version);
	}
	if (q->job)
		return send_job(&r, q);
	if (*upload_data_size) {
		/* unannounced body bytes: drop them, refuse at the end */
		*upload_data_size = 0;
		q->body_seen = 1;
		return MHD_YES;
	}
	if (q->body_seen)
		return send_error(&r, MHD_HTTP_CONTENT_TOO_LARGE, NULL,
				  "requests to sou-serve carry no body");
	if (!strcmp(method, "OPTIONS")) {
		/* CORS preflight; plain GETs need none, but a caller adding
		 * headers would ask */
		struct MHD_Response *resp;
		if (strcmp(url, "/search"))
			return send_error(&r, MHD_HTTP_METHOD_NOT_ALLOWED, NULL,
					  "OPTIONS is for /search only");
		resp = MHD_create_response_from_buffer(0, (void *)"", MHD_RESPMEM_PERSISTENT);
		if (!resp)
			return MHD_NO;
		common_headers(&r, resp, 0);
		if (r.cors_ok) {
			MHD_add_response_header(resp, "Access-Control-Allow-Methods", "GET, HEAD");
			MHD_add_response_header(resp, "Access-Control-Max-Age", "86400");
		}
		return queue(&r, MHD_HTTP_NO_CONTENT, resp);
	}
	if (strcmp(method, "GET") && strcmp(method, "HEAD"))
		return send_error(&r, MHD_HTTP_METHOD_NOT_ALLOWED, NULL,
				  "method %.20s not allowed: sou-serve only reads", method);
	if (!strcmp(url, "/search"))
		return handle_search(&r, q, 0);
	if (!strcmp(url, "/suggest"))
		return handle_search(&r, q, 1);
	if (!strcmp(url, "/health")) {
		/* for load balancers and monitors: the server answers; the
		 * index is not touched (a search says whether it reads) */
		static const char ok[] = "{\"status\":\"ok\"}\n";
		return send_buf(&r, MHD_HTTP_OK, "application/json; charset=utf-8", ok,
				sizeof(ok) - 1, 0, 0, "no-store", NULL);
	}
	for (i = 0; i < sou_nassets; i++)
		if (!strcmp(url, sou_assets[i].path))
			return handle_asset(&r, i);
	return send_error(&r, MHD_HTTP_NOT_FOUND, NULL, "no such page: %.200s", url);
}

/*
 * libmicrohttpd's request-completed callback: frees the request's
 * context; the connection gets the request timeout for its next request.
 */
static void request_done(void *cls, struct MHD_Connection *c, void **req_cls,
			 enum MHD_RequestTerminationCode toe)
{
	sou_server *sv = cls;
	rq *q = *req_cls;

	(void)toe;
	if (q) {
		if (q->job) {
			sou_job_release(q->job);
			atomic_fetch_sub(&sv->inflight, 1);
		}
		free(q);
		*req_cls = NULL;
	}
	conn_deadline(sv, conn_of(c), 1);
}

/* ---- start and stop ---------------------------------------------------------- */

void sou_serve_opts_init(sou_serve_opts *o)
{
	memset(o, 0, sizeof(*o));
	o->listen = "127.0.0.1:8080";
	o->max_connections = 256;
	o->max_client_connections = 16;
	o->max_request_bytes = 16384;
	o->max_query_bytes = 1000;
	o->max_limit = 100;
	o->max_offset = 10000;
	o->timeout_s = 30;
	o->request_timeout_s = 10;
	o->search_timeout_s = 10;
	o->tz_min = SOU_DEFAULT_TZ_MIN;
}

/* FNV-1a 64 as a quoted ETag. */
static void make_etag(const void *data, size_t len, char out[24])
{
	const unsigned char *p = data;
	uint64_t h = 1469598103934665603ULL;
	size_t i;

	for (i = 0; i < len; i++) {
		h ^= p[i];
		h *= 1099511628211ULL;
	}
	snprintf(out, 24, "\"%016llx\"", (unsigned long long)h);
}

/* Escapes s for an HTML attribute value in double quotes. */
static void add_attr_escaped(sou_buf *b, const char *s)
{
	for (; *s; s++) {
		switch (*s) {
		case '&': sou_buf_adds(b, "&amp;"); break;
		case '"': sou_buf_adds(b, "&quot;"); break;
		case '<': sou_buf_adds(b, "&lt;"); break;
		case '>': sou_buf_adds(b, "&gt;"); break;
		case '\'': sou_buf_adds(b, "&#39;"); break;
		default: sou_buf_addc(b, *s);
		}
	}
}

/* index.html with its "{{link}}" marker replaced by the link template. */
static void make_page(sou_server *sv)
{
	static const char marker[] = "{{link}}";
	size_t i;

	for (i = 0; i < sou_nassets; i++) {
		const sou_asset *a = &sou_assets[i];
		const char *at;
		if (strcmp(a->path, "/"))
			continue;
		at = strstr((const char *)a->data, marker);
		if (at) {
			sou_buf_add(&sv->page, a->data, (size_t)(at - (const char *)a->data));
			add_attr_escaped(&sv->page, sv->link ? sv->link : "");
			sou_buf_adds(&sv->page, at + sizeof(marker) - 1);
		} else {
			sou_buf_add(&sv->page, a->data, a->len);
		}
	}
	make_etag(sv->page.data, sv->page.len, sv->page_etag);
}

/*
 * Splits "HOST:PORT", "[V6]:PORT" or "PORT" (host 127.0.0.1) and resolves
 * it numerically into *ai (freeaddrinfo).  An empty host (":8080") is
 * refused rather than taken as every interface: binding every interface
 * must be asked for by name (0.0.0.0 or [::]).
 */
static sou_status resolve_listen(const char *spec, struct addrinfo **ai, sou_error *err)
{
	char host[256] = "127.0.0.1";
	const char *port = spec, *colon;
	struct addrinfo hints;
	unsigned long pv = 0;
	int rc;

	if (spec[0] == '[') {
		const char *e = strchr(spec, ']');
		if (!e || e[1] != ':' || (size_t)(e - spec - 1) >= sizeof(host))
			return sou_error_set(err, SOU_ERR_USAGE,
					     "--listen: expected [ADDRESS]:PORT, got '%s'", spec);
		memcpy(host, spec + 1, (size_t)(e - spec - 1));
		host[e - spec - 1] = '\0';
		port = e + 2;
	} else if ((colon = strrchr(spec, ':'))) {
		if ((size_t)(colon - spec) >= sizeof(host) || strchr(spec, ':') != colon)
			return sou_error_set(err, SOU_ERR_USAGE,
					     "--listen: expected ADDRESS:PORT (IPv6 in brackets), got '%s'",
					     spec);
		memcpy(host, spec, (size_t)(colon - spec));
		host[colon - spec] = '\0';
		port = colon + 1;
	}
	if (!*host)
		return sou_error_set(err, SOU_ERR_USAGE,
				     "--listen: '%s' names no address: give 127.0.0.1:%s for this "
				     "machine only, or 0.0.0.0:%s or [::]:%s for every interface",
				     spec, port, port, port);
	if (*port) {
		const char *c;
		for (c = port; *c >= '0' && *c <= '9' && pv <= 65535; c++)
			pv = pv * 10 + (unsigned long)(*c - '0');
		if (*c || pv > 65535)
			port = "";
	}
	if (!*port)
		return sou_error_set(err, SOU_ERR_USAGE,
				     "--listen: bad port in '%s' (expected 0 to 65535; 0 picks a free one)",
				     spec);
	memset(&hints, 0, sizeof(hints));
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV | AI_NUMERICHOST;
	if ((rc = getaddrinfo(host, port, &hints, ai)))
		return sou_error_set(err, SOU_ERR_USAGE, "--listen: %s: %s", spec, gai_strerror(rc));
	return SOU_OK;
}

/* 1 if the bound address is a wildcard (every interface). */
static int is_wildcard(const struct addrinfo *ai)
{
	if (ai->ai_family == AF_INET)
		return ((const struct sockaddr_in *)(const void *)ai->ai_addr)->sin_addr.s_addr ==
		       htonl(INADDR_ANY);
	if (ai->ai_family == AF_INET6)
		return !memcmp(&((const struct sockaddr_in6 *)(const void *)ai->ai_addr)->sin6_addr,
			       &in6addr_any, sizeof(in6addr_any));
	return 0;
}

/*
 * A --cors origin as browsers send it in Origin: "*", or
 * http(s)://HOST[:PORT] with HOST a lower-case name or address, or an
 * IPv6 address in brackets, and PORT 1 to 65535; no path, no user.
 * NULL if sound, else what is wrong.
 */
static const char *bad_origin(const char *c)
{
	const char *h, *e;

	if (!strcmp(c, "*"))
		return NULL;
	if (!strncmp(c, "https://", 8))
		h = c + 8;
	else if (!strncmp(c, "http://", 7))
		h = c + 7;
	else
		return "expected an origin like https://example.com, or *";
	if (*h == '[') {
		e = h + 1 + strspn(h + 1, "0123456789abcdef:.");
		if (*e != ']' || e == h + 1)
			return "a bracketed host holds an IPv6 address";
		e++;
	} else {
		e = h + strspn(h, "abcdefghijklmnopqrstuvwxyz0123456789.-");
		if (e == h)
			return *e && strchr("ABCDEFGHIJKLMNOPQRSTUVWXYZ", *e)
			       ? "write the host in lower case, as browsers send it"
			       : "no host after the scheme";
		if (*h == '.' || *h == '-' || e[-1] == '.' || e[-1] == '-' || strstr(h, ".."))
			return "a host name's labels are letters, digits and inner hyphens";
	}
	if (*e == ':') {
		unsigned long pv = 0;
		const char *p = e + 1;
		if (*p < '1' || *p > '9')
			return "expected a port from 1 to 65535 after ':'";
		for (; *p >= '0' && *p <= '9' && pv <= 65535; p++)
			pv = pv * 10 + (unsigned long)(*p - '0');
		if (pv > 65535 || (*p >= '0' && *p <= '9'))
			return "expected a port from 1 to 65535 after ':'";
		e = p;
	}
	if (*e == '/')
		return "an origin is scheme://host[:port] with no path";
	if (*e)
		return *e >= 'A' && *e <= 'Z' ? "write the host in lower case, as browsers send it"
					      : "an origin is scheme://host[:port], nothing more";
	return NULL;
}

unsigned sou_server_port(const sou_server *s)
{
	return s->port;
}

const char *sou_server_url(const sou_server *s)
{
	return s->url.data;
}

sou_status sou_server_start(const sou_serve_opts *o, sou_server **out, sou_error *err)
{
	sou_server *sv;
	sou_searcher *probe = NULL;
	struct addrinfo *ai = NULL;
	const union MHD_DaemonInfo *info;
	sou_pool_opts po;
	sou_xdb_reader_opts ro;
	unsigned workers = o->threads;
	unsigned flags, headroom;
	sou_status st;
	size_t i;

	*out = NULL;
	if (!o->db || !*o->db)
		return sou_error_set(err, SOU_ERR_USAGE, "no index directory given");
	if (!o->max_connections || o->max_connections > 1000000 || !o->max_limit ||
	    o->max_request_bytes < 1024 || o->max_request_bytes > 16 * 1024 * 1024 ||
	    !o->max_query_bytes || workers > 256 || !(o->request_timeout_s > 0) ||
	    o->request_timeout_s > 3600 || !(o->search_timeout_s > 0) || o->search_timeout_s > 3600)
		return sou_error_set(err, SOU_ERR_USAGE, "a limit is out of range");
	for (i = 0; o->cors && i < o->cors->n; i++) {
		const char *why = bad_origin(o->cors->v[i]);
		if (why)
			return sou_error_set(err, SOU_ERR_USAGE, "--cors '%s': %s", o->cors->v[i], why);
	}
	if (!workers) {
		long n = sysconf(_SC_NPROCESSORS_ONLN);
		workers = n < 2 ? 2 : n > 16 ? 16 : (unsigned)n;
	}
	sv = sou_xcalloc(1, sizeof(*sv));
	sv->o = *o;
	sv->db = sou_xstrdup(o->db);
	sv->link = o->link && *o->link ? sou_xstrdup(o->link) : NULL;
	for (i = 0; o->cors && i < o->cors->n; i++)
		sou_strlist_push(&sv->cors, o->cors->v[i], strlen(o->cors->v[i]));
	sv->o.db = sv->db;
	sv->o.link = sv->link;
	sv->o.cors = NULL;
	sv->o.listen = NULL;
	sv->lim.max_query_bytes = o->max_query_bytes;
	sv->lim.max_limit = o->max_limit;
	sv->lim.max_offset = o->max_offset;
	sv->lim.tz_min = o->tz_min;
	pthread_mutex_init(&sv->lock, NULL);
	pthread_mutex_init(&sv->conns_lock, NULL);
	pthread_cond_init(&sv->wake, NULL);
	atomic_init(&sv->admitted, 0);
	atomic_init(&sv->inflight, 0);
	/* the index and its dictionaries must open now, not on the first request */
	/* (the message stays: formatting err->msg into err would empty it) */
	if ((st = sou_cli_read_config(sv->db, &sv->dicts, &sv->synonyms, err))) {
		st = err->code = SOU_ERR_USAGE;
		goto fail;
	}
	/* an index that cannot be read is SOU_ERR_DB whatever the cause (a
	 * FIFO or a device in its place is SOU_ERR_IO below): SOU_ERR_IO is
	 * the address's */
	memset(&ro, 0, sizeof(ro));
	ro.timeout_s = o->search_timeout_s;
	ro.flags = (o->allow_programs ? SOU_XDB_ALLOW_PROGRAMS : 0) |
		   (o->partial ? SOU_XDB_PARTIAL : 0);
	if ((st = sou_shardset_resolve_flags(sv->db, o->allow_programs ? SOU_SHARDSET_ALLOW_PROGRAMS : 0,
					     &sv->shards, err)) ||
	    (st = sou_searcher_open_opts(sv->db, &ro, &probe, err))) {
		if (st == SOU_ERR_IO)
			st = SOU_ERR_DB;
		err->code = st; /* the status is what counts (shardset.c may differ) */
		goto fail;
	}
	if ((st = sou_termgen_configure(sou_searcher_termgen(probe), &sv->dicts, &sv->synonyms, err)) ||
	    (o->entities && *o->entities &&
	     (st = sou_searcher_set_entities(probe, o->entities, err)))) {
		if (st != SOU_ERR_INTERNAL)
			st = err->code = SOU_ERR_USAGE;
		goto fail;
	}
	sou_searcher_destroy(probe);
	probe = NULL;
	make_page(sv);
	sv->etags = sou_xcalloc(sou_nassets ? sou_nassets : 1, sizeof(*sv->etags));
	for (i = 0; i < sou_nassets; i++)
		make_etag(sou_assets[i].data, sou_assets[i].len, sv->etags[i]);
	if ((st = resolve_listen(o->listen ? o->listen : "127.0.0.1:8080", &ai, err)))
		goto fail;
	memset(&po, 0, sizeof(po));
	po.db = sv->db;
	po.shards = &sv->shards;
	po.dicts = &sv->dicts;
	po.synonyms = &sv->synonyms;
	po.workers = workers;
	po.queue = workers * QUEUE_PER_WORKER > QUEUE_MIN ? workers * QUEUE_PER_WORKER : QUEUE_MIN;
	po.timeout_s = o->search_timeout_s;
	po.allow_programs = o->allow_programs;
	po.partial = o->partial;
	po.entities = o->entities;
	po.log = o->log;
	po.log_ctx = o->log_ctx;
	if ((st = sou_pool_start(&po, &sv->pool, err)))
		goto fail;
	flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_AUTO | MHD_USE_ERROR_LOG | MHD_USE_ITC |
		MHD_ALLOW_SUSPEND_RESUME;
	if (ai->ai_family == AF_INET6)
		flags |= MHD_USE_IPv6;
	headroom = o->max_connections / 4 > CONN_HEADROOM_MIN ? o->max_connections / 4
								: CONN_HEADROOM_MIN;
	if (headroom < IO_THREADS)
		headroom = IO_THREADS; /* each thread's share is at least one */
	pthread_mutex_lock(&sv->lock);
	sv->starting = 1;
	pthread_mutex_unlock(&sv->lock);
	sv->d = MHD_start_daemon(
		flags, 0, NULL, NULL, handle, sv,
		MHD_OPTION_SOCK_ADDR, ai->ai_addr,
		MHD_OPTION_THREAD_POOL_SIZE, (unsigned)IO_THREADS,
		/* the hard limit, split across the threads; notify_conn
		 * keeps the real one (CONN_HEADROOM_MIN) */
		MHD_OPTION_CONNECTION_LIMIT, o->max_connections + headroom,
		MHD_OPTION_PER_IP_CONNECTION_LIMIT, o->max_client_connections,
		MHD_OPTION_NOTIFY_CONNECTION, notify_conn, sv,
		MHD_OPTION_NOTIFY_COMPLETED, request_done, sv,
		MHD_OPTION_URI_LOG_CALLBACK, uri_cb, sv,
		/* see REQUEST_HEADROOM */
		MHD_OPTION_CONNECTION_MEMORY_LIMIT,
		o->max_request_bytes + (size_t)REQUEST_HEADROOM + POOL_SPARE,
		MHD_OPTION_CONNECTION_TIMEOUT, o->timeout_s,
		MHD_OPTION_LISTEN_BACKLOG_SIZE, 511,
		MHD_OPTION_EXTERNAL_LOGGER, mhd_logger, sv,
		MHD_OPTION_END);
	pthread_mutex_lock(&sv->lock);
	sv->starting = 0;
	pthread_mutex_unlock(&sv->lock);
	if (!sv->d) {
		st = sou_error_set(err, SOU_ERR_IO, "cannot listen on %s: %s", o->listen,
				   sv->startlog.len ? sv->startlog.data
						    : errno ? strerror(errno) : "libmicrohttpd failed to start");
		goto fail;
	}
	if (pthread_create(&sv->janitor, NULL, janitor_main, sv)) {
		st = sou_error_set(err, SOU_ERR_INTERNAL, "cannot start a thread");
		goto fail;
	}
	sv->janitor_running = 1;
	info = MHD_get_daemon_info(sv->d, MHD_DAEMON_INFO_BIND_PORT);
	sv->port = info ? info->port : 0;
	{
		char host[NI_MAXHOST] = "?";
		getnameinfo(ai->ai_addr, ai->ai_addrlen, host, sizeof(host), NULL, 0, NI_NUMERICHOST);
		sou_buf_addf(&sv->url, ai->ai_family == AF_INET6 ? "http://[%s]:%u/" : "http://%s:%u/",
			     host, sv->port);
		if (is_wildcard(ai))
			logf_(sv, "note: %s listens on every network interface, not only this "
			      "machine's (--listen 127.0.0.1:%u for this machine only)", host, sv->port);
	}
	freeaddrinfo(ai);
	*out = sv;
	return SOU_OK;
fail:
	if (ai)
		freeaddrinfo(ai);
	sou_searcher_destroy(probe);
	sou_server_destroy(sv);
	return st;
}

void sou_server_destroy(sou_server *sv)
{
	MHD_socket fd = MHD_INVALID_SOCKET;

	if (!sv)
		return;
	/* stop accepting; then let the searches queued and running be
	 * answered (the janitor keeps their deadlines meanwhile), and their
	 * answers be sent, before libmicrohttpd closes every connection (it
	 * must have no connection suspended by then) */
	if (sv->d)
		fd = MHD_quiesce_daemon(sv->d);
	if (sv->pool)
		sou_pool_stop(sv->pool);
	if (sv->d) {
		long long until = now_ns() + STOP_DRAIN_NS;
		while (atomic_load(&sv->inflight) && now_ns() < until)
			nanosleep(&(struct timespec){ 0, 10000000L }, NULL);
	}
	if (sv->janitor_running) {
		pthread_mutex_lock(&sv->lock);
		sv->stopping = 1;
		pthread_cond_signal(&sv->wake);
		pthread_mutex_unlock(&sv->lock);
		pthread_join(sv->janitor, NULL);
	}
	if (sv->d) {
		MHD_stop_daemon(sv->d);
		if (fd != MHD_INVALID_SOCKET)
			close(fd);
	}
	sou_pool_destroy(sv->pool);
	pthread_mutex_destroy(&sv->lock);
	pthread_mutex_destroy(&sv->conns_lock);
	pthread_cond_destroy(&sv->wake);
	free(sv->db);
	sou_shardlist_free(&sv->shards);
	free(sv->link);
	free(sv->etags);
	sou_strlist_free(&sv->cors);
	sou_strlist_free(&sv->dicts);
	sou_strlist_free(&sv->synonyms);
	sou_buf_free(&sv->startlog);
	sou_buf_free(&sv->page);
	sou_buf_free(&sv->url);
	free(sv);
}
