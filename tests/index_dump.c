/*
 * index_dump.c - a canonical summary of a sou index, for equivalence tests.
 *
 * usage: index-dump [--full] DB
 * Prints the post count, every metadata entry except the last-run line
 * and the record dictionaries (records.h: trained on whichever posts a
 * full build met first; the records they decompress to are compared),
 * and for every post (in id-term order) its id term and a 64-bit hash of
 * its canonical form (data, values, terms with wdf and positions; see
 * sou_xdb_doc_canonical), or the whole form with --full.  Two indexes
 * hold exactly the same posts when their dumps are byte-identical; docids
 * and commit history do not show.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <xxhash.h>

#include "buf.h"
#include "schema.h"
#include "xwrap.h"

typedef struct ctx {
	sou_xdb *db;
	int full;
	int failed;
	sou_buf canon;
} ctx;

static void print_escaped(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c < 0x20 || c == '\\')
			printf("\\x%02x", c);
		else
			putchar(c);
	}
}

static void meta(void *p, const char *key, size_t klen, const char *v, size_t vlen)
{
	(void)p;
	if (klen == strlen(SOU_META_LASTRUN) && !memcmp(key, SOU_META_LASTRUN, klen))
		return;
	if (klen >= strlen(SOU_META_ZDICT) && !memcmp(key, SOU_META_ZDICT, strlen(SOU_META_ZDICT)))
		return;
	printf("meta ");
	print_escaped(key, klen);
	printf(" = ");
	print_escaped(v, vlen);
	putchar('\n');
}

static void post(void *p, const char *term, size_t len)
{
	ctx *c = p;
	sou_error err;
	char *t = strndup(term, len);

	if (sou_xdb_doc_canonical(c->db, t, &c->canon, &err)) {
		fprintf(stderr, "index-dump: %s\n", err.msg);
		c->failed = 1;
	} else if (c->full) {
		printf("post %s\n%s", t, c->canon.data);
	} else {
		printf("post %s %016llx\n", t,
		       (unsigned long long)XXH3_64bits(c->canon.data, c->canon.len));
	}
	free(t);
}

int main(int argc, char **argv)
{
	ctx c = { NULL, 0, 0, SOU_BUF_INIT };
	sou_error err;
	unsigned long n;
	int a = 1;

	if (argc > 1 && !strcmp(argv[1], "--full")) {
		c.full = 1;
		a++;
	}
	if (a + 1 != argc) {
		fprintf(stderr, "usage: index-dump [--full] DB\n");
		return 2;
	}
	if (sou_xdb_open(argv[a], SOU_XDB_READ, &c.db, &err) ||
	    sou_xdb_doccount(c.db, &n, &err) ||
	    (printf("posts %lu\n", n), 0) ||
	    sou_xdb_metadata_each(c.db, "", meta, &c, &err) ||
	    sou_xdb_each_term(c.db, SOU_PREFIX_ID, post, &c, &err)) {
		fprintf(stderr, "index-dump: %s\n", err.msg);
		c.failed = 1;
	}
	sou_buf_free(&c.canon);
	sou_xdb_destroy(c.db);
	return c.failed ? 1 : 0;
}
