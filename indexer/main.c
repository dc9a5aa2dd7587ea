/*
 * main.c - sou-index: option parsing, output and exit statuses only; the
 * work is in libsouindex (indexer.h).
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "date.h"
#include "indexer.h"

static const char usage[] =
	"usage: sou-index [--db DIR] [--timezone ZONE] [--batch N] [--quiet|--verbose] PATH...\n"
	"\n"
	"Indexes the Jekyll posts (*.md, *.markdown, *.html) below each PATH.\n"
	"  --db DIR         index directory (default: $SOU_DB or ~/.sou/index)\n"
	"  --timezone ZONE  zone for dates without one (default +08:00)\n"
	"  --batch N        posts per commit (default 2000)\n"
	"  -q, --quiet      print only problems\n"
	"  -v, --verbose    list every post\n"
	"  -h, --help       show this help\n"
	"Exit status: 0 ok, 1 some posts failed, 2 usage, 3 index error, 75 index locked.\n";

typedef struct ui {
	int quiet, verbose, tty;
	int bar_shown;
} ui;

static void clear_bar(ui *u)
{
	if (u->bar_shown) {
		fputs("\r\033[K", stderr);
		u->bar_shown = 0;
	}
}

static void on_event(void *ctx, const sou_ix_event *ev)
{
	ui *u = ctx;

	switch (ev->kind) {
	case SOU_IX_FAILED:
		clear_bar(u);
		fprintf(stderr, "sou-index: error: %s\n", ev->message);
		break;
	case SOU_IX_SKIPPED:
		if (!u->quiet) {
			clear_bar(u);
			fprintf(stderr, "sou-index: skipped: %s\n", ev->message);
		}
		break;
	case SOU_IX_ADDED:
		if (u->verbose) {
			clear_bar(u);
			printf("added %s\n", ev->path);
		}
		break;
	case SOU_IX_PROGRESS:
		break;
	}
	if (u->tty && !u->quiet && !u->verbose && ev->done % 64 == 0) {
		fprintf(stderr, "\r\033[Kindexing: %lu files, %.1f MB", ev->done,
			(double)ev->bytes / 1e6);
		u->bar_shown = 1;
	}
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "db", required_argument, NULL, 'd' },
		{ "timezone", required_argument, NULL, 'z' },
		{ "batch", required_argument, NULL, 'b' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	sou_indexer_opts o;
	sou_indexer *ix = NULL;
	sou_index_stats stats;
	sou_error err;
	sou_buf db = SOU_BUF_INIT;
	ui u = { 0, 0, 0, 0 };
	int c, i, rc = SOU_EXIT_OK;
	sou_status st = SOU_OK;

	memset(&o, 0, sizeof(o));
	o.tz_min = SOU_DEFAULT_TZ_MIN;
	sou_cli_default_db(&db);
	while ((c = getopt_long(argc, argv, "qvh", longopts, NULL)) != -1) {
		switch (c) {
		case 'd':
			sou_buf_reset(&db);
			sou_buf_adds(&db, optarg);
			break;
		case 'z':
			if (sou_tz_parse(optarg, &o.tz_min, &err)) {
				fprintf(stderr, "sou-index: --timezone: %s\n", err.msg);
				return SOU_EXIT_USAGE;
			}
			break;
		case 'b': {
			char *end;
			long n = strtol(optarg, &end, 10);
			if (*end || n < 1 || n > 10000000) {
				fprintf(stderr, "sou-index: --batch: expected a positive number, got '%s'\n", optarg);
				return SOU_EXIT_USAGE;
			}
			o.batch = (unsigned)n;
			break;
		}
		case 'q': u.quiet = 1; break;
		case 'v': u.verbose = 1; break;
		case 'h': fputs(usage, stdout); return SOU_EXIT_OK;
		default: fputs(usage, stderr); return SOU_EXIT_USAGE;
		}
	}
	if (optind >= argc) {
		fputs("sou-index: no PATH given\n", stderr);
		fputs(usage, stderr);
		return SOU_EXIT_USAGE;
	}
	u.tty = isatty(STDERR_FILENO);
	o.db_path = db.data;
	o.on_event = on_event;
	o.ctx = &u;
	if ((st = sou_indexer_create(&o, &ix, &err))) {
		fprintf(stderr, "sou-index: %s\n", err.msg);
		sou_buf_free(&db);
		return sou_cli_exit_for(st);
	}
	for (i = optind; i < argc && !st; i++) {
		if ((st = sou_indexer_add_path(ix, argv[i], &err))) {
			clear_bar(&u);
			fprintf(stderr, "sou-index: %s\n", err.msg);
			if (st == SOU_ERR_IO) { /* an unreadable PATH: go on with the rest */
				rc = SOU_EXIT_SOME;
				st = SOU_OK;
			}
		}
	}
	if (!st)
		st = sou_indexer_finish(ix, &stats, &err);
	clear_bar(&u);
	if (st) {
		fprintf(stderr, "sou-index: %s\n", err.msg);
		rc = sou_cli_exit_for(st);
	} else {
		if (!u.quiet)
			printf("indexed %lu posts (%.1f MB), skipped %lu, failed %lu in %.2f s\n",
			       stats.added, (double)stats.bytes / 1e6, stats.skipped,
			       stats.failed, stats.seconds);
		if (stats.failed)
			rc = SOU_EXIT_SOME;
	}
	sou_indexer_destroy(ix);
	sou_buf_free(&db);
	return rc;
}
