/*
 * buf.c - growable buffer and aborting allocators (see buf.h).
 */
#include "buf.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void *sou_xmalloc(size_t n)
{
	void *p = malloc(n ? n : 1);
	if (!p)
		abort();
	return p;
}

void *sou_xcalloc(size_t n, size_t size)
{
	void *p = calloc(n ? n : 1, size ? size : 1);
	if (!p)
		abort();
	return p;
}

void *sou_xrealloc(void *p, size_t n)
{
	void *q = realloc(p, n ? n : 1);
	if (!q)
		abort();
	return q;
}

char *sou_xstrndup(const char *s, size_t n)
{
	char *p = sou_xmalloc(n + 1);
	memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

char *sou_xstrdup(const char *s)
{
	return sou_xstrndup(s, strlen(s));
}

void sou_buf_init(sou_buf *b)
{
	b->data = NULL;
	b->len = b->cap = 0;
}

void sou_buf_free(sou_buf *b)
{
	if (!b)
		return;
	free(b->data);
	sou_buf_init(b);
}

void sou_buf_reset(sou_buf *b)
{
	b->len = 0;
	if (b->data)
		b->data[0] = '\0';
}

void sou_buf_grow(sou_buf *b, size_t extra)
{
	size_t need = b->len + extra + 1;
	size_t cap;

	if (need < extra) /* overflow */
		abort();
	if (need <= b->cap)
		return;
	cap = b->cap ? b->cap : 64;
	while (cap < need)
		cap = cap * 2 > cap ? cap * 2 : need;
	b->data = sou_xrealloc(b->data, cap);
	b->cap = cap;
	b->data[b->len] = '\0'; /* keep the invariant for a fresh block */
}

void sou_buf_add(sou_buf *b, const void *p, size_t n)
{
	sou_buf_grow(b, n);
	if (n)
		memcpy(b->data + b->len, p, n);
	b->len += n;
	b->data[b->len] = '\0';
}

void sou_buf_adds(sou_buf *b, const char *s)
{
	sou_buf_add(b, s, strlen(s));
}

void sou_buf_addc(sou_buf *b, char c)
{
	sou_buf_grow(b, 1);
	b->data[b->len++] = c;
	b->data[b->len] = '\0';
}

void sou_buf_vaddf(sou_buf *b, const char *fmt, va_list ap)
{
	va_list cp;
	int n;

	va_copy(cp, ap);
	n = vsnprintf(NULL, 0, fmt, cp);
	va_end(cp);
	if (n < 0)
		return;
	sou_buf_grow(b, (size_t)n);
	vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
	b->len += (size_t)n;
}

void sou_buf_addf(sou_buf *b, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	sou_buf_vaddf(b, fmt, ap);
	va_end(ap);
}

void sou_buf_truncate(sou_buf *b, size_t n)
{
	if (n >= b->len)
		return;
	b->len = n;
	b->data[n] = '\0';
}

char *sou_buf_detach(sou_buf *b, size_t *len)
{
	char *p;

	if (!b->data)
		sou_buf_grow(b, 0);
	p = b->data;
	if (len)
		*len = b->len;
	sou_buf_init(b);
	return p;
}

void sou_strlist_push(sou_strlist *l, const char *s, size_t len)
{
	l->v = sou_xrealloc(l->v, (l->n + 1) * sizeof(*l->v));
	l->v[l->n++] = sou_xstrndup(s, len);
}

void sou_strlist_push_unique(sou_strlist *l, const char *s, size_t len)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		if (strlen(l->v[i]) == len && !memcmp(l->v[i], s, len))
			return;
	sou_strlist_push(l, s, len);
}

void sou_strlist_free(sou_strlist *l)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		free(l->v[i]);
	free(l->v);
	l->v = NULL;
	l->n = 0;
}

void sou_array_reserve(void **v, size_t *cap, size_t need, size_t elem_size)
{
	size_t n = *cap ? *cap : 8;

	if (need <= *cap)
		return;
	while (n < need) {
		if (n > SIZE_MAX / 2)
			abort();
		n *= 2;
	}
	if (elem_size && n > SIZE_MAX / elem_size)
		abort();
	*v = sou_xrealloc(*v, n * elem_size);
	*cap = n;
}

/* Length of the valid UTF-8 sequence at s (at most n bytes), 0 if invalid. */
static size_t utf8_len(const unsigned char *s, size_t n, unsigned *cp)
{
	size_t k, i;
	unsigned c = s[0];

	if (c < 0x80) {
		*cp = c;
		return 1;
	}
	if (c >= 0xC2 && c <= 0xDF)
		k = 2, c &= 0x1F;
	else if (c >= 0xE0 && c <= 0xEF)
		k = 3, c &= 0x0F;
	else if (c >= 0xF0 && c <= 0xF4)
		k = 4, c &= 0x07;
	else
		return 0;
	if (n < k)
		return 0;
	for (i = 1; i < k; i++) {
		if ((s[i] & 0xC0) != 0x80)
			return 0;
		c = (c << 6) | (s[i] & 0x3F);
	}
	/* overlong, surrogate or beyond U+10FFFF */
	if ((k == 3 && c < 0x800) || (k == 4 && (c < 0x10000 || c > 0x10FFFF)) ||
	    (c >= 0xD800 && c <= 0xDFFF))
		return 0;
	*cp = c;
	return k;
}

void sou_buf_add_escaped(sou_buf *out, const char *s, size_t len)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0, k;
	unsigned cp;

	while (i < len) {
		k = utf8_len(p + i, len - i, &cp);
		if (!k) {
			sou_buf_addf(out, "\\x%02X", p[i]);
			i++;
			continue;
		}
		switch (cp) {
		case '\n': sou_buf_adds(out, "\\n"); break;
		case '\r': sou_buf_adds(out, "\\r"); break;
		case '\t': sou_buf_adds(out, "\\t"); break;
		case 0x1B: sou_buf_adds(out, "\\e"); break;
		case '\\': sou_buf_adds(out, "\\\\"); break;
		default:
			if (cp < 0x20 || cp == 0x7F)
				sou_buf_addf(out, "\\x%02X", cp);
			else if ((cp >= 0x80 && cp <= 0x9F) || cp == 0x2028 || cp == 0x2029 ||
				 (cp >= 0x202A && cp <= 0x202E) || (cp >= 0x2066 && cp <= 0x2069))
				/* C1 controls, line separators, bidi overrides */
				sou_buf_addf(out, "\\u%04X", cp);
			else
				sou_buf_add(out, p + i, k);
		}
		i += k;
	}
}
