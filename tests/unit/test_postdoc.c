/*
 * test_postdoc.c - unit tests for common/postdoc.c, the one step from a
 * post file's bytes to its Xapian document: the binary sniff, UTF-8
 * cleaning, front matter and body, and the document's terms (each prefix
 * and wdf from schema.h), values and data; errors and reuse of one
 * postdoc across posts.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "testutil.h"
#include "docdata.h"
#include "postdoc.h"
#include "schema.h"
#include "termgen.h"
#include "xwrap.h"

static sou_termgen *tg;

static int setup(void **state)
{
	sou_error err;

	(void)state;
	return sou_termgen_create(&tg, &err) ? -1 : 0;
}

static int teardown(void **state)
{
	(void)state;
	sou_termgen_destroy(tg);
	return 0;
}

/* The terms of a document, "term wdf" one per line. */
static void collect(void *ctx, const char *term, size_t len, unsigned wdf, const unsigned *pos,
		    size_t npos)
{
	sou_buf *b = ctx;

	(void)pos;
	(void)npos;
	sou_buf_add(b, term, len);
	sou_buf_addf(b, " %u\n", wdf);
}

static char *terms_of(const sou_xdoc *doc)
{
	sou_buf b = SOU_BUF_INIT;
	sou_error err;

	sou_buf_addc(&b, '\n');
	if (sou_xdoc_terms(doc, collect, &b, &err))
		fail_msg("%s", err.msg);
	return sou_buf_detach(&b, NULL);
}

/* 1 if the document has term with exactly wdf. */
static int has(const char *terms, const char *term, unsigned wdf)
{
	char line[512];

	snprintf(line, sizeof(line), "\n%s %u\n", term, wdf);
	return strstr(terms, line) != NULL;
}

/* The filter term prefix + folded value, as tag:/author: queries build it. */
static char *filter(const char *prefix, const char *value)
{
	sou_buf b = SOU_BUF_INIT;
	sou_error err;

	if (sou_termgen_filter_term(tg, prefix, value, strlen(value), &b, &err))
		fail_msg("%s", err.msg);
	return sou_buf_detach(&b, NULL);
}

static const char FULL[] =
	"---\n"
	"title: 机器学习 Rates\n"
	"date: 2022-06-01 10:00:00 +0800\n"
	"tags: [AI, 机器学习]\n"
	"categories: [技术]\n"
	"author: 张三\n"
	"description: 摘要文字\n"
	"keywords: 关键, 词语\n"
	"---\n"
	"正文第一段 inflation。\n";

static void test_full_post(void **state)
{
	sou_postdoc *pd = sou_postdoc_create();
	sou_xdoc *doc = NULL;
	sou_error err;
	const sou_post *p;
	const char *text;
	size_t tlen;
	char *t, *k;

	(void)state;
	assert_null(sou_postdoc_post(pd));
	assert_int_equal(sou_postdoc_parse(pd, "2022/a.md", FULL, strlen(FULL), SOU_DEFAULT_TZ_MIN,
					   &err), SOU_OK);
	p = sou_postdoc_post(pd);
	assert_non_null(p);
	assert_string_equal(p->title, "机器学习 Rates");
	text = sou_postdoc_text(pd, &tlen);
	assert_string_equal(text, "正文第一段 inflation。");
	assert_int_equal(tlen, strlen(text));
	assert_int_equal(sou_postdoc_build(pd, tg, "2022/a.md", &doc, &err), SOU_OK);
	assert_non_null(doc);
	assert_string_equal(sou_postdoc_idterm(pd), SOU_PREFIX_ID "2022/a.md");
	t = terms_of(doc);
	/* filters: no wdf */
	assert_true(has(t, SOU_PREFIX_ID "2022/a.md", 0));
	assert_true(has(t, SOU_PREFIX_YEAR "2022", 0));
	assert_true(has(t, SOU_PREFIX_MONTH "202206", 0));
	assert_true(has(t, SOU_PREFIX_DAY "20220601", 0));
	k = filter(SOU_PREFIX_TAG, "AI");
	assert_true(has(t, k, 0));
	free(k);
	k = filter(SOU_PREFIX_TAG, "机器学习");
	assert_true(has(t, k, 0));
	free(k);
	k = filter(SOU_PREFIX_CATEGORY, "技术");
	assert_true(has(t, k, 0));
	free(k);
	k = filter(SOU_PREFIX_AUTHOR, "张三");
	assert_true(has(t, k, 0));
	free(k);
	/* weights: a title word counts SOU_WDF_TITLE in the body field and 1
	 * in the title field; a tag SOU_WDF_TAG; body text SOU_WDF_BODY */
	assert_true(has(t, SOU_PREFIX_WORD "rates", SOU_WDF_TITLE));
	assert_true(has(t, SOU_PREFIX_TITLE_WORD "rates", 1));
	assert_true(has(t, SOU_PREFIX_WORD "ai", SOU_WDF_TAG));
	assert_true(has(t, SOU_PREFIX_WORD "inflation", SOU_WDF_BODY));
	assert_true(has(t, SOU_PREFIX_STEM "inflat", SOU_WDF_BODY));
	/* description and keywords are searchable (摘要 and 关键 are words
	 * there, so their bigrams count SOU_WDF_WORD_BIGRAM times) */
	assert_true(has(t, SOU_PREFIX_BIGRAM "摘要", SOU_WDF_BODY * SOU_WDF_WORD_BIGRAM));
	assert_true(has(t, SOU_PREFIX_BIGRAM "关键", SOU_WDF_BODY * SOU_WDF_WORD_BIGRAM));
	/* the title is not in the title field twice */
	assert_false(has(t, SOU_PREFIX_TITLE_WORD "inflation", 1));
	free(t);
	sou_xdoc_destroy(doc);
	sou_postdoc_destroy(pd);
	sou_postdoc_destroy(NULL);
}

