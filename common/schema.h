/*
 * schema.h - the one home of sou's index schema: every term prefix, value
 * slot, wdf weight, metadata key and the format version.  Nothing else in
 * the project writes a prefix letter or a slot number (as notmuch keeps
 * its prefix_table in one place); indexer, query parser, search, xwrap and
 * the tests all name them from here.
 *
 * Term scheme (README: "How Chinese is indexed").  Each searchable field
 * is indexed twice, unprefixed ("body": everything searchable) and with a
 * title prefix (title only, for title: and ranking):
 *
 *   kind      body  title  what
 *   word      ""    "S"    Latin/number words, with unit positions (English
 *                          phrases), and Chinese words (ICU's and the user
 *                          dictionary's) of SOU_HAN_WORD_MIN characters or
 *                          more, without positions and without title
 *                          copies: they only rank (a post holding 研究生
 *                          as a word above one holding 研究|生命)
 *   bigram    "G"   "XSG"  two adjacent units of a chain where at least one
 *                          is Chinese, without positions; where the two are
 *                          a two-character word, the occurrence counts
 *                          SOU_WDF_WORD_BIGRAM times (the word is its own
 *                          bigram: a word term would repeat the posting,
 *                          13% of the index, so the wdf carries the
 *                          whole-word preference instead: 和服 as a word
 *                          ranks above 和|服务); a run of two units
 *                          is exactly its bigram, a longer run the AND of its
 *                          bigrams confirmed on the post's unit stream
 *                          (units.h, qcheck.h), so recall never depends on ICU
 *   unigram   "U"   "XSU"  each Chinese character, no positions
 *   stem      "Z"   -      English stem of each Latin word, at its position
 *                          ("rates" -> "Zrate"), so inflections match
 *
 * Searchable texts: the title (both fields), tags, categories, the
 * description, keywords and the body text (body field only).  The stored
 * data (docdata.h) keeps every one of them, so a post's unit streams can
 * be derived from it; whatever the indexer adds to the body field must
 * be added to docdata's derivation too.
 *
 * Filter terms (boolean, no wdf, so they do not change document length),
 * all folded with sou_segmenter_fold:
 *   "Q"  unique id: the post's key (see sou_termgen_idterm)
 *   "K"  tag           "XC" category        "A" author
 *   "Y"  year YYYY     "M"  YYYYMM          "D" YYYYMMDD
 *
 * Completion keys (suggest.h), boolean, no wdf:
 *   "XJ" the folded words and adjacent word pairs of the title and each
 *        whole tag, for `sou-query --suggest` and sou-serve's /suggest: the
 *        posts holding a key are its term frequency
 *
 * Companies (entity.h), boolean: "XE" + stock code on each post naming
 * the company; "XEN" + name + 0x1f + code and "XEC" + code + 0x1f + name
 * on the posts where the pair was mined (the table, read by allterms);
 * SOU_SLOT_COMPANIES below.
 *
 * Pinyin keys (format 8; termgen.h sou_termgen_index_pinyin, pinyin.h),
 * wdf 1 per occurrence, no positions, from titles, tags and entity names
 * only (not bodies: index size); none with sou-index --no-pinyin:
 *   "XPY" toneless pinyin of a word or of a run of SOU_PINYIN_RUN_WORDS words,
 *         joined: XPYmaotai, XPYguizhoumaotai (two syllables or more)
 *   "XPI" its initials: XPImt, XPIgzmt (at most SOU_PINYIN_INITIALS_MAX)
 * A query's Latin pieces (and Chinese beside them) look them up,
 * weighted below what the text itself matches (qparse.c).
 *
 * Xapian reserves single capitals for conventional prefixes and "X" for
 * multi-letter ones; every prefix above starts with a capital, so a term
 * that starts with a lower-case or non-ASCII byte is an unprefixed word.
 */
#ifndef SOU_SCHEMA_H
#define SOU_SCHEMA_H

/*
 * Index format version.  Bump it whenever the terms, values or document
 * data a post produces change: an index written with another version is
 * rebuilt by the next sou-index run.
 */
#define SOU_SCHEMA_FORMAT "sou-index-format 9"
/* Format 4 (sou before issue 9): positional bigrams, no unit streams.
 * Queries still answer it exactly, by phrases, until it is rebuilt. */
#define SOU_SCHEMA_FORMAT_POSITIONAL "sou-index-format 4"

