/*
 * shardset.c - resolving a reader's --db into its shards (see shardset.h).
 */
#include "shardset.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "linefile.h"

static sou_shard *push(sou_shardlist *l, sou_shard_kind kind, const char *path,
		       const char *host, unsigned port, const char *where)
{
	sou_shard *s;

	SOU_ARRAY_GROW(l->v, l->cap, l->n + 1);
	s = &l->v[l->n++];
	memset(s, 0, sizeof(*s));
	s->kind = kind;
	s->path = path ? sou_xstrdup(path) : NULL;
	s->host = host ? sou_xstrdup(host) : NULL;
	s->port = port;
	s->where = where ? sou_xstrdup(where) : NULL;
	return s;
}

/* path's directory part ("." for a bare name) into out. */
static void dir_of(const char *path, sou_buf *out)
{
	const char *slash = strrchr(path, '/');

	sou_buf_reset(out);
	if (!slash)
		sou_buf_adds(out, ".");
	else if (slash == path)
		sou_buf_adds(out, "/");
	else
		sou_buf_add(out, path, (size_t)(slash - path));
}

static sou_status resolve(const char *path, const char *where, int depth, unsigned flags,
			  sou_shardlist *out, sou_error *err);

/* "remote HOST:PORT" arguments; 0 if not of that form. */
static int parse_remote(const char *a, sou_buf *host, unsigned *port)
{
	const char *colon = strrchr(a, ':');
	char *end;
	unsigned long p;

	if (!colon || strpbrk(a, " \t"))
		return 0;
	errno = 0;
	p = strtoul(colon + 1, &end, 10);
	if (errno || *end || end == colon + 1 || p == 0 || p > 65535)
		return 0;
	sou_buf_reset(host);
	if (colon == a)
		sou_buf_adds(host, "127.0.0.1");
	else if (a[0] == '[' && colon[-1] == ']') /* [::1]:7001 */
		sou_buf_add(host, a + 1, (size_t)(colon - a - 2));
	else
		sou_buf_add(host, a, (size_t)(colon - a));
	*port = (unsigned)p;
	return host->len > 0;
}

/* "remote :PROGRAM ARGS": 1 and the parts (args may be empty); 0 if a
 * is not of that form ("remote :7001" is a port: parse_remote). */
static int parse_program(const char *a, sou_buf *prog, sou_buf *args)
{
	size_t n;

	if (a[0] != ':' || !a[1] || a[1] == ' ' || a[1] == '\t')
		return 0;
	a++;
	n = strcspn(a, " \t");
	if (strspn(a, "0123456789") == n && !a[n])
		return 0;
	sou_buf_reset(prog);
	sou_buf_add(prog, a, n);
	a += n;
	a += strspn(a, " \t");
	sou_buf_reset(args);
	sou_buf_adds(args, a);
	return 1;
}

/* Expands the stub file stub, whose relative paths are against base. */
static sou_status expand_stub(const char *stub, const char *base, int depth, unsigned flags,
			      sou_shardlist *out, sou_error *err)
{
	sou_linefile *lf = NULL;
	sou_buf child = SOU_BUF_INIT, host = SOU_BUF_INIT, where = SOU_BUF_INIT;
	sou_buf args = SOU_BUF_INIT;
	const char *line;
	size_t len, n0 = out->n;
	sou_status st;

	if ((st = sou_linefile_open(stub, &lf, err)))
		return st == SOU_ERR_NOTFOUND ? st : SOU_ERR_DB;
	while (!(st = sou_linefile_next(lf, &line, &len, err)) && line) {
		size_t w = strcspn(line, " \t");
		const char *arg = line + w + strspn(line + w, " \t");
		unsigned port = 0;

		sou_buf_reset(&where);
		sou_buf_addf(&where, "%s line %zu", stub, sou_linefile_lineno(lf));
		if ((w == 4 && !memcmp(line, "auto", 4)) || (w == 5 && !memcmp(line, "glass", 5))) {
			if (!*arg) {
				st = sou_linefile_error(lf, err, SOU_ERR_DB, "'%.*s' without a path",
							(int)w, line);
				break;
			}
			sou_buf_reset(&child);
			if (arg[0] != '/')
				sou_buf_addf(&child, "%s/", base);
			sou_buf_adds(&child, arg);
			if ((st = resolve(child.data, where.data, depth + 1, flags, out, err)))
				break;
		} else if (w == 6 && !memcmp(line, "remote", 6) && parse_program(arg, &host, &args)) {
			sou_shard *sh;

			if (!(flags & SOU_SHARDSET_ALLOW_PROGRAMS)) {
				/* the line itself is not quoted: the stub may be
				 * anything, and its text is not ours to show */
				st = sou_linefile_error(lf, err, SOU_ERR_USAGE,
							"\"remote :PROGRAM\" runs a program, which sou "
							"does only with --allow-remote-programs");
				break;
			}
			sh = push(out, SOU_SHARD_REMOTE, NULL, NULL, 0, where.data);
			sh->program = sou_xstrdup(host.data);
			sh->args = sou_xstrdup(args.data);
		} else if (w == 6 && !memcmp(line, "remote", 6)) {
			if (!parse_remote(arg, &host, &port)) {
				st = sou_linefile_error(lf, err, SOU_ERR_DB,
							"expected \"remote HOST:PORT\" (a xapian-tcpsrv) "
							"or \"remote :PROGRAM ARGS\"");
				break;
			}
			push(out, SOU_SHARD_REMOTE, NULL, host.data, port, where.data);
		} else if (w <= 16 && strspn(line, "abcdefghijklmnopqrstuvwxyz") == w) {
			/* a keyword is named; anything else is not quoted, since
			 * a stub may name any file, whose text is not ours to show */
			st = sou_linefile_error(lf, err, SOU_ERR_DB,
						"unsupported stub line '%.*s' (sou reads \"auto PATH\", "
						"\"glass PATH\" and \"remote HOST:PORT\")",
						(int)w, line);
			break;
		} else {
			st = sou_linefile_error(lf, err, SOU_ERR_DB,
						"not a stub line (sou reads \"auto PATH\", "
						"\"glass PATH\" and \"remote HOST:PORT\"): is this a stub?");
			break;
		}
	}
	if (st && st != SOU_ERR_NOTFOUND && st != SOU_ERR_USAGE) {
		st = SOU_ERR_DB;
		if (err)
			err->code = st;
	}
	if (!st && out->n == n0)
		st = sou_error_set(err, SOU_ERR_DB, "%s: the stub lists no database", stub);
	sou_linefile_close(lf);
	sou_buf_free(&child);
	sou_buf_free(&host);
	sou_buf_free(&where);
	sou_buf_free(&args);
	return st;
}

