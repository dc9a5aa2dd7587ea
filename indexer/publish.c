/*
 * publish.c - the end of a run (see internal.h): delete the posts whose
 * files were not seen, write the last-run summary (SOU_META_LASTRUN, shown
 * by --status), commit, and after a full build switch readers to the new
 * generation (store.h).  The summary is written in the same commit as the
 * run's last changes, so --status never describes an uncommitted run.
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "internal.h"

typedef struct sweep_ctx {
	sou_indexer *ix;
	sou_strlist gone;     /* keys whose files were not seen */
	sou_strlist had_doc;  /* "1" if that one had a document */
} sweep_ctx;

/*
 * Every record not met in this run goes, whatever root it was found
 * under: the index holds exactly the posts below this run's PATHs, so a
 * moved tree, a switched symlink or a PATH dropped from the command line
 * leaves nothing stale behind.
 */
static void find_gone(void *ctx, sou_file_state *r)
{
	sweep_ctx *c = ctx;

	if (r->seen)
		return;
	sou_strlist_push(&c->gone, r->relpath, strlen(r->relpath));
	sou_strlist_push(&c->had_doc, r->status == 'o' ? "1" : "0", 1);
}

sou_status sou_ix_publish_sweep(sou_indexer *ix, sou_error *err)
{
	sweep_ctx c = { ix, { NULL, 0 }, { NULL, 0 } };
	sou_ix_worker *w = &ix->main_w;
	sou_status st = SOU_OK;
	size_t i;

	/* an unchanged tree: no second pass over the records */
	if (sou_state_all_met(ix->state))
		return SOU_OK;
	if ((st = sou_state_each(ix->state, find_gone, &c, err)))
		goto out;
	for (i = 0; i < c.gone.n && !st; i++) {
		int doc = c.had_doc.v[i][0] == '1';
		if (doc) {
			ix->st.deleted++;
			sou_ix_emit(ix, SOU_IX_DELETED, c.gone.v[i], NULL);
		}
		if (ix->o.dry_run)
			continue;
		if (doc && (st = sou_ix_file_delete(w, c.gone.v[i], err)))
			break;
		if (!(st = sou_state_remove(ix->state, ix->db, c.gone.v[i], err)))
			st = sou_ix_count_change(w, err);
	}
out:
	sou_strlist_free(&c.gone);
	sou_strlist_free(&c.had_doc);
	return st;
}

sou_status sou_ix_publish_commit(sou_indexer *ix, int was_interrupted, sou_error *err)
{
	sou_buf run = SOU_BUF_INIT;
	sou_status st;

	sou_ix_run_summary(ix, NULL, &run);
	st = sou_xdb_set_metadata(ix->db, SOU_META_LASTRUN, run.data, run.len, err);
	sou_buf_free(&run);
	if (!st)
		st = sou_xdb_commit(ix->db, err);
	ix->main_w.pending = 0;
	ix->main_w.pending_adds = 0;
	if (!st && sou_store_is_fresh(ix->store) &&
	    !(sou_store_has_current(ix->store) && (ix->stopped || was_interrupted))) {
		sou_xdb_destroy(ix->db);
		ix->db = NULL;
		st = sou_store_publish(ix->store, err);
	}
	return st;
}