/* Term prefixes (see the table above). */
#define SOU_PREFIX_WORD ""
#define SOU_PREFIX_TITLE_WORD "S"
#define SOU_PREFIX_BIGRAM "G"
#define SOU_PREFIX_TITLE_BIGRAM "XSG"
#define SOU_PREFIX_UNIGRAM "U"
#define SOU_PREFIX_TITLE_UNIGRAM "XSU"
#define SOU_PREFIX_STEM "Z"
#define SOU_PREFIX_ID "Q"
#define SOU_PREFIX_ID_CHAR 'Q'
#define SOU_PREFIX_TAG "K"
#define SOU_PREFIX_CATEGORY "XC"
#define SOU_PREFIX_AUTHOR "A"
#define SOU_PREFIX_YEAR "Y"
#define SOU_PREFIX_MONTH "M"
#define SOU_PREFIX_DAY "D"
#define SOU_PREFIX_SUGGEST "XJ"
#define SOU_PREFIX_ENTITY "XE"        /* + code: the post names the company */
#define SOU_PREFIX_ENTITY_NAME "XEN"  /* + name + 0x1f + code: mined pair */
#define SOU_PREFIX_ENTITY_CODE "XEC"  /* + code + 0x1f + name: the same, by code */
#define SOU_PREFIX_PINYIN "XPY"
#define SOU_PREFIX_INITIALS "XPI"

/* 1 if a term is prefixed (its first byte is an ASCII capital). */
#define SOU_TERM_IS_PREFIXED(c) ((c) >= 'A' && (c) <= 'Z')

/* Value slots. */
#define SOU_SLOT_DATE 0        /* the date, a sortable number (sou_xq_number_range) */
#define SOU_SLOT_TAGS 1        /* tags, separated by SOU_FACET_SEP (facets) */
#define SOU_SLOT_CATEGORIES 2  /* categories, likewise */
#define SOU_SLOT_MONTH 3       /* "YYYY-MM" of the date (facets) */
/*
 * The UTC day of the date, SOU_DAY_WIDTH decimal digits of
 * SOU_DAY_OFFSET + days since 1970-01-01 (so string order is day order):
 * the key of the day -> weight map by which --recent favours new posts
 * with Xapian's built-in ValueMapPostingSource (which a stock
 * xapian-tcpsrv can run, unlike a custom posting source).
 */
#define SOU_SLOT_DAY 4
#define SOU_DAY_OFFSET 100000L
#define SOU_DAY_WIDTH 6
/*
 * The order key: SOU_ORDER_DATE_WIDTH hex digits of the date (epoch
 * seconds as a signed 64-bit number with its sign bit flipped, so string
 * order is time order; all zeros without a date), then the post's key.
 * Unique per post, so ranks never tie: relevance ties and date sorting
 * use it (Enquire's sort by value, which works remotely), and results do
 * not depend on docids, which differ between one index and its shards.
 */
#define SOU_SLOT_ORDER 5
#define SOU_ORDER_DATE_WIDTH 16
/*
 * The title, as the stored record holds it (docdata.h), so that
 * re-ranking (query/rerank.h) reads the titles of its candidates without
 * decompressing and decoding their records: only the page's are.
 */
#define SOU_SLOT_TITLE 6
/* The companies a post names with their codes ("贵州茅台 600519"),
 * SOU_FACET_SEP between (entity.h): the company facet. */
#define SOU_SLOT_COMPANIES 7

/* The shortest Chinese word, in characters, indexed as a word term
 * (format 7; shorter words are their bigram, see above). */
#define SOU_HAN_WORD_MIN 3
/* How many times a bigram counts where it is a two-character word. */
#define SOU_WDF_WORD_BIGRAM 2

/* wdf increments: how much one occurrence of a word in each place counts. */
#define SOU_WDF_TITLE 3
#define SOU_WDF_TAG 2
#define SOU_WDF_BODY 1

/*
 * User metadata keys.  Per-file records live under SOU_META_FILE + the
 * post's id term without its "Q" (indexer/state.h gives the value format).
 */
#define SOU_META_CONFIG "sou:config"    /* format version and options the index was built with */
#define SOU_META_LASTRUN "sou:lastrun"  /* the last run's summary, for --status */
#define SOU_META_FILE "s"
/* A record compression dictionary (records.h): this prefix + its zstd id
 * in 8 hex digits; the value is the dictionary. */
#define SOU_META_ZDICT "sou:zdict:"

#endif
