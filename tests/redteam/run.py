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
  http   INPUT is a Python expression giving the raw bytes sent on one
         new connection from 127.0.0.2 to a sou-serve on SAMPLE (one
         server for the run, on a free loopback port, with HTTP_OPTS:
         short timeouts and small limits; stopped at the end, when it
         must exit 0), or a named scenario, "@NAME ARGS":
           @slowloris N        N connections from 127.0.0.1 trickle a
                               header, never finishing; then the normal
                               request (GET /search?q=农业) from 127.0.0.2
           @slowloris-spread N the same from N addresses 127.0.x.y, one
                               each (no per-client cap helps), retried
                               on a 503 (Retry-After) until answered
           @trickle            one connection trickling a header: the
                               answer is the server closing it
           @stopped-shard      a server on a stub of one remote shard
                               (xapian-tcpsrv on SAMPLE) with --timeout 2,
                               the shard stopped with SIGSTOP: 4 searches
                               (the answer is the slowest), and meanwhile
                               /, /sou.js, /sou.css and /health must be
                               200; after SIGCONT a search must succeed;
                               skipped without xapian-tcpsrv
           @break-index SH     a server of its own (--threads 1) on a copy
                               of SAMPLE; SH runs in the copy, then the
                               normal request is sent

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

http surface only (the answer: what the connection got):
  status:N        its HTTP status
  body:TEXT       TEXT is in its body; !body:TEXT: is not
  header:TEXT     TEXT is in its headers (any case)
  log:TEXT        TEXT is in the server's stderr since the row began;
                  !log:TEXT: is not
  within:S        the answer came within S seconds (default limit 30)
  closed:S        the server closed the connection within S seconds
  fast:S          @stopped-shard: the page, its files and /health each
                  answered within S seconds during the stall
  opts:"OPTIONS"  the row gets a server of its own with these options
                  (instead of HTTP_OPTS)

index surface only:
  cmd:query|status|check|index|serve   what runs on the directory
                  (default query: sou-query --db DIR 农业; index: an
                  incremental sou-index --db DIR corpus/posts)
  nocanary        $CANARY was not created (always checked anyway)

The same rows seed the fuzzers: `run.py --seeds DIR` writes every post
row (its first 64 KiB) to DIR/frontmatter, DIR/text and DIR/segment,
every query row to DIR/query and the query string of every raw http row
to DIR/serve (tests/fuzz/CMakeLists.txt does, when it is configured), so
a new attack is one row for the tests and the fuzzers alike.

Rows whose time matters print a note (measured seconds): hang guards,
not timing claims (bench/serve-load measures).

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
        # an upper bound: it also counts what the child held before exec
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


# ---- http: sou-serve's clients ----------------------------------------------

# The shared server's options: short timeouts, so that slow-client rows
# take seconds, and limits small enough for a row to reach.
HTTP_OPTS = ["--threads", "2", "--request-timeout", "2", "--timeout", "3",
             "--max-connections", "50", "--max-client-connections", "16"]
NORMAL = b"GET /search?q=%E5%86%9C%E4%B8%9A HTTP/1.1\r\nHost: sou\r\n\r\n"
SLOW_HEAD = b"GET /search?q=a HTTP/1.1\r\nHost: sou\r\nX-Slow: "


class Server:
    """A sou-serve on a free loopback port, its stderr in a file."""

    def __init__(self, db, opts, tmp, name):
        import atexit
        self.errpath = os.path.join(tmp, "serve-%s.err" % name)
        self.outpath = os.path.join(tmp, "serve-%s.out" % name)
        argv = [env_path("SOU_SERVE"), "--db", db, "--listen", "127.0.0.1:0"] + opts
        self.p = subprocess.Popen(argv, stdout=open(self.outpath, "wb"),
                                  stderr=open(self.errpath, "wb"), stdin=subprocess.DEVNULL)
        self.port = None
        atexit.register(lambda: self.p.poll() is None and self.p.kill())
        deadline = time.monotonic() + (90 if SANITIZED else 30)
        while time.monotonic() < deadline:
            with open(self.outpath, encoding="utf-8", errors="replace") as f:
                out = f.read()
            if "listening on " in out:
                self.port = int(out.split("listening on ")[1].split(":")[2].split("/")[0])
                return
            if self.p.poll() is not None:
                break
            time.sleep(0.05)
        self.stop()
        raise RuntimeError("sou-serve did not start: %s" % self.stderr()[:300])

    def stderr(self):
        with open(self.errpath, encoding="utf-8", errors="replace") as f:
            return f.read()

    def stop(self):
        """SIGTERM, then its exit status (SIGKILL after 60 s)."""
        if self.p.poll() is None:
            self.p.send_signal(signal.SIGTERM)
            try:
                self.p.wait(60 * (3 if SANITIZED else 1))
            except subprocess.TimeoutExpired:
                self.p.kill()
                self.p.wait()
        return self.p.returncode


