/*
 * test_shardset.c - unit tests for common/shardset.c, which turns a
 * reader's --db into its shards: a sou index directory is itself, a stub
 * file or a shard set directory is expanded line by line (relative paths
 * against the stub's directory, nested stubs followed, remote lines
 * parsed), and bad stubs fail naming the file and line.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "testutil.h"
#include "shardset.h"


/* Writes text to tu_dir/name (parents must exist); returns its path. */
static const char *put(const char *name, const char *text)
{
	static char path[512];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", tu_dir, name);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
	return path;
}

static void mk(const char *name)
{
	char path[512];

	snprintf(path, sizeof(path), "%s/%s", tu_dir, name);
	assert_int_equal(mkdir(path, 0700), 0);
}

static void test_one_index(void **state)
{
	sou_shardlist l = SOU_SHARDLIST_INIT;
	sou_error err;
	char want[512];

	(void)state;
	/* a sou index directory: one local shard, the directory itself */
	mk("idx");
	put("idx/XAPIANDB", "auto gen-000001\n");
	snprintf(want, sizeof(want), "%s/idx", tu_dir);
	assert_int_equal(sou_shardset_resolve(want, &l, &err), SOU_OK);
	assert_int_equal(l.n, 1);
	assert_int_equal(l.v[0].kind, SOU_SHARD_LOCAL);
	assert_string_equal(l.v[0].path, want);
	assert_null(l.v[0].where);
	assert_int_equal(sou_shardset_is_set(want), 0);
	sou_shardlist_free(&l);
	/* nothing there: left for opening to report */
	snprintf(want, sizeof(want), "%s/none", tu_dir);
	assert_int_equal(sou_shardset_resolve(want, &l, &err), SOU_OK);
	assert_int_equal(l.n, 1);
	sou_shardlist_free(&l);
}

static void test_stub_and_set(void **state)
{
	sou_shardlist l = SOU_SHARDLIST_INIT;
	sou_error err;
	char path[512], want[512];
	sou_buf d = SOU_BUF_INIT;

	(void)state;
	mk("set");
	mk("set/shard-0");
	mk("set/shard-1");
	put("set/shard-0/XAPIANDB", "auto gen-000002\n");
	put("set/shard-1/XAPIANDB", "auto gen-000001\n");
	put("set/XAPIANDB", "auto shard-0\nauto shard-1\n");
	snprintf(path, sizeof(path), "%s/set", tu_dir);
	assert_int_equal(sou_shardset_is_set(path), 1);
	/* a hand-written stub listing the set (nested), an absolute path
	 * and remote shards, with comments and blank lines */
	snprintf(want, sizeof(want),
		 "# three ways to name a shard\n\nauto set\nglass %s/set/shard-1\n"
		 "remote 10.0.0.7:7001\n  remote :7002\nremote [::1]:7003\n", tu_dir);
	put("all.stub", want);
	snprintf(path, sizeof(path), "%s/all.stub", tu_dir);
	assert_int_equal(sou_shardset_resolve(path, &l, &err), SOU_OK);
	assert_int_equal(l.n, 6);
	snprintf(want, sizeof(want), "%s/set/shard-0", tu_dir);
	assert_string_equal(l.v[0].path, want);
	snprintf(want, sizeof(want), "%s/set/XAPIANDB line 1", tu_dir);
	assert_string_equal(l.v[0].where, want);
	snprintf(want, sizeof(want), "%s/set/shard-1", tu_dir);
	assert_string_equal(l.v[1].path, want);
	assert_string_equal(l.v[2].path, want);
	assert_int_equal(l.v[3].kind, SOU_SHARD_REMOTE);
	assert_string_equal(l.v[3].host, "10.0.0.7");
	assert_int_equal(l.v[3].port, 7001);
	assert_string_equal(l.v[4].host, "127.0.0.1");
	assert_int_equal(l.v[4].port, 7002);
	assert_string_equal(l.v[5].host, "::1");
	sou_shard_describe(&l.v[3], &d);
	snprintf(want, sizeof(want), "remote 10.0.0.7:7001 (listed at %s/all.stub line 5)", tu_dir);
	assert_string_equal(d.data, want);
	sou_buf_free(&d);
	sou_shardlist_free(&l);
}

