/*
 * shards.c - shard sets (indexer.h, sou_indexer_create; layout in
 * store.h): sou-index --shards N keeps DIR/shard-0 ... shard-(N-1), each
 * an ordinary index, and a stub DIR/XAPIANDB listing them.
 *
 * Which shard: XXH3_64bits(key) % N, key as the post's id (indexer.h).
 * A hash, not the date: a post never moves between shards when its front
 * matter changes, the shards stay the same size, and one run's new posts
 * spread over all of them.  N is fixed when the set is made.
 *
 * How: the set's indexer (ix->set) takes the set's lock, then creates one
 * ordinary indexer per shard, each walking every PATH but taking only its
 * own keys (walk.c), so each shard's records, deletion sweep, commits and
 * generations work exactly as for a single index and a kill loses only
 * what a shard had not committed.  add_path and finish run the shards in
 * parallel, one thread each; a full build's workers (jobs) are split
 * between them, so N shards build in about the time of one index on the
 * same cores.
 *
 * Threads: the shards share nothing but the caller's interrupt flag (read
 * only) and the event callback, which the set calls under its own mutex
 * (lock order: a shard's ev_mu, then the set's mu).  Each shard's
 * workers are started in the calling thread when the shard is created,
 * before any other thread uses Xapian: the first database of a full build
 * sets XAPIAN_FLUSH_THRESHOLD (common/xwrap.cc), and setenv must not run
 * beside another thread's getenv.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <xxhash.h>

#include "genlock.h"
#include "internal.h"

/* What the set forwards for one shard: its last progress counts. */
typedef struct shard_fw {
	sou_ix_set *set;
	unsigned k;
	unsigned long done, changed, finished;
	unsigned long long bytes;
	sou_ix_phase phase;
} shard_fw;

struct sou_ix_set {
	unsigned n;
	sou_indexer *top;         /* the set's own indexer (its walk counts
				   * the files: opts.count_files) */
	sou_ix_phase phase;       /* the last phase forwarded */
	int lock_fd;              /* DIR/sou.lock, -1 in a dry run */
	sou_indexer **sub;        /* one indexer per shard */
	sou_buf *dirs;            /* DIR/shard-K, borrowed by sub[K] */
	shard_fw *fw;
	pthread_mutex_t mu;       /* the caller's callback, fw counts */
	sou_ix_event_fn on_event; /* the caller's */
	void *ctx;
};

/* One shard's part of a parallel step. */
typedef struct shard_job {
	sou_indexer *sub;
	const char *path;         /* add_path: the PATH; NULL: finish */
	sou_status st;
	sou_error err;
	sou_index_stats stats;
	pthread_t thread;
} shard_job;

unsigned sou_ix_shard_of(const char *key, unsigned n)
{
	return (unsigned)(XXH3_64bits(key, strlen(key)) % n);
}

int sou_ix_walk_reports(const sou_indexer *ix)
{
	return !ix->shard_n || ix->shard_k == 0;
}

/*
 * A shard's event, with the progress counts summed over all shards and
 * the set's total.  The set is in the phase its slowest shard is in (at
 * least its own indexer's: walk, index), so a PHASE event is passed on
 * when the last shard gets there, and as PROGRESS before.
 */
static void forward(void *ctx, const sou_ix_event *ev)
{
	shard_fw *f = ctx;
	sou_ix_set *s = f->set;
	sou_ix_event e = *ev;
	sou_ix_phase slowest;
	unsigned k;

	pthread_mutex_lock(&s->mu);
	f->done = ev->done;
	f->changed = ev->changed;
	f->finished = ev->finished;
	f->bytes = ev->bytes;
	f->phase = ev->phase;
	e.done = e.changed = e.finished = 0;
	e.bytes = 0;
	slowest = f->phase;
	for (k = 0; k < s->n; k++) {
		e.done += s->fw[k].done;
		e.changed += s->fw[k].changed;
		e.finished += s->fw[k].finished;
		e.bytes += s->fw[k].bytes;
		if (s->fw[k].phase < slowest)
			slowest = s->fw[k].phase;
	}
	/* the set's indexer counted before the shards' threads started */
	e.total = s->top->total;
	if (s->phase < s->top->phase)
		s->phase = s->top->phase;
	if (e.kind == SOU_IX_PHASE) {
		if (slowest > s->phase)
			s->phase = slowest;
		else
			e.kind = SOU_IX_PROGRESS;
	}
	e.phase = s->phase;
	if (s->on_event)
		s->on_event(s->ctx, &e);
	pthread_mutex_unlock(&s->mu);
}

