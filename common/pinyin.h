/*
 * pinyin.h - toneless pinyin readings of Chinese words, and the reverse:
 * cutting Latin text into pinyin syllables.  termgen.c indexes the
 * readings of titles, tags and entity names (schema.h: SOU_PREFIX_PINYIN,
 * SOU_PREFIX_INITIALS) and reads pinyin and initials in queries with it.
 *
 * Readings come from a word reading dictionary compiled into sou at build
 * time (pinyin_table.h, generated from Debian's rime-data-luna-pinyin;
 * README "Pinyin and initials"), word first, so that polyphones read as
 * the word wants them: 银行 yin hang but 行长 hang zhang, 重庆 chong qing,
 * 长江 chang jiang, 音乐 yin yue.  A word the table lacks is cut into
 * table words (fewest pieces, then fewest single characters, then the
 * leftmost longest piece), a character alone reads as its most common
 * reading, and only a character the table lacks is read by ICU's
 * Han-Latin transliterator (toneless).  Everything works on folded text
 * (segment.h), which is how the table's keys are stored.
 */
#ifndef SOU_PINYIN_H
#define SOU_PINYIN_H

#include <stddef.h>

#include "buf.h"
#include "error.h"

typedef struct sou_pinyin sou_pinyin;

/* A reader (with ICU's transliterator, opened on first need); owned by the
 * caller; not thread-safe (the table itself is shared, read-only). */
sou_status sou_pinyin_create(sou_pinyin **out, sou_error *err);
void sou_pinyin_destroy(sou_pinyin *py);

/* What a reading may use (bench/pinyin-accuracy.c compares them). */
#define SOU_PINYIN_WORDS    0x1  /* the table's words of two or more characters */
#define SOU_PINYIN_CHARS    0x2  /* the table's characters (most common reading) */
#define SOU_PINYIN_ICU      0x4  /* ICU Han-Latin for characters not read otherwise */
#define SOU_PINYIN_HOLD_OUT 0x8  /* never the whole text's own table entry */
#define SOU_PINYIN_DEFAULT (SOU_PINYIN_WORDS | SOU_PINYIN_CHARS | SOU_PINYIN_ICU)

/*
 * The reading of folded text s[0..len) (Chinese characters; anything else
 * has no reading) into out, replacing it: lower-case toneless syllables
 * separated by single spaces ("gui zhou mao tai").  If pieces is not NULL,
 * the cut the reading was composed from is appended to it (the folded
 * text of each piece: a table word or one character).  Returns the number
 * of syllables, or 0 when some character has no reading (out and pieces
 * are then unspecified).
 */
size_t sou_pinyin_reading(sou_pinyin *py, const char *s, size_t len, unsigned flags,
			  sou_buf *out, sou_strlist *pieces);

/* Appends the first letter of each syllable of a reading (as above) to
 * out: "gui zhou mao tai" -> "gzmt". */
void sou_pinyin_initials(const char *reading, size_t len, sou_buf *out);
/* Appends a reading's (or typed letters') letters without the spaces:
 * "gui zhou mao tai" -> "guizhoumaotai", as the pinyin terms and reading
 * keys hold them. */
void sou_pinyin_joined(const char *reading, size_t len, sou_buf *out);
/* 1 if folded text s[0..len) reads as the letters w[0..n): its reading
 * joined (how has SOU_READS_JOINED) or its initials (SOU_READS_INITIALS);
 * 0 too when s has no reading.  scratch (the caller's) holds the reading. */
#define SOU_READS_JOINED   0x1
#define SOU_READS_INITIALS 0x2
int sou_pinyin_reads_as(sou_pinyin *py, const char *s, size_t len, const char *w, size_t n,
			int how, sou_buf *scratch);

/*
 * Cuts s[0..len) (ASCII letters, either case) into pinyin syllables,
 * fewest first (xian -> xian, not xi an), into out (replacing it),
 * separated by single spaces.  Returns the number of syllables, or 0 if
 * s is not pinyin.  *alt2 (may be NULL) is set to 1 when s can also be
 * cut into two or more syllables (xian: xi an), so that one word can be
 * the joined reading of a two-character word (西安).
 */
size_t sou_pinyin_split(const char *s, size_t len, sou_buf *out, int *alt2);
/* Longer Latin text is never pinyin here (a unit is at most
 * SOU_MAX_UNIT_BYTES, segment.h). */
#define SOU_MAX_PINYIN_LETTERS 64

/* Initials as typed in queries: this many ASCII letters, none of them a
 * letter no syllable starts with (i, u, v). */
#define SOU_PINYIN_INITIALS_MIN 2
#define SOU_PINYIN_INITIALS_MAX 6
int sou_pinyin_is_initials(const char *s, size_t len);

/*
 * The table's own entry for folded text s (bench and tests): its readings
 * as pinyin_table.h stores them (a word's one reading; a character's
 * readings by weight, '|' between), borrowed static data, or NULL.
 */
const char *sou_pinyin_lookup(const char *s, size_t len);

/* The table's size, and its i-th key and readings (static data). */
size_t sou_pinyin_table_size(void);
void sou_pinyin_table_entry(size_t i, const char **key, const char **readings);

#endif
