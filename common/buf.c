/*
 * buf.c - growable buffer and aborting allocators (see buf.h).
 */
#include "buf.h"

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
