/*
 * text.c - body to text with cmark and gumbo (see text.h).
 *
 * The output is assembled through two primitives, put_text() and
 * put_break(), which maintain the invariants of text.h: whitespace runs
 * collapse to one space and at most one '\n' separates blocks.
 */
#include "text.h"

#include <cmark.h>
#include <stdint.h>
#include <stdlib.h>
#include <ctype.h>
#include <gumbo.h>
#include <string.h>
#include <strings.h>
#include <unicode/utf8.h>

typedef struct text_out {
	sou_buf *b;
	size_t start;      /* where this call's output began in b */
	int pending_space; /* a space is owed before the next text */
	int pending_break; /* a newline is owed before the next text */
} text_out;

static void put_break(text_out *o)
{
	o->pending_break = 1;
	o->pending_space = 0;
}

static void flush_pending(text_out *o)
{
	if (o->b->len > o->start) {
		if (o->pending_break)
			sou_buf_addc(o->b, '\n');
		else if (o->pending_space)
			sou_buf_addc(o->b, ' ');
	}
	o->pending_break = o->pending_space = 0;
}

/* Appends s, collapsing ASCII whitespace (and newlines) to single spaces. */
static void put_text(text_out *o, const char *s, size_t n)
{
	size_t i = 0;

	while (i < n) {
		size_t j = i;
		if (isspace((unsigned char)s[i])) {
			while (i < n && isspace((unsigned char)s[i]))
				i++;
			if (!o->pending_break)
				o->pending_space = 1;
			continue;
		}
		/* U+00A0 NO-BREAK SPACE (from &nbsp;) counts as a space */
		if ((unsigned char)s[i] == 0xC2 && i + 1 < n && (unsigned char)s[i + 1] == 0xA0) {
			i += 2;
			if (!o->pending_break)
				o->pending_space = 1;
			continue;
		}
		while (j < n && !isspace((unsigned char)s[j]) &&
		       !((unsigned char)s[j] == 0xC2 && j + 1 < n && (unsigned char)s[j + 1] == 0xA0))
			j++;
		flush_pending(o);
		sou_buf_add(o->b, s + i, j - i);
		i = j;
	}
}

/* Appends text verbatim but for newlines, which become breaks (code blocks). */
static void put_lines(text_out *o, const char *s, size_t n)
{
	size_t i = 0;

	while (i < n) {
		const char *nl = memchr(s + i, '\n', n - i);
		size_t j = nl ? (size_t)(nl - s) : n;
		put_text(o, s + i, j - i);
		if (nl)
			put_break(o);
		i = j + 1;
	}
}

/* ---- HTML ---------------------------------------------------------------- */

static int is_block_tag(GumboTag t)
{
	switch (t) {
	case GUMBO_TAG_P: case GUMBO_TAG_DIV: case GUMBO_TAG_BR: case GUMBO_TAG_LI:
	case GUMBO_TAG_UL: case GUMBO_TAG_OL: case GUMBO_TAG_DL: case GUMBO_TAG_DT:
	case GUMBO_TAG_DD: case GUMBO_TAG_H1: case GUMBO_TAG_H2: case GUMBO_TAG_H3:
	case GUMBO_TAG_H4: case GUMBO_TAG_H5: case GUMBO_TAG_H6: case GUMBO_TAG_TABLE:
	case GUMBO_TAG_TR: case GUMBO_TAG_TD: case GUMBO_TAG_TH: case GUMBO_TAG_THEAD:
	case GUMBO_TAG_TBODY: case GUMBO_TAG_TFOOT: case GUMBO_TAG_CAPTION:
	case GUMBO_TAG_BLOCKQUOTE: case GUMBO_TAG_PRE: case GUMBO_TAG_HR:
	case GUMBO_TAG_SECTION: case GUMBO_TAG_ARTICLE: case GUMBO_TAG_ASIDE:
	case GUMBO_TAG_HEADER: case GUMBO_TAG_FOOTER: case GUMBO_TAG_NAV:
	case GUMBO_TAG_FIGURE: case GUMBO_TAG_FIGCAPTION: case GUMBO_TAG_MAIN:
	case GUMBO_TAG_ADDRESS: case GUMBO_TAG_FORM: case GUMBO_TAG_FIELDSET:
	case GUMBO_TAG_LEGEND: case GUMBO_TAG_DETAILS: case GUMBO_TAG_SUMMARY:
	case GUMBO_TAG_BODY: case GUMBO_TAG_HTML: case GUMBO_TAG_TITLE:
	case GUMBO_TAG_OPTION: case GUMBO_TAG_CENTER:
		return 1;
	default:
		return 0;
	}
}

static int is_dropped_tag(GumboTag t)
{
	return t == GUMBO_TAG_SCRIPT || t == GUMBO_TAG_STYLE ||
	       t == GUMBO_TAG_TEMPLATE || t == GUMBO_TAG_HEAD ||
	       t == GUMBO_TAG_IFRAME || t == GUMBO_TAG_OBJECT ||
	       t == GUMBO_TAG_SVG || t == GUMBO_TAG_MATH;
}

