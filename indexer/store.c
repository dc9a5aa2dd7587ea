/*
 * store.c - index directory layout, locking and generations (see store.h).
 */
#include "store.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "buf.h"
#include "genlock.h"

struct sou_store {
	char *dir;
	int lock_fd;
	unsigned gen;        /* generation being written */
	unsigned current;    /* generation the stub names (0: none) */
	int fresh;           /* writing a new generation */
	int published;
	sou_buf gen_path;
};

static void gen_path(sou_buf *b, const char *dir, unsigned gen)
{
	sou_genlock_gen_path(dir, gen, b);
}

/* What an entry of the index directory is (see the layout in store.h). */
enum entry_kind { ENTRY_OTHER, ENTRY_GEN, ENTRY_SHARD, ENTRY_STUB_TMP };

static enum entry_kind classify(const char *name, unsigned *gen)
{
	unsigned g, k;
	int n = 0, m = 0;

	if (!strcmp(name, "XAPIANDB.tmp"))
		return ENTRY_STUB_TMP;
	if (strncmp(name, "gen-", 4) || !strchr("0123456789", name[4]) || !name[4] ||
	    sscanf(name, "gen-%u%n", &g, &n) != 1)
		return ENTRY_OTHER;
	*gen = g;
	if (!name[n])
		return ENTRY_GEN;
	if (sscanf(name + n, ".shard-%u%n", &k, &m) == 1 && !name[n + m])
		return ENTRY_SHARD;
	return ENTRY_OTHER;
}

/* Highest gen-N directory present, so a new generation never reuses one. */
static unsigned max_gen(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	unsigned g, max = 0;

	if (!d)
		return 0;
	while ((de = readdir(d)))
		if (sscanf(de->d_name, "gen-%u", &g) == 1 && g > max)
			max = g;
	closedir(d);
	return max;
}

/* Removes one database directory (glass databases hold only files). */
static void remove_db_dir(const char *path)
{
	sou_buf f = SOU_BUF_INIT;
	DIR *d;
	struct dirent *de;

	if ((d = opendir(path))) {
		while ((de = readdir(d))) {
			if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
				continue;
			sou_buf_reset(&f);
			sou_buf_addf(&f, "%s/%s", path, de->d_name);
			unlink(f.data);
		}
		closedir(d);
		rmdir(path);
	}
	sou_buf_free(&f);
}

/* Removes the shard directories of a generation ("gen-N.shard-K"). */
static void remove_shards(const char *dir, unsigned gen)
{
	sou_buf p = SOU_BUF_INIT, prefix = SOU_BUF_INIT;
	DIR *d;
	struct dirent *de;

	sou_buf_addf(&prefix, "gen-%06u.shard-", gen);
	if ((d = opendir(dir))) {
		while ((de = readdir(d))) {
			if (strncmp(de->d_name, prefix.data, prefix.len))
				continue;
			sou_buf_reset(&p);
			sou_buf_addf(&p, "%s/%s", dir, de->d_name);
			remove_db_dir(p.data);
		}
		closedir(d);
	}
	sou_buf_free(&p);
	sou_buf_free(&prefix);
}

/* Removes a generation and its shards, if any. */
static void remove_gen(const char *dir, unsigned gen)
{
	sou_buf p = SOU_BUF_INIT;

	gen_path(&p, dir, gen);
	remove_db_dir(p.data);
	sou_buf_free(&p);
	remove_shards(dir, gen);
}

/*
 * Removes generation gen unless a reader holds it (genlock.h): a reader
 * holds a shared flock on its lock file, so an exclusive one taken
 * without waiting proves there is none, and keeps new ones out while the
 * files go (a reader that got in first rechecks the stub and moves on).
 * A generation without a lock file was never published (or is from an
 * older sou) and goes at once.  1 if removed.
 */
static int remove_unused_gen(const char *dir, unsigned gen)
{
	sou_buf p = SOU_BUF_INIT, lock = SOU_BUF_INIT;
	int fd, removed = 0;

	gen_path(&p, dir, gen);
	sou_buf_addf(&lock, "%s/%s", p.data, SOU_GENLOCK_FILE);
	fd = open(lock.data, O_RDONLY | O_CLOEXEC);
	if (fd >= 0 ? flock(fd, LOCK_EX | LOCK_NB) == 0 : errno == ENOENT) {
		remove_db_dir(p.data);
		removed = 1;
	}
	if (fd >= 0)
		close(fd);
	sou_buf_free(&p);
	sou_buf_free(&lock);
	return removed;
}

