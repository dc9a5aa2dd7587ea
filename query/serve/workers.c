/*
 * workers.c - the pool of search workers (see workers.h).
 *
 * Locking: the pool's mutex guards the queue, every job's state and
 * answer, and each worker's current job.  A worker's own mutex is held
 * while it uses its reader, so that sou_pool_tick (trylock only) closes a
 * stale reader of an idle worker and never waits on a busy one.  Done
 * callbacks are called with no lock held.
 *
 * A job's life: QUEUED (in the queue) -> RUNNING (a worker has it) ->
 * ANSWERED (its code and body are final and done has been called or is
 * about to be, exactly once).  The janitor moves QUEUED or RUNNING jobs
 * past their deadline to ANSWERED with a 503; a worker finishing a job
 * that is ANSWERED already drops its result.  References: the submitter's
 * (until sou_job_release) and the pool's (from submit until the job
 * leaves the queue or its worker is done with it).
 */
#include "workers.h"

#include "complete.h"
#include "loosen.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "idxstamp.h"
#include "qparse.h"
#include "search.h"
#include "tune.h"

enum { JOB_NEW, JOB_QUEUED, JOB_RUNNING, JOB_ANSWERED };

struct sou_job {
	sou_serve_params p;          /* text, parts, options */
	sou_job_done_fn done;
	void *ctx;
	atomic_int refs;
	/* guarded by the pool's mutex */
	int state;
	long long deadline_ns;
	unsigned code;
	int busy;
	sou_buf body;
	sou_job *next;               /* in the queue */
};

typedef struct worker {
	sou_pool *pool;
	pthread_t tid;
	int started;
	pthread_mutex_t mu;          /* held while the reader is in use */
	sou_searcher *s;
	sou_idxstamp at;             /* the stamp s was opened at */
	sou_idxstamper *stamper;
	int complained;              /* logged that a new reader failed */
	sou_job *job;                /* the job it runs (pool mutex) */
	long long reopened_ns;       /* last reopen of remote shards (now_ns) */
} worker;

/*
 * Remote shards are asked for their newest revision at most this often
 * per worker (SOU_TUNE serve_reopen_ms): Xapian's reopen asks them one
 * after the other, a round trip each, which before every search cost more
 * than the search's own two.  A post indexed on a shard's machine is then
 * found at most this much later than it would be (sou-index runs every
 * few minutes); a shard that fails is reconnected by the next search,
 * whatever the interval.
 */
#define SERVE_REOPEN_MS 1000

struct sou_pool {
	char *db;
	sou_strlist dicts, synonyms;
	int remote;                  /* a remote shard: reopen (SERVE_REOPEN_MS) */
	double timeout_s;
	int allow_programs;
	int partial;
	char *entities;              /* --entities FILE, or NULL */
	unsigned queue_max;
	sou_serve_log_fn log;
	void *log_ctx;
	pthread_mutex_t mu;
	pthread_cond_t work;         /* a job was queued, or stopping */
	sou_job *head, *tail;
	unsigned queued;
	int stopping;
	worker *w;
	unsigned nw;
	sou_idxstamper *janitor_stamper;   /* sou_pool_tick's own */
	atomic_uint incident;        /* numbers 5xx answers, to find them in the log */
};

static long long now_ns(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (long long)t.tv_sec * 1000000000LL + t.tv_nsec;
}

