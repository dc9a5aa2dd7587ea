/*
 * walk.c - finding the posts below the PATHs of a run (see internal.h and
 * indexer.h's sou_indexer_add_path):
 *   - roots: each PATH is resolved to its real path when the run starts;
 *     a run with several roots gives each a label that prefixes its keys;
 *     a root given twice, or reached by another root's walk, is walked once;
 *   - a recursive walk in sorted name order (so document order is
 *     reproducible); names starting with '.' are skipped (.git, editor
 *     backups); only *.md, *.markdown and *.html files are posts; nesting
 *     deeper than 64 directories is skipped with a note;
 *   - symlinks: symlinked directories are not followed (no loops); a
 *     symlinked post is followed only when its target is inside one of
 *     the roots, unless follow_symlinks is set, so a link cannot pull a
 *     private file from elsewhere into an index others may read.
 * Each candidate file goes to the workers in a full build (pool.c), or in
 * an incremental run is skipped when its lstat and root match its record
 * (read from the index one at a time: state.h) and otherwise worked on at
 * once (file.c).
 *
 * A shard of a set (shards.c) walks the whole tree too but takes only the
 * keys that hash to it; what the walk itself meets (links left out, deep
 * or unreadable folders, nested PATHs) is reported by the first shard
 * only, so a set says each thing once (every shard still stops deleting
 * when a folder cannot be read).
 *
 * Counting (opts.count_files): before the run, the same walk over every
 * root with ix->counting set only counts the files process_file would
 * look at, so a progress display has a total; it takes no keys, reads
 * no file or record, and says and remembers nothing (the real walk
 * reports what it meets).  Sharing the walk keeps the two in step: what
 * is counted is what is looked at, unless the tree changes in between.
 */
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "internal.h"

/* Deeper directories are skipped with a note (and no stack overflow). */
#define MAX_DEPTH 64

static int has_post_ext(const char *name)
{
	const char *dot = strrchr(name, '.');

	return dot && (!strcmp(dot, ".md") || !strcmp(dot, ".markdown") ||
		       !strcmp(dot, ".html"));
}

/* ---- roots --------------------------------------------------------------- */

/*
 * The absolute form of path as written: cwd prepended when relative, then
 * "." and empty components dropped and ".." applied, as realpath(3) would
 * without looking at the file system.  For a PATH that cannot be resolved,
 * so that its label (and so every other root's) does not change while it
 * is missing.
 */
static char *lexical_abs(const char *path)
{
	sou_buf in = SOU_BUF_INIT, out = SOU_BUF_INIT;
	char *cwd, *p, *save = NULL;

	if (path[0] != '/' && (cwd = getcwd(NULL, 0))) {
		sou_buf_adds(&in, cwd);
		free(cwd);
	}
	sou_buf_addc(&in, '/');
	sou_buf_adds(&in, path);
	for (p = strtok_r(in.data, "/", &save); p; p = strtok_r(NULL, "/", &save)) {
		if (!strcmp(p, "."))
			continue;
		if (!strcmp(p, "..")) {
			char *slash = out.len ? strrchr(out.data, '/') : NULL;
			if (slash)
				sou_buf_truncate(&out, (size_t)(slash - out.data));
			continue;
		}
		sou_buf_addc(&out, '/');
		sou_buf_adds(&out, p);
	}
	if (!out.len)
		sou_buf_addc(&out, '/');
	sou_buf_free(&in);
	return sou_buf_detach(&out, NULL);
}

/* Base name of a PATH as given, trailing slashes ignored, into out. */
static void base_name(const char *path, sou_buf *out)
{
	size_t n = strlen(path), b;

	while (n > 1 && path[n - 1] == '/')
		n--;
	b = n;
	while (b > 0 && path[b - 1] != '/')
		b--;
	sou_buf_reset(out);
	sou_buf_add(out, path + b, n - b);
}

/*
 * Resolves r->given: a directory to its real path; a file to the real
 * path of its directory + "/" + its name as given (a symlink named as
 * PATH keeps its own name, as its key always has).
 */