static void *job_main(void *arg)
{
	shard_job *j = arg;

	sou_error_clear(&j->err);
	if (j->path)
		j->st = sou_indexer_add_path(j->sub, j->path, &j->err);
	else
		j->st = sou_indexer_finish(j->sub, &j->stats, &j->err);
	return NULL;
}

/* Runs the step on every shard at once (in the calling thread if no
 * thread can be started). */
static void run_all(sou_ix_set *s, const char *path, shard_job *jobs)
{
	unsigned k;
	int *started = sou_xcalloc(s->n, sizeof(*started));

	for (k = 0; k < s->n; k++) {
		memset(&jobs[k], 0, sizeof(jobs[k]));
		jobs[k].sub = s->sub[k];
		jobs[k].path = path;
		started[k] = !pthread_create(&jobs[k].thread, NULL, job_main, &jobs[k]);
		if (!started[k])
			job_main(&jobs[k]);
	}
	for (k = 0; k < s->n; k++)
		if (started[k])
			pthread_join(jobs[k].thread, NULL);
	free(started);
}

/* The set's status from its shards': the first index failure, else
 * interrupted, else the first unreadable PATH; *which: its shard. */
static sou_status combine(const sou_ix_set *s, const shard_job *jobs, unsigned *which)
{
	unsigned k;

	for (k = 0; k < s->n; k++)
		if (jobs[k].st && jobs[k].st != SOU_ERR_IO && jobs[k].st != SOU_ERR_INTERRUPTED) {
			*which = k;
			return jobs[k].st;
		}
	for (k = 0; k < s->n; k++)
		if (jobs[k].st == SOU_ERR_INTERRUPTED) {
			*which = k;
			return jobs[k].st;
		}
	for (k = 0; k < s->n; k++)
		if (jobs[k].st) {
			*which = k;
			return jobs[k].st;
		}
	return SOU_OK;
}

/*
 * The shard count to use, checked under the set's lock: have is what dir
 * holds (0: no set yet), o->shards what was asked (0: whatever it is).
 */
static sou_status check_count(const sou_indexer_opts *o, unsigned have, unsigned *n,
			      sou_error *err)
{
	const char *dir = o->db_path;

	if (o->shards && (o->shards < 2 || o->shards > SOU_MAX_SHARDS))
		return sou_error_set(err, SOU_ERR_USAGE, "--shards: expected 2 to %d, got %u",
				     SOU_MAX_SHARDS, o->shards);
	if (!have && !o->shards) /* it was a set before the lock was taken */
		return sou_error_set(err, SOU_ERR_DB, "%s: no longer a shard set (changed while "
				     "this run waited for its lock)", dir);
	if (!have && sou_store_holds_single(dir))
		return sou_error_set(err, SOU_ERR_USAGE,
				     "%s: a single index, not a shard set; to make a set of %u "
				     "shards, build it in another directory (sou-index --shards %u "
				     "--db NEWDIR PATH...) or remove %s first", dir, o->shards,
				     o->shards, dir);
	if (have && o->shards && have != o->shards)
		return sou_error_set(err, SOU_ERR_USAGE,
				     "%s: a set of %u shards, not %u; the number of shards is fixed "
				     "when the set is made: to change it, build a new set in another "
				     "directory (sou-index --shards %u --db NEWDIR PATH...) and move it "
				     "in place of this one, or remove %s first", dir, have, o->shards,
				     o->shards, dir);
	*n = have ? have : o->shards;
	return SOU_OK;
}

