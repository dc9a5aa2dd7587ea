/*
 * test_check.c - unit tests for indexer/check.c (sou-index --check) on
 * small indexes built here: a sound one; one whose stored post does not
 * decode (also: sou-query's searcher must call that damage); one whose
 * stored post has no unit streams (a problem only in format 5); one with a
 * document that has no record and a record that has no document.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "testutil.h"
#include "check.h"
#include "postdoc.h"
#include "search.h"
#include "state.h"

/* One post to put in a test index. */
typedef struct tpost {
	const char *key;
	const char *src;
	const char *bad_data; /* stored instead of the real record, if set */
	int record;           /* write its per-file record */
	int doc;              /* write its document */
} tpost;

/* The format build() records (SOU_META_CONFIG), as sou-index would. */
static const char *build_format = SOU_SCHEMA_FORMAT;

/* Builds DIR/gen-000001 from posts[0..n) and points DIR/XAPIANDB at it. */
static char *build(const tpost *posts, size_t n)
{
	char *dir = tu_mkdtemp(), p[4096];
	sou_postdoc *pd = sou_postdoc_create();
	sou_termgen *tg = NULL;
	sou_xdb *db = NULL;
	sou_error err;
	FILE *f;
	size_t i;

	snprintf(p, sizeof(p), "%s/gen-000001", dir);
	if (sou_xdb_open(p, SOU_XDB_CREATE, &db, &err) || sou_termgen_create(&tg, &err))
		fail_msg("%s", err.msg);
	for (i = 0; i < n; i++) {
		sou_xdoc *doc = NULL;
		sou_file_state r;
		if (posts[i].doc) {
			if (sou_postdoc_parse(pd, posts[i].key, posts[i].src, strlen(posts[i].src),
					      SOU_DEFAULT_TZ_MIN, &err) ||
			    sou_postdoc_build(pd, tg, posts[i].key, &doc, &err))
				fail_msg("%s", err.msg);
			if (posts[i].bad_data)
				sou_xdoc_set_data(doc, posts[i].bad_data, strlen(posts[i].bad_data));
			if (sou_xdb_replace(db, sou_postdoc_idterm(pd), doc, &err))
				fail_msg("%s", err.msg);
			sou_xdoc_destroy(doc);
		}
		if (posts[i].record) {
			memset(&r, 0, sizeof(r));
			r.status = 'o';
			r.root = (char *)"/posts";
			r.relpath = (char *)posts[i].key;
			if (sou_state_write(db, &r, &err))
				fail_msg("%s", err.msg);
		}
	}
	snprintf(p, sizeof(p), "%s tz=%d", build_format, SOU_DEFAULT_TZ_MIN);
	if (sou_xdb_set_metadata(db, SOU_META_CONFIG, p, strlen(p), &err) ||
	    sou_xdb_commit(db, &err))
		fail_msg("%s", err.msg);
	sou_xdb_destroy(db);
	sou_termgen_destroy(tg);
	sou_postdoc_destroy(pd);
	snprintf(p, sizeof(p), "%s/XAPIANDB", dir);
	f = fopen(p, "w");
	assert_non_null(f);
	fputs("auto gen-000001\n", f);
	fclose(f);
	return dir;
}

/*
 * libxapian's checker (Xapian::Database::check) deletes one of its own
 * objects through a pointer of another type: harmless, inside Xapian, and
 * fatal under ASan unless this check is off (merged with $ASAN_OPTIONS).
 */
const char *__asan_default_options(void);
const char *__asan_default_options(void)
{
	return "new_delete_type_mismatch=0";
}

static const char post_a[] = "---\ntitle: A\n---\nalpha words here\n";
static const char post_b[] = "---\ntitle: B\n---\nalpha more words\n";

static void test_sound(void **state)
{
	tpost posts[] = { { "a.md", post_a, NULL, 1, 1 }, { "b.md", post_b, NULL, 1, 1 } };
	char *dir = build(posts, 2);
	sou_check_report r;
	sou_error err;

	(void)state;
	if (sou_check_run(dir, 0, &r, &err))
		fail_msg("%s", err.msg);
	assert_int_equal(r.problems, 0);
	assert_int_equal(r.posts, 2);
	assert_int_equal(r.records, 2);
	sou_check_report_clear(&r);
	tu_rmtree(dir);
}

