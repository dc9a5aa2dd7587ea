/*
 * serve.c - sou-serve's HTTP server (see serve.h).
 *
 * libmicrohttpd runs a pool of worker threads, each polling its share of
 * the connections and calling handle() for every request it reads.  Every
 * answer is built in that thread, synchronously:
 *
 *   GET /search  parameters validated (param_*), turned into one query
 *                text "Q tag:"…" category:"…" date:…" (build_query), run
 *                on the thread's own sou_searcher, answered with
 *                sou_results_json — the bytes `sou-query --json` prints
 *                for that text, on one line;
 *   GET /, /sou.js, /sou.css, /favicon.svg   compiled-in files;
 *   anything else                            a JSON 404/405/413;
 *   a request over the size limit            a JSON 414/431 (REQUEST_HEADROOM);
 *   a connection over the connection limit   a JSON 503 (CONN_HEADROOM_MIN).
 *
 * Fresh results: a Xapian reader sees one committed state until it is
 * reopened, and a --rebuild publishes a new generation directory by
 * renaming the stub DIR/XAPIANDB, which an open reader never follows.  So
 * before each search a worker compares the index's stamp (stat of the
 * stub and of the current generation's "iamglass" file, which Xapian's
 * glass backend replaces by rename(2) on every commit) with the stamp its
 * reader was opened at, and opens a new reader when they differ: two
 * stat(2)s per request, and the first request after a commit sees it.
 * A reader keeps its generation's files open (and, where the index has
 * reader locks, keeps the writer from removing it: common/genlock.h), so
 * a request running across a switch-over finishes on the old state; if a
 * reader fails anyway, the request is retried once on a new one.  So that
 * idle threads do not hold old generations on disk, a janitor thread
 * checks the stamp twice a second and closes the readers of idle workers
 * that are out of date; their next request opens a fresh one.
 */
#include "serve.h"

#include <errno.h>
#include <jansson.h>
#include <microhttpd.h>
#include <netdb.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <xxhash.h>

#include "cli.h"
#include "date.h"
#include "genlock.h"
#include "qparse.h"
#include "search.h"
#include "serve_assets.h"
#include "shardset.h"
#include "text.h"

/* ---- index stamps -------------------------------------------------------- */

typedef struct fstamp {
	dev_t dev;
	ino_t ino;
	off_t size;
	long long mtime_ns;
	int exists;
} fstamp;

static void stamp_of(const char *path, fstamp *f)
{
	struct stat st;

	memset(f, 0, sizeof(*f));
	if (stat(path, &st) == 0) {
		f->exists = 1;
		f->dev = st.st_dev;
		f->ino = st.st_ino;
		f->size = st.st_size;
		f->mtime_ns = (long long)st.st_mtim.tv_sec * 1000000000LL + st.st_mtim.tv_nsec;
	}
}

static int stamp_eq(const fstamp *a, const fstamp *b)
{
	return a->exists == b->exists && a->dev == b->dev && a->ino == b->ino &&
	       a->size == b->size && a->mtime_ns == b->mtime_ns;
}

/*
 * What a reader opened at: the stub and the current generation's version
 * file; for a shard set or stub file (shardset.h), a hash over the same
 * two files of every local shard instead (set, stub and version zero).
 */
typedef struct istamp {
	fstamp stub;
	fstamp version;
	uint64_t set;
} istamp;

/* ---- server state -------------------------------------------------------- */

/*
 * Connections: up to max_connections are admitted and served.  Past that
 * libmicrohttpd still accepts up to CONN_HEADROOM_MIN (or a quarter of
 * the limit, or the thread count, whichever is most) further
 * connections, whose requests are
 * answered at once with a JSON 503 and "Connection: close"; they get
 * OVER_TIMEOUT_S to send one.  Only past the headroom does libmicrohttpd
 * stop calling accept(), so that new connections wait in the kernel's
 * listen queue.  (libmicrohttpd's own limit alone would make every
 * connection over it wait, silently, and it splits that limit across
 * its threads.)
 */
#define CONN_HEADROOM_MIN 64
#define OVER_TIMEOUT_S 5
#define RETRY_AFTER "1"

