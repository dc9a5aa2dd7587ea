/*
 * indexer.c - incremental indexing of a posts tree (see indexer.h): the
 * orchestration of a run.  create opens the index (store.h) and loads the
 * per-file records (state.h); add_path walks each PATH (walk.c), working
 * on changed files (file.c) or, in a full build, handing them to the
 * worker pool (pool.c); finish merges a full build's shards, deletes what
 * is gone, commits and publishes (publish.c).  internal.h maps the files.
 *
 * One post becomes one Xapian document built by postdoc.h, with names
 * from schema.h; the document and its record are written in the same
 * batch, so a commit is always self-consistent.
 *
 * Threads: an incremental run works on the live index in the calling
 * thread.  A full build (the first run, or --rebuild) instead feeds the
 * files through a bounded queue to one worker thread per core, each with
 * its own segmenter and its own shard database; at the end the shards are
 * merged by Xapian's compaction into the new generation, which is then
 * published atomically (store.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "genlock.h"
#include "internal.h"
#include "schema.h"

double sou_ix_now(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

void sou_ix_config_string(const sou_indexer_opts *o, sou_buf *out)
{
	sou_buf_reset(out);
	sou_buf_addf(out, "%s tz=%d", SOU_SCHEMA_FORMAT, o->tz_min);
	if (o->no_pinyin)
		sou_buf_adds(out, " pinyin=0");
}

int sou_ix_interrupted(const sou_indexer *ix)
{
	return ix->o.interrupted && *ix->o.interrupted;
}

/* Events come from any thread; the callback sees them one at a time. */
void sou_ix_emit(sou_indexer *ix, sou_ix_event_kind k, const char *path, const char *msg)
{
	sou_ix_event ev;

	pthread_mutex_lock(&ix->ev_mu);
	if (k != SOU_IX_PROGRESS && k != SOU_IX_SKIPPED && k != SOU_IX_NOTICE &&
	    k != SOU_IX_PHASE)
		ix->changed++;
	if (ix->o.on_event) {
		ev.kind = k;
		ev.path = path;
		ev.message = msg;
		ev.done = ix->looked;
		ev.changed = ix->changed;
		ev.bytes = ix->bytes;
		ev.finished = ix->finished;
		ev.total = ix->total;
		ev.phase = ix->phase;
		ix->o.on_event(ix->o.ctx, &ev);
	}
	pthread_mutex_unlock(&ix->ev_mu);
}

void sou_ix_enter_phase(sou_indexer *ix, sou_ix_phase p)
{
	int later;

	pthread_mutex_lock(&ix->ev_mu);
	later = p > ix->phase;
	if (later)
		ix->phase = p;
	pthread_mutex_unlock(&ix->ev_mu);
	if (later)
		sou_ix_emit(ix, SOU_IX_PHASE, NULL, NULL);
}

void sou_ix_count_finished(sou_indexer *ix)
{
	pthread_mutex_lock(&ix->ev_mu);
	ix->finished++;
	pthread_mutex_unlock(&ix->ev_mu);
}

sou_status sou_ix_worker_init(sou_ix_worker *w, sou_indexer *ix, sou_xdb *db, sou_error *err)
{
	sou_status st;

	memset(w, 0, sizeof(*w));
	w->ix = ix;
	w->db = db;
	w->pd = sou_postdoc_create();
	/* a signal stops the post in progress too, not only the walk */
	sou_postdoc_set_cancel(w->pd, ix->o.interrupted);
	if ((st = sou_termgen_create(&w->tg, err)))
		return st;
	sou_termgen_set_cancel(w->tg, ix->o.interrupted);
	sou_termgen_set_pinyin(w->tg, !ix->o.no_pinyin);
	return sou_termgen_configure(w->tg, ix->o.dicts, ix->o.synonyms, err);
}

void sou_ix_worker_clear(sou_ix_worker *w)
{
	sou_termgen_destroy(w->tg);
	sou_postdoc_destroy(w->pd);
	sou_buf_free(&w->file);
	sou_buf_free(&w->idterm);
	w->tg = NULL;
	w->pd = NULL;
}

void sou_ix_add_stats(sou_index_stats *to, const sou_index_stats *from)
{
	to->added += from->added;
	to->updated += from->updated;
	to->deleted += from->deleted;
	to->unchanged += from->unchanged;
	to->skipped += from->skipped;
	to->failed += from->failed;
	to->dropped_terms += from->dropped_terms;
	to->bytes += from->bytes;
}

