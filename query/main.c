/*
 * main.c - sou-query: option parsing, output and exit statuses only; the
 * work is in libsouquery (search.h, qparse.h, analyze.h).
 *
 * Three modes: one query from the command line; --batch FILE, one query
 * (with its own options) per line, reporting in-process latency; and
 * --analyze, showing what the segmenter makes of text.
 */
#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "analyze.h"
#include "complete.h"
#include "buf.h"
#include "cli.h"
#include "date.h"
#include "qparse.h"
#include "loosen.h"
#include "search.h"

static const char usage[] =
	"usage: sou-query [options] QUERY...      (a -word after the query excludes it)\n"
	"       sou-query [options] --batch FILE  (one query with its options per line, - for stdin)\n"
	"       sou-query --analyze [--terms doc|query|original|pinyin] [TEXT...]  (stdin if no TEXT)\n"
	"       sou-query [--db DIR] [--json] [--limit N] --suggest PREFIX\n"
	"\n"
	"Searches a sou index.  QUERY syntax: words (all must match), \"a phrase\",\n"
	"a OR b, -excluded, title:x, tag:x, category:x, author:x,\n"
	"date:2022 | date:2022-03 | date:2022-01-01..2022-06-30 | date:..2021\n"
	"  --db DIR            index directory, shard set or stub file listing shards\n"
	"                      (default: $SOU_DB or ~/.sou/index)\n"
	"  --timeout SECONDS   give up on a remote shard after this long (default 10)\n"
	"  --partial           answer from the other shards when a remote one is down or\n"
	"                      exceeds --timeout, saying which is missing\n"
	"  --allow-remote-programs  let a stub's \"remote :PROGRAM\" lines start PROGRAM\n"
	"  --sort ORDER        relevance (default), -date (newest first), date (oldest first)\n"
	"  --limit N           hits to show (default 10)\n"
	"  --offset N          skip the first N hits\n"
	"  --json              print one JSON document (per query with --batch)\n"
	"  --recent DAYS       favour recent posts: a boost that halves every DAYS days\n"
	"  --timezone ZONE     zone for date: filters (default +08:00)\n"
	"  --color WHEN        auto (default), always, never\n"
	"  --batch FILE        run many queries, printing each one's latency\n"
	"  --facets LIST       counts over all matches: tag,category,month,company\n"
	"  --facet-exact N     facets are exact up to N matches (default 10000), then estimated\n"
	"  --facet-limit N     values listed per facet, most posts first (default 10)\n"
	"  --exact-total       count every match exactly (slower for large result sets)\n"
	"  --like PATH         posts related to the post PATH (QUERY, if any, filters them)\n"
	"  --snippet COLUMNS   snippet width (default 150; 0: no snippets)\n"
	"  --dict FILE         extra words for the segmenter (one per line, optional weight)\n"
	"  --synonyms FILE     lines of equivalent terms, expanded in queries\n"
	"  --entity WORD       the companies WORD stands for (a stock code, a name, its\n"
	"                      pinyin or initials): code, names and posts naming it\n"
	"  --entities FILE     companies: lines of CODE NAME [ALIAS...]; a name or\n"
	"                      alias also finds the posts naming the company's code\n"
	"  --suggest PREFIX    completions of PREFIX from titles, tags and company names,\n"
	"                      also typed by pinyin or initials (guiz, gz), with their\n"
	"                      number of posts (--limit: how many, at most 50)\n"
	"  --analyze           print the words of each line of TEXT\n"
	"  --terms doc|query|original|pinyin  with --analyze: the index terms of a\n"
	"                      document, the compiled query, the words as written\n"
	"                      (unfolded), or the words with their pinyin readings\n"
	"  -h, --help          show this help\n"
	"A query holds at most 8192 bytes and 1024 distinct index terms.\n"
	"Exit status: 0 hits, 1 no hits, 2 usage or malformed query, 3 index error.\n";

