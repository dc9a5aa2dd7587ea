/*
 * fsafe.h - opening files that someone else may have put in sou's way.
 *
 * An index directory may come from someone else (downloaded, unpacked,
 * shared), and a posts tree can change under a run.  Any file sou reads
 * by name there may have been replaced by a FIFO (open(2) then blocks
 * until a writer appears: forever), a device (a terminal, /dev/zero: a
 * read that never ends), a directory or a symlink to any of those.  So
 * every file sou opens for reading by a name it did not choose goes
 * through here:
 *
 *   - sou_fsafe_open: the name must be a regular file (after following
 *     symlinks); it is opened with O_NONBLOCK, so a FIFO swapped in after
 *     the check does not block the open either, and checked again with
 *     fstat(2) before it is used;
 *   - sou_fsafe_check_glass: a Xapian glass database directory must hold
 *     only regular files (no symlinks, FIFOs, devices or directories) and
 *     its "iamglass" version file, before Xapian opens anything in it.
 *     Xapian opens its table files with a plain open(2), so this is how
 *     a generation of a hostile index cannot make a reader hang.
 *
 * A file named by the user on the command line is theirs to choose: sou
 * still refuses non-regular files where it reads settings (--dict,
 * --synonyms, stubs), but `--batch -` and `--batch FILE` read pipes.
 *
 * The checks race with someone changing the directory between them and
 * the open; that is harmless for an index that holds still (a downloaded
 * one), and the O_NONBLOCK open closes the one race that could hang.
 */
#ifndef SOU_FSAFE_H
#define SOU_FSAFE_H

#include <sys/stat.h>

#include "error.h"

#ifdef __cplusplus
extern "C" {
#endif

/*
 * Opens path read-only (close-on-exec, no controlling terminal) when it
 * is a regular file, filling *fd (the caller closes it) and, if sb is not
 * NULL, *sb.  Errors: SOU_ERR_NOTFOUND when nothing is there, SOU_ERR_IO
 * otherwise ("PATH: not a regular file (a FIFO)", "PATH: Permission
 * denied"); *fd is -1 then.
 */
sou_status sou_fsafe_open(const char *path, int *fd, struct stat *sb, sou_error *err);

/* "a FIFO", "a directory", "a character device", ... for st_mode. */
const char *sou_fsafe_kind(mode_t mode);

/*
 * SOU_OK when dir is a directory holding a glass database that Xapian can
 * open without blocking: an "iamglass" file, and nothing but regular
 * files.  Errors (SOU_ERR_DB, or SOU_ERR_NOTFOUND when dir does not exist)
 * name dir and the entry.
 */
sou_status sou_fsafe_check_glass(const char *dir, sou_error *err);

#ifdef __cplusplus
}
#endif

#endif
