/*
 * indexer.c - incremental indexing of a posts tree (see indexer.h).
 *
 * Per file: stat; compare with the remembered record; if the size, mtime
 * or ctime differ, read and hash it; if the bytes differ (or the earlier
 * attempt failed), parse and index it.  One post becomes one Xapian
 * document:
 *   terms     title (boosted, and in the title field), tags and
 *             categories (boosted), description, keywords, body text,
 *             following termgen.h's scheme
 *   filters   Q<relpath>, K<tag>, XC<category>, A<author>, Y/M/D of the date
 *   value     SOU_SLOT_DATE: the date as a sortable number
 *   data      docdata.h's JSON record
 * The document and its state record are written in the same batch, so a
 * commit is always self-consistent.
 *
 * Threads: an incremental run works on the live index in the calling
 * thread.  A full build (the first run, or --rebuild) instead feeds the
 * files through a bounded queue to one worker thread per core, each with
 * its own segmenter and its own shard database; at the end the shards are
 * merged by Xapian's compaction into the new generation, which is then
 * published atomically (store.h).
 */
#include "indexer.h"

#include <dirent.h>
#include <pthread.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <xxhash.h>

#include "buf.h"
#include "docdata.h"
#include "frontmatter.h"
#include "state.h"
#include "store.h"
#include "termgen.h"
#include "text.h"
#include "tune.h"
#include "xwrap.h"

/* wdf increments: how much a word in each place counts */
#define WDF_TITLE 3
#define WDF_TAG 2
#define WDF_BODY 1

/* A NUL byte in the first this many bytes marks a binary file (as git). */
#define BINARY_SNIFF 8000

/* Files waiting for a worker; bounded so memory does not grow with the tree. */
#define QUEUE_CAP 256

typedef struct work_item {
	char *path;           /* owned */
	size_t rel_off;       /* relpath = path + rel_off */
	const char *root;     /* canonical root (in ix->roots, lives as long as ix) */
	struct stat sb;       /* lstat at walk time */
} work_item;

typedef struct worker {
	sou_indexer *ix;
	sou_xdb *db;          /* the live index, or this worker's shard */
	sou_termgen *tg;
	sou_buf file, clean, text, data, idterm;
	unsigned long pending;    /* changes since the last commit */
	sou_index_stats st;       /* this worker's counts */
	sou_status status;        /* first index failure, for threads */
	sou_error err;
	pthread_t thread;
	int started;
} worker;

struct sou_indexer {
	sou_indexer_opts o;
	sou_store *store;       /* NULL in a dry run */
	sou_xdb *db;            /* live index (incremental), or reader in a dry run */
	sou_state *state;
	int stale;              /* index format/zone changed: redo every post */
	int stopped;            /* interrupted or failed: no deletion pass */
	int parallel;           /* a full build through worker shards */
	sou_strlist roots;      /* canonical roots walked in this run */
	const char *root;       /* the one being walked (a string of roots) */
	sou_index_stats st;     /* counts of the calling thread */
	double t0;
	worker main_w;          /* incremental work, in the calling thread */
	worker *workers;
	unsigned nworkers;
	/* the queue */
	pthread_mutex_t mu;
	pthread_cond_t not_empty, not_full;
	work_item q[QUEUE_CAP];
	size_t q_head, q_n;
	int q_closed;
	int worker_failed;
	/* progress, shared by all threads (under ev_mu) */
	pthread_mutex_t ev_mu;
	unsigned long looked, changed;
	unsigned long long bytes;
};

