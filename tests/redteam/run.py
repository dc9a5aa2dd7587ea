#!/usr/bin/env python3
"""run.py - runs the red-team catalog (catalog.tsv) against the real binaries.

The catalog is one attack a row, four tab-separated fields:

    SURFACE  ID  INPUT  EXPECT

SURFACE says what is attacked and so how INPUT is read and run:

  post   INPUT is a Python expression giving a post file's content (str,
         written as UTF-8, or bytes).  The file, named ID (ID.md unless
         ID ends in .md, .markdown or .html), is indexed by sou-index
         beside a good post in a fresh tree; the good post must always be
         found afterwards (one bad post never loses another).
  query  INPUT is a Python expression giving a list of sou-query
         arguments (str or bytes), run after --db SAMPLE --color never,
         SAMPLE an index of corpus/posts made once per run.
  index  INPUT is a shell snippet run with bash in a fresh copy of the
         SAMPLE index directory (so it may replace gen-N, XAPIANDB, ...);
         $CANARY is a path that must never be created (a program an
         index makes sou run would create it), $TMP a scratch folder.
         Then the command of EXPECT's cmd: is run on the directory.
  http   see http_surface() below: INPUT is a Python expression giving
         the raw bytes sent to a sou-serve on the sample index, or a
         named scenario "@NAME ARGS"; EXPECT checks the answer.

EXPECT is a list of checks, split as shell words (shlex); each row must
pass all of them.  Checks common to every surface:

  exit:N          the program's exit status
  stderr:TEXT     TEXT is in its standard error
  stdout:TEXT     TEXT is in its standard output
  !stderr:TEXT    TEXT is not in its standard error (e.g. a path)
  !stdout:TEXT    TEXT is not in its standard output
  within:S        it ends within S seconds (a hang guard, not a timing
                  claim: the default is 120; the bench figures are in
                  bench/hostile)

post surface only:
  indexed:WORD    the hostile post is found by the query WORD
  failed:TEXT     it is reported failed: a stderr line naming it has TEXT
  skipped:TEXT    it is left out with a note naming it and TEXT
  rss:MB          sou-index's peak RSS stays at or under MB (default 512)
  term:S          a second run, sent SIGTERM 0.3 s after it starts, ends
                  within S seconds; a third run then completes the index

index surface only:
  cmd:query|status|check|index|serve   what runs on the directory
                  (default query: sou-query --db DIR 农业; index: an
                  incremental sou-index --db DIR corpus/posts)
  nocanary        $CANARY was not created (always checked anyway)

The same rows seed the fuzzers: `run.py --seeds DIR` writes every post
row (its first 64 KiB) to DIR/frontmatter, DIR/text and DIR/segment and
every query row to DIR/query (tests/fuzz/CMakeLists.txt does, when it is
configured), so a new attack is one row for the tests and the
fuzzers alike.

Usage: run.py SURFACE [ID...]   (environment as ctest sets it: SOU_INDEX,
SOU_QUERY, SOU_SERVE, SOU_SRC); prints one line per row and
"N passed, N failed"; exits 0, 1, or 77 when there is nothing to run.
"""

import os
import resource
import shlex
import shutil
import signal
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
CATALOG = os.path.join(HERE, "catalog.tsv")
SANITIZED = os.environ.get("SOU_SANITIZED") == "1"
SEED_MAX = 65536
GOOD = "---\ntitle: 正常\n---\n正常文章好好词\n"


def rows(surface=None):
    """The catalog's rows: (lineno, surface, id, input, expect)."""
    out = []
    with open(CATALOG, encoding="utf-8") as f:
        for n, line in enumerate(f, 1):
            line = line.rstrip("\n")
            if not line.strip() or line.startswith("#"):
                continue
            parts = line.split("\t")
            if len(parts) != 4:
                sys.exit("catalog.tsv line %d: expected 4 tab-separated fields, got %d"
                         % (n, len(parts)))
            if surface is None or parts[0] == surface:
                out.append((n, *parts))
    return out


def value(expr):
    """A row's INPUT expression evaluated (the catalog is ours: trusted)."""
    return eval(expr, {"__builtins__": __builtins__})


def as_bytes(v):
    return v if isinstance(v, bytes) else str(v).encode("utf-8")


