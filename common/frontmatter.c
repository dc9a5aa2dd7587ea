/*
 * frontmatter.c - front matter detection and YAML parsing (see
 * frontmatter.h).  Uses libyaml's event API so unknown keys and nested
 * values can be skipped by depth counting without building a tree, and so
 * aliases are never expanded (no "billion laughs").
 */
#include "frontmatter.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

#include "buf.h"

void sou_post_destroy(sou_post *p)
{
	if (!p)
		return;
	free(p->title);
	free(p->permalink);
	free(p->author);
	free(p->description);
	sou_strlist_free(&p->tags);
	sou_strlist_free(&p->categories);
	sou_strlist_free(&p->keywords);
	free(p);
}

/* Returns the length of the line at p (without its terminator). */
static size_t line_len(const char *p, const char *end)
{
	const char *q = p;

	while (q < end && *q != '\n')
		q++;
	if (q > p && q[-1] == '\r')
		q--;
	return (size_t)(q - p);
}

static const char *next_line(const char *p, const char *end)
{
	while (p < end && *p != '\n')
		p++;
	return p < end ? p + 1 : end;
}

/* A delimiter line: "---" (or "..." when closing) plus trailing blanks. */
static int is_delim(const char *p, size_t n, int closing)
{
	size_t i;

	if (n < 3 || (memcmp(p, "---", 3) && !(closing && !memcmp(p, "...", 3))))
		return 0;
	for (i = 3; i < n; i++)
		if (p[i] != ' ' && p[i] != '\t')
			return 0;
	return 1;
}

static int is_blank(const char *p, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (!isspace((unsigned char)p[i]))
			return 0;
	return 1;
}

/*
 * Split a string on whitespace, as Jekyll does for string tags.  Lists
 * keep their first SOU_FRONTMATTER_MAX_LIST entries: each push looks for
 * a duplicate (a linear search), so an unbounded list would make a front
 * matter of a million tags quadratic.
 */
static void push_words(sou_strlist *l, const char *s, size_t n)
{
	size_t i = 0, j;

	while (i < n && l->n < SOU_FRONTMATTER_MAX_LIST) {
		while (i < n && isspace((unsigned char)s[i]))
			i++;
		j = i;
		while (j < n && !isspace((unsigned char)s[j]))
			j++;
		if (j > i)
			sou_strlist_push_unique(l, s + i, j - i);
		i = j;
	}
}

/* Push a list item, trimmed; "" is dropped. */
static void push_item(sou_strlist *l, const char *s, size_t n)
{
	while (n && isspace((unsigned char)*s))
		s++, n--;
	while (n && isspace((unsigned char)s[n - 1]))
		n--;
	if (n && l->n < SOU_FRONTMATTER_MAX_LIST)
		sou_strlist_push_unique(l, s, n);
}

/*
 * A scalar without NUL bytes: YAML's "\0" escape (or "\x00", "\u0000")
 * puts a NUL into a scalar, and everything after it would be lost when
 * the value is used as a C string.  Each NUL becomes U+FFFD, as the
 * indexer does with NULs in a file's bytes (text.h).  Returns s itself
 * when it has none, else tmp's contents; *n is updated.
 */
static const char *no_nul(const char *s, size_t *n, sou_buf *tmp)
{
	size_t i;

	if (!memchr(s, '\0', *n))
		return s;
	sou_buf_reset(tmp);
	for (i = 0; i < *n; i++) {
		if (s[i])
			sou_buf_addc(tmp, s[i]);
		else
			sou_buf_add(tmp, "\xEF\xBF\xBD", 3);
	}
	*n = tmp->len;
	return tmp->data;
}

enum field {
	F_NONE, F_TITLE, F_DATE, F_CATEGORIES, F_TAGS, F_PERMALINK, F_AUTHOR,
	F_DESCRIPTION, F_KEYWORDS
};

static enum field field_of(const char *k)
{
	static const struct { const char *name; enum field f; } map[] = {
		{ "title", F_TITLE }, { "date", F_DATE },
		{ "categories", F_CATEGORIES }, { "category", F_CATEGORIES },
		{ "tags", F_TAGS }, { "tag", F_TAGS },
		{ "permalink", F_PERMALINK }, { "author", F_AUTHOR },
		{ "description", F_DESCRIPTION }, { "keywords", F_KEYWORDS },
	};
	size_t i;

	for (i = 0; i < sizeof(map) / sizeof(map[0]); i++)
		if (!strcmp(k, map[i].name))
			return map[i].f;
	return F_NONE;
}

typedef struct parse_ctx {
	yaml_parser_t parser;
	const char *path;
	unsigned line0;   /* file line of the first YAML line, minus 1 */
	sou_error *err;
	const sou_cancel *cancel;
	unsigned depth;   /* collections open at the last event */
	unsigned long events;
} parse_ctx;

