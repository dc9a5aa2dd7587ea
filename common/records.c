/*
 * records.c - zstd with trained dictionaries for stored records (see
 * records.h for the stored form).
 *
 * Invariants: ids[i] and ddicts[i] belong together; wdict is the index
 * of the writing dictionary in them, or -1.  A CDict is made only for the
 * writing dictionary.
 */
#include "records.h"
#include "tune.h"

#include <stdlib.h>
#include <string.h>
#include <zdict.h>
#include <zstd.h>

struct sou_records {
	unsigned *ids;
	ZSTD_DDict **ddicts;
	size_t n, cap;
	int wdict;
	ZSTD_CDict *cdict;
	ZSTD_CCtx *cctx;
	ZSTD_DCtx *dctx;
};

sou_records *sou_records_create(void)
{
	sou_records *r = sou_xcalloc(1, sizeof(*r));

	r->wdict = -1;
	return r;
}

void sou_records_destroy(sou_records *r)
{
	size_t i;

	if (!r)
		return;
	for (i = 0; i < r->n; i++)
		ZSTD_freeDDict(r->ddicts[i]);
	free(r->ddicts);
	free(r->ids);
	ZSTD_freeCDict(r->cdict);
	ZSTD_freeCCtx(r->cctx);
	ZSTD_freeDCtx(r->dctx);
	free(r);
}

void sou_records_train(const char *samples, const size_t *sizes, size_t n, sou_buf *dict)
{
	size_t got, total = 0, cap, i;

	sou_buf_reset(dict);
	if (n < SOU_RECORDS_MIN_SAMPLES || n > 0xFFFFFFFFu)
		return;
	for (i = 0; i < n; i++)
		total += sizes[i];
	cap = total / 4 < SOU_RECORDS_DICT_BYTES ? total / 4 : SOU_RECORDS_DICT_BYTES;
	if (cap < 1024)
		return;
	sou_buf_grow(dict, cap);
	got = ZDICT_trainFromBuffer(dict->data, cap, samples, sizes, (unsigned)n);
	if (ZDICT_isError(got) || !ZDICT_getDictID(dict->data, got)) {
		sou_buf_reset(dict); /* too little to learn from: plain records */
		return;
	}
	dict->len = got;
	dict->data[got] = '\0';
}

unsigned sou_records_dict_id(const char *dict, size_t len)
{
	return len ? ZDICT_getDictID(dict, len) : 0;
}

unsigned sou_records_add_dict(sou_records *r, const char *dict, size_t len, int for_writing)
{
	unsigned id = sou_records_dict_id(dict, len);
	size_t i;

	if (!id)
		return 0;
	for (i = 0; i < r->n && r->ids[i] != id; i++)
		;
	if (i == r->n) {
		/* a damaged stored dictionary (its header alone can pass the id
		 * check) is not added: the records needing it are reported */
		ZSTD_DDict *dd = ZSTD_createDDict(dict, len);
		if (!dd)
			return 0;
		if (r->n == r->cap) {
			r->cap = r->cap ? 2 * r->cap : 4;
			r->ids = sou_xrealloc(r->ids, r->cap * sizeof(*r->ids));
			r->ddicts = sou_xrealloc(r->ddicts, r->cap * sizeof(*r->ddicts));
		}
		r->ids[r->n] = id;
		r->ddicts[r->n] = dd;
		r->n++;
	}
	if (for_writing && r->wdict != (int)i) {
		ZSTD_CDict *cd = ZSTD_createCDict(dict, len,
						  (int)sou_tune("record_level", SOU_RECORDS_LEVEL));
		if (cd) { /* else the records stay plain */
			ZSTD_freeCDict(r->cdict);
			r->cdict = cd;
			r->wdict = (int)i;
		}
	}
	return id;
}

int sou_records_packing(const sou_records *r)
{
	return r->wdict >= 0;
}

void sou_records_pack(sou_records *r, const char *rec, size_t len, sou_buf *out)
{
	size_t bound = ZSTD_compressBound(len), got;
	unsigned id;

	sou_buf_reset(out);
	if (r->wdict < 0) {
		sou_buf_add(out, rec, len);
		return;
	}
	if (!r->cctx && !(r->cctx = ZSTD_createCCtx()))
		abort();
	id = r->ids[r->wdict];
	sou_buf_grow(out, 5 + bound);
	out->data[0] = SOU_RECORDS_ZSTD;
	out->data[1] = (char)(id & 0xFF);
	out->data[2] = (char)((id >> 8) & 0xFF);
	out->data[3] = (char)((id >> 16) & 0xFF);
	out->data[4] = (char)((id >> 24) & 0xFF);
	got = ZSTD_compress_usingCDict(r->cctx, out->data + 5, bound, rec, len, r->cdict);
	if (ZSTD_isError(got) || 5 + got >= len) {
		/* not smaller (or zstd refused): kept plain */
		sou_buf_reset(out);
		sou_buf_add(out, rec, len);
		return;
	}
	out->len = 5 + got;
	out->data[out->len] = '\0';
}

sou_status sou_records_unpack(sou_records *r, const char *data, size_t len, sou_buf *out,
			      sou_error *err)
{
	unsigned id;
	unsigned long long size;
	size_t i, got;

	sou_buf_reset(out);
	if (!len || data[0] != SOU_RECORDS_ZSTD) {
		sou_buf_add(out, data, len);
		return SOU_OK;
	}
	if (len < 5)
		return sou_error_set(err, SOU_ERR_DB, "a stored record is cut short");
	id = (unsigned)(unsigned char)data[1] | (unsigned)(unsigned char)data[2] << 8 |
	     (unsigned)(unsigned char)data[3] << 16 | (unsigned)(unsigned char)data[4] << 24;
	for (i = 0; i < r->n && r->ids[i] != id; i++)
		;
	if (i == r->n)
		return sou_error_set(err, SOU_ERR_DB,
				     "a stored record needs compression dictionary %08x, which the "
				     "index does not hold", id);
	size = ZSTD_getFrameContentSize(data + 5, len - 5);
	if (size == ZSTD_CONTENTSIZE_UNKNOWN || size == ZSTD_CONTENTSIZE_ERROR ||
	    size > (1ull << 31))
		return sou_error_set(err, SOU_ERR_DB, "a stored record's zstd frame is damaged");
	if (!r->dctx && !(r->dctx = ZSTD_createDCtx()))
		abort();
	sou_buf_grow(out, (size_t)size + 1);
	got = ZSTD_decompress_usingDDict(r->dctx, out->data, (size_t)size, data + 5, len - 5,
					 r->ddicts[i]);
	if (ZSTD_isError(got) || got != size)
		return sou_error_set(err, SOU_ERR_DB, "a stored record does not decompress: %s",
				     ZSTD_isError(got) ? ZSTD_getErrorName(got) : "wrong size");
	out->len = got;
	out->data[got] = '\0';
	return SOU_OK;
}
