/*
 * entity.c - companies mined from posts, their terms, the user file and
 * resolving a query word to codes (see entity.h).
 */
#include "entity.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "linefile.h"
#include "schema.h"
#include "suggest.h"

static int digit(char c)
{
	return c >= '0' && c <= '9';
}

int sou_entity_code_valid(const char *s, size_t n, int suffixed)
{
	static const char *const A[] = { "600", "601", "603", "605", "688", "689",
					 "000", "001", "002", "003", "300", "301" };
	static const char *const BJ[] = { "43", "83", "87", "88", "92" };
	size_t i;

	if (n != 6)
		return 0;
	for (i = 0; i < 6; i++)
		if (!digit(s[i]))
			return 0;
	for (i = 0; i < sizeof(A) / sizeof(A[0]); i++)
		if (!strncmp(s, A[i], 3))
			return 1;
	for (i = 0; i < sizeof(BJ) / sizeof(BJ[0]); i++)
		if (!strncmp(s, BJ[i], 2))
			return 1;
	/* B shares: only as 900xxx.SH or 200xxx.SZ (a bare 200101 is a date) */
	return suffixed && (!strncmp(s, "900", 3) || !strncmp(s, "200", 3));
}

/* A CJK ideograph of the basic block ending just before text + at, its
 * byte length, or 0. */
static size_t han_before(const char *text, size_t at)
{
	const unsigned char *p;

	if (at < 3)
		return 0;
	p = (const unsigned char *)text + at - 3;
	/* U+4E00..U+9FFF: E4 B8 80 .. E9 BF BF */
	if (p[0] >= 0xE4 && p[0] <= 0xE9 && (p[1] & 0xC0) == 0x80 && (p[2] & 0xC0) == 0x80 &&
	    !(p[0] == 0xE4 && p[1] < 0xB8))
		return 3;
	return 0;
}

/* The name before a bracket at text + at, into name (empty: none): the
 * last piece, with the one before it when the last is a two-character
 * word; a function character ends it.  Pieces are suggest.h's, so 3-byte
 * characters: a piece of 6 bytes is two characters. */
static void name_before(sou_segmenter *seg, const char *text, size_t at, sou_buf *name)
{
	size_t start = at, k, n;
	sou_strlist pieces = { NULL, 0 };
	sou_buf kinds = SOU_BUF_INIT;
	sou_error e;

	sou_buf_reset(name);
	for (k = 0; k < SOU_ENTITY_NAME_MAX && han_before(text, start); k++)
		start -= 3;
	if (at - start < 6 ||
	    sou_suggest_pieces(seg, text + start, at - start, &pieces, &kinds, &e) || !pieces.n)
		goto out;
	n = pieces.n;
	if (kinds.data[n - 1] == 'f')
		goto out;
	/* a two-character last word takes the word or character before it
	 * (贵州 茅台, 新 希望); longer ones stand alone (欧菲光, 比亚迪) */
	if (strlen(pieces.v[n - 1]) == 6 && n >= 2 && kinds.data[n - 2] != 'f' &&
	    strlen(pieces.v[n - 2]) <= 6)
		sou_buf_adds(name, pieces.v[n - 2]);
	if (strlen(pieces.v[n - 1]) >= 6 || name->len)
		sou_buf_adds(name, pieces.v[n - 1]);
out:
	sou_strlist_free(&pieces);
	sou_buf_free(&kinds);
}

/* Length of a bracket at s (ASCII or full-width, open or close), or 0. */
static size_t bracket(const char *s, size_t left, int open)
{
	if (left >= 1 && *s == (open ? '(' : ')'))
		return 1;
	if (left >= 3 && !memcmp(s, open ? "\xEF\xBC\x88" : "\xEF\xBC\x89", 3))
		return 3;
	return 0;
}

static size_t open_before(const char *text, size_t at)
{
	if (at >= 1 && text[at - 1] == '(')
		return 1;
	if (at >= 3 && !memcmp(text + at - 3, "\xEF\xBC\x88", 3))
		return 3;
	return 0;
}

