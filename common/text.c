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

/* An image's alt text (what a reader without the image sees), set off by
 * spaces: "看图<img alt=示意图>之后" reads 看图 示意图 之后. */
static void put_alt(text_out *o, const GumboNode *img)
{
	GumboAttribute *a = gumbo_get_attribute(&img->v.element.attributes, "alt");

	if (a && *a->value) {
		o->pending_space = !o->pending_break && o->b->len > o->start;
		put_text(o, a->value, strlen(a->value));
		o->pending_space = 1;
	}
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
				if (t == GUMBO_TAG_IMG)
					put_alt(o, n);
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
 * Linear: the '>' that closes a start tag is looked for once per '>' (gt
 * is the first '>' at or after i, or NULL when there is none), not once
 * per '<' ("<a" a million times without a '>' took 30 s).
 */
static size_t nesting_estimate(const char *s, size_t n)
{
	size_t i, depth = 0, max = 0;
	const char *gt = NULL;
	int no_gt = 0;

	for (i = 0; i + 1 < n; i++) {
		if (s[i] != '<')
			continue;
		if (s[i + 1] == '/') {
			if (depth)
				depth--;
		} else if (isalpha((unsigned char)s[i + 1]) && !is_void_tag(s + i + 1, n - i - 1)) {
			if (!no_gt && (!gt || gt < s + i)) {
				gt = memchr(s + i, '>', n - i);
				no_gt = !gt;
			}
			if (no_gt || gt[-1] != '/')
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

/* One piece of HTML (all of it, or a piece cut below) to text. */
static sou_status html_piece(text_out *o, const char *s, size_t n, sou_error *err)
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

/*
 * Long HTML is parsed in pieces.  gumbo's tree takes 50 to 160 bytes per
 * byte of input (an 8 MiB "<b><p>" repeated: 1.3 GB), so HTML over
 * SOU_TEXT_HTML_WHOLE bytes is cut into pieces of about
 * SOU_TEXT_HTML_PIECE bytes, each parsed and freed before the next.  A
 * piece ends right after the end tag of a block element (</p>, </div>,
 * </li>, ...), which makes a text break anyway, outside comments, raw
 * text (script, style, textarea, title...), tables (cells lose their
 * breaks without their table) and elements whose text is dropped (svg,
 * math, head...), so the pieces' text is the whole's.  When no such
 * place comes within SOU_TEXT_HTML_PIECE_MAX bytes, the piece is cut at
 * the next tag anyway: only generated or hostile markup gets there.
 * The scanner below is a rough HTML tokenizer, enough to find those
 * places; it moves forward only, so cutting is linear.
 */
typedef struct html_scan {
	size_t at;          /* next byte to look at */
	unsigned dropped;   /* open elements whose text is dropped */
	unsigned table;     /* open tables */
} html_scan;

/* The lowercased tag name at s[i..n) (letters, digits, '-'), up to 15 bytes. */
static size_t tag_name(const char *s, size_t n, size_t i, char *name)
{
	size_t k = 0;

	while (i + k < n && (isalnum((unsigned char)s[i + k]) || s[i + k] == '-')) {
		if (k < 15)
			name[k] = (char)tolower((unsigned char)s[i + k]);
		k++;
	}
	name[k < 15 ? k : 15] = '\0';
	if (k >= 15)
		name[0] = '\0'; /* no tag we know is that long */
	return k;
}

static int name_in(const char *name, const char *const *set)
{
	for (; *set; set++)
		if (!strcmp(name, *set))
			return 1;
	return 0;
}

static const char *const RAW_TEXT[] = { "script", "style", "textarea", "title", "xmp",
	"iframe", "noembed", "noframes", NULL };
static const char *const DROPPED[] = { "svg", "math", "template", "head", "object", NULL };
static const char *const PIECE_ENDS[] = { "p", "div", "li", "ul", "ol", "dl", "dd", "dt",
	"h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "section", "article", "table",
	"pre", "header", "footer", "main", "nav", "aside", "figure", "address", "form",
	"fieldset", "details", NULL };

/* The end of a tag whose name ends at i: after its '>', quoted values skipped. */
static size_t tag_end(const char *s, size_t n, size_t i, int *self_closed)
{
	*self_closed = 0;
	while (i < n) {
		if (s[i] == '>') {
			*self_closed = s[i - 1] == '/';
			return i + 1;
		}
		if (s[i] == '=') {
			i++;
			while (i < n && isspace((unsigned char)s[i]))
				i++;
			if (i < n && (s[i] == '"' || s[i] == '\'')) {
				const char *q = memchr(s + i + 1, s[i], n - i - 1);
				i = q ? (size_t)(q - s) + 1 : n;
			}
			continue;
		}
		i++;
	}
	return n;
}

/* The end of a comment whose text starts at i: after its "-->". */
static size_t comment_end(const char *s, size_t n, size_t i)
{
	while (i + 3 <= n) {
		const char *d = memchr(s + i, '-', n - i - 2);
		if (!d)
			return n;
		i = (size_t)(d - s);
		if (s[i + 1] == '-' && s[i + 2] == '>')
			return i + 3;
		i++;
	}
	return n;
}

/* Where the raw text of element name, starting at i, ends: at its "</name". */
static size_t raw_text_end(const char *s, size_t n, size_t i, const char *name)
{
	size_t k = strlen(name);

	while (i < n) {
		const char *lt = memchr(s + i, '<', n - i);
		if (!lt)
			return n;
		i = (size_t)(lt - s);
		if (i + 2 + k <= n && s[i + 1] == '/' && !strncasecmp(s + i + 2, name, k))
			return i;
		i++;
	}
	return n;
}

/* The end of the piece that starts at pos (see above). */
static size_t html_cut(html_scan *sc, const char *s, size_t n, size_t pos)
{
	size_t i = sc->at > pos ? sc->at : pos;

	while (i < n) {
		const char *lt = memchr(s + i, '<', n - i);
		char name[16];
		size_t k;
		int closed;

		if (!lt)
			break;
		i = (size_t)(lt - s);
		if (i >= pos + SOU_TEXT_HTML_PIECE_MAX && i > pos) {
			sc->at = i; /* forced: no good place came */
			return i;
		}
		if (i + 4 <= n && !memcmp(s + i, "<!--", 4)) {
			i = comment_end(s, n, i + 4);
		} else if (i + 1 < n && (s[i + 1] == '!' || s[i + 1] == '?')) {
			const char *e = memchr(s + i, '>', n - i);
			i = e ? (size_t)(e - s) + 1 : n;
		} else if (i + 1 < n && s[i + 1] == '/') {
			const char *e;
			k = tag_name(s, n, i + 2, name);
			e = memchr(s + i, '>', n - i);
			i = e ? (size_t)(e - s) + 1 : n;
			if (!k)
				continue;
			if (name_in(name, DROPPED) && sc->dropped)
				sc->dropped--;
			else if (!strcmp(name, "table") && sc->table)
				sc->table--;
			if (!sc->dropped && !sc->table && i >= pos + SOU_TEXT_HTML_PIECE &&
			    name_in(name, PIECE_ENDS)) {
				sc->at = i;
				return i;
			}
		} else if (i + 1 < n && isalpha((unsigned char)s[i + 1])) {
			k = tag_name(s, n, i + 1, name);
			i = tag_end(s, n, i + 1 + k, &closed);
			if (name_in(name, RAW_TEXT))
				i = raw_text_end(s, n, i, name);
			else if (!strcmp(name, "plaintext"))
				i = n; /* the rest is its text */
			else if (!closed && name_in(name, DROPPED))
				sc->dropped++;
			else if (!closed && !strcmp(name, "table"))
				sc->table++;
		} else {
			i++;
		}
	}
	sc->at = n;
	return n;
}

static sou_status html_to_text(text_out *o, const char *s, size_t n, const sou_cancel *cancel,
			       sou_error *err)
{
	html_scan sc = { 0, 0, 0 };
	size_t pos = 0;
	sou_status st;

	if (n <= SOU_TEXT_HTML_WHOLE)
		return html_piece(o, s, n, err);
	while (pos < n) {
		size_t end;
		if (sou_cancelled(cancel))
			return sou_error_set(err, SOU_ERR_INTERRUPTED, "interrupted");
		end = html_cut(&sc, s, n, pos);
		if ((st = html_piece(o, s + pos, end - pos, err)))
			return st;
		pos = end;
	}
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

/* 1 if an attribute named alt may be in the tag's rest s (a cheap test). */
static int has_alt(const char *s)
{
	for (; *s; s++)
		if ((s[0] == 'a' || s[0] == 'A') && !strncasecmp(s + 1, "lt", 2))
			return 1;
	return 0;
}

/*
 * One inline HTML node of Markdown: a single tag, comment, declaration or
 * processing instruction, as cmark checked it (the text between tags is
 * cmark's own text nodes).  Tags carry no text, but the tag of a block
 * element (<p>, </p>, <br>, <div>, <li>, <td>, ..., gumbo's names, the
 * same set as in HTML bodies) breaks, so "a</p><p>b" keeps two words, and
 * an <img> shows its alt text.  Only an <img> with an alt attribute goes
 * through gumbo (one small parse per such tag: linear), so that its value
 * is decoded as a browser decodes it.
 */
static sou_status inline_html(text_out *o, const char *s, sou_error *err)
{
	size_t i, k = 0;
	GumboTag t;

	if (s[0] != '<')
		return SOU_OK;
	i = s[1] == '/' ? 2 : 1;
	while (isalnum((unsigned char)s[i + k]) || s[i + k] == '-')
		k++;
	if (!k || !isalpha((unsigned char)s[i]))
		return SOU_OK; /* a comment, declaration or processing instruction */
	t = gumbo_tagn_enum(s + i, (unsigned)k);
	if (is_block_tag(t)) {
		put_break(o);
	} else if (t == GUMBO_TAG_IMG && i == 1 && has_alt(s + i + k)) {
		GumboOptions opts = kGumboDefaultOptions;
		GumboOutput *g;
		const GumboVector *kids;
		unsigned j;

		opts.max_errors = 0;
		if (!(g = gumbo_parse_with_options(&opts, s, strlen(s))))
			return sou_error_set(err, SOU_ERR_NOMEM, "HTML parser failed");
		/* a lone start tag: html > (head, body > img) */
		kids = &g->root->v.element.children;
		for (j = 0; j < kids->length; j++) {
			const GumboNode *b = kids->data[j];
			if (b->type == GUMBO_NODE_ELEMENT && b->v.element.tag == GUMBO_TAG_BODY &&
			    b->v.element.children.length) {
				const GumboNode *img = b->v.element.children.data[0];
				if (img->type == GUMBO_NODE_ELEMENT &&
				    img->v.element.tag == GUMBO_TAG_IMG)
					put_alt(o, img);
			}
		}
		gumbo_destroy_output(&opts, g);
	}
	return SOU_OK;
}

/* What the walk over successive pieces of one body carries along. */
typedef struct md_state {
	int skip_depth;          /* >0 while inside a <script>/<style> inline run */
	const sou_cancel *cancel;
} md_state;

/* The text of a parsed Markdown document (or piece) into o. */
static sou_status md_walk(text_out *o, cmark_node *doc, md_state *ms, sou_error *err)
{
	cmark_iter *it = cmark_iter_new(doc);
	cmark_event_type ev;
	sou_status st = SOU_OK;

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
			if (!ms->skip_depth && lit)
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
			if (lit && (st = html_to_text(o, lit, strlen(lit), ms->cancel, err)))
				goto out;
			break;
		case CMARK_NODE_HTML_INLINE:
			if (lit) {
				if (!strncasecmp(lit, "<script", 7) || !strncasecmp(lit, "<style", 6))
					ms->skip_depth++;
				else if ((!strncasecmp(lit, "</script", 8) ||
					  !strncasecmp(lit, "</style", 7)) && ms->skip_depth)
					ms->skip_depth--;
				else if ((st = inline_html(o, lit, err)))
					goto out;
			}
			break;
		default:
			break;
		}
	}
out:
	cmark_iter_free(it);
	return st;
}

/*
 * Making cmark 0.30.2 linear.  Debian's cmark has three quadratic cases
 * that later releases fixed (cmark's own pathological tests: "![[]()"
 * repeated, CVE-2023-22486; empty lines in deeply nested lists; emphasis
 * in deep block quotes): 240 KB of each takes 2 to over 30 s.  Before
 * parsing, md_tame rewrites the few lines that could trigger them, in
 * ways that leave the text of every ordinary post as it was:
 *
 *   - blank lines (only spaces, tabs, CR): a run keeps its first two.
 *     cmark walks every open list for each blank line; the third and
 *     later blank lines of a run change nothing in the text (blank lines
 *     inside code and HTML blocks are line breaks, which collapse).
 *   - container prefixes: a line's leading blanks, '>' and list markers
 *     are its containers (block quotes, list items), each at least one
 *     column wide, so at most SOU_TEXT_MD_MAX_PREFIX columns of them make
 *     nesting deeper than that impossible.  A run of blanks that crosses
 *     that column is cut to end at it (the blanks of deeply indented
 *     code, which the text collapses anyway); a marker that starts
 *     beyond it, or at it other than right after such blanks, is
 *     escaped with a backslash, so it stays text.  Every cost cmark has
 *     per open container (each blank line, each link and emphasis node
 *     inserted) is then bounded.
 *   - brackets: a link matched in a paragraph walks back over every
 *     image opener "![" still open in it (the CVE).  A paragraph (lines
 *     between blank lines) whose ']' times preceding "![" exceed
 *     SOU_TEXT_MD_BRACKET_BASE + SOU_TEXT_MD_BRACKET_PER_BYTE per byte
 *     has all its brackets escaped (they stay text, as written).
 *
 * md_tame returns 0 when nothing needed rewriting (s is used as is), or
 * 1 with the rewritten text in out.
 */
typedef struct md_fix {
	const char *s;
	sou_buf *out;
	size_t done;   /* s[0, done) is in out */
	int changed;
} md_fix;

/* Copies s[done, at) to out, then ins[0, k); s continues at skip_to. */
static void fix_put(md_fix *f, size_t at, const char *ins, size_t k, size_t skip_to)
{
	if (!f->changed) {
		sou_buf_reset(f->out);
		f->changed = 1;
	}
	sou_buf_add(f->out, f->s + f->done, at - f->done);
	sou_buf_add(f->out, ins, k);
	f->done = skip_to;
}

static size_t line_end(const char *s, size_t n, size_t i)
{
	const char *nl = memchr(s + i, '\n', n - i);
	return nl ? (size_t)(nl - s) + 1 : n;
}

static int blank_line(const char *s, size_t a, size_t b)
{
	for (; a < b; a++)
		if (s[a] != ' ' && s[a] != '\t' && s[a] != '\r' && s[a] != '\n')
			return 0;
	return 1;
}

/* 1 if s[i, e) is a thematic break (a leaf, not a list marker): three or
 * more of one of - * _ and nothing else but blanks. */
static int thematic_break(const char *s, size_t i, size_t e)
{
	char c = s[i];
	unsigned k = 0;

	for (; i < e; i++) {
		if (s[i] == c)
			k++;
		else if (s[i] != ' ' && s[i] != '\t' && s[i] != '\r' && s[i] != '\n')
			return 0;
	}
	return k >= 3;
}

/*
 * The width of the container marker at s[i] (line end e), or 0: '>', a
 * bullet (- + *) or an ordered marker (1 to 9 digits, '.' or ')')
 * followed by a blank or the end of the line.  *esc: where a backslash
 * makes it text (before the bullet or the delimiter).
 */
static size_t marker_at(const char *s, size_t i, size_t e, size_t *esc)
{
	size_t j = i;

	*esc = i;
	if (s[i] == '>')
		return 1;
	if (s[i] == '-' || s[i] == '+' || s[i] == '*') {
		if (i + 1 < e && s[i + 1] != ' ' && s[i + 1] != '\t' && s[i + 1] != '\r' &&
		    s[i + 1] != '\n')
			return 0;
		return thematic_break(s, i, e) ? 0 : 1;
	}
	while (j < e && j - i < 9 && s[j] >= '0' && s[j] <= '9')
		j++;
	if (j == i || j >= e || (s[j] != '.' && s[j] != ')'))
		return 0;
	if (j + 1 < e && s[j + 1] != ' ' && s[j + 1] != '\t' && s[j + 1] != '\r' &&
	    s[j + 1] != '\n')
		return 0;
	*esc = j;
	return j - i + 1;
}

/* The container prefix rule above for the line s[i, e); returns where
 * the prefix ends. */
static size_t tame_prefix(md_fix *f, const char *s, size_t i, size_t e)
{
	unsigned col = 0;
	int after_cut = 0;

	while (i < e) {
		size_t w, esc;
		if (s[i] == ' ' || s[i] == '\t') {
			size_t j = i;
			unsigned c2 = col;
			while (j < e && (s[j] == ' ' || s[j] == '\t')) {
				c2 = s[j] == '\t' ? c2 + 4 - c2 % 4 : c2 + 1;
				j++;
			}
			if (col < SOU_TEXT_MD_MAX_PREFIX && c2 > SOU_TEXT_MD_MAX_PREFIX) {
				char pad[SOU_TEXT_MD_MAX_PREFIX];
				memset(pad, ' ', sizeof(pad));
				fix_put(f, i, pad, SOU_TEXT_MD_MAX_PREFIX - col, j);
				c2 = SOU_TEXT_MD_MAX_PREFIX;
				after_cut = 1;
			}
			col = c2;
			i = j;
			continue;
		}
		if (!(w = marker_at(s, i, e, &esc)))
			break;
		if (col > SOU_TEXT_MD_MAX_PREFIX || (col == SOU_TEXT_MD_MAX_PREFIX && !after_cut)) {
			fix_put(f, esc, "\\", 1, esc);
			break;
		}
		after_cut = 0;
		col += (unsigned)w;
		i += w;
	}
	return i;
}

/* The bracket bound of the paragraph s[a, b) (see above). */
static int brackets_over(const char *s, size_t a, size_t b)
{
	uint64_t cost = 0, images = 0;
	size_t i;

	for (i = a; i < b; i++) {
		if (s[i] == '[' && i > a && s[i - 1] == '!')
			images++;
		else if (s[i] == ']')
			cost += images;
	}
	return cost > SOU_TEXT_MD_BRACKET_BASE +
		      (uint64_t)SOU_TEXT_MD_BRACKET_PER_BYTE * (uint64_t)(b - a);
}

/* Escapes every unescaped bracket of s[a, b). */
static void escape_brackets(md_fix *f, const char *s, size_t a, size_t b)
{
	size_t i, slashes = 0;

	for (i = a; i < b; i++) {
		if ((s[i] == '[' || s[i] == ']') && !(slashes & 1))
			fix_put(f, i, "\\", 1, i);
		slashes = s[i] == '\\' ? slashes + 1 : 0;
	}
}

static int md_tame(const char *s, size_t n, sou_buf *out)
{
	md_fix f = { s, out, 0, 0 };
	size_t i = 0;
	unsigned blanks = 0;

	while (i < n) {
		size_t e = line_end(s, n, i), b, j;
		int over;

		if (blank_line(s, i, e)) {
			if (++blanks > 2)
				fix_put(&f, i, "", 0, e);
			i = e;
			continue;
		}
		blanks = 0;
		/* a paragraph-sized run of lines: up to the next blank line */
		for (b = e; b < n;) {
			size_t be = line_end(s, n, b);
			if (blank_line(s, b, be))
				break;
			b = be;
		}
		over = brackets_over(s, i, b);
		for (j = i; j < b; j = e) {
			size_t p;
			e = line_end(s, n, j);
			p = tame_prefix(&f, s, j, e);
			if (over)
				escape_brackets(&f, s, p, e);
		}
		i = b;
	}
	if (f.changed)
		sou_buf_add(out, s + f.done, n - f.done);
	return f.changed;
}

/*
 * Long Markdown is parsed in pieces.  cmark's tree takes up to 70 bytes
 * per byte of input ("[a](b) " repeated over 8 MiB: 584 MB), so a body
 * over SOU_TEXT_MD_WHOLE bytes is parsed in pieces of about
 * SOU_TEXT_MD_PIECE bytes, each freed before the next.  A piece ends
 * before a line that follows a blank line and starts in its first column
 * with neither a blank, a '>' nor a list marker: every container is
 * closed there, and only a fenced code block or an HTML block (kinds 1
 * to 5) can still be open, which cmark itself tells: the piece is parsed
 * with a probe paragraph after it, and the cut is good when the probe
 * comes out as the document's last paragraph (it is then dropped).  A
 * piece's text is then the whole's, except that a reference link
 * ("[text][label]") defined in another piece stays text.  A cut that
 * fails, or none within SOU_TEXT_MD_PIECE_MAX bytes, is retried once
 * further on, then made at a line end (or, in one endless line, at a
 * space) anyway: only generated or hostile Markdown gets there.
 */
static const char PROBE[] = "\001sou-piece-end\001\n";

/* Feeds cmark in slices, so a cancel is seen within one slice. */
static sou_status md_parse(const char *s, size_t n, int probe, const sou_cancel *cancel,
			   cmark_node **doc, sou_error *err)
{
	cmark_parser *p = cmark_parser_new(CMARK_OPT_DEFAULT);
	size_t i = 0;

	*doc = NULL;
	if (!p)
		return sou_error_set(err, SOU_ERR_NOMEM, "Markdown parser failed");
	while (i < n) {
		size_t k = n - i < SOU_TEXT_MD_FEED ? n - i : SOU_TEXT_MD_FEED;
		/* cmark skips a BOM at the start of a feed while on line 0 */
		while (i + k + 3 <= n && !memcmp(s + i + k, "\xEF\xBB\xBF", 3))
			k++;
		if (sou_cancelled(cancel)) {
			cmark_parser_free(p);
			return sou_error_set(err, SOU_ERR_INTERRUPTED, "interrupted");
		}
		cmark_parser_feed(p, s + i, k);
		i += k;
	}
	if (probe)
		cmark_parser_feed(p, PROBE, sizeof(PROBE) - 1);
	*doc = cmark_parser_finish(p);
	cmark_parser_free(p);
	if (!*doc)
		return sou_error_set(err, SOU_ERR_NOMEM, "Markdown parser failed");
	return SOU_OK;
}

/* 1 if doc ends with the probe paragraph, which is then removed. */
static int md_take_probe(cmark_node *doc)
{
	cmark_node *last = cmark_node_last_child(doc), *t;
	const char *lit;

	if (!last || cmark_node_get_type(last) != CMARK_NODE_PARAGRAPH)
		return 0;
	t = cmark_node_first_child(last);
	if (!t || cmark_node_next(t) || cmark_node_get_type(t) != CMARK_NODE_TEXT ||
	    !(lit = cmark_node_get_literal(t)) || strlen(lit) != sizeof(PROBE) - 2 ||
	    memcmp(lit, PROBE, sizeof(PROBE) - 2))
		return 0;
	cmark_node_free(last);
	return 1;
}

/* The first good place to end a piece at or after from (see above), or n. */
static size_t md_next_cut(const char *s, size_t n, size_t from)
{
	size_t i = from, e;
	int prev_blank = 0;

	/* start at a line start */
	while (i > 0 && i < n && s[i - 1] != '\n')
		i++;
	for (; i < n; i = e) {
		size_t esc;
		e = line_end(s, n, i);
		if (prev_blank && !blank_line(s, i, e) && s[i] != ' ' && s[i] != '\t' &&
		    s[i] != '>' && !marker_at(s, i, e, &esc))
			return i;
		prev_blank = blank_line(s, i, e);
	}
	return n;
}

/* A forced end for a piece starting at pos: a line end, else between
 * two tags, else a space, else before a '<', else a character boundary,
 * at most SOU_TEXT_MD_PIECE_MAX on. */
static size_t md_forced_cut(const char *s, size_t n, size_t pos)
{
	size_t lim = pos + SOU_TEXT_MD_PIECE_MAX, i;

	if (lim >= n)
		return n;
	for (i = lim; i > pos + SOU_TEXT_MD_PIECE; i--)
		if (s[i - 1] == '\n')
			return i;
	/* between two tags: a long line of HTML (a .md post of one line of
	 * "<p class=x>...</p>") is cut where no tag is split */
	for (i = lim; i > pos + SOU_TEXT_MD_PIECE; i--)
		if (s[i - 1] == '>' && s[i] == '<')
			return i;
	for (i = lim; i > pos + SOU_TEXT_MD_PIECE; i--)
		if (s[i - 1] == ' ')
			return i;
	/* before a tag, not inside one: "<div>" repeated stays HTML */
	for (i = lim; i > pos + SOU_TEXT_MD_PIECE; i--)
		if (s[i] == '<')
			return i;
	for (i = lim; i > pos && ((unsigned char)s[i] & 0xC0) == 0x80; i--)
		;
	return i > pos ? i : lim;
}

/* md_tame, then md_parse, on the piece s[0, n); tamed is scratch. */
static sou_status md_parse_piece(const char *s, size_t n, int probe, const sou_cancel *cancel,
				 sou_buf *tamed, cmark_node **doc, sou_error *err)
{
	if (md_tame(s, n, tamed))
		return md_parse(tamed->data, tamed->len, probe, cancel, doc, err);
	return md_parse(s, n, probe, cancel, doc, err);
}

static sou_status markdown_to_text(text_out *o, const char *s, size_t n,
				   const sou_cancel *cancel, sou_error *err)
{
	md_state ms = { 0, cancel };
	sou_buf tamed = SOU_BUF_INIT;
	size_t pos = 0;
	sou_status st = SOU_OK;

	do {
		size_t end = n;
		cmark_node *doc = NULL;
		if (n - pos > SOU_TEXT_MD_WHOLE) {
			/* two tries at a good cut, then a forced one */
			size_t from[2] = { pos + SOU_TEXT_MD_PIECE,
					   pos + (SOU_TEXT_MD_PIECE + SOU_TEXT_MD_PIECE_MAX) / 2 };
			int k;
			for (k = 0; k < 2 && !doc && !st; k++) {
				end = md_next_cut(s, n, from[k]);
				if (end - pos > SOU_TEXT_MD_PIECE_MAX)
					break;
				if (!(st = md_parse_piece(s + pos, end - pos, 1, cancel, &tamed, &doc,
							  err)) && !md_take_probe(doc)) {
					cmark_node_free(doc);
					doc = NULL;
				}
			}
			if (st)
				break;
			if (!doc)
				end = md_forced_cut(s, n, pos);
		}
		if (!doc && (st = md_parse_piece(s + pos, end - pos, 0, cancel, &tamed, &doc, err)))
			break;
		st = md_walk(o, doc, &ms, err);
		cmark_node_free(doc);
		pos = end;
	} while (pos < n && !st);
	sou_buf_free(&tamed);
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
	return sou_text_from_body_cancel(body, len, fmt, NULL, out, err);
}

sou_status sou_text_from_body_cancel(const char *body, size_t len, sou_body_format fmt,
				     const sou_cancel *cancel, sou_buf *out, sou_error *err)
{
	text_out o = { out, out->len, 0, 0 };

	if (fmt == SOU_BODY_AUTO)
		fmt = looks_like_html(body, len) ? SOU_BODY_HTML : SOU_BODY_MARKDOWN;
	return fmt == SOU_BODY_HTML ? html_to_text(&o, body, len, cancel, err)
				    : markdown_to_text(&o, body, len, cancel, err);
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