/* mkdir -p dir (0700, as store.c makes index directories). */
static sou_status make_dirs(const char *dir, sou_error *err)
{
	char *p = sou_xstrdup(dir), *slash;
	sou_status st = SOU_OK;

	for (slash = strchr(p + 1, '/'); ; slash = strchr(slash + 1, '/')) {
		if (slash)
			*slash = '\0';
		if (mkdir(p, 0700) < 0 && errno != EEXIST) {
			st = sou_error_set(err, SOU_ERR_DB, "%s: cannot create directory: %s", p,
					   strerror(errno));
			break;
		}
		if (!slash)
			break;
		*slash = '/';
	}
	free(p);
	return st;
}

sou_status sou_ix_set_open(sou_indexer *ix, unsigned n, sou_error *err)
{
	const sou_indexer_opts *o = &ix->o;
	sou_ix_set *s = sou_xcalloc(1, sizeof(*s));
	sou_status st = SOU_OK;
	unsigned k, jobs;

	s->lock_fd = -1;
	s->top = ix;
	pthread_mutex_init(&s->mu, NULL);
	s->on_event = o->on_event;
	s->ctx = o->ctx;
	ix->set = s;
	if (!o->dry_run) {
		/* the set's lock first, then what it is: another run may have
		 * made it (or a single index) meanwhile */
		if ((st = make_dirs(o->db_path, err)) ||
		    (st = sou_store_lock_dir(o->db_path, o->wait_s, 0, &s->lock_fd, err)) ||
		    (st = sou_store_probe_set(o->db_path, &n, NULL, err)))
			return st;
	}
	if ((st = check_count(o, n, &s->n, err)))
		return st;
	if (!n && !o->dry_run && (st = sou_store_set_begin(o->db_path, s->n, err)))
		return st;
	s->sub = sou_xcalloc(s->n, sizeof(*s->sub));
	s->dirs = sou_xcalloc(s->n, sizeof(*s->dirs));
	s->fw = sou_xcalloc(s->n, sizeof(*s->fw));
	jobs = (o->jobs + s->n - 1) / s->n;
	for (k = 0; k < s->n && !st; k++) {
		sou_indexer_opts so = *o;
		sou_store_shard_dir(o->db_path, k, &s->dirs[k]);
		s->fw[k].set = s;
		s->fw[k].k = k;
		so.db_path = s->dirs[k].data;
		so.shards = 0;
		so.count_files = 0; /* the set's indexer counts for all */
		so.jobs = jobs ? jobs : 1;
		so.wait_s = 0; /* the set's lock keeps other runs out */
		so.on_event = forward;
		so.ctx = &s->fw[k];
		if ((st = sou_ix_create_shard(&so, k, s->n, &s->sub[k], err)))
			break;
		if (s->sub[k]->parallel)
			st = sou_ix_pool_start(s->sub[k], err);
	}
	return st;
}

sou_status sou_ix_set_add_path(sou_indexer *ix, const char *path, sou_error *err)
{
	sou_ix_set *s = ix->set;
	shard_job *jobs = sou_xcalloc(s->n, sizeof(*jobs));
	unsigned k, which = 0;
	sou_status st;

	run_all(s, path, jobs);
	st = combine(s, jobs, &which);
	if (st && st != SOU_ERR_IO && st != SOU_ERR_INTERRUPTED) {
		/* one shard failed: the others must not delete the posts of
		 * the PATHs that will not be walked now */
		for (k = 0; k < s->n; k++)
			s->sub[k]->stopped = 1;
		ix->failed = st;
		ix->fail_err = jobs[which].err;
	}
	if (st && err)
		*err = jobs[which].err;
	free(jobs);
	return st;
}

/* 1 if every shard has a published generation. */
static int all_published(const sou_ix_set *s)
{
	unsigned k, gen;

	for (k = 0; k < s->n; k++)
		if (sou_genlock_read_stub(s->dirs[k].data, &gen, NULL) || !gen)
			return 0;
	return 1;
}