static void test_data_not_decoding(void **state)
{
	tpost posts[] = { { "a.md", post_a, NULL, 1, 1 }, { "b.md", post_b, "not a record", 1, 1 } };
	char *dir = build(posts, 2);
	sou_check_report r;
	sou_searcher *s = NULL;
	sou_search_opts o;
	sou_results *res = NULL;
	sou_error err;

	(void)state;
	if (sou_check_run(dir, 0, &r, &err))
		fail_msg("%s", err.msg);
	assert_int_equal(r.problems, 1);
	assert_non_null(strstr(r.text.data, "b.md: its stored data does not decode"));
	sou_check_report_clear(&r);

	/* a query that reaches the post says the index is damaged */
	if (sou_searcher_create(dir, &s, &err))
		fail_msg("%s", err.msg);
	sou_search_opts_init(&o);
	assert_int_equal(sou_searcher_run(s, "alpha", &o, &res, &err), SOU_ERR_DB);
	assert_null(res);
	assert_non_null(strstr(err.msg, "the index is damaged"));
	assert_non_null(strstr(err.msg, "sou-index --rebuild"));
	sou_searcher_destroy(s);
	tu_rmtree(dir);
}

/*
 * A record that decodes but has no unit streams: a problem in an index of
 * the current format (checked queries could not run on it), none in one
 * of format 4, which never had them.
 */
static void test_record_without_units(void **state)
{
	static const char old[] = "{\"path\":\"b.md\",\"title\":\"B\"}\nalpha more words";
	tpost posts[] = { { "a.md", post_a, NULL, 1, 1 }, { "b.md", post_b, old, 1, 1 } };
	char *dir = build(posts, 2);
	sou_check_report r;
	sou_error err;

	(void)state;
	if (sou_check_run(dir, 0, &r, &err))
		fail_msg("%s", err.msg);
	assert_int_equal(r.problems, 1);
	assert_non_null(strstr(r.text.data, "b.md: its stored data has no unit streams"));
	sou_check_report_clear(&r);
	tu_rmtree(dir);

	build_format = SOU_SCHEMA_FORMAT_POSITIONAL;
	dir = build(posts, 2);
	build_format = SOU_SCHEMA_FORMAT;
	if (sou_check_run(dir, 0, &r, &err))
		fail_msg("%s", err.msg);
	assert_int_equal(r.problems, 0);
	sou_check_report_clear(&r);
	tu_rmtree(dir);
}

static void test_records_and_documents_disagree(void **state)
{
	tpost posts[] = {
		{ "a.md", post_a, NULL, 1, 1 },
		{ "orphan.md", post_b, NULL, 0, 1 },   /* document, no record */
		{ "ghost.md", post_b, NULL, 1, 0 },    /* record, no document */
	};
	char *dir = build(posts, 3);
	sou_check_report r;
	sou_error err;

	(void)state;
	if (sou_check_run(dir, 0, &r, &err))
		fail_msg("%s", err.msg);
	assert_int_equal(r.problems, 2);
	assert_non_null(strstr(r.text.data, "ghost.md: recorded as indexed, but the index has no document"));
	assert_non_null(strstr(r.text.data, "orphan.md: a document without a record"));
	sou_check_report_clear(&r);
	tu_rmtree(dir);
}

static void test_no_index(void **state)
{
	char *dir = tu_mkdtemp();
	sou_check_report r;
	sou_error err;

	(void)state;
	assert_int_equal(sou_check_run(dir, 0, &r, &err), SOU_ERR_NOTFOUND);
	tu_rmtree(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sound),
		cmocka_unit_test(test_data_not_decoding),
		cmocka_unit_test(test_record_without_units),
		cmocka_unit_test(test_records_and_documents_disagree),
		cmocka_unit_test(test_no_index),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