static double now_s(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static void config_string(const sou_indexer_opts *o, sou_buf *out)
{
	sou_buf_reset(out);
	sou_buf_addf(out, "%s tz=%d", SOU_SCHEMA_FORMAT, o->tz_min);
}

static int interrupted(const sou_indexer *ix)
{
	return ix->o.interrupted && *ix->o.interrupted;
}

/* Events come from any thread; the callback sees them one at a time. */
static void event(sou_indexer *ix, sou_ix_event_kind k, const char *path,
		  const char *msg)
{
	sou_ix_event ev;

	pthread_mutex_lock(&ix->ev_mu);
	if (k != SOU_IX_PROGRESS && k != SOU_IX_SKIPPED && k != SOU_IX_NOTICE)
		ix->changed++;
	if (ix->o.on_event) {
		ev.kind = k;
		ev.path = path;
		ev.message = msg;
		ev.done = ix->looked;
		ev.changed = ix->changed;
		ev.bytes = ix->bytes;
		ix->o.on_event(ix->o.ctx, &ev);
	}
	pthread_mutex_unlock(&ix->ev_mu);
}

static sou_status worker_init(worker *w, sou_indexer *ix, sou_xdb *db, sou_error *err)
{
	sou_status st;

	memset(w, 0, sizeof(*w));
	w->ix = ix;
	w->db = db;
	if ((st = sou_termgen_create(&w->tg, err)))
		return st;
	return sou_termgen_configure(w->tg, ix->o.dicts, ix->o.synonyms, err);
}

static void worker_clear(worker *w)
{
	sou_termgen_destroy(w->tg);
	sou_buf_free(&w->file);
	sou_buf_free(&w->clean);
	sou_buf_free(&w->text);
	sou_buf_free(&w->data);
	sou_buf_free(&w->idterm);
	w->tg = NULL;
}

static void add_stats(sou_index_stats *to, const sou_index_stats *from)
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
		event(ix, SOU_IX_NOTICE, ix->o.db_path, msg);
	}
	sou_buf_free(&have);
	return st;
}

sou_status sou_indexer_create(const sou_indexer_opts *opts, sou_indexer **out,
			      sou_error *err)
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
	ix->t0 = now_s();
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
		st = worker_init(&ix->main_w, ix, ix->db, err);
	if (!st)
		st = sou_state_load(ix->parallel ? NULL : ix->db, &ix->state, err);
	if (!st && ix->db) {
		config_string(opts, &cfg);
		st = sou_xdb_get_metadata(ix->db, "sou:config", &have, err);
		if (!st && (have.len != cfg.len || memcmp(have.data, cfg.data, cfg.len))) {
			ix->stale = have.len > 0;
			if (!opts->dry_run)
				st = sou_xdb_set_metadata(ix->db, "sou:config", cfg.data, cfg.len, err);
		}
	}
	sou_buf_free(&cfg);
	sou_buf_free(&have);
	if (st) {
		sou_indexer_destroy(ix);
		return st;
	}
	*out = ix;
	return SOU_OK;
}

static void stop_workers(sou_indexer *ix);

void sou_indexer_destroy(sou_indexer *ix)
{
	unsigned k;

	if (!ix)
		return;
	stop_workers(ix);
	for (k = 0; k < ix->nworkers; k++) {
		sou_xdb_destroy(ix->workers[k].db);
		worker_clear(&ix->workers[k]);
	}
	free(ix->workers);
	sou_xdb_destroy(ix->db);
	sou_store_destroy(ix->store); /* after the databases are closed */
	worker_clear(&ix->main_w);
	sou_state_destroy(ix->state);
	sou_strlist_free(&ix->roots);
	while (ix->q_n) {
		free(ix->q[ix->q_head].path);
		ix->q_head = (ix->q_head + 1) % QUEUE_CAP;
		ix->q_n--;
	}
	pthread_mutex_destroy(&ix->mu);
	pthread_mutex_destroy(&ix->ev_mu);
	pthread_cond_destroy(&ix->not_empty);
	pthread_cond_destroy(&ix->not_full);
	free(ix);
}

static int64_t ns_of(const struct timespec *t)
{
	return (int64_t)t->tv_sec * 1000000000 + t->tv_nsec;
}

static int same_file(const struct stat *a, const struct stat *b)
{
	return a->st_size == b->st_size && ns_of(&a->st_mtim) == ns_of(&b->st_mtim) &&
	       ns_of(&a->st_ctim) == ns_of(&b->st_ctim);
}

static int same_as_record(const struct stat *a, const sou_file_state *r)
{
	return (uint64_t)a->st_size == r->size && ns_of(&a->st_mtim) == r->mtime_ns &&
	       ns_of(&a->st_ctim) == r->ctime_ns;
}

/*
 * Reads a whole file into w->file, refusing files over the limit without
 * reading them.  If the file changes while being read (size or times
 * differ before and after), tries again, then gives up with SOU_ERR_IO
 * and *changing set, so the file is not remembered and is retried on the
 * next run.  *sb receives the stat of the bytes read.
 */