/* Values and data, read back through a real database. */
static void test_values_and_data(void **state)
{
	char *dir = tu_mkdtemp(), path[512];
	sou_postdoc *pd = sou_postdoc_create();
	sou_xdoc *doc = NULL;
	sou_xdb *db = NULL;
	sou_buf out = SOU_BUF_INIT;
	sou_docdata d;
	sou_error err;

	(void)state;
	snprintf(path, sizeof(path), "%s/db", dir);
	assert_int_equal(sou_xdb_open(path, SOU_XDB_CREATE, &db, &err), SOU_OK);
	assert_int_equal(sou_postdoc_parse(pd, "a.md", FULL, strlen(FULL), SOU_DEFAULT_TZ_MIN,
					   &err), SOU_OK);
	assert_int_equal(sou_postdoc_build(pd, tg, "key/a.md", &doc, &err), SOU_OK);
	assert_int_equal(sou_xdb_replace(db, sou_postdoc_idterm(pd), doc, &err), SOU_OK);
	assert_int_equal(sou_xdb_commit(db, &err), SOU_OK);
	assert_int_equal(sou_xdb_doc_canonical(db, SOU_PREFIX_ID "key/a.md", &out, &err), SOU_OK);
	/* SOU_SLOT_TAGS "AI\x1f机器学习", SOU_SLOT_CATEGORIES "技术", SOU_SLOT_MONTH "2022-06" */
	assert_non_null(strstr(out.data, "value 1 41491fe69cbae599a8e5ada6e4b9a0\n"));
	assert_non_null(strstr(out.data, "value 2 e68a80e69caf\n"));
	assert_non_null(strstr(out.data, "value 3 323032322d3036\n"));
	assert_non_null(strstr(out.data, "value 0 "));
	/* SOU_SLOT_TITLE: the title as stored, "机器学习 Rates" */
	assert_non_null(strstr(out.data, "value 6 e69cbae599a8e5ada6e4b9a0205261746573\n"));
	assert_int_equal(sou_xdb_get_data(db, SOU_PREFIX_ID "key/a.md", &out, &err), SOU_OK);
	assert_int_equal(sou_docdata_decode(out.data, out.len, &d, &err), SOU_OK);
	assert_string_equal(d.path, "key/a.md");
	assert_string_equal(d.title, "机器学习 Rates");
	assert_string_equal(d.author, "张三");
	assert_true(d.has_date);
	assert_int_equal(d.date.epoch, 1654048800);
	assert_string_equal(d.text, "正文第一段 inflation。");
	sou_docdata_clear(&d);
	sou_buf_free(&out);
	sou_xdoc_destroy(doc);
	sou_xdb_destroy(db);
	sou_postdoc_destroy(pd);
	tu_rmtree(dir);
}

static void test_not_posts_and_errors(void **state)
{
	static const char binary[] = "---\ntitle: x\n---\nab\0cd";
	static const char plain[] = "just text\n";
	static const char bad[] = "---\ntitle: \"unclosed\n---\n";
	sou_postdoc *pd = sou_postdoc_create();
	sou_xdoc *doc = (sou_xdoc *)1;
	sou_error err;

	(void)state;
	assert_int_equal(sou_postdoc_parse(pd, "b.md", binary, sizeof(binary) - 1, 0, &err),
			 SOU_ERR_NOFRONTMATTER);
	assert_non_null(strstr(err.msg, "b.md: binary file (NUL byte at offset 19)"));
	assert_int_equal(sou_postdoc_parse(pd, "p.md", plain, strlen(plain), 0, &err),
			 SOU_ERR_NOFRONTMATTER);
	assert_non_null(strstr(err.msg, "p.md"));
	assert_int_equal(sou_postdoc_parse(pd, "dir/bad.md", bad, strlen(bad), 0, &err),
			 SOU_ERR_PARSE);
	assert_true(!strncmp(err.msg, "dir/bad.md:", 11));
	/* nothing parsed: nothing to build */
	assert_null(sou_postdoc_post(pd));
	assert_int_equal(sou_postdoc_build(pd, tg, "bad.md", &doc, &err), SOU_ERR_INTERNAL);
	assert_null(doc);
	/* a failed parse drops the post of an earlier good one */
	assert_int_equal(sou_postdoc_parse(pd, "a.md", FULL, strlen(FULL), 0, &err), SOU_OK);
	assert_int_equal(sou_postdoc_parse(pd, "p.md", plain, strlen(plain), 0, &err),
			 SOU_ERR_NOFRONTMATTER);
	assert_null(sou_postdoc_post(pd));
	sou_postdoc_destroy(pd);
}

