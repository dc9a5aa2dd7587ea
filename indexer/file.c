/*
 * file.c - the indexer's work on one file (see internal.h): read it,
 * hash it, turn it into a document with postdoc.h if its bytes changed,
 * and remember what was done (state.h).  Runs in the calling thread for
 * incremental runs and in the workers for full builds, so it touches
 * only its worker and the indexer's event and byte counters (under ev_mu).
 *
 * Per file: the walk compared the lstat with the remembered record; here
 * the file is read and hashed (xxh3); identical bytes (a touched file)
 * only update the record; otherwise the post is parsed and indexed.  The
 * document and its record are written in the same batch, so a commit is
 * always self-consistent.
 */
#include <errno.h>
#include <fcntl.h>
#ifdef __GLIBC__
#include <malloc.h>
#endif
#include <string.h>
#include <unistd.h>
#include <xxhash.h>

#include "internal.h"
#include "tune.h"

static int64_t ns_of(const struct timespec *t)
{
	return (int64_t)t->tv_sec * 1000000000 + t->tv_nsec;
}

static int same_file(const struct stat *a, const struct stat *b)
{
	return a->st_size == b->st_size && ns_of(&a->st_mtim) == ns_of(&b->st_mtim) &&
	       ns_of(&a->st_ctim) == ns_of(&b->st_ctim);
}

int sou_ix_file_unchanged(const struct stat *a, const sou_file_state *r)
{
	return (uint64_t)a->st_size == r->size && ns_of(&a->st_mtim) == r->mtime_ns &&
	       ns_of(&a->st_ctim) == r->ctime_ns;
}

/*
 * Reads a whole file into w->file (see internal.h), refusing files over
 * the limit without reading them.  If the file changes while being read (size or times
 * differ before and after), tries again, then gives up with SOU_ERR_IO
 * and *changing set, so the file is not remembered and is retried on the
 * next run.  *sb receives the stat of the bytes read.
 */
sou_status sou_ix_read_file(sou_ix_worker *w, const char *path, struct stat *sb,
			    int *changing, sou_error *err)
{
	sou_indexer *ix = w->ix;
	int attempt;

	*changing = 0;
	for (attempt = 0; attempt < 3; attempt++) {
		/* O_NONBLOCK: a FIFO or device swapped in after the walk must not
		 * block the run (it is refused below); no effect on files */
		int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
		struct stat after;
		ssize_t r;

		sou_buf_reset(&w->file);
		if (fd < 0)
			return sou_error_set(err, SOU_ERR_IO, "%s: %s", path, strerror(errno));
		if (fstat(fd, sb) < 0 || !S_ISREG(sb->st_mode)) {
			close(fd);
			return sou_error_set(err, SOU_ERR_IO, "%s: not a regular file", path);
		}
		if ((unsigned long long)sb->st_size > ix->o.max_file_bytes) {
			close(fd);
			return sou_error_set(err, SOU_ERR_TOOBIG,
					     "%s: %llu bytes is over the %zu" SOU_IX_TOOBIG_TEXT
					     " (--max-post-bytes)",
					     path, (unsigned long long)sb->st_size,
					     ix->o.max_file_bytes);
		}
		sou_buf_grow(&w->file, (size_t)sb->st_size + 1);
		for (;;) {
			size_t room = w->file.cap - w->file.len - 1;
			if (room == 0) {
				if (w->file.len > ix->o.max_file_bytes)
					break; /* grew past the limit: caught below */
				sou_buf_grow(&w->file, 65536);
				continue;
			}
			r = read(fd, w->file.data + w->file.len, room);
			if (r < 0 && errno == EINTR)
				continue;
			if (r < 0) {
				sou_error_set(err, SOU_ERR_IO, "%s: %s", path, strerror(errno));
				close(fd);
				return SOU_ERR_IO;
			}
			if (r == 0)
				break;
			w->file.len += (size_t)r;
		}
		w->file.data[w->file.len] = '\0';
		if (fstat(fd, &after) < 0)
			after = *sb;
		close(fd);
		if (same_file(sb, &after) && (off_t)w->file.len == sb->st_size)
			return SOU_OK;
		usleep(20000); /* being written: give the writer a moment */
	}
	*changing = 1;
	return sou_error_set(err, SOU_ERR_IO, "%s: changed while being read; will retry next run",
			     path);
}

