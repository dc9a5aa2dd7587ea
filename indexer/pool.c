/*
 * pool.c - full builds in parallel (see internal.h).  The first run, or
 * --rebuild, feeds the files through a bounded queue (SOU_IX_QUEUE_CAP)
 * to one worker thread per job, each with its own term generator and its
 * own shard database (store.h: gen-N.shard-K); at the end the shards are
 * merged by Xapian's compaction into the new generation, which
 * publish.c then makes current.
 *
 * Records (records.h): the first SOU_RECORDS_SAMPLES files walked are
 * held back (ix->pre) until the calling thread has trained the record
 * dictionary on them and given it to every shard; then they are queued
 * like the rest, so every record of the build is compressed with it.
 *
 * Invariants: the queue (q, q_head, q_n, q_closed, worker_failed) is only
 * touched under ix->mu; a worker that fails stops taking work and sets
 * worker_failed, which makes the walk's next enqueue fail; workers commit
 * their shard once the queue is closed and empty.
 */
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "records.h"
#include "tune.h"

static void *worker_main(void *arg)
{
	sou_ix_worker *w = arg;
	sou_indexer *ix = w->ix;

	for (;;) {
		sou_ix_item it;

		pthread_mutex_lock(&ix->mu);
		while (!ix->q_n && !ix->q_closed)
			pthread_cond_wait(&ix->not_empty, &ix->mu);
		if (!ix->q_n) {
			pthread_mutex_unlock(&ix->mu);
			break;
		}
		it = ix->q[ix->q_head];
		ix->q_head = (ix->q_head + 1) % SOU_IX_QUEUE_CAP;
		ix->q_n--;
		pthread_cond_signal(&ix->not_full);
		pthread_mutex_unlock(&ix->mu);
		if (!w->status && !sou_ix_interrupted(ix))
			w->status = sou_ix_file_work(w, it.root, it.path, it.key, &it.sb, NULL,
						     &w->err);
		free(it.path);
		if (w->status) {
			pthread_mutex_lock(&ix->mu);
			/* the first to fail is named (its err no longer changes) */
			if (!ix->worker_failed)
				ix->worker_failed = (int)(w - ix->workers) + 1;
			pthread_cond_broadcast(&ix->not_full);
			pthread_mutex_unlock(&ix->mu);
		}
	}
	if (!w->status)
		w->status = sou_xdb_commit(w->db, &w->err);
	return NULL;
}

/* Creates the shards and starts one worker per job. */
sou_status sou_ix_pool_start(sou_indexer *ix, sou_error *err)
{
	sou_buf path = SOU_BUF_INIT;
	sou_status st = SOU_OK;
	unsigned k;

	ix->workers = sou_xcalloc(ix->o.jobs, sizeof(sou_ix_worker));
	for (k = 0; k < ix->o.jobs && !st; k++) {
		sou_ix_worker *w = &ix->workers[k];
		sou_store_shard_path(ix->store, k, &path);
		st = sou_ix_worker_init(w, ix, NULL, err);
		ix->nworkers++; /* cleared by sou_ix_pool_destroy, even half made */
		if (st)
			break;
		if ((st = sou_xdb_open(path.data, SOU_XDB_SHARD, &w->db, err)))
			break;
		/* shard_flush_mb is shared by all shards */
		sou_xdb_set_flush_budget(w->db, (size_t)sou_tune("shard_flush_mb", SOU_TUNE_SHARD_FLUSH_MB) *
					 1048576 / ix->o.jobs);
		if (pthread_create(&w->thread, NULL, worker_main, w)) {
			st = sou_error_set(err, SOU_ERR_INTERNAL, "cannot start a worker thread");
			break;
		}
		w->started = 1;
	}
	sou_buf_free(&path);
	return st;
}

