/*
 * indexer.c - tree walk, post parsing and document building (see
 * indexer.h).  One post becomes one Xapian document:
 *   terms     title (boosted, and in the title field), tags and
 *             categories (boosted), description, keywords, body text,
 *             following termgen.h's scheme
 *   filters   Q<relpath>, K<tag>, XC<category>, A<author>, Y/M/D of the date
 *   value     SOU_SLOT_DATE: the date as a sortable number
 *   data      docdata.h's JSON record
 */
#include "indexer.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "buf.h"
#include "docdata.h"
#include "frontmatter.h"
#include "termgen.h"
#include "text.h"
#include "xwrap.h"

/* wdf increments: how much a word in each place counts */
#define WDF_TITLE 3
#define WDF_TAG 2
#define WDF_BODY 1

struct sou_indexer {
	sou_indexer_opts o;
	sou_xdb *db;
	sou_termgen *tg;
	sou_index_stats st;
	unsigned long pending;   /* documents since the last commit */
	unsigned long looked;    /* files looked at */
	struct timespec t0;
	sou_buf file, clean, text, data, idterm, term;
};

static double now_s(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

sou_status sou_indexer_create(const sou_indexer_opts *opts, sou_indexer **out,
			      sou_error *err)
{
	sou_indexer *ix = sou_xcalloc(1, sizeof(*ix));
	sou_status st;

	*out = NULL;
	ix->o = *opts;
	if (!ix->o.batch)
		ix->o.batch = SOU_DEFAULT_BATCH;
	if (!ix->o.max_file_bytes)
		ix->o.max_file_bytes = SOU_DEFAULT_MAX_FILE;
	ix->st.seconds = now_s();
	if ((st = sou_xdb_open(opts->db_path, SOU_XDB_WRITE, &ix->db, err)) ||
	    (st = sou_termgen_create(&ix->tg, err))) {
		sou_indexer_destroy(ix);
		return st;
	}
	*out = ix;
	return SOU_OK;
}

void sou_indexer_destroy(sou_indexer *ix)
{
	if (!ix)
		return;
	sou_xdb_destroy(ix->db);
	sou_termgen_destroy(ix->tg);
	sou_buf_free(&ix->file);
	sou_buf_free(&ix->clean);
	sou_buf_free(&ix->text);
	sou_buf_free(&ix->data);
	sou_buf_free(&ix->idterm);
	sou_buf_free(&ix->term);
	free(ix);
}

static void event(sou_indexer *ix, sou_ix_event_kind k, const char *path,
		  const char *msg)
{
	sou_ix_event ev;

	if (!ix->o.on_event)
		return;
	ev.kind = k;
	ev.path = path;
	ev.message = msg;
	ev.done = ix->looked;
	ev.bytes = ix->st.bytes;
	ix->o.on_event(ix->o.ctx, &ev);
}

/* Reads a whole file into ix->file, refusing files over the limit. */
static sou_status read_file(sou_indexer *ix, const char *path, sou_error *err)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	struct stat sb;
	ssize_t r;

	sou_buf_reset(&ix->file);
	if (fd < 0)
		return sou_error_set(err, SOU_ERR_IO, "%s: %s", path, strerror(errno));
	if (fstat(fd, &sb) < 0 || !S_ISREG(sb.st_mode)) {
		close(fd);
		return sou_error_set(err, SOU_ERR_IO, "%s: not a regular file", path);
	}
	if ((unsigned long long)sb.st_size > ix->o.max_file_bytes) {
		close(fd);
		return sou_error_set(err, SOU_ERR_TOOBIG,
				     "%s: %llu bytes is over the %zu-byte limit for one post",
				     path, (unsigned long long)sb.st_size, ix->o.max_file_bytes);
	}
	sou_buf_grow(&ix->file, (size_t)sb.st_size);
	for (;;) {
		size_t room = ix->file.cap - ix->file.len - 1;
		if (room == 0) {
			if (ix->file.len >= ix->o.max_file_bytes) {
				close(fd);
				return sou_error_set(err, SOU_ERR_TOOBIG,
						     "%s: grew over the %zu-byte limit while being read",
						     path, ix->o.max_file_bytes);
			}
			sou_buf_grow(&ix->file, 4096);
			continue;
		}
		r = read(fd, ix->file.data + ix->file.len, room);
		if (r < 0) {
			if (errno == EINTR)
				continue;
			sou_error_set(err, SOU_ERR_IO, "%s: %s", path, strerror(errno));
			close(fd);
			return SOU_ERR_IO;
		}
		if (r == 0)
			break;
		ix->file.len += (size_t)r;
	}
	ix->file.data[ix->file.len] = '\0';
	close(fd);
	ix->st.bytes += ix->file.len;
	return SOU_OK;
}