/*
 * Iterative walk: deeply nested HTML (10^5 open <div>s) must not blow the
 * C stack.  The explicit stack holds (node, next child index).
 */
typedef struct walk_frame {
	const GumboNode *node;
	unsigned next;
} walk_frame;

static void html_walk(text_out *o, const GumboNode *root)
{
	walk_frame *stack = NULL;
	size_t depth = 0, cap = 0;

#define PUSH(n) do { \
		SOU_ARRAY_GROW(stack, cap, depth + 1); \
		stack[depth].node = (n); \
		stack[depth].next = 0; \
		depth++; \
	} while (0)

	PUSH(root);
	while (depth) {
		walk_frame *f = &stack[depth - 1];
		const GumboNode *n = f->node;

		if (f->next == 0) {
			/* first visit */
			switch (n->type) {
			case GUMBO_NODE_TEXT:
			case GUMBO_NODE_WHITESPACE:
			case GUMBO_NODE_CDATA:
				put_text(o, n->v.text.text, strlen(n->v.text.text));
				depth--;
				continue;
			case GUMBO_NODE_COMMENT:
				depth--;
				continue;
			case GUMBO_NODE_ELEMENT:
			case GUMBO_NODE_TEMPLATE: {
				GumboTag t = n->v.element.tag;
				if (is_dropped_tag(t)) {
					depth--;
					continue;
				}
				if (is_block_tag(t))
					put_break(o);
				if (t == GUMBO_TAG_IMG) {
					GumboAttribute *a = gumbo_get_attribute(&n->v.element.attributes, "alt");
					if (a && *a->value) {
						o->pending_space = !o->pending_break && o->b->len > o->start;
						put_text(o, a->value, strlen(a->value));
						o->pending_space = 1;
					}
				}
				break;
			}
			case GUMBO_NODE_DOCUMENT:
				break;
			}
		}
		{
			const GumboVector *kids = n->type == GUMBO_NODE_DOCUMENT
				? &n->v.document.children : &n->v.element.children;
			if (f->next < kids->length) {
				const GumboNode *k = kids->data[f->next++];
				PUSH(k);
				continue;
			}
		}
		if ((n->type == GUMBO_NODE_ELEMENT || n->type == GUMBO_NODE_TEMPLATE) &&
		    is_block_tag(n->v.element.tag))
			put_break(o);
		depth--;
	}
	free(stack);
#undef PUSH
}

static int is_void_tag(const char *p, size_t n)
{
	static const char *const v[] = { "br", "img", "hr", "meta", "link", "input",
		"wbr", "source", "area", "col", "embed", "param", "track", "base" };
	size_t i, k;

	for (i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		k = strlen(v[i]);
		if (k <= n && !strncasecmp(p, v[i], k) &&
		    (k == n || !isalnum((unsigned char)p[k])))
			return 1;
	}
	return 0;
}

/*
 * An estimate of the deepest element nesting: +1 per start tag that is not
 * void or self-closed, -1 per end tag.  gumbo's cost grows with the square
 * of the nesting depth, so pathological inputs take the fallback below.
 */
static size_t nesting_estimate(const char *s, size_t n)
{
	size_t i, depth = 0, max = 0;

	for (i = 0; i + 1 < n; i++) {
		if (s[i] != '<')
			continue;
		if (s[i + 1] == '/') {
			if (depth)
				depth--;
		} else if (isalpha((unsigned char)s[i + 1]) && !is_void_tag(s + i + 1, n - i - 1)) {
			const char *gt = memchr(s + i, '>', n - i);
			if (!gt || gt[-1] != '/')
				if (++depth > max)
					max = depth;
		}
	}
	return max;
}

/* Deeper than this, HTML is reduced to text by dropping tags (see below). */
#define MAX_HTML_NESTING 5000

/*
 * Fallback for absurdly nested HTML (tens of thousands of open elements,
 * which only generated or hostile input has): keep the text between tags,
 * turning every tag into a break.  Entities stay as written.
 */
static void strip_tags(text_out *o, const char *s, size_t n)
{
	size_t i = 0;

	while (i < n) {
		const char *lt = memchr(s + i, '<', n - i);
		size_t j = lt ? (size_t)(lt - s) : n;
		put_text(o, s + i, j - i);
		if (!lt)
			break;
		lt = memchr(s + j, '>', n - j);
		i = lt ? (size_t)(lt - s) + 1 : n;
		put_break(o);
	}
}

static sou_status html_to_text(text_out *o, const char *s, size_t n, sou_error *err)
{
	GumboOptions opts = kGumboDefaultOptions;
	GumboOutput *g;

	put_break(o);
	if (nesting_estimate(s, n) > MAX_HTML_NESTING) {
		strip_tags(o, s, n);
		put_break(o);
		return SOU_OK;
	}
	/* sou never reads gumbo's parse errors; recording them copies the
	 * open-element stack each time, which is quadratic on bad markup */
	opts.max_errors = 0;
	g = gumbo_parse_with_options(&opts, s, n);
	if (!g)
		return sou_error_set(err, SOU_ERR_NOMEM, "HTML parser failed");
	html_walk(o, g->root);
	put_break(o);
	gumbo_destroy_output(&opts, g);
	return SOU_OK;
}