static void test_bad_stubs(void **state)
{
	static const struct {
		const char *text, *msg;
	} bad[] = {
		{ "auto a\nremote host\n", "bad.stub:2: expected \"remote HOST:PORT\"" },
		{ "remote h:0\n", "bad.stub:1: expected" },
		{ "remote ssh host xapian-progsrv db\n", "bad.stub:1: expected" },
		{ "root:$6$SECRETHASH:19000:0:99999:7:::\n", "bad.stub:1: not a stub line" },
		{ "inmemory\n", "bad.stub:1: unsupported stub line 'inmemory'" },
		{ "auto\n", "bad.stub:1: 'auto' without a path" },
		{ "# nothing\n\n", "the stub lists no database" },
		{ "auto bad.stub\n", "nested more than" },
	};
	sou_shardlist l = SOU_SHARDLIST_INIT;
	sou_error err;
	const char *p;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		p = put("bad.stub", bad[i].text);
		assert_int_equal(sou_shardset_resolve(p, &l, &err), SOU_ERR_DB);
		if (!strstr(err.msg, bad[i].msg))
			fail_msg("case %zu: '%s' lacks '%s'", i, err.msg, bad[i].msg);
		sou_shardlist_free(&l);
	}
	/* the text of a file that is no stub is never quoted */
	p = put("bad.stub", "root:$6$SECRETHASH:19000:0:99999:7:::\n");
	assert_int_equal(sou_shardset_resolve(p, &l, &err), SOU_ERR_DB);
	assert_null(strstr(err.msg, "SECRETHASH"));
	/* a damaged generation stub is not a set (genlock reports it) */
	mk("dmg");
	put("dmg/XAPIANDB", "auto gen-x\n");
	{
		char d[512];
		snprintf(d, sizeof(d), "%s/dmg", tu_dir);
		assert_int_equal(sou_shardset_is_set(d), 0);
	}
}

/* "remote :PROGRAM ARGS" only when allowed; "remote :PORT" is a port. */
static void test_programs(void **state)
{
	sou_shardlist l = SOU_SHARDLIST_INIT;
	sou_buf d = SOU_BUF_INIT;
	sou_error err;
	const char *p;

	(void)state;
	p = put("prog.stub", "remote :7001\nremote :xapian-progsrv /srv/db  -t 5\n");
	assert_int_equal(sou_shardset_resolve(p, &l, &err), SOU_ERR_USAGE);
	assert_non_null(strstr(err.msg, "prog.stub:2: \"remote :PROGRAM\" runs a program"));
	assert_non_null(strstr(err.msg, "--allow-remote-programs"));
	sou_shardlist_free(&l);
	assert_int_equal(sou_shardset_resolve_flags(p, SOU_SHARDSET_ALLOW_PROGRAMS, &l, &err), SOU_OK);
	assert_int_equal(l.n, 2);
	assert_int_equal(l.v[0].kind, SOU_SHARD_REMOTE);
	assert_string_equal(l.v[0].host, "127.0.0.1");
	assert_int_equal(l.v[0].port, 7001);
	assert_null(l.v[0].program);
	assert_int_equal(l.v[1].kind, SOU_SHARD_REMOTE);
	assert_null(l.v[1].host);
	assert_string_equal(l.v[1].program, "xapian-progsrv");
	assert_string_equal(l.v[1].args, "/srv/db  -t 5");
	sou_shard_describe(&l.v[1], &d);
	assert_non_null(strstr(d.data, "remote :xapian-progsrv (listed at "));
	sou_buf_free(&d);
	sou_shardlist_free(&l);
	/* nested: a program line in a stub an auto line names */
	put("inner.stub", "remote :/usr/bin/touch /tmp/x\n");
	p = put("outer.stub", "auto inner.stub\n");
	assert_int_equal(sou_shardset_resolve(p, &l, &err), SOU_ERR_USAGE);
	assert_non_null(strstr(err.msg, "inner.stub:1:"));
	sou_shardlist_free(&l);
	/* a FIFO as a stub is refused, not waited on */
	{
		char f[512];
		snprintf(f, sizeof(f), "%s/fifo.stub", tu_dir);
		assert_int_equal(mkfifo(f, 0600), 0);
		assert_int_equal(sou_shardset_resolve(f, &l, &err), SOU_ERR_DB);
		assert_non_null(strstr(err.msg, "not a regular file (a FIFO)"));
		sou_shardlist_free(&l);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_one_index),
		cmocka_unit_test(test_stub_and_set),
		cmocka_unit_test(test_bad_stubs),
		cmocka_unit_test(test_programs),
	};

	return cmocka_run_group_tests(tests, tu_dir_setup, tu_dir_teardown);
}