class Answer:
    """What one connection got: status (None: no answer), headers, body,
    seconds until the answer (or the close), whether the server closed."""

    def __init__(self):
        self.status, self.head, self.body, self.wall, self.closed = None, "", b"", 0.0, False


def connect(port, src="127.0.0.1"):
    import socket
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.bind((src, 0))
    s.connect(("127.0.0.1", port))
    return s


def exchange(port, data, limit, src="127.0.0.2"):
    """Sends data on a new connection; reads one answer (to its
    Content-Length), or until the server closes, or limit seconds."""
    import socket
    a = Answer()
    t0 = time.monotonic()
    buf = b""
    try:
        s = connect(port, src)
    except OSError as e:
        a.head = "connect: %s" % e
        a.closed = True
        return a
    try:
        s.sendall(data)
    except OSError:
        pass  # the server may refuse before reading it all; read what it said
    want = None
    while True:
        left = t0 + limit - time.monotonic()
        if left <= 0:
            break
        s.settimeout(left)
        try:
            x = s.recv(65536)
        except socket.timeout:
            break
        except OSError:
            x = b""
        if not x:
            a.closed = True
            break
        buf += x
        if want is None and b"\r\n\r\n" in buf:
            head = buf.split(b"\r\n\r\n", 1)[0].decode("latin-1")
            n = 0
            for line in head.split("\r\n")[1:]:
                k, _, v = line.partition(":")
                if k.strip().lower() == "content-length":
                    n = int(v.strip() or 0)
            want = len(head) + 4 + (0 if data.startswith(b"HEAD ") else n)
        if want is not None and len(buf) >= want:
            break
    a.wall = time.monotonic() - t0
    s.close()
    if buf.startswith(b"HTTP/"):
        head, _, a.body = buf.partition(b"\r\n\r\n")
        a.head = head.decode("latin-1")
        try:
            a.status = int(a.head.split(" ")[1])
        except (IndexError, ValueError):
            a.status = None
    return a