/*
 * Every post with a document has a record of status 'o' and the other
 * way round (both are written in the same commit).  A mismatch means the
 * index lost some of either, so carrying on would re-add or orphan posts
 * while reporting success.  Cheap: loading the state counted them.
 */
static sou_status check_counts(sou_indexer *ix, sou_error *err)
{
	unsigned long docs = 0, recs = sou_state_indexed(ix->state);
	sou_status st;

	if ((st = sou_xdb_doccount(ix->db, &docs, err)))
		return st;
	if (docs != recs)
		return sou_error_set(err, SOU_ERR_DB,
				     "%s: the index is damaged (it holds %lu posts but records "
				     "of %lu): " SOU_GENLOCK_REBUILD_HINT,
				     ix->o.db_path, docs, recs);
	return SOU_OK;
}

/*
 * An index written in another format than SOU_SCHEMA_FORMAT is rebuilt
 * from scratch, announced by one notice: a new generation built in
 * parallel and published when complete, while readers keep the old one
 * (queries still answer format 4 exactly).  Called with ix->db open.
 */
static sou_status rebuild_if_other_format(sou_indexer *ix, sou_error *err)
{
	sou_buf have = SOU_BUF_INIT;
	size_t fl = strlen(SOU_SCHEMA_FORMAT);
	sou_status st = sou_xdb_get_metadata(ix->db, SOU_META_CONFIG, &have, err);

	if (!st && have.len &&
	    (have.len <= fl || memcmp(have.data, SOU_SCHEMA_FORMAT, fl) || have.data[fl] != ' ')) {
		char msg[512];
		const char *tz = strstr(have.data, " tz=");
		int n = tz ? (int)(tz - have.data) : (int)have.len;
		snprintf(msg, sizeof(msg),
			 "%s: index written in another format (%.*s; this sou writes %s): rebuilding it",
			 ix->o.db_path, n > 64 ? 64 : n, have.data, SOU_SCHEMA_FORMAT);
		sou_xdb_destroy(ix->db);
		ix->db = NULL;
		sou_store_make_fresh(ix->store);
		ix->parallel = 1;
		sou_ix_emit(ix, SOU_IX_NOTICE, ix->o.db_path, msg);
	}
	sou_buf_free(&have);
	return st;
}

/*
 * A run on one shard of a set by itself (--db SET/shard-K) would put
 * every post into that shard; the set is written as a whole.
 */
static sou_status refuse_lone_shard(const sou_indexer_opts *o, sou_error *err)
{
	sou_buf parent = SOU_BUF_INIT;
	const char *slash = strrchr(o->db_path, '/');
	unsigned n = 0, k;
	int used = 0;
	sou_status st = SOU_OK;

	if (o->dry_run || !slash || sscanf(slash + 1, "shard-%u%n", &k, &used) != 1 ||
	    slash[1 + used])
		return SOU_OK;
	sou_buf_add(&parent, o->db_path, slash > o->db_path ? (size_t)(slash - o->db_path) : 1);
	if (sou_store_probe_set(parent.data, &n, NULL, NULL) == SOU_OK && n && k < n)
		st = sou_error_set(err, SOU_ERR_USAGE,
				   "%s: shard %u of the set %s, which is indexed as a whole: "
				   "sou-index --db %s PATH...", o->db_path, k, parent.data,
				   parent.data);
	sou_buf_free(&parent);
	return st;
}

