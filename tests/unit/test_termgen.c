/*
 * test_termgen.c - unit tests for common/termgen.c and common/xwrap.cc:
 * documents are indexed into a real Xapian database in a fresh temporary
 * directory, their terms read back with sou_xdb_doc_terms (bigrams and
 * unigrams without positions, Latin words with them, title prefixes,
 * filters), the unit streams queries are checked against, and queries
 * built with sou_termgen_query are run through sou_xdb_search (substring
 * recall, ranking of whole words, highlight patterns).  Also: unique-id
 * terms for long paths, the open/lock errors of the wrapper, and the
 * reader retry of related posts and term listings.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "testutil.h"
#include "schema.h"
#include "termgen.h"
#include "xwrap.h"

/* ---- fixture: one database shared by the tests ---------------------------- */

static char *dir;
static char dbpath[256];
static sou_termgen *tg;
static sou_xdb *rdb;

static const char BODY_A[] = "中国农业发展银行今天发布了ＦＩＮＶ指数。2022Q1 财报显示 A股 上涨";
static const char TITLE_A[] = "农业银行报告";
static const char BODY_B[] = "他是一名研究生，在北京读书，每天都很忙碌。";
static const char BODY_C[] = "他们研究生命的起源，在北京读书，每天都很忙碌。";

static void must(sou_status st, const sou_error *err)
{
	if (st != SOU_OK)
		fail_msg("status %d: %s", (int)st, err->msg);
}

/*
 * The title increment of the fixture below: any wdf increment other than
 * 1 shows that sou_termgen_index applies it to the title field's terms.
 */
_Static_assert(SOU_WDF_TITLE > 1, "the title wdf checks need an increment above 1");

/*
 * A termgen fixture, not the indexer's document (common/postdoc.h builds
 * that, with the title in the body field too; test_postdoc.c checks it):
 * each field is indexed by its own sou_termgen_index call so that a test
 * sees one field alone.  The title goes only into the title field, at
 * SOU_WDF_TITLE; each string of bodies is a separate call into the body
 * field (test_field_gap); tag is a filter term; the data is relpath.
 */
static void index_fields(sou_xdb *db, const char *relpath, const char *title,
			 const char *const *bodies, size_t nbodies, const char *tag)
{
	sou_buf id = SOU_BUF_INIT;
	sou_xdoc *doc = sou_xdoc_create();
	sou_error err;
	size_t i;

	sou_termgen_idterm(relpath, &id);
	sou_termgen_begin(tg, doc);
	sou_xdoc_add_boolean(doc, id.data, id.len);
	if (title)
		must(sou_termgen_index(tg, SOU_FIELD_TITLE, title, strlen(title), SOU_WDF_TITLE,
				       &err), &err);
	for (i = 0; i < nbodies; i++)
		must(sou_termgen_index(tg, SOU_FIELD_BODY, bodies[i], strlen(bodies[i]), 1, &err),
		     &err);
	if (tag)
		must(sou_termgen_add_filter(tg, SOU_PREFIX_TAG, tag, strlen(tag), &err), &err);
	sou_xdoc_set_data(doc, relpath, strlen(relpath));
	assert_int_equal(sou_xdoc_dropped(doc), 0);
	must(sou_xdb_replace(db, id.data, doc, &err), &err);
	sou_xdoc_destroy(doc);
	sou_buf_free(&id);
}

static int setup(void **state)
{
	sou_xdb *w;
	sou_error err;
	const char *a[] = { BODY_A };
	const char *b[] = { BODY_B };
	const char *c[] = { BODY_C };
	const char *gap[] = { "前面", "后面" };

	(void)state;
	dir = tu_mkdtemp();
	snprintf(dbpath, sizeof(dbpath), "%s/db", dir);
	if (sou_termgen_create(&tg, &err))
		return -1;
	if (sou_xdb_open(dbpath, SOU_XDB_CREATE, &w, &err)) {
		print_error("%s\n", err.msg);
		return -1;
	}
	index_fields(w, "2022/a.md", TITLE_A, a, 1, "ＡＩ");
	index_fields(w, "2022/b.md", "研究生活", b, 1, NULL);
	index_fields(w, "2022/c.md", "生命", c, 1, NULL);
	index_fields(w, "2022/gap.md", NULL, gap, 2, NULL);
	if (sou_xdb_commit(w, &err)) {
		print_error("%s\n", err.msg);
		return -1;
	}
	sou_xdb_destroy(w);
	if (sou_xdb_open(dbpath, SOU_XDB_READ, &rdb, &err)) {
		print_error("%s\n", err.msg);
		return -1;
	}
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	sou_xdb_destroy(rdb);
	sou_termgen_destroy(tg);
	tu_rmtree(dir);
	return 0;
}

/* ---- reading a document's terms ---------------------------------------- */

typedef struct dterm {
	char term[256];
	unsigned wdf;
	unsigned pos[32];
	size_t npos;
} dterm;

typedef struct dterms {
	dterm v[512];
	size_t n;
} dterms;

