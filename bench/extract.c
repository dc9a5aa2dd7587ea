/*
 * extract.c - sou-bench-extract: a posts tree to JSON lines of plain text,
 * so that the baseline engines index exactly the text sou indexes without
 * paying for parsing.
 *
 * usage: sou-bench-extract [--timezone ZONE] TREE [OUT]
 *
 * Walks TREE like sou-index (*.md, *.markdown, *.html; names starting with
 * '.' skipped; symlinked directories not followed; sorted name order) and
 * writes to OUT (default stdout) one JSON object per post:
 *
 *   {"id": "2020/2020-01-01-x.md", "title": "...", "date": 1577876460,
 *    "tags": ["a", "b"], "categories": ["c"], "body": "plain text"}
 *
 * id is the path relative to TREE (sou's document key), date is epoch
 * seconds or null, body is sou_text_from_body()'s output (one '\n' per
 * block boundary).  Each post goes through postdoc.h's parse, the very step
 * sou-index uses (binary files left out, invalid UTF-8 replaced), so posts
 * sou-index would skip or fail are reported on stderr and left out.
 * Ends with a summary on stderr: posts, title bytes, body bytes.
 */
#include <errno.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <jansson.h>

#include "buf.h"
#include "date.h"
#include "error.h"
#include "frontmatter.h"
#include "postdoc.h"

#define MAX_POST (8u << 20)

static sou_strlist files;

static int has_post_ext(const char *name)
{
	const char *dot = strrchr(name, '.');

	return dot && (!strcmp(dot, ".md") || !strcmp(dot, ".markdown") ||
		       !strcmp(dot, ".html"));
}

/* Recursive walk; symlinked directories are not followed, symlinked files are. */
static void walk(sou_buf *path, int depth)
{
	DIR *d;
	struct dirent *de;
	size_t base = path->len;

	if (depth > 64 || !(d = opendir(path->data))) {
		fprintf(stderr, "%s: cannot open directory\n", path->data);
		return;
	}
	while ((de = readdir(d))) {
		struct stat st;

		if (de->d_name[0] == '.')
			continue;
		sou_buf_truncate(path, base);
		sou_buf_addc(path, '/');
		sou_buf_adds(path, de->d_name);
		if (lstat(path->data, &st))
			continue;
		if (S_ISDIR(st.st_mode))
			walk(path, depth + 1);
		else if ((S_ISREG(st.st_mode) || (S_ISLNK(st.st_mode) && !stat(path->data, &st) &&
						  S_ISREG(st.st_mode))) && has_post_ext(de->d_name))
			sou_strlist_push(&files, path->data, path->len);
	}
	sou_buf_truncate(path, base);
	closedir(d);
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static json_t *list_json(const sou_strlist *l)
{
	json_t *a = json_array();
	size_t i;

	for (i = 0; i < l->n; i++)
		json_array_append_new(a, json_string(l->v[i]));
	return a;
}

static int read_all(const char *path, sou_buf *b)
{
	FILE *f = fopen(path, "rb");
	char tmp[65536];
	size_t n;

	sou_buf_reset(b);
	if (!f)
		return -1;
	while ((n = fread(tmp, 1, sizeof(tmp), f)) > 0) {
		sou_buf_add(b, tmp, n);
		if (b->len > MAX_POST) {
			fclose(f);
			return -1;
		}
	}
	fclose(f);
	return 0;
}

int main(int argc, char **argv)
{
	int tz = SOU_DEFAULT_TZ_MIN, argi = 1;
	const char *root, *outpath = NULL;
	FILE *out = stdout;
	sou_buf file = SOU_BUF_INIT;
	sou_postdoc *pd = sou_postdoc_create();
	size_t i, rootlen, n = 0, bad = 0;
	unsigned long long title_bytes = 0, body_bytes = 0;
	sou_error err;

	if (argc > 2 && !strcmp(argv[1], "--timezone")) {
		if (sou_tz_parse(argv[2], &tz, &err)) {
			fprintf(stderr, "sou-bench-extract: %s\n", err.msg);
			return 2;
		}
		argi = 3;
	}
	if (argc - argi < 1 || argc - argi > 2) {
		fprintf(stderr, "usage: sou-bench-extract [--timezone ZONE] TREE [OUT]\n");
		return 2;
	}
	root = argv[argi];
	if (argc - argi == 2)
		outpath = argv[argi + 1];
	rootlen = strlen(root);
	while (rootlen > 1 && root[rootlen - 1] == '/')
		rootlen--;
	sou_buf_add(&file, root, rootlen);
	walk(&file, 0);
	qsort(files.v, files.n, sizeof(char *), cmp_str);
	if (outpath && !(out = fopen(outpath, "w"))) {
		fprintf(stderr, "sou-bench-extract: %s: %s\n", outpath, strerror(errno));
		return 1;
	}
	for (i = 0; i < files.n; i++) {
		const char *path = files.v[i], *rel = path + rootlen, *text;
		const sou_post *post;
		size_t text_len;
		json_t *o;
		char *line;

		while (*rel == '/')
			rel++;
		if (read_all(path, &file)) {
			fprintf(stderr, "%s: unreadable or over 8 MiB\n", path);
			bad++;
			continue;
		}
		if (sou_postdoc_parse(pd, path, file.data ? file.data : "", file.len, tz, &err)) {
			fprintf(stderr, "%s\n", err.msg);
			bad++;
			continue;
		}
		post = sou_postdoc_post(pd);
		text = sou_postdoc_text(pd, &text_len);
		o = json_object();
		json_object_set_new(o, "id", json_string(rel));
		json_object_set_new(o, "title", json_string(post->title ? post->title : ""));
		json_object_set_new(o, "date", post->has_date ? json_integer(post->date.epoch)
							      : json_null());
		json_object_set_new(o, "tags", list_json(&post->tags));
		json_object_set_new(o, "categories", list_json(&post->categories));
		json_object_set_new(o, "body", json_stringn(text, text_len));
		line = json_dumps(o, JSON_COMPACT);
		if (line) {
			fputs(line, out);
			fputc('\n', out);
			free(line);
			n++;
			title_bytes += post->title ? strlen(post->title) : 0;
			body_bytes += text_len;
		} else {
			fprintf(stderr, "%s: could not encode as JSON\n", path);
			bad++;
		}
		json_decref(o);
	}
	if (out != stdout && fclose(out)) {
		fprintf(stderr, "sou-bench-extract: %s: %s\n", outpath, strerror(errno));
		return 1;
	}
	fprintf(stderr, "extracted %zu posts, left out %zu, title bytes %llu, body bytes %llu\n",
		n, bad, title_bytes, body_bytes);
	sou_buf_free(&file);
	sou_postdoc_destroy(pd);
	sou_strlist_free(&files);
	return bad ? 1 : 0;
}