static const struct option longopts[] = {
	{ "db", required_argument, NULL, 'd' },
	{ "sort", required_argument, NULL, 's' },
	{ "limit", required_argument, NULL, 'n' },
	{ "offset", required_argument, NULL, 'o' },
	{ "json", no_argument, NULL, 'j' },
	{ "recent", required_argument, NULL, 'r' },
	{ "timezone", required_argument, NULL, 'z' },
	{ "color", required_argument, NULL, 'c' },
	{ "colour", required_argument, NULL, 'c' },
	{ "batch", required_argument, NULL, 'b' },
	{ "analyze", no_argument, NULL, 'a' },
	{ "terms", required_argument, NULL, 't' },
	{ "dict", required_argument, NULL, 'D' },
	{ "facets", required_argument, NULL, 'F' },
	{ "facet-exact", required_argument, NULL, 'E' },
	{ "facet-limit", required_argument, NULL, 'K' },
	{ "exact-total", no_argument, NULL, 'X' },
	{ "like", required_argument, NULL, 'L' },
	{ "snippet", required_argument, NULL, 'W' },
	{ "synonyms", required_argument, NULL, 'S' },
	{ "timeout", required_argument, NULL, 'T' },
	{ "allow-remote-programs", no_argument, NULL, 'P' },
	{ "partial", no_argument, NULL, 'p' },
	{ "suggest", required_argument, NULL, 'G' },
	{ "entity", required_argument, NULL, 'N' },
	{ "entities", required_argument, NULL, 'e' },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 }
};

typedef struct cli {
	sou_search_opts o;
	sou_buf db;
	sou_buf query;
	int json;
	int color;             /* -1 auto */
	unsigned width;        /* wrap results at this many columns (0: none) */
	const char *batch;
	double timeout_s;       /* --timeout: remote shards */
	int allow_programs;     /* --allow-remote-programs */
	int partial;            /* --partial */
	int analyze;
	const char *suggest;    /* --suggest PREFIX */
	const char *entity;     /* --entity WORD */
	const char *entities;   /* --entities FILE */
	int limit_set;          /* --limit was given */
	sou_analyze_mode amode;
	sou_strlist dicts;      /* --dict files, in order */
	sou_strlist synonyms;   /* --synonyms files */
	sou_strlist facets;     /* --facets names */
} cli;

/* The --batch line being run (0 outside a batch), named in messages. */
static size_t batch_line;

/*
 * Prints "sou-query: MESSAGE" on stderr, prefixed with the --batch line
 * if any.  The message may hold a query, a file name or text from the
 * index, so it is escaped (buf.h): nothing a post or a user typed can
 * move the terminal's cursor or split the line.
 */