/* ---- Markdown ------------------------------------------------------------ */

static int is_block_node(cmark_node_type t)
{
	switch (t) {
	case CMARK_NODE_PARAGRAPH: case CMARK_NODE_HEADING: case CMARK_NODE_ITEM:
	case CMARK_NODE_LIST: case CMARK_NODE_BLOCK_QUOTE: case CMARK_NODE_CODE_BLOCK:
	case CMARK_NODE_HTML_BLOCK: case CMARK_NODE_THEMATIC_BREAK:
	case CMARK_NODE_CUSTOM_BLOCK:
		return 1;
	default:
		return 0;
	}
}

/* Inline HTML tags carry no text of their own, except that <br> breaks. */
static void inline_html(text_out *o, const char *s)
{
	if (!strncasecmp(s, "<br", 3) && !isalpha((unsigned char)s[3]))
		put_break(o);
}

static sou_status markdown_to_text(text_out *o, const char *s, size_t n, sou_error *err)
{
	cmark_node *doc = cmark_parse_document(s, n, CMARK_OPT_DEFAULT);
	cmark_iter *it;
	cmark_event_type ev;
	sou_status st = SOU_OK;
	int skip_depth = 0; /* >0 while inside a <script>/<style> inline run */

	if (!doc)
		return sou_error_set(err, SOU_ERR_NOMEM, "Markdown parser failed");
	it = cmark_iter_new(doc);
	while ((ev = cmark_iter_next(it)) != CMARK_EVENT_DONE) {
		cmark_node *nd = cmark_iter_get_node(it);
		cmark_node_type t = cmark_node_get_type(nd);
		const char *lit;

		if (is_block_node(t)) {
			put_break(o);
			if (ev == CMARK_EVENT_EXIT)
				continue;
		}
		if (ev != CMARK_EVENT_ENTER)
			continue;
		lit = cmark_node_get_literal(nd);
		switch (t) {
		case CMARK_NODE_TEXT:
		case CMARK_NODE_CODE:
			if (!skip_depth && lit)
				put_text(o, lit, strlen(lit));
			break;
		case CMARK_NODE_CODE_BLOCK:
			if (lit)
				put_lines(o, lit, strlen(lit));
			break;
		case CMARK_NODE_SOFTBREAK:
			o->pending_space = !o->pending_break;
			break;
		case CMARK_NODE_LINEBREAK:
			put_break(o);
			break;
		case CMARK_NODE_HTML_BLOCK:
			if (lit && (st = html_to_text(o, lit, strlen(lit), err)))
				goto out;
			break;
		case CMARK_NODE_HTML_INLINE:
			if (lit) {
				if (!strncasecmp(lit, "<script", 7) || !strncasecmp(lit, "<style", 6))
					skip_depth++;
				else if ((!strncasecmp(lit, "</script", 8) ||
					  !strncasecmp(lit, "</style", 7)) && skip_depth)
					skip_depth--;
				else
					inline_html(o, lit);
			}
			break;
		default:
			break;
		}
	}
out:
	cmark_iter_free(it);
	cmark_node_free(doc);
	return st;
}

/* Whole-HTML body: starts (after blanks) with a tag, doctype or comment. */
static int looks_like_html(const char *s, size_t n)
{
	size_t i = 0;

	while (i < n && isspace((unsigned char)s[i]))
		i++;
	if (i + 1 >= n || s[i] != '<')
		return 0;
	return isalpha((unsigned char)s[i + 1]) || s[i + 1] == '!';
}

sou_status sou_text_from_body(const char *body, size_t len, sou_body_format fmt,
			      sou_buf *out, sou_error *err)
{
	text_out o = { out, out->len, 0, 0 };
	sou_status st;

	if (fmt == SOU_BODY_AUTO)
		fmt = looks_like_html(body, len) ? SOU_BODY_HTML : SOU_BODY_MARKDOWN;
	st = fmt == SOU_BODY_HTML ? html_to_text(&o, body, len, err)
				  : markdown_to_text(&o, body, len, err);
	return st;
}

int sou_text_utf8_clean(const char *s, size_t n, sou_buf *out)
{
	const uint8_t *p = (const uint8_t *)s;
	int32_t i = 0, len;
	UChar32 c;
	int clean = 1;

	if (n > INT32_MAX)
		n = INT32_MAX;
	len = (int32_t)n;
	while (i < len) {
		U8_NEXT(p, i, len, c);
		if (c <= 0) {
			clean = 0;
			break;
		}
	}
	if (clean)
		return 1;
	sou_buf_reset(out);
	sou_buf_grow(out, n + n / 8);
	i = 0;
	while (i < len) {
		int32_t at = i;
		U8_NEXT(p, i, len, c);
		if (c <= 0)
			sou_buf_add(out, "\xEF\xBF\xBD", 3);
		else
			sou_buf_add(out, s + at, (size_t)(i - at));
	}
	return 0;
}