void sou_ix_pool_stop(sou_indexer *ix)
{
	unsigned k;

	pthread_mutex_lock(&ix->mu);
	ix->q_closed = 1;
	pthread_cond_broadcast(&ix->not_empty);
	pthread_mutex_unlock(&ix->mu);
	for (k = 0; k < ix->nworkers; k++)
		if (ix->workers[k].started) {
			pthread_join(ix->workers[k].thread, NULL);
			ix->workers[k].started = 0;
		}
}

void sou_ix_pool_destroy(sou_indexer *ix)
{
	unsigned k;

	sou_ix_pool_stop(ix);
	for (k = 0; k < ix->nworkers; k++) {
		sou_xdb_destroy(ix->workers[k].db);
		sou_ix_worker_clear(&ix->workers[k]);
	}
	free(ix->workers);
	ix->workers = NULL;
	ix->nworkers = 0;
	while (ix->q_n) {
		free(ix->q[ix->q_head].path);
		ix->q_head = (ix->q_head + 1) % SOU_IX_QUEUE_CAP;
		ix->q_n--;
	}
	while (ix->npre)
		free(ix->pre[--ix->npre].path);
	free(ix->pre);
	ix->pre = NULL;
}

/* Queues item (taking its path) for the workers. */
static sou_status queue_item(sou_indexer *ix, sou_ix_item *item, sou_error *err)
{
	sou_status st = SOU_OK;

	if (!ix->workers && (st = sou_ix_pool_start(ix, err))) {
		free(item->path);
		return st;
	}
	pthread_mutex_lock(&ix->mu);
	while (ix->q_n == SOU_IX_QUEUE_CAP && !ix->worker_failed)
		pthread_cond_wait(&ix->not_full, &ix->mu);
	if (ix->worker_failed) {
		sou_ix_worker *w = &ix->workers[ix->worker_failed - 1];
		st = sou_error_set(err, w->status, "a worker failed: %s", w->err.msg);
		free(item->path);
	} else {
		ix->q[(ix->q_head + ix->q_n) % SOU_IX_QUEUE_CAP] = *item;
		ix->q_n++;
		pthread_cond_signal(&ix->not_empty);
	}
	pthread_mutex_unlock(&ix->mu);
	return st;
}

/*
 * Trains the record dictionary on the held files' records (built as the
 * workers will build them), gives it to every shard, then queues the
 * held files.  Fewer than SOU_RECORDS_MIN_SAMPLES posts: plain records.
 */
static sou_status release_held(sou_indexer *ix, sou_error *err)
{
	sou_ix_worker *mw = &ix->main_w;
	sou_buf samples = SOU_BUF_INIT, rec = SOU_BUF_INIT, dict = SOU_BUF_INIT;
	size_t *sizes = sou_xcalloc(ix->npre + 1, sizeof(*sizes)), n = 0, i;
	sou_status st = SOU_OK;
	unsigned k;

	ix->dict_done = 1;
	/* (not after a signal: the workers will skip the held files) */
	for (i = 0; i < ix->npre && !sou_ix_interrupted(ix); i++) {
		sou_ix_item *it = &ix->pre[i];
		sou_xdoc *doc = NULL;
		struct stat sb;
		sou_error e;
		int changing;
		/* a big post is no typical record, and parsing it here as well
		 * as in its worker would hold it twice at once */
		if ((unsigned long long)it->sb.st_size > SOU_IX_BIG_POST)
			continue;
		/* a file that fails here fails again, reported, in its worker */
		if (sou_ix_read_file(mw, it->path, &sb, &changing, &e) ||
		    sou_postdoc_parse(mw->pd, it->path, mw->file.data ? mw->file.data : "",
				      mw->file.len, ix->o.tz_min, &e) ||
		    sou_postdoc_build(mw->pd, mw->tg, it->key, &doc, &e)) {
			sou_xdoc_destroy(doc);
			continue;
		}
		sou_xdoc_get_data(doc, &rec);
		sou_xdoc_destroy(doc);
		sou_buf_add(&samples, rec.data ? rec.data : "", rec.len);
		sizes[n++] = rec.len;
	}
	if (mw->file.cap > SOU_IX_BIG_POST)
		sou_buf_free(&mw->file);
	if (sou_tune("record_dict", 1))
		sou_records_train(samples.data, sizes, n, &dict);
	if (dict.len) {
		if (!ix->workers)
			st = sou_ix_pool_start(ix, err);
		for (k = 0; !st && k < ix->nworkers; k++)
			st = sou_xdb_add_dict(ix->workers[k].db, dict.data, dict.len, err);
	}
	for (i = 0; i < ix->npre; i++)
		if (st)
			free(ix->pre[i].path);
		else
			st = queue_item(ix, &ix->pre[i], err);
	free(ix->pre);
	ix->pre = NULL;
	ix->npre = 0;
	free(sizes);
	sou_buf_free(&samples);
	sou_buf_free(&rec);
	sou_buf_free(&dict);
	return st;
}

