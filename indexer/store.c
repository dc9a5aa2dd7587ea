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
	sou_buf_reset(b);
	sou_buf_addf(b, "%s/gen-%06u", dir, gen);
}

/* Reads the generation named by DIR/XAPIANDB; 0 if there is no stub. */
static unsigned read_stub(const char *dir)
{
	sou_buf p = SOU_BUF_INIT;
	char line[256];
	unsigned g = 0;
	FILE *f;

	sou_buf_addf(&p, "%s/XAPIANDB", dir);
	f = fopen(p.data, "r");
	sou_buf_free(&p);
	if (!f)
		return 0;
	if (fgets(line, sizeof(line), f) && sscanf(line, "auto gen-%u", &g) != 1)
		g = 0;
	fclose(f);
	return g;
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

static sou_status take_lock(sou_store *s, double wait_s, sou_error *err)
{
	sou_buf p = SOU_BUF_INIT;
	struct timespec t0, t;

	sou_buf_addf(&p, "%s/sou.lock", s->dir);
	s->lock_fd = open(p.data, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
	if (s->lock_fd < 0) {
		sou_error_set(err, SOU_ERR_DB, "%s: %s", p.data, strerror(errno));
		sou_buf_free(&p);
		return SOU_ERR_DB;
	}
	clock_gettime(CLOCK_MONOTONIC, &t0);
	while (flock(s->lock_fd, LOCK_EX | LOCK_NB) < 0) {
		double waited;
		if (errno != EWOULDBLOCK && errno != EINTR) {
			sou_error_set(err, SOU_ERR_DB, "%s: %s", p.data, strerror(errno));
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

sou_status sou_store_open(const char *dir, int rebuild, double wait_s,
			  sou_store **out, sou_error *err)
{
	sou_store *s = sou_xcalloc(1, sizeof(*s));
	sou_status st;

	*out = NULL;
	s->dir = sou_xstrdup(dir);
	s->lock_fd = -1;
	if (mkdir(dir, 0755) < 0 && errno != EEXIST) {
		st = sou_error_set(err, SOU_ERR_DB, "%s: cannot create index directory: %s",
				   dir, strerror(errno));
		goto fail;
	}
	if ((st = take_lock(s, wait_s, err)))
		goto fail;
	s->current = read_stub(dir);
	if (rebuild || !s->current) {
		unsigned m = max_gen(dir);
		s->fresh = 1;
		s->gen = (m > s->current ? m : s->current) + 1;
	} else {
		s->gen = s->current;
	}
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
	unsigned g, prev = s->current;
	sou_status st;

	if (!s->fresh || s->published)
		return SOU_OK;
	if ((st = write_stub(s->dir, s->gen, err)))
		return st;
	s->published = 1;
	s->current = s->gen;
	/* keep the previous generation for readers that still hold it; drop
	 * older ones and leftovers of rebuilds that were killed */
	for (g = 1; g < s->gen; g++)
		if (g != prev)
			remove_gen(s->dir, g);
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
