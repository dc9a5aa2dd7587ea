/*
 * genlock.c - readers' shared locks on index generations (see genlock.h).
 */
#include "genlock.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fsafe.h"

/* sou writes "auto gen-NNNNNN\n"; anything longer is not sou's stub. */
#define STUB_MAX 256

/* A reader gives up after this many generations switched under it. */
#define TAKE_TRIES 100

struct sou_genhold {
	char *dir;           /* the index directory (NULL: not a stub) */
	unsigned gen;        /* generation held (0: none) */
	int fd;              /* its lock file, flocked shared (-1: none) */
	sou_buf path;        /* what to open */
};

void sou_genlock_gen_path(const char *dir, unsigned gen, sou_buf *out)
{
	sou_buf_reset(out);
	sou_buf_addf(out, "%s/gen-%06u", dir, gen);
}

sou_status sou_genlock_read_stub(const char *dir, unsigned *gen, sou_error *err)
{
	sou_buf p = SOU_BUF_INIT;
	char text[STUB_MAX + 1];
	size_t len = 0;
	ssize_t r;
	unsigned g = 0;
	int fd, n = 0;
	sou_status st = SOU_OK;
	sou_error fe;

	*gen = 0;
	sou_buf_addf(&p, "%s/XAPIANDB", dir);
	/* a FIFO or device as the stub must not block or feed a reader */
	if ((st = sou_fsafe_open(p.data, &fd, NULL, &fe))) {
		const char *why = fe.msg;

		if (!strncmp(why, p.data, p.len) && why[p.len] == ':')
			why += p.len + 2; /* "PATH: reason" */
		if (st == SOU_ERR_NOTFOUND)
			st = SOU_OK; /* no stub: not a sou index */
		else
			st = sou_error_set(err, SOU_ERR_DB, "%s: cannot read the index's stub file: %s",
					   p.data, why);
		sou_buf_free(&p);
		return st;
	}
	while (len < STUB_MAX && (r = read(fd, text + len, STUB_MAX - len)) != 0) {
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			st = sou_error_set(err, SOU_ERR_DB, "%s: cannot read the index's stub file: %s",
					   p.data, strerror(errno));
			break;
		}
		len += (size_t)r;
	}
	close(fd);
	text[len] = '\0';
	if (!st && len == 0)
		st = sou_error_set(err, SOU_ERR_DB,
				   "%s: the index's stub file is empty, so the index is damaged: "
				   SOU_GENLOCK_REBUILD_HINT, p.data);
	else if (!st && (sscanf(text, "auto gen-%u%n", &g, &n) != 1 || g == 0 ||
			 strspn(text + n, " \t\r\n") != len - (size_t)n ||
			 memchr(text, '\0', len)))
		st = sou_error_set(err, SOU_ERR_DB,
				   "%s: the index's stub file does not name a generation "
				   "(expected one line \"auto gen-NNNNNN\"), so the index is damaged: "
				   SOU_GENLOCK_REBUILD_HINT, p.data);
	if (!st)
		*gen = g;
	sou_buf_free(&p);
	return st;
}

/* 1 if fd is the file now at path (not one removed and replaced since). */
static int same_inode(int fd, const char *path)
{
	struct stat a, b;

	return fstat(fd, &a) == 0 && stat(path, &b) == 0 && a.st_dev == b.st_dev &&
	       a.st_ino == b.st_ino;
}

static int is_dir(const char *path)
{
	struct stat sb;

	return stat(path, &sb) == 0 && S_ISDIR(sb.st_mode);
}

sou_status sou_genlock_take(const char *path, sou_genhold **out, sou_error *err)
{
	sou_genhold *h = sou_xcalloc(1, sizeof(*h));
	sou_buf lock = SOU_BUF_INIT;
	sou_status st = SOU_OK;
	unsigned gen, again;
	int tries, open_errno;

	*out = NULL;
	h->fd = -1;
	for (tries = 0;; tries++) {
		if ((st = sou_genlock_read_stub(path, &gen, err)))
			break;
		if (!gen) { /* not a sou index directory: Xapian decides */
			sou_buf_reset(&h->path);
			sou_buf_adds(&h->path, path);
			break;
		}
		sou_genlock_gen_path(path, gen, &h->path);
		sou_buf_reset(&lock);
		sou_buf_addf(&lock, "%s/%s", h->path.data, SOU_GENLOCK_FILE);
		{
			/* a FIFO in place of the lock file must not block */
			sou_error le;
			sou_status ls = sou_fsafe_open(lock.data, &h->fd, NULL, &le);
			open_errno = ls == SOU_OK ? 0 : ls == SOU_ERR_NOTFOUND ? ENOENT : EIO;
		}
		if (h->fd >= 0)
			while (flock(h->fd, LOCK_SH) < 0 && errno == EINTR)
				;
		/* the writer may have switched and removed gen meanwhile */
		if ((st = sou_genlock_read_stub(path, &again, err)))
			break;
		if (again == gen && open_errno == ENOENT && !is_dir(h->path.data)) {
			struct stat sb;
			st = sou_error_set(err, SOU_ERR_DB,
					   "%s/XAPIANDB: names gen-%06u, which is %s, so the "
					   "index is damaged: " SOU_GENLOCK_REBUILD_HINT, path, gen,
					   lstat(h->path.data, &sb) == 0 ? "not a directory" : "missing");
			break;
		}
		if (again == gen && (h->fd < 0 || same_inode(h->fd, lock.data))) {
			/* no lock file: an older sou wrote it, or it cannot be
			 * read; open it unprotected rather than not at all */
			h->dir = sou_xstrdup(path);
			h->gen = gen;
			break;
		}
		if (h->fd >= 0)
			close(h->fd);
		h->fd = -1;
		if (tries == TAKE_TRIES) {
			st = sou_error_set(err, SOU_ERR_DB,
					   "%s: the index switched generations %d times while opening it",
					   path, TAKE_TRIES);
			break;
		}
	}
	sou_buf_free(&lock);
	if (st) {
		sou_genlock_release(h);
		return st;
	}
	*out = h;
	return SOU_OK;
}

const char *sou_genlock_path(const sou_genhold *h)
{
	return h->path.data;
}

int sou_genlock_moved(const sou_genhold *h)
{
	unsigned gen;

	if (!h->dir)
		return 0;
	/* a stub gone bad counts as moved, so that reopening reports it */
	return sou_genlock_read_stub(h->dir, &gen, NULL) || gen != h->gen;
}

void sou_genlock_release(sou_genhold *h)
{
	if (!h)
		return;
	if (h->fd >= 0)
		close(h->fd); /* drops the flock */
	free(h->dir);
	sou_buf_free(&h->path);
	free(h);
}