static void term_cb(void *ctx, const char *term, size_t len, unsigned wdf,
		    const unsigned *pos, size_t npos)
{
	dterms *d = ctx;
	dterm *t;
	size_t i;

	assert_true(d->n < 512);
	assert_true(len < sizeof(t->term));
	t = &d->v[d->n++];
	memcpy(t->term, term, len);
	t->term[len] = '\0';
	t->wdf = wdf;
	t->npos = npos;
	for (i = 0; i < npos && i < 32; i++)
		t->pos[i] = pos[i];
}

static void load_terms(const char *relpath, dterms *d)
{
	sou_buf id = SOU_BUF_INIT;
	sou_error err;

	d->n = 0;
	sou_termgen_idterm(relpath, &id);
	must(sou_xdb_doc_terms(rdb, id.data, term_cb, d, &err), &err);
	sou_buf_free(&id);
}

static const dterm *get(const dterms *d, const char *term)
{
	size_t i;

	for (i = 0; i < d->n; i++)
		if (!strcmp(d->v[i].term, term))
			return &d->v[i];
	return NULL;
}

static const dterm *need(const dterms *d, const char *term)
{
	const dterm *t = get(d, term);
	size_t i;

	if (!t) {
		for (i = 0; i < d->n; i++)
			print_message("  '%s' wdf=%u npos=%zu\n", d->v[i].term, d->v[i].wdf,
				      d->v[i].npos);
		fail_msg("term '%s' missing", term);
	}
	return t;
}

static void test_doc_terms(void **state)
{
	static dterms d;
	const dterm *t;

	(void)state;
	load_terms("2022/a.md", &d);
	/* units: 中1 国2 农3 业4 发5 展6 银7 行8 今9 天10 发11 布12 了13
	 * finv14 指15 数16 | (gap for '。') 2022q1 18 财19 报20 ...
	 * Bigrams carry no positions (format 5): runs are checked on the
	 * unit stream instead. */
	t = need(&d, SOU_PREFIX_BIGRAM "农业");
	assert_int_equal(t->npos, 0);
	/* 农业 is a word there: its bigram counts SOU_WDF_WORD_BIGRAM times */
	assert_int_equal(t->wdf, SOU_WDF_WORD_BIGRAM);
	/* 国农 spans two words: once */
	assert_int_equal(need(&d, SOU_PREFIX_BIGRAM "国农")->wdf, 1);
	t = need(&d, SOU_PREFIX_BIGRAM "中国");
	assert_int_equal(t->npos, 0);
	t = need(&d, SOU_PREFIX_BIGRAM "发展");
	assert_int_equal(t->npos, 0);
	t = need(&d, SOU_PREFIX_UNIGRAM "农");
	assert_int_equal(t->npos, 0);
	assert_int_equal(t->wdf, 1);
	t = need(&d, SOU_PREFIX_UNIGRAM "发"); /* twice: 发展, 发布 */
	assert_int_equal(t->wdf, 2);
	t = need(&d, "finv");
	assert_int_equal(t->npos, 1);
	assert_int_equal(t->pos[0], 14);
	/* mixed Chinese/Latin neighbours form bigrams too */
	t = need(&d, SOU_PREFIX_BIGRAM "了finv");
	assert_int_equal(t->npos, 0);
	t = need(&d, SOU_PREFIX_BIGRAM "finv指");
	assert_int_equal(t->npos, 0);
	/* no bigram across the '。' break */
	assert_null(get(&d, SOU_PREFIX_BIGRAM "数2022q1"));
	t = need(&d, "2022q1");
	assert_int_equal(t->npos, 1);
	assert_true(t->pos[0] > 17);
	/* parts of the mixed word sit at its position */
	assert_int_equal(need(&d, "q1")->pos[0], t->pos[0]);
	assert_int_equal(need(&d, "2022")->pos[0], t->pos[0]);
	need(&d, SOU_PREFIX_BIGRAM "a股");
	/* a two-character ICU word is no term (its bigram is; format 7) */
	assert_null(get(&d, "农业"));
	/* title field: prefixed terms, with the wdf increment */
	t = need(&d, SOU_PREFIX_TITLE_BIGRAM "农业");
	assert_int_equal(t->npos, 0);
	assert_int_equal(t->wdf, SOU_WDF_TITLE * SOU_WDF_WORD_BIGRAM); /* a word there too */
	t = need(&d, SOU_PREFIX_TITLE_UNIGRAM "农");
	assert_int_equal(t->wdf, SOU_WDF_TITLE);
	need(&d, SOU_PREFIX_TITLE_BIGRAM "银行");
	/* the filter term and the id term: boolean, wdf 0 */
	t = need(&d, SOU_PREFIX_TAG "ai");
	assert_int_equal(t->wdf, 0);
	t = need(&d, SOU_PREFIX_ID "2022/a.md");
	assert_int_equal(t->wdf, 0);
	/* nothing unprefixed from the title: title-only words stay out */
	assert_null(get(&d, SOU_PREFIX_BIGRAM "报告"));
}

static void test_field_gap(void **state)
{
	static dterms d;
	const dterm *a, *b;

	(void)state;
	load_terms("2022/gap.md", &d);
	a = need(&d, SOU_PREFIX_BIGRAM "前面");
	b = need(&d, SOU_PREFIX_BIGRAM "后面");
	/* no bigram joins the calls (the position gap between calls is
	 * checked on Latin words in test_xdoc_terms_in_memory) */
	assert_int_equal(a->npos, 0);
	assert_int_equal(b->npos, 0);
	assert_null(get(&d, SOU_PREFIX_BIGRAM "面后"));
}