static sou_status index_list(sou_indexer *ix, const sou_strlist *l, const char *prefix,
			     sou_error *err)
{
	size_t i;
	sou_status st;

	for (i = 0; i < l->n; i++) {
		size_t n = strlen(l->v[i]);
		if ((st = sou_termgen_index(ix->tg, SOU_FIELD_BODY, l->v[i], n, WDF_TAG, err)) ||
		    (st = sou_termgen_add_filter(ix->tg, prefix, l->v[i], n, err)))
			return st;
	}
	return SOU_OK;
}

static sou_status build_doc(sou_indexer *ix, const sou_post *p, const char *relpath,
			    sou_xdoc *doc, sou_error *err)
{
	sou_termgen *tg = ix->tg;
	sou_status st;
	size_t i;

	sou_termgen_begin(tg, doc);
	if (p->title) {
		size_t n = strlen(p->title);
		if ((st = sou_termgen_index(tg, SOU_FIELD_TITLE, p->title, n, 1, err)) ||
		    (st = sou_termgen_index(tg, SOU_FIELD_BODY, p->title, n, WDF_TITLE, err)))
			return st;
	}
	if ((st = index_list(ix, &p->tags, "K", err)) ||
	    (st = index_list(ix, &p->categories, "XC", err)))
		return st;
	if (p->description &&
	    (st = sou_termgen_index(tg, SOU_FIELD_BODY, p->description,
				    strlen(p->description), WDF_BODY, err)))
		return st;
	for (i = 0; i < p->keywords.n; i++)
		if ((st = sou_termgen_index(tg, SOU_FIELD_BODY, p->keywords.v[i],
					    strlen(p->keywords.v[i]), WDF_BODY, err)))
			return st;
	if ((st = sou_termgen_index(tg, SOU_FIELD_BODY, ix->text.data, ix->text.len,
				    WDF_BODY, err)))
		return st;
	if (p->author && (st = sou_termgen_add_filter(tg, "A", p->author,
						      strlen(p->author), err)))
		return st;
	if (p->has_date) {
		int y, m, d;
		char t[32];
		sou_date_fields(&p->date, &y, &m, &d);
		snprintf(t, sizeof(t), "Y%04d", y);
		sou_xdoc_add_boolean(doc, t, strlen(t));
		snprintf(t, sizeof(t), "M%04d%02d", y, m);
		sou_xdoc_add_boolean(doc, t, strlen(t));
		snprintf(t, sizeof(t), "D%04d%02d%02d", y, m, d);
		sou_xdoc_add_boolean(doc, t, strlen(t));
		sou_xdoc_set_number(doc, SOU_SLOT_DATE, (double)p->date.epoch);
	}
	sou_termgen_idterm(relpath, &ix->idterm);
	sou_xdoc_add_boolean(doc, ix->idterm.data, ix->idterm.len);
	sou_docdata_encode(p, relpath, ix->text.data, ix->text.len, &ix->data);
	sou_xdoc_set_data(doc, ix->data.data, ix->data.len);
	return SOU_OK;
}

static int has_post_ext(const char *name)
{
	const char *dot = strrchr(name, '.');

	return dot && (!strcmp(dot, ".md") || !strcmp(dot, ".markdown") ||
		       !strcmp(dot, ".html"));
}

/*
 * Indexes one file.  Returns an error only for index failures; problems
 * with the post itself become events.
 */