static sou_status yaml_fail(parse_ctx *c)
{
	yaml_parser_t *p = &c->parser;
	yaml_mark_t m = p->problem ? p->problem_mark : p->context_mark;
	const char *what = p->problem ? p->problem : "YAML error";

	if (p->context && p->problem)
		return sou_error_set(c->err, SOU_ERR_PARSE, "%s:%lu:%lu: %s %s",
				     c->path, (unsigned long)(m.line + 1 + c->line0),
				     (unsigned long)(m.column + 1), what, p->context);
	return sou_error_set(c->err, SOU_ERR_PARSE, "%s:%lu:%lu: %s", c->path,
			     (unsigned long)(m.line + 1 + c->line0),
			     (unsigned long)(m.column + 1), what);
}

/*
 * The next event, counting the nesting depth: libyaml 0.2.5 has no limit
 * of its own, and its scanner checks every open flow level for a stale
 * simple key on every token, so a few hundred thousand "[" take minutes
 * (quadratic).  Stopping at SOU_FRONTMATTER_MAX_DEPTH bounds that work:
 * the scanner runs at most about a line's 1024 simple-key characters
 * ahead of the events, so it never sees more than MAX_DEPTH + 1024 open
 * levels (libyaml's master limits nesting the same way since 2024).
 */
static sou_status next_event(parse_ctx *c, yaml_event_t *ev)
{
	if ((++c->events & 1023) == 0 && sou_cancelled(c->cancel))
		return sou_error_set(c->err, SOU_ERR_INTERRUPTED, "%s: interrupted", c->path);
	if (!yaml_parser_parse(&c->parser, ev))
		return yaml_fail(c);
	if (ev->type == YAML_SEQUENCE_START_EVENT || ev->type == YAML_MAPPING_START_EVENT) {
		if (++c->depth > SOU_FRONTMATTER_MAX_DEPTH) {
			yaml_mark_t m = ev->start_mark;
			yaml_event_delete(ev);
			ev->type = YAML_NO_EVENT;
			return sou_error_set(c->err, SOU_ERR_PARSE,
					     "%s:%lu:%lu: front matter nested deeper than %d levels",
					     c->path, (unsigned long)(m.line + 1 + c->line0),
					     (unsigned long)(m.column + 1), SOU_FRONTMATTER_MAX_DEPTH);
		}
	} else if ((ev->type == YAML_SEQUENCE_END_EVENT || ev->type == YAML_MAPPING_END_EVENT) &&
		   c->depth) {
		c->depth--;
	}
	return SOU_OK;
}

/* Skip the rest of a node whose start event has just been consumed. */
static sou_status skip_node(parse_ctx *c, yaml_event_type_t start)
{
	yaml_event_t ev;
	int depth = 1;
	sou_status st;

	if (start != YAML_SEQUENCE_START_EVENT && start != YAML_MAPPING_START_EVENT)
		return SOU_OK;
	while (depth > 0) {
		if ((st = next_event(c, &ev)))
			return st;
		if (ev.type == YAML_SEQUENCE_START_EVENT || ev.type == YAML_MAPPING_START_EVENT)
			depth++;
		else if (ev.type == YAML_SEQUENCE_END_EVENT || ev.type == YAML_MAPPING_END_EVENT)
			depth--;
		else if (ev.type == YAML_STREAM_END_EVENT)
			depth = 0;
		yaml_event_delete(&ev);
	}
	return SOU_OK;
}

static void set_str(char **dst, const char *s, size_t n)
{
	free(*dst);
	*dst = sou_xstrndup(s, n);
}

static sou_status store_scalar(parse_ctx *c, sou_post *post, enum field f,
			       const yaml_event_t *ev, int default_tz)
{
	size_t n = ev->data.scalar.length;
	sou_buf tmp = SOU_BUF_INIT;
	const char *s = no_nul((const char *)ev->data.scalar.value, &n, &tmp);
	sou_error derr;
	sou_status st = SOU_OK;

	switch (f) {
	case F_TITLE: set_str(&post->title, s, n); break;
	case F_PERMALINK: set_str(&post->permalink, s, n); break;
	case F_AUTHOR: set_str(&post->author, s, n); break;
	case F_DESCRIPTION: set_str(&post->description, s, n); break;
	case F_TAGS: push_words(&post->tags, s, n); break;
	case F_CATEGORIES: push_words(&post->categories, s, n); break;
	case F_KEYWORDS: {
		/* keywords are commonly "a, b, c": split on commas and spaces */
		size_t i = 0, j;
		while (i < n && post->keywords.n < SOU_FRONTMATTER_MAX_LIST) {
			j = i;
			while (j < n && s[j] != ',' && !isspace((unsigned char)s[j]))
				j++;
			push_item(&post->keywords, s + i, j - i);
			i = j + 1;
		}
		break;
	}
	case F_DATE:
		if (n == 0)
			break;
		if (sou_date_parse(s, default_tz, &post->date, &derr)) {
			st = sou_error_set(c->err, SOU_ERR_PARSE, "%s:%lu:%lu: date: %s",
					   c->path,
					   (unsigned long)(ev->start_mark.line + 1 + c->line0),
					   (unsigned long)(ev->start_mark.column + 1), derr.msg);
			break;
		}
		post->has_date = 1;
		break;
	case F_NONE: break;
	}
	sou_buf_free(&tmp);
	return st;
}

