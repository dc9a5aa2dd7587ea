/*
 * cancel.h - stopping a long parse from outside: a flag that a signal
 * handler sets and the parsing stages read.
 *
 * sou-index's SIGINT/SIGTERM handler sets a volatile sig_atomic_t; the
 * stages that can take long on one post (YAML events, Markdown and HTML
 * chunks, segmentation and term generation) look at it every so often
 * and give up with SOU_ERR_INTERRUPTED, so a signal stops a run within a
 * fraction of a second whatever post is being parsed (the post is then
 * not indexed, not remembered, and redone by the next run).  A NULL
 * flag means "never cancelled".  Header only: the check is one load.
 */
#ifndef SOU_CANCEL_H
#define SOU_CANCEL_H

#include <signal.h>

/* The flag; set (nonzero) once, from a signal handler or another thread. */
typedef volatile sig_atomic_t sou_cancel;

/* 1 once *c is set; 0 for NULL. */
static inline int sou_cancelled(const sou_cancel *c)
{
	return c && *c;
}

#endif