/*
 * Requests: libmicrohttpd keeps a connection's request line and headers,
 * one 64-byte record per header and per query parameter, and then the
 * answer's headers in one memory pool per connection.  The pool is
 * max_request_bytes + REQUEST_HEADROOM + POOL_SPARE, so a request up to
 * REQUEST_HEADROOM over the limit still reaches handle() and gets the
 * JSON 414 or 431 (if its records fit too); one that does not fit gets
 * libmicrohttpd's own bare 414/431 and is closed, or, when its records
 * alone fill the pool, no answer until the idle timeout closes it
 * (libmicrohttpd 0.9.75 then has no room left to answer in).
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

/* One per worker thread that has searched; owned by the server's list. */
typedef struct worker {
	pthread_mutex_t mu;    /* held while the thread searches, and by the
				* janitor while it closes a stale reader */
	sou_searcher *s;
	istamp at;             /* the index stamp s was opened at */
	fstamp stub;           /* stub last read into gen */
	sou_buf version_path;  /* DIR/<generation>/iamglass per that stub */
	int complained;        /* logged that a new reader failed to open */
	struct worker *next;
} worker;

struct sou_server {
	sou_serve_opts o;      /* strings below are the server's copies */
	char *db;
	char *link;
	sou_strlist cors;
	sou_strlist dicts, synonyms;   /* from DIR/sou.conf */
	sou_shardlist shards;  /* what db resolved to at start (shardset.h) */
	int multi;             /* several shards, or a stub: stamp every local one */
	int remote;            /* a remote shard: reopen (one round trip) per search */
	struct MHD_Daemon *d;
	unsigned port;
	sou_buf url;           /* http://ADDRESS:PORT/ */
	pthread_key_t key;
	int key_made;
	pthread_mutex_t lock;  /* guards workers and startlog */
	worker *workers;
	sou_buf startlog;      /* libmicrohttpd's messages while starting */
	pthread_t janitor;
	int janitor_running;
	int stopping;          /* guarded by lock; wakes the janitor */
	pthread_cond_t wake;
	int starting;
	sou_buf page;          /* index.html with the link template filled in */
	char page_etag[24];
	char (*etags)[24];     /* per asset */
	atomic_uint admitted;  /* open connections within max_connections */
	ratelimit mhd_rl;      /* libmicrohttpd's messages (guarded by lock) */
	ratelimit busy_rl;     /* 503s over the connection limit (guarded by lock) */
};

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

/* The stamp of a shard set or stub: every local shard's two files. */
static void set_stamp(sou_server *sv, istamp *out)
{
	XXH64_state_t *h = XXH64_createState();
	sou_buf p = SOU_BUF_INIT;
	size_t i;

	memset(out, 0, sizeof(*out));
	XXH64_reset(h, 0);
	for (i = 0; i < sv->shards.n; i++) {
		const sou_shard *sh = &sv->shards.v[i];
		fstamp f;
		unsigned gen = 0;

		if (sh->kind != SOU_SHARD_LOCAL)
			continue;
		sou_buf_reset(&p);
		sou_buf_addf(&p, "%s/XAPIANDB", sh->path);
		stamp_of(p.data, &f); /* memset first: no padding garbage */
		XXH64_update(h, &f, sizeof(f));
		if (sou_genlock_read_stub(sh->path, &gen, NULL) == SOU_OK && gen) {
			sou_genlock_gen_path(sh->path, gen, &p);
			sou_buf_adds(&p, "/iamglass");
		} else {
			sou_buf_reset(&p);
			sou_buf_addf(&p, "%s/iamglass", sh->path);
		}
		stamp_of(p.data, &f);
		XXH64_update(h, &f, sizeof(f));
	}
	out->set = XXH64_digest(h);
	XXH64_freeState(h);
	sou_buf_free(&p);
}

static int istamp_eq(const istamp *a, const istamp *b)
{
	return stamp_eq(&a->stub, &b->stub) && stamp_eq(&a->version, &b->version) &&
	       a->set == b->set;
}

/* Current stamp of the index; w caches which generation the stub names. */
static void index_stamp(sou_server *sv, worker *w, istamp *out)
{
	sou_buf p = SOU_BUF_INIT;

	if (sv->multi) {
		set_stamp(sv, out);
		return;
	}
	out->set = 0;
	sou_buf_addf(&p, "%s/XAPIANDB", sv->db);
	stamp_of(p.data, &out->stub);
	if (!stamp_eq(&out->stub, &w->stub) || !w->version_path.len) {
		/* the stub names the current generation (genlock.h); without
		 * one, DIR is itself a glass database; a garbled one names
		 * nothing, so the stamp changes and a reopen reports it */
		unsigned gen = 0;
		sou_error err;

		sou_buf_reset(&w->version_path);
		if (sou_genlock_read_stub(sv->db, &gen, &err) == SOU_OK && gen) {
			sou_genlock_gen_path(sv->db, gen, &w->version_path);
			sou_buf_adds(&w->version_path, "/iamglass");
		} else {
			sou_buf_addf(&w->version_path, "%s/iamglass", sv->db);
		}
		w->stub = out->stub;
	}
	stamp_of(w->version_path.data, &out->version);
	sou_buf_free(&p);
}

