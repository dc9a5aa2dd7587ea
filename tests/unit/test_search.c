/*
 * test_search.c - unit tests for query/search.c with the real indexer
 * (libsouindex) on posts written to a temporary directory: exact runs of
 * Chinese without positional bigrams (index format 5).  Posts hold
 * 中国人民 as a run in the body, the title, a tag, the description, the
 * keywords, across a space, in traditional characters and next to
 * full-width Latin (a post whose unit stream is stored, not derived), and
 * posts hold its bigrams only apart, which the AND of the bigrams matches
 * and the check must reject.  Checked: hits of phrases, of exclusions and
 * of OR groups; runs typed without spaces, which mean their words with
 * the run as typed ranked first; title: scope; totals and their bounds; pages that
 * together give every hit once; --exact-total; and the automatic rebuild
 * of an index written in another format, announced by one notice.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "testutil.h"
#include "indexer.h"
#include "schema.h"
#include "genlock.h"
#include "search.h"
#include "xwrap.h"

static char *dir;
static char posts[300], dbpath[300];

static const struct {
	const char *name;
	const char *src;
} POSTS[] = {
	/* the run, in each searchable place */
	{ "body.md", "---\ntitle: 节日\n---\n中国人民欢度春节。\n" },
	{ "title.md", "---\ntitle: 中国人民的节日\n---\n正文没有。\n" },
	{ "tag.md", "---\ntitle: 人民日报\ntags: [中国人民]\n---\n中国。国人。人民。\n" },
	{ "desc.md", "---\ntitle: 银行\ndescription: 中国人民银行的公告\n---\n正文。\n" },
	{ "kw.md", "---\ntitle: 关键词\nkeywords: [新闻, 中国人民]\n---\n正文。\n" },
	{ "space.md", "---\ntitle: 空格\n---\n我们中国人 民间艺术。\n" },
	{ "trad.md", "---\ntitle: 繁体\n---\n中國人民共和。\n" },
	{ "stored.md", "---\ntitle: 全角\n---\nＦＩＮＶ中国人民指数。\n" },
	/* only apart: every bigram, never the run */
	{ "apart1.md", "---\ntitle: 代表团\n---\n中国代表团。国人关注。人民生活。\n" },
	{ "apart2.md", "---\ntitle: 数据\n---\n中国 GDP。外国人。人民币。\n" },
	{ "apart3.md", "---\ntitle: 人民\ntags: [国人]\n---\n中国，人民！\n" },
};
#define NPOSTS (sizeof(POSTS) / sizeof(POSTS[0]))
#define WITH_RUN "body.md,desc.md,kw.md,space.md,stored.md,tag.md,title.md,trad.md"

static void write_file(const char *path, const char *s)
{
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	assert_int_equal(fwrite(s, 1, strlen(s), f), strlen(s));
	fclose(f);
}

typedef struct events {
	int notices;
	char notice[512];
} events;

static void on_event(void *ctx, const sou_ix_event *ev)
{
	events *e = ctx;

	if (ev->kind == SOU_IX_NOTICE) {
		e->notices++;
		snprintf(e->notice, sizeof(e->notice), "%s", ev->message);
	}
}

static void run_indexer(events *ev, sou_index_stats *stats)
{
	sou_indexer_opts o;
	sou_indexer *ix = NULL;
	sou_error err;
	const char *paths[1] = { posts };

	memset(&o, 0, sizeof(o));
	o.db_path = dbpath;
	o.paths = paths;
	o.npaths = 1;
	o.tz_min = SOU_DEFAULT_TZ_MIN;
	o.jobs = 2;
	o.on_event = on_event;
	o.ctx = ev;
	if (sou_indexer_create(&o, &ix, &err) || sou_indexer_add_path(ix, posts, &err) ||
	    sou_indexer_finish(ix, stats, &err))
		fail_msg("indexer: %s", err.msg);
	sou_indexer_destroy(ix);
}

static int setup(void **state)
{
	char path[400];
	events ev = { 0, "" };
	sou_index_stats stats;
	size_t i;

	(void)state;
	dir = tu_mkdtemp();
	snprintf(posts, sizeof(posts), "%s/posts", dir);
	snprintf(dbpath, sizeof(dbpath), "%s/db", dir);
	if (mkdir(posts, 0755))
		return -1;
	for (i = 0; i < NPOSTS; i++) {
		snprintf(path, sizeof(path), "%s/%s", posts, POSTS[i].name);
		write_file(path, POSTS[i].src);
	}
	run_indexer(&ev, &stats);
	return stats.added == NPOSTS && !ev.notices ? 0 : -1;
}