static sou_status read_file(worker *w, const char *path, struct stat *sb,
			    int *changing, sou_error *err)
{
	sou_indexer *ix = w->ix;
	int attempt;

	*changing = 0;
	for (attempt = 0; attempt < 3; attempt++) {
		int fd = open(path, O_RDONLY | O_CLOEXEC);
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
					     "%s: %llu bytes is over the %zu-byte limit for one post",
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
		if (same_file(sb, &after) && (off_t)w->file.len == sb->st_size) {
			w->st.bytes += w->file.len;
			pthread_mutex_lock(&ix->ev_mu);
			ix->bytes += w->file.len;
			pthread_mutex_unlock(&ix->ev_mu);
			return SOU_OK;
		}
		usleep(20000); /* being written: give the writer a moment */
	}
	*changing = 1;
	return sou_error_set(err, SOU_ERR_IO, "%s: changed while being read; will retry next run",
			     path);
}

static sou_status index_list(worker *w, const sou_strlist *l, const char *prefix,
			     sou_error *err)
{
	size_t i;
	sou_status st;

	for (i = 0; i < l->n; i++) {
		size_t n = strlen(l->v[i]);
		if ((st = sou_termgen_index(w->tg, SOU_FIELD_BODY, l->v[i], n, WDF_TAG, err)) ||
		    (st = sou_termgen_add_filter(w->tg, prefix, l->v[i], n, err)))
			return st;
	}
	return SOU_OK;
}

static sou_status build_doc(worker *w, const sou_post *p, const char *relpath,
			    sou_xdoc *doc, sou_error *err)
{
	sou_termgen *tg = w->tg;
	sou_status st;
	size_t i;

	sou_termgen_begin(tg, doc);
	if (p->title) {
		size_t n = strlen(p->title);
		if ((st = sou_termgen_index(tg, SOU_FIELD_TITLE, p->title, n, 1, err)) ||
		    (st = sou_termgen_index(tg, SOU_FIELD_BODY, p->title, n, WDF_TITLE, err)))
			return st;
	}
	if ((st = index_list(w, &p->tags, "K", err)) ||
	    (st = index_list(w, &p->categories, "XC", err)))
		return st;
	if (p->description &&
	    (st = sou_termgen_index(tg, SOU_FIELD_BODY, p->description,
				    strlen(p->description), WDF_BODY, err)))
		return st;
	for (i = 0; i < p->keywords.n; i++)
		if ((st = sou_termgen_index(tg, SOU_FIELD_BODY, p->keywords.v[i],
					    strlen(p->keywords.v[i]), WDF_BODY, err)))
			return st;
	if ((st = sou_termgen_index(tg, SOU_FIELD_BODY, w->text.data, w->text.len,
				    WDF_BODY, err)))
		return st;
	if (p->author && (st = sou_termgen_add_filter(tg, "A", p->author,
						      strlen(p->author), err)))
		return st;
	{
		/* facet values: the tags and categories as written */
		sou_buf v = SOU_BUF_INIT;
		for (i = 0; i < p->tags.n; i++) {
			if (i)
				sou_buf_addc(&v, SOU_FACET_SEP);
			sou_buf_adds(&v, p->tags.v[i]);
		}
		if (v.len)
			sou_xdoc_set_value(doc, SOU_SLOT_TAGS, v.data, v.len);
		sou_buf_reset(&v);
		for (i = 0; i < p->categories.n; i++) {
			if (i)
				sou_buf_addc(&v, SOU_FACET_SEP);
			sou_buf_adds(&v, p->categories.v[i]);
		}
		if (v.len)
			sou_xdoc_set_value(doc, SOU_SLOT_CATEGORIES, v.data, v.len);
		sou_buf_free(&v);
	}
	if (p->has_date) {
		int y, m, d;
		char t[32];
		sou_date_fields(&p->date, &y, &m, &d);
		snprintf(t, sizeof(t), "%04u-%02u", (unsigned)y % 10000u, (unsigned)m % 100u);
		sou_xdoc_set_value(doc, SOU_SLOT_MONTH, t, strlen(t));
		snprintf(t, sizeof(t), "Y%04d", y);
		sou_xdoc_add_boolean(doc, t, strlen(t));
		snprintf(t, sizeof(t), "M%04d%02d", y, m);
		sou_xdoc_add_boolean(doc, t, strlen(t));
		snprintf(t, sizeof(t), "D%04d%02d%02d", y, m, d);
		sou_xdoc_add_boolean(doc, t, strlen(t));
		sou_xdoc_set_number(doc, SOU_SLOT_DATE, (double)p->date.epoch);
	}
	sou_termgen_idterm(relpath, &w->idterm);
	sou_xdoc_add_boolean(doc, w->idterm.data, w->idterm.len);
	{
		/* the unit streams queries are checked against (docdata.h) */
		sou_docunits u;
		u.seg = sou_termgen_segmenter(tg);
		u.title = sou_termgen_units(tg, SOU_FIELD_TITLE, &u.title_len);
		u.body = sou_termgen_units(tg, SOU_FIELD_BODY, &u.body_len);
		sou_docdata_encode_units(p, relpath, w->text.data, w->text.len, &u, &w->data);
	}
	sou_xdoc_set_data(doc, w->data.data, w->data.len);
	return SOU_OK;
}