static void resolve(sou_ix_root *r)
{
	struct stat sb;
	char *real;

	if (stat(r->given, &sb) < 0 || !(real = realpath(r->given, NULL))) {
		r->real = lexical_abs(r->given);
		return;
	}
	r->resolved = 1;
	r->is_dir = S_ISDIR(sb.st_mode);
	if (r->is_dir) {
		r->real = real;
	} else {
		sou_buf dir = SOU_BUF_INIT, name = SOU_BUF_INIT;
		char *abs = lexical_abs(r->given), *slash = strrchr(abs, '/'), *rdir;
		free(real);
		base_name(r->given, &name);
		sou_buf_add(&dir, abs, slash > abs ? (size_t)(slash - abs) : 1);
		rdir = realpath(dir.data, NULL);
		sou_buf_reset(&dir);
		sou_buf_adds(&dir, rdir ? rdir : abs);
		if (dir.len > 1)
			sou_buf_addc(&dir, '/');
		sou_buf_add(&dir, name.data, name.len);
		r->real = sou_buf_detach(&dir, NULL);
		free(rdir);
		free(abs);
		sou_buf_free(&name);
	}
}

/* Number of '/'-separated components of an absolute path ("/" has none). */
static size_t ncomps(const char *p)
{
	size_t n = 0;

	for (; *p; p++)
		if (*p == '/' && p[1] && p[1] != '/')
			n++;
	return n;
}

/* The last k components of an absolute path, or the whole path if it has no more. */
static const char *tail_comps(const char *p, size_t k)
{
	const char *s = p + strlen(p);

	if (ncomps(p) <= k)
		return p;
	while (k && s > p) {
		s--;
		if (*s == '/')
			k--;
	}
	return s + 1;
}

/*
 * 1 if the walk of directory root dir reaches path: path is below dir and
 * no component in between is hidden ('.') or a post would be skipped.
 */
static int reaches(const char *dir, const char *path, int is_dir, int depth_ok)
{
	size_t n = strlen(dir);
	const char *p;

	if (!strcmp(dir, "/"))
		n = 0;
	else if (strncmp(path, dir, n) || path[n] != '/')
		return 0;
	for (p = path + n; *p; p++)
		if (*p == '/' && p[1] == '.')
			return 0;
	if (!is_dir && !has_post_ext(strrchr(path, '/') + 1))
		return 0;
	return depth_ok;
}

void sou_ix_walk_resolve(sou_indexer *ix)
{
	size_t i, j, k, n = ix->o.npaths, live = 0, maxc = 0;

	ix->nroots = n;
	ix->roots = n ? sou_xcalloc(n, sizeof(*ix->roots)) : NULL;
	for (i = 0; i < n; i++) {
		sou_ix_root *r = &ix->roots[i];
		r->given = ix->o.paths[i];
		resolve(r);
		for (j = 0; j < i && !r->same_as; j++)
			if (!strcmp(ix->roots[j].real, r->real))
				r->same_as = j + 1;
	}
	/* a root the walk of another root reaches is walked as part of it;
	 * the outermost such root wins */
	for (i = 0; i < n; i++) {
		sou_ix_root *r = &ix->roots[i];
		struct stat sb;
		if (r->same_as || !r->resolved)
			continue;
		if (!r->is_dir && (lstat(r->real, &sb) < 0 || !S_ISREG(sb.st_mode)))
			continue; /* a symlink named as PATH: read as given */
		for (j = 0; j < n; j++) {
			sou_ix_root *o = &ix->roots[j];
			if (j == i || o->same_as || !o->is_dir ||
			    !reaches(o->real, r->real, r->is_dir,
				     ncomps(r->real) - ncomps(o->real) <= MAX_DEPTH))
				continue;
			if (!r->inside || strlen(o->real) < strlen(ix->roots[r->inside - 1].real))
				r->inside = j + 1;
		}
	}
	for (i = 0; i < n; i++)
		if (!ix->roots[i].same_as && !ix->roots[i].inside) {
			live++;
			if (ncomps(ix->roots[i].real) > maxc)
				maxc = ncomps(ix->roots[i].real);
		}
	/* labels: the fewest trailing components that tell the roots apart */
	for (k = 1; live > 1 && k <= maxc; k++) {
		int clash = 0;
		for (i = 0; i < n && !clash; i++) {
			if (ix->roots[i].same_as || ix->roots[i].inside)
				continue;
			for (j = i + 1; j < n && !clash; j++)
				if (!ix->roots[j].same_as && !ix->roots[j].inside &&
				    !strcmp(tail_comps(ix->roots[i].real, k),
					    tail_comps(ix->roots[j].real, k)))
					clash = 1;
		}
		if (!clash)
			break;
	}
	for (i = 0; i < n; i++) {
		sou_ix_root *r = &ix->roots[i];
		if (live > 1)
			r->label = sou_xstrdup(tail_comps(r->real, k));
		else if (!r->is_dir)
			r->label = NULL; /* one root, a file: its key is its name */
		else
			r->label = sou_xstrdup("");
	}
}

