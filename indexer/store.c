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
	sou_buf p = SOU_BUF_INIT;
	char rec[RUN_RECORD];
	int fd, ok;

	memset(rec, 0, sizeof(rec));
	memcpy(rec, line, len < RUN_RECORD - 1 ? len : RUN_RECORD - 1);
	sou_buf_addf(&p, "%s/sou.lastrun", s->dir);
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

/* Atomically points DIR/XAPIANDB at gen: write a temporary, fsync, rename. */
static sou_status write_stub(const char *dir, unsigned gen, sou_error *err)
{
	sou_buf tmp = SOU_BUF_INIT, fin = SOU_BUF_INIT;
	char line[64];
	int fd, n, ok;

	sou_buf_addf(&tmp, "%s/XAPIANDB.tmp", dir);
	sou_buf_addf(&fin, "%s/XAPIANDB", dir);
	n = snprintf(line, sizeof(line), "auto gen-%06u\n", gen);
	fd = open(tmp.data, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	ok = fd >= 0 && write(fd, line, (size_t)n) == n && fsync(fd) == 0;
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
		sou_error_set(err, SOU_ERR_DB, "%s: cannot switch to the new index: %s",
			      fin.data, strerror(errno));
		unlink(tmp.data);
	}
	sou_buf_free(&tmp);
	sou_buf_free(&fin);
	return ok ? SOU_OK : SOU_ERR_DB;
}

/*
 * Takes DIR/sou.lock.  read_only: for a run that writes nothing
 * (--check), which may lack write permission.
 */
static sou_status take_lock(sou_store *s, double wait_s, int read_only, sou_error *err)
{
	sou_buf p = SOU_BUF_INIT;
	struct timespec t0, t;

	sou_buf_addf(&p, "%s/sou.lock", s->dir);
	s->lock_fd = open(p.data, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
	if (s->lock_fd < 0 && read_only && (errno == EACCES || errno == EROFS))
		s->lock_fd = open(p.data, O_RDONLY | O_CLOEXEC); /* flock needs no write */
	if (s->lock_fd < 0) {
		/* not "locked": only another writer holding it is (exit 75) */
		sou_error_set(err, SOU_ERR_DB, "%s: cannot open the index's lock file: %s",
			      p.data, strerror(errno));
		sou_buf_free(&p);
		return SOU_ERR_DB;
	}
	clock_gettime(CLOCK_MONOTONIC, &t0);
	while (flock(s->lock_fd, LOCK_EX | LOCK_NB) < 0) {
		double waited;
		if (errno != EWOULDBLOCK && errno != EINTR) {
			sou_error_set(err, SOU_ERR_DB, "%s: cannot lock the index: %s", p.data,
				      strerror(errno));
			sou_buf_free(&p);
			return SOU_ERR_DB;
		}
		clock_gettime(CLOCK_MONOTONIC, &t);
		waited = (double)(t.tv_sec - t0.tv_sec) + (double)(t.tv_nsec - t0.tv_nsec) / 1e9;
		if (waited >= wait_s) {
			sou_error_set(err, SOU_ERR_LOCKED,
				      "%s: index is locked: another sou-index is writing it%s",
				      s->dir, wait_s > 0 ? " (gave up waiting)" : "");
			sou_buf_free(&p);
			return SOU_ERR_LOCKED;
		}
		usleep(100000);
	}
	sou_buf_free(&p);
	return SOU_OK;
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
	/* incremental: through the stub, so the path is the directory */
	return sou_xdb_open(s->fresh ? s->gen_path.data : s->dir, SOU_XDB_WRITE, db, err);
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
