/*
 * main.c - sou-query: option parsing, output and exit statuses only; the
 * work is in libsouquery (search.h, qparse.h).
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "date.h"
#include "search.h"

static const char usage[] =
	"usage: sou-query [options] QUERY...   (a -word after the query excludes it)\n"
	"\n"
	"Searches a sou index.  QUERY syntax: words (all must match), \"a phrase\",\n"
	"a OR b, -excluded, title:x, tag:x, category:x, author:x,\n"
	"date:2022 | date:2022-03 | date:2022-01-01..2022-06-30 | date:..2021\n"
	"  --db DIR            index directory (default: $SOU_DB or ~/.sou/index)\n"
	"  --sort ORDER        relevance (default), -date (newest first), date (oldest first)\n"
	"  --limit N           hits to show (default 10)\n"
	"  --offset N          skip the first N hits\n"
	"  --json              print one JSON document\n"
	"  --recent DAYS       favour recent posts: a boost that halves every DAYS days\n"
	"  --timezone ZONE     zone for date: filters (default +08:00)\n"
	"  --color WHEN        auto (default), always, never\n"
	"  -h, --help          show this help\n"
	"Exit status: 0 hits, 1 no hits, 2 usage or malformed query, 3 index error.\n";

/*
 * Splits argv into options (moved to the front, for getopt) and query
 * words, so that "-word" exclusions need no "--": an argument is an
 * option only if it is a known long option (or -h), and the argument
 * after an option that takes one is its value.  Returns the index of the
 * first query word in the rearranged argv.
 */
static int split_args(int argc, char **argv, const struct option *opts)
{
	char **words = calloc((size_t)argc, sizeof(char *));
	int i, nopt = 1, nwords = 0, k;

	if (!words)
		return argc;
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
			for (o = opts; o->name; o++)
				if (strlen(o->name) == n && !strncmp(o->name, a + 2, n))
					break;
			if (!o->name)
				o = NULL;
		}
		if (o || !strcmp(a, "-h")) {
			argv[nopt++] = argv[i];
			if (o && o->has_arg == required_argument && !strchr(a, '=') && i + 1 < argc)
				argv[nopt++] = argv[++i];
		} else if (a[0] == '-' && a[1] == '-') {
			argv[nopt++] = argv[i]; /* unknown --option: let getopt report it */
		} else {
			words[nwords++] = argv[i];
		}
	}
	for (k = 0; k < nwords; k++)
		argv[nopt + k] = words[k];
	free(words);
	return nopt;
}

static int parse_uint(const char *opt, const char *s, unsigned max, unsigned *out)
{
	char *end;
	long v = strtol(s, &end, 10);

	if (!*s || *end || v < 0 || (unsigned long)v > max) {
		fprintf(stderr, "sou-query: %s: expected a number from 0 to %u, got '%s'\n",
			opt, max, s);
		return 0;
	}
	*out = (unsigned)v;
	return 1;
}

int main(int argc, char **argv)
{
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
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	sou_search_opts o;
	sou_searcher *s = NULL;
	sou_results *r = NULL;
	sou_error err;
	sou_buf db = SOU_BUF_INIT, query = SOU_BUF_INIT, out = SOU_BUF_INIT;
	int c, i, json = 0, color = -1, rc, nopt;
	sou_status st;

	sou_search_opts_init(&o);
	sou_cli_default_db(&db);
	nopt = split_args(argc, argv, longopts);
	while ((c = getopt_long(nopt, argv, "+h", longopts, NULL)) != -1) {
		switch (c) {
		case 'd':
			sou_buf_reset(&db);
			sou_buf_adds(&db, optarg);
			break;
		case 's':
			if (!strcmp(optarg, "relevance"))
				o.sort = SOU_SORT_RELEVANCE;
			else if (!strcmp(optarg, "-date"))
				o.sort = SOU_SORT_DATE_DESC;
			else if (!strcmp(optarg, "date"))
				o.sort = SOU_SORT_DATE_ASC;
			else {
				fprintf(stderr, "sou-query: --sort: expected relevance, date or -date, got '%s'\n", optarg);
				return SOU_EXIT_USAGE;
			}
			break;
		case 'n':
			if (!parse_uint("--limit", optarg, 100000, &o.limit))
				return SOU_EXIT_USAGE;
			break;
		case 'o':
			if (!parse_uint("--offset", optarg, 100000000, &o.offset))
				return SOU_EXIT_USAGE;
			break;
		case 'j': json = 1; break;
		case 'r': {
			char *end;
			double d = strtod(optarg, &end);
			if (*end || !(d > 0)) {
				fprintf(stderr, "sou-query: --recent: expected a positive number of days, got '%s'\n", optarg);
				return SOU_EXIT_USAGE;
			}
			o.halflife_days = d;
			o.now = (double)time(NULL);
			break;
		}
		case 'z':
			if (sou_tz_parse(optarg, &o.tz_min, &err)) {
				fprintf(stderr, "sou-query: --timezone: %s\n", err.msg);
				return SOU_EXIT_USAGE;
			}
			break;
		case 'c':
			if (!strcmp(optarg, "always"))
				color = 1;
			else if (!strcmp(optarg, "never"))
				color = 0;
			else if (!strcmp(optarg, "auto"))
				color = -1;
			else {
				fprintf(stderr, "sou-query: --color: expected auto, always or never\n");
				return SOU_EXIT_USAGE;
			}
			break;
		case 'h': fputs(usage, stdout); return SOU_EXIT_OK;
		default: fputs(usage, stderr); return SOU_EXIT_USAGE;
		}
	}
	optind = nopt;
	if (optind >= argc) {
		fputs("sou-query: no QUERY given\n", stderr);
		fputs(usage, stderr);
		return SOU_EXIT_USAGE;
	}
	for (i = optind; i < argc; i++) {
		if (i > optind)
			sou_buf_addc(&query, ' ');
		sou_buf_adds(&query, argv[i]);
	}
	if (color < 0) {
		const char *nc = getenv("NO_COLOR");
		color = isatty(STDOUT_FILENO) && !(nc && *nc);
	}
	if ((st = sou_searcher_create(db.data, &s, &err)) ||
	    (st = sou_searcher_run(s, query.data, &o, &r, &err))) {
		fprintf(stderr, "sou-query: %s\n", err.msg);
		rc = sou_cli_exit_for(st);
	} else {
		if (json)
			sou_results_json(r, query.data, &out);
		else
			sou_results_text(r, color, &out);
		fwrite(out.data, 1, out.len, stdout);
		rc = r->n ? SOU_EXIT_OK : SOU_EXIT_SOME;
	}
	sou_results_destroy(r);
	sou_searcher_destroy(s);
	sou_buf_free(&db);
	sou_buf_free(&query);
	sou_buf_free(&out);
	if (fflush(stdout) != 0)
		rc = SOU_EXIT_DB;
	return rc;
}