void sou_ix_walk_clear(sou_indexer *ix)
{
	size_t i;

	for (i = 0; i < ix->nroots; i++) {
		free(ix->roots[i].real);
		free(ix->roots[i].label);
	}
	free(ix->roots);
	ix->roots = NULL;
	ix->nroots = 0;
}

/* 1 if real (a real path) is below one of the run's directory roots. */
static int inside_roots(const sou_indexer *ix, const char *real)
{
	size_t i, n;

	for (i = 0; i < ix->nroots; i++) {
		const sou_ix_root *r = &ix->roots[i];
		if (!r->resolved || !r->is_dir)
			continue;
		n = strlen(r->real);
		if (!strcmp(r->real, "/") || (!strncmp(real, r->real, n) && real[n] == '/'))
			return 1;
	}
	return 0;
}

/* ---- the walk ------------------------------------------------------------ */

/* The key of the file at path (rel: its path below the root) into ix->key. */
static const char *key_of(sou_indexer *ix, const char *path, const char *rel)
{
	const char *label = ix->cur->label;

	sou_buf_reset(&ix->key);
	if (!label) {
		/* the one root is a file: its base name */
		base_name(path, &ix->key);
		return ix->key.data;
	}
	sou_buf_adds(&ix->key, label);
	if (*rel && ix->key.len && ix->key.data[ix->key.len - 1] != '/')
		sou_buf_addc(&ix->key, '/');
	sou_buf_adds(&ix->key, rel);
	return ix->key.data;
}

/*
 * One candidate file, in the calling thread.  A full build hands it to the
 * workers; an incremental run skips it if unchanged, else works on it.
 */