static void logf_(sou_pool *p, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void redact_missing(sou_pool *p, sou_results *res);

static void logf_(sou_pool *p, const char *fmt, ...)
{
	sou_buf line = SOU_BUF_INIT;
	va_list ap;

	if (!p->log)
		return;
	va_start(ap, fmt);
	sou_buf_vaddf(&line, fmt, ap);
	va_end(ap);
	p->log(p->log_ctx, line.data ? line.data : "");
	sou_buf_free(&line);
}

/* ---- jobs ------------------------------------------------------------------ */

sou_job *sou_job_create(sou_serve_params *p, sou_job_done_fn done, void *ctx)
{
	sou_job *j = sou_xcalloc(1, sizeof(*j));

	j->p = *p;
	/* the options point at the facet list, which moved with p */
	if (j->p.o.facets)
		j->p.o.facets = &j->p.facet_names;
	memset(p, 0, sizeof(*p));
	j->done = done;
	j->ctx = ctx;
	atomic_init(&j->refs, 1);
	j->state = JOB_NEW;
	return j;
}

static void job_unref(sou_job *j)
{
	if (j && atomic_fetch_sub(&j->refs, 1) == 1) {
		sou_serve_params_free(&j->p);
		sou_buf_free(&j->body);
		free(j);
	}
}

void sou_job_release(sou_job *j)
{
	job_unref(j);
}

unsigned sou_job_code(const sou_job *j)
{
	return j->code;
}

const sou_buf *sou_job_body(const sou_job *j)
{
	return &j->body;
}

int sou_job_busy(const sou_job *j)
{
	return j->busy;
}

/* Sets j's answer to a JSON error (pool mutex held, or j not shared yet). */
static void answer_error(sou_job *j, unsigned code, int busy, const char *param, const char *msg)
{
	sou_serve_error_json(&j->body, code, param, msg);
	j->code = code;
	j->busy = busy;
	j->state = JOB_ANSWERED;
}

/* ---- readers ----------------------------------------------------------------- */

static sou_status open_searcher(sou_pool *p, sou_searcher **out, sou_error *err)
{
	sou_xdb_reader_opts ro;
	sou_status st;

	memset(&ro, 0, sizeof(ro));
	ro.timeout_s = p->timeout_s;
	ro.flags = (p->allow_programs ? SOU_XDB_ALLOW_PROGRAMS : 0) |
		   (p->partial ? SOU_XDB_PARTIAL : 0);
	st = sou_searcher_open_opts(p->db, &ro, out, err);

	if (!st && ((st = sou_termgen_configure(sou_searcher_termgen(*out), &p->dicts,
						&p->synonyms, err)) ||
		    (p->entities && (st = sou_searcher_set_entities(*out, p->entities, err))))) {
		sou_searcher_destroy(*out);
		*out = NULL;
	}
	return st;
}

/*
 * Makes w's reader current: reopens when the index changed since it was
 * opened (or force).  When a new reader cannot be opened the old one, if
 * any, keeps serving (a half-published index never fails a request).
 */
static sou_status worker_ready(worker *w, int force, sou_error *err)
{
	sou_pool *p = w->pool;
	sou_idxstamp now;
	sou_searcher *s = NULL;
	sou_status st;

	sou_idxstamp_take(w->stamper, &now);
	if (w->s && !force && sou_idxstamp_eq(&now, &w->at)) {
		/* remote shards change where no stat(2) sees them: Xapian's
		 * reopen asks them (and reconnects after a failure) */
		long long t = now_ns();
		if (p->remote &&
		    t - w->reopened_ns >= sou_tune("serve_reopen_ms", SERVE_REOPEN_MS) * 1000000LL) {
			w->reopened_ns = t;
			if ((st = sou_searcher_reopen(w->s, err)))
				return st;
		}
		return SOU_OK;
	}
	if ((st = open_searcher(p, &s, err))) {
		if (w->s && !force) {
			if (!w->complained)
				logf_(p, "index changed but a new reader failed (%s); "
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

/* Parses text alone: SOU_OK, or the parse error in err. */
static sou_status parse_alone(worker *w, const sou_job *j, const char *text, sou_error *err)
{
	sou_query *q = NULL;
	sou_status st = sou_query_parse(sou_searcher_termgen(w->s), text, j->p.o.tz_min, &q, err);

	sou_query_destroy(q);
	return st;
}

static int is_query_error(sou_status st)
{
	return st == SOU_ERR_QUERY || st == SOU_ERR_USAGE;
}

/*
 * The whole text failed to parse with err: blames the parameter whose
 * clause fails alone (the first), so that a bad tag= is not q's fault.
 */
static void blame(worker *w, const sou_job *j, const sou_error *err, unsigned *code,
		  const char **param, sou_buf *msg)
{
	const sou_strlist *parts = &j->p.parts, *names = &j->p.part_names;
	sou_error e2;
	size_t i;

	*code = 400;
	if (parts->n == 1) {
		*param = names->v[0];
		sou_buf_adds(msg, err->msg);
		return;
	}
	for (i = 0; i < parts->n; i++) {
		if (is_query_error(parse_alone(w, j, parts->v[i], &e2))) {
			*param = names->v[i];
			if (strcmp(names->v[i], "q"))
				sou_buf_addf(msg, "%s: ", names->v[i]);
			sou_buf_adds(msg, e2.msg);
			return;
		}
	}
	/* only together (e.g. over a size cap): no one parameter */
	*param = NULL;
	sou_buf_adds(msg, err->msg);
}

/*
 * Runs j on w's reader; the answer into code, param (static or j's),
 * body (JSON results or the error message), busy.
 */
static void run_job(worker *w, sou_job *j, unsigned *code, const char **param, sou_buf *body)
{
	sou_pool *p = w->pool;
	sou_results *res = NULL;
	sou_error err;
	sou_status st;
	sou_buf msg = SOU_BUF_INIT;

	*param = NULL;
	pthread_mutex_lock(&w->mu);
	st = worker_ready(w, 0, &err);
	if (j->p.suggest) {
		/* GET /suggest: completions of the prefix (complete.h) */
		sou_completions comp;
		memset(&comp, 0, sizeof(comp));
		if (!st)
			st = sou_complete(w->s, j->p.text.data, j->p.text.len, j->p.o.limit, &comp,
					  &err);
		if (!st) {
			pthread_mutex_unlock(&w->mu);
			*code = 200;
			sou_complete_json(j->p.text.data, &comp, 1, body);
			sou_completions_clear(&comp);
			return;
		}
		goto unavailable;
	}
	if (!st && j->p.parts.n > 1 && !strcmp(j->p.part_names.v[0], "q")) {
		/* q must stand on its own: a dangling OR or an open quote in
		 * it must not reach into the filters after it */
		st = parse_alone(w, j, j->p.parts.v[0], &err);
		if (is_query_error(st)) {
			*code = 400;
			*param = "q";
			sou_buf_adds(&msg, err.msg);
			goto error;
		}
	}
	if (!st)
		st = sou_searcher_run(w->s, j->p.text.data, &j->p.o, &res, &err);
	if (st == SOU_ERR_DB) {
		/* the reader broke (e.g. its generation went away under it):
		 * once more on a fresh one */
		sou_error err2;
		if (!worker_ready(w, 1, &err2))
			st = sou_searcher_run(w->s, j->p.text.data, &j->p.o, &res, &err);
	}
	if (is_query_error(st)) {
		blame(w, j, &err, code, param, &msg);
		goto error;
	}
	/* nothing found: a nearby query that finds posts (loosen.h) */
	if (!st && !res->estimated && !j->p.o.like)
		st = sou_loosen_results(w->s, j->p.text.data, &j->p.o, res, &err);
unavailable:
	if (st) {
		/* the details (paths, shard addresses, lines of files) are for
		 * the operator only */
		unsigned id = atomic_fetch_add(&p->incident, 1) + 1;
		logf_(p, "503 #%u: index unavailable: %s", id, err.msg);
		*code = 503;
		sou_buf_addf(&msg, "the index cannot be searched right now (logged as #%u)", id);
		goto error;
	}
	pthread_mutex_unlock(&w->mu);
	*code = 200;
	if (res->missing.n)
		redact_missing(p, res);
	sou_results_json(res, j->p.text.data, 1, body);
	sou_results_destroy(res);
	return;
error:
	pthread_mutex_unlock(&w->mu);
	sou_results_destroy(res);
	sou_serve_error_json(body, *code, *param, msg.data ? msg.data : "");
	sou_buf_free(&msg);
}

/*
 * A partial answer's missing shards, as HTTP clients see them: the
 * details (the stub's path and line, Xapian's words, which may name
 * files) go to the log; the client gets "remote HOST:PORT" (or "a
 * shard" where the name would show a path) and "did not answer (logged
 * as #N)".
 */
static void redact_missing(sou_pool *p, sou_results *res)
{
	sou_strlist names = { 0 }, whys = { 0 };
	size_t k;

	for (k = 0; k < res->missing.n; k++) {
		const char *m = res->missing.v[k], *cut = strstr(m, " (listed at ");
		unsigned id = atomic_fetch_add(&p->incident, 1) + 1;
		char why[64];
		logf_(p, "partial answer #%u: %s is missing: %s", id, m, res->missing_why.v[k]);
		size_t n = cut ? (size_t)(cut - m) : strlen(m);
		/* "remote HOST:PORT" stays; a program shard or a local one
		 * would show a path */
		if (!strncmp(m, "remote ", 7) && m[7] != ':' && !memchr(m, '/', n))
			sou_strlist_push(&names, m, n);
		else
			sou_strlist_push(&names, "a shard", 7);
		snprintf(why, sizeof(why), "did not answer (logged as #%u)", id);
		sou_strlist_push(&whys, why, strlen(why));
	}
	sou_strlist_free(&res->missing);
	sou_strlist_free(&res->missing_why);
	res->missing = names;
	res->missing_why = whys;
}

static void *worker_main(void *arg)
{
	worker *w = arg;
	sou_pool *p = w->pool;
	sou_buf body = SOU_BUF_INIT;

	pthread_mutex_lock(&p->mu);
	for (;;) {
		sou_job *j;
		unsigned code = 0;
		const char *param;
		int answer;

		while (!p->head && !p->stopping)
			pthread_cond_wait(&p->work, &p->mu);
		if (!p->head)
			break; /* stopping, and nothing left */
		j = p->head;
		p->head = j->next;
		if (!p->head)
			p->tail = NULL;
		p->queued--;
		j->next = NULL;
		j->state = JOB_RUNNING;
		w->job = j;
		pthread_mutex_unlock(&p->mu);

		sou_buf_reset(&body);
		run_job(w, j, &code, &param, &body);

		pthread_mutex_lock(&p->mu);
		w->job = NULL;
		answer = j->state == JOB_RUNNING;
		if (answer) {
			sou_buf tmp = j->body;
			j->body = body;
			body = tmp;
			j->code = code;
			j->state = JOB_ANSWERED;
		}
		pthread_mutex_unlock(&p->mu);
		if (answer)
			j->done(j->ctx);
		job_unref(j); /* the pool's */
		pthread_mutex_lock(&p->mu);
	}
	pthread_mutex_unlock(&p->mu);
	sou_buf_free(&body);
	return NULL;
}

/* ---- the pool ------------------------------------------------------------------ */

sou_status sou_pool_start(const sou_pool_opts *o, sou_pool **out, sou_error *err)
{
	sou_pool *p = sou_xcalloc(1, sizeof(*p));
	size_t i;

	*out = NULL;
	p->db = sou_xstrdup(o->db);
	for (i = 0; o->dicts && i < o->dicts->n; i++)
		sou_strlist_push(&p->dicts, o->dicts->v[i], strlen(o->dicts->v[i]));
	for (i = 0; o->synonyms && i < o->synonyms->n; i++)
		sou_strlist_push(&p->synonyms, o->synonyms->v[i], strlen(o->synonyms->v[i]));
	for (i = 0; i < o->shards->n; i++)
		p->remote |= o->shards->v[i].kind == SOU_SHARD_REMOTE;
	p->timeout_s = o->timeout_s;
	p->allow_programs = o->allow_programs;
	p->partial = o->partial;
	p->entities = o->entities && *o->entities ? sou_xstrdup(o->entities) : NULL;
	p->queue_max = o->queue ? o->queue : 1;
	p->log = o->log;
	p->log_ctx = o->log_ctx;
	pthread_mutex_init(&p->mu, NULL);
	pthread_cond_init(&p->work, NULL);
	atomic_init(&p->incident, 0);
	p->janitor_stamper = sou_idxstamper_create(o->shards);
	p->nw = o->workers ? o->workers : 1;
	p->w = sou_xcalloc(p->nw, sizeof(*p->w));
	for (i = 0; i < p->nw; i++) {
		worker *w = &p->w[i];
		w->pool = p;
		pthread_mutex_init(&w->mu, NULL);
		w->stamper = sou_idxstamper_create(o->shards);
	}
	for (i = 0; i < p->nw; i++) {
		if (pthread_create(&p->w[i].tid, NULL, worker_main, &p->w[i])) {
			sou_pool_destroy(p);
			return sou_error_set(err, SOU_ERR_INTERNAL, "cannot start a search thread");
		}
		p->w[i].started = 1;
	}
	*out = p;
	return SOU_OK;
}

int sou_pool_submit(sou_pool *p, sou_job *j)
{
	int queued = 0;

	pthread_mutex_lock(&p->mu);
	if (p->stopping) {
		answer_error(j, 503, 1, NULL, "the server is shutting down: try again shortly");
	} else if (p->queued >= p->queue_max) {
		answer_error(j, 503, 1, NULL, "too many searches waiting: try again shortly");
	} else {
		atomic_fetch_add(&j->refs, 1); /* the pool's */
		j->state = JOB_QUEUED;
		j->deadline_ns = now_ns() + (long long)(p->timeout_s * 1e9);
		if (p->tail)
			p->tail->next = j;
		else
			p->head = j;
		p->tail = j;
		p->queued++;
		queued = 1;
		pthread_cond_signal(&p->work);
	}
	pthread_mutex_unlock(&p->mu);
	return queued;
}

void sou_pool_tick(sou_pool *p)
{
	long long now = now_ns();
	sou_job *expired = NULL, **link, *j, *next;
	sou_job *late[64];
	unsigned late_id[64];
	unsigned nlate = 0, nqueued = 0, i;
	sou_idxstamp stamp;

	pthread_mutex_lock(&p->mu);
	/* waiting too long: out of the queue, with the pool's reference */
	for (link = &p->head; (j = *link);) {
		if (j->deadline_ns > now) {
			link = &j->next;
			continue;
		}
		*link = j->next;
		p->queued--;
		answer_error(j, 503, 1, NULL, "the search waited too long for a free worker: try again shortly");
		j->next = expired;
		expired = j;
		nqueued++;
	}
	/* the tail may have gone: find it again (the queue is short) */
	for (p->tail = p->head; p->tail && p->tail->next; p->tail = p->tail->next)
		;
	/* running too long: answered now; the worker drops its result */
	for (i = 0; i < p->nw; i++) {
		j = p->w[i].job;
		if (j && j->state == JOB_RUNNING && j->deadline_ns <= now &&
		    nlate < sizeof(late) / sizeof(late[0])) {
			char msg[160];
			unsigned id = atomic_fetch_add(&p->incident, 1) + 1;
			snprintf(msg, sizeof(msg), "the search did not finish within %g s (logged as #%u)",
				 p->timeout_s, id);
			answer_error(j, 503, 0, NULL, msg);
			atomic_fetch_add(&j->refs, 1); /* held across done */
			late_id[nlate] = id;
			late[nlate++] = j;
		}
	}
	pthread_mutex_unlock(&p->mu);
	for (j = expired; j; j = next) {
		next = j->next;
		j->next = NULL;
		j->done(j->ctx);
		job_unref(j);
	}
	if (nqueued)
		logf_(p, "503: %u searches waited over %g s for a free worker", nqueued, p->timeout_s);
	for (i = 0; i < nlate; i++) {
		logf_(p, "503 #%u: a search ran over %g s (a shard slow or down?): %s", late_id[i],
		      p->timeout_s, late[i]->p.text.data ? late[i]->p.text.data : "");
		late[i]->done(late[i]->ctx);
		job_unref(late[i]);
	}
	/* idle workers' stale readers */
	sou_idxstamp_take(p->janitor_stamper, &stamp);
	for (i = 0; i < p->nw; i++) {
		worker *w = &p->w[i];
		if (pthread_mutex_trylock(&w->mu))
			continue; /* searching: it checks for itself */
		if (w->s && !sou_idxstamp_eq(&stamp, &w->at)) {
			sou_searcher_destroy(w->s);
			w->s = NULL;
		}
		pthread_mutex_unlock(&w->mu);
	}
}

void sou_pool_stop(sou_pool *p)
{
	unsigned i;

	pthread_mutex_lock(&p->mu);
	p->stopping = 1;
	pthread_cond_broadcast(&p->work);
	pthread_mutex_unlock(&p->mu);
	for (i = 0; i < p->nw; i++) {
		if (p->w[i].started) {
			pthread_join(p->w[i].tid, NULL);
			p->w[i].started = 0;
		}
	}
}

void sou_pool_destroy(sou_pool *p)
{
	unsigned i;

	if (!p)
		return;
	sou_pool_stop(p);
	for (i = 0; i < p->nw; i++) {
		sou_searcher_destroy(p->w[i].s);
		sou_idxstamper_destroy(p->w[i].stamper);
		pthread_mutex_destroy(&p->w[i].mu);
	}
	free(p->w);
	sou_idxstamper_destroy(p->janitor_stamper);
	pthread_mutex_destroy(&p->mu);
	pthread_cond_destroy(&p->work);
	sou_strlist_free(&p->dicts);
	sou_strlist_free(&p->synonyms);
	free(p->entities);
	free(p->db);
	free(p);
}