static int teardown(void **state)
{
	(void)state;
	tu_rmtree(dir);
	return 0;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Runs query with opts; returns the sorted, comma-joined hit paths. */
static const char *run(const char *query, const sou_search_opts *o, sou_results **keep)
{
	static char out[2048];
	sou_searcher *s = NULL;
	sou_results *r = NULL;
	sou_error err;
	char *v[64];
	size_t i;

	if (sou_searcher_create(dbpath, &s, &err) || sou_searcher_run(s, query, o, &r, &err))
		fail_msg("query '%s': %s", query, err.msg);
	assert_true(r->n <= 64);
	for (i = 0; i < r->n; i++)
		v[i] = r->hits[i].doc.path;
	if (r->n > 1)
		qsort(v, r->n, sizeof(*v), cmp_str);
	out[0] = '\0';
	for (i = 0; i < r->n; i++) {
		if (i)
			strcat(out, ",");
		strcat(out, v[i]);
	}
	/* the bounds always hold what is shown, and the estimate lies between */
	assert_true(r->lower <= r->estimated && r->estimated <= r->upper);
	if (r->n)
		assert_true(r->upper >= o->offset + r->n);
	if (keep)
		*keep = r;
	else
		sou_results_destroy(r);
	sou_searcher_destroy(s);
	return out;
}

/* want: the hits as a comma-separated set of paths, in any order */
static void expect(const char *query, const char *want)
{
	sou_search_opts o;
	sou_results *r;
	const char *got;
	char buf[2048], sorted[2048] = "", *v[64], *tok, *save = NULL;
	size_t n = 0, i;

	snprintf(buf, sizeof(buf), "%s", want);
	for (tok = strtok_r(buf, ",", &save); tok && n < 64; tok = strtok_r(NULL, ",", &save))
		v[n++] = tok;
	if (n > 1)
		qsort(v, n, sizeof(*v), cmp_str);
	for (i = 0; i < n; i++) {
		if (i)
			strcat(sorted, ",");
		strcat(sorted, v[i]);
	}
	sou_search_opts_init(&o);
	o.limit = 64;
	got = run(query, &o, &r);
	if (strcmp(got, sorted))
		fail_msg("query '%s': got [%s], want [%s]", query, got, sorted);
	/* few candidates are all checked: the total is exact */
	if (r->estimated != n || r->lower != n || r->upper != n)
		fail_msg("query '%s': total %lu [%lu, %lu], want exactly %zu", query, r->estimated,
			 r->lower, r->upper, n);
	sou_results_destroy(r);
}

static void test_runs(void **state)
{
	(void)state;
	expect("\"中国人民\"", WITH_RUN);
	expect("\"中國人民\"", WITH_RUN);      /* folded like the posts */
	expect("“中国人民”", WITH_RUN);
	expect("\"国人民\"", WITH_RUN);
	/* two characters are exactly their bigram */
	expect("国人", "apart1.md,apart2.md,apart3.md,body.md,desc.md,kw.md,space.md,stored.md,"
	       "tag.md,title.md,trad.md");
	expect("人民欢度", "body.md");
	expect("finv中国人", "stored.md");
	expect("\"中国人民间\"", "space.md");
	expect("中国代表团", "apart1.md");
	expect("\"中国人民代表\"", "");
}

/* Typed without spaces, a run means its words, like 中国 人民 (issue
 * 19): it finds every post with both, those holding the run as typed
 * first; quoted, it is the run. */
static void test_unspaced(void **state)
{
	sou_search_opts o;
	sou_results *r;
	char first[2048] = "", sorted[2048] = "", *v[16], *save = NULL, *tok;
	size_t i, n = 0;

	(void)state;
	expect("中国人民", "apart1.md,apart2.md,apart3.md," WITH_RUN);
	expect("中国 人民", "apart1.md,apart2.md,apart3.md," WITH_RUN);
	expect("人民中国", "apart1.md,apart2.md,apart3.md," WITH_RUN);
	expect("中国人民代表", "apart1.md");
	/* excluded, a run keeps its exact meaning */
	expect("人民 -中国人民", "apart1.md,apart2.md,apart3.md");
	sou_search_opts_init(&o);
	o.limit = 8;
	run("中国人民", &o, &r);
	assert_int_equal(r->n, 8);
	for (i = 0; i < r->n; i++) {
		if (i)
			strcat(first, ",");
		strcat(first, r->hits[i].doc.path);
	}
	sou_results_destroy(r);
	for (tok = strtok_r(first, ",", &save); tok && n < 16; tok = strtok_r(NULL, ",", &save))
		v[n++] = tok;
	qsort(v, n, sizeof(*v), cmp_str);
	for (i = 0; i < n; i++) {
		if (i)
			strcat(sorted, ",");
		strcat(sorted, v[i]);
	}
	assert_string_equal(sorted, WITH_RUN);
}

static void test_exclusion_and_or(void **state)
{
	(void)state;
	/* excluding the run keeps the posts that hold its bigrams apart */
	expect("人民 -\"中国人民\"", "apart1.md,apart2.md,apart3.md");
	expect("国人 -中国人民", "apart1.md,apart2.md,apart3.md"); /* excluded: the run */
	expect("-\"中国人民\" -\"国人关注\" 人民", "apart2.md,apart3.md");
	/* excluding what Xapian matches exactly still works alongside */
	expect("人民 -\"中国人民\" -title:数据", "apart1.md,apart3.md");
	/* OR: a checked run or an exact word or filter */
	expect("\"中国人民\" OR 代表团", WITH_RUN ",apart1.md");
	expect("\"中国人民\" OR tag:国人", "apart3.md," WITH_RUN);
	expect("\"中国人民\" OR finv", WITH_RUN);
	expect("\"中国人民\" OR \"国人关注\"", "apart1.md," WITH_RUN);
	expect("title:中国人民 OR 人民币", "apart2.md,title.md");
}

static void test_title_scope(void **state)
{
	(void)state;
	expect("title:中国人民", "title.md");
	expect("title:\"人民的节\"", "title.md");
	expect("title:人民日报", "tag.md");
	expect("title:国人", "title.md");
	expect("title:中国人民 节日", "title.md");
}

/* Every page of a checked query: each hit once, in one ranking. */
static void test_pages(void **state)
{
	sou_search_opts o;
	sou_results *r;
	char seen[2048] = "";
	const char *all;
	unsigned off;

	(void)state;
	sou_search_opts_init(&o);
	o.limit = 64;
	all = run("\"中国人民\"", &o, NULL);
	assert_string_equal(all, WITH_RUN);
	o.limit = 3;
	for (off = 0; off < 12; off += 3) {
		size_t i;
		o.offset = off;
		run("\"中国人民\"", &o, &r);
		assert_true(r->n <= 3);
		assert_int_equal(r->estimated, 8);
		for (i = 0; i < r->n; i++) {
			assert_int_equal(r->hits[i].rank, off + i + 1);
			if (strstr(seen, r->hits[i].doc.path))
				fail_msg("%s on two pages", r->hits[i].doc.path);
			strcat(seen, r->hits[i].doc.path);
			strcat(seen, " ");
		}
		sou_results_destroy(r);
	}
	assert_int_equal(strlen(seen), strlen(WITH_RUN) + 1);
	o.offset = 0;
	o.limit = 1;
	o.exact_total = 1;
	run("\"中国人民\" OR 代表团", &o, &r);
	assert_int_equal(r->n, 1);
	assert_int_equal(r->estimated, 9);
	assert_int_equal(r->lower, 9);
	assert_int_equal(r->upper, 9);
	sou_results_destroy(r);
	/* facets of a checked query are estimates */
	{
		sou_strlist f = { NULL, 0 };
		sou_strlist_push(&f, "tag", 3);
		o.facets = &f;
		o.exact_total = 0;
		run("\"中国人民\"", &o, &r);
		assert_int_equal(r->nfacets, 1);
		assert_false(r->facets[0].exact);
		sou_results_destroy(r);
		sou_strlist_free(&f);
	}
}

/* An index whose sou:config names another format is rebuilt, once. */
static void test_format_rebuild(void **state)
{
	sou_xdb *db = NULL;
	sou_error err;
	sou_buf cfg = SOU_BUF_INIT;
	events ev = { 0, "" };
	sou_index_stats stats;
	static const char old[] = "sou-index-format 4 tz=480";

	sou_buf gen = SOU_BUF_INIT;
	unsigned g = 0;

	(void)state;
	/* a writer opens the generation itself, never through the stub */
	if (sou_genlock_read_stub(dbpath, &g, &err) || !g)
		fail_msg("no generation: %s", err.msg);
	sou_genlock_gen_path(dbpath, g, &gen);
	if (sou_xdb_open(gen.data, SOU_XDB_WRITE, &db, &err) ||
	    sou_xdb_set_metadata(db, SOU_META_CONFIG, old, strlen(old), &err) ||
	    sou_xdb_commit(db, &err))
		fail_msg("%s", err.msg);
	sou_xdb_destroy(db);
	sou_buf_free(&gen);
	run_indexer(&ev, &stats);
	assert_int_equal(ev.notices, 1);
	assert_non_null(strstr(ev.notice, "sou-index-format 4"));
	assert_non_null(strstr(ev.notice, "rebuilding"));
	assert_int_equal(stats.added, NPOSTS); /* a full build */
	if (sou_xdb_open(dbpath, SOU_XDB_READ, &db, &err) ||
	    sou_xdb_get_metadata(db, SOU_META_CONFIG, &cfg, &err))
		fail_msg("%s", err.msg);
	assert_true(!strncmp(cfg.data, SOU_SCHEMA_FORMAT " ", strlen(SOU_SCHEMA_FORMAT) + 1));
	sou_xdb_destroy(db);
	sou_buf_free(&cfg);
	/* the next run is incremental and quiet */
	ev.notices = 0;
	run_indexer(&ev, &stats);
	assert_int_equal(ev.notices, 0);
	assert_int_equal(stats.unchanged, NPOSTS);
	expect("\"中国人民\"", WITH_RUN);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_runs),
		cmocka_unit_test(test_unspaced),
		cmocka_unit_test(test_exclusion_and_or),
		cmocka_unit_test(test_title_scope),
		cmocka_unit_test(test_pages),
		cmocka_unit_test(test_format_rebuild),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
