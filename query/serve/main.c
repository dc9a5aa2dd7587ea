/*
 * main.c - sou-serve: option parsing, start-up and shutdown only; the
 * server is libsouserve (server.h).
 *
 * SIGINT and SIGTERM are blocked before the server's threads start (so
 * they inherit the mask) and taken here with sigwait(): the main thread
 * then stops the server, which lets requests in progress finish.
 *
 * Everything written to stderr goes through say(), which escapes it
 * (sou_buf_add_escaped): option values, error messages and the server's
 * log lines can hold any bytes.
 */
#include <getopt.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "date.h"
#include "server.h"

static const char usage[] =
	"usage: sou-serve [--db DIR] [--listen ADDR:PORT] [options]\n"
	"\n"
	"Serves a sou index over HTTP: GET /search?q=... (the JSON of sou-query --json),\n"
	"a search page at /, and /sou.js, a search box to drop into a site's own pages.\n"
	"  --db DIR              index directory (default: $SOU_DB or ~/.sou/index)\n"
	"  --listen ADDR:PORT    address to bind (default 127.0.0.1:8080; [::1]:PORT for IPv6;\n"
	"                        0.0.0.0:PORT for every interface; port 0 picks a free one)\n"
	"  --threads N           search threads, each with its own index reader\n"
	"                        (default: one per CPU, 2 to 16)\n"
	"  --timeout SECONDS     answer every search within this long (its results or a 503);\n"
	"                        also the timeout of remote shards (default 10)\n"
	"  --cors ORIGIN         let pages from ORIGIN (https://example.com, or *) call /search;\n"
	"                        repeatable\n"
	"  --link TEMPLATE       how result titles link (default: Jekyll's permalink\n"
	"                        '/{categories}/{year}/{month}/{day}/{slug}.html'; off: plain text)\n"
	"  --timezone ZONE       zone for date= filters (default +08:00)\n"
	"  --max-connections N   connections served at once (default 256); requests on\n"
	"                        connections beyond it get a 503\n"
	"  --max-client-connections N  connections open at once from one address (default 16;\n"
	"                        0: no cap, e.g. behind a reverse proxy)\n"
	"  --request-timeout SECONDS  time a client has to send each request in full, and to\n"
	"                        read each answer, before it is cut off (default 10)\n"
	"  --max-limit N         largest limit= (default 100)\n"
	"  --max-offset N        largest offset= (default 10000)\n"
	"  --max-query-bytes N   longest q= (default 1000)\n"
	"  --max-request-bytes N longest request line plus headers, as sent (default 16384)\n"
	"  --allow-remote-programs  let a stub's \"remote :PROGRAM\" lines start PROGRAM\n"
	"  --partial             answer from the other shards when a remote one is down or\n"
	"                        past --timeout; the JSON's \"missing_shards\" and the page\n"
	"                        name it (without: a 503)\n"
	"  --entities FILE       companies, lines of CODE NAME [ALIAS...] (as sou-query's):\n"
	"                        a name or alias also finds the posts naming the company\n"
	"  -h, --help            show this help\n"
	"Prints \"listening on http://ADDR:PORT/\" once ready; SIGINT or SIGTERM stop it.\n"
	"Exit status: 0 stopped by a signal, 2 usage error, 3 index error, 1 could not listen.\n";

static const struct option longopts[] = {
	{ "db", required_argument, NULL, 'd' },
	{ "listen", required_argument, NULL, 'l' },
	{ "threads", required_argument, NULL, 't' },
	{ "cors", required_argument, NULL, 'c' },
	{ "link", required_argument, NULL, 'k' },
	{ "timezone", required_argument, NULL, 'z' },
	{ "max-connections", required_argument, NULL, 'C' },
	{ "max-client-connections", required_argument, NULL, 'P' },
	{ "timeout", required_argument, NULL, 'T' },
	{ "request-timeout", required_argument, NULL, 'W' },
	{ "max-limit", required_argument, NULL, 'L' },
	{ "max-offset", required_argument, NULL, 'O' },
	{ "max-query-bytes", required_argument, NULL, 'Q' },
	{ "max-request-bytes", required_argument, NULL, 'R' },
	{ "allow-remote-programs", no_argument, NULL, 'A' },
	{ "partial", no_argument, NULL, 'p' },
	{ "entities", required_argument, NULL, 'e' },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 }
};