/* sou_indexer_create; shard_n: creating shard shard_k of a set's n (shards.c) */
static sou_status create(const sou_indexer_opts *opts, unsigned shard_k, unsigned shard_n,
			 sou_indexer **out, sou_error *err)
{
	sou_indexer *ix = sou_xcalloc(1, sizeof(*ix));
	sou_buf cfg = SOU_BUF_INIT, have = SOU_BUF_INIT;
	sou_status st;

	*out = NULL;
	ix->o = *opts;
	if (!ix->o.batch)
		ix->o.batch = SOU_DEFAULT_BATCH;
	if (!ix->o.max_file_bytes)
		ix->o.max_file_bytes = SOU_DEFAULT_MAX_FILE;
	if (!ix->o.jobs) {
		long n = sysconf(_SC_NPROCESSORS_ONLN);
		ix->o.jobs = n > 0 ? (unsigned)n : 1;
	}
	if (ix->o.jobs > 64)
		ix->o.jobs = 64;
	pthread_mutex_init(&ix->mu, NULL);
	pthread_mutex_init(&ix->ev_mu, NULL);
	pthread_cond_init(&ix->not_empty, NULL);
	pthread_cond_init(&ix->not_full, NULL);
	ix->t0 = sou_ix_now();
	ix->shard_k = shard_k;
	ix->shard_n = shard_n;
	/* roots are what the PATHs are now; a set's own indexer needs them
	 * only to count the files (opts.count_files) */
	sou_ix_walk_resolve(ix);
	/* a shard set: this indexer drives one per shard (shards.c) */
	if (!shard_n) {
		unsigned n = 0;
		if ((st = sou_store_probe_set(opts->db_path, &n, NULL, err)))
			goto out;
		if (n || opts->shards) {
			st = sou_ix_set_open(ix, n, err);
			goto out;
		}
		if ((st = refuse_lone_shard(opts, err)))
			goto out;
	}
	if (opts->dry_run) {
		st = sou_xdb_open(opts->db_path, SOU_XDB_READ, &ix->db, err);
		if (st == SOU_ERR_NOTFOUND) {
			ix->db = NULL; /* no index yet: everything would be added */
			st = SOU_OK;
		}
	} else {
		st = sou_store_open(opts->db_path, opts->rebuild, opts->wait_s, &ix->store, err);
		if (!st) {
			ix->parallel = sou_store_is_fresh(ix->store);
			if (!ix->parallel)
				st = sou_store_open_db(ix->store, &ix->db, err);
			if (!st && !ix->parallel)
				st = rebuild_if_other_format(ix, err);
		}
	}
	if (!st)
		st = sou_ix_worker_init(&ix->main_w, ix, ix->db, err);
	if (!st)
		st = sou_state_load(ix->parallel ? NULL : ix->db, &ix->state, err);
	if (!st && ix->db) {
		sou_ix_config_string(opts, &cfg);
		st = sou_xdb_get_metadata(ix->db, SOU_META_CONFIG, &have, err);
		if (!st && (have.len != cfg.len || memcmp(have.data, cfg.data, cfg.len))) {
			ix->stale = have.len > 0;
			if (!opts->dry_run)
				st = sou_xdb_set_metadata(ix->db, SOU_META_CONFIG, cfg.data, cfg.len, err);
		}
		/* after a format change the records may not be comparable */
		if (!st && !ix->stale)
			st = check_counts(ix, err);
	}
	sou_buf_free(&cfg);
	sou_buf_free(&have);
out:
	if (st) {
		sou_indexer_destroy(ix);
		return st;
	}
	*out = ix;
	return SOU_OK;
}

sou_status sou_indexer_create(const sou_indexer_opts *opts, sou_indexer **out,
			      sou_error *err)
{
	return create(opts, 0, 0, out, err);
}

sou_status sou_ix_create_shard(const sou_indexer_opts *opts, unsigned k, unsigned n,
			       sou_indexer **out, sou_error *err)
{
	return create(opts, k, n, out, err);
}

void sou_indexer_destroy(sou_indexer *ix)
{
	if (!ix)
		return;
	sou_ix_set_destroy(ix);
	sou_ix_pool_destroy(ix);
	sou_xdb_destroy(ix->db);
	sou_store_destroy(ix->store); /* after the databases are closed */
	sou_ix_worker_clear(&ix->main_w);
	sou_state_destroy(ix->state);
	sou_ix_walk_clear(ix);
	sou_buf_free(&ix->key);
	pthread_mutex_destroy(&ix->mu);
	pthread_mutex_destroy(&ix->ev_mu);
	pthread_cond_destroy(&ix->not_empty);
	pthread_cond_destroy(&ix->not_full);
	free(ix);
}

void sou_ix_run_summary(const sou_indexer *ix, const char *failure, sou_buf *out)
{
	sou_buf_reset(out);
	sou_buf_addf(out, "%lld\t", (long long)time(NULL));
	if (failure)
		sou_buf_addf(out, "failed: %s; before that: ", failure);
	sou_buf_addf(out, "added %lu, updated %lu, deleted %lu, unchanged %lu, failed %lu in %.2f s",
		     ix->st.added, ix->st.updated, ix->st.deleted, ix->st.unchanged,
		     ix->st.failed, ix->st.seconds);
	if (failure)
		sou_buf_adds(out, " (changes since the last commit are redone by the next run)");
}