static void test_xdoc_terms_in_memory(void **state)
{
	static dterms d;
	sou_xdoc *doc = sou_xdoc_create();
	sou_error err;
	const dterm *t;

	(void)state;
	sou_termgen_begin(tg, doc);
	must(sou_termgen_index(tg, SOU_FIELD_BODY, "农业 GPT4", strlen("农业 GPT4"), 2, &err),
	     &err);
	d.n = 0;
	must(sou_xdoc_terms(doc, term_cb, &d, &err), &err);
	t = need(&d, SOU_PREFIX_BIGRAM "农业");
	assert_int_equal(t->npos, 0);
	assert_int_equal(t->wdf, 2 * SOU_WDF_WORD_BIGRAM); /* a word, wdf increment 2 */
	t = need(&d, SOU_PREFIX_BIGRAM "业gpt4");
	assert_int_equal(t->npos, 0);
	t = need(&d, "gpt4");
	assert_int_equal(t->pos[0], 3);
	assert_int_equal(need(&d, "gpt")->pos[0], 3);
	need(&d, SOU_PREFIX_UNIGRAM "业");
	sou_xdoc_destroy(doc);
}

/* Pinyin and initials (format 8): words and runs of two words, the
 * table's cut too, polyphones by word, none from Latin, none when off;
 * queries read Latin and Chinese beside it. */
static void test_pinyin_terms(void **state)
{
	static dterms d;
	sou_xdoc *doc = sou_xdoc_create();
	sou_error err;
	const dterm *t;
	const char *title = "贵州茅台：银行行长看好A股";
	sou_xq *q = NULL;
	char *desc;

	(void)state;
	sou_termgen_begin(tg, doc);
	must(sou_termgen_index_pinyin(tg, title, strlen(title), &err), &err);
	d.n = 0;
	must(sou_xdoc_terms(doc, term_cb, &d, &err), &err);
	t = need(&d, SOU_PREFIX_PINYIN "guizhoumaotai");
	assert_int_equal(t->npos, 0);
	assert_int_equal(t->wdf, 1);
	need(&d, SOU_PREFIX_PINYIN "maotai");
	need(&d, SOU_PREFIX_INITIALS "gzmt");
	need(&d, SOU_PREFIX_INITIALS "mt");
	need(&d, SOU_PREFIX_PINYIN "yinhang");
	need(&d, SOU_PREFIX_PINYIN "hangzhang"); /* the table's cut: 银行|行长 */
	assert_null(get(&d, SOU_PREFIX_PINYIN "yinxing"));
	assert_null(get(&d, SOU_PREFIX_PINYIN "mao")); /* one syllable: none */
	/* a chain break (：) and Latin (A) end the runs */
	assert_null(get(&d, SOU_PREFIX_PINYIN "maotaiyinhang"));
	assert_null(get(&d, SOU_PREFIX_INITIALS "khg"));
	sou_xdoc_destroy(doc);

	doc = sou_xdoc_create();
	sou_termgen_set_pinyin(tg, 0);
	sou_termgen_begin(tg, doc);
	must(sou_termgen_index_pinyin(tg, title, strlen(title), &err), &err);
	d.n = 0;
	must(sou_xdoc_terms(doc, term_cb, &d, &err), &err);
	assert_int_equal(d.n, 0);
	sou_termgen_set_pinyin(tg, 1);
	sou_xdoc_destroy(doc);

	must(sou_termgen_pinyin_query(tg, "贵州mt", strlen("贵州mt"), &q, &err), &err);
	assert_non_null(q);
	desc = sou_xq_describe(q);
	assert_non_null(strstr(desc, SOU_PREFIX_INITIALS "gzmt"));
	free(desc);
	sou_xq_destroy(q);
	must(sou_termgen_pinyin_query(tg, "贵州茅台", strlen("贵州茅台"), &q, &err), &err);
	assert_null(q); /* Chinese alone keeps its meaning */
	must(sou_termgen_pinyin_query(tg, "600519", 6, &q, &err), &err);
	assert_null(q);
	must(sou_termgen_pinyin_query(tg, "maotai", 6, &q, &err), &err);
	desc = sou_xq_describe(q);
	assert_non_null(strstr(desc, SOU_PREFIX_PINYIN "maotai"));
	free(desc);
	sou_xq_destroy(q);
}

/* A run of three or more units is the AND of its bigrams plus a check
 * (format 5), or a phrase again for a format-4 index. */