static void say(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void say(const char *fmt, ...)
{
	char prefix[64];
	va_list ap;

	if (batch_line)
		snprintf(prefix, sizeof(prefix), "sou-query: --batch line %zu: ", batch_line);
	else
		snprintf(prefix, sizeof(prefix), "sou-query: ");
	va_start(ap, fmt);
	sou_cli_vsay(stderr, prefix, fmt, ap);
	va_end(ap);
}

/*
 * Splits argv into options (moved to the front, for getopt) and query
 * words, so that "-word" exclusions need no "--": an argument is an
 * option only if it is a known long option (or -h), and the argument
 * after an option that takes one is its value; "--" ends the options and
 * is dropped.  Returns the number of option arguments (argv[0]
 * included); the words follow them, up to *nargs (the new argument
 * count, one less than argc when "--" was dropped).
 */
static int split_args(int argc, char **argv, int *nargs)
{
	char **words = sou_xcalloc((size_t)argc + 1, sizeof(char *));
	int i, nopt = 1, nwords = 0, k;

	for (i = 1; i < argc; i++) {
		const char *a = argv[i];
		const struct option *o = NULL;

		if (!strcmp(a, "--")) {
			for (i++; i < argc; i++)
				words[nwords++] = argv[i];
			break;
		}
		if (!strncmp(a, "--", 2)) {
			size_t n = strcspn(a + 2, "=");
			for (o = longopts; o->name; o++)
				if (strlen(o->name) == n && !strncmp(o->name, a + 2, n))
					break;
			if (!o->name)
				o = NULL;
		}
		if (o || !strcmp(a, "-h")) {
			argv[nopt++] = argv[i];
			if (o && o->has_arg == required_argument && !strchr(a, '=') && i + 1 < argc)
				argv[nopt++] = argv[++i];
		} else if (a[0] == '-' && a[1] == '-' && a[2]) {
			argv[nopt++] = argv[i]; /* unknown --option: getopt reports it */
		} else {
			words[nwords++] = argv[i];
		}
	}
	for (k = 0; k < nwords; k++)
		argv[nopt + k] = words[k];
	*nargs = nopt + nwords;
	free(words);
	return nopt;
}

static int parse_uint(const char *opt, const char *s, unsigned max, unsigned *out)
{
	char *end;
	long v = strtol(s, &end, 10);

	if (!*s || *end || v < 0 || (unsigned long)v > max) {
		say("%s: expected a number from 0 to %u, got '%s'", opt, max, s);
		return 0;
	}
	*out = (unsigned)v;
	return 1;
}

/*
 * Parses options and the query words of argv into c.  in_batch: a line
 * of a --batch file, where only per-query options are allowed.  Returns
 * -1 to go on, or an exit status.
 */
static int parse_args(cli *c, int argc, char **argv, int in_batch)
{
	sou_error err;
	int opt, nargs, nopt = split_args(argc, argv, &nargs), i;

	optind = 0; /* glibc: full re-initialisation, for batch lines */
	opterr = 0; /* one line of ours instead of getopt's and the usage */
	int idx = 0;

	while ((opt = getopt_long(nopt, argv, "+:h", longopts, &idx)) != -1) {
		if (in_batch && (opt == 'd' || opt == 'b' || opt == 'a' || opt == 't' || opt == 'T' ||
				 opt == 'D' || opt == 'S' || opt == 'P' || opt == 'p' || opt == 'G' ||
				 opt == 'N' || opt == 'e')) {
			say("option --%s is not allowed inside the file", longopts[idx].name);
			return SOU_EXIT_USAGE;
		}
		switch (opt) {
		case 'd':
			sou_buf_reset(&c->db);
			sou_buf_adds(&c->db, optarg);
			break;
		case 's':
			if (!strcmp(optarg, "relevance"))
				c->o.sort = SOU_SORT_RELEVANCE;
			else if (!strcmp(optarg, "-date"))
				c->o.sort = SOU_SORT_DATE_DESC;
			else if (!strcmp(optarg, "date"))
				c->o.sort = SOU_SORT_DATE_ASC;
			else {
				say("--sort: expected relevance, date or -date, got '%s'", optarg);
				return SOU_EXIT_USAGE;
			}
			break;
		case 'n':
			if (!parse_uint("--limit", optarg, 100000, &c->o.limit))
				return SOU_EXIT_USAGE;
			c->limit_set = 1;
			break;
		case 'G':
			c->suggest = optarg;
			break;
		case 'N':
			c->entity = optarg;
			break;
		case 'e':
			c->entities = optarg;
			break;
		case 'o':
			if (!parse_uint("--offset", optarg, 100000000, &c->o.offset))
				return SOU_EXIT_USAGE;
			break;
		case 'j':
			c->json = 1;
			break;
		case 'r': {
			char *end;
			double d = strtod(optarg, &end);
			if (*end || !(d > 0)) {
				say("--recent: expected a positive number of days, got '%s'", optarg);
				return SOU_EXIT_USAGE;
			}
			c->o.halflife_days = d;
			c->o.now = (double)time(NULL);
			break;
		}
		case 'T': {
			char *end;
			double d = strtod(optarg, &end);
			if (*end || !(d > 0) || d > 3600) {
				say("--timeout: expected a number of seconds (0 < SECONDS <= 3600), got '%s'",
				    optarg);
				return SOU_EXIT_USAGE;
			}
			c->timeout_s = d;
			break;
		}
		case 'P':
			c->allow_programs = 1;
			break;
		case 'p':
			c->partial = 1;
			break;
		case 'z':
			if (sou_tz_parse(optarg, &c->o.tz_min, &err)) {
				say("--timezone: %s", err.msg);
				return SOU_EXIT_USAGE;
			}
			break;
		case 'c':
			if (!strcmp(optarg, "always"))
				c->color = 1;
			else if (!strcmp(optarg, "never"))
				c->color = 0;
			else if (!strcmp(optarg, "auto"))
				c->color = -1;
			else {
				say("--color: expected auto, always or never, got '%s'", optarg);
				return SOU_EXIT_USAGE;
			}
			break;
		case 'b':
			c->batch = optarg;
			break;
		case 'D':
			sou_strlist_push(&c->dicts, optarg, strlen(optarg));
			break;
		case 'F': {
			const char *p = optarg;
			while (*p) {
				size_t n = strcspn(p, ",");
				if (n)
					sou_strlist_push(&c->facets, p, n);
				p += n + (p[n] == ',');
			}
			c->o.facets = &c->facets;
			break;
		}
		case 'E':
			if (!parse_uint("--facet-exact", optarg, 100000000, &c->o.facet_exact))
				return SOU_EXIT_USAGE;
			break;
		case 'K':
			if (!parse_uint("--facet-limit", optarg, SOU_FACET_LIMIT_MAX, &c->o.facet_top))
				return SOU_EXIT_USAGE;
			if (!c->o.facet_top) {
				say("--facet-limit: expected a number from 1 to %d, got '%s'",
				    SOU_FACET_LIMIT_MAX, optarg);
				return SOU_EXIT_USAGE;
			}
			break;
		case 'X':
			c->o.exact_total = 1;
			break;
		case 'L':
			c->o.like = optarg;
			break;
		case 'W': {
			unsigned w;
			if (!parse_uint("--snippet", optarg, 100000, &w))
				return SOU_EXIT_USAGE;
			c->o.snippet_cols = w;
			break;
		}
		case 'S':
			sou_strlist_push(&c->synonyms, optarg, strlen(optarg));
			break;
		case 'a':
			c->analyze = 1;
			break;
		case 't':
			if (!strcmp(optarg, "doc"))
				c->amode = SOU_ANALYZE_DOC_TERMS;
			else if (!strcmp(optarg, "query"))
				c->amode = SOU_ANALYZE_QUERY;
			else if (!strcmp(optarg, "original"))
				c->amode = SOU_ANALYZE_ORIGINAL;
			else if (!strcmp(optarg, "pinyin"))
				c->amode = SOU_ANALYZE_PINYIN;
			else {
				say("--terms: expected doc, query, original or pinyin, got '%s'", optarg);
				return SOU_EXIT_USAGE;
			}
			break;
		case 'h':
			fputs(usage, stdout);
			return SOU_EXIT_OK;
		case ':':
			say("option '%s' needs a value; try sou-query --help", argv[optind - 1]);
			return SOU_EXIT_USAGE;
		default: /* '?': unknown, or a value given to an option without one */
			if (optopt && optopt != '?' && optind > 0 && !strncmp(argv[optind - 1], "--", 2))
				say("option '%s' takes no value; try sou-query --help", argv[optind - 1]);
			else
				say("unknown option '%s'; try sou-query --help",
				    optind > 0 ? argv[optind - 1] : "?");
			return SOU_EXIT_USAGE;
		}
	}
	sou_buf_reset(&c->query);
	for (i = nopt; i < nargs; i++) {
		if (i > nopt)
			sou_buf_addc(&c->query, ' ');
		sou_buf_adds(&c->query, argv[i]);
	}
	return -1;
}

static double now_ms(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec * 1e3 + (double)t.tv_nsec / 1e6;
}

/* Runs c->query and prints it; returns the exit status for this query. */
static int run_query(cli *c, sou_searcher *s, sou_buf *out, int batch)
{
	sou_results *r = NULL;
	sou_error err;
	sou_status st;
	double t0 = now_ms(), ms;
	int rc;

	st = sou_searcher_run(s, c->query.data ? c->query.data : "", &c->o, &r, &err);
	/* nothing found: offer a nearby query that finds posts (loosen.h) */
	if (!st && !batch && !r->estimated && !c->o.like)
		st = sou_loosen_results(s, c->query.data ? c->query.data : "", &c->o, r, &err);
	if (!st) {
		if (c->json)
			sou_results_json(r, c->query.data, batch, out);
		else
			sou_results_text(r, c->color, c->width, out);
	}
	ms = now_ms() - t0;
	/* a partial answer is an answer (exit 0 with hits), and stderr says
	 * what it lacks, for scripts that read only stdout */
	for (size_t k = 0; !st && k < r->missing.n; k++)
		say("partial answer: %s is missing: %s", r->missing.v[k], r->missing_why.v[k]);
	if (st) {
		say("%s", err.msg);
		if (batch)
			printf(c->json ? "{\"query\": \"(error)\", \"error\": 1}\n" : "## error\n\n");
		if (batch)
			fflush(stdout); /* each answer as it is made (a pipe reader waits for it) */
		return sou_cli_exit_for(st);
	}
	if (batch && c->json) {
		/* one line per query: the latency, then the compact document */
		printf("{\"latency_ms\":%.3f,\"result\":%.*s}\n", ms,
		       (int)(out->len ? out->len - 1 : 0), out->data ? out->data : "");
	} else if (batch) {
		sou_buf head = SOU_BUF_INIT;
		sou_buf_adds(&head, "## ");
		sou_buf_add_escaped(&head, c->query.data ? c->query.data : "", c->query.len);
		sou_buf_addf(&head, "  (%lu result%s, %.3f ms)\n", r->estimated,
			     r->estimated == 1 ? "" : "s", ms);
		fwrite(head.data, 1, head.len, stdout);
		sou_buf_free(&head);
		fwrite(out->data, 1, out->len, stdout);
		putchar('\n');
	} else {
		fwrite(out->data, 1, out->len, stdout);
	}
	if (batch)
		fflush(stdout); /* each answer as it is made (a pipe reader waits for it) */
	/* --limit 0 asks for a count: found is found */
	rc = r->n || (!c->o.limit && r->estimated) ? SOU_EXIT_OK : SOU_EXIT_SOME;
	sou_results_destroy(r);
	return rc;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/*
 * --batch: every line is "[options] QUERY"; blank lines and lines whose
 * first word starts with '#' are skipped.  Each line starts from the
 * global options; a --facets on a line replaces the global list for that
 * line.  A line that cannot run (a bad option, a NUL byte, a malformed
 * query) is reported with its number and the batch goes on.
 */
static int run_batch(cli *base, sou_searcher *s)
{
	FILE *f = strcmp(base->batch, "-") ? fopen(base->batch, "r") : stdin;
	char *line = NULL;
	size_t cap = 0, n = 0, ncap = 0, lineno = 0;
	ssize_t len;
	double *lat = NULL, total = 0;
	int worst = SOU_EXIT_OK, any_hits = 0;
	sou_buf out = SOU_BUF_INIT;

	if (!f) {
		say("--batch: cannot open %s: %s", base->batch, strerror(errno));
		return SOU_EXIT_USAGE;
	}
	while ((len = getline(&line, &cap, f)) >= 0) {
		sou_strlist words = { NULL, 0 };
		cli c = *base;
		char **argv;
		size_t i;
		int rc;
		double t0;

		lineno++;
		batch_line = lineno;
		/* the owned lists are the base's: a line gets its own facets */
		memset(&c.facets, 0, sizeof(c.facets));
		while (len > 0 && (line[len - 1] == '\n' || line[len - 1] == '\r'))
			line[--len] = '\0';
		if (memchr(line, '\0', (size_t)len)) {
			say("the line holds a NUL byte; skipped");
			worst = worst > SOU_EXIT_USAGE ? worst : SOU_EXIT_USAGE;
			continue;
		}
		sou_query_split_line(line, &words);
		if (!words.n || words.v[0][0] == '#') {
			sou_strlist_free(&words);
			continue;
		}
		argv = sou_xcalloc(words.n + 2, sizeof(char *));
		argv[0] = "sou-query";
		for (i = 0; i < words.n; i++)
			argv[i + 1] = words.v[i];
		sou_buf_init(&c.query);
		rc = parse_args(&c, (int)words.n + 1, argv, 1);
		if (rc < 0 && !c.query.len && !c.o.like) {
			say("no QUERY on the line");
			rc = SOU_EXIT_USAGE;
		} else if (rc < 0) {
			t0 = now_ms();
			rc = run_query(&c, s, &out, 1);
			SOU_ARRAY_GROW(lat, ncap, n + 1);
			lat[n] = now_ms() - t0;
			total += lat[n++];
		}
		if (rc == SOU_EXIT_OK)
			any_hits = 1;
		else if (rc != SOU_EXIT_SOME && rc > worst)
			worst = rc;
		sou_buf_free(&c.query);
		sou_strlist_free(&c.facets);
		free(argv);
		sou_strlist_free(&words);
	}
	batch_line = 0;
	if (f != stdin)
		fclose(f);
	free(line);
	sou_buf_free(&out);
	if (n) {
		qsort(lat, n, sizeof(double), cmp_double);
		fprintf(stderr, "sou-query: %zu quer%s, latency ms: median %.3f, p95 %.3f, p99 %.3f, mean %.3f\n",
			n, n == 1 ? "y" : "ies", lat[(n - 1) / 2], lat[(size_t)((double)(n - 1) * 0.95)],
			lat[(size_t)((double)(n - 1) * 0.99)], total / (double)n);
	}
	free(lat);
	if (worst != SOU_EXIT_OK)
		return worst;
	return any_hits ? SOU_EXIT_OK : SOU_EXIT_SOME;
}

/* --analyze: each argument, or each line of stdin, gives one output line. */
static int run_analyze(cli *c)
{
	sou_termgen *tg = NULL;
	sou_error err;
	sou_buf out = SOU_BUF_INIT;
	int rc = SOU_EXIT_OK;
	char *line = NULL;
	size_t cap = 0;
	ssize_t len;

	if (sou_termgen_create(&tg, &err) ||
	    sou_termgen_configure(tg, &c->dicts, &c->synonyms, &err)) {
		say("%s", err.msg);
		sou_termgen_destroy(tg);
		return err.code == SOU_ERR_INTERNAL ? SOU_EXIT_DB : SOU_EXIT_USAGE;
	}
	if (c->query.len) {
		sou_buf_reset(&out);
		if (sou_analyze_line(tg, c->amode, c->query.data, c->query.len, c->o.tz_min,
				     &out, &err)) {
			say("%s", err.msg);
			rc = sou_cli_exit_for(err.code);
		} else {
			printf("%s\n", out.data ? out.data : "");
		}
	} else {
		while ((len = getline(&line, &cap, stdin)) >= 0) {
			while (len > 0 && (line[len - 1] == '\n' || line[len - 1] == '\r'))
				line[--len] = '\0';
			sou_buf_reset(&out);
			if (sou_analyze_line(tg, c->amode, line, (size_t)len, c->o.tz_min, &out, &err)) {
				say("%s", err.msg);
				rc = sou_cli_exit_for(err.code);
				putchar('\n');
				continue;
			}
			fwrite(out.data ? out.data : "", 1, out.len, stdout);
			putchar('\n');
		}
		free(line);
	}
	sou_buf_free(&out);
	sou_termgen_destroy(tg);
	return rc;
}

/* --suggest PREFIX: its completions; exit 0 with some, 1 with none. */
static int run_suggest(cli *c, sou_searcher *s, sou_buf *out)
{
	sou_completions comp;
	sou_error err;

	memset(&comp, 0, sizeof(comp));
	if (sou_complete(s, c->suggest, strlen(c->suggest), c->limit_set ? c->o.limit : 10,
			 &comp, &err)) {
		say("%s", err.msg);
		return sou_cli_exit_for(err.code);
	}
	if (c->json)
		sou_complete_json(c->suggest, &comp, 0, out);
	else
		sou_complete_text(&comp, out);
	fwrite(out->data ? out->data : "", 1, out->len, stdout);
	{
		int rc = comp.n ? SOU_EXIT_OK : SOU_EXIT_SOME;
		sou_completions_clear(&comp);
		return rc;
	}
}

int main(int argc, char **argv)
{
	cli c;
	sou_searcher *s = NULL;
	sou_error err;
	sou_buf out = SOU_BUF_INIT;
	sou_xdb_reader_opts ro;
	int rc;

	memset(&c, 0, sizeof(c));
	sou_search_opts_init(&c.o);
	c.color = -1;
	sou_cli_default_db(&c.db);
	if ((rc = parse_args(&c, argc, argv, 0)) >= 0)
		goto done;
	if (c.analyze) {
		rc = run_analyze(&c);
		goto done;
	}
	if ((c.suggest || c.entity) && (c.batch || c.query.len || c.o.like ||
					 (c.suggest && c.entity))) {
		say("--suggest and --entity take their word alone (no QUERY, --batch or --like)");
		rc = SOU_EXIT_USAGE;
		goto done;
	}
	if (!c.batch && !c.query.len && !c.o.like && !c.suggest && !c.entity) {
		say("no QUERY given; try sou-query --help");
		rc = SOU_EXIT_USAGE;
		goto done;
	}
	if (c.color < 0) {
		const char *nc = getenv("NO_COLOR");
		c.color = isatty(STDOUT_FILENO) && !(nc && *nc);
	}
	c.width = sou_cli_term_width(STDOUT_FILENO);
	if (sou_cli_read_config(c.db.data, &c.dicts, &c.synonyms, &err)) {
		say("%s", err.msg);
		rc = SOU_EXIT_USAGE;
		goto done;
	}
	memset(&ro, 0, sizeof(ro));
	ro.timeout_s = c.timeout_s;
	ro.flags = (c.allow_programs ? SOU_XDB_ALLOW_PROGRAMS : 0) |
		   (c.partial ? SOU_XDB_PARTIAL : 0);
	if (sou_searcher_open_opts(c.db.data, &ro, &s, &err)) {
		say("%s", err.msg);
		rc = sou_cli_exit_for(err.code);
		goto done;
	}
	if (sou_termgen_configure(sou_searcher_termgen(s), &c.dicts, &c.synonyms, &err)) {
		/* a bad dictionary or synonym file is a usage problem */
		err.code = err.code == SOU_ERR_INTERNAL ? err.code : SOU_ERR_USAGE;
		say("%s", err.msg);
		rc = sou_cli_exit_for(err.code);
		goto done;
	}
	if (c.entities && sou_searcher_set_entities(s, c.entities, &err)) {
		say("%s", err.msg);
		rc = SOU_EXIT_USAGE;
		goto done;
	}
	if (c.entity) {
		size_t n = 0;
		if (sou_complete_entity(s, c.entity, c.json, &out, &n, &err)) {
			say("%s", err.msg);
			rc = sou_cli_exit_for(err.code);
		} else {
			fwrite(out.data ? out.data : "", 1, out.len, stdout);
			rc = n ? SOU_EXIT_OK : SOU_EXIT_SOME;
		}
	} else if (c.suggest)
		rc = run_suggest(&c, s, &out);
	else
		rc = c.batch ? run_batch(&c, s) : run_query(&c, s, &out, 0);
done:
	sou_searcher_destroy(s);
	sou_buf_free(&c.db);
	sou_buf_free(&c.query);
	sou_buf_free(&out);
	sou_strlist_free(&c.dicts);
	sou_strlist_free(&c.synonyms);
	sou_strlist_free(&c.facets);
	if (fflush(stdout) != 0 && rc == SOU_EXIT_OK)
		rc = SOU_EXIT_DB;
	return rc;
}