static sou_status index_file(sou_indexer *ix, const char *path, const char *relpath,
			     sou_error *err)
{
	sou_error perr;
	sou_post *post = NULL;
	sou_xdoc *doc;
	const char *data;
	size_t len;
	const char *dot = strrchr(path, '.');
	sou_status st;

	ix->looked++;
	if ((st = read_file(ix, path, &perr))) {
		ix->st.failed++;
		event(ix, SOU_IX_FAILED, path, perr.msg);
		return SOU_OK;
	}
	data = ix->file.data;
	len = ix->file.len;
	if (!sou_text_utf8_clean(data, len, &ix->clean)) {
		data = ix->clean.data;
		len = ix->clean.len;
	}
	st = sou_frontmatter_parse(path, data, len, ix->o.tz_min, &post, &perr);
	if (st == SOU_ERR_NOFRONTMATTER) {
		ix->st.skipped++;
		event(ix, SOU_IX_SKIPPED, path, perr.msg);
		return SOU_OK;
	}
	if (st) {
		ix->st.failed++;
		event(ix, SOU_IX_FAILED, path, perr.msg);
		return SOU_OK;
	}
	sou_buf_reset(&ix->text);
	st = sou_text_from_body(post->body, post->body_len,
				dot && !strcmp(dot, ".html") ? SOU_BODY_HTML : SOU_BODY_AUTO,
				&ix->text, &perr);
	if (st) {
		sou_post_destroy(post);
		ix->st.failed++;
		sou_error_prefix(&perr, path);
		event(ix, SOU_IX_FAILED, path, perr.msg);
		return SOU_OK;
	}
	doc = sou_xdoc_create();
	st = build_doc(ix, post, relpath, doc, err);
	if (!st)
		st = sou_xdb_replace(ix->db, ix->idterm.data, doc, err);
	ix->st.dropped_terms += sou_xdoc_dropped(doc);
	sou_xdoc_destroy(doc);
	sou_post_destroy(post);
	if (st) {
		if (st == SOU_ERR_DB || st == SOU_ERR_NOMEM)
			return st; /* the index itself failed: stop */
		ix->st.failed++;
		event(ix, SOU_IX_FAILED, path, err ? err->msg : "failed");
		return SOU_OK;
	}
	ix->st.added++;
	event(ix, SOU_IX_ADDED, path, NULL);
	if (++ix->pending >= ix->o.batch) {
		if ((st = sou_xdb_commit(ix->db, err)))
			return st;
		ix->pending = 0;
	}
	return SOU_OK;
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

	if (depth > 64) {
		event(ix, SOU_IX_SKIPPED, path->data, "directory nesting deeper than 64 levels");
		return SOU_OK;
	}
	if (!(d = opendir(path->data))) {
		char msg[512];
		snprintf(msg, sizeof(msg), "%s: cannot open directory: %s", path->data,
			 strerror(errno));
		ix->st.failed++;
		event(ix, SOU_IX_FAILED, path->data, msg);
		return SOU_OK;
	}
	while ((de = readdir(d)))
		if (de->d_name[0] != '.')
			sou_strlist_push(&names, de->d_name, strlen(de->d_name));
	closedir(d);
	qsort(names.v, names.n, sizeof(*names.v), cmp_str);
	for (i = 0; i < names.n && !st; i++) {
		struct stat sb;

		sou_buf_truncate(path, base);
		if (base && path->data[base - 1] != '/')
			sou_buf_addc(path, '/');
		sou_buf_adds(path, names.v[i]);
		if (lstat(path->data, &sb) < 0)
			continue;
		if (S_ISDIR(sb.st_mode)) {
			st = walk(ix, path, rel_off, depth + 1, err);
		} else if (has_post_ext(names.v[i])) {
			if (S_ISLNK(sb.st_mode) && (stat(path->data, &sb) < 0 || !S_ISREG(sb.st_mode)))
				continue;
			if (S_ISREG(sb.st_mode))
				st = index_file(ix, path->data, path->data + rel_off, err);
		}
	}
	sou_buf_truncate(path, base);
	sou_strlist_free(&names);
	return st;
}

sou_status sou_indexer_add_path(sou_indexer *ix, const char *root, sou_error *err)
{
	struct stat sb;
	sou_buf path = SOU_BUF_INIT;
	sou_status st;
	size_t n = strlen(root);

	if (stat(root, &sb) < 0)
		return sou_error_set(err, SOU_ERR_IO, "%s: %s", root, strerror(errno));
	if (!S_ISDIR(sb.st_mode)) {
		const char *slash = strrchr(root, '/');
		return index_file(ix, root, slash ? slash + 1 : root, err);
	}
	while (n > 1 && root[n - 1] == '/')
		n--;
	sou_buf_add(&path, root, n);
	st = walk(ix, &path, n + (root[n - 1] == '/' ? 0 : 1), 0, err);
	sou_buf_free(&path);
	return st;
}

sou_status sou_indexer_finish(sou_indexer *ix, sou_index_stats *stats, sou_error *err)
{
	sou_status st = sou_xdb_commit(ix->db, err);

	ix->pending = 0;
	if (stats) {
		*stats = ix->st;
		stats->seconds = now_s() - ix->st.seconds;
	}
	return st;
}