static void say(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* One line on stderr, "sou-serve: " and the message, escaped. */
static void say(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	sou_cli_vsay(stderr, "sou-serve: ", fmt, ap);
	va_end(ap);
}

static int parse_num(const char *opt, const char *s, unsigned long min, unsigned long max,
		     unsigned long *out)
{
	char *end;
	unsigned long v = 0;
	int ok = *s >= '0' && *s <= '9';

	if (ok) {
		v = strtoul(s, &end, 10);
		ok = !*end && v >= min && v <= max;
	}
	if (!ok) {
		say("%s: expected a number from %lu to %lu, got '%s'", opt, min, max, s);
		return 0;
	}
	*out = v;
	return 1;
}

/* A number of seconds, 0 < S <= 3600 (fractions allowed). */
static int parse_seconds(const char *opt, const char *s, double *out)
{
	char *end;
	double v = 0;
	int ok = (*s >= '0' && *s <= '9') || *s == '.';

	if (ok) {
		v = strtod(s, &end);
		ok = !*end && v > 0 && v <= 3600;
	}
	if (!ok) {
		say("%s: expected a number of seconds (0 < SECONDS <= 3600), got '%s'", opt, s);
		return 0;
	}
	*out = v;
	return 1;
}

/* The server's log lines (server.h: not escaped). */
static void log_line(void *ctx, const char *line)
{
	(void)ctx;
	say("%s", line);
}

int main(int argc, char **argv)
{
	sou_serve_opts o;
	sou_buf db = SOU_BUF_INIT;
	sou_strlist cors = { NULL, 0 };
	sou_server *sv = NULL;
	sou_error err;
	sou_status st;
	sigset_t sigs;
	unsigned long v;
	int opt, sig = 0, rc = SOU_EXIT_OK;

	sou_serve_opts_init(&o);
	o.log = log_line;
	sou_cli_default_db(&db);
	opterr = 0; /* our own line (escaped) instead of getopt's */
	while ((opt = getopt_long(argc, argv, ":h", longopts, NULL)) != -1) {
		switch (opt) {
		case 'd':
			sou_buf_reset(&db);
			sou_buf_adds(&db, optarg);
			break;
		case 'l':
			o.listen = optarg;
			break;
		case 'A':
			o.allow_programs = 1;
			break;
		case 'p':
			o.partial = 1;
			break;
		case 'e':
			o.entities = optarg;
			break;
		case 't':
			if (!parse_num("--threads", optarg, 1, 256, &v))
				goto usage;
			o.threads = (unsigned)v;
			break;
		case 'c':
			sou_strlist_push(&cors, optarg, strlen(optarg));
			break;
		case 'k':
			o.link = optarg;
			break;
		case 'z':
			if (sou_tz_parse(optarg, &o.tz_min, &err)) {
				say("--timezone: %s", err.msg);
				goto usage;
			}
			break;
		case 'C':
			if (!parse_num("--max-connections", optarg, 1, 100000, &v))
				goto usage;
			o.max_connections = (unsigned)v;
			break;
		case 'P':
			if (!parse_num("--max-client-connections", optarg, 0, 100000, &v))
				goto usage;
			o.max_client_connections = (unsigned)v;
			break;
		case 'T':
			if (!parse_seconds("--timeout", optarg, &o.search_timeout_s))
				goto usage;
			break;
		case 'W':
			if (!parse_seconds("--request-timeout", optarg, &o.request_timeout_s))
				goto usage;
			break;
		case 'L':
			if (!parse_num("--max-limit", optarg, 1, 100000, &v))
				goto usage;
			o.max_limit = (unsigned)v;
			break;
		case 'O':
			if (!parse_num("--max-offset", optarg, 0, 100000000, &v))
				goto usage;
			o.max_offset = (unsigned)v;
			break;
		case 'Q':
			if (!parse_num("--max-query-bytes", optarg, 1, 65536, &v))
				goto usage;
			o.max_query_bytes = v;
			break;
		case 'R':
			if (!parse_num("--max-request-bytes", optarg, 1024, 1048576, &v))
				goto usage;
			o.max_request_bytes = v;
			break;
		case 'h':
			fputs(usage, stdout);
			goto done;
		case ':':
			say("option '%s' needs a value; try sou-serve --help", argv[optind - 1]);
			goto usage;
		default: /* '?': unknown, or a value given to an option without one */
			if (optopt && optopt != '?' && !strncmp(argv[optind - 1], "--", 2))
				say("option '%s' takes no value; try sou-serve --help", argv[optind - 1]);
			else
				say("unknown option '%s'; try sou-serve --help", argv[optind - 1]);
			goto usage;
		}
	}
	if (optind < argc) {
		say("unexpected argument '%s'; try sou-serve --help", argv[optind]);
		goto usage;
	}
	o.db = db.data;
	o.cors = &cors;

	/* before any thread exists, so every thread inherits the mask */
	sigemptyset(&sigs);
	sigaddset(&sigs, SIGINT);
	sigaddset(&sigs, SIGTERM);
	pthread_sigmask(SIG_BLOCK, &sigs, NULL);
	signal(SIGPIPE, SIG_IGN);

	if ((st = sou_server_start(&o, &sv, &err))) {
		say("%s", err.msg);
		rc = st == SOU_ERR_USAGE ? SOU_EXIT_USAGE
		   : st == SOU_ERR_IO ? SOU_EXIT_SOME : sou_cli_exit_for(st);
		goto done;
	}
	printf("listening on %s\n", sou_server_url(sv));
	fflush(stdout);
	sigwait(&sigs, &sig);
	say("%s: shutting down", sig == SIGINT ? "SIGINT" : "SIGTERM");
	sou_server_destroy(sv);
	goto done;
usage:
	rc = SOU_EXIT_USAGE;
done:
	sou_buf_free(&db);
	sou_strlist_free(&cors);
	return rc;
}