/* A new searcher on the index, with the dictionaries of sou.conf. */
static sou_status open_searcher(sou_server *sv, sou_searcher **out, sou_error *err)
{
	sou_status st = sou_searcher_create(sv->db, out, err);

	if (!st && (st = sou_termgen_configure(sou_searcher_termgen(*out), &sv->dicts,
					       &sv->synonyms, err))) {
		sou_searcher_destroy(*out);
		*out = NULL;
	}
	return st;
}

static worker *this_worker(sou_server *sv)
{
	worker *w = pthread_getspecific(sv->key);

	if (!w) {
		w = sou_xcalloc(1, sizeof(*w));
		pthread_mutex_init(&w->mu, NULL);
		pthread_mutex_lock(&sv->lock);
		w->next = sv->workers;
		sv->workers = w;
		pthread_mutex_unlock(&sv->lock);
		pthread_setspecific(sv->key, w);
	}
	return w;
}

/*
 * Makes w's reader current: reopens when the index changed since it was
 * opened (or force).  When a new reader cannot be opened the old one, if
 * any, keeps serving (a half-published index never fails a request).
 */
static sou_status worker_ready(sou_server *sv, worker *w, int force, sou_error *err)
{
	istamp now;
	sou_searcher *s = NULL;
	sou_status st;

	index_stamp(sv, w, &now);
	if (w->s && !force && istamp_eq(&now, &w->at)) {
		/* remote shards change where no stat(2) sees them: Xapian's
		 * reopen asks them (and reconnects after a failure) */
		if (sv->remote && (st = sou_searcher_reopen(w->s, err)))
			return st;
		return SOU_OK;
	}
	if ((st = open_searcher(sv, &s, err))) {
		if (w->s && !force) {
			if (!w->complained)
				logf_(sv, "index changed but a new reader failed (%s); "
				      "serving the previous state", err->msg);
			w->complained = 1;
			return SOU_OK;
		}
		return st;
	}
	sou_searcher_destroy(w->s);
	w->s = s;
	w->at = now;
	w->complained = 0;
	return SOU_OK;
}

/*
 * Twice a second: closes the readers of workers that are idle (their lock
 * is free) and out of date, so no idle thread keeps an old generation.
 */
