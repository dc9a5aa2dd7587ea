/*
 * pinyin.c - readings from the generated table, Latin cut into syllables
 * (see pinyin.h).
 */
#include "pinyin.h"

#include <stdlib.h>
#include <string.h>
#include <unicode/uchar.h>
#include <unicode/utf8.h>
#include <unicode/utrans.h>
#include <unicode/ustring.h>

#include "pinyin_table.h"

/* The longest table word tried at one place, in characters (the table's
 * longest is 10; a longer one could never be a piece anyway). */
#define MAX_WORD_CHARS 12
/* The longest syllable (zhuang, chuang, shuang). */
#define MAX_SYLLABLE 6

struct sou_pinyin {
	UTransliterator *trans;   /* Han-Latin; Latin-ASCII, opened on first need */
	int trans_failed;
	/* per call: character offsets and the best cut so far of each prefix */
	size_t *at;
	struct cell { unsigned pieces, singles; size_t from; int ok; } *best;
	size_t cap;
	sou_buf tmp;
};

sou_status sou_pinyin_create(sou_pinyin **out, sou_error *err)
{
	(void)err; /* nothing can fail before ICU is needed */
	*out = sou_xcalloc(1, sizeof(**out));
	return SOU_OK;
}

void sou_pinyin_destroy(sou_pinyin *py)
{
	if (!py)
		return;
	if (py->trans)
		utrans_close(py->trans);
	free(py->at);
	free(py->best);
	sou_buf_free(&py->tmp);
	free(py);
}

/* Table record i: its key (the readings follow its NUL). */
static const char *rec(size_t i)
{
	return sou_pinyin_text + sou_pinyin_offsets[i];
}