/*
 * Removes what no run needs any more, under the writer lock: what killed
 * runs left (shards, a half-written stub, generations never published)
 * and generations no longer current once no reader holds them.  Only the
 * current generation and the one this run writes are kept for certain.
 */
static void collect_garbage(sou_store *s)
{
	sou_strlist names = { NULL, 0 };
	sou_buf p = SOU_BUF_INIT;
	DIR *d = opendir(s->dir);
	struct dirent *de;
	size_t i;

	if (!d)
		return;
	while ((de = readdir(d)))
		sou_strlist_push(&names, de->d_name, strlen(de->d_name));
	closedir(d);
	for (i = 0; i < names.n; i++) {
		unsigned g = 0;
		sou_buf_reset(&p);
		sou_buf_addf(&p, "%s/%s", s->dir, names.v[i]);
		switch (classify(names.v[i], &g)) {
		case ENTRY_STUB_TMP:
			unlink(p.data);
			break;
		case ENTRY_SHARD: /* only a writer uses shards, and we are it */
			if (!(s->fresh && g == s->gen && !s->published))
				remove_db_dir(p.data);
			break;
		case ENTRY_GEN:
			if (g != s->current && !(s->fresh && g == s->gen))
				remove_unused_gen(s->dir, g);
			break;
		case ENTRY_OTHER:
			break;
		}
	}
	sou_buf_free(&p);
	sou_strlist_free(&names);
}

/* Creates the readers' lock file of generation gen (genlock.h). */
static sou_status make_lock_file(const char *dir, unsigned gen, sou_error *err)
{
	sou_buf p = SOU_BUF_INIT;
	int fd;

	gen_path(&p, dir, gen);
	sou_buf_addf(&p, "/%s", SOU_GENLOCK_FILE);
	fd = open(p.data, O_RDONLY | O_CREAT | O_CLOEXEC, 0644);
	if (fd < 0) {
		sou_error_set(err, SOU_ERR_DB, "%s: cannot create: %s", p.data, strerror(errno));
		sou_buf_free(&p);
		return SOU_ERR_DB;
	}
	close(fd);
	sou_buf_free(&p);
	return SOU_OK;
}

/* Size of DIR/sou.lastrun: written whole once, then overwritten in place. */
#define RUN_RECORD 4096

/*
 * Makes DIR/sou.lastrun exist at its full size while there is room, so
 * that recording a run later needs no new blocks, even on a full disk.
 * Best effort: without it, a run that fails is recorded only in Xapian.
 */