static void test_query_checks(void **state)
{
	sou_xq *q = NULL;
	sou_check *c = NULL;
	sou_error err;
	char *d;
	sou_buf desc = SOU_BUF_INIT;

	(void)state;
	must(sou_termgen_query_checked(tg, SOU_FIELD_BODY, "中国人民", strlen("中国人民"), 1, &q,
				       &c, NULL, &err), &err);
	d = sou_xq_describe(q);
	assert_non_null(strstr(d, "AND"));
	assert_null(strstr(d, "PHRASE"));
	free(d);
	assert_false(sou_check_exact(c));
	sou_check_describe(c, &desc);
	assert_string_equal(desc.data, "ALL(UNITS(中国人民))");
	sou_xq_destroy(q);
	sou_check_destroy(c);
	/* unquoted, the run means its words (each exact as a bigram); the
	 * bigram across them (国人) only adds weight */
	must(sou_termgen_query_checked(tg, SOU_FIELD_BODY, "中国人民", strlen("中国人民"), 0, &q,
				       &c, NULL, &err), &err);
	d = sou_xq_describe(q);
	assert_non_null(strstr(d, "AND_MAYBE"));
	assert_non_null(strstr(d, "G国人"));
	free(d);
	sou_buf_reset(&desc);
	sou_check_describe(c, &desc);
	assert_string_equal(desc.data, "ALL(ALL(UNITS:exact(中国) UNITS:exact(人民)))");
	assert_true(sou_check_exact(c));
	sou_xq_destroy(q);
	sou_check_destroy(c);
	/* two units: their bigram, exact; Latin: a positional phrase */
	must(sou_termgen_query_checked(tg, SOU_FIELD_TITLE, "人民 quick fox", strlen("人民 quick fox"),
				       1, &q, &c, NULL, &err), &err);
	assert_false(sou_check_exact(c)); /* 人民quickfox is one chain of four units */
	sou_xq_destroy(q);
	sou_check_destroy(c);
	/* unquoted, its words: 人民 (a bigram) and the phrase "quick fox" */
	must(sou_termgen_query_checked(tg, SOU_FIELD_TITLE, "人民 quick fox", strlen("人民 quick fox"),
				       0, &q, &c, NULL, &err), &err);
	assert_true(sou_check_exact(c));
	sou_xq_destroy(q);
	sou_check_destroy(c);
	must(sou_termgen_query_checked(tg, SOU_FIELD_TITLE, "人民，quick fox",
				       strlen("人民，quick fox"), 0, &q, &c, NULL, &err), &err);
	assert_true(sou_check_exact(c));
	sou_buf_reset(&desc);
	sou_check_describe(c, &desc);
	assert_string_equal(desc.data, "ALL(UNITS:title:exact(人民) XAPIAN)");
	d = sou_xq_describe(q);
	assert_non_null(strstr(d, "PHRASE"));
	free(d);
	sou_xq_destroy(q);
	sou_check_destroy(c);
	/* format 4 */
	sou_termgen_query_positional(tg, 1);
	must(sou_termgen_query_checked(tg, SOU_FIELD_BODY, "中国人民", strlen("中国人民"), 0, &q,
				       &c, NULL, &err), &err);
	sou_termgen_query_positional(tg, 0);
	assert_true(sou_check_exact(c));
	d = sou_xq_describe(q);
	assert_non_null(strstr(d, "PHRASE"));
	free(d);
	sou_xq_destroy(q);
	sou_check_destroy(c);
	sou_buf_free(&desc);
}

/* Repeated terms sum their wdf; unit streams record chains per call;
 * Latin words of a second call sit after a gap. */
static void test_units_and_wdf(void **state)
{
	static dterms d;
	sou_xdoc *doc = sou_xdoc_create();
	sou_error err;
	const char *u;
	size_t n;
	static const char want[] = "\n农业农业\x02gpt4\x03\n的\n\x02gpt5\x03";

	(void)state;
	sou_termgen_begin(tg, doc);
	must(sou_termgen_index(tg, SOU_FIELD_BODY, "农业农业 GPT4，的", strlen("农业农业 GPT4，的"), 2,
			       &err), &err);
	must(sou_termgen_index(tg, SOU_FIELD_BODY, "GPT5", 4, 1, &err), &err);
	d.n = 0;
	must(sou_xdoc_terms(doc, term_cb, &d, &err), &err);
	/* twice, increment 2 each, and a word each time */
	assert_int_equal(need(&d, SOU_PREFIX_BIGRAM "农业")->wdf, 4 * SOU_WDF_WORD_BIGRAM);
	assert_int_equal(need(&d, SOU_PREFIX_BIGRAM "业农")->wdf, 2);
	assert_int_equal(need(&d, SOU_PREFIX_UNIGRAM "农")->wdf, 4);
	assert_true(need(&d, "gpt5")->pos[0] > need(&d, "gpt4")->pos[0] + 2);
	u = sou_termgen_units(tg, SOU_FIELD_BODY, &n);
	assert_int_equal(n, sizeof(want) - 1);
	assert_memory_equal(u, want, n);
	u = sou_termgen_units(tg, SOU_FIELD_TITLE, &n);
	assert_int_equal(n, 0);
	/* a new document starts new streams */
	sou_termgen_begin(tg, doc);
	must(sou_termgen_index(tg, SOU_FIELD_TITLE, "标题", strlen("标题"), 1, &err), &err);
	u = sou_termgen_units(tg, SOU_FIELD_BODY, &n);
	assert_int_equal(n, 0);
	u = sou_termgen_units(tg, SOU_FIELD_TITLE, &n);
	assert_int_equal(n, 7);
	assert_memory_equal(u, "\n标题", 7);
	sou_xdoc_destroy(doc);
}