static int has_post_ext(const char *name)
{
	const char *dot = strrchr(name, '.');

	return dot && (!strcmp(dot, ".md") || !strcmp(dot, ".markdown") ||
		       !strcmp(dot, ".html"));
}

/* Commits w's database when its batch is full. */
static sou_status count_change(worker *w, sou_error *err)
{
	sou_status st;

	if (w->ix->o.dry_run || ++w->pending < w->ix->o.batch)
		return SOU_OK;
	if (w != &w->ix->main_w && sou_tune("shard_flush_mb", SOU_TUNE_SHARD_FLUSH_MB) > 0)
		return SOU_OK; /* a shard flushes by its memory budget (start_workers) */
	if ((st = sou_xdb_commit(w->db, err)))
		return st;
	w->pending = 0;
	return SOU_OK;
}

/*
 * Writes the record of a file into w's database (and, for the calling
 * thread's incremental work, into the in-memory state).  No-op in a dry run.
 */
static sou_status remember(worker *w, const char *root, const char *relpath,
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
static sou_status index_post(worker *w, const char *path, const char *relpath,
			     char *status, const char **msg, sou_error *perr,
			     sou_error *err)
{
	sou_indexer *ix = w->ix;
	sou_post *post = NULL;
	sou_xdoc *doc;
	const char *data = w->file.data, *dot = strrchr(path, '.'), *nul;
	size_t len = w->file.len;
	sou_status st;

	*status = 'o';
	*msg = NULL;
	nul = memchr(data, '\0', len < BINARY_SNIFF ? len : BINARY_SNIFF);
	if (nul) {
		sou_error_set(perr, SOU_ERR_PARSE, "%s: binary file (NUL byte at offset %zu)",
			      path, (size_t)(nul - data));
		*status = 's';
		*msg = perr->msg;
		return SOU_OK;
	}
	if (!sou_text_utf8_clean(data, len, &w->clean)) {
		data = w->clean.data;
		len = w->clean.len;
	}
	st = sou_frontmatter_parse(path, data, len, ix->o.tz_min, &post, perr);
	if (!st) {
		sou_buf_reset(&w->text);
		st = sou_text_from_body(post->body, post->body_len,
					dot && !strcmp(dot, ".html") ? SOU_BODY_HTML : SOU_BODY_AUTO,
					&w->text, perr);
		if (st)
			sou_error_prefix(perr, path);
	}
	if (st) {
		*status = st == SOU_ERR_NOFRONTMATTER ? 's' : 'f';
		*msg = perr->msg;
		sou_post_destroy(post);
		return SOU_OK;
	}
	doc = sou_xdoc_create();
	st = build_doc(w, post, relpath, doc, err);
	if (!st)
		st = sou_xdb_replace(w->db, w->idterm.data, doc, err);
	w->st.dropped_terms += sou_xdoc_dropped(doc);
	sou_xdoc_destroy(doc);
	sou_post_destroy(post);
	return st;
}

/* Deletes the document of relpath (if any) from w's database. */
static sou_status delete_doc(worker *w, const char *relpath, sou_error *err)
{
	sou_termgen_idterm(relpath, &w->idterm);
	return sou_xdb_delete(w->db, w->idterm.data, err);
}

/*
 * The work on one file under root that may have changed (rec: what was
 * remembered, or NULL): read, hash, and index it unless its bytes are the same.
 * Returns an error only for index failures; every problem with the post
 * itself is an event and a record.
 */
static sou_status do_file(worker *w, const char *root, const char *path, const char *relpath,
			  const struct stat *lsb, const sou_file_state *rec,
			  sou_error *err)
{
	sou_indexer *ix = w->ix;
	char was = rec ? rec->status : 0, status;
	const char *msg;
	struct stat sb;
	sou_error perr;
	uint64_t hash;
	int changing;
	sou_status st;

	st = read_file(w, path, &sb, &changing, &perr);
	if (st) {
		w->st.failed++;
		event(ix, SOU_IX_FAILED, path, perr.msg);
		if (changing || ix->o.dry_run)
			return SOU_OK;
		if (was == 'o' && (st = delete_doc(w, relpath, err)))
			return st;
		if ((st = remember(w, root, relpath, lsb, 0, 'f', perr.msg, err)))
			return st;
		return count_change(w, err);
	}
	hash = XXH3_64bits(w->file.data, w->file.len);
	if (rec && !ix->stale && rec->hash == hash && was != 'f') {
		/* touched but identical: only the record changes */
		w->st.unchanged++;
		if ((st = remember(w, root, relpath, &sb, hash, was, rec->message, err)))
			return st;
		return count_change(w, err);
	}
	if (ix->o.dry_run) {
		if (was == 'o')
			w->st.updated++;
		else
			w->st.added++;
		event(ix, was == 'o' ? SOU_IX_UPDATED : SOU_IX_ADDED, path, NULL);
		return SOU_OK;
	}
	if ((st = index_post(w, path, relpath, &status, &msg, &perr, err)))
		return st;
	if (status != 'o') {
		/* no longer (or never) a post: a rebuild would not have it */
		if (was == 'o' && (st = delete_doc(w, relpath, err)))
			return st;
		if (status == 'f') {
			w->st.failed++;
			event(ix, SOU_IX_FAILED, path, msg);
		} else {
			w->st.skipped++;
			event(ix, SOU_IX_SKIPPED, path, msg);
		}
	} else if (was == 'o') {
		w->st.updated++;
		event(ix, SOU_IX_UPDATED, path, NULL);
	} else {
		w->st.added++;
		event(ix, SOU_IX_ADDED, path, NULL);
	}
	if ((st = remember(w, root, relpath, &sb, hash, status, msg, err)))
		return st;
	return count_change(w, err);
}

/* ---- parallel full builds ------------------------------------------------ */

static void *worker_main(void *arg)
{
	worker *w = arg;
	sou_indexer *ix = w->ix;

	for (;;) {
		work_item it;

		pthread_mutex_lock(&ix->mu);
		while (!ix->q_n && !ix->q_closed)
			pthread_cond_wait(&ix->not_empty, &ix->mu);
		if (!ix->q_n) {
			pthread_mutex_unlock(&ix->mu);
			break;
		}
		it = ix->q[ix->q_head];
		ix->q_head = (ix->q_head + 1) % QUEUE_CAP;
		ix->q_n--;
		pthread_cond_signal(&ix->not_full);
		pthread_mutex_unlock(&ix->mu);
		if (!w->status && !interrupted(ix))
			w->status = do_file(w, it.root, it.path, it.path + it.rel_off, &it.sb,
					    NULL, &w->err);
		free(it.path);
		if (w->status) {
			pthread_mutex_lock(&ix->mu);
			ix->worker_failed = 1;
			pthread_cond_broadcast(&ix->not_full);
			pthread_mutex_unlock(&ix->mu);
		}
	}
	if (!w->status)
		w->status = sou_xdb_commit(w->db, &w->err);
	return NULL;
}

/* Creates the shards and starts one worker per job. */
static sou_status start_workers(sou_indexer *ix, sou_error *err)
{
	sou_buf path = SOU_BUF_INIT;
	sou_status st = SOU_OK;
	unsigned k;

	ix->workers = sou_xcalloc(ix->o.jobs, sizeof(worker));
	for (k = 0; k < ix->o.jobs && !st; k++) {
		worker *w = &ix->workers[k];
		sou_store_shard_path(ix->store, k, &path);
		if ((st = worker_init(w, ix, NULL, err)))
			break;
		ix->nworkers++;
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

/* Closes the queue and waits for the workers (idempotent). */
static void stop_workers(sou_indexer *ix)
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

/* Hands a file to the workers, waiting while the queue is full. */
static sou_status enqueue(sou_indexer *ix, const char *path, size_t rel_off,
			  const struct stat *sb, sou_error *err)
{
	sou_status st = SOU_OK;

	if (!ix->workers && (st = start_workers(ix, err)))
		return st;
	pthread_mutex_lock(&ix->mu);
	while (ix->q_n == QUEUE_CAP && !ix->worker_failed)
		pthread_cond_wait(&ix->not_full, &ix->mu);
	if (ix->worker_failed) {
		st = sou_error_set(err, SOU_ERR_DB, "a worker failed");
	} else {
		work_item *it = &ix->q[(ix->q_head + ix->q_n) % QUEUE_CAP];
		it->path = sou_xstrdup(path);
		it->rel_off = rel_off;
		it->root = ix->root;
		it->sb = *sb;
		ix->q_n++;
		pthread_cond_signal(&ix->not_empty);
	}
	pthread_mutex_unlock(&ix->mu);
	return st;
}

/* ---- the walk ------------------------------------------------------------ */

/*
 * One candidate file, in the calling thread.  A full build hands it to the
 * workers; an incremental run skips it if unchanged, else works on it.
 */
static sou_status process_file(sou_indexer *ix, const char *path, size_t rel_off,
			       const struct stat *lsb, sou_error *err)
{
	const char *relpath = path + rel_off;
	sou_file_state *rec;

	pthread_mutex_lock(&ix->ev_mu);
	ix->looked++;
	pthread_mutex_unlock(&ix->ev_mu);
	if (ix->looked % 256 == 0)
		event(ix, SOU_IX_PROGRESS, path, NULL);
	if (ix->parallel)
		return enqueue(ix, path, rel_off, lsb, err);
	rec = sou_state_find(ix->state, relpath);
	if (rec) {
		rec->seen = 1;
		if (!ix->stale && same_as_record(lsb, rec)) {
			ix->st.unchanged++;
			return SOU_OK;
		}
	}
	return do_file(&ix->main_w, ix->root, path, relpath, lsb, rec, err);
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/*
 * Recursive walk in sorted name order (so document order is reproducible).
 * Symlinked directories are not followed (no loops); symlinked files are.
 * Names starting with '.' are skipped (.git, editor backups).
 */
static sou_status walk(sou_indexer *ix, sou_buf *path, size_t rel_off, int depth,
		       sou_error *err)
{
	DIR *d;
	struct dirent *de;
	sou_strlist names = { NULL, 0 };
	size_t i, base = path->len;
	sou_status st = SOU_OK;
	char msg[PATH_MAX + 128];

	if (depth > 64) {
		snprintf(msg, sizeof(msg), "%s: directory nesting deeper than 64 levels", path->data);
		event(ix, SOU_IX_SKIPPED, path->data, msg);
		return SOU_OK;
	}
	if (!(d = opendir(path->data))) {
		snprintf(msg, sizeof(msg), "%s: cannot open directory: %s", path->data,
			 strerror(errno));
		ix->st.failed++;
		ix->stopped = 1; /* its posts were not seen: do not delete them */
		event(ix, SOU_IX_FAILED, path->data, msg);
		return SOU_OK;
	}
	while ((de = readdir(d)))
		if (de->d_name[0] != '.')
			sou_strlist_push(&names, de->d_name, strlen(de->d_name));
	closedir(d);
	if (names.n > 1) /* qsort(NULL, 0) is undefined */
		qsort(names.v, names.n, sizeof(*names.v), cmp_str);
	for (i = 0; i < names.n && !st; i++) {
		struct stat sb;

		if (interrupted(ix)) {
			st = sou_error_set(err, SOU_ERR_INTERRUPTED, "interrupted");
			break;
		}
		sou_buf_truncate(path, base);
		if (base && path->data[base - 1] != '/')
			sou_buf_addc(path, '/');
		sou_buf_adds(path, names.v[i]);
		if (lstat(path->data, &sb) < 0)
			continue; /* vanished since readdir */
		if (S_ISDIR(sb.st_mode)) {
			st = walk(ix, path, rel_off, depth + 1, err);
			continue;
		}
		if (!has_post_ext(names.v[i]))
			continue;
		if (S_ISLNK(sb.st_mode) && stat(path->data, &sb) < 0) {
			snprintf(msg, sizeof(msg), "%s: broken or looping symlink: %s",
				 path->data, strerror(errno));
			event(ix, SOU_IX_SKIPPED, path->data, msg);
			continue;
		}
		if (S_ISREG(sb.st_mode))
			st = process_file(ix, path->data, rel_off, &sb, err);
	}
	sou_buf_truncate(path, base);
	sou_strlist_free(&names);
	return st;
}

sou_status sou_indexer_add_path(sou_indexer *ix, const char *root, sou_error *err)
{
	struct stat sb;
	sou_buf path = SOU_BUF_INIT;
	char *canon;
	sou_status st;
	size_t n = strlen(root);

	if (stat(root, &sb) < 0 || !(canon = realpath(root, NULL))) {
		ix->stopped = 1; /* a rebuild must not switch to a partial index */
		return sou_error_set(err, SOU_ERR_IO, "%s: %s", root, strerror(errno));
	}
	{
		/* a root given twice is walked once */
		size_t k;
		for (k = 0; k < ix->roots.n; k++)
			if (!strcmp(ix->roots.v[k], canon)) {
				free(canon);
				return SOU_OK;
			}
		sou_strlist_push(&ix->roots, canon, strlen(canon));
		ix->root = ix->roots.v[ix->roots.n - 1];
	}
	free(canon);
	if (!S_ISDIR(sb.st_mode)) {
		const char *slash = strrchr(root, '/');
		if (lstat(root, &sb) < 0) {
			ix->stopped = 1;
			return sou_error_set(err, SOU_ERR_IO, "%s: %s", root, strerror(errno));
		}
		st = process_file(ix, root, slash ? (size_t)(slash + 1 - root) : 0, &sb, err);
	} else {
		while (n > 1 && root[n - 1] == '/')
			n--;
		sou_buf_add(&path, root, n);
		st = walk(ix, &path, n + (root[n - 1] == '/' ? 0 : 1), 0, err);
		sou_buf_free(&path);
	}
	if (st)
		ix->stopped = 1;
	return st;
}

typedef struct sweep_ctx {
	sou_indexer *ix;
	sou_strlist gone;     /* relpaths whose files vanished */
	sou_strlist had_doc;  /* "1" if that one had a document */
} sweep_ctx;

static void find_gone(void *ctx, sou_file_state *r)
{
	sweep_ctx *c = ctx;
	size_t i;

	if (r->seen)
		return;
	for (i = 0; i < c->ix->roots.n; i++)
		if (!strcmp(r->root, c->ix->roots.v[i])) {
			sou_strlist_push(&c->gone, r->relpath, strlen(r->relpath));
			sou_strlist_push(&c->had_doc, r->status == 'o' ? "1" : "0", 1);
			return;
		}
}

/* Deletes posts of this run's roots whose files were not seen. */
static sou_status sweep(sou_indexer *ix, sou_error *err)
{
	sweep_ctx c = { ix, { NULL, 0 }, { NULL, 0 } };
	worker *w = &ix->main_w;
	sou_status st = SOU_OK;
	size_t i;

	sou_state_each(ix->state, find_gone, &c);
	for (i = 0; i < c.gone.n && !st; i++) {
		int doc = c.had_doc.v[i][0] == '1';
		if (doc) {
			ix->st.deleted++;
			event(ix, SOU_IX_DELETED, c.gone.v[i], NULL);
		}
		if (ix->o.dry_run)
			continue;
		if (doc && (st = delete_doc(w, c.gone.v[i], err)))
			break;
		if (!(st = sou_state_remove(ix->state, ix->db, c.gone.v[i], err)))
			st = count_change(w, err);
	}
	sou_strlist_free(&c.gone);
	sou_strlist_free(&c.had_doc);
	return st;
}

/*
 * End of a full build: wait for the workers, merge their shards into the
 * new generation and open it as ix->db for the final metadata.
 */
static sou_status merge_shards(sou_indexer *ix, sou_error *err)
{
	sou_buf *paths;
	const char **srcs;
	sou_status st = SOU_OK;
	unsigned k;

	stop_workers(ix);
	for (k = 0; k < ix->nworkers; k++) {
		worker *w = &ix->workers[k];
		add_stats(&ix->st, &w->st);
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
		config_string(&ix->o, &cfg);
		st = sou_xdb_set_metadata(ix->db, "sou:config", cfg.data, cfg.len, err);
		sou_buf_free(&cfg);
	}
	return st;
}

sou_status sou_indexer_finish(sou_indexer *ix, sou_index_stats *stats, sou_error *err)
{
	sou_status st = SOU_OK;
	int was_interrupted = interrupted(ix);

	if (ix->parallel) {
		st = merge_shards(ix, err);
		/* an interrupted first build still publishes what it finished;
		 * an interrupted or failed rebuild keeps the old index */
		if (!st && (ix->stopped || was_interrupted) && sou_store_has_current(ix->store))
			st = was_interrupted ? SOU_OK : SOU_ERR_IO;
	} else if (!ix->stopped && !was_interrupted && ix->db) {
		st = sweep(ix, err);
	}
	add_stats(&ix->st, &ix->main_w.st);
	ix->st.seconds = now_s() - ix->t0;
	if (!st && ix->store && ix->db) {
		sou_buf run = SOU_BUF_INIT;
		sou_buf_addf(&run, "%lld\tadded %lu, updated %lu, deleted %lu, unchanged %lu, failed %lu in %.2f s",
			     (long long)time(NULL), ix->st.added, ix->st.updated, ix->st.deleted,
			     ix->st.unchanged, ix->st.failed, ix->st.seconds);
		st = sou_xdb_set_metadata(ix->db, "sou:lastrun", run.data, run.len, err);
		sou_buf_free(&run);
		if (!st)
			st = sou_xdb_commit(ix->db, err);
		ix->main_w.pending = 0;
		if (!st && sou_store_is_fresh(ix->store) &&
		    !(sou_store_has_current(ix->store) && (ix->stopped || was_interrupted))) {
			sou_xdb_destroy(ix->db);
			ix->db = NULL;
			st = sou_store_publish(ix->store, err);
		}
	}
	if (st == SOU_ERR_IO)
		st = SOU_OK; /* a rebuild that saw an unreadable root: not published */
	if (stats)
		*stats = ix->st;
	if (!st && was_interrupted)
		st = sou_error_set(err, SOU_ERR_INTERRUPTED,
				   "interrupted: finished posts are committed; run again to continue");
	return st;
}
/* ---- status -------------------------------------------------------------- */

typedef struct status_ctx {
	sou_index_status *out;
} status_ctx;

static void status_rec(void *ctx, sou_file_state *r)
{
	status_ctx *c = ctx;
	sou_buf b = SOU_BUF_INIT;

	if (r->status == 'o')
		return;
	sou_buf_addf(&b, "%s\t%s", r->relpath, r->message ? r->message : "");
	sou_strlist_push(r->status == 'f' ? &c->out->failed : &c->out->skipped, b.data, b.len);
	sou_buf_free(&b);
}

sou_status sou_index_status_read(const char *db_path, sou_index_status *out,
				 sou_error *err)
{
	sou_xdb *db = NULL;
	sou_state *state = NULL;
	sou_buf run = SOU_BUF_INIT;
	status_ctx c = { out };
	sou_status st;

	memset(out, 0, sizeof(*out));
	if ((st = sou_xdb_open(db_path, SOU_XDB_READ, &db, err)))
		return st;
	if (!(st = sou_xdb_doccount(db, &out->posts, err)) &&
	    !(st = sou_xdb_get_metadata(db, "sou:lastrun", &run, err)) &&
	    !(st = sou_state_load(db, &state, err))) {
		if (run.len)
			out->last_run = sou_xstrdup(run.data);
		sou_state_each(state, status_rec, &c);
		if (out->failed.n > 1)
			qsort(out->failed.v, out->failed.n, sizeof(char *), cmp_str);
		if (out->skipped.n > 1)
			qsort(out->skipped.v, out->skipped.n, sizeof(char *), cmp_str);
	}
	sou_buf_free(&run);
	sou_state_destroy(state);
	sou_xdb_destroy(db);
	return st;
}

void sou_index_status_clear(sou_index_status *s)
{
	if (!s)
		return;
	free(s->last_run);
	sou_strlist_free(&s->failed);
	sou_strlist_free(&s->skipped);
	memset(s, 0, sizeof(*s));
}