sou_status sou_ix_pool_enqueue(sou_indexer *ix, const char *path, const char *key,
			       const struct stat *sb, sou_error *err)
{
	sou_ix_item it;
	size_t plen = strlen(path), klen = strlen(key);

	it.path = sou_xmalloc(plen + klen + 2);
	memcpy(it.path, path, plen + 1);
	memcpy(it.path + plen + 1, key, klen + 1);
	it.key = it.path + plen + 1;
	it.root = ix->cur->real;
	it.sb = *sb;
	if (ix->dict_done)
		return queue_item(ix, &it, err);
	if (!ix->pre)
		ix->pre = sou_xcalloc(SOU_RECORDS_SAMPLES, sizeof(*ix->pre));
	ix->pre[ix->npre++] = it;
	return ix->npre == SOU_RECORDS_SAMPLES ? release_held(ix, err) : SOU_OK;
}

sou_status sou_ix_pool_merge(sou_indexer *ix, sou_error *err)
{
	sou_buf *paths;
	const char **srcs;
	sou_status st = SOU_OK;
	unsigned k;

	if (ix->npre)
		st = release_held(ix, err); /* fewer files than the samples wanted */
	sou_ix_pool_stop(ix);
	for (k = 0; k < ix->nworkers; k++) {
		sou_ix_worker *w = &ix->workers[k];
		sou_ix_add_stats(&ix->st, &w->st);
		if (w->status && !st) {
			st = w->status;
			if (err)
				*err = w->err;
		}
		sou_xdb_destroy(w->db);
		w->db = NULL;
	}
	if (st)
		return st;
	/* every file is done; the compaction gives no events for seconds */
	sou_ix_enter_phase(ix, SOU_IX_PHASE_MERGE);
	paths = sou_xcalloc(ix->nworkers + 1, sizeof(*paths));
	srcs = sou_xcalloc(ix->nworkers + 1, sizeof(*srcs));
	for (k = 0; k < ix->nworkers; k++) {
		sou_store_shard_path(ix->store, k, &paths[k]);
		srcs[k] = paths[k].data;
	}
	if (!ix->nworkers) {
		/* nothing was queued: an empty index */
		sou_xdb *empty = NULL;
		st = sou_xdb_open(sou_store_gen_path(ix->store), SOU_XDB_CREATE, &empty, err);
		if (!st)
			st = sou_xdb_commit(empty, err);
		sou_xdb_destroy(empty);
	} else {
		st = sou_xdb_compact(srcs, ix->nworkers, sou_store_gen_path(ix->store), err);
	}
	for (k = 0; k < ix->nworkers; k++)
		sou_buf_free(&paths[k]);
	free(paths);
	free(srcs);
	if (!st)
		st = sou_store_open_db(ix->store, &ix->db, err);
	if (!st) {
		sou_buf cfg = SOU_BUF_INIT;
		sou_ix_config_string(&ix->o, &cfg);
		st = sou_xdb_set_metadata(ix->db, SOU_META_CONFIG, cfg.data, cfg.len, err);
		sou_buf_free(&cfg);
	}
	return st;
}