static void test_doc_terms_missing(void **state)
{
	static dterms d;
	sou_error err;

	(void)state;
	d.n = 0;
	assert_int_equal(sou_xdb_doc_terms(rdb, SOU_PREFIX_ID "no/such.md", term_cb, &d, &err),
			 SOU_ERR_NOTFOUND);
	assert_int_equal(d.n, 0);
}

/* ---- queries -------------------------------------------------------------- */

static size_t search(sou_field f, const char *text, int phrase, char hits[][32], size_t max)
{
	sou_xq *q = NULL;
	sou_xmset *m = NULL;
	sou_xsearch o;
	sou_error err;
	size_t i, n;

	must(sou_termgen_query(tg, f, text, strlen(text), phrase, &q, NULL, &err), &err);
	if (!q)
		fail_msg("no query for '%s'", text);
	memset(&o, 0, sizeof(o));
	o.sort = SOU_SORT_RELEVANCE;
	o.limit = 10;
	must(sou_xdb_search(rdb, q, &o, &m, &err), &err);
	n = sou_xmset_size(m);
	for (i = 0; i < n && i < max; i++) {
		size_t len;
		const char *d = sou_xmset_data(m, i, &len);
		assert_true(len < 32);
		memcpy(hits[i], d, len);
		hits[i][len] = '\0';
	}
	sou_xmset_destroy(m);
	sou_xq_destroy(q);
	return n;
}

static int has_hit(char hits[][32], size_t n, const char *path)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (!strcmp(hits[i], path))
			return 1;
	return 0;
}

static void test_substring_recall(void **state)
{
	/* the Chinese run of BODY_A, 13 characters of 3 bytes */
	static const char run[] = "中国农业发展银行今天发布了";
	const size_t nch = (sizeof(run) - 1) / 3;
	char hits[8][32];
	char sub[64];
	size_t i, len, n, tried = 0;

	(void)state;
	for (len = 1; len <= nch; len++)
		for (i = 0; i + len <= nch; i++) {
			memcpy(sub, run + 3 * i, 3 * len);
			sub[3 * len] = '\0';
			n = search(SOU_FIELD_BODY, sub, 0, hits, 8);
			if (!has_hit(hits, n, "2022/a.md"))
				fail_msg("query '%s' does not find the post", sub);
			tried++;
		}
	assert_int_equal(tried, nch * (nch + 1) / 2);
	/* Latin and mixed units, and a run crossing into Latin */
	n = search(SOU_FIELD_BODY, "FINV", 0, hits, 8);
	assert_true(has_hit(hits, n, "2022/a.md"));
	n = search(SOU_FIELD_BODY, "ｆｉｎｖ指数", 0, hits, 8);
	assert_true(has_hit(hits, n, "2022/a.md"));
	n = search(SOU_FIELD_BODY, "了FINV", 0, hits, 8);
	assert_true(has_hit(hits, n, "2022/a.md"));
	n = search(SOU_FIELD_BODY, "2022q1", 0, hits, 8);
	assert_true(has_hit(hits, n, "2022/a.md"));
	n = search(SOU_FIELD_BODY, "Q1", 0, hits, 8);
	assert_true(has_hit(hits, n, "2022/a.md"));
	n = search(SOU_FIELD_BODY, "A股", 0, hits, 8);
	assert_true(has_hit(hits, n, "2022/a.md"));
}

static void test_no_false_matches(void **state)
{
	char hits[8][32];

	(void)state;
	/* characters present but not adjacent */
	assert_int_equal(search(SOU_FIELD_BODY, "中农", 0, hits, 8), 0);
	/* a chain across the '。' break does not match */
	assert_int_equal(search(SOU_FIELD_BODY, "指数2022Q1", 0, hits, 8), 0);
	assert_int_equal(search(SOU_FIELD_BODY, "finvx", 0, hits, 8), 0);
	assert_int_equal(search(SOU_FIELD_BODY, "面后", 0, hits, 8), 0);
}

static void test_title_field(void **state)
{
	char hits[8][32];
	size_t n;

	(void)state;
	n = search(SOU_FIELD_TITLE, "农业", 0, hits, 8);
	assert_int_equal(n, 1);
	assert_string_equal(hits[0], "2022/a.md");
	n = search(SOU_FIELD_TITLE, "报告", 0, hits, 8);
	assert_int_equal(n, 1);
	/* 发展 is in the body only */
	assert_int_equal(search(SOU_FIELD_TITLE, "发展", 0, hits, 8), 0);
}

static void test_whole_word_ranks_higher(void **state)
{
	char hits[8][32];
	size_t n;

	(void)state;
	/* b: "一名研究生" holds the word 研究生; c: "研究生命" holds the same
	 * characters only across the words 研究|生命.  Both are recalled,
	 * the whole word ranks first. */
	{
		static dterms d;
		load_terms("2022/b.md", &d);
		/* words of SOU_HAN_WORD_MIN characters are terms, without positions */
		assert_int_equal(need(&d, "研究生")->npos, 0);
	}
	n = search(SOU_FIELD_BODY, "研究生", 0, hits, 8);
	assert_int_equal(n, 2);
	assert_string_equal(hits[0], "2022/b.md");
	assert_string_equal(hits[1], "2022/c.md");
	/* and the other way round for the other word */
	n = search(SOU_FIELD_BODY, "生命", 0, hits, 8);
	assert_int_equal(n, 1);
	assert_string_equal(hits[0], "2022/c.md");
}

