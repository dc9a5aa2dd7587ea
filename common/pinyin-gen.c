/*
 * pinyin-gen.c - build-time generator of sou's pinyin table (pinyin.h).
 *
 *   sou-pinyin-gen DICT OUT.c
 *
 * reads a Rime dictionary (Debian's rime-data-luna-pinyin:
 * luna_pinyin.dict.yaml; a YAML header ended by a line "...", then rows
 * "word<TAB>reading[<TAB>weight]" with readings as space-separated
 * toneless syllables and weights as "12.5%" on single characters only)
 * and writes a C file with the table pinyin.c looks words up in.
 *
 * Keys are folded with sou's own fold (sou_segmenter_fold: NFKC_Casefold
 * and Traditional->Simplified), so they match the folded text of posts
 * and queries exactly; the dictionary's keys are traditional characters.
 * Several keys can fold to one (乾, 幹 and 干 all fold to 干):
 *   - a word (two or more characters) keeps the first reading met, the
 *     file's own order being its preference (sort: by_weight);
 *   - a character sums the weights of each reading over all its source
 *     rows (a row without a weight counts 100% split over its key's
 *     rows), so 干 reads gan, not qian.
 * The table is built here and not at run time so that sou needs no data
 * file once built and never reads the dictionary while indexing.
 *
 * Output (see pinyin_table.h): the records "key\0readings\0", sorted by
 * key in byte order, and their offsets, for a binary search; a word's
 * readings are its one reading ("yin hang"), a character's are its
 * readings by falling weight separated by '|' ("xing|hang").  Then the
 * syllables seen in any reading that have a vowel, sorted.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "error.h"
#include "segment.h"

typedef struct reading {
	char *syl;       /* the reading, as in the file */
	double weight;
	unsigned long in_words;  /* times the character reads so in words */
	size_t order;            /* first seen as the key's order-th reading */
	double score;            /* the order of a character's readings (main) */
} reading;

typedef struct entry {
	char *key;       /* folded */
	int is_char;     /* one code point */
	reading *r;
	size_t nr, cap;
} entry;

static entry *entries;
static size_t nentries, entries_cap;
static char **syls;
static size_t nsyls, syls_cap;

