/*
 * testutil.h - helpers shared by sou's cmocka unit tests: temporary
 * directories for Xapian databases, and UTF-8 checks.
 */
#ifndef SOU_TESTUTIL_H
#define SOU_TESTUTIL_H

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

/* Creates a fresh directory /tmp/sou-unit-XXXXXX; returns a malloc'd path. */
char *tu_mkdtemp(void);
/* Removes the directory tree at path and frees path. */
void tu_rmtree(char *path);
/*
 * For a group whose tests share one temporary directory: tu_dir_setup
 * creates tu_dir (tu_mkdtemp), tu_dir_teardown removes it; pass them to
 * cmocka_run_group_tests.
 */
extern char *tu_dir;
int tu_dir_setup(void **state);
int tu_dir_teardown(void **state);
/* 1 if s[0..n) is well-formed UTF-8. */
int tu_valid_utf8(const char *s, size_t n);
/* 1 if byte offset off of s[0..n) is on a UTF-8 character boundary. */
int tu_utf8_boundary(const char *s, size_t n, size_t off);

#endif