static void test_patterns(void **state)
{
	sou_strlist pats = { NULL, 0 };
	sou_xq *q = NULL;
	sou_error err;

	(void)state;
	must(sou_termgen_query(tg, SOU_FIELD_BODY, "农业，银行", strlen("农业，银行"), 0, &q,
			       &pats, &err), &err);
	assert_non_null(q);
	assert_int_equal(pats.n, 2);
	assert_string_equal(pats.v[0], "农\x1f业");
	assert_string_equal(pats.v[1], "银\x1f行");
	sou_xq_destroy(q);
	sou_strlist_free(&pats);

	must(sou_termgen_query(tg, SOU_FIELD_BODY, "ＦＩＮＶ", strlen("ＦＩＮＶ"), 0, &q, &pats,
			       &err), &err);
	assert_int_equal(pats.n, 1);
	assert_string_equal(pats.v[0], "finv");
	sou_xq_destroy(q);

	/* patterns accumulate across calls; a mixed chain keeps its units */
	must(sou_termgen_query(tg, SOU_FIELD_TITLE, "A股", strlen("A股"), 1, &q, &pats, &err),
	     &err);
	assert_int_equal(pats.n, 2);
	assert_string_equal(pats.v[1], "a\x1f股");
	sou_xq_destroy(q);
	sou_strlist_free(&pats);
}

static void test_punctuation_only(void **state)
{
	sou_strlist pats = { NULL, 0 };
	sou_xq *q = (sou_xq *)1;
	sou_error err;

	(void)state;
	must(sou_termgen_query(tg, SOU_FIELD_BODY, "，。！", strlen("，。！"), 0, &q, &pats, &err),
	     &err);
	assert_null(q);
	assert_int_equal(pats.n, 0);
	q = (sou_xq *)1;
	must(sou_termgen_query(tg, SOU_FIELD_BODY, "", 0, 0, &q, NULL, &err), &err);
	assert_null(q);
}

static void test_filter_term(void **state)
{
	sou_buf t = SOU_BUF_INIT;

	(void)state;
	assert_int_equal(sou_termgen_filter_term(tg, SOU_PREFIX_TAG, " ＡＩ ", strlen(" ＡＩ "), &t, NULL),
			 SOU_OK);
	assert_string_equal(t.data, SOU_PREFIX_TAG "ai");
	assert_int_equal(sou_termgen_filter_term(tg, SOU_PREFIX_CATEGORY, "机器 学习", strlen("机器 学习"), &t,
						 NULL), SOU_OK);
	assert_string_equal(t.data, SOU_PREFIX_CATEGORY "机器 学习");
	sou_buf_free(&t);
}

/* ---- unique ids ------------------------------------------------------------- */

static void repeat(sou_buf *b, const char *s, size_t times)
{
	size_t i;

	for (i = 0; i < times; i++)
		sou_buf_adds(b, s);
}

static void test_idterm(void **state)
{
	sou_buf p = SOU_BUF_INIT, p2 = SOU_BUF_INIT, t = SOU_BUF_INIT, t2 = SOU_BUF_INIT;

	(void)state;
	sou_termgen_idterm("2022/a.md", &t);
	assert_string_equal(t.data, SOU_PREFIX_ID "2022/a.md");

	/* a 300-byte Chinese path */
	repeat(&p, "农", 100);
	assert_int_equal(p.len, 300);
	sou_termgen_idterm(p.data, &t);
	assert_true(t.len <= SOU_XAPIAN_MAX_TERM);
	assert_int_equal(t.data[0], SOU_PREFIX_ID_CHAR);
	assert_true(tu_valid_utf8(t.data, t.len));
	/* the kept prefix is the path's own start, cut on a character */
	assert_memory_equal(t.data + 1, p.data, 3);
	sou_termgen_idterm(p.data, &t2);
	assert_string_equal(t.data, t2.data); /* stable */

	/* two long paths sharing a 250-byte prefix differ */
	sou_buf_reset(&p);
	repeat(&p, "长", 83);
	sou_buf_adds(&p, "x");
	assert_int_equal(p.len, 250);
	sou_buf_add(&p2, p.data, p.len);
	sou_buf_adds(&p, "/a.md");
	sou_buf_adds(&p2, "/b.md");
	sou_termgen_idterm(p.data, &t);
	sou_termgen_idterm(p2.data, &t2);
	assert_true(t.len <= SOU_XAPIAN_MAX_TERM);
	assert_true(t2.len <= SOU_XAPIAN_MAX_TERM);
	assert_true(strcmp(t.data, t2.data) != 0);
	assert_true(tu_valid_utf8(t.data, t.len));

	/* the limit itself: 244 bytes fit whole, 245 do not */
	sou_buf_reset(&p);
	repeat(&p, "a", 244);
	sou_termgen_idterm(p.data, &t);
	assert_int_equal(t.len, 245);
	assert_string_equal(t.data + 1, p.data);
	sou_buf_addc(&p, 'b');
	sou_termgen_idterm(p.data, &t);
	assert_true(t.len <= SOU_XAPIAN_MAX_TERM);
	assert_true(strncmp(t.data + 1, p.data, t.len - 1) != 0);

	sou_buf_free(&p);
	sou_buf_free(&p2);
	sou_buf_free(&t);
	sou_buf_free(&t2);
}