static sou_status parse_value(parse_ctx *c, sou_post *post, enum field f,
			      int default_tz)
{
	yaml_event_t ev;
	sou_status st;

	if ((st = next_event(c, &ev)))
		return st;
	if (ev.type == YAML_SCALAR_EVENT) {
		st = store_scalar(c, post, f, &ev, default_tz);
		yaml_event_delete(&ev);
		return st;
	}
	if (ev.type == YAML_SEQUENCE_START_EVENT &&
	    (f == F_TAGS || f == F_CATEGORIES || f == F_KEYWORDS)) {
		sou_strlist *l = f == F_TAGS ? &post->tags :
				 f == F_CATEGORIES ? &post->categories : &post->keywords;
		yaml_event_delete(&ev);
		for (;;) {
			if ((st = next_event(c, &ev)))
				return st;
			if (ev.type == YAML_SEQUENCE_END_EVENT) {
				yaml_event_delete(&ev);
				return SOU_OK;
			}
			if (ev.type == YAML_SCALAR_EVENT) {
				sou_buf tmp = SOU_BUF_INIT;
				size_t n = ev.data.scalar.length;
				const char *v = no_nul((const char *)ev.data.scalar.value, &n, &tmp);
				push_item(l, v, n);
				sou_buf_free(&tmp);
			}
			else if ((st = skip_node(c, ev.type))) {
				yaml_event_delete(&ev);
				return st;
			}
			yaml_event_delete(&ev);
		}
	}
	/* aliases, nested mappings, lists for scalar fields: ignored */
	st = skip_node(c, ev.type);
	yaml_event_delete(&ev);
	return st;
}

static sou_status parse_yaml(parse_ctx *c, sou_post *post, int default_tz)
{
	yaml_event_t ev;
	sou_status st;

	/* STREAM_START, then DOCUMENT_START or STREAM_END (empty block) */
	if ((st = next_event(c, &ev)))
		return st;
	yaml_event_delete(&ev);
	if ((st = next_event(c, &ev)))
		return st;
	if (ev.type == YAML_STREAM_END_EVENT) {
		yaml_event_delete(&ev);
		return SOU_OK;
	}
	yaml_event_delete(&ev);
	if ((st = next_event(c, &ev)))
		return st;
	if (ev.type == YAML_SCALAR_EVENT && ev.data.scalar.length == 0) {
		yaml_event_delete(&ev); /* "---\n---": an empty document */
		return SOU_OK;
	}
	if (ev.type != YAML_MAPPING_START_EVENT) {
		st = sou_error_set(c->err, SOU_ERR_PARSE,
				   "%s:%lu:%lu: front matter is not a mapping of keys to values",
				   c->path, (unsigned long)(ev.start_mark.line + 1 + c->line0),
				   (unsigned long)(ev.start_mark.column + 1));
		yaml_event_delete(&ev);
		return st;
	}
	yaml_event_delete(&ev);
	for (;;) {
		enum field f = F_NONE;

		if ((st = next_event(c, &ev)))
			return st;
		if (ev.type == YAML_MAPPING_END_EVENT) {
			yaml_event_delete(&ev);
			break;
		}
		if (ev.type == YAML_SCALAR_EVENT &&
		    !memchr(ev.data.scalar.value, '\0', ev.data.scalar.length)) /* "title\0x" is no key */
			f = field_of((const char *)ev.data.scalar.value);
		else if ((st = skip_node(c, ev.type))) { /* complex key */
			yaml_event_delete(&ev);
			return st;
		}
		yaml_event_delete(&ev);
		if ((st = parse_value(c, post, f, default_tz)))
			return st;
	}
	/* Drain the rest so trailing syntax errors are still reported. */
	for (;;) {
		if ((st = next_event(c, &ev)))
			return st;
		if (ev.type == YAML_STREAM_END_EVENT) {
			yaml_event_delete(&ev);
			return SOU_OK;
		}
		if (ev.type == YAML_DOCUMENT_START_EVENT) {
			yaml_mark_t m = ev.start_mark;
			yaml_event_delete(&ev);
			return sou_error_set(c->err, SOU_ERR_PARSE,
					     "%s:%lu:%lu: more than one YAML document in front matter",
					     c->path, (unsigned long)(m.line + 1 + c->line0),
					     (unsigned long)(m.column + 1));
		}
		yaml_event_delete(&ev);
	}
}