static sou_status resolve(const char *path, const char *where, int depth, unsigned flags,
			  sou_shardlist *out, sou_error *err)
{
	struct stat sb;
	sou_buf stub = SOU_BUF_INIT, base = SOU_BUF_INIT;
	sou_status st = SOU_OK;

	if (depth > SOU_SHARDSET_DEPTH)
		return sou_error_set(err, SOU_ERR_DB, "%s: stubs nested more than %d deep (a loop?)",
				     where ? where : path, SOU_SHARDSET_DEPTH);
	if (stat(path, &sb) != 0) {
		/* nothing there: opening it says so (as for one index) */
		push(out, SOU_SHARD_LOCAL, path, NULL, 0, where);
		return SOU_OK;
	}
	if (S_ISDIR(sb.st_mode)) {
		if (!sou_shardset_is_set(path)) {
			push(out, SOU_SHARD_LOCAL, path, NULL, 0, where);
			return SOU_OK;
		}
		sou_buf_addf(&stub, "%s/XAPIANDB", path);
		sou_buf_adds(&base, path);
	} else {
		sou_buf_adds(&stub, path);
		dir_of(path, &base);
	}
	st = expand_stub(stub.data, base.data, depth, flags, out, err);
	sou_buf_free(&stub);
	sou_buf_free(&base);
	return st;
}

sou_status sou_shardset_resolve(const char *path, sou_shardlist *out, sou_error *err)
{
	return resolve(path, NULL, 0, 0, out, err);
}

sou_status sou_shardset_resolve_flags(const char *path, unsigned flags, sou_shardlist *out,
				      sou_error *err)
{
	return resolve(path, NULL, 0, flags, out, err);
}

int sou_shardset_is_set(const char *dir)
{
	sou_buf stub = SOU_BUF_INIT;
	sou_linefile *lf = NULL;
	const char *line;
	size_t len;
	sou_error e;
	int set = 0;

	/* a set's first entry names a database; a sou index's names its
	 * generation ("auto gen-"), and a damaged generation stub (empty,
	 * garbled) is no set either: genlock reports it as damage */
	sou_buf_addf(&stub, "%s/XAPIANDB", dir);
	if (sou_linefile_open(stub.data, &lf, &e) == SOU_OK &&
	    sou_linefile_next(lf, &line, &len, &e) == SOU_OK && line &&
	    (!strncmp(line, "auto ", 5) || !strncmp(line, "glass ", 6) ||
	     !strncmp(line, "remote ", 7)) &&
	    strncmp(line, "auto gen-", 9))
		set = 1;
	sou_linefile_close(lf);
	sou_buf_free(&stub);
	return set;
}

void sou_shard_describe(const sou_shard *s, sou_buf *out)
{
	if (s->kind == SOU_SHARD_REMOTE && s->program)
		sou_buf_addf(out, "remote :%s", s->program);
	else if (s->kind == SOU_SHARD_REMOTE)
		sou_buf_addf(out, "remote %s:%u", s->host, s->port);
	else
		sou_buf_adds(out, s->path);
	if (s->where)
		sou_buf_addf(out, " (listed at %s)", s->where);
}

void sou_shardlist_free(sou_shardlist *l)
{
	size_t i;

	for (i = 0; i < l->n; i++) {
		free(l->v[i].path);
		free(l->v[i].host);
		free(l->v[i].where);
		free(l->v[i].program);
		free(l->v[i].args);
	}
	free(l->v);
	l->v = NULL;
	l->n = l->cap = 0;
}