static void test_replace_with_long_id(void **state)
{
	char *d = tu_mkdtemp();
	char path[300];
	sou_buf rel = SOU_BUF_INIT, id = SOU_BUF_INIT, data = SOU_BUF_INIT;
	sou_xdb *w = NULL;
	sou_error err;
	unsigned long n = 0;
	int round;

	(void)state;
	snprintf(path, sizeof(path), "%s/db", d);
	repeat(&rel, "很长的路径", 20); /* 300 bytes */
	sou_buf_adds(&rel, ".md");
	sou_termgen_idterm(rel.data, &id);
	must(sou_xdb_open(path, SOU_XDB_WRITE, &w, &err), &err);
	for (round = 0; round < 3; round++) {
		sou_xdoc *doc = sou_xdoc_create();
		char body[32];
		snprintf(body, sizeof(body), "version %d", round);
		sou_termgen_begin(tg, doc);
		sou_xdoc_add_boolean(doc, id.data, id.len);
		must(sou_termgen_index(tg, SOU_FIELD_BODY, body, strlen(body), 1, &err), &err);
		sou_xdoc_set_data(doc, body, strlen(body));
		must(sou_xdb_replace(w, id.data, doc, &err), &err);
		sou_xdoc_destroy(doc);
		must(sou_xdb_commit(w, &err), &err);
	}
	must(sou_xdb_doccount(w, &n, &err), &err);
	assert_int_equal(n, 1);
	must(sou_xdb_get_data(w, id.data, &data, &err), &err);
	assert_string_equal(data.data, "version 2");
	must(sou_xdb_termfreq(w, id.data, &n, &err), &err);
	assert_int_equal(n, 1);
	must(sou_xdb_delete(w, id.data, &err), &err);
	must(sou_xdb_commit(w, &err), &err);
	must(sou_xdb_doccount(w, &n, &err), &err);
	assert_int_equal(n, 0);
	assert_int_equal(sou_xdb_get_data(w, id.data, &data, &err), SOU_ERR_NOTFOUND);
	sou_xdb_destroy(w);
	sou_buf_free(&rel);
	sou_buf_free(&id);
	sou_buf_free(&data);
	tu_rmtree(d);
}

static void test_overlong_terms_dropped(void **state)
{
	sou_xdoc *doc = sou_xdoc_create();
	char big[300];

	(void)state;
	memset(big, 'x', sizeof(big));
	sou_xdoc_add_term(doc, big, sizeof(big), 1);
	sou_xdoc_add_posting(doc, big, SOU_XAPIAN_MAX_TERM + 1, 1, 1);
	sou_xdoc_add_boolean(doc, "", 0);
	sou_xdoc_add_term(doc, big, SOU_XAPIAN_MAX_TERM, 1); /* fits */
	assert_int_equal(sou_xdoc_dropped(doc), 3);
	sou_xdoc_destroy(doc);
	sou_xdoc_destroy(NULL);
}

/* ---- wrapper errors ---------------------------------------------------------- */

static void test_open_missing(void **state)
{
	char path[300];
	sou_xdb *db = (sou_xdb *)1;
	sou_error err;

	(void)state;
	snprintf(path, sizeof(path), "%s/does-not-exist", dir);
	sou_error_clear(&err);
	assert_int_equal(sou_xdb_open(path, SOU_XDB_READ, &db, &err), SOU_ERR_NOTFOUND);
	assert_null(db);
	assert_int_equal(err.code, SOU_ERR_NOTFOUND);
	assert_true(strlen(err.msg) > 0);
}

static void test_second_writer_locked(void **state)
{
	char *d = tu_mkdtemp();
	char path[300];
	sou_xdb *w1 = NULL, *w2 = (sou_xdb *)1, *w3 = NULL;
	sou_error err;

	(void)state;
	snprintf(path, sizeof(path), "%s/db", d);
	must(sou_xdb_open(path, SOU_XDB_WRITE, &w1, &err), &err);
	sou_error_clear(&err);
	assert_int_equal(sou_xdb_open(path, SOU_XDB_WRITE, &w2, &err), SOU_ERR_LOCKED);
	assert_null(w2);
	assert_int_equal(err.code, SOU_ERR_LOCKED);
	assert_int_equal(sou_xdb_open(path, SOU_XDB_CREATE, &w2, &err), SOU_ERR_LOCKED);
	/* readers are not blocked by the writer */
	must(sou_xdb_open(path, SOU_XDB_READ, &w2, &err), &err);
	sou_xdb_destroy(w2);
	/* once the writer is gone the lock is free again */
	sou_xdb_destroy(w1);
	must(sou_xdb_open(path, SOU_XDB_WRITE, &w3, &err), &err);
	sou_xdb_destroy(w3);
	sou_xdb_destroy(NULL);
	tu_rmtree(d);
}

