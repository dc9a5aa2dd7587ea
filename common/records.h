/*
 * records.h - how a post's stored record (docdata.h) is kept in the
 * index: compressed with zstd and a dictionary trained on the index's own
 * posts (README "Stored records").
 *
 * A record of 1-2 KB of Chinese text compresses poorly alone (Xapian's
 * zlib keeps 61% of it); with a dictionary of the words and phrases the
 * posts share, zstd keeps about 37%.  Full builds train one dictionary
 * from their first SOU_RECORDS_SAMPLES posts and store it in the index's
 * metadata under SOU_META_ZDICT + its id (schema.h); every record written
 * afterwards, in that run and in later incremental runs, is compressed
 * with it.  An index (or shard) has at most one dictionary per full
 * build; readers load every dictionary of every shard they open, so each
 * record finds its own.
 *
 * Stored form: a record that starts with '{' is plain (docdata's JSON
 * header first); one that starts with SOU_RECORDS_ZSTD is followed by the
 * dictionary's id (4 bytes, little-endian) and one zstd frame whose
 * content size is set.
 */
#ifndef SOU_RECORDS_H
#define SOU_RECORDS_H

#include <stddef.h>

#include "buf.h"
#include "error.h"

#ifdef __cplusplus
extern "C" {
#endif

#define SOU_RECORDS_ZSTD '\x01'
/* Records a full build trains its dictionary on, and the fewest worth it. */
#define SOU_RECORDS_SAMPLES 1024
#define SOU_RECORDS_MIN_SAMPLES 16
/* Dictionary size at most (zstd's recommended ~100 KB; 64 KB keeps shards
 * light), and no more than a quarter of the samples. */
#define SOU_RECORDS_DICT_BYTES (64u << 10)
/* zstd level for records: level 9 measured 0.37 of the raw size, level 3
 * 0.40, level 19 0.35 (xwlb sample); decompression costs the same. */
#define SOU_RECORDS_LEVEL 9

/* Dictionaries and zstd contexts; one per database handle, not
 * thread-safe.  Owned by the caller. */
typedef struct sou_records sou_records;

sou_records *sou_records_create(void);
void sou_records_destroy(sou_records *r);

/*
 * Trains a dictionary on n sample records (concatenated in samples, sizes
 * in sizes) into dict (replacing it; owned by the caller).  With fewer
 * than SOU_RECORDS_MIN_SAMPLES samples, or when zstd finds nothing to
 * learn, dict is left empty and the records stay plain.  Cannot fail
 * otherwise (allocation failure aborts).
 */
void sou_records_train(const char *samples, const size_t *sizes, size_t n, sou_buf *dict);

/* The id zstd gave a dictionary (nonzero), or 0 if it is not one. */
unsigned sou_records_dict_id(const char *dict, size_t len);

/*
 * Adds a dictionary (copied) for reading, and for writing too if
 * for_writing: then sou_records_pack compresses with it.  Returns its id,
 * or 0 if the bytes are not a usable zstd dictionary (ignored then: a
 * record that names it fails to unpack with SOU_ERR_DB).
 */
unsigned sou_records_add_dict(sou_records *r, const char *dict, size_t len, int for_writing);

/* 1 if records written through r are compressed. */
int sou_records_packing(const sou_records *r);

/* rec[0..len) in stored form into out (replacing it). */
void sou_records_pack(sou_records *r, const char *rec, size_t len, sou_buf *out);

/*
 * A stored record data[0..len) back in plain form into out (replacing
 * it).  SOU_ERR_DB when it names a dictionary r does not have or its frame
 * does not decompress (the message says which; callers add the index).
 */
sou_status sou_records_unpack(sou_records *r, const char *data, size_t len, sou_buf *out,
			      sou_error *err);

#ifdef __cplusplus
}
#endif

#endif