const char *sou_pinyin_lookup(const char *s, size_t len)
{
	size_t lo = 0, hi = sou_pinyin_count;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		const char *k = rec(mid);
		size_t kl = strlen(k);
		int c = memcmp(k, s, kl < len ? kl : len);
		if (!c)
			c = (kl > len) - (kl < len);
		if (!c)
			return k + kl + 1;
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

size_t sou_pinyin_table_size(void)
{
	return sou_pinyin_count;
}

void sou_pinyin_table_entry(size_t i, const char **key, const char **readings)
{
	*key = rec(i);
	*readings = *key + strlen(*key) + 1;
}

/*
 * ICU's toneless reading of one character c into out (appended); 0 if
 * it has none (not Han, or ICU's data lacks it).
 */
static int icu_reading(sou_pinyin *py, UChar32 c, sou_buf *out)
{
	UChar u[64];
	int32_t n = 0, lim, i;
	UErrorCode e = U_ZERO_ERROR;
	size_t start = out->len;

	if (!py->trans && !py->trans_failed) {
		static const UChar id[] = { 'H', 'a', 'n', '-', 'L', 'a', 't', 'i', 'n', ';', ' ',
					    'L', 'a', 't', 'i', 'n', '-', 'A', 'S', 'C', 'I', 'I',
					    0 };
		py->trans = utrans_openU(id, -1, UTRANS_FORWARD, NULL, 0, NULL, &e);
		if (U_FAILURE(e)) {
			py->trans = NULL;
			py->trans_failed = 1;
		}
	}
	if (!py->trans)
		return 0;
	U16_APPEND_UNSAFE(u, n, c);
	lim = n;
	e = U_ZERO_ERROR;
	utrans_transUChars(py->trans, u, &n, (int32_t)(sizeof(u) / sizeof(u[0])), 0, &lim, &e);
	if (U_FAILURE(e) || n <= 0)
		return 0;
	for (i = 0; i < n; i++) {
		UChar ch = u[i];
		if (ch >= 'A' && ch <= 'Z')
			ch = (UChar)(ch + 32);
		if (ch < 'a' || ch > 'z') {
			out->len = start;
			if (out->data)
				out->data[start] = '\0';
			return 0; /* unchanged (not Han) or not plain letters */
		}
		sou_buf_addc(out, (char)ch);
	}
	return 1;
}

/* 1 and the reading of the character s[0..len) (code point c) appended
 * to out, if flags allow one. */
static int char_reading(sou_pinyin *py, const char *s, size_t len, UChar32 c,
			unsigned flags, sou_buf *out)
{
	if (flags & SOU_PINYIN_CHARS) {
		const char *r = sou_pinyin_lookup(s, len);
		if (r) {
			sou_buf_add(out, r, strcspn(r, "|"));
			return 1;
		}
	}
	return (flags & SOU_PINYIN_ICU) && icu_reading(py, c, out);
}

size_t sou_pinyin_reading(sou_pinyin *py, const char *s, size_t len, unsigned flags,
			  sou_buf *out, sou_strlist *pieces)
{
	size_t n = 0, i, j, syl = 0;
	int32_t k = 0;

	sou_buf_reset(out);
	if (!len)
		return 0;
	/* character boundaries */
	if (py->cap < len + 1) {
		py->cap = len + 1;
		py->at = sou_xrealloc(py->at, py->cap * sizeof(*py->at));
		py->best = sou_xrealloc(py->best, py->cap * sizeof(*py->best));
	}
	while ((size_t)k < len) {
		UChar32 c;
		py->at[n++] = (size_t)k;
		U8_NEXT((const uint8_t *)s, k, (int32_t)len, c);
		/* Chinese only: ICU would pass Latin through as its "reading" */
		if (c < 0 || !u_hasBinaryProperty(c, UCHAR_IDEOGRAPHIC))
			return 0;
	}
	py->at[n] = len;
	/*
	 * best[i]: the best cut of the characters from i on (pinyin.h's
	 * order), its first piece ending at best[i].from.  Of equal cuts the
	 * one with the longest first piece wins, as in forward maximum
	 * matching: 银行行长 is 银行|行长, not 银|行行|长.
	 */
	memset(py->best, 0, (n + 1) * sizeof(*py->best));
	py->best[n].ok = 1;
	for (i = n; i-- > 0;) {
		struct cell *b = &py->best[i];
		size_t top = n - i < MAX_WORD_CHARS ? n : i + MAX_WORD_CHARS;
		for (j = top; j > i; j--) {
			struct cell *t = &py->best[j];
			unsigned pieces, singles;
			size_t a = py->at[i], z = py->at[j];
			if (!t->ok)
				continue;
			if (j > i + 1) {
				if (!(flags & SOU_PINYIN_WORDS) ||
				    ((flags & SOU_PINYIN_HOLD_OUT) && i == 0 && j == n))
					continue;
				if (!sou_pinyin_lookup(s + a, z - a))
					continue;
			}
			pieces = t->pieces + 1;
			singles = t->singles + (j == i + 1);
			if (b->ok && (b->pieces < pieces ||
				      (b->pieces == pieces && b->singles <= singles)))
				continue; /* strictly better only: longer first pieces came first */
			b->ok = 1;
			b->pieces = pieces;
			b->singles = singles;
			b->from = j;
		}
	}
	if (!py->best[0].ok)
		return 0;
	for (i = 0; i < n; i = j) {
		size_t a = py->at[i], z;
		j = py->best[i].from;
		z = py->at[j];
		if (out->len)
			sou_buf_addc(out, ' ');
		if (j == i + 1) {
			UChar32 c;
			int32_t q = 0;
			U8_NEXT((const uint8_t *)s + a, q, (int32_t)(z - a), c);
			if (!char_reading(py, s + a, z - a, c, flags, out))
				return 0;
			syl++;
		} else {
			const char *r = sou_pinyin_lookup(s + a, z - a), *p;
			sou_buf_adds(out, r);
			for (syl++, p = r; *p; p++)
				syl += *p == ' ';
		}
		if (pieces)
			sou_strlist_push(pieces, s + a, z - a);
	}
	return syl;
}

void sou_pinyin_initials(const char *r, size_t len, sou_buf *out)
{
	size_t i;

	for (i = 0; i < len; i++)
		if (r[i] != ' ' && (i == 0 || r[i - 1] == ' '))
			sou_buf_addc(out, r[i]);
}

void sou_pinyin_joined(const char *r, size_t len, sou_buf *out)
{
	size_t i;

	for (i = 0; i < len; i++)
		if (r[i] != ' ')
			sou_buf_addc(out, r[i]);
}

/* 1 if reading r[0..len) joined (initials 0) or its initials (1) are
 * w[0..n), compared letter by letter as sou_pinyin_joined and
 * sou_pinyin_initials would write them. */
static int letters_are(const char *r, size_t len, int initials, const char *w, size_t n)
{
	size_t i, k = 0;

	for (i = 0; i < len; i++) {
		if (r[i] == ' ' || (initials && i > 0 && r[i - 1] != ' '))
			continue;
		if (k >= n || w[k] != r[i])
			return 0;
		k++;
	}
	return k == n;
}

int sou_pinyin_reads_as(sou_pinyin *py, const char *s, size_t len, const char *w, size_t n,
			int how, sou_buf *scratch)
{
	if (!sou_pinyin_reading(py, s, len, SOU_PINYIN_DEFAULT, scratch, NULL))
		return 0;
	return ((how & SOU_READS_JOINED) && letters_are(scratch->data, scratch->len, 0, w, n)) ||
	       ((how & SOU_READS_INITIALS) && letters_are(scratch->data, scratch->len, 1, w, n));
}

/* 1 if the lower-case s[0..n) is a syllable. */
static int is_syllable(const char *s, size_t n)
{
	size_t lo = 0, hi = sou_pinyin_nsyllables;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		const char *k = sou_pinyin_syllables[mid];
		size_t kl = strlen(k);
		int c = memcmp(k, s, kl < n ? kl : n);
		if (!c)
			c = (kl > n) - (kl < n);
		if (!c)
			return 1;
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return 0;
}

size_t sou_pinyin_split(const char *in, size_t len, sou_buf *out, int *alt2)
{
	/* fewest[i]: fewest syllables for the first i letters (0: none yet);
	 * from[i]: where its last syllable starts */
	unsigned short fewest[SOU_MAX_PINYIN_LETTERS + 1];
	unsigned char from[SOU_MAX_PINYIN_LETTERS + 1];
	char s[SOU_MAX_PINYIN_LETTERS];
	size_t i, j, cut[SOU_MAX_PINYIN_LETTERS], nc = 0;

	sou_buf_reset(out);
	if (alt2)
		*alt2 = 0;
	if (!len || len > SOU_MAX_PINYIN_LETTERS)
		return 0;
	for (i = 0; i < len; i++) {
		char c = in[i];
		if (c >= 'A' && c <= 'Z')
			c = (char)(c + 32);
		if (c < 'a' || c > 'z')
			return 0;
		s[i] = c;
	}
	memset(fewest, 0, sizeof(fewest));
	fewest[0] = 1; /* stored plus one: 0 means unreachable */
	for (i = 0; i < len; i++) {
		if (!fewest[i])
			continue;
		for (j = i + 1; j <= len && j - i <= MAX_SYLLABLE; j++)
			if (is_syllable(s + i, j - i) &&
			    (!fewest[j] || fewest[j] > fewest[i] + 1)) {
				fewest[j] = (unsigned short)(fewest[i] + 1);
				from[j] = (unsigned char)i;
			}
	}
	if (!fewest[len])
		return 0;
	for (i = len; i > 0; i = from[i])
		cut[nc++] = i;
	for (j = nc; j > 0; j--) {
		size_t b = j == nc ? 0 : cut[j];
		if (out->len)
			sou_buf_addc(out, ' ');
		sou_buf_add(out, s + b, cut[j - 1] - b);
	}
	if (alt2 && nc >= 2)
		*alt2 = 1;
	else if (alt2)
		/* one syllable: can it also be two or more (xian: xi an)? */
		for (i = 1; i < len && !*alt2; i++) {
			sou_buf t = SOU_BUF_INIT;
			*alt2 = is_syllable(s, i) && sou_pinyin_split(s + i, len - i, &t, NULL);
			sou_buf_free(&t);
		}
	return nc;
}

int sou_pinyin_is_initials(const char *s, size_t len)
{
	size_t i;

	if (len < SOU_PINYIN_INITIALS_MIN || len > SOU_PINYIN_INITIALS_MAX)
		return 0;
	for (i = 0; i < len; i++) {
		char c = s[i];
		if (c >= 'A' && c <= 'Z')
			c = (char)(c + 32);
		if (c < 'a' || c > 'z' || c == 'i' || c == 'u' || c == 'v')
			return 0;
	}
	return 1;
}