void sou_entity_mine(sou_segmenter *seg, const char *text, size_t len, sou_strlist *out)
{
	size_t i = 0;
	sou_buf name = SOU_BUF_INIT, pair = SOU_BUF_INIT;

	while (i + 6 <= len) {
		size_t j, ob, cb, suf = 0;
		int suffixed;
		if (!digit(text[i]) || (i && digit(text[i - 1]))) {
			i++;
			continue;
		}
		for (j = i; j < len && digit(text[j]); j++)
			;
		if (j - i != 6) {
			i = j;
			continue;
		}
		/* an exchange's suffix, which must be the code's own: Shanghai
		 * codes start 6 or 9, Shenzhen 0, 2 or 3, Beijing 4, 8 or 9 */
		if (j + 3 <= len && text[j] == '.' &&
		    !(j + 3 < len && ((text[j + 3] | 0x20) >= 'a' && (text[j + 3] | 0x20) <= 'z')) &&
		    ((!strncasecmp(text + j + 1, "SH", 2) && strchr("69", text[i])) ||
		     (!strncasecmp(text + j + 1, "SZ", 2) && strchr("023", text[i])) ||
		     (!strncasecmp(text + j + 1, "BJ", 2) && strchr("489", text[i]))))
			suf = 3;
		suffixed = suf > 0;
		ob = open_before(text, i);
		cb = bracket(text + j + suf, len - j - suf, 0);
		if ((ob && cb) || suffixed) {
			if (sou_entity_code_valid(text + i, 6, suffixed)) {
				sou_buf_reset(&name);
				if (ob && cb)
					name_before(seg, text, i - ob, &name);
				sou_buf_reset(&pair);
				sou_buf_add(&pair, text + i, 6);
				sou_buf_addc(&pair, SOU_ENTITY_SEP);
				if (name.len)
					sou_buf_add(&pair, name.data, name.len);
				sou_strlist_push_unique(out, pair.data, pair.len);
			}
		}
		i = j;
	}
	sou_buf_free(&name);
	sou_buf_free(&pair);
}

void sou_entity_index(sou_xdoc *doc, const sou_strlist *pairs, sou_buf *scratch)
{
	sou_buf facet = SOU_BUF_INIT;
	size_t i;

	for (i = 0; i < pairs->n; i++) {
		const char *p = pairs->v[i], *name = strchr(p, SOU_ENTITY_SEP);
		size_t nlen;
		if (!name)
			continue;
		name++;
		nlen = strlen(name);
		sou_buf_reset(scratch);
		sou_buf_adds(scratch, SOU_PREFIX_ENTITY);
		sou_buf_add(scratch, p, 6);
		sou_xdoc_add_boolean(doc, scratch->data, scratch->len);
		if (!nlen)
			continue;
		sou_buf_reset(scratch);
		sou_buf_adds(scratch, SOU_PREFIX_ENTITY_NAME);
		sou_buf_add(scratch, name, nlen);
		sou_buf_addc(scratch, SOU_ENTITY_SEP);
		sou_buf_add(scratch, p, 6);
		sou_xdoc_add_boolean(doc, scratch->data, scratch->len);
		sou_buf_reset(scratch);
		sou_buf_adds(scratch, SOU_PREFIX_ENTITY_CODE);
		sou_buf_add(scratch, p, 6);
		sou_buf_addc(scratch, SOU_ENTITY_SEP);
		sou_buf_add(scratch, name, nlen);
		sou_xdoc_add_boolean(doc, scratch->data, scratch->len);
		if (facet.len)
			sou_buf_addc(&facet, SOU_FACET_SEP);
		sou_buf_add(&facet, name, nlen);
		sou_buf_addc(&facet, ' ');
		sou_buf_add(&facet, p, 6);
	}
	if (facet.len)
		sou_xdoc_set_value(doc, SOU_SLOT_COMPANIES, facet.data, facet.len);
	sou_buf_free(&facet);
}

/* ---- the user file ------------------------------------------------------ */

struct sou_entities {
	sou_strlist names;  /* folded names and aliases */
	sou_strlist codes;  /* codes[i] is names[i]'s */
};

void sou_entities_destroy(sou_entities *e)
{
	if (!e)
		return;
	sou_strlist_free(&e->names);
	sou_strlist_free(&e->codes);
	free(e);
}

/* One line of the user file: CODE NAME [ALIAS...]. */
static sou_status load_line(sou_entities *e, sou_segmenter *seg, sou_linefile *lf,
			    const char *line, size_t len, sou_error *err)
{
	const char *p = line, *end = line + len, *code = NULL;
	size_t clen = 0, names = 0;
	sou_buf f = SOU_BUF_INIT;
	sou_status st = SOU_OK;

	while (p < end && !st) {
		const char *w;
		while (p < end && (*p == ' ' || *p == '\t'))
			p++;
		if (p == end)
			break;
		for (w = p; p < end && *p != ' ' && *p != '\t'; p++)
			;
		if (!code) {
			code = w;
			clen = (size_t)(p - w);
			if (!sou_entity_code_valid(code, clen, 1))
				st = sou_linefile_error(lf, err, SOU_ERR_PARSE,
							"'%.*s' is not an A-share code (six digits: "
							"600…, 000…, 300…, 688…)",
							(int)(clen > 20 ? 20 : clen), code);
			continue;
		}
		if ((st = sou_segmenter_fold(seg, w, (size_t)(p - w), &f, err)))
			break;
		if (f.len) {
			sou_strlist_push(&e->names, f.data, f.len);
			sou_strlist_push(&e->codes, code, clen);
			names++;
		}
	}
	if (!st && code && !names)
		st = sou_linefile_error(lf, err, SOU_ERR_PARSE, "%.*s has no name", (int)clen, code);
	sou_buf_free(&f);
	return st;
}