class Run:
    """One program run: status, output, wall time, peak RSS (KB)."""

    def __init__(self, argv, within, cwd=None, env=None, term_after=None, stdin=None):
        out = tempfile.TemporaryFile()
        err = tempfile.TemporaryFile()
        t0 = time.monotonic()
        p = subprocess.Popen(argv, stdout=out, stderr=err, cwd=cwd, env=env,
                             stdin=subprocess.DEVNULL if stdin is None else stdin)
        self.timed_out = False
        deadline = t0 + within
        termed = None
        while True:
            pid, status, ru = os.wait4(p.pid, os.WNOHANG)
            if pid:
                break
            now = time.monotonic()
            if term_after is not None and termed is None and now - t0 >= term_after:
                os.kill(p.pid, signal.SIGTERM)
                termed = now
            if now >= deadline:
                self.timed_out = True
                os.kill(p.pid, signal.SIGKILL)
                pid, status, ru = os.wait4(p.pid, 0)
                break
            time.sleep(0.01)
        p.returncode = os.waitstatus_to_exitcode(status)
        self.wall = time.monotonic() - t0
        self.after_term = (time.monotonic() - termed) if termed is not None else None
        self.rss_kb = ru.ru_maxrss
        self.rc = p.returncode
        out.seek(0)
        err.seek(0)
        self.out = out.read().decode("utf-8", "replace")
        self.err = err.read().decode("utf-8", "replace")


class Row:
    def __init__(self, n, surface, rid, inp, expect):
        self.n, self.surface, self.id, self.input = n, surface, rid, inp
        self.checks = shlex.split(expect)
        self.problems = []

    def opt(self, name, default=None):
        for c in self.checks:
            if c.startswith(name + ":"):
                return c[len(name) + 1:]
            if c == name:
                return ""
        return default

    def bad(self, msg):
        self.problems.append(msg)

    def common(self, r):
        """The checks every surface shares, on Run r."""
        if r.timed_out:
            self.bad("did not end within %.0f s" % r.wall)
        for c in self.checks:
            k, _, v = c.partition(":")
            if k == "exit" and str(r.rc) != v:
                self.bad("exit %d, expected %s; stderr: %s" % (r.rc, v, r.err[:300]))
            elif k == "stderr" and v not in r.err:
                self.bad("stderr lacks %r: %s" % (v, r.err[:300]))
            elif k == "stdout" and v not in r.out:
                self.bad("stdout lacks %r: %s" % (v, r.out[:300]))
            elif k == "!stderr" and v in r.err:
                self.bad("stderr has %r: %s" % (v, r.err[:300]))
            elif k == "!stdout" and v in r.out:
                self.bad("stdout has %r: %s" % (v, r.out[:300]))


def env_path(name):
    v = os.environ.get(name)
    if not v:
        sys.exit("run.py: %s is not set (run through ctest)" % name)
    return v


def within(row):
    return float(row.opt("within", "120")) * (3 if SANITIZED else 1)


def sample_index(tmp):
    db = os.path.join(tmp, "sample")
    if not os.path.isdir(db):
        Run([env_path("SOU_INDEX"), "--db", db, os.path.join(env_path("SOU_SRC"), "corpus/posts")],
            600)
    return db


def post_name(rid):
    return rid if rid.endswith((".md", ".markdown", ".html")) else rid + ".md"


def query_paths(db, word):
    r = Run([env_path("SOU_QUERY"), "--db", db, "--json", "--limit", "100", "--", word], 120)
    import json
    try:
        return [h["path"] for h in json.loads(r.out)["hits"]]
    except (ValueError, KeyError):
        return []


def post_surface(row, tmp):
    tree = os.path.join(tmp, "tree-" + row.id)
    os.makedirs(tree)
    name = post_name(row.id)
    with open(os.path.join(tree, name), "wb") as f:
        f.write(as_bytes(value(row.input)))
    with open(os.path.join(tree, "2024-01-01-good.md"), "w", encoding="utf-8") as f:
        f.write(GOOD)
    db = os.path.join(tmp, "db-" + row.id)
    idx = env_path("SOU_INDEX")
    r = Run([idx, "--db", db, tree], within(row))
    row.common(r)
    rss = float(row.opt("rss", "512"))
    if not SANITIZED and r.rss_kb > rss * 1024:
        row.bad("peak RSS %.0f MB, over %.0f MB" % (r.rss_kb / 1024, rss))
    if "2024-01-01-good.md" not in query_paths(db, "正常文章好好词"):
        row.bad("the good post beside it is not found")
    for c in row.checks:
        k, _, v = c.partition(":")
        if k == "indexed" and name not in query_paths(db, v):
            row.bad("not found by %r; stderr: %s" % (v, r.err[:300]))
        elif k in ("failed", "skipped"):
            lines = [l for l in r.err.splitlines() if name in l and v in l]
            if not lines:
                row.bad("no stderr line naming it with %r: %s" % (v, r.err[:300]))
    term = row.opt("term")
    if term is not None:
        db2 = os.path.join(tmp, "db2-" + row.id)
        r2 = Run([idx, "--db", db2, tree], within(row), term_after=0.3)
        limit = float(term) * (3 if SANITIZED else 1)
        if r2.after_term is not None and r2.after_term > limit:
            row.bad("SIGTERM took %.2f s to stop the run (limit %.1f s)" % (r2.after_term, limit))
        if r2.rc not in (0, 1, 4):
            row.bad("run sent SIGTERM exited %d: %s" % (r2.rc, r2.err[:300]))
        r3 = Run([idx, "--db", db2, tree], within(row))
        if "2024-01-01-good.md" not in query_paths(db2, "正常文章好好词"):
            row.bad("after SIGTERM, the next run did not complete the index: %s" % r3.err[:300])
    return r