static void test_reader_is_read_only(void **state)
{
	sou_xdoc *doc = sou_xdoc_create();
	sou_error err;

	(void)state;
	sou_error_clear(&err);
	assert_true(sou_xdb_replace(rdb, SOU_PREFIX_ID "x", doc, &err) != SOU_OK);
	assert_true(sou_xdb_commit(rdb, &err) != SOU_OK);
	sou_xdoc_destroy(doc);
}

/* Writes post p<i>.md with 30 words that change with round. */
static void add_round(sou_xdb *w, int i, int round)
{
	char rel[32];
	sou_buf body = SOU_BUF_INIT;
	const char *bodies[1];
	int k;

	snprintf(rel, sizeof(rel), "p%d.md", i);
	for (k = 0; k < 30; k++)
		sou_buf_addf(&body, "w%dx%d ", (i * 7 + k * 13 + round) % 997, round);
	bodies[0] = body.data;
	index_fields(w, rel, NULL, bodies, 1, NULL);
	sou_buf_free(&body);
}

static void count_term(void *ctx, const char *term, size_t len)
{
	(void)term;
	(void)len;
	++*(size_t *)ctx;
}

static void count_doc_term(void *ctx, const char *term, size_t len, unsigned wdf,
			   const unsigned *pos, size_t npos)
{
	(void)wdf;
	(void)pos;
	(void)npos;
	count_term(ctx, term, len);
}

/*
 * A reader whose revision the writer has since discarded (three commits
 * rewriting every post) gets Xapian's DatabaseModifiedError; related
 * posts and term listings reopen and retry, as searches do, instead of
 * failing while sou-index commits.
 */
static void test_reader_retries(void **state)
{
	char *d = tu_mkdtemp();
	char path[300];
	sou_xdb *w = NULL, *r = NULL;
	sou_strlist words = { NULL, 0 };
	double *weights = NULL;
	sou_buf id = SOU_BUF_INIT;
	sou_error err;
	size_t n = 0, nd = 0;
	int i, round;

	(void)state;
	snprintf(path, sizeof(path), "%s/db", d);
	must(sou_xdb_open(path, SOU_XDB_CREATE, &w, &err), &err);
	for (i = 0; i < 50; i++)
		add_round(w, i, 0);
	must(sou_xdb_commit(w, &err), &err);
	must(sou_xdb_open(path, SOU_XDB_READ, &r, &err), &err);
	for (round = 1; round < 4; round++) {
		for (i = 0; i < 50; i++)
			add_round(w, i, round);
		must(sou_xdb_commit(w, &err), &err);
	}
	sou_termgen_idterm("p5.md", &id);
	must(sou_xdb_like_terms(r, id.data, 10, &words, &weights, &err), &err);
	assert_true(words.n > 0);
	assert_non_null(weights);
	must(sou_xdb_each_term(r, "w", count_term, &n, &err), &err);
	assert_true(n > 0);
	must(sou_xdb_doc_terms(r, id.data, count_doc_term, &nd, &err), &err);
	assert_true(nd > 0);
	free(weights);
	sou_strlist_free(&words);
	sou_buf_free(&id);
	sou_xdb_destroy(r);
	sou_xdb_destroy(w);
	tu_rmtree(d);
}

static void test_metadata(void **state)
{
	char *d = tu_mkdtemp();
	char path[300];
	sou_xdb *w = NULL;
	sou_buf v = SOU_BUF_INIT;
	sou_error err;

	(void)state;
	snprintf(path, sizeof(path), "%s/db", d);
	must(sou_xdb_open(path, SOU_XDB_CREATE, &w, &err), &err);
	must(sou_xdb_get_metadata(w, "k", &v, &err), &err);
	assert_int_equal(v.len, 0);
	must(sou_xdb_set_metadata(w, "k", "值\0x", 5, &err), &err);
	must(sou_xdb_commit(w, &err), &err);
	must(sou_xdb_get_metadata(w, "k", &v, &err), &err);
	assert_int_equal(v.len, 5);
	assert_memory_equal(v.data, "值\0x", 5);
	sou_xdb_destroy(w);
	sou_buf_free(&v);
	tu_rmtree(d);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_doc_terms),
		cmocka_unit_test(test_field_gap),
		cmocka_unit_test(test_xdoc_terms_in_memory),
		cmocka_unit_test(test_units_and_wdf),
		cmocka_unit_test(test_query_checks),
		cmocka_unit_test(test_doc_terms_missing),
		cmocka_unit_test(test_substring_recall),
		cmocka_unit_test(test_no_false_matches),
		cmocka_unit_test(test_title_field),
		cmocka_unit_test(test_whole_word_ranks_higher),
		cmocka_unit_test(test_patterns),
		cmocka_unit_test(test_punctuation_only),
		cmocka_unit_test(test_filter_term),
		cmocka_unit_test(test_idterm),
		cmocka_unit_test(test_replace_with_long_id),
		cmocka_unit_test(test_overlong_terms_dropped),
		cmocka_unit_test(test_open_missing),
		cmocka_unit_test(test_second_writer_locked),
		cmocka_unit_test(test_pinyin_terms),
		cmocka_unit_test(test_reader_is_read_only),
		cmocka_unit_test(test_metadata),
		cmocka_unit_test(test_reader_retries),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
