/*
 * units.c - unit streams and the exact check of a run of units (units.h).
 */
#define _GNU_SOURCE 1 /* memmem */
#include "units.h"

#include <string.h>

/* A unit written bare: one non-ASCII code point of kind HAN. */
static int bare(const char *t, size_t n, int han)
{
	const unsigned char *u = (const unsigned char *)t;
	size_t want;

	if (!han || !n || u[0] < 0xC0)
		return 0;
	want = u[0] >= 0xF0 ? 4 : u[0] >= 0xE0 ? 3 : 2;
	return n == want;
}

void sou_units_add(sou_buf *s, const char *term, size_t len, int han, int chain_start)
{
	if (chain_start)
		sou_buf_addc(s, SOU_UNITS_CHAIN);
	if (bare(term, len, han)) {
		sou_buf_add(s, term, len);
		return;
	}
	sou_buf_addc(s, SOU_UNITS_OPEN);
	sou_buf_add(s, term, len);
	sou_buf_addc(s, SOU_UNITS_CLOSE);
}

/*
 * 1 if offset p of s lies inside a wrapped unit: the nearest control byte
 * before it is an opening one.  A wrapped unit is short, so looking back
 * SOU_UNITS_MAX_WRAPPED + 1 bytes is enough.
 */
static int inside_wrapped(const char *s, size_t p)
{
	size_t k, lim = p > SOU_UNITS_MAX_WRAPPED + 1 ? p - SOU_UNITS_MAX_WRAPPED - 1 : 0;

	for (k = p; k > lim; k--) {
		char c = s[k - 1];
		if (c == SOU_UNITS_OPEN)
			return 1;
		if (c == SOU_UNITS_CLOSE || c == SOU_UNITS_CHAIN)
			return 0;
	}
	return 0;
}

int sou_units_find(const char *s, size_t n, const char *pat, size_t plen)
{
	const char *p = s, *end = s + n;

	if (!plen)
		return 0;
	while ((size_t)(end - p) >= plen && (p = memmem(p, (size_t)(end - p), pat, plen))) {
		/* A pattern starting with a bare code point may match inside a
		 * wrapped unit; one starting with SOU_UNITS_OPEN cannot. */
		if (pat[0] == SOU_UNITS_OPEN || !inside_wrapped(s, (size_t)(p - s)))
			return 1;
		p++;
	}
	return 0;
}
