/*
 * entity.h - listed companies (A-share stock codes and their names) as
 * entities (issue 19, "stock tickers as entities").
 *
 * There is no packaged offline list of codes, so the table is mined from
 * the posts themselves: a code in brackets after the company's name
 * (贵州茅台（600519）, 欧菲光(002456), 宁德时代(300750.SZ)), or a code
 * with its exchange's suffix (600519.SH).  A code is an A-share code:
 * six digits starting 600, 601, 603, 605, 688 or 689 (Shanghai), 000,
 * 001, 002, 003, 300 or 301 (Shenzhen), or 43, 83, 87, 88 or 92 (Beijing);
 * B shares (900, 200) count only with a suffix.  The name is the last
 * word or two before the bracket as the segmenter cuts them (龙头企业贵州
 * 茅台 -> 贵州茅台; a function character such as 的 ends it), two to
 * eight characters.
 *
 * Everything lives in the index as boolean terms of the posts that say
 * it (schema.h): SOU_PREFIX_ENTITY + code (the post names the company),
 * SOU_PREFIX_ENTITY_NAME + name + SOU_ENTITY_SEP + code and
 * SOU_PREFIX_ENTITY_CODE + code + SOU_ENTITY_SEP + name (the table, read
 * back with allterms scans: the union over every shard, remote ones too,
 * where Xapian's metadata would be the first shard's only), and the
 * facet slot SOU_SLOT_COMPANIES ("贵州茅台 600519", SOU_FACET_SEP between).
 * A query for a code, a mined name or a user file's name or alias also
 * matches SOU_PREFIX_ENTITY + code (qparse.c): 600519 finds the posts
 * that say 贵州茅台 (with the code anywhere), 贵州茅台 those that say
 * only 600519.SH.
 *
 * The user file (sou-query --entities FILE): one company a line, its code
 * then its names, the first the usual one, separated by blanks:
 *     600519 贵州茅台 茅台 maotai
 * (linefile.h's comment rule; errors name the file and line).
 */
#ifndef SOU_ENTITY_H
#define SOU_ENTITY_H

#include <stddef.h>

#include "buf.h"
#include "error.h"
#include "pinyin.h"
#include "segment.h"
#include "xwrap.h"

#define SOU_ENTITY_SEP '\x1f'
#define SOU_ENTITY_NAME_MAX 8   /* characters */

/* 1 if s[0..n) is an A-share code as above (suffixed: B shares too). */
int sou_entity_code_valid(const char *s, size_t n, int suffixed);

/*
 * The companies text[0..len) names with their codes, appended to out as
 * "CODE<SOU_ENTITY_SEP>NAME" (NAME empty for a code alone), each once.
 * Linear in len; seg cuts names (borrowed).
 */
void sou_entity_mine(sou_segmenter *seg, const char *text, size_t len, sou_strlist *out);

/*
 * Adds the terms and the facet value of the mined pairs (as
 * sou_entity_mine gives them) to doc (borrowed); scratch is reused.
 */
void sou_entity_index(sou_xdoc *doc, const sou_strlist *pairs, sou_buf *scratch);

/* A user file's companies. */
typedef struct sou_entities sou_entities;
/* Loads path (NULL or "": an empty table); *out owned by the caller. */
sou_status sou_entities_load(const char *path, sou_segmenter *seg, sou_entities **out,
			     sou_error *err);
void sou_entities_destroy(sou_entities *e);

/*
 * The codes a folded query word w[0..len) stands for: itself when it is
 * a code, those whose mined name it is (in db, may be NULL), those whose
 * name or alias it is in user (may be NULL), appended to codes (each
 * once, at most 16).  names receives, for a code, the names known for it
 * (may be NULL).
 */
sou_status sou_entity_resolve(sou_xdb *db, const sou_entities *user, const char *w,
			      size_t len, sou_strlist *codes, sou_strlist *names,
			      sou_error *err);

/*
 * The codes of the user file's companies (user may be NULL) whose name
 * reads as the Latin word w[0..len) (folded: lower-case letters), its
 * toneless pinyin joined (guizhoumaotai) or its initials (gzmt), read
 * with py (borrowed), appended to codes (each once, at most 16): every
 * one, since initials are often shared (zgyh: 中国银行, 中国银河).
 */
void sou_entity_resolve_reading(const sou_entities *user, sou_pinyin *py, const char *w,
				size_t len, sou_strlist *codes);

#endif