static sou_status process_file(sou_indexer *ix, const char *path, const char *rel,
			       const struct stat *lsb, sou_error *err)
{
	const char *key;
	sou_file_state *rec;
	sou_status st;

	if (ix->counting) {
		pthread_mutex_lock(&ix->ev_mu);
		ix->total++;
		pthread_mutex_unlock(&ix->ev_mu);
		if (ix->total % 1024 == 0)
			sou_ix_emit(ix, SOU_IX_PROGRESS, path, NULL);
		return SOU_OK;
	}
	key = key_of(ix, path, rel);
	if (ix->shard_n && sou_ix_shard_of(key, ix->shard_n) != ix->shard_k)
		return SOU_OK; /* another shard's post */
	pthread_mutex_lock(&ix->ev_mu);
	ix->looked++;
	pthread_mutex_unlock(&ix->ev_mu);
	if (ix->looked % 256 == 0)
		sou_ix_emit(ix, SOU_IX_PROGRESS, path, NULL);
	if (ix->parallel)
		return sou_ix_pool_enqueue(ix, path, key, lsb, err);
	if ((st = sou_state_find(ix->state, key, &rec, err)))
		return st;
	if (rec) {
		/* a record from another root (a moved tree) is rewritten; a
		 * post that failed for its size is tried again once the limit
		 * (--max-post-bytes) lets it in */
		if (!ix->stale && sou_ix_file_unchanged(lsb, rec) &&
		    !strcmp(rec->root, ix->cur->real) &&
		    !(rec->status == 'f' && rec->message && rec->size <= ix->o.max_file_bytes &&
		      strstr(rec->message, SOU_IX_TOOBIG_TEXT))) {
			ix->st.unchanged++;
			sou_ix_count_finished(ix);
			return SOU_OK;
		}
	}
	return sou_ix_file_work(&ix->main_w, ix->cur->real, path, key, lsb, rec, err);
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* A note about a file left out, as a SKIPPED event. */
static void note(sou_indexer *ix, const char *path, const char *fmt, const char *detail)
{
	sou_buf m = SOU_BUF_INIT;

	if (!sou_ix_walk_reports(ix) || ix->counting)
		return;
	sou_buf_adds(&m, path);
	sou_buf_addf(&m, fmt, detail);
	sou_ix_emit(ix, SOU_IX_SKIPPED, path, m.data);
	sou_buf_free(&m);
}

/*
 * A symlinked post: *sb becomes the target's stat.  Returns 1 if it is to
 * be read, 0 (after a note) if it is broken, loops, or points outside
 * every root without follow_symlinks.
 */
static int follow_link(sou_indexer *ix, const char *path, struct stat *sb)
{
	char *real;
	int ok;

	if (stat(path, sb) < 0) {
		note(ix, path, ": broken or looping symlink: %s", strerror(errno));
		return 0;
	}
	if (ix->o.follow_symlinks || !S_ISREG(sb->st_mode))
		return 1;
	if (!(real = realpath(path, NULL))) {
		note(ix, path, ": broken or looping symlink: %s", strerror(errno));
		return 0;
	}
	ok = inside_roots(ix, real);
	if (!ok)
		note(ix, path, ": symlink to %s, outside the indexed folders; not followed "
		     "(--follow-symlinks follows it)", real);
	free(real);
	return ok;
}

static sou_status walk(sou_indexer *ix, sou_buf *path, size_t rel_off, int depth,
		       sou_error *err)
{
	DIR *d;
	struct dirent *de;
	sou_strlist names = { NULL, 0 };
	size_t i, base = path->len;
	sou_status st = SOU_OK;

	if (depth > MAX_DEPTH) {
		note(ix, path->data, ": directory nesting deeper than %s levels", "64");
		return SOU_OK;
	}
	if (!(d = opendir(path->data))) {
		sou_buf m = SOU_BUF_INIT;
		if (ix->counting)
			return SOU_OK; /* the real walk reports it */
		ix->stopped = 1; /* its posts were not seen: do not delete them */
		if (sou_ix_walk_reports(ix)) {
			sou_buf_addf(&m, "%s: cannot open directory: %s", path->data,
				     strerror(errno));
			ix->st.failed++;
			sou_ix_emit(ix, SOU_IX_FAILED, path->data, m.data);
		}
		sou_buf_free(&m);
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

		if (sou_ix_interrupted(ix)) {
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
		if (S_ISLNK(sb.st_mode) && !follow_link(ix, path->data, &sb))
			continue;
		if (S_ISREG(sb.st_mode))
			st = process_file(ix, path->data, path->data + rel_off, &sb, err);
	}
	sou_buf_truncate(path, base);
	sou_strlist_free(&names);
	return st;
}

sou_status sou_ix_walk_path(sou_indexer *ix, const char *given, sou_error *err)
{
	struct stat sb;
	sou_buf path = SOU_BUF_INIT;
	const sou_ix_root *r = NULL;
	sou_status st;
	size_t i, n = strlen(given);

	for (i = 0; i < ix->nroots && !r; i++)
		if (ix->roots[i].given == given || !strcmp(ix->roots[i].given, given))
			r = &ix->roots[i];
	if (!r)
		return sou_error_set(err, SOU_ERR_USAGE,
				     "%s: not one of the PATHs the indexer was created with", given);
	if (r->same_as)
		return SOU_OK; /* a root given twice is walked once */
	if (r->inside) {
		sou_buf m = SOU_BUF_INIT;
		if (!sou_ix_walk_reports(ix) || ix->counting)
			return SOU_OK;
		sou_buf_addf(&m, "%s: inside %s, indexed as part of it", given,
			     ix->roots[r->inside - 1].given);
		sou_ix_emit(ix, SOU_IX_SKIPPED, given, m.data);
		sou_buf_free(&m);
		return SOU_OK;
	}
	if (ix->counting && stat(given, &sb) < 0)
		return SOU_OK; /* the real walk reports it */
	if (stat(given, &sb) < 0) {
		ix->stopped = 1; /* a rebuild must not switch to a partial index */
		return sou_error_set(err, SOU_ERR_IO, "%s: %s", given, strerror(errno));
	}
	ix->cur = r;
	if (!S_ISDIR(sb.st_mode)) {
		if (lstat(given, &sb) < 0) {
			ix->stopped |= !ix->counting;
			return sou_error_set(err, SOU_ERR_IO, "%s: %s", given, strerror(errno));
		}
		if (S_ISLNK(sb.st_mode) && stat(given, &sb) < 0) {
			ix->stopped |= !ix->counting;
			return sou_error_set(err, SOU_ERR_IO, "%s: %s", given, strerror(errno));
		}
		st = process_file(ix, given, "", &sb, err);
	} else {
		while (n > 1 && given[n - 1] == '/')
			n--;
		sou_buf_add(&path, given, n);
		st = walk(ix, &path, n + (given[n - 1] == '/' ? 0 : 1), 0, err);
		sou_buf_free(&path);
	}
	if (st && !ix->counting)
		ix->stopped = 1;
	return st;
}

void sou_ix_walk_count(sou_indexer *ix)
{
	sou_error e;
	size_t i;

	ix->counting = 1;
	for (i = 0; i < ix->nroots && !sou_ix_interrupted(ix); i++)
		sou_ix_walk_path(ix, ix->roots[i].given, &e); /* problems: the real walk's */
	ix->counting = 0;
	ix->cur = NULL;
}
