/*
 * xwlb_recall.c - recall check for t0200: every 2-4 character Chinese
 * substring of a post's title must find that post.
 *
 * usage: xwlb-recall DB POSTS_DIR COUNT SEED
 * Picks COUNT posts from POSTS_DIR (a flat directory, name order) with a
 * fixed-seed generator, takes a random run of 2-4 consecutive Chinese
 * characters from each title, runs it through the real query parser and
 * checks that the post is in the match set (query FILTER the post's id
 * term).  Also reports how often the post is ranked first and in the top
 * 10 of the plain query.  Exit 0 if every substring found its post.
 */
#define _GNU_SOURCE 1 /* memmem */
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unicode/utf8.h>

#include "buf.h"
#include "frontmatter.h"
#include "qparse.h"
#include "termgen.h"
#include "xwrap.h"

static uint64_t rng = 88172645463325252ULL;

static uint64_t next_rand(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int is_han(UChar32 c)
{
	return (c >= 0x4E00 && c <= 0x9FFF) || (c >= 0x3400 && c <= 0x4DBF);
}

/* Picks a random substring of 2-4 Han characters from t into out. */
static int pick_substring(const char *t, sou_buf *out)
{
	int32_t i = 0, n = (int32_t)strlen(t), starts[512], nstarts = 0;
	int32_t offs[1024];
	int han[1024], ncp = 0, k, len, s;

	while (i < n && ncp < 1023) {
		UChar32 c;
		offs[ncp] = i;
		U8_NEXT((const uint8_t *)t, i, n, c);
		han[ncp++] = is_han(c);
	}
	offs[ncp] = i;
	for (k = 0; k + 1 < ncp; k++)
		if (han[k] && han[k + 1] && nstarts < 512)
			starts[nstarts++] = k;
	if (!nstarts)
		return 0;
	s = starts[next_rand() % (uint64_t)nstarts];
	len = 2 + (int)(next_rand() % 3);
	for (k = 0; k < len && s + k < ncp && han[s + k]; k++)
		;
	len = k;
	sou_buf_reset(out);
	sou_buf_add(out, t + offs[s], (size_t)(offs[s + len] - offs[s]));
	return 1;
}

int main(int argc, char **argv)
{
	sou_strlist files = { NULL, 0 };
	sou_termgen *tg;
	sou_xdb *db;
	sou_error err;
	DIR *d;
	struct dirent *de;
	unsigned long count, i, tried = 0, found = 0, first = 0, top10 = 0;
	sou_buf path = SOU_BUF_INIT, file = SOU_BUF_INIT, sub = SOU_BUF_INIT,
		idterm = SOU_BUF_INIT;

	if (argc != 5) {
		fprintf(stderr, "usage: xwlb-recall DB POSTS_DIR COUNT SEED\n");
		return 2;
	}
	count = strtoul(argv[3], NULL, 10);
	rng ^= strtoull(argv[4], NULL, 10) * 0x9E3779B97F4A7C15ULL;
	if (sou_xdb_open(argv[1], SOU_XDB_READ, &db, &err) ||
	    sou_termgen_create(&tg, &err)) {
		fprintf(stderr, "xwlb-recall: %s\n", err.msg);
		return 2;
	}
	if (!(d = opendir(argv[2]))) {
		perror(argv[2]);
		return 2;
	}
	while ((de = readdir(d)))
		if (strstr(de->d_name, ".md"))
			sou_strlist_push(&files, de->d_name, strlen(de->d_name));
	closedir(d);
	if (files.n > 1)
		qsort(files.v, files.n, sizeof(*files.v), cmp_str);
	for (i = 0; i < count * 4 && tried < count && files.n; i++) {
		const char *name = files.v[next_rand() % files.n];
		sou_post *post = NULL;
		sou_query *q = NULL;
		sou_xq *pair[2], *filtered;
		sou_xmset *m = NULL;
		sou_xsearch xs;
		FILE *f;
		size_t r;
		char chunk[65536];

		sou_buf_reset(&path);
		sou_buf_addf(&path, "%s/%s", argv[2], name);
		sou_buf_reset(&file);
		if (!(f = fopen(path.data, "rb")))
			continue;
		while ((r = fread(chunk, 1, sizeof(chunk), f)) > 0)
			sou_buf_add(&file, chunk, r);
		fclose(f);
		if (sou_frontmatter_parse(path.data, file.data, file.len, 480, &post, &err) ||
		    !pick_substring(post->title, &sub)) {
			sou_post_destroy(post);
			continue;
		}
		tried++;
		if (sou_query_parse(tg, sub.data, 480, &q, &err)) {
			printf("FAIL %s: query '%s': %s\n", name, sub.data, err.msg);
			sou_post_destroy(post);
			continue;
		}
		memset(&xs, 0, sizeof(xs));
		xs.limit = 1;
		sou_termgen_idterm(name, &idterm);
		pair[0] = (sou_xq *)sou_query_xq(q);
		pair[1] = sou_xq_bool_term(idterm.data, idterm.len);
		filtered = sou_xq_combine(SOU_XQ_FILTER, pair, 2);
		if (!sou_xdb_search(db, filtered, &xs, &m, &err) && sou_xmset_size(m) == 1) {
			found++;
		} else {
			printf("FAIL %s: title '%s': substring '%s' does not find it\n",
			       name, post->title, sub.data);
		}
		sou_xmset_destroy(m);
		m = NULL;
		/* rank of the post in the unfiltered query */
		xs.limit = 10;
		if (!sou_xdb_search(db, sou_query_xq(q), &xs, &m, &err)) {
			size_t k;
			for (k = 0; k < sou_xmset_size(m); k++) {
				size_t dl;
				const char *data = sou_xmset_data(m, k, &dl);
				char key[600];
				snprintf(key, sizeof(key), "\"path\":\"%s\"", name);
				if (memmem(data, dl, key, strlen(key))) {
					top10++;
					first += k == 0;
					break;
				}
			}
		}
		sou_xmset_destroy(m);
		sou_xq_destroy(pair[1]);
		sou_xq_destroy(filtered);
		sou_query_destroy(q);
		sou_post_destroy(post);
	}
	printf("recall: %lu/%lu substrings found their post; ranked first %lu, in top 10 %lu\n",
	       found, tried, first, top10);
	sou_strlist_free(&files);
	sou_buf_free(&path);
	sou_buf_free(&file);
	sou_buf_free(&sub);
	sou_buf_free(&idterm);
	sou_termgen_destroy(tg);
	sou_xdb_destroy(db);
	return tried == count && found == tried ? 0 : 1;
}
