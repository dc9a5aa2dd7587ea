/*
 * pinyin_table.h - the generated pinyin table, private to pinyin.c (and
 * bench/pinyin-accuracy.c, which walks it).  sou-pinyin-gen
 * (pinyin-gen.c) writes its definitions into the build directory from
 * Debian's rime-data-luna-pinyin at build time; pinyin-gen.c documents
 * how rows are folded and merged.
 *
 * sou_pinyin_text holds sou_pinyin_count records "key\0readings\0",
 * sorted by key in byte order (strcmp); sou_pinyin_offsets[i] is the
 * offset of record i.  Keys are folded (segment.h).  The readings of a
 * word of two or more characters are its one reading, toneless
 * syllables separated by single spaces ("yin hang"); those of a single
 * character are its readings by falling weight separated by '|'
 * ("xing|hang").  sou_pinyin_syllables lists the distinct syllables
 * with a vowel, sorted.  All of it is static data, shared by every
 * thread.
 */
#ifndef SOU_PINYIN_TABLE_H
#define SOU_PINYIN_TABLE_H

#include <stddef.h>

extern const char sou_pinyin_text[];
extern const unsigned sou_pinyin_offsets[];
extern const size_t sou_pinyin_count;
extern const char *const sou_pinyin_syllables[];
extern const size_t sou_pinyin_nsyllables;

#endif