static const char *base_name(const char *path)
{
	const char *s = strrchr(path, '/');
	return s ? s + 1 : path;
}

/* A title from a Jekyll slug: "2021-3-5-spring-notes.md" -> "spring notes". */
static char *title_from_slug(const char *path)
{
	const char *b = base_name(path), *dot = strrchr(b, '.');
	size_t n = dot ? (size_t)(dot - b) : strlen(b);
	int dashes = 0;
	size_t i;
	char *t;

	/* drop "YYYY-M-D-" */
	for (i = 0; i < n && dashes < 3; i++)
		if (b[i] == '-')
			dashes++;
		else if (!isdigit((unsigned char)b[i]))
			break;
	if (dashes == 3) {
		b += i;
		n -= i;
	}
	t = sou_xstrndup(b, n);
	for (i = 0; i < n; i++)
		if (t[i] == '-' || t[i] == '_')
			t[i] = ' ';
	return t;
}

sou_status sou_frontmatter_parse(const char *path, const char *data, size_t len,
				 int default_tz, sou_post **out, sou_error *err)
{
	return sou_frontmatter_parse_cancel(path, data, len, default_tz, NULL, out, err);
}

sou_status sou_frontmatter_parse_cancel(const char *path, const char *data, size_t len,
					int default_tz, const sou_cancel *cancel,
					sou_post **out, sou_error *err)
{
	const char *p = data, *end = data + len, *yaml_start, *yaml_end = NULL;
	const char *body = NULL;
	unsigned line = 1, yaml_line;
	parse_ctx c;
	sou_post *post;
	sou_status st;
	sou_buf yaml = SOU_BUF_INIT;

	*out = NULL;
	if (len >= 3 && !memcmp(p, "\xEF\xBB\xBF", 3))
		p += 3;
	while (p < end && is_blank(p, line_len(p, end)) && next_line(p, end) != end) {
		p = next_line(p, end);
		line++;
	}
	if (p >= end || !is_delim(p, line_len(p, end), 0))
		return sou_error_set(err, SOU_ERR_NOFRONTMATTER,
				     "%s: no front matter (first line is not '---')", path);
	p = next_line(p, end);
	line++;
	yaml_start = p;
	yaml_line = line;
	while (p < end) {
		size_t n = line_len(p, end);
		if (is_delim(p, n, 1)) {
			yaml_end = p;
			body = next_line(p, end);
			break;
		}
		p = next_line(p, end);
		line++;
	}
	if (!yaml_end)
		return sou_error_set(err, SOU_ERR_PARSE,
				     "%s:%u: front matter opened here is never closed with '---'",
				     path, yaml_line - 1);
	if (memchr(yaml_start, '\0', (size_t)(yaml_end - yaml_start)))
		return sou_error_set(err, SOU_ERR_PARSE, "%s: NUL byte in front matter", path);

	/* libyaml accepts CRLF itself; copy so the input is NUL-terminated. */
	sou_buf_add(&yaml, yaml_start, (size_t)(yaml_end - yaml_start));
	post = sou_xcalloc(1, sizeof(*post));
	memset(&c, 0, sizeof(c));
	c.path = path;
	c.line0 = yaml_line - 1;
	c.err = err;
	c.cancel = cancel;
	if (!yaml_parser_initialize(&c.parser)) {
		sou_buf_free(&yaml);
		sou_post_destroy(post);
		return sou_error_set(err, SOU_ERR_NOMEM, "%s: cannot initialise YAML parser", path);
	}
	yaml_parser_set_input_string(&c.parser, (const unsigned char *)yaml.data, yaml.len);
	yaml_parser_set_encoding(&c.parser, YAML_UTF8_ENCODING);
	st = parse_yaml(&c, post, default_tz);
	yaml_parser_delete(&c.parser);
	sou_buf_free(&yaml);
	if (st) {
		sou_post_destroy(post);
		return st;
	}
	if (!post->has_date &&
	    sou_date_from_filename(base_name(path), default_tz, &post->date) == SOU_OK) {
		post->has_date = 1;
		post->date_from_filename = 1;
	}
	if (!post->title || !*post->title) {
		free(post->title);
		post->title = title_from_slug(path);
	}
	post->body = body;
	post->body_len = (size_t)(end - body);
	post->body_line = line + 1;
	*out = post;
	return SOU_OK;
}