sou_status sou_indexer_add_path(sou_indexer *ix, const char *root, sou_error *err)
{
	sou_error e;
	sou_status st;

	if (ix->failed) /* after an index failure nothing more is written */
		return sou_error_set(err, ix->failed, "%s", ix->fail_err.msg);
	if (ix->phase < SOU_IX_PHASE_INDEX) {
		/* the first PATH: count every PATH's files first (a set's own
		 * indexer counts for all its shards, which do not count) */
		if (ix->o.count_files && !ix->shard_n) {
			sou_ix_enter_phase(ix, SOU_IX_PHASE_WALK);
			sou_ix_walk_count(ix);
		}
		sou_ix_enter_phase(ix, SOU_IX_PHASE_INDEX);
	}
	if (ix->set)
		return sou_ix_set_add_path(ix, root, err);
	sou_error_clear(&e);
	st = sou_ix_walk_path(ix, root, &e);
	if (st && st != SOU_ERR_IO && st != SOU_ERR_INTERRUPTED) {
		ix->failed = st; /* finish returns it again and records it */
		ix->fail_err = e;
	}
	if (err)
		*err = e;
	return st;
}

sou_status sou_indexer_finish(sou_indexer *ix, sou_index_stats *stats, sou_error *err)
{
	sou_status st = ix->failed;
	int was_interrupted = sou_ix_interrupted(ix);
	int keep_old = 0; /* a rebuild that must not replace the current index */
	sou_error e;

	if (ix->set)
		return sou_ix_set_finish(ix, stats, err);
	if (st) {
		e = ix->fail_err;
	} else {
		sou_error_clear(&e);
	}
	if (st && ix->parallel) {
		/* failed: no merge, but the summary counts the workers' work */
		unsigned k;
		sou_ix_pool_stop(ix);
		for (k = 0; k < ix->nworkers; k++)
			sou_ix_add_stats(&ix->st, &ix->workers[k].st);
	} else if (ix->parallel) {
		st = sou_ix_pool_merge(ix, &e);
		/* the workers finish their queue (and the files held for the
		 * record dictionary) inside the merge: a signal meanwhile made
		 * them skip posts, so the run was interrupted too */
		was_interrupted = was_interrupted || sou_ix_interrupted(ix);
		/* an interrupted first build still publishes what it finished;
		 * an interrupted rebuild, or one that could not read all its
		 * posts, keeps the old index */
		keep_old = (ix->stopped || was_interrupted) && sou_store_has_current(ix->store);
	} else if (!st && !ix->stopped && !was_interrupted && ix->db) {
		if (ix->store)
			sou_ix_enter_phase(ix, SOU_IX_PHASE_PUBLISH);
		st = sou_ix_publish_sweep(ix, &e);
	} else if (!st && ix->stopped && !was_interrupted && ix->db) {
		/* a PATH or folder was unreadable: its posts were not seen, and
		 * deleting every unseen post would drop them */
		ix->st.kept_gone = 1;
	}
	sou_ix_add_stats(&ix->st, &ix->main_w.st);
	ix->st.seconds = sou_ix_now() - ix->t0;
	ix->st.kept_old = keep_old;
	if (!st && ix->store && ix->db && !keep_old) {
		sou_ix_enter_phase(ix, SOU_IX_PHASE_PUBLISH);
		st = sou_ix_publish_commit(ix, was_interrupted, &e);
	}
	if (ix->store) {
		/* the outcome for --status, failed runs included (best effort:
		 * a successful run's summary is also in the index) */
		sou_buf run = SOU_BUF_INIT;
		sou_ix_run_summary(ix, st ? e.msg : NULL, &run);
		sou_store_record_run(ix->store, run.data, run.len, NULL);
		sou_buf_free(&run);
	}
	/* the final counts, for a display's last line */
	sou_ix_emit(ix, SOU_IX_PROGRESS, NULL, NULL);
	if (stats)
		*stats = ix->st;
	if (st) {
		if (err)
			*err = e;
		return st;
	}
	if (was_interrupted)
		return sou_error_set(err, SOU_ERR_INTERRUPTED, keep_old
			? "interrupted: the rebuild was not finished, so the old index is kept; run --rebuild again"
			: "interrupted: finished posts are committed; run again to continue");
	return SOU_OK;
}
