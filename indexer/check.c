/*
 * check.c - sou-index --check (see check.h).
 *
 * Pass 2 matches id terms: a record of an indexed post names its relpath,
 * whose id term (termgen.h) must index exactly one document; the index's
 * id terms (prefix SOU_PREFIX_ID) must each belong to such a record.  Both
 * lists are sorted, so each lookup is a binary search.  Every stored post
 * must decode and, in an index of the current format (schema.h), yield
 * the unit streams that queries are checked against (docdata.h); an index
 * of format 4 has none and is rebuilt by the next run anyway.
 */
#include "check.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "docdata.h"
#include "internal.h"
#include "schema.h"
#include "state.h"
#include "store.h"
#include "termgen.h"
#include "xwrap.h"

typedef struct checker {
	sou_check_report *r;
	sou_xdb *db;
	sou_strlist ids;     /* id terms of the records of indexed posts */
	sou_strlist qterms;  /* id terms in the index, in term order */
	unsigned long listed;/* problems listed in this pass */
	unsigned shard_k, shard_n; /* a set's shard k of n (n 0: a single index) */
} checker;

static void problem(checker *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Counts a problem and lists the first SOU_CHECK_LISTED of the pass. */
static void problem(checker *c, const char *fmt, ...)
{
	va_list ap;

	c->r->problems++;
	if (c->listed++ >= SOU_CHECK_LISTED)
		return;
	va_start(ap, fmt);
	sou_buf_vaddf(&c->r->text, fmt, ap);
	va_end(ap);
	sou_buf_addc(&c->r->text, '\n');
}

static void collect_record(void *ctx, sou_file_state *rec)
{
	checker *c = ctx;
	sou_buf id = SOU_BUF_INIT;

	if (c->shard_n && sou_ix_shard_of(rec->relpath, c->shard_n) != c->shard_k)
		problem(c, "%s: belongs in shard-%u (its key hashes there), not here",
			rec->relpath, sou_ix_shard_of(rec->relpath, c->shard_n));
	if (rec->status != 'o')
		return;
	c->r->records++;
	sou_termgen_idterm(rec->relpath, &id);
	sou_strlist_push(&c->ids, id.data, id.len);
	sou_buf_free(&id);
}

static void collect_term(void *ctx, const char *term, size_t len)
{
	sou_strlist_push(&((checker *)ctx)->qterms, term, len);
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int has_id(const checker *c, const char *id)
{
	return c->ids.n && bsearch(&id, c->ids.v, c->ids.n, sizeof(char *), cmp_str) != NULL;
}

/*
 * Pass 2.  Index failures met on the way (a damaged table) are problems
 * too, and end the pass; only running out of memory and bugs are errors.
 */
static sou_status check_records(checker *c, sou_error *err)
{
	sou_state *state = NULL;
	sou_buf data = SOU_BUF_INIT, cfg = SOU_BUF_INIT, ut = SOU_BUF_INIT, ub = SOU_BUF_INIT;
	sou_segmenter *seg = NULL;
	sou_error e;
	sou_status st;
	size_t i, fl = strlen(SOU_SCHEMA_FORMAT);

	if ((st = sou_xdb_get_metadata(c->db, SOU_META_CONFIG, &cfg, &e)))
		goto out;
	/* unit streams only where this format wrote them */
	if (cfg.len > fl && !memcmp(cfg.data, SOU_SCHEMA_FORMAT, fl) && cfg.data[fl] == ' ' &&
	    (st = sou_segmenter_create(&seg, &e)))
		goto out;
	if ((st = sou_state_load(c->db, &state, &e)) ||
	    (st = sou_xdb_doccount(c->db, &c->r->posts, &e)) ||
	    (st = sou_xdb_each_term(c->db, SOU_PREFIX_ID, collect_term, c, &e)))
		goto out;
	if ((st = sou_state_each(state, collect_record, c, &e)))
		goto out;
	if (c->ids.n > 1)
		qsort(c->ids.v, c->ids.n, sizeof(char *), cmp_str);
	for (i = 0; i < c->ids.n; i++) {
		unsigned long n = 0;
		if ((st = sou_xdb_termfreq(c->db, c->ids.v[i], &n, &e)))
			goto out;
		if (n == 0)
			problem(c, "%s: recorded as indexed, but the index has no document for it",
				c->ids.v[i] + strlen(SOU_PREFIX_ID));
		else if (n > 1)
			problem(c, "%s: %lu documents instead of one",
				c->ids.v[i] + strlen(SOU_PREFIX_ID), n);
	}
	for (i = 0; i < c->qterms.n; i++) {
		const char *q = c->qterms.v[i], *name = q + strlen(SOU_PREFIX_ID);
		sou_docdata d;
		sou_error de;

		if (!has_id(c, q))
			problem(c, "%s: a document without a record of an indexed post", name);
		if ((st = sou_xdb_get_data(c->db, q, &data, &e))) {
			if (st != SOU_ERR_NOTFOUND)
				goto out;
			st = SOU_OK; /* an id term without a document: counted below */
			continue;
		}
		memset(&d, 0, sizeof(d));
		if (sou_docdata_decode(data.data ? data.data : "", data.len, &d, &de))
			problem(c, "%s: its stored data does not decode: %s", name, de.msg);
		else if (seg && sou_docdata_units(&d, seg, &ut, &ub, &de))
			problem(c, "%s: its stored data has no unit streams to check queries "
				"against: %s", name, de.msg);
		sou_docdata_clear(&d);
	}
	if (c->r->posts != c->r->records)
		problem(c, "the index holds %lu documents but records of %lu indexed posts",
			c->r->posts, c->r->records);
out:
	if (st == SOU_ERR_NOMEM || st == SOU_ERR_INTERNAL) {
		if (err)
			*err = e;
	} else if (st) {
		/* after pass 1 found damage this is only its echo */
		if (!c->r->problems)
			problem(c, "%s", e.msg);
		st = SOU_OK;
	}
	sou_buf_free(&data);
	sou_buf_free(&cfg);
	sou_buf_free(&ut);
	sou_buf_free(&ub);
	sou_segmenter_destroy(seg);
	sou_state_destroy(state);
	return st;
}

/* Checks one index: a single one, or shard k of a set of n (n > 0). */
static sou_status check_one(const char *db_path, double wait_s, unsigned k, unsigned shard_n,
			    sou_check_report *out, sou_error *err)
{
	checker c;
	sou_store *store = NULL;
	unsigned long n = 0;
	sou_status st;

	memset(out, 0, sizeof(*out));
	memset(&c, 0, sizeof(c));
	c.r = out;
	c.shard_k = k;
	c.shard_n = shard_n;
	/* the writer lock keeps a run from changing the files under the check */
	if ((st = sou_store_lock(db_path, wait_s, &store, err)))
		return st;
	if (!sou_store_has_current(store)) {
		sou_store_destroy(store);
		return sou_error_set(err, SOU_ERR_NOTFOUND, "%s: no index here", db_path);
	}
	/* pass 1: Xapian's checker (its findings are already lines) */
	st = sou_xdb_check(db_path, &out->text, &n, err);
	out->problems += n;
	if (!st) {
		st = sou_xdb_open(db_path, SOU_XDB_READ, &c.db, err);
		if (st == SOU_ERR_DB) { /* unopenable after pass 1: damaged */
			if (!out->problems)
				problem(&c, "%s", err ? err->msg : "the index cannot be opened");
			st = SOU_OK;
		} else if (!st) {
			c.listed = 0;
			st = check_records(&c, err);
		}
	}
	sou_xdb_destroy(c.db);
	sou_strlist_free(&c.ids);
	sou_strlist_free(&c.qterms);
	sou_store_destroy(store);
	return st;
}

/* Appends one shard's report to the set's, each line naming the shard. */
static void add_shard_report(sou_check_report *to, const char *shard, sou_check_report *r)
{
	size_t a = 0, sl = strlen(shard);

	to->posts += r->posts;
	to->records += r->records;
	to->problems += r->problems;
	while (a < r->text.len) {
		const char *nl = memchr(r->text.data + a, '\n', r->text.len - a);
		size_t b = nl ? (size_t)(nl - r->text.data) : r->text.len;
		if (b - a < sl + 2 || memcmp(r->text.data + a, shard, sl) ||
		    memcmp(r->text.data + a + sl, ": ", 2))
			sou_buf_addf(&to->text, "%s: ", shard);
		sou_buf_add(&to->text, r->text.data + a, b - a);
		sou_buf_addc(&to->text, '\n');
		a = b + 1;
	}
}

/* A set: its stub, then every shard (see check.h). */
static sou_status check_set(const char *db_path, double wait_s, unsigned n, int has_stub,
			    sou_check_report *out, sou_error *err)
{
	sou_buf dir = SOU_BUF_INIT;
	sou_status st = SOU_OK;
	unsigned k;
	int fd = -1;

	out->shards = n;
	/* the set's lock keeps a run on the set out of every shard */
	if ((st = sou_store_lock_dir(db_path, wait_s, 1, &fd, err)))
		return st;
	if (!has_stub) {
		out->problems++;
		sou_buf_addf(&out->text, "%s/XAPIANDB: missing: the set's first build did not "
			     "finish (run sou-index on it again)\n", db_path);
	}
	for (k = 0; k < n && !st; k++) {
		sou_check_report one;
		sou_error e;
		sou_store_shard_dir(db_path, k, &dir);
		st = check_one(dir.data, wait_s, k, n, &one, &e);
		if (st == SOU_ERR_NOTFOUND || st == SOU_ERR_DB) {
			/* a shard that cannot be checked is a damaged set */
			one.problems++;
			sou_buf_addf(&one.text, "%s\n", e.msg);
			st = SOU_OK;
		} else if (st && err) {
			*err = e;
		}
		add_shard_report(out, dir.data, &one);
		sou_check_report_clear(&one);
	}
	close(fd);
	sou_buf_free(&dir);
	return st;
}

sou_status sou_check_run(const char *db_path, double wait_s, sou_check_report *out,
			 sou_error *err)
{
	unsigned n = 0;
	int has_stub = 0;
	sou_status st;

	memset(out, 0, sizeof(*out));
	if ((st = sou_store_probe_set(db_path, &n, &has_stub, err)))
		return st;
	if (n)
		return check_set(db_path, wait_s, n, has_stub, out, err);
	return check_one(db_path, wait_s, 0, 0, out, err);
}

void sou_check_report_clear(sou_check_report *r)
{
	if (!r)
		return;
	sou_buf_free(&r->text);
	memset(r, 0, sizeof(*r));
}