static void prepare_run_record(const char *dir)
{
	sou_buf p = SOU_BUF_INIT;
	char zero[RUN_RECORD];
	struct stat sb;
	int fd;

	sou_buf_addf(&p, "%s/sou.lastrun", dir);
	if (stat(p.data, &sb) == 0 && sb.st_size == RUN_RECORD && S_ISREG(sb.st_mode)) {
		sou_buf_free(&p);
		return;
	}
	fd = open(p.data, O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
	if (fd >= 0) {
		memset(zero, 0, sizeof(zero));
		if (pwrite(fd, zero, sizeof(zero), 0) != (ssize_t)sizeof(zero) ||
		    ftruncate(fd, RUN_RECORD) < 0)
			(void)ftruncate(fd, 0);
		close(fd);
	}
	sou_buf_free(&p);
}

sou_status sou_store_record_run(sou_store *s, const char *line, size_t len, sou_error *err)
{
	return sou_store_record_run_at(s->dir, line, len, err);
}

sou_status sou_store_record_run_at(const char *dir, const char *line, size_t len,
				   sou_error *err)
{
	sou_buf p = SOU_BUF_INIT;
	char rec[RUN_RECORD];
	int fd, ok;

	memset(rec, 0, sizeof(rec));
	memcpy(rec, line, len < RUN_RECORD - 1 ? len : RUN_RECORD - 1);
	sou_buf_addf(&p, "%s/sou.lastrun", dir);
	fd = open(p.data, O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
	ok = fd >= 0 && pwrite(fd, rec, sizeof(rec), 0) == (ssize_t)sizeof(rec) &&
	     fdatasync(fd) == 0;
	if (!ok)
		sou_error_set(err, SOU_ERR_IO, "%s: cannot record the run: %s", p.data,
			      strerror(errno));
	if (fd >= 0)
		close(fd);
	sou_buf_free(&p);
	return ok ? SOU_OK : SOU_ERR_IO;
}

sou_status sou_store_read_run(const char *dir, sou_buf *out, sou_error *err)
{
	sou_buf p = SOU_BUF_INIT;
	char rec[RUN_RECORD];
	ssize_t n;
	int fd;

	sou_buf_reset(out);
	sou_buf_addf(&p, "%s/sou.lastrun", dir);
	fd = open(p.data, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		sou_status st = errno == ENOENT ? SOU_OK
			: sou_error_set(err, SOU_ERR_IO, "%s: %s", p.data, strerror(errno));
		sou_buf_free(&p);
		return st;
	}
	n = pread(fd, rec, sizeof(rec) - 1, 0);
	close(fd);
	sou_buf_free(&p);
	if (n > 0) {
		rec[n] = '\0';
		sou_buf_adds(out, rec);
	}
	return SOU_OK;
}

/*
 * Atomically replaces DIR/name with text: write name.tmp, fsync, rename,
 * fsync the directory.  0 with errno set on failure (name.tmp removed).
 */
static int replace_file(const char *dir, const char *name, const char *text, size_t len)
{
	sou_buf tmp = SOU_BUF_INIT, fin = SOU_BUF_INIT;
	int fd, ok, e;

	sou_buf_addf(&tmp, "%s/%s.tmp", dir, name);
	sou_buf_addf(&fin, "%s/%s", dir, name);
	fd = open(tmp.data, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	ok = fd >= 0 && write(fd, text, len) == (ssize_t)len && fsync(fd) == 0;
	if (fd >= 0)
		close(fd);
	ok = ok && rename(tmp.data, fin.data) == 0;
	if (ok) {
		int dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (dfd >= 0) {
			fsync(dfd); /* make the rename durable */
			close(dfd);
		}
	} else {
		e = errno;
		unlink(tmp.data);
		errno = e;
	}
	sou_buf_free(&tmp);
	sou_buf_free(&fin);
	return ok;
}

/* Atomically points DIR/XAPIANDB at gen: write a temporary, fsync, rename. */
static sou_status write_stub(const char *dir, unsigned gen, sou_error *err)
{
	char line[64];
	int n = snprintf(line, sizeof(line), "auto gen-%06u\n", gen);

	if (replace_file(dir, "XAPIANDB", line, (size_t)n))
		return SOU_OK;
	return sou_error_set(err, SOU_ERR_DB, "%s/XAPIANDB: cannot switch to the new index: %s",
			     dir, strerror(errno));
}

/* ---- shard sets ---------------------------------------------------------- */

void sou_store_shard_dir(const char *dir, unsigned k, sou_buf *out)
{
	sou_buf_reset(out);
	sou_buf_addf(out, "%s/shard-%u", dir, k);
}

/* The stub of a set is at most SOU_STORE_MAX_SHARDS short lines. */
#define SET_STUB_MAX 4096

/*
 * Parses a set's stub text: 1 and *n when every line that is not blank
 * or a '#' comment is "auto shard-K" with K counting up from 0; 0 when
 * its first such line is not "auto shard-..." (not a set's stub); -1
 * when it starts as one but is not (garbled).
 */
static int parse_set_stub(const char *text, unsigned *n)
{
	const char *line = text;
	unsigned count = 0, k;
	int used;

	while (*line) {
		const char *nl = strchr(line, '\n'), *end = nl ? nl : line + strlen(line);
		size_t blank = strspn(line, " \t\r");
		if (line + blank == end || line[blank] == '#') {
			line = nl ? nl + 1 : end;
			continue;
		}
		if (strncmp(line, "auto shard-", 11))
			return count ? -1 : 0;
		used = 0;
		if (!strchr("0123456789", line[11]) || !line[11] ||
		    sscanf(line, "auto shard-%u%n", &k, &used) != 1 || k != count ||
		    strspn(line + used, " \t\r") != (size_t)(end - line - used) ||
		    count >= SOU_STORE_MAX_SHARDS)
			return -1;
		count++;
		line = nl ? nl + 1 : end;
	}
	*n = count;
	return count ? 1 : 0;
}

/* Reads DIR/name (at most max bytes) into out; 0 if it does not exist. */
static sou_status read_small(const char *dir, const char *name, size_t max, sou_buf *out,
			     int *exists, sou_error *err)
{
	sou_buf p = SOU_BUF_INIT;
	char buf[512];
	ssize_t r;
	int fd;

	sou_buf_reset(out);
	*exists = 0;
	sou_buf_addf(&p, "%s/%s", dir, name);
	fd = open(p.data, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		sou_status st = errno == ENOENT || errno == ENOTDIR ? SOU_OK
			: sou_error_set(err, SOU_ERR_DB, "%s: cannot read: %s", p.data,
					strerror(errno));
		sou_buf_free(&p);
		return st;
	}
	*exists = 1;
	while (out->len <= max && (r = read(fd, buf, sizeof(buf))) != 0) {
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			sou_error_set(err, SOU_ERR_DB, "%s: cannot read: %s", p.data, strerror(errno));
			close(fd);
			sou_buf_free(&p);
			return SOU_ERR_DB;
		}
		sou_buf_add(out, buf, (size_t)r);
	}
	close(fd);
	sou_buf_free(&p);
	return SOU_OK;
}

sou_status sou_store_probe_set(const char *dir, unsigned *n, int *has_stub, sou_error *err)
{
	sou_buf text = SOU_BUF_INIT;
	sou_status st;
	int exists = 0, r;
	unsigned m = 0;

	*n = 0;
	if (has_stub)
		*has_stub = 0;
	if ((st = read_small(dir, "XAPIANDB", SET_STUB_MAX, &text, &exists, err)))
		goto out;
	if (exists && text.len && !memchr(text.data, '\0', text.len) && text.len <= SET_STUB_MAX) {
		r = parse_set_stub(text.data, &m);
		if (r < 0) {
			st = sou_error_set(err, SOU_ERR_DB,
					   "%s/XAPIANDB: a shard set's stub, but garbled (expected "
					   "lines \"auto shard-0\", \"auto shard-1\"...): the set is "
					   "damaged", dir);
			goto out;
		}
		if (r > 0) {
			*n = m;
			if (has_stub)
				*has_stub = 1;
		}
		goto out; /* a stub that names no shards: not a set */
	}
	if (exists)
		goto out; /* empty or binary: a damaged single index (store.c says so) */
	if ((st = read_small(dir, "sou.shards", 64, &text, &exists, err)) || !exists)
		goto out;
	if (sscanf(text.data ? text.data : "", "%u", &m) != 1 || m < 2 ||
	    m > SOU_STORE_MAX_SHARDS)
		st = sou_error_set(err, SOU_ERR_DB, "%s/sou.shards: does not hold a shard count "
				   "from 2 to %d: the set is damaged", dir, SOU_STORE_MAX_SHARDS);
	else
		*n = m;
out:
	sou_buf_free(&text);
	return st;
}

int sou_store_holds_single(const char *dir)
{
	DIR *d;
	struct dirent *de;
	unsigned g, n = 0;
	int found = 0;

	if (sou_store_probe_set(dir, &n, NULL, NULL) == SOU_OK && n)
		return 0;
	if (sou_genlock_read_stub(dir, &g, NULL) != SOU_OK || g)
		return 1; /* a single index's stub, maybe damaged */
	if (!(d = opendir(dir)))
		return 0;
	while (!found && (de = readdir(d)))
		found = classify(de->d_name, &g) == ENTRY_GEN;
	closedir(d);
	return found;
}

sou_status sou_store_set_begin(const char *dir, unsigned n, sou_error *err)
{
	char line[32];
	int len = snprintf(line, sizeof(line), "%u\n", n);

	if (replace_file(dir, "sou.shards", line, (size_t)len))
		return SOU_OK;
	return sou_error_set(err, SOU_ERR_DB, "%s/sou.shards: cannot write: %s", dir,
			     strerror(errno));
}

sou_status sou_store_set_publish(const char *dir, unsigned n, sou_error *err)
{
	sou_buf want = SOU_BUF_INIT, have = SOU_BUF_INIT, p = SOU_BUF_INIT;
	sou_status st = SOU_OK;
	unsigned k;
	int exists = 0;

	for (k = 0; k < n; k++)
		sou_buf_addf(&want, "auto shard-%u\n", k);
	if (read_small(dir, "XAPIANDB", SET_STUB_MAX, &have, &exists, NULL) || !exists ||
	    have.len != want.len || memcmp(have.data, want.data, want.len)) {
		if (!replace_file(dir, "XAPIANDB", want.data, want.len))
			st = sou_error_set(err, SOU_ERR_DB, "%s/XAPIANDB: cannot write the shard "
					   "set's stub: %s", dir, strerror(errno));
	}
	if (!st) { /* the stub says it all now */
		sou_buf_addf(&p, "%s/sou.shards", dir);
		unlink(p.data);
	}
	sou_buf_free(&want);
	sou_buf_free(&have);
	sou_buf_free(&p);
	return st;
}

sou_status sou_store_lock_dir(const char *dir, double wait_s, int read_only, int *fd,
			      sou_error *err)
{
	sou_buf p = SOU_BUF_INIT;
	struct timespec t0, t;

	sou_buf_addf(&p, "%s/sou.lock", dir);
	*fd = open(p.data, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
	if (*fd < 0 && read_only && (errno == EACCES || errno == EROFS))
		*fd = open(p.data, O_RDONLY | O_CLOEXEC); /* flock needs no write */
	if (*fd < 0) {
		/* not "locked": only another writer holding it is (exit 75) */
		sou_error_set(err, SOU_ERR_DB, "%s: cannot open the index's lock file: %s",
			      p.data, strerror(errno));
		sou_buf_free(&p);
		return SOU_ERR_DB;
	}
	clock_gettime(CLOCK_MONOTONIC, &t0);
	while (flock(*fd, LOCK_EX | LOCK_NB) < 0) {
		double waited;
		sou_status st = SOU_OK;
		if (errno != EWOULDBLOCK && errno != EINTR) {
			st = sou_error_set(err, SOU_ERR_DB, "%s: cannot lock the index: %s", p.data,
					   strerror(errno));
		} else {
			clock_gettime(CLOCK_MONOTONIC, &t);
			waited = (double)(t.tv_sec - t0.tv_sec) +
				 (double)(t.tv_nsec - t0.tv_nsec) / 1e9;
			if (waited >= wait_s)
				st = sou_error_set(err, SOU_ERR_LOCKED,
						   "%s: index is locked: another sou-index is writing it%s",
						   dir, wait_s > 0 ? " (gave up waiting)" : "");
		}
		if (st) {
			close(*fd);
			*fd = -1;
			sou_buf_free(&p);
			return st;
		}
		usleep(100000);
	}
	sou_buf_free(&p);
	return SOU_OK;
}

/*
 * Takes DIR/sou.lock.  read_only: for a run that writes nothing
 * (--check), which may lack write permission.
 */
static sou_status take_lock(sou_store *s, double wait_s, int read_only, sou_error *err)
{
	return sou_store_lock_dir(s->dir, wait_s, read_only, &s->lock_fd, err);
}

/*
 * Creates the directories above dir that are missing (as mkdir -p), so
 * that the default ~/.sou/index works on a fresh account.  They are
 * created 0700: ~/.sou holds nothing for other users.
 */
static sou_status make_parents(const char *dir, sou_error *err)
{
	char *p = sou_xstrdup(dir), *slash;
	sou_status st = SOU_OK;
	struct stat sb;

	for (slash = strchr(p + 1, '/'); slash; slash = strchr(slash + 1, '/')) {
		*slash = '\0';
		if (stat(p, &sb) < 0 && mkdir(p, 0700) < 0 && errno != EEXIST) {
			st = sou_error_set(err, SOU_ERR_DB, "%s: cannot create directory: %s", p,
					   strerror(errno));
			break;
		}
		*slash = '/';
	}
	free(p);
	return st;
}

sou_status sou_store_open(const char *dir, int rebuild, double wait_s,
			  sou_store **out, sou_error *err)
{
	sou_store *s = sou_xcalloc(1, sizeof(*s));
	sou_buf cur = SOU_BUF_INIT;
	struct stat sb;
	sou_status st;

	*out = NULL;
	s->dir = sou_xstrdup(dir);
	s->lock_fd = -1;
	if ((st = make_parents(dir, err)))
		goto fail;
	/* 0700: the index holds the text of every post, some maybe private (README) */
	if (mkdir(dir, 0700) < 0 && errno != EEXIST) {
		st = sou_error_set(err, SOU_ERR_DB, "%s: cannot create index directory: %s",
				   dir, strerror(errno));
		goto fail;
	}
	if ((st = take_lock(s, wait_s, 0, err)))
		goto fail;
	/* a shard set is written through its shards (shards.c); checked
	 * under the lock, which a run on the set holds too */
	{
		unsigned n = 0;
		if ((st = sou_store_probe_set(dir, &n, NULL, err)))
			goto fail;
		if (n) {
			st = sou_error_set(err, SOU_ERR_USAGE, "%s: a set of %u shards, not a "
					   "single index", dir, n);
			goto fail;
		}
	}
	/* a damaged stub stops every run but a rebuild, which replaces it */
	if ((st = sou_genlock_read_stub(dir, &s->current, err))) {
		if (!rebuild)
			goto fail;
		st = SOU_OK;
		s->current = 0;
	}
	if (s->current) {
		gen_path(&cur, dir, s->current);
		if (stat(cur.data, &sb) < 0 || !S_ISDIR(sb.st_mode)) {
			if (rebuild) {
				s->current = 0; /* nothing to keep */
			} else {
				st = sou_error_set(err, SOU_ERR_DB,
						   "%s/XAPIANDB: names gen-%06u, which is missing, so the "
						   "index is damaged: " SOU_GENLOCK_REBUILD_HINT,
						   dir, s->current);
				goto fail;
			}
		}
	}
	/* readers of the current generation lock it from now on (an index
	 * written by an older sou has no lock file yet) */
	if (s->current && (st = make_lock_file(dir, s->current, err)))
		goto fail;
	collect_garbage(s);
	prepare_run_record(dir);
	if (rebuild || !s->current) {
		unsigned m = max_gen(dir);
		s->fresh = 1;
		s->gen = (m > s->current ? m : s->current) + 1;
	} else {
		s->gen = s->current;
	}
	gen_path(&s->gen_path, dir, s->gen);
	sou_buf_free(&cur);
	*out = s;
	return SOU_OK;
fail:
	sou_buf_free(&cur);
	sou_store_destroy(s);
	return st;
}

sou_status sou_store_lock(const char *dir, double wait_s, sou_store **out, sou_error *err)
{
	sou_store *s = sou_xcalloc(1, sizeof(*s));
	struct stat sb;
	sou_status st;

	*out = NULL;
	s->dir = sou_xstrdup(dir);
	s->lock_fd = -1;
	if (stat(dir, &sb) < 0 || !S_ISDIR(sb.st_mode)) {
		st = sou_error_set(err, SOU_ERR_NOTFOUND, "%s: no index here", dir);
		goto fail;
	}
	if ((st = take_lock(s, wait_s, 1, err)) ||
	    (st = sou_genlock_read_stub(dir, &s->current, err)))
		goto fail;
	s->gen = s->current;
	gen_path(&s->gen_path, dir, s->gen);
	*out = s;
	return SOU_OK;
fail:
	sou_store_destroy(s);
	return st;
}

void sou_store_make_fresh(sou_store *s)
{
	unsigned m;

	if (s->fresh)
		return;
	m = max_gen(s->dir);
	s->fresh = 1;
	s->gen = (m > s->current ? m : s->current) + 1;
	gen_path(&s->gen_path, s->dir, s->gen);
}

int sou_store_is_fresh(const sou_store *s)
{
	return s->fresh;
}

int sou_store_has_current(const sou_store *s)
{
	return s->current != 0;
}

const char *sou_store_gen_path(const sou_store *s)
{
	return s->gen_path.data;
}

void sou_store_shard_path(const sou_store *s, unsigned k, sou_buf *out)
{
	sou_buf_reset(out);
	sou_buf_addf(out, "%s.shard-%u", s->gen_path.data, k);
}

sou_status sou_store_open_db(sou_store *s, sou_xdb **db, sou_error *err)
{
	/* the generation itself, incremental or fresh: never through the
	 * stub, which Xapian would follow wherever it points (xwrap.h) */
	return sou_xdb_open(s->gen_path.data, SOU_XDB_WRITE, db, err);
}

sou_status sou_store_publish(sou_store *s, sou_error *err)
{
	sou_status st;

	if (!s->fresh || s->published)
		return SOU_OK;
	/* the lock file first: a reader may open the generation as soon as
	 * the stub names it */
	if ((st = make_lock_file(s->dir, s->gen, err)) ||
	    (st = write_stub(s->dir, s->gen, err)))
		return st;
	s->published = 1;
	s->current = s->gen;
	/* the previous generation goes now unless a reader still holds it;
	 * then the next run removes it */
	collect_garbage(s);
	return SOU_OK;
}

void sou_store_destroy(sou_store *s)
{
	if (!s)
		return;
	if (s->fresh && !s->published && s->gen)
		remove_gen(s->dir, s->gen);
	if (s->fresh && s->published)
		remove_shards(s->dir, s->gen); /* merged into the generation */
	if (s->lock_fd >= 0)
		close(s->lock_fd); /* releases the flock */
	sou_buf_free(&s->gen_path);
	free(s->dir);
	free(s);
}