/*
 * Commits every --batch changes, and also once the documents since the
 * last commit were handed SOU_IX_FLUSH_ADDS terms and postings (shared
 * by a full build's workers): Xapian keeps every uncommitted posting in
 * memory, and 250 posts of a few hundred kilobytes of varied text each
 * would hold gigabytes.  Called after the record is written, so a commit
 * always holds documents and their records together.
 */
sou_status sou_ix_count_change(sou_ix_worker *w, sou_error *err)
{
	sou_indexer *ix = w->ix;
	unsigned long adds_budget = (unsigned long)sou_tune("flush_adds", SOU_IX_FLUSH_ADDS);
	sou_status st;

	if (ix->o.dry_run)
		return SOU_OK;
	if (w != &ix->main_w && ix->nworkers > 1)
		adds_budget /= ix->nworkers;
	if (++w->pending < ix->o.batch && w->pending_adds < adds_budget)
		return SOU_OK;
	if (w != &ix->main_w && sou_tune("shard_flush_mb", SOU_TUNE_SHARD_FLUSH_MB) > 0 &&
	    w->pending_adds < adds_budget)
		return SOU_OK; /* a shard flushes by its memory budget (pool.c) */
	if ((st = sou_xdb_commit(w->db, err)))
		return st;
	w->pending = 0;
	w->pending_adds = 0;
	return SOU_OK;
}

/*
 * Writes the record of a file into w's database (and, for the calling
 * thread's incremental work, into the in-memory state).  No-op in a dry run.
 */
static sou_status remember(sou_ix_worker *w, const char *root, const char *relpath,
			   const struct stat *sb, uint64_t hash, char status, const char *msg,
			   sou_error *err)
{
	sou_indexer *ix = w->ix;
	sou_file_state r;

	if (ix->o.dry_run)
		return SOU_OK;
	memset(&r, 0, sizeof(r));
	r.status = status;
	r.size = (uint64_t)sb->st_size;
	r.mtime_ns = ns_of(&sb->st_mtim);
	r.ctime_ns = ns_of(&sb->st_ctim);
	r.hash = hash;
	r.root = (char *)root;
	r.relpath = (char *)relpath;
	r.message = (char *)msg;
	r.seen = 1;
	if (w != &ix->main_w)
		return sou_state_write(w->db, &r, err); /* a shard keeps no table */
	return sou_state_put(ix->state, w->db, &r, err);
}

/*
 * Indexes the bytes in w->file as the post relpath.  Returns an error
 * only when the index fails; a bad post sets *status ('f' or 's') and
 * *msg (pointing into perr) instead.
 */
static sou_status index_post(sou_ix_worker *w, const char *path, const char *relpath,
			     char *status, const char **msg, sou_error *perr,
			     sou_error *err)
{
	sou_xdoc *doc = NULL;
	sou_status st;

	*status = 'o';
	*msg = NULL;
	st = sou_postdoc_parse(w->pd, path, w->file.data, w->file.len, w->ix->o.tz_min, perr);
	if (st == SOU_ERR_INTERRUPTED) {
		*status = 'i';
		return SOU_OK;
	}
	if (st) {
		*status = st == SOU_ERR_NOFRONTMATTER ? 's' : 'f';
		*msg = perr->msg;
		return SOU_OK;
	}
	st = sou_postdoc_build(w->pd, w->tg, relpath, &doc, perr);
	if (st == SOU_ERR_INTERRUPTED) {
		sou_xdoc_destroy(doc);
		*status = 'i';
		return SOU_OK;
	}
	if (!st && sou_cancelled(w->ix->o.interrupted)) {
		/* stopped while it was built: writing a big post would delay
		 * the stop, and the next run does it anyway */
		sou_xdoc_destroy(doc);
		*status = 'i';
		return SOU_OK;
	}
	if (st)
		*err = *perr;
	if (!st)
		st = sou_xdb_replace(w->db, sou_postdoc_idterm(w->pd), doc, err);
	if (doc)
		w->st.dropped_terms += sou_xdoc_dropped(doc) + sou_termgen_doc_dropped(w->tg);
	w->pending_adds += sou_termgen_doc_adds(w->tg);
	sou_xdoc_destroy(doc);
	return st;
}

/*
 * Posts over SOU_IX_BIG_POST bytes are worked on one at a time in the
 * whole process (every worker, every shard), so that the memory a run
 * needs is that of one big post plus one ordinary post per worker,
 * whatever --jobs is (README "Bad input").
 */