sou_status sou_ix_set_finish(sou_indexer *ix, sou_index_stats *stats, sou_error *err)
{
	sou_ix_set *s = ix->set;
	shard_job *jobs = sou_xcalloc(s->n, sizeof(*jobs));
	unsigned k, which = 0;
	sou_status st;
	sou_error e;

	run_all(s, NULL, jobs);
	memset(&ix->st, 0, sizeof(ix->st));
	for (k = 0; k < s->n; k++) {
		sou_ix_add_stats(&ix->st, &jobs[k].stats);
		ix->st.kept_old |= jobs[k].stats.kept_old;
		ix->st.kept_gone |= jobs[k].stats.kept_gone;
	}
	ix->st.seconds = sou_ix_now() - ix->t0;
	st = combine(s, jobs, &which);
	if (st)
		e = jobs[which].err;
	else
		sou_error_clear(&e);
	/* readers see the set once every shard can be read, and even an
	 * interrupted or failed run's shards are sound */
	if (!ix->o.dry_run && all_published(s)) {
		sou_error pe;
		sou_status ps = sou_store_set_publish(ix->o.db_path, s->n, &pe);
		if (ps && (!st || st == SOU_ERR_INTERRUPTED)) {
			st = ps;
			e = pe;
		}
	}
	if (!ix->o.dry_run) {
		/* for --status, as a single index records its runs */
		sou_buf run = SOU_BUF_INIT;
		sou_ix_run_summary(ix, st && st != SOU_ERR_INTERRUPTED ? e.msg : NULL, &run);
		sou_store_record_run_at(ix->o.db_path, run.data, run.len, NULL);
		sou_buf_free(&run);
	}
	if (stats)
		*stats = ix->st;
	free(jobs);
	if (st && err)
		*err = e;
	return st;
}

void sou_ix_set_destroy(sou_indexer *ix)
{
	sou_ix_set *s = ix->set;
	unsigned k;

	if (!s)
		return;
	for (k = 0; s->sub && k < s->n; k++)
		sou_indexer_destroy(s->sub[k]);
	for (k = 0; s->dirs && k < s->n; k++)
		sou_buf_free(&s->dirs[k]);
	free(s->sub);
	free(s->dirs);
	free(s->fw);
	if (s->lock_fd >= 0)
		close(s->lock_fd); /* after the shards: releases the set */
	pthread_mutex_destroy(&s->mu);
	free(s);
	ix->set = NULL;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

sou_status sou_ix_set_status(const char *db_path, unsigned n, sou_index_status *out,
			     sou_error *err)
{
	sou_buf dir = SOU_BUF_INIT, run = SOU_BUF_INIT;
	sou_status st = SOU_OK;
	unsigned k;
	size_t i;

	memset(out, 0, sizeof(*out));
	out->shards = n;
	for (k = 0; k < n && !st; k++) {
		sou_index_status one;
		sou_store_shard_dir(db_path, k, &dir);
		if ((st = sou_index_status_read(dir.data, &one, err)))
			break;
		out->shard_posts[k] = one.posts;
		out->posts += one.posts;
		for (i = 0; i < one.failed.n; i++)
			sou_strlist_push(&out->failed, one.failed.v[i], strlen(one.failed.v[i]));
		for (i = 0; i < one.skipped.n; i++)
			sou_strlist_push(&out->skipped, one.skipped.v[i], strlen(one.skipped.v[i]));
		sou_index_status_clear(&one);
	}
	if (!st && !sou_store_read_run(db_path, &run, NULL) && run.len)
		out->last_run = sou_xstrdup(run.data);
	if (out->failed.n > 1)
		qsort(out->failed.v, out->failed.n, sizeof(char *), cmp_str);
	if (out->skipped.n > 1)
		qsort(out->skipped.v, out->skipped.n, sizeof(char *), cmp_str);
	sou_buf_free(&dir);
	sou_buf_free(&run);
	if (st)
		sou_index_status_clear(out);
	return st;
}