class Trickler:
    """Connections that send a request's first line and then a header a
    byte at a time (every period seconds), never finishing it; from one
    address, or from 127.0.0.N, N counting from 10, one each."""

    def __init__(self, port, n, spread=False, period=0.3):
        import threading
        self.socks, self.refused = [], 0
        for i in range(n):
            src = "127.0.%d.%d" % (1 + (10 + i) // 250, (10 + i) % 250 + 1) if spread else "127.0.0.1"
            try:
                s = connect(port, src)
                s.setblocking(False)
                s.send(SLOW_HEAD)
                self.socks.append(s)
            except OSError:
                self.refused += 1
        self.stop_flag = False
        self.t = threading.Thread(target=self.run, args=(period,), daemon=True)
        self.t.start()

    def run(self, period):
        while not self.stop_flag:
            for s in self.socks:
                try:
                    s.send(b"a")
                except OSError:
                    pass
            time.sleep(period)

    def open_count(self):
        """Connections the server has not closed."""
        import select
        n = 0
        for s in self.socks:
            try:
                r, _, _ = select.select([s], [], [], 0)
                if r and not s.recv(1, 0x40):  # MSG_DONTWAIT: EOF is closed
                    continue
            except OSError:
                continue
            n += 1
        return n

    def close(self):
        self.stop_flag = True
        self.t.join()
        for s in self.socks:
            s.close()


def tcpsrv(db, tmp):
    """A xapian-tcpsrv serving db on a free loopback port, in its own
    process group (it forks a child per connection): (Popen, port)."""
    import socket
    for _ in range(10):
        s = socket.socket()
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
        s.close()
        out = os.path.join(tmp, "tcpsrv-%d.out" % port)
        p = subprocess.Popen(["xapian-tcpsrv", "--interface", "127.0.0.1", "--port", str(port), db],
                             stdout=open(out, "wb"), stderr=subprocess.STDOUT,
                             stdin=subprocess.DEVNULL, start_new_session=True)
        for _ in range(200):
            with open(out, "rb") as f:
                if b"Listening" in f.read():
                    return p, port
            if p.poll() is not None:
                break
            time.sleep(0.05)
        kill_group(p)
    raise RuntimeError("xapian-tcpsrv did not start")


def kill_group(p):
    for sig in (signal.SIGCONT, signal.SIGKILL):
        try:
            os.killpg(p.pid, sig)
        except OSError:
            pass
    p.wait()


def timed_get(port, path, limit):
    return exchange(port, b"GET " + path + b" HTTP/1.1\r\nHost: sou\r\n\r\n", limit)


def scenario(row, tmp, name, args, server, limit):
    """A named scenario: returns the Answer its EXPECT checks."""
    if name == "slowloris":
        # slow connections from 127.0.0.1, then a normal request from
        # 127.0.0.2: the per-client cap keeps the others' slots free
        t = Trickler(server.port, int(args[0]))
        try:
            time.sleep(0.5)
            a = exchange(server.port, NORMAL, limit)
            row.note = "%d slow connections (%d still open), normal request %.3f s" % (
                len(t.socks), t.open_count(), a.wall)
        finally:
            t.close()
        return a
    if name == "slowloris-spread":
        # one slow connection from each of N addresses: every slot is
        # held until the request deadline closes them
        # held until the request deadline closes them; the normal
        # request is retried on a 503 (as its Retry-After asks)
        t = Trickler(server.port, int(args[0]), spread=True)
        try:
            time.sleep(0.5)
            t0, tries = time.monotonic(), 0
            while True:
                tries += 1
                a = exchange(server.port, NORMAL, max(0.1, t0 + limit - time.monotonic()))
                if a.status != 503 or time.monotonic() - t0 >= limit:
                    break
                time.sleep(0.5)
            a.wall = time.monotonic() - t0
            row.note = "%d slow connections, normal request answered after %.2f s (%d tries)" % (
                len(t.socks), a.wall, tries)
        finally:
            t.close()
        return a
    if name == "trickle":
        # one connection trickling a header: closed by the deadline
        t = Trickler(server.port, 1, period=0.2)
        t0 = time.monotonic()
        a = Answer()
        try:
            while time.monotonic() - t0 < limit and t.open_count():
                time.sleep(0.05)
            a.wall = time.monotonic() - t0
            a.closed = not t.open_count()
        finally:
            t.close()
        row.note = "closed after %.2f s" % a.wall
        return a
    if name == "stopped-shard":
        return stopped_shard(row, tmp, limit)
    if name == "break-index":
        # server.db is a copy of the sample index; break it, then search
        # on a worker that has no reader yet
        setup = Run(["bash", "-c", " ".join(args)], 60, cwd=row.db)
        if setup.rc != 0:
            row.bad("setup snippet failed (%d): %s" % (setup.rc, setup.err[:300]))
        return exchange(server.port, NORMAL, limit)
    row.bad("unknown scenario @%s" % name)
    return Answer()


def stopped_shard(row, tmp, limit):
    """sou-serve on one remote shard (xapian-tcpsrv) stopped with SIGSTOP:
    searches fail with a 503 within about --timeout, while the page, its
    files and /health answer at once; SIGCONT and searches succeed."""
    import threading
    if not shutil.which("xapian-tcpsrv"):
        row.skip = "xapian-tcpsrv not found (Debian package xapian-tools)"
        return Answer()
    srv, port = tcpsrv(sample_index(tmp), tmp)
    stub = os.path.join(tmp, "remote-%s.stub" % row.id)
    with open(stub, "w") as f:
        f.write("remote 127.0.0.1:%d\n" % port)
    server = Server(stub, ["--threads", "2", "--timeout", "2", "--request-timeout", "5"], tmp, row.id)
    row.server = server
    answers = []
    try:
        a = exchange(server.port, NORMAL, limit)
        if a.status != 200:
            row.bad("before the stop: %s %r" % (a.status, a.body[:200]))
        os.killpg(srv.pid, signal.SIGSTOP)
        ths = [threading.Thread(target=lambda: answers.append(exchange(server.port, NORMAL, limit)))
               for _ in range(4)]
        for th in ths:
            th.start()
        time.sleep(0.3)
        slow = []
        for path in (b"/", b"/sou.js", b"/health", b"/sou.css"):
            g = timed_get(server.port, path, limit)
            if g.status != 200:
                row.bad("%s during the stall: %s" % (path.decode(), g.status))
            slow.append(g.wall)
        row.fast = max(slow)
        for th in ths:
            th.join()
        os.killpg(srv.pid, signal.SIGCONT)
        again = None
        for _ in range(20):  # the worker's next reopen reconnects
            again = exchange(server.port, NORMAL, limit)
            if again.status == 200:
                break
            time.sleep(0.2)
        if not again or again.status != 200:
            row.bad("after SIGCONT: %s %r" % (again.status, again.body[:200]))
    finally:
        kill_group(srv)
    answers.sort(key=lambda x: x.wall)
    row.note = "searches failed after %s s; page/files/health %.3f s at most" % (
        "/".join("%.2f" % x.wall for x in answers), row.fast)
    for x in answers:
        if x.status != answers[-1].status:
            row.bad("searches during the stall: %s" % [y.status for y in answers])
            break
    return answers[-1] if answers else Answer()


def http_surface(row, tmp):
    """INPUT: a Python expression for the raw bytes sent on one new
    connection from 127.0.0.2, or "@SCENARIO ARGS" (see scenario());
    EXPECT: the http checks in the docstring."""
    row.note, row.skip, row.fast, row.server = "", None, None, None
    opts = row.opt("opts")
    limit = float(row.opt("within", "30")) * (3 if SANITIZED else 1)
    server = None
    inp = value(row.input)
    if not (isinstance(inp, str) and inp.startswith("@")):
        inp = as_bytes(inp)
    dedicated = opts is not None or inp[:12] == "@break-index"
    if inp[:14] == "@stopped-shard":
        dedicated = True
    elif dedicated:
        db = sample_index(tmp)
        if inp[:12] == "@break-index":
            row.db = os.path.join(tmp, "idx-" + row.id)
            shutil.copytree(db, row.db, symlinks=True)
            db = row.db
        server = Server(db, shlex.split(opts or "") if opts is not None else HTTP_OPTS + ["--threads", "1"],
                        tmp, row.id)
    else:
        if getattr(http_surface, "shared", None) is None:
            http_surface.shared = Server(sample_index(tmp), HTTP_OPTS, tmp, "shared")
        server = http_surface.shared
    log_from = len(server.stderr()) if server else 0
    try:
        if isinstance(inp, str):
            name, *args = inp[1:].split()
            a = scenario(row, tmp, name, args, server, limit)
        else:
            a = exchange(server.port, inp, limit)
    finally:
        rc = None
        if dedicated and server:
            rc = server.stop()
        if row.server:
            server = row.server
            rc = server.stop()
    if rc not in (None, 0):  # a sanitizer's report, or a crash
        row.bad("sou-serve exited %s on SIGTERM: %s" % (rc, server.stderr()[-300:]))
    if row.skip:
        print("     %s: skipped: %s" % (row.id, row.skip))
        return None
    if row.note:
        print("     %s: %s" % (row.id, row.note))
    log = server.stderr()[log_from:] if server else ""
    body = a.body.decode("utf-8", "replace")
    for c in row.checks:
        k, _, v = c.partition(":")
        if k == "status" and str(a.status) != v:
            row.bad("status %s, expected %s (after %.2f s); %s %s" % (a.status, v, a.wall,
                                                                     a.head[:200], body[:300]))
        elif k == "body" and v not in body:
            row.bad("body lacks %r: %s" % (v, body[:300]))
        elif k == "!body" and v in body:
            row.bad("body has %r: %s" % (v, body[:300]))
        elif k == "header" and v.lower() not in a.head.lower():
            row.bad("headers lack %r: %s" % (v, a.head[:300]))
        elif k == "log" and v not in log:
            row.bad("the server's stderr lacks %r: %s" % (v, log[:300]))
        elif k == "!log" and v in log:
            row.bad("the server's stderr has %r" % v)
        elif k == "within" and (a.wall > limit or (a.status is None and not a.closed)):
            row.bad("no answer within %.1f s" % limit)
        elif k == "closed" and not (a.closed and a.wall <= float(v) * (3 if SANITIZED else 1)):
            row.bad("the server did not close the connection within %s s (%.2f s, closed %s)"
                    % (v, a.wall, a.closed))
        elif k == "fast" and (row.fast is None or row.fast > float(v) * (3 if SANITIZED else 1)):
            row.bad("page, files and /health took %s s, over %s s" % (row.fast, v))
    return None


def http_cleanup():
    shared = getattr(http_surface, "shared", None)
    if shared is not None:
        http_surface.shared = None
        rc = shared.stop()
        if rc != 0:
            return "the shared sou-serve exited %s on SIGTERM: %s" % (rc, shared.stderr()[-300:])
    return None


SURFACES = {"post": post_surface, "query": query_surface, "index": index_surface,
            "http": http_surface}
# Run after a surface's rows: each returns None, or a failure message.
AFTER = {"http": [http_cleanup]}


def seeds(outdir):
    for sub in ("frontmatter", "text", "segment", "query", "serve"):
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
        elif surface == "http":
            # a raw request's query string seeds fuzz_serve (params.c)
            v = value(inp)
            if isinstance(v, bytes) and b"?" in v.split(b"\r\n", 1)[0]:
                target = v.split(b"\r\n", 1)[0].split(b"?", 1)[1].rsplit(b" ", 1)[0]
                with open(os.path.join(outdir, "serve", "redteam-" + rid), "wb") as f:
                    f.write(target[:SEED_MAX])


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
        for hook in AFTER.get(surface, []):
            msg = hook()
            if msg:
                failed += 1
                print("FAIL %s" % msg, file=sys.stderr)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    print("%d passed, %d failed" % (passed, failed))
    return 0 if failed == 0 else 1


if __name__ == "__main__":
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    sys.exit(main())
