/*
 * fsafe.c - regular files only, opened without blocking (see fsafe.h).
 */
#include "fsafe.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include "buf.h"

const char *sou_fsafe_kind(mode_t mode)
{
	if (S_ISREG(mode))
		return "a regular file";
	if (S_ISDIR(mode))
		return "a directory";
	if (S_ISFIFO(mode))
		return "a FIFO";
	if (S_ISCHR(mode))
		return "a character device";
	if (S_ISBLK(mode))
		return "a block device";
	if (S_ISSOCK(mode))
		return "a socket";
	if (S_ISLNK(mode))
		return "a symlink";
	return "not a file";
}

static sou_status open_failed(const char *path, int e, sou_error *err)
{
	return sou_error_set(err, (e == ENOENT || e == ENOTDIR) ? SOU_ERR_NOTFOUND : SOU_ERR_IO,
			     "%s: %s", path, strerror(e));
}

sou_status sou_fsafe_open(const char *path, int *fd, struct stat *sb, sou_error *err)
{
	struct stat before, after;
	int f, fl;

	*fd = -1;
	/* stat first: a device is not even opened (opening some has effects) */
	if (stat(path, &before) != 0)
		return open_failed(path, errno, err);
	if (!S_ISREG(before.st_mode))
		return sou_error_set(err, SOU_ERR_IO, "%s: not a regular file (%s)", path,
				     sou_fsafe_kind(before.st_mode));
	f = open(path, O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
	if (f < 0)
		return open_failed(path, errno, err);
	if (fstat(f, &after) != 0) {
		int e = errno;
		close(f);
		return open_failed(path, e, err);
	}
	if (!S_ISREG(after.st_mode)) { /* swapped in since the stat */
		close(f);
		return sou_error_set(err, SOU_ERR_IO, "%s: not a regular file (%s)", path,
				     sou_fsafe_kind(after.st_mode));
	}
	/* regular files ignore O_NONBLOCK, but callers expect a plain fd */
	if ((fl = fcntl(f, F_GETFL)) >= 0)
		(void)fcntl(f, F_SETFL, fl & ~O_NONBLOCK);
	if (sb)
		*sb = after;
	*fd = f;
	return SOU_OK;
}

sou_status sou_fsafe_check_glass(const char *dir, sou_error *err)
{
	DIR *d = opendir(dir);
	int derr = d ? 0 : errno;
	struct dirent *e;
	sou_buf p = SOU_BUF_INIT;
	sou_status st = SOU_OK;
	struct stat sb;

	/* no version file: no database here (yet), which callers report as
	 * "no index"; only then are the entries worth looking at */
	sou_buf_addf(&p, "%s/iamglass", dir);
	if (lstat(p.data, &sb) != 0) {
		int e = errno;
		if (d)
			closedir(d);
		sou_buf_free(&p);
		if (e == ENOENT || e == ENOTDIR)
			return sou_error_set(err, SOU_ERR_NOTFOUND, "%s: no Xapian database here", dir);
		return sou_error_set(err, SOU_ERR_DB, "%s/iamglass: %s", dir, strerror(e));
	}
	if (!d) {
		sou_buf_free(&p);
		return sou_error_set(err, SOU_ERR_DB, "%s: %s", dir, strerror(derr));
	}
	while ((e = readdir(d))) {
		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			continue;
		sou_buf_reset(&p);
		sou_buf_addf(&p, "%s/%s", dir, e->d_name);
		if (lstat(p.data, &sb) != 0)
			continue; /* gone meanwhile: what Xapian needs it reports */
		if (!S_ISREG(sb.st_mode)) {
			st = sou_error_set(err, SOU_ERR_DB,
					   "%s: not a Xapian glass database: '%s' is %s, not a "
					   "regular file", dir, e->d_name, sou_fsafe_kind(sb.st_mode));
			break;
		}
	}
	closedir(d);
	sou_buf_free(&p);
	return st;
}