static pthread_mutex_t big_post = PTHREAD_MUTEX_INITIALIZER;

sou_status sou_ix_file_delete(sou_ix_worker *w, const char *relpath, sou_error *err)
{
	sou_termgen_idterm(relpath, &w->idterm);
	return sou_xdb_delete(w->db, w->idterm.data, err);
}

static sou_status work(sou_ix_worker *w, const char *root, const char *path,
		       const char *relpath, const struct stat *lsb,
		       const sou_file_state *rec, sou_error *err);

sou_status sou_ix_file_work(sou_ix_worker *w, const char *root, const char *path,
			    const char *relpath, const struct stat *lsb,
			    const sou_file_state *rec, sou_error *err)
{
	int big;
	sou_status st;

	big = (unsigned long long)lsb->st_size > SOU_IX_BIG_POST;
	if (big)
		pthread_mutex_lock(&big_post);
	st = work(w, root, path, relpath, lsb, rec, err);
	sou_ix_count_finished(w->ix);
	if (w->file.cap > SOU_IX_BIG_POST)
		sou_buf_free(&w->file); /* not kept for the rest of the run */
	if (big) {
#ifdef __GLIBC__
		/* each thread allocates from its own malloc arena, which keeps
		 * what a big post freed: without this, every worker that once
		 * had a big post would hold that post's peak for the rest of
		 * the run, and one at a time would not bound anything */
		malloc_trim(0);
#endif
		pthread_mutex_unlock(&big_post);
	}
	return st;
}

static sou_status work(sou_ix_worker *w, const char *root, const char *path,
		       const char *relpath, const struct stat *lsb,
		       const sou_file_state *rec, sou_error *err)
{
	sou_indexer *ix = w->ix;
	char was = rec ? rec->status : 0, status;
	const char *msg;
	struct stat sb;
	sou_error perr;
	uint64_t hash;
	int changing;
	sou_status st;

	st = sou_ix_read_file(w, path, &sb, &changing, &perr);
	if (!st) {
		w->st.bytes += w->file.len;
		pthread_mutex_lock(&ix->ev_mu);
		ix->bytes += w->file.len;
		pthread_mutex_unlock(&ix->ev_mu);
	} else {
		w->st.failed++;
		sou_ix_emit(ix, SOU_IX_FAILED, path, perr.msg);
		if (changing || ix->o.dry_run)
			return SOU_OK;
		if (was == 'o' && (st = sou_ix_file_delete(w, relpath, err)))
			return st;
		if ((st = remember(w, root, relpath, lsb, 0, 'f', perr.msg, err)))
			return st;
		return sou_ix_count_change(w, err);
	}
	hash = XXH3_64bits(w->file.data, w->file.len);
	if (rec && !ix->stale && rec->hash == hash && was != 'f') {
		/* touched but identical: only the record changes */
		w->st.unchanged++;
		if ((st = remember(w, root, relpath, &sb, hash, was, rec->message, err)))
			return st;
		return sou_ix_count_change(w, err);
	}
	if (ix->o.dry_run) {
		if (was == 'o')
			w->st.updated++;
		else
			w->st.added++;
		sou_ix_emit(ix, was == 'o' ? SOU_IX_UPDATED : SOU_IX_ADDED, path, NULL);
		return SOU_OK;
	}
	if ((st = index_post(w, path, relpath, &status, &msg, &perr, err)))
		return st;
	if (status == 'i') {
		/* stopped by a signal mid-post: neither indexed nor remembered,
		 * so the next run does it (its old document, if any, stays) */
		return SOU_OK;
	}
	if (status != 'o') {
		/* no longer (or never) a post: a rebuild would not have it */
		if (was == 'o' && (st = sou_ix_file_delete(w, relpath, err)))
			return st;
		if (status == 'f') {
			w->st.failed++;
			sou_ix_emit(ix, SOU_IX_FAILED, path, msg);
		} else {
			w->st.skipped++;
			sou_ix_emit(ix, SOU_IX_SKIPPED, path, msg);
		}
	} else if (was == 'o') {
		w->st.updated++;
		sou_ix_emit(ix, SOU_IX_UPDATED, path, NULL);
	} else {
		w->st.added++;
		sou_ix_emit(ix, SOU_IX_ADDED, path, NULL);
	}
	if ((st = remember(w, root, relpath, &sb, hash, status, msg, err)))
		return st;
	return sou_ix_count_change(w, err);
}
