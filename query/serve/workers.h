/*
 * workers.h - sou-serve's search workers: a bounded pool of threads, each
 * with its own index reader, fed by a bounded queue of jobs.
 *
 * The HTTP threads (server.c) never search: they check a request's
 * parameters (params.h), suspend its connection, and submit a job; the
 * job's done callback (which resumes the connection) runs exactly once,
 * when the job has its answer.  So a search that blocks (a stopped remote
 * shard, a slow disk) holds one worker, never the threads that serve the
 * page, its files and /health.
 *
 * Deadline: every job is answered within its timeout of being submitted
 * (plus a janitor tick): with its results, or with a JSON 503 if it was
 * still waiting or running then.  A worker that finishes a job already
 * answered drops its result.  A worker's reader is opened with the same
 * timeout for remote shards, so a stalled shard frees the worker after
 * about that long too.
 *
 * Fresh results: before each job a worker compares the index's stamp
 * (common/idxstamp.h) with the one its reader was opened at and opens a
 * new reader when they differ, so what sou-index commits is seen by the
 * next request; a reader that breaks mid-search (its generation went
 * away) is replaced and the search retried once.  When a new reader
 * cannot be opened, the old one keeps serving.  sou_pool_tick closes the
 * readers of idle workers that are out of date, so no idle worker holds
 * an old generation on disk.
 */
#ifndef SOU_SERVE_WORKERS_H
#define SOU_SERVE_WORKERS_H

#include "buf.h"
#include "error.h"
#include "params.h"
#include "server.h"
#include "shardset.h"

typedef struct sou_pool sou_pool;
typedef struct sou_job sou_job;

/* The job has its answer (sou_job_code, sou_job_body); from any thread. */
typedef void (*sou_job_done_fn)(void *ctx);

typedef struct sou_pool_opts {
	const char *db;              /* what the readers open (copied) */
	const sou_shardlist *shards; /* what db resolved to: stamped (copied) */
	const sou_strlist *dicts;    /* sou.conf's dictionaries (copied) */
	const sou_strlist *synonyms;
	unsigned workers;            /* threads, each with its own reader */
	unsigned queue;              /* most jobs waiting; more are refused (503) */
	double timeout_s;            /* a job's deadline; remote shards' timeout */
	int allow_programs;          /* readers may run "remote :PROGRAM" shards */
	int partial;                 /* readers open with SOU_XDB_PARTIAL */
	const char *entities;        /* companies file every reader loads (copied;
				      * NULL: none) */
	sou_serve_log_fn log;        /* 5xx details; may be NULL */
	void *log_ctx;
} sou_pool_opts;

/* Starts the workers.  *out owned by the caller (sou_pool_destroy). */
sou_status sou_pool_start(const sou_pool_opts *o, sou_pool **out, sou_error *err);

/*
 * A job for the checked parameters p (sou_serve_params_build succeeded);
 * their contents move into the job (p is left empty).  done(ctx) is
 * called once the job is answered.  The caller holds one reference
 * (sou_job_release).
 */
sou_job *sou_job_create(sou_serve_params *p, sou_job_done_fn done, void *ctx);
/* Drops the caller's reference; the job is freed when the pool's is gone too. */
void sou_job_release(sou_job *j);
/* The answer, valid once done was called (or submit refused the job):
 * the HTTP status and the body (JSON results or a JSON error), owned by
 * the job; busy: a 503 the client should retry (Retry-After). */
unsigned sou_job_code(const sou_job *j);
const sou_buf *sou_job_body(const sou_job *j);
int sou_job_busy(const sou_job *j);

/*
 * Queues j.  Returns 1 when queued (done will be called), 0 when refused
 * because the queue is full or the pool is stopping: j then has its 503
 * answer already and done is not called.
 */
int sou_pool_submit(sou_pool *p, sou_job *j);

/*
 * Called about every quarter second by one thread (server.c's janitor):
 * answers jobs past their deadline with a 503, and closes the readers of
 * idle workers that are out of date.  Never blocks on a worker.
 */
void sou_pool_tick(sou_pool *p);

/*
 * Refuses new jobs, lets the workers finish those queued and running
 * (each is answered by its deadline: keep calling sou_pool_tick from
 * another thread meanwhile), then joins them.  Every job submitted has
 * been answered when it returns.
 */
void sou_pool_stop(sou_pool *p);

/* Stops the pool if needed and frees it.  NULL is a no-op. */
void sou_pool_destroy(sou_pool *p);

#endif
