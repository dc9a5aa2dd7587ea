/*
 * buf.h - the one growable byte buffer used throughout sou.
 *
 * A sou_buf is a value type: the struct lives wherever the caller puts it
 * and owns the heap block behind `data`.  Invariants: data is either NULL
 * (len == cap == 0) or points to cap bytes of which the first len are in
 * use and data[len] == '\0' (so the contents can always be used as a C
 * string).  Allocation failure aborts the process, as git's xmalloc does:
 * every caller would otherwise need an error path for an event that on
 * Linux practically never returns NULL.
 */
#ifndef SOU_BUF_H
#define SOU_BUF_H

#include <stdarg.h>
#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct sou_buf {
	char *data;
	size_t len;
	size_t cap;
} sou_buf;

#define SOU_BUF_INIT { NULL, 0, 0 }

void sou_buf_init(sou_buf *b);
/* Frees the heap block; b is left empty and reusable.  NULL is a no-op. */
void sou_buf_free(sou_buf *b);
/* Empties b but keeps its allocation. */
void sou_buf_reset(sou_buf *b);
/* Ensures room for extra more bytes (plus the terminating NUL). */
void sou_buf_grow(sou_buf *b, size_t extra);
void sou_buf_add(sou_buf *b, const void *p, size_t n);
void sou_buf_adds(sou_buf *b, const char *s);
void sou_buf_addc(sou_buf *b, char c);
void sou_buf_addf(sou_buf *b, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void sou_buf_vaddf(sou_buf *b, const char *fmt, va_list ap);
/* Shortens b to n bytes (n <= len). */
void sou_buf_truncate(sou_buf *b, size_t n);
/*
 * Hands the heap block to the caller (who frees it with free()) and
 * leaves b empty.  Never returns NULL: an empty buffer yields "".
 */
char *sou_buf_detach(sou_buf *b, size_t *len);

/*
 * A growable list of NUL-terminated strings, each owned by the list.
 * Zero-initialise ({ NULL, 0 }) before use; free with sou_strlist_free().
 */
typedef struct sou_strlist {
	char **v;
	size_t n;
} sou_strlist;

void sou_strlist_push(sou_strlist *l, const char *s, size_t len);
/* Appends s unless an equal string is already present. */
void sou_strlist_push_unique(sou_strlist *l, const char *s, size_t len);
void sou_strlist_free(sou_strlist *l);

/*
 * Growable arrays: makes room for at least `need` elements of elem_size
 * bytes in *v, whose capacity (in elements) is *cap, doubling from a
 * start of 8.  *v may be NULL with *cap == 0.  Aborts on overflow or
 * out of memory (see above).  The one helper every array in sou grows
 * with:  sou_array_reserve((void **)&a, &acap, n + 1, sizeof(*a));
 */
void sou_array_reserve(void **v, size_t *cap, size_t need, size_t elem_size);
/* Typed convenience: SOU_ARRAY_GROW(arr, cap, need). */
#define SOU_ARRAY_GROW(arr, cap, need) \
	sou_array_reserve((void **)&(arr), &(cap), (need), sizeof(*(arr)))

/*
 * Appends s (len bytes) to out for a person's terminal or log line:
 * control characters (C0, DEL, C1, U+2028/9, bidi overrides), backslash and bytes that are not
 * valid UTF-8 are written as C-style escapes (\n, \t, \e, \\, \xNN,
 * \u0085...), so nothing printed can move the cursor, ring the bell,
 * change colours or split a one-line message.  Valid UTF-8 text
 * (Chinese included) passes through unchanged.
 */
void sou_buf_add_escaped(sou_buf *out, const char *s, size_t len);

/* Allocation helpers that abort on failure (see above). */
void *sou_xmalloc(size_t n);
void *sou_xcalloc(size_t n, size_t size);
void *sou_xrealloc(void *p, size_t n);
char *sou_xstrdup(const char *s);
char *sou_xstrndup(const char *s, size_t n);

#ifdef __cplusplus
}
#endif

#endif