static void *janitor_main(void *arg)
{
	sou_server *sv = arg;
	worker self, *w;
	istamp now;
	struct timespec until;

	memset(&self, 0, sizeof(self));
	pthread_mutex_lock(&sv->lock);
	while (!sv->stopping) {
		clock_gettime(CLOCK_REALTIME, &until);
		until.tv_nsec += 500000000L;
		if (until.tv_nsec >= 1000000000L) {
			until.tv_sec++;
			until.tv_nsec -= 1000000000L;
		}
		pthread_cond_timedwait(&sv->wake, &sv->lock, &until);
		if (sv->stopping)
			break;
		index_stamp(sv, &self, &now);
		for (w = sv->workers; w; w = w->next) {
			if (pthread_mutex_trylock(&w->mu))
				continue; /* searching: it checks for itself */
			if (w->s && !istamp_eq(&now, &w->at)) {
				sou_searcher_destroy(w->s);
				w->s = NULL;
			}
			pthread_mutex_unlock(&w->mu);
		}
	}
	pthread_mutex_unlock(&sv->lock);
	sou_buf_free(&self.version_path);
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

static enum MHD_Result send_buf(const req *r, unsigned code, const char *type,
				const void *data, size_t len, int copy, int page,
				const char *cache, const char *etag)
{
	struct MHD_Response *resp = MHD_create_response_from_buffer(
		len, (void *)data, copy ? MHD_RESPMEM_MUST_COPY : MHD_RESPMEM_PERSISTENT);
	enum MHD_Result ret;

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
	if (r->busy) {
		MHD_add_response_header(resp, "Retry-After", RETRY_AFTER);
		MHD_add_response_header(resp, "Connection", "close");
	}
	common_headers(r, resp, page);
	ret = MHD_queue_response(r->c, code, resp);
	MHD_destroy_response(resp);
	return ret;
}

/*
 * A JSON error: {"error": {"status": N, "parameter": P, "message": M}}
 * ("parameter" only when one is to blame).
 */
static enum MHD_Result send_error(const req *r, unsigned code, const char *param,
				  const char *fmt, ...) __attribute__((format(printf, 4, 5)));

static enum MHD_Result send_error(const req *r, unsigned code, const char *param,
				  const char *fmt, ...)
{
	sou_buf msg = SOU_BUF_INIT, clean = SOU_BUF_INIT;
	json_t *e = json_object(), *o = json_object();
	va_list ap;
	char *s;
	enum MHD_Result ret;
	const char *m;

	va_start(ap, fmt);
	sou_buf_vaddf(&msg, fmt, ap);
	va_end(ap);
	/* messages quote the request; JSON needs valid UTF-8 */
	m = msg.data ? msg.data : "";
	if (!sou_text_utf8_clean(m, msg.len, &clean))
		m = clean.data;
	json_object_set_new(e, "status", json_integer(code));
	if (param)
		json_object_set_new(e, "parameter", json_string(param));
	json_object_set_new(e, "message", json_string(m));
	json_object_set_new(o, "error", e);
	s = json_dumps(o, JSON_COMPACT);
	if (!s)
		abort();
	sou_buf_reset(&msg);
	sou_buf_adds(&msg, s);
	sou_buf_addc(&msg, '\n');
	free(s);
	json_decref(o);
	if (code >= 500 && !r->busy)
		logf_(r->sv, "%u: %s", code, m);
	ret = send_buf(r, code, "application/json; charset=utf-8", msg.data, msg.len, 1, 0,
		       "no-store", NULL);
	sou_buf_free(&msg);
	sou_buf_free(&clean);
	return ret;
}

/* ---- /search parameters -------------------------------------------------- */

#define MAX_PARAMS 64
#define MAX_FILTER_BYTES 256   /* one tag= or category= value */
#define MAX_DATE_BYTES 64

typedef struct params {
	const sou_server *sv;
	const char *q, *date, *sort, *limit, *offset, *facets;
	size_t qlen;
	sou_strlist tags, cats;
	unsigned n;
	/* the first problem found, and the parameter to blame (NULL: none
	 * in particular, or its name is not text) */
	int bad_seen;
	const char *bad_param;
	sou_buf bad;
} params;

static int set_bad(params *p, const char *param, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int set_bad(params *p, const char *param, const char *fmt, ...)
{
	va_list ap;

	if (p->bad_seen)
		return 0;
	p->bad_seen = 1;
	p->bad_param = param;
	va_start(ap, fmt);
	sou_buf_vaddf(&p->bad, fmt, ap);
	va_end(ap);
	return 0;
}

/* Collects one query-string parameter; returns MHD_NO (stop) on the first problem. */
static enum MHD_Result param_cb(void *cls, enum MHD_ValueKind kind, const char *key,
				size_t key_size, const char *value, size_t value_size)
{
	params *p = cls;
	sou_buf tmp = SOU_BUF_INIT;
	const char **one = NULL;
	static const char *const names[] = { "q", "date", "sort", "limit", "offset", "facets" };
	size_t i;
	int key_ok, ok;

	(void)kind;
	if (!value)
		value = "";
	if (++p->n > MAX_PARAMS)
		return set_bad(p, NULL, "more than %d parameters", MAX_PARAMS), MHD_NO;
	key_ok = strlen(key) == key_size && sou_text_utf8_clean(key, key_size, &tmp);
	ok = key_ok && strlen(value) == value_size && sou_text_utf8_clean(value, value_size, &tmp);
	sou_buf_free(&tmp);
	if (!ok)
		return set_bad(p, key_ok ? key : NULL,
			       "parameter is not valid UTF-8 text (or holds a NUL byte)"), MHD_NO;
	if (!strcmp(key, "tag") || !strcmp(key, "category")) {
		if (value_size > MAX_FILTER_BYTES)
			return set_bad(p, key, "%s: %zu bytes is over the %d-byte limit", key,
				       value_size, MAX_FILTER_BYTES), MHD_NO;
		sou_strlist_push(!strcmp(key, "tag") ? &p->tags : &p->cats, value, value_size);
		return MHD_YES;
	}
	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (!strcmp(key, names[i]))
			break;
	switch (i) {
	case 0: one = &p->q; p->qlen = value_size; break;
	case 1: one = &p->date; break;
	case 2: one = &p->sort; break;
	case 3: one = &p->limit; break;
	case 4: one = &p->offset; break;
	case 5: one = &p->facets; break;
	default:
		return set_bad(p, key, "unknown parameter '%.40s' (known: q, tag, category, date, "
			       "sort, limit, offset, facets)", key), MHD_NO;
	}
	if (*one)
		return set_bad(p, key, "%s given more than once", key), MHD_NO;
	*one = value;
	return MHD_YES;
}

/* A whole number from 0 to max, or sets the problem. */
static int param_uint(params *p, const char *name, const char *s, unsigned max, unsigned *out)
{
	unsigned long v = 0;
	const char *c = s;

	if (!*c)
		return set_bad(p, name, "%s: expected a whole number from 0 to %u, got nothing",
			       name, max);
	for (; *c; c++) {
		if (*c < '0' || *c > '9' || v > max)
			return set_bad(p, name, "%s: expected a whole number from 0 to %u, got '%.40s'",
				       name, max, s);
		v = v * 10 + (unsigned long)(*c - '0');
	}
	if (v > max)
		return set_bad(p, name, "%s: %lu is over the limit of %u", name, v, max);
	*out = (unsigned)v;
	return 1;
}

/*
 * Appends ' FIELD:<quoted value>' to text.  The query language has no
 * escapes, so the value goes between the first of "…", “…”, 「…」 whose
 * closing quote it does not contain.
 */
static int add_filter(params *p, sou_buf *text, const char *field, const char *v)
{
	static const char *const q[][2] = {
		{ "\"", "\"" }, { "\xE2\x80\x9C", "\xE2\x80\x9D" }, { "\xE3\x80\x8C", "\xE3\x80\x8D" },
	};
	size_t i;

	for (i = 0; i < 3; i++)
		if (!strstr(v, q[i][1]))
			break;
	if (i == 3)
		return set_bad(p, field, "%s: a value holding \", ” and 」 cannot be searched", field);
	if (text->len)
		sou_buf_addc(text, ' ');
	sou_buf_addf(text, "%s:%s%s%s", field, q[i][0], v, q[i][1]);
	return 1;
}

/*
 * Validates the parameters into o (facets into facets) and the query
 * text into text.  Returns 0 with p->bad set on a problem.
 */
static int build_query(params *p, sou_search_opts *o, sou_strlist *facets, sou_buf *text)
{
	const sou_serve_opts *so = &p->sv->o;
	size_t i;

	if (p->q && p->qlen > so->max_query_bytes)
		return set_bad(p, "q", "q: %zu bytes is over the %zu-byte limit", p->qlen,
			       so->max_query_bytes);
	if (p->sort) {
		if (!strcmp(p->sort, "relevance"))
			o->sort = SOU_SORT_RELEVANCE;
		else if (!strcmp(p->sort, "-date"))
			o->sort = SOU_SORT_DATE_DESC;
		else if (!strcmp(p->sort, "date"))
			o->sort = SOU_SORT_DATE_ASC;
		else
			return set_bad(p, "sort", "sort: expected relevance, date or -date, got '%.40s'",
				       p->sort);
	}
	if (p->limit && !param_uint(p, "limit", p->limit, so->max_limit, &o->limit))
		return 0;
	if (p->offset && !param_uint(p, "offset", p->offset, so->max_offset, &o->offset))
		return 0;
	if (p->facets) {
		/* as sou-query --facets: empty names are skipped, so "" and
		 * "," ask for none */
		const char *f = p->facets;
		while (*f) {
			size_t n = strcspn(f, ",");
			if ((n == 3 && !strncmp(f, "tag", 3)) || (n == 8 && !strncmp(f, "category", 8)) ||
			    (n == 5 && !strncmp(f, "month", 5)))
				sou_strlist_push_unique(facets, f, n);
			else if (n)
				return set_bad(p, "facets", "facets: expected a comma-separated list of "
					       "tag, category and month, got '%.*s'", (int)(n < 40 ? n : 40), f);
			f += n + (f[n] == ',');
		}
		if (facets->n)
			o->facets = facets;
	}
	if (p->q)
		sou_buf_add(text, p->q, p->qlen);
	for (i = 0; i < p->tags.n; i++)
		if (!add_filter(p, text, "tag", p->tags.v[i]))
			return 0;
	for (i = 0; i < p->cats.n; i++)
		if (!add_filter(p, text, "category", p->cats.v[i]))
			return 0;
	if (p->date) {
		const char *c;
		if (strlen(p->date) > MAX_DATE_BYTES)
			return set_bad(p, "date", "date: over %d bytes", MAX_DATE_BYTES);
		for (c = p->date; *c; c++)
			if (!((*c >= '0' && *c <= '9') || *c == '-' || *c == '.'))
				return set_bad(p, "date", "date: expected YYYY, YYYY-MM, YYYY-MM-DD or a range "
					       "A..B of them, got '%s'", p->date);
		if (!*p->date)
			return set_bad(p, "date", "date: needs a value");
		{
			sou_date_range dr;
			sou_error derr;
			if (sou_date_range_parse(p->date, o->tz_min, &dr, &derr))
				return set_bad(p, "date", "%s", derr.msg);
		}
		if (text->len)
			sou_buf_addc(text, ' ');
		sou_buf_addf(text, "date:%s", p->date);
	}
	for (i = 0; i < text->len; i++)
		if (text->data[i] != ' ' && text->data[i] != '\t')
			break;
	if (i == text->len)
		return set_bad(p, "q", "empty query: give q, or a tag, category or date filter");
	return 1;
}

/* ---- handlers -------------------------------------------------------------- */

static enum MHD_Result handle_search(const req *r)
{
	sou_server *sv = r->sv;
	params p;
	sou_search_opts o;
	sou_strlist facets = { NULL, 0 };
	sou_buf text = SOU_BUF_INIT, out = SOU_BUF_INIT;
	sou_results *res = NULL;
	sou_error err;
	sou_status st = SOU_OK;
	enum MHD_Result ret;
	worker *w;

	memset(&p, 0, sizeof(p));
	p.sv = sv;
	sou_search_opts_init(&o);
	o.tz_min = sv->o.tz_min;
	MHD_get_connection_values_n(r->c, MHD_GET_ARGUMENT_KIND, param_cb, &p);
	if (!p.bad_seen)
		build_query(&p, &o, &facets, &text);
	w = this_worker(sv);
	pthread_mutex_lock(&w->mu);
	if (!p.bad_seen && (st = worker_ready(sv, w, 0, &err)) == SOU_OK &&
	    p.q && (p.tags.n || p.cats.n || p.date)) {
		/* q must stand on its own: a dangling OR or an open quote in
		 * it must not reach into the filters after it */
		sou_query *qq = NULL;
		sou_buf qs = SOU_BUF_INIT;
		sou_buf_adds(&qs, "");
		sou_buf_add(&qs, p.q, p.qlen);
		if (strspn(qs.data, " \t") < qs.len &&
		    sou_query_parse(sou_searcher_termgen(w->s), qs.data, o.tz_min, &qq, &err)) {
			if (err.code == SOU_ERR_QUERY || err.code == SOU_ERR_USAGE)
				set_bad(&p, "q", "%s", err.msg);
			else
				st = err.code;
		}
		sou_query_destroy(qq);
		sou_buf_free(&qs);
	}
	if (p.bad_seen) {
		ret = send_error(r, MHD_HTTP_BAD_REQUEST, p.bad_param, "%s", p.bad.data);
		goto done;
	}
	if (!st)
		st = sou_searcher_run(w->s, text.data, &o, &res, &err);
	if (st == SOU_ERR_DB) {
		/* the reader broke (e.g. its generation went away under it):
		 * once more on a fresh one */
		sou_error err2;
		if (!worker_ready(sv, w, 1, &err2))
			st = sou_searcher_run(w->s, text.data, &o, &res, &err);
	}
	if (st == SOU_ERR_QUERY || st == SOU_ERR_USAGE) {
		ret = send_error(r, MHD_HTTP_BAD_REQUEST, "q", "%s", err.msg);
	} else if (st) {
		ret = send_error(r, MHD_HTTP_SERVICE_UNAVAILABLE, NULL, "index unavailable: %s",
				 err.msg);
	} else {
		sou_results_json(res, text.data, 1, &out);
		ret = send_buf(r, MHD_HTTP_OK, "application/json; charset=utf-8", out.data, out.len,
			       1, 0, "no-store", NULL);
	}
done:
	pthread_mutex_unlock(&w->mu);
	sou_results_destroy(res);
	sou_strlist_free(&facets);
	sou_strlist_free(&p.tags);
	sou_strlist_free(&p.cats);
	sou_buf_free(&p.bad);
	sou_buf_free(&text);
	sou_buf_free(&out);
	return ret;
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

/* Per connection: its socket context (notify_conn), so its own thread's. */
typedef struct conn {
	int admitted;          /* counted in sv->admitted; else over the limit */
	size_t target_bytes;   /* the request target as sent, query included
				* (uri_cb), for the current request */
} conn;

/*
 * libmicrohttpd's connection callback: admits a new connection while
 * fewer than max_connections are, else marks it to be refused (see
 * CONN_HEADROOM_MIN); a closing admitted connection frees its place.
 */
static void notify_conn(void *cls, struct MHD_Connection *c, void **ctx,
			enum MHD_ConnectionNotificationCode code)
{
	sou_server *sv = cls;
	conn *cn = *ctx;

	if (code == MHD_CONNECTION_NOTIFY_STARTED) {
		unsigned n = atomic_load(&sv->admitted);

		cn = *ctx = sou_xcalloc(1, sizeof(*cn));
		while (n < sv->o.max_connections && !cn->admitted)
			cn->admitted = atomic_compare_exchange_weak(&sv->admitted, &n, n + 1);
		if (!cn->admitted) /* it is kept only to be told to come back */
			MHD_set_connection_option(c, MHD_CONNECTION_OPTION_TIMEOUT,
						  sv->o.timeout_s && sv->o.timeout_s < OVER_TIMEOUT_S
						  ? sv->o.timeout_s : OVER_TIMEOUT_S);
	} else if (code == MHD_CONNECTION_NOTIFY_CLOSED && cn) {
		if (cn->admitted)
			atomic_fetch_sub(&sv->admitted, 1);
		free(cn);
		*ctx = NULL;
	}
}

static conn *conn_of(struct MHD_Connection *c)
{
	const union MHD_ConnectionInfo *ci =
		MHD_get_connection_info(c, MHD_CONNECTION_INFO_SOCKET_CONTEXT);

	return ci ? ci->socket_context : NULL;
}

/*
 * libmicrohttpd's URI callback, called with the request target as sent
 * (before percent-decoding and splitting off the query), so that the
 * request line is measured as it came; returns the request's initial
 * context, none.
 */
static void *uri_cb(void *cls, const char *uri, struct MHD_Connection *c)
{
	conn *cn = conn_of(c);

	(void)cls;
	if (cn)
		cn->target_bytes = strlen(uri);
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

	if (cn && !cn->admitted)
		return send_busy(r);
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
 * (*req_cls NULL), then for each piece of a body, then once more with
 * *upload_data_size 0 when the request is complete; the answer is queued
 * then, which keeps the connection alive for the next request.  Requests
 * carry no body: one announcing a body is refused with 413 at once (and
 * the connection closed), so a body is never read.  A connection over
 * the connection limit gets a 503 at once, and is closed.
 */
static enum MHD_Result handle(void *cls, struct MHD_Connection *c, const char *url,
			      const char *method, const char *version,
			      const char *upload_data, size_t *upload_data_size, void **req_cls)
{
	static int headers_seen, body_seen;
	req r;
	size_t i;

	(void)upload_data;
	memset(&r, 0, sizeof(r));
	r.sv = cls;
	r.c = c;
	r.origin = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Origin");
	r.cors_ok = origin_allowed(r.sv, r.origin);
	if (!*req_cls) {
		*req_cls = &headers_seen;
		return check_request(&r, url, method, version);
	}
	if (*upload_data_size) {
		/* unannounced body bytes: drop them, refuse at the end */
		*upload_data_size = 0;
		*req_cls = &body_seen;
		return MHD_YES;
	}
	if (*req_cls == &body_seen)
		return send_error(&r, MHD_HTTP_CONTENT_TOO_LARGE, NULL,
				  "requests to sou-serve carry no body");
	if (!strcmp(method, "OPTIONS")) {
		/* CORS preflight; plain GETs need none, but a caller adding
		 * headers would ask */
		struct MHD_Response *resp;
		enum MHD_Result ret;
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
		ret = MHD_queue_response(c, MHD_HTTP_NO_CONTENT, resp);
		MHD_destroy_response(resp);
		return ret;
	}
	if (strcmp(method, "GET") && strcmp(method, "HEAD"))
		return send_error(&r, MHD_HTTP_METHOD_NOT_ALLOWED, NULL,
				  "method %.20s not allowed: sou-serve only reads", method);
	if (!strcmp(url, "/search"))
		return handle_search(&r);
	for (i = 0; i < sou_nassets; i++)
		if (!strcmp(url, sou_assets[i].path))
			return handle_asset(&r, i);
	return send_error(&r, MHD_HTTP_NOT_FOUND, NULL, "no such page: %.200s", url);
}

/* ---- start and stop ---------------------------------------------------------- */

void sou_serve_opts_init(sou_serve_opts *o)
{
	memset(o, 0, sizeof(*o));
	o->listen = "127.0.0.1:8080";
	o->max_connections = 256;
	o->max_request_bytes = 16384;
	o->max_query_bytes = 1000;
	o->max_limit = 100;
	o->max_offset = 10000;
	o->timeout_s = 30;
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
 * it numerically into *ai (freeaddrinfo).
 */
static sou_status resolve_listen(const char *spec, struct addrinfo **ai, sou_error *err)
{
	char host[256] = "127.0.0.1";
	const char *port = spec, *colon;
	struct addrinfo hints;
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
	if (!*port || strspn(port, "0123456789") != strlen(port) || strlen(port) > 5 ||
	    atoi(port) > 65535)
		return sou_error_set(err, SOU_ERR_USAGE, "--listen: bad port in '%s'", spec);
	memset(&hints, 0, sizeof(hints));
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
	if ((rc = getaddrinfo(*host ? host : NULL, port, &hints, ai)))
		return sou_error_set(err, SOU_ERR_USAGE, "--listen: %s: %s", spec, gai_strerror(rc));
	return SOU_OK;
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
	unsigned threads = o->threads;
	unsigned flags, headroom;
	sou_status st;
	size_t i;

	*out = NULL;
	if (!o->db || !*o->db)
		return sou_error_set(err, SOU_ERR_USAGE, "no index directory given");
	if (!o->max_connections || o->max_connections > 1000000 || !o->max_limit ||
	    o->max_request_bytes < 1024 || o->max_request_bytes > 16 * 1024 * 1024 ||
	    !o->max_query_bytes || threads > 256)
		return sou_error_set(err, SOU_ERR_USAGE, "a limit is out of range");
	for (i = 0; o->cors && i < o->cors->n; i++) {
		const char *c = o->cors->v[i];
		if (strcmp(c, "*") && (strncmp(c, "http://", 7) && strncmp(c, "https://", 8)))
			return sou_error_set(err, SOU_ERR_USAGE,
					     "--cors: expected an origin like https://example.com or *, got '%s'", c);
		if (strpbrk(c, " \t\r\n") || (strcmp(c, "*") && strchr(strstr(c, "//") + 2, '/')))
			return sou_error_set(err, SOU_ERR_USAGE,
					     "--cors: an origin is scheme://host[:port] with no path, got '%s'", c);
	}
	if (!threads) {
		long n = sysconf(_SC_NPROCESSORS_ONLN);
		threads = n < 2 ? 2 : n > 16 ? 16 : (unsigned)n;
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
	pthread_mutex_init(&sv->lock, NULL);
	pthread_cond_init(&sv->wake, NULL);
	atomic_init(&sv->admitted, 0);
	if (pthread_key_create(&sv->key, NULL)) {
		st = sou_error_set(err, SOU_ERR_INTERNAL, "pthread_key_create failed");
		goto fail;
	}
	sv->key_made = 1;
	/* the index and its dictionaries must open now, not on the first request */
	if ((st = sou_cli_read_config(sv->db, &sv->dicts, &sv->synonyms, err))) {
		st = sou_error_set(err, SOU_ERR_USAGE, "%s", err->msg);
		goto fail;
	}
	if ((st = sou_shardset_resolve(sv->db, &sv->shards, err)))
		goto fail;
	sv->multi = sv->shards.n != 1 || sv->shards.v[0].where;
	for (i = 0; i < sv->shards.n; i++)
		sv->remote |= sv->shards.v[i].kind == SOU_SHARD_REMOTE;
	if ((st = sou_searcher_create(sv->db, &probe, err)))
		goto fail;
	if ((st = sou_termgen_configure(sou_searcher_termgen(probe), &sv->dicts, &sv->synonyms, err))) {
		if (st != SOU_ERR_INTERNAL)
			st = sou_error_set(err, SOU_ERR_USAGE, "%s", err->msg);
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
	flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_AUTO | MHD_USE_ERROR_LOG | MHD_USE_ITC;
	if (ai->ai_family == AF_INET6)
		flags |= MHD_USE_IPv6;
	headroom = o->max_connections / 4 > CONN_HEADROOM_MIN ? o->max_connections / 4
								: CONN_HEADROOM_MIN;
	if (headroom < threads)
		headroom = threads; /* each thread's share is at least one */
	pthread_mutex_lock(&sv->lock);
	sv->starting = 1;
	pthread_mutex_unlock(&sv->lock);
	sv->d = MHD_start_daemon(
		flags, 0, NULL, NULL, handle, sv,
		MHD_OPTION_SOCK_ADDR, ai->ai_addr,
		MHD_OPTION_THREAD_POOL_SIZE, threads,
		/* the hard limit, split across the threads; notify_conn
		 * keeps the real one (CONN_HEADROOM_MIN) */
		MHD_OPTION_CONNECTION_LIMIT, o->max_connections + headroom,
		MHD_OPTION_NOTIFY_CONNECTION, notify_conn, sv,
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
	worker *w, *next;

	if (!sv)
		return;
	if (sv->janitor_running) {
		pthread_mutex_lock(&sv->lock);
		sv->stopping = 1;
		pthread_cond_signal(&sv->wake);
		pthread_mutex_unlock(&sv->lock);
		pthread_join(sv->janitor, NULL);
	}
	if (sv->d) {
		/* stop accepting; requests being answered finish, then every
		 * connection closes and the threads are joined */
		MHD_socket fd = MHD_quiesce_daemon(sv->d);
		MHD_stop_daemon(sv->d);
		if (fd != MHD_INVALID_SOCKET)
			close(fd);
	}
	for (w = sv->workers; w; w = next) {
		next = w->next;
		sou_searcher_destroy(w->s);
		sou_buf_free(&w->version_path);
		pthread_mutex_destroy(&w->mu);
		free(w);
	}
	if (sv->key_made)
		pthread_key_delete(sv->key);
	pthread_mutex_destroy(&sv->lock);
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
