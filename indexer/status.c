/*
 * status.c - what sou-index --status shows (see indexer.h): the post
 * count, the last run's summary and the remembered failed and skipped
 * files, read from the index without taking the writer lock.
 */
#include <stdlib.h>
#include <string.h>

#include "internal.h"

typedef struct status_ctx {
	sou_index_status *out;
} status_ctx;

static void status_rec(void *ctx, sou_file_state *r)
{
	status_ctx *c = ctx;
	sou_buf b = SOU_BUF_INIT;

	if (r->status == 'o')
		return;
	sou_buf_addf(&b, "%s\t%s", r->relpath, r->message ? r->message : "");
	sou_strlist_push(r->status == 'f' ? &c->out->failed : &c->out->skipped, b.data, b.len);
	sou_buf_free(&b);
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

sou_status sou_index_status_read(const char *db_path, sou_index_status *out,
				 sou_error *err)
{
	sou_xdb *db = NULL;
	sou_state *state = NULL;
	sou_buf run = SOU_BUF_INIT;
	status_ctx c = { out };
	sou_status st;
	unsigned n = 0;

	memset(out, 0, sizeof(*out));
	if ((st = sou_store_probe_set(db_path, &n, NULL, err)))
		return st;
	if (n)
		return sou_ix_set_status(db_path, n, out, err);
	if ((st = sou_xdb_open(db_path, SOU_XDB_READ, &db, err)))
		return st;
	if (!(st = sou_xdb_doccount(db, &out->posts, err)) &&
	    !(st = sou_xdb_get_metadata(db, SOU_META_LASTRUN, &run, err)) &&
	    !(st = sou_state_load(db, &state, err))) {
		/* the store's record also holds failed runs; the newer wins */
		sou_buf rec = SOU_BUF_INIT;
		if (!sou_store_read_run(db_path, &rec, NULL) && rec.len &&
		    (!run.len || strtoll(rec.data, NULL, 10) >= strtoll(run.data, NULL, 10)))
			out->last_run = sou_xstrdup(rec.data);
		else if (run.len)
			out->last_run = sou_xstrdup(run.data);
		sou_buf_free(&rec);
		st = sou_state_each(state, status_rec, &c, err);
		if (out->failed.n > 1)
			qsort(out->failed.v, out->failed.n, sizeof(char *), cmp_str);
		if (out->skipped.n > 1)
			qsort(out->skipped.v, out->skipped.n, sizeof(char *), cmp_str);
	}
	sou_buf_free(&run);
	sou_state_destroy(state);
	sou_xdb_destroy(db);
	return st;
}

void sou_index_status_clear(sou_index_status *s)
{
	if (!s)
		return;
	free(s->last_run);
	sou_strlist_free(&s->failed);
	sou_strlist_free(&s->skipped);
	memset(s, 0, sizeof(*s));
}