def query_surface(row, tmp):
    db = sample_index(tmp)
    args = [os.fsencode(a) if isinstance(a, str) else a for a in value(row.input)]
    r = Run([env_path("SOU_QUERY").encode(), b"--db", db.encode(), b"--color", b"never", *args],
            within(row))
    row.common(r)
    return r


def index_surface(row, tmp):
    sample = sample_index(tmp)
    d = os.path.join(tmp, "idx-" + row.id)
    shutil.copytree(sample, d, symlinks=True)
    canary = os.path.join(tmp, "CANARY-" + row.id)
    scratch = os.path.join(tmp, "scratch-" + row.id)
    os.makedirs(scratch)
    env = dict(os.environ, CANARY=canary, TMP=scratch)
    setup = Run(["bash", "-c", row.input], 60, cwd=d, env=env)
    if setup.rc != 0:
        row.bad("setup snippet failed (%d): %s" % (setup.rc, setup.err[:300]))
        return setup
    cmd = row.opt("cmd", "query")
    if cmd == "query":
        argv = [env_path("SOU_QUERY"), "--db", d, "--color", "never", "农业"]
    elif cmd == "status":
        argv = [env_path("SOU_INDEX"), "--db", d, "--status"]
    elif cmd == "check":
        argv = [env_path("SOU_INDEX"), "--db", d, "--check"]
    elif cmd == "index":
        argv = [env_path("SOU_INDEX"), "--db", d, os.path.join(env_path("SOU_SRC"), "corpus/posts")]
    elif cmd == "serve":
        argv = [env_path("SOU_SERVE"), "--db", d, "--listen", "127.0.0.1:0"]
    else:
        row.bad("unknown cmd:%s" % cmd)
        return setup
    r = Run(argv, within(row), env=env)
    row.common(r)
    time.sleep(0.2)  # a program started in the background gets its chance
    if os.path.exists(canary):
        row.bad("a program ran: %s exists" % canary)
    return r


def http_surface(row, tmp):
    # Filled in with sou-serve's red-team rows: see the http rows of
    # catalog.tsv and their harness (query/serve tests).
    row.bad("the http surface has no runner yet")


SURFACES = {"post": post_surface, "query": query_surface, "index": index_surface,
            "http": http_surface}


def seeds(outdir):
    for sub in ("frontmatter", "text", "segment", "query"):
        os.makedirs(os.path.join(outdir, sub), exist_ok=True)
    for n, surface, rid, inp, _ in rows():
        if surface == "post":
            data = as_bytes(value(inp))[:SEED_MAX]
            for sub in ("frontmatter", "text", "segment"):
                with open(os.path.join(outdir, sub, "redteam-" + rid), "wb") as f:
                    # fuzz_text's first byte picks the format (0: auto)
                    f.write((b"\0" if sub == "text" else b"") + data)
        elif surface == "query":
            args = [as_bytes(a) for a in value(inp)]
            with open(os.path.join(outdir, "query", "redteam-" + rid), "wb") as f:
                f.write(b" ".join(args)[:SEED_MAX])


def main():
    if len(sys.argv) >= 3 and sys.argv[1] == "--seeds":
        seeds(sys.argv[2])
        return 0
    if len(sys.argv) < 2 or sys.argv[1] not in SURFACES:
        sys.exit("usage: run.py post|query|index|http [ID...] | run.py --seeds DIR")
    surface, only = sys.argv[1], set(sys.argv[2:])
    todo = [Row(*r) for r in rows(surface) if not only or r[2] in only]
    if not todo:
        print("SKIP: no %s rows" % surface)
        return 77
    tmp = tempfile.mkdtemp(prefix="sou-redteam.")
    passed = failed = 0
    try:
        for row in todo:
            t0 = time.monotonic()
            try:
                SURFACES[surface](row, tmp)
            except Exception as e:  # a harness failure fails the row, not the run
                row.bad("harness: %r" % e)
            dt = time.monotonic() - t0
            if row.problems:
                failed += 1
                for p in row.problems:
                    print("FAIL %s (catalog.tsv line %d): %s" % (row.id, row.n, p), file=sys.stderr)
            else:
                passed += 1
                print("ok   %s (%.1f s)" % (row.id, dt))
            sys.stdout.flush()
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    print("%d passed, %d failed" % (passed, failed))
    return 0 if failed == 0 else 1


if __name__ == "__main__":
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    sys.exit(main())