sou_status sou_entities_load(const char *path, sou_segmenter *seg, sou_entities **out,
			     sou_error *err)
{
	sou_entities *e = sou_xcalloc(1, sizeof(*e));
	sou_linefile *lf = NULL;
	sou_status st = SOU_OK;
	const char *line;
	size_t len;

	if (path && *path && !(st = sou_linefile_open(path, &lf, err)))
		while (!(st = sou_linefile_next(lf, &line, &len, err)) && line &&
		       !(st = load_line(e, seg, lf, line, len, err)))
			;
	sou_linefile_close(lf);
	if (st) {
		sou_entities_destroy(e);
		e = NULL;
	}
	*out = e;
	return st;
}

/* ---- resolving a query word --------------------------------------------- */

#define RESOLVE_MAX 16

typedef struct scan {
	size_t skip;
	sou_strlist *out;
} scan;

/* term = prefix + key + SEP + value: value into out. */
static void after_sep(void *ctx, const char *term, size_t len, unsigned long tf)
{
	scan *s = ctx;
	const char *sep = memchr(term + s->skip, SOU_ENTITY_SEP, len - s->skip);

	(void)tf;
	if (sep && s->out->n < RESOLVE_MAX)
		sou_strlist_push_unique(s->out, sep + 1, len - (size_t)(sep + 1 - term));
}

static sou_status scan_table(sou_xdb *db, const char *prefix, const char *key, size_t klen,
			     sou_strlist *out, sou_error *err)
{
	sou_buf p = SOU_BUF_INIT;
	scan s = { 0, out };
	sou_status st;

	sou_buf_adds(&p, prefix);
	sou_buf_add(&p, key, klen);
	sou_buf_addc(&p, SOU_ENTITY_SEP);
	s.skip = strlen(prefix);
	st = sou_xdb_each_term_tf(db, p.data, p.len, RESOLVE_MAX * 4, after_sep, &s, NULL, err);
	sou_buf_free(&p);
	return st;
}

sou_status sou_entity_resolve(sou_xdb *db, const sou_entities *user, const char *w,
			      size_t len, sou_strlist *codes, sou_strlist *names,
			      sou_error *err)
{
	sou_status st = SOU_OK;
	size_t i;

	if (!len)
		return SOU_OK;
	if (sou_entity_code_valid(w, len, 1)) {
		sou_strlist_push_unique(codes, w, len);
		if (names && db)
			st = scan_table(db, SOU_PREFIX_ENTITY_CODE, w, len, names, err);
		for (i = 0; !st && names && user && i < user->names.n; i++)
			if (!strncmp(user->codes.v[i], w, len) && strlen(user->codes.v[i]) == len)
				sou_strlist_push_unique(names, user->names.v[i],
							strlen(user->names.v[i]));
		return st;
	}
	/* the index's names are two to eight characters: nothing else is
	 * looked up (a lookup over remote shards is a round trip) */
	for (i = 0; i < len && ((unsigned char)w[i] & 0x80); i++)
		;
	if (db && i == len && len >= 6 && len <= SOU_ENTITY_NAME_MAX * 3 &&
	    (st = scan_table(db, SOU_PREFIX_ENTITY_NAME, w, len, codes, err)))
		return st;
	for (i = 0; user && i < user->names.n && codes->n < RESOLVE_MAX; i++)
		if (strlen(user->names.v[i]) == len && !memcmp(user->names.v[i], w, len))
			sou_strlist_push_unique(codes, user->codes.v[i], strlen(user->codes.v[i]));
	return SOU_OK;
}

void sou_entity_resolve_reading(const sou_entities *user, sou_pinyin *py, const char *w,
				size_t len, sou_strlist *codes)
{
	sou_buf r = SOU_BUF_INIT;
	size_t i;

	for (i = 0; user && py && i < user->names.n && codes->n < RESOLVE_MAX; i++) {
		const char *n = user->names.v[i];
		if (sou_pinyin_reads_as(py, n, strlen(n), w, len,
					SOU_READS_JOINED | SOU_READS_INITIALS, &r))
			sou_strlist_push_unique(codes, user->codes.v[i], strlen(user->codes.v[i]));
	}
	sou_buf_free(&r);
}