/* A NUL after the first 8000 bytes is not a binary file: it is cleaned. */
static void test_clean_and_html(void **state)
{
	sou_postdoc *pd = sou_postdoc_create();
	sou_buf src = SOU_BUF_INIT;
	sou_error err;
	const char *text;
	size_t tlen, i;

	(void)state;
	sou_buf_adds(&src, "---\ntitle: 坏\xff字\n---\n");
	for (i = 0; i < 900; i++)
		sou_buf_adds(&src, "0123456789");
	sou_buf_add(&src, "\0tail", 5);
	assert_int_equal(sou_postdoc_parse(pd, "c.md", src.data, src.len, 0, &err), SOU_OK);
	assert_string_equal(sou_postdoc_post(pd)->title, "坏\xEF\xBF\xBD字");
	text = sou_postdoc_text(pd, &tlen);
	assert_true(tu_valid_utf8(text, tlen));
	assert_non_null(strstr(text, "\xEF\xBF\xBDtail"));
	/* .html bodies are HTML even without a leading tag */
	sou_buf_reset(&src);
	sou_buf_adds(&src, "---\ntitle: h\n---\na &amp; b <b>c</b><script>x()</script>\n");
	assert_int_equal(sou_postdoc_parse(pd, "h.html", src.data, src.len, 0, &err), SOU_OK);
	text = sou_postdoc_text(pd, &tlen);
	assert_string_equal(text, "a & b c");
	assert_int_equal(sou_postdoc_parse(pd, "h.md", src.data, src.len, 0, &err), SOU_OK);
	text = sou_postdoc_text(pd, &tlen);
	assert_non_null(strstr(text, "a & b"));
	/* a .md body that begins with HTML is still Markdown after its HTML
	 * block; the same body in a .html file is HTML throughout */
	sou_buf_reset(&src);
	sou_buf_adds(&src, "---\ntitle: m\n---\n<p><strong>消息</strong>正文</p>\n\n"
			   "[查看原文](https://tv.example/v.shtml)\n");
	assert_int_equal(sou_postdoc_parse(pd, "m.md", src.data, src.len, 0, &err), SOU_OK);
	text = sou_postdoc_text(pd, &tlen);
	assert_string_equal(text, "消息正文\n查看原文");
	assert_int_equal(sou_postdoc_parse(pd, "m.markdown", src.data, src.len, 0, &err), SOU_OK);
	text = sou_postdoc_text(pd, &tlen);
	assert_string_equal(text, "消息正文\n查看原文");
	assert_int_equal(sou_postdoc_parse(pd, "m.html", src.data, src.len, 0, &err), SOU_OK);
	text = sou_postdoc_text(pd, &tlen);
	assert_string_equal(text, "消息正文\n[查看原文](https://tv.example/v.shtml)");
	sou_buf_free(&src);
	sou_postdoc_destroy(pd);
}

/* A key that is not UTF-8 (a file name) is the id term and the stored path. */
static void test_key_not_utf8(void **state)
{
	sou_postdoc *pd = sou_postdoc_create();
	sou_xdoc *doc = NULL;
	sou_error err;
	char *t;

	(void)state;
	assert_int_equal(sou_postdoc_parse(pd, "x\xff.md", FULL, strlen(FULL), 0, &err), SOU_OK);
	assert_int_equal(sou_postdoc_build(pd, tg, "x\xff.md", &doc, &err), SOU_OK);
	assert_string_equal(sou_postdoc_idterm(pd), SOU_PREFIX_ID "x\xff.md");
	t = terms_of(doc);
	assert_true(has(t, SOU_PREFIX_ID "x\xff.md", 0));
	free(t);
	sou_xdoc_destroy(doc);
	sou_postdoc_destroy(pd);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_full_post),
		cmocka_unit_test(test_values_and_data),
		cmocka_unit_test(test_not_posts_and_errors),
		cmocka_unit_test(test_clean_and_html),
		cmocka_unit_test(test_key_not_utf8),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
