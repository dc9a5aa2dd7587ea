/*
 * main.c - sou-index: option parsing, output, signals and exit statuses
 * only; the work is in libsouindex (indexer.h).
 *
 * Progress: when stderr is a terminal (and neither -q nor -v), one line
 * on stderr is redrawn in place ("\r", then ESC [K to clear the rest):
 * the phase (walk, index, merge, publish: indexer.h), files done of the
 * total the library counted first (opts.count_files), posts/s and ETA,
 * or the seconds a merge or commit has taken.  Events only update the
 * counts; a ticker thread draws the line at most 10 times a second, so
 * it moves on even while the library is inside a merge that sends no
 * events for seconds.  At the end the line is drawn once more with the
 * final counts and left on the screen.  Without a terminal nothing of
 * this is printed and no extra walk is made.
 */
#include <getopt.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "check.h"
#include "cli.h"
#include "date.h"
#include "genlock.h"
#include "indexer.h"

static const char usage[] =
	"usage: sou-index [options] PATH...\n"
	"       sou-index [--db DIR] --status\n"
	"       sou-index [--db DIR] [--wait SECONDS] --check\n"
	"\n"
	"Brings the index up to date with the Jekyll posts (*.md, *.markdown, *.html)\n"
	"below each PATH: new and changed posts are indexed, unchanged ones skipped\n"
	"without being read, and posts no longer below any PATH of this run deleted.\n"
	"With several PATHs, each post's path starts with a label of its PATH.\n"
	"  --db DIR         index directory (default: $SOU_DB or ~/.sou/index)\n"
	"  --timezone ZONE  zone for dates without one (default +08:00)\n"
	"  --batch N        changes per commit (default 250)\n"
	"  --jobs N         worker threads for full builds (default: one per core)\n"
	"  --max-post-bytes N  posts larger than N bytes (K, M, G: KiB, MiB, GiB) fail\n"
	"                   unread (default 8M); memory use grows with it\n"
	"  --shards N       make DIR a set of N shards (2 to 64), each a complete index;\n"
	"                   later runs on DIR keep its N with or without --shards\n"
	"  --dict FILE      extra words for the segmenter (also: dict = FILE in DIR/sou.conf)\n"
	"  --synonyms FILE  synonym groups, checked here and used by sou-query\n"
	"  --follow-symlinks  also read symlinked posts whose target is outside every PATH\n"
	"  --no-pinyin      no pinyin or initials terms for titles and tags (a smaller\n"
	"                   index; `maotai`, `gzmt` then find only what they spell)\n"
	"  --rebuild        build a fresh index beside the old one, then switch\n"
	"  --dry-run        report what would change; write nothing\n"
	"  --wait SECONDS   wait for another sou-index to finish (default: fail at once)\n"
	"  --status         show the index's post count, last run and failed posts\n"
	"  --check          check the index (Xapian's checker and sou's records)\n"
	"  -q, --quiet      print only problems (for cron)\n"
	"  -v, --verbose    list every post added, updated or deleted\n"
	"  -h, --help       show this help\n"
	"On a terminal, without -q and -v, a progress line on stderr names the phase\n"
	"(walk, index, merge, publish), files done of the total, posts/s and ETA.\n"
	"Exit status: 0 ok, 1 some posts failed, 2 usage, 3 index error or damaged,\n"
	"4 interrupted (finished work committed), 75 index locked by another writer.\n";

static volatile sig_atomic_t got_signal;

/*
 * Writes prefix, then s escaped for a person's terminal (buf.h: control
 * characters and invalid UTF-8 as \n, \e, \xNN...), then a newline: a
 * file name with a newline or ESC stays one harmless line.
 */
static void say(FILE *f, const char *prefix, const char *s)
{
	sou_cli_say(f, prefix, "%s", s);
}

static void on_signal(int sig)
{
	got_signal = sig;
}

/*
 * What is shown.  Events come from the library's threads one at a time,
 * the ticker draws from its own: everything from bar_shown on, and
 * writing to stderr or stdout while the line may be shown, is under mu.
 */
typedef struct ui {
	int quiet, verbose, tty, dry_run;
	int bar;                /* the progress line (a terminal, no -q/-v) */
	pthread_mutex_t mu;
	int bar_shown;          /* the line is on the screen, cursor after it */
	sou_ix_phase phase;     /* NONE: nothing to draw yet */
	double t0, t_phase, t_index; /* start, this phase's, the index phase's */
	double seconds;         /* the run's, as the summary says, at the end */
	unsigned long finished, total;
	/* posts first indexed in this run ("new"), re-indexed ("changed") */
	unsigned long added, updated, deleted, failed;
	char drawn[256];        /* the line last drawn */
	int ticking, stop;
	pthread_cond_t wake;    /* stop is set */
	pthread_t ticker;
} ui;