static int cmp_entry(const void *a, const void *b)
{
	return strcmp(((const entry *)a)->key, ((const entry *)b)->key);
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int cmp_reading(const void *a, const void *b)
{
	const reading *x = a, *y = b;

	if (x->score != y->score)
		return (x->score < y->score) - (x->score > y->score);
	return (x->order > y->order) - (x->order < y->order);
}

/* 1 if s is syllables of a-z separated by single spaces. */
static int good_reading(const char *s)
{
	int at_start = 1;

	if (!*s)
		return 0;
	for (; *s; s++) {
		if (*s == ' ') {
			if (at_start)
				return 0;
			at_start = 1;
		} else if (*s >= 'a' && *s <= 'z') {
			at_start = 0;
		} else {
			return 0;
		}
	}
	return !at_start;
}

static size_t chars_of(const char *s)
{
	size_t n = 0;

	for (; *s; s++)
		n += ((unsigned char)*s & 0xC0) != 0x80;
	return n;
}

static void note_syllables(const char *r)
{
	while (*r) {
		const char *e = strchr(r, ' ');
		size_t n = e ? (size_t)(e - r) : strlen(r);
		if (strcspn(r, "aeiouv") < n) { /* m, n, ng, hm, hng: interjections */
			SOU_ARRAY_GROW(syls, syls_cap, nsyls + 1);
			syls[nsyls++] = sou_xstrndup(r, n);
		}
		r += n;
		while (*r == ' ')
			r++;
	}
}

/* A raw row, before folding merges keys. */
typedef struct row {
	char *key, *reading;
	double weight;   /* < 0: none given */
} row;

static const row *sorted_rows;

/* Row indices by folded key, then by place in the file. */
static int cmp_row(const void *a, const void *b)
{
	size_t x = *(const size_t *)a, y = *(const size_t *)b;
	int c = strcmp(sorted_rows[x].key, sorted_rows[y].key);

	return c ? c : (x > y) - (x < y);
}

int main(int argc, char **argv)
{
	FILE *in, *out;
	char line[4096];
	int body = 0;
	unsigned long lineno = 0;
	row *rows = NULL;
	size_t nrows = 0, rows_cap = 0, i, j, k;
	sou_segmenter *seg = NULL;
	sou_error err;
	sou_buf folded = SOU_BUF_INIT;
	size_t off = 0;

	if (argc != 3) {
		fprintf(stderr, "usage: sou-pinyin-gen DICT OUT.c\n");
		return 2;
	}
	if (!(in = fopen(argv[1], "r"))) {
		perror(argv[1]);
		return 1;
	}
	if (sou_segmenter_create(&seg, &err)) {
		fprintf(stderr, "sou-pinyin-gen: %s\n", err.msg);
		return 1;
	}
	while (fgets(line, sizeof(line), in)) {
		char *f[3], *p = line;
		size_t nf = 0, n = strlen(line);

		lineno++;
		while (n && (line[n - 1] == '\n' || line[n - 1] == '\r'))
			line[--n] = '\0';
		if (!body) {
			body = !strcmp(line, "...");
			continue;
		}
		if (!*line || *line == '#')
			continue;
		while (nf < 3) {
			f[nf++] = p;
			if (!(p = strchr(p, '\t')))
				break;
			*p++ = '\0';
		}
		if (nf < 2 || !*f[0] || !good_reading(f[1]))
			continue; /* not a reading row (the dictionary has a few) */
		SOU_ARRAY_GROW(rows, rows_cap, nrows + 1);
		rows[nrows].key = sou_xstrdup(f[0]);
		rows[nrows].reading = sou_xstrdup(f[1]);
		rows[nrows].weight = nf == 3 && *f[2] ? strtod(f[2], NULL) : -1;
		nrows++;
	}
	fclose(in);
	if (!body || nrows < 1000) {
		fprintf(stderr, "sou-pinyin-gen: %s: not a Rime dictionary (%zu rows after %lu lines)\n",
			argv[1], nrows, lineno);
		return 1;
	}
	/* rows without a weight: 100% shared among their key's rows (rows of
	 * one key are adjacent in the file) */
	for (i = 0; i < nrows; i = j) {
		for (j = i + 1; j < nrows && !strcmp(rows[j].key, rows[i].key); j++)
			;
		for (k = i; k < j; k++)
			if (rows[k].weight < 0)
				rows[k].weight = 100.0 / (double)(j - i);
	}
	/* fold and merge; rows are found by key through a sorted copy */
	for (i = 0; i < nrows; i++) {
		if (sou_segmenter_fold(seg, rows[i].key, strlen(rows[i].key), &folded, &err)) {
			fprintf(stderr, "sou-pinyin-gen: %s\n", err.msg);
			return 1;
		}
		free(rows[i].key);
		rows[i].key = sou_xstrdup(folded.data ? folded.data : "");
		note_syllables(rows[i].reading);
	}
	{
		/* group rows by folded key, keeping file order inside a key */
		size_t *ord = sou_xcalloc(nrows, sizeof(*ord));
		for (i = 0; i < nrows; i++)
			ord[i] = i;
		sorted_rows = rows;
		qsort(ord, nrows, sizeof(*ord), cmp_row);
		for (i = 0; i < nrows; i = j) {
			entry *e;
			const char *key = rows[ord[i]].key;
			for (j = i + 1; j < nrows && !strcmp(rows[ord[j]].key, key); j++)
				;
			if (!*key)
				continue;
			SOU_ARRAY_GROW(entries, entries_cap, nentries + 1);
			e = &entries[nentries++];
			memset(e, 0, sizeof(*e));
			e->key = sou_xstrdup(key);
			e->is_char = chars_of(key) == 1;
			for (k = i; k < j; k++) {
				const row *r = &rows[ord[k]];
				size_t m;
				if (!e->is_char && e->nr)
					break; /* a word: its first reading */
				if (e->is_char && strchr(r->reading, ' '))
					continue; /* a character read as two syllables: a fold oddity */
				for (m = 0; m < e->nr && strcmp(e->r[m].syl, r->reading); m++)
					;
				if (m == e->nr) {
					SOU_ARRAY_GROW(e->r, e->cap, e->nr + 1);
					e->r[e->nr].syl = r->reading;
					e->r[e->nr].in_words = 0;
					e->r[e->nr].order = e->nr;
					e->r[e->nr++].weight = 0;
				}
				e->r[m].weight += r->weight;
			}
			if (!e->nr) {
				free(e->key);
				free(e->r);
				nentries--;
				continue;
			}
			/* stable enough: equal weights keep file order (insertion) */
			for (k = 1; k < e->nr; k++) {
				reading t = e->r[k];
				size_t m = k;
				while (m > 0 && cmp_reading(&e->r[m - 1], &t) > 0) {
					e->r[m] = e->r[m - 1];
					m--;
				}
				e->r[m] = t;
			}
		}
		free(ord);
	}
	qsort(entries, nentries, sizeof(*entries), cmp_entry);
	qsort(syls, nsyls, sizeof(*syls), cmp_str);
	/*
	 * A character's readings are ordered by their share of its weight
	 * plus their share of its readings in the table's words: weights
	 * alone mislead where several traditional characters fold into one
	 * (叶 xie 100% and 葉 ye 99% both fold to 叶, which words read ye:
	 * 叶子, 树叶).  A reading of weight 0 is dropped where another has
	 * some: Rime never proposes it alone.
	 */
	for (i = 0; i < nentries; i++) {
		const char *w = entries[i].key, *r = entries[i].r[0].syl;
		if (entries[i].is_char)
			continue;
		while (*w && *r) {
			const unsigned char c = (unsigned char)*w;
			size_t cl = c < 0x80 ? 1 : c < 0xE0 ? 2 : c < 0xF0 ? 3 : 4, sl = strcspn(r, " ");
			char ch[5];
			entry key, *e;
			memcpy(ch, w, cl);
			ch[cl] = '\0';
			key.key = ch;
			e = bsearch(&key, entries, nentries, sizeof(*entries), cmp_entry);
			for (k = 0; e && k < e->nr; k++)
				if (strlen(e->r[k].syl) == sl && !memcmp(e->r[k].syl, r, sl))
					e->r[k].in_words++;
			w += cl;
			r += sl;
			while (*r == ' ')
				r++;
		}
	}
	for (i = 0; i < nentries; i++) {
		entry *e = &entries[i];
		double w = 0, iw = 0;
		if (!e->is_char)
			continue;
		for (k = 0; k < e->nr; k++) {
			w += e->r[k].weight;
			iw += (double)e->r[k].in_words;
		}
		for (k = 0; k < e->nr; k++)
			e->r[k].score = (w > 0 ? e->r[k].weight / w : 0) +
					(iw > 0 ? (double)e->r[k].in_words / iw : 0);
		qsort(e->r, e->nr, sizeof(*e->r), cmp_reading);
		while (e->nr > 1 && e->r[e->nr - 1].weight <= 0)
			e->nr--;
	}
	for (i = j = 0; i < nsyls; i++)
		if (!j || strcmp(syls[j - 1], syls[i]))
			syls[j++] = syls[i];
		else
			free(syls[i]);
	nsyls = j;

	if (!(out = fopen(argv[2], "w"))) {
		perror(argv[2]);
		return 1;
	}
	fprintf(out, "/*\n * Generated by sou-pinyin-gen from %s; do not edit.\n"
		" * The pinyin table of pinyin_table.h: %zu keys, %zu syllables.\n */\n"
		"#include \"pinyin_table.h\"\n\n", argv[1], nentries, nsyls);
	fprintf(out, "const char sou_pinyin_text[] =\n");
	for (i = 0; i < nentries; i++) {
		const unsigned char *s = (const unsigned char *)entries[i].key;
		fputs("\t\"", out);
		for (; *s; s++)
			fprintf(out, "\\%03o", *s); /* octal: no digit can follow and extend it */
		fputs("\\0", out);
		for (k = 0; k < entries[i].nr; k++)
			fprintf(out, "%s%s", k ? "|" : "", entries[i].r[k].syl);
		fputs("\\0\"\n", out);
	}
	fprintf(out, "\t;\n\nconst unsigned sou_pinyin_offsets[] = {\n");
	for (i = 0; i < nentries; i++) {
		fprintf(out, "%s%zu,", i % 10 ? " " : "\t", off);
		off += strlen(entries[i].key) + 1;
		for (k = 0; k < entries[i].nr; k++)
			off += strlen(entries[i].r[k].syl) + (k ? 1 : 0);
		off++;
		if (i % 10 == 9 || i + 1 == nentries)
			fputc('\n', out);
	}
	fprintf(out, "};\n\nconst size_t sou_pinyin_count = %zu;\n\n", nentries);
	fprintf(out, "const char *const sou_pinyin_syllables[] = {\n");
	for (i = 0; i < nsyls; i++)
		fprintf(out, "%s\"%s\",%s", i % 10 ? " " : "\t", syls[i],
			i % 10 == 9 || i + 1 == nsyls ? "\n" : "");
	fprintf(out, "};\n\nconst size_t sou_pinyin_nsyllables = %zu;\n", nsyls);
	if (fclose(out)) {
		perror(argv[2]);
		return 1;
	}
	/* everything freed, so that sanitizer builds run this cleanly */
	for (i = 0; i < nentries; i++) {
		free(entries[i].key);
		free(entries[i].r);
	}
	free(entries);
	for (i = 0; i < nrows; i++) {
		free(rows[i].key);
		free(rows[i].reading);
	}
	free(rows);
	for (i = 0; i < nsyls; i++)
		free(syls[i]);
	free(syls);
	sou_segmenter_destroy(seg);
	sou_buf_free(&folded);
	return 0;
}
