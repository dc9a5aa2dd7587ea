/*
 * tune.h - knobs for measuring the parts of an index build one at a time
 * (bench/README.md, "Build knobs").
 *
 * They are not options: sou always uses the defaults below, which the
 * measurements chose.  For experiments the environment variable SOU_TUNE
 * ("name=value,name=value", integers) overrides them, so that bench/
 * can build the same corpus with one change switched off at a time; every
 * combination still yields an index that answers queries correctly.
 *
 *   name              default  what
 *   bigram_positions  0        Chinese bigrams carry positions (format 4 did)
 *   accumulate        1        one add_term per distinct term and field with
 *                              the summed wdf, instead of one call per occurrence
 *   han_words         3        the shortest Chinese word (characters) that is a
 *                              word term (SOU_HAN_WORD_MIN; format 6 had 1, 0
 *                              means none); set it alike for sou-index and
 *                              sou-query
 *   word_bigram_wdf   2        times a bigram counts where it is a whole
 *                              two-character word (SOU_WDF_WORD_BIGRAM; 1: no
 *                              whole-word preference for such words)
 *   title_words       0        those Chinese words of the title also get title
 *                              ("S") copies; Latin title words always do
 *   record_dict       1        full builds train a zstd dictionary and store
 *                              records compressed with it (records.h; 0: the
 *                              records stay plain, zlib'd by Xapian)
 *   record_level      9        the zstd level of records (SOU_RECORDS_LEVEL;
 *                              xwlb: 3 -> 24.9 MB of records, 9 -> 22.9)
 *   shard_nosync      1        build shards are written without fsync
 *                              (DB_NO_SYNC): a killed build is redone anyway
 *   shard_dangerous   1        build shards update blocks in place
 *                              (DB_DANGEROUS): nobody reads them meanwhile
 *   shard_flush_mb    0        build shards flush when their pending changes
 *                              reach about this many MB, all shards together,
 *                              instead of every --batch posts (measured: no
 *                              gain at 256, slower at 1024: Xapian's inverter
 *                              maps grow deeper; bench/README.md)
 * and for queries (query/search.c, README "Counts"):
 *   count_cap         2000     matches counted exactly before extrapolating
 *   check_window      32       candidates fetched at once for checking
 *   check_all         40       candidates all checked (an exact total) when
 *                              there are no more
 *   check_sample      16       candidates checked for the share that passes
 *   rank_exhaustive   1        relevance-ranked searches examine every match,
 *                              so ties break alike in one index and in its
 *                              shards (0: Xapian's weight pruning, faster
 *                              for common words on large indexes)
 *   suggest_readings  2        reading keys of completion keys (suggest.h):
 *                              0 none, 1 of single pieces, 2 of pairs too
 *   suggest_initials  1        initials keys: 0 none, 1 of single pieces,
 *                              2 of pairs too (README "Suggestions": +2.0%)
 * and for ranking: rerank_depth, rerank_title, rerank_phrase,
 * rerank_coverage, rerank_proximity, rerank_title_field (query/rerank.h)
 * and for remote shards (README "Scaling out", "Round trips"):
 *   remote_pool       4        more connections per remote shard for
 *                              fetching records in parallel
 *   remote_carry      0        re-ranked titles come with the hits (as the
 *                              collapse key; costs the server a read per
 *                              match, more than the two round trips saved
 *                              on loopback)
 *   term_cache        1        the company table is read once and kept
 *   serve_reopen_ms   1000     sou-serve reopens remote shards at most this
 *                              often per worker
 */
#ifndef SOU_TUNE_H
#define SOU_TUNE_H

/* Defaults of knobs read in more than one place. */
#define SOU_TUNE_SHARD_FLUSH_MB 0

#ifdef __cplusplus
extern "C" {
#endif

/* The value of knob name: SOU_TUNE's, or dflt.  Thread-safe. */
long sou_tune(const char *name, long dflt);

#ifdef __cplusplus
}
#endif

#endif