static double now_s(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

/* Under u->mu. */
static void clear_bar(ui *u)
{
	if (u->bar_shown) {
		fputs("\r\033[K", stderr);
		u->bar_shown = 0;
	}
}

/* n with a comma every three digits ("31,231"), into out (>= 32 bytes). */
static const char *commas(unsigned long n, char *out)
{
	char d[32];
	int len = snprintf(d, sizeof(d), "%lu", n), i, o = 0;

	for (i = 0; i < len; i++) {
		if (i && (len - i) % 3 == 0)
			out[o++] = ',';
		out[o++] = d[i];
	}
	out[o] = '\0';
	return out;
}

/* Whole seconds as m:ss, or h:mm:ss from an hour on. */
static void add_clock(sou_buf *b, double s)
{
	unsigned long t = s > 0 ? (unsigned long)s : 0;

	if (t >= 3600)
		sou_buf_addf(b, "%lu:%02lu:%02lu", t / 3600, t / 60 % 60, t % 60);
	else
		sou_buf_addf(b, "%lu:%02lu", t / 60, t % 60);
}

/* ", N word" when N is not 0 (the running line names only what happened). */
static void add_count(sou_buf *b, unsigned long n, const char *word, int always)
{
	char c[32];

	if (n || always)
		sou_buf_addf(b, "%s%s %s", b->data[b->len - 1] == ' ' ? "" : ", ",
			     commas(n, c), word);
}

/*
 * The progress line at time t, under u->mu; how: NULL while running, or
 * the first word of the line left on the screen at the end ("done", or
 * "stopped" after an error or signal), which has the total and counts.
 */
static void format_bar(const ui *u, double t, const char *how, sou_buf *b)
{
	static const char *const names[] = { "", "walk", "index", "merge", "publish" };
	unsigned long done = u->finished, total = u->total;
	char c1[32], c2[32];

	/* a worker reports a post just before it counts it finished */
	if (done < u->added + u->updated)
		done = u->added + u->updated;
	sou_buf_reset(b);
	sou_buf_addf(b, "%-7s ", how ? how : names[u->phase]);
	if (!how && u->phase == SOU_IX_PHASE_WALK) {
		/* counting: the total so far, and how long it has taken */
		sou_buf_addf(b, "%s files  ", commas(total, c1));
		add_clock(b, t - u->t_phase);
		return;
	}
	if (how && !strcmp(how, "done") && done > total)
		total = done; /* posts added to the tree after it was counted */
	/* (stopped while counting: no total to speak of) */
	if (u->total || (how && !strcmp(how, "done")))
		sou_buf_addf(b, "%s/%s files (%lu%%)", commas(done, c1), commas(total, c2),
			     done >= total ? 100ul : (unsigned long)(100.0 * done / total));
	else
		sou_buf_addf(b, "%s files", commas(done, c1));
	sou_buf_adds(b, "  ");
	if (how) {
		add_count(b, u->added, "new", 1);
		add_count(b, u->updated, "changed", 1);
		add_count(b, u->deleted, "deleted", 1);
		add_count(b, u->failed, "failed", 0);
		sou_buf_adds(b, "  in ");
		add_clock(b, u->seconds > 0 ? u->seconds : t - u->t0);
		return;
	}
	add_count(b, u->added, "new", 0);
	add_count(b, u->updated, "changed", 0);
	add_count(b, u->deleted, "deleted", 0);
	if (b->data[b->len - 1] != ' ')
		sou_buf_adds(b, "  ");
	if (u->phase == SOU_IX_PHASE_INDEX) {
		/* a rate from the first second on; done == total: merge next */
		double dt = t - u->t_index, rate = dt >= 1 ? done / dt : 0;
		if (rate > 0) {
			sou_buf_addf(b, "%s posts/s", commas((unsigned long)(rate + 0.5), c1));
			if (total > done) {
				sou_buf_adds(b, "  ETA ");
				add_clock(b, (double)(total - done) / rate);
			}
		}
	} else {
		add_clock(b, t - u->t_phase); /* merge, publish: time so far */
	}
	while (b->len && b->data[b->len - 1] == ' ')
		sou_buf_truncate(b, b->len - 1);
}

/* Draws the line unless it is on the screen as it is; under u->mu. */
static void draw_bar(ui *u, const char *how)
{
	sou_buf line = SOU_BUF_INIT;
	unsigned cols = sou_cli_term_width(STDERR_FILENO);

	format_bar(u, now_s(), how, &line);
	/* longer than the terminal is wide, \r would go back only to the
	 * start of its last screen line (the line is ASCII: bytes are columns) */
	if (cols > 1 && line.len >= cols)
		sou_buf_truncate(&line, cols - 1u);
	if (how || !u->bar_shown || strcmp(line.data, u->drawn)) {
		fprintf(stderr, "\r\033[K%s%s", line.data, how ? "\n" : "");
		snprintf(u->drawn, sizeof(u->drawn), "%s", line.data);
		u->bar_shown = !how;
	}
	sou_buf_free(&line);
}

/* Draws the line every tenth of a second until told to stop. */
static void *tick_main(void *arg)
{
	ui *u = arg;
	struct timespec next;

	clock_gettime(CLOCK_MONOTONIC, &next);
	pthread_mutex_lock(&u->mu);
	while (!u->stop) {
		if (u->phase != SOU_IX_PHASE_NONE)
			draw_bar(u, NULL);
		next.tv_nsec += 100000000;
		if (next.tv_nsec >= 1000000000) {
			next.tv_sec++;
			next.tv_nsec -= 1000000000;
		}
		while (!u->stop && pthread_cond_timedwait(&u->wake, &u->mu, &next) == 0)
			; /* woken early: stop, or spurious */
	}
	pthread_mutex_unlock(&u->mu);
	return NULL;
}

/* Starts the ticker, with SIGINT and SIGTERM left to the main thread. */
static void start_ticker(ui *u)
{
	sigset_t block, old;

	sigemptyset(&block);
	sigaddset(&block, SIGINT);
	sigaddset(&block, SIGTERM);
	pthread_sigmask(SIG_BLOCK, &block, &old);
	u->ticking = !pthread_create(&u->ticker, NULL, tick_main, u);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
}

/* Stops the ticker (if it runs) and leaves the final line (how) on the
 * screen if anything was drawn, or clears it (how NULL). */
static void stop_ticker(ui *u, const char *how)
{
	pthread_mutex_lock(&u->mu);
	u->stop = 1;
	pthread_cond_signal(&u->wake);
	pthread_mutex_unlock(&u->mu);
	if (u->ticking)
		pthread_join(u->ticker, NULL);
	u->ticking = 0;
	pthread_mutex_lock(&u->mu);
	if (how && u->bar && u->phase != SOU_IX_PHASE_NONE)
		draw_bar(u, how);
	else
		clear_bar(u);
	pthread_mutex_unlock(&u->mu);
}

static void on_event(void *ctx, const sou_ix_event *ev)
{
	ui *u = ctx;
	const char *verb = NULL;

	pthread_mutex_lock(&u->mu);
	u->finished = ev->finished;
	u->total = ev->total;
	if (ev->phase > u->phase) {
		u->phase = ev->phase;
		u->t_phase = now_s();
		if (u->phase == SOU_IX_PHASE_INDEX)
			u->t_index = u->t_phase;
	}
	switch (ev->kind) {
	case SOU_IX_FAILED:
		u->failed++;
		clear_bar(u);
		say(stderr, "sou-index: error: ", ev->message);
		break;
	case SOU_IX_SKIPPED:
		if (!u->quiet) {
			clear_bar(u);
			say(stderr, "sou-index: skipped: ", ev->message);
		}
		break;
	case SOU_IX_ADDED: verb = "added"; u->added++; break;
	case SOU_IX_UPDATED: verb = "updated"; u->updated++; break;
	case SOU_IX_DELETED: verb = "deleted"; u->deleted++; break;
	case SOU_IX_PROGRESS: break;
	case SOU_IX_PHASE:
		/* every phase is seen, however short (not only at a tick) */
		if (u->bar)
			draw_bar(u, NULL);
		break;
	case SOU_IX_NOTICE:
		if (!u->quiet) {
			sou_buf line = SOU_BUF_INIT;
			clear_bar(u);
			sou_buf_add_escaped(&line, ev->message, strlen(ev->message));
			fprintf(stderr, "sou-index: notice: %s\n", line.data);
			sou_buf_free(&line);
		}
		break;
	}
	if (verb && (u->verbose || u->dry_run) && !u->quiet) {
		clear_bar(u);
		char head[32];
		snprintf(head, sizeof(head), "%s%s ", u->dry_run ? "would be " : "", verb);
		say(stdout, head, ev->path);
		if (u->bar)
			fflush(stdout); /* before the line is drawn again */
	}
	pthread_mutex_unlock(&u->mu);
}

static int show_status(const char *db)
{
	sou_index_status s;
	sou_error err;
	size_t i;

	if (sou_index_status_read(db, &s, &err)) {
		say(stderr, "sou-index: ", err.msg);
		return sou_cli_exit_for(err.code);
	}
	say(stdout, "index:    ", db);
	printf("posts:    %lu\n", s.posts);
	if (s.shards) {
		unsigned k;
		printf("shards:   %u (posts", s.shards);
		for (k = 0; k < s.shards; k++)
			printf("%s %lu", k ? "," : "", s.shard_posts[k]);
		printf(")\n");
	}
	if (s.last_run) {
		char *tab = strchr(s.last_run, '\t'), when[64];
		time_t t = (time_t)strtoll(s.last_run, NULL, 10);
		struct tm tm;
		strftime(when, sizeof(when), "%Y-%m-%d %H:%M:%S %z", localtime_r(&t, &tm));
		printf("last run: %s: ", when);
		say(stdout, "", tab ? tab + 1 : "");
	} else {
		printf("last run: never\n");
	}
	printf("failed:   %zu\n", s.failed.n);
	for (i = 0; i < s.failed.n; i++) {
		char *tab = strchr(s.failed.v[i], '\t');
		say(stdout, "  ", tab ? tab + 1 : s.failed.v[i]);
	}
	printf("skipped:  %zu (not posts)\n", s.skipped.n);
	sou_index_status_clear(&s);
	return SOU_EXIT_OK;
}

/* --check: 0 when sound, 3 (listing what is wrong) when damaged. */
static int run_check(const char *db, double wait_s)
{
	sou_check_report r;
	sou_error err;
	sou_buf line = SOU_BUF_INIT;
	size_t a = 0;

	if (sou_check_run(db, wait_s, &r, &err)) {
		say(stderr, "sou-index: ", err.msg);
		return sou_cli_exit_for(err.code);
	}
	if (!r.problems) {
		sou_buf_addf(&line, "%s: sound: Xapian's check passed; %lu posts, each with its record",
			     db, r.posts);
		if (r.shards)
			sou_buf_addf(&line, " and in its shard (%u shards)", r.shards);
		say(stdout, "", line.data);
		sou_buf_free(&line);
		sou_check_report_clear(&r);
		return SOU_EXIT_OK;
	}
	while (a < r.text.len) { /* one problem a line */
		const char *nl = memchr(r.text.data + a, '\n', r.text.len - a);
		size_t b = nl ? (size_t)(nl - r.text.data) : r.text.len;
		sou_buf_reset(&line);
		/* a line from a failed read, or a shard's, names db already */
		if (b - a < strlen(db) + 2 || memcmp(r.text.data + a, db, strlen(db)) ||
		    (memcmp(r.text.data + a + strlen(db), ": ", 2) &&
		     strncmp(r.text.data + a + strlen(db), "/shard-", 7)))
			sou_buf_addf(&line, "%s: ", db);
		sou_buf_add(&line, r.text.data + a, b - a);
		say(stderr, "sou-index: ", line.data);
		a = b + 1;
	}
	sou_buf_reset(&line);
	sou_buf_addf(&line, "%s: the index is damaged (%lu problem%s found): "
		     SOU_GENLOCK_REBUILD_HINT, db, r.problems, r.problems == 1 ? "" : "s");
	say(stderr, "sou-index: ", line.data);
	sou_buf_free(&line);
	sou_check_report_clear(&r);
	return SOU_EXIT_DB;
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "db", required_argument, NULL, 'd' },
		{ "timezone", required_argument, NULL, 'z' },
		{ "batch", required_argument, NULL, 'b' },
		{ "rebuild", no_argument, NULL, 'R' },
		{ "dry-run", no_argument, NULL, 'n' },
		{ "wait", required_argument, NULL, 'w' },
		{ "status", no_argument, NULL, 's' },
		{ "check", no_argument, NULL, 'C' },
		{ "jobs", required_argument, NULL, 'j' },
		{ "max-post-bytes", required_argument, NULL, 'M' },
		{ "shards", required_argument, NULL, 'H' },
		{ "dict", required_argument, NULL, 'D' },
		{ "synonyms", required_argument, NULL, 'S' },
		{ "follow-symlinks", no_argument, NULL, 'L' },
		{ "no-pinyin", no_argument, NULL, 'P' },
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
	sou_strlist dicts = { NULL, 0 }, synonyms = { NULL, 0 };
	ui u;
	int c, i, rc = SOU_EXIT_OK, status = 0, check = 0, failed_shown = 0;
	sou_status st = SOU_OK;
	struct sigaction sa;

	memset(&o, 0, sizeof(o));
	memset(&u, 0, sizeof(u));
	pthread_mutex_init(&u.mu, NULL);
	{
		/* the ticker's timed waits are on the monotonic clock */
		pthread_condattr_t ca;
		pthread_condattr_init(&ca);
		pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
		pthread_cond_init(&u.wake, &ca);
		pthread_condattr_destroy(&ca);
	}
	memset(&stats, 0, sizeof(stats));
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
				say(stderr, "sou-index: --timezone: ", err.msg);
				rc = SOU_EXIT_USAGE;
				goto done;
			}
			break;
		case 'b': {
			char *end;
			long n = strtol(optarg, &end, 10);
			if (*end || n < 1 || n > 10000000) {
				say(stderr, "sou-index: --batch: expected a positive number, got ", optarg);
				rc = SOU_EXIT_USAGE;
				goto done;
			}
			o.batch = (unsigned)n;
			break;
		}
		case 'w': {
			char *end;
			double w = strtod(optarg, &end);
			if (*end || !(w >= 0)) {
				say(stderr, "sou-index: --wait: expected seconds, got ", optarg);
				rc = SOU_EXIT_USAGE;
				goto done;
			}
			o.wait_s = w;
			break;
		}
		case 'j': {
			char *end;
			long n = strtol(optarg, &end, 10);
			if (*end || n < 1 || n > 64) {
				say(stderr, "sou-index: --jobs: expected 1 to 64, got ", optarg);
				rc = SOU_EXIT_USAGE;
				goto done;
			}
			o.jobs = (unsigned)n;
			break;
		}
		case 'M': {
			/* bytes, or KiB/MiB/GiB with a suffix; at most 1 GiB */
			char *end;
			unsigned long long n = strtoull(optarg, &end, 10), mul = 1;
			if (*end == 'k' || *end == 'K')
				mul = 1ull << 10, end++;
			else if (*end == 'm' || *end == 'M')
				mul = 1ull << 20, end++;
			else if (*end == 'g' || *end == 'G')
				mul = 1ull << 30, end++;
			if (*end || end == optarg || optarg[0] == '-' || n < 1 ||
			    n > (1ull << 30) / mul) {
				say(stderr, "sou-index: --max-post-bytes: expected 1 to 1G bytes, got ",
				    optarg);
				rc = SOU_EXIT_USAGE;
				goto done;
			}
			o.max_file_bytes = (size_t)(n * mul);
			break;
		}
		case 'H': {
			char *end;
			long n = strtol(optarg, &end, 10);
			if (*end || n < 2 || n > SOU_MAX_SHARDS) {
				sou_cli_say(stderr, "sou-index: ", "--shards: expected 2 to %d, got %s",
					    SOU_MAX_SHARDS, optarg);
				rc = SOU_EXIT_USAGE;
				goto done;
			}
			o.shards = (unsigned)n;
			break;
		}
		case 'D': sou_strlist_push(&dicts, optarg, strlen(optarg)); break;
		case 'S': sou_strlist_push(&synonyms, optarg, strlen(optarg)); break;
		case 'R': o.rebuild = 1; break;
		case 'L': o.follow_symlinks = 1; break;
		case 'P': o.no_pinyin = 1; break;
		case 'n': o.dry_run = 1; break;
		case 's': status = 1; break;
		case 'C': check = 1; break;
		case 'q': u.quiet = 1; break;
		case 'v': u.verbose = 1; break;
		case 'h': fputs(usage, stdout); goto done;
		default: fputs(usage, stderr); rc = SOU_EXIT_USAGE; goto done;
		}
	}
	if (status) {
		rc = show_status(db.data);
		goto done;
	}
	if (check) {
		rc = run_check(db.data, o.wait_s);
		goto done;
	}
	if (optind >= argc) {
		fputs("sou-index: no PATH given\n", stderr);
		fputs(usage, stderr);
		rc = SOU_EXIT_USAGE;
		goto done;
	}
	if (o.rebuild && o.dry_run) {
		fputs("sou-index: --rebuild and --dry-run do not go together\n", stderr);
		rc = SOU_EXIT_USAGE;
		goto done;
	}
	/* SIGINT/SIGTERM: finish the current post, commit, exit 4 */
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	if (sou_cli_read_config(db.data, &dicts, &synonyms, &err)) {
		say(stderr, "sou-index: ", err.msg);
		rc = SOU_EXIT_USAGE;
		goto done;
	}
	o.dicts = &dicts;
	o.synonyms = &synonyms;
	u.tty = isatty(STDERR_FILENO);
	u.bar = u.tty && !u.quiet && !u.verbose;
	u.dry_run = o.dry_run;
	o.count_files = u.bar; /* a total for the percentage */
	o.db_path = db.data;
	o.paths = (const char *const *)argv + optind;
	o.npaths = (size_t)(argc - optind);
	o.interrupted = &got_signal;
	o.on_event = on_event;
	o.ctx = &u;
	u.t0 = now_s();
	if (u.bar)
		start_ticker(&u);
	if ((st = sou_indexer_create(&o, &ix, &err))) {
		stop_ticker(&u, NULL);
		say(stderr, "sou-index: ", err.msg);
		/* an unreadable or malformed --dict/--synonyms file: usage */
		rc = st == SOU_ERR_PARSE || st == SOU_ERR_IO ? SOU_EXIT_USAGE : sou_cli_exit_for(st);
		goto done;
	}
	for (i = optind; i < argc && !st; i++) {
		if ((st = sou_indexer_add_path(ix, argv[i], &err)) && st != SOU_ERR_INTERRUPTED) {
			pthread_mutex_lock(&u.mu);
			clear_bar(&u);
			say(stderr, "sou-index: ", err.msg);
			pthread_mutex_unlock(&u.mu);
			failed_shown = 1;
			if (st == SOU_ERR_IO) { /* an unreadable PATH: go on with the rest */
				rc = SOU_EXIT_SOME;
				st = SOU_OK;
				failed_shown = 0;
			}
		}
	}
	/* also after an index failure: it counts the work and records the
	 * failed run for --status, and returns that failure again */
	st = sou_indexer_finish(ix, &stats, &err);
	/* the last line stays: how far the run got, what it did */
	pthread_mutex_lock(&u.mu);
	u.seconds = stats.seconds;
	pthread_mutex_unlock(&u.mu);
	stop_ticker(&u, st ? "stopped" : "done");
	if (st && st != SOU_ERR_INTERRUPTED && !failed_shown) { /* an error is shown once */
		say(stderr, "sou-index: ", err.msg);
		failed_shown = 1;
	}
	if (!u.quiet || st) {
		/* a failed run also gets its line, but never reads as success */
		printf("%s%sadded %lu, updated %lu, deleted %lu, unchanged %lu, failed %lu in %.2f s\n",
		       st && st != SOU_ERR_INTERRUPTED ? "stopped by an error after: " : "",
		       o.dry_run ? "dry run: would have " : "", stats.added, stats.updated,
		       stats.deleted, stats.unchanged, stats.failed, stats.seconds);
		fflush(stdout);
	}
	if (st == SOU_ERR_INTERRUPTED) {
		say(stderr, "sou-index: ", err.msg);
		rc = SOU_EXIT_INTERRUPTED;
	} else if (st) {
		rc = sou_cli_exit_for(st);
	} else {
		if (stats.kept_old)
			fprintf(stderr, "sou-index: the rebuild is not switched to, since not every "
				"post could be read; the old index is kept\n");
		if (stats.kept_gone && !o.dry_run)
			fprintf(stderr, "sou-index: no post was deleted, since not every PATH and "
				"folder could be read; the next run that reads them all deletes "
				"what is gone\n");
		if (stats.failed || stats.kept_old || stats.kept_gone)
			rc = SOU_EXIT_SOME;
	}
done:
	stop_ticker(&u, NULL);
	pthread_mutex_destroy(&u.mu);
	pthread_cond_destroy(&u.wake);
	sou_indexer_destroy(ix);
	sou_buf_free(&db);
	sou_strlist_free(&dicts);
	sou_strlist_free(&synonyms);
	return rc;
}
