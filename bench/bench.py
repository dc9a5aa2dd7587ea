#!/usr/bin/python3
"""bench/bench.py - sou's benchmark against Sphinx, SQLite FTS5 and Xapian.

Started by bench/run (which installs packages and builds sou in release
mode); see bench/README.md for what every figure means.  Standard library
only; the engines' own bindings are used in bench/engines.py.
"""
import argparse
import calendar
import collections
import datetime
import json
import math
import os
import platform
import re
import shutil
import signal
import socket
import statistics
import tempfile
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
PY = "/usr/bin/python3"
ENGINES_PY = os.path.join(HERE, "engines.py")
ALL_ENGINES = ["sou", "sphinx", "sqlite", "xapian"]
CLASSES = ["rare", "common", "two-words", "phrase", "one-char", "tag+date", "sort-date",
           "known-item", "known-item-ambiguous", "known-item+filter", "headline-words",
           "unspaced", "pinyin", "initials"]
# the classes whose queries have a target post (relevance figures); known-all
# is the title-fragment classes together (as before headline-words existed,
# and before the fragments other titles share were told apart: issue 12)
KNOWN_CLASSES = ["known-item", "known-item-ambiguous", "known-item+filter", "headline-words",
                 "unspaced", "pinyin", "initials", "known-all"]
KNOWN_ALL = ("known-item", "known-item-ambiguous", "known-item+filter")
# reported, not judged: nothing tells which of the posts whose titles share
# the fragment was meant (bench/README "Why title fragments stay near 0.56")
UNJUDGED = ("known-item-ambiguous",)
CLASS_DOC = {
    "rare": "one word seen in only one sampled post",
    "common": "one of the most frequent words",
    "two-words": "two words of one post (AND)",
    "phrase": "a quoted run of 4-6 characters",
    "one-char": "a single Chinese character",
    "tag+date": "a word, a tag and a six-month date range",
    "sort-date": "a frequent word, newest first",
    "known-item": "2-3 consecutive words of a unique title (4+ characters) that no other title "
                  "contains; the target is that post (judged)",
    "known-item-ambiguous": "the same, but the fragment is in other titles too (reported, not "
                            "judged: the fragment does not say which post is meant)",
    "known-item+filter": "the same plus the target's tag and month",
    "headline-words": "2-4 consecutive words of a unique title as another segmenter "
                      "(jieba) cuts them, separated by spaces (AND); the target is that post",
    "unspaced": "2-3 words of a unique title, not all adjacent there, typed as a reader "
                "types Chinese: in title order without spaces (美联储加息 for a title "
                "with 美联储 ... 加息), the whole not in the title; the target is that post",
    "pinyin": "two consecutive words (2+ characters each) of a unique title that no other "
              "title contains, typed as toneless pinyin, a word joined and the words spaced "
              "(guizhou maotai); the target is that post (readings: sou's own, README "
              "\"Pinyin and initials\")",
    "initials": "the same fragment typed as its initials (gzmt), 4-6 letters; the target is "
                "that post (other titles may share the initials)",
}
TZ = 8 * 3600  # sou's default zone, +08:00: date: filters are read in it
SIZES = {"10k": 10_000, "100k": 100_000, "1m": 1_000_000}


def log(*a):
    print("[bench %s]" % time.strftime("%H:%M:%S"), *a, file=sys.stderr, flush=True)


CHILDREN = set()


def proc(cmd, input=None, stdout=None, stderr=None, ok=(0,)):
    """Runs cmd in a session of its own (so that an interrupted run can end
    it and everything under it, see on_signal) and waits for it."""
    p = subprocess.Popen(cmd, stdin=subprocess.PIPE if input is not None else subprocess.DEVNULL,
                         stdout=stdout, stderr=stderr, text=True, start_new_session=True)
    CHILDREN.add(p)
    try:
        out, err = p.communicate(input)
    finally:
        CHILDREN.discard(p)
    if ok is not None and p.returncode not in ok:
        if err:
            sys.stderr.write(err[-3000:])
        raise SystemExit("bench: %s exited %d" % (" ".join(cmd[:3]), p.returncode))
    return subprocess.CompletedProcess(cmd, p.returncode, out, err)


def on_signal(signum, frame):
    for p in list(CHILDREN):
        try:
            os.killpg(p.pid, signal.SIGTERM)
        except OSError:
            pass
    sys.exit(128 + signum)  # unwinds: searchd is stopped on the way out


def run(cmd, **kw):
    return proc(cmd, **kw)


# ------------------------------------------------------------------ measuring

def timed(cmd, stdout=None, ok=(0,)):
    """Runs cmd under GNU time: wall s, user+sys CPU s (children included),
    peak RSS of the largest process in the tree (kB)."""
    fd, tf = tempfile.mkstemp(prefix=".time.", dir=WORK)
    os.close(fd)
    try:
        with open(stdout or os.devnull, "w") as out:
            p = proc(["/usr/bin/time", "-f", "%e %U %S %M", "-o", tf] + cmd,
                     stdout=out, stderr=subprocess.PIPE, ok=ok)
        with open(tf) as f:
            last = f.read().strip().splitlines()[-1]
    finally:
        os.unlink(tf)
    wall, user, sys_, rss = last.split()
    return {"wall_s": float(wall), "cpu_s": float(user) + float(sys_),
            "peak_rss_mb": int(rss) / 1024, "rc": p.returncode}


def tree_bytes(path):
    total = 0
    for d, _, files in os.walk(path):
        for f in files:
            total += os.lstat(os.path.join(d, f)).st_size
    return total


def pct(sorted_vals, q):
    """Nearest-rank percentile of an ascending list."""
    if not sorted_vals:
        return None
    k = max(1, math.ceil(q * len(sorted_vals)))
    return sorted_vals[k - 1]


def median(vals):
    vals = [v for v in vals if v is not None]
    return statistics.median(vals) if vals else None


# ------------------------------------------------------------------ corpus

def prepare_tree(args):
    """Returns (name, posts tree)."""
    if args.tree:
        return os.path.basename(os.path.normpath(args.tree)), os.path.abspath(args.tree)
    if args.size == "xwlb":
        tree = os.path.join(WORK, "xwlb")
        if not os.path.isdir(tree):
            if not os.path.isfile(TARBALL):
                raise SystemExit("bench: --size xwlb needs %s" % TARBALL)
            log("unpacking", TARBALL)
            run(["tar", "-xzf", TARBALL, "-C", WORK])
        return "xwlb", tree
    n = SIZES[args.size]
    tree = os.path.join(WORK, "gen-%s-s%d" % (args.size, args.seed))
    if not os.path.isfile(tree + ".done"):
        source = os.path.join(WORK, "xwlb")
        if not os.path.isdir(source) and os.path.isfile(TARBALL):
            run(["tar", "-xzf", TARBALL, "-C", WORK])
        if not os.path.isdir(source):
            source = os.path.join(ROOT, "corpus", "posts")
        log("generating %d posts from %s into %s" % (n, source, tree))
        shutil.rmtree(tree, ignore_errors=True)
        t0 = time.time()
        run([PY, os.path.join(HERE, "gen-corpus"), "--posts", str(n), "--seed", str(args.seed),
             "--source", source, "--out", tree])
        log("generated in %.1f s" % (time.time() - t0))
        open(tree + ".done", "w").close()
    return "gen-" + args.size, tree


docs_bytes = [0, 0]


def load_bodies(jsonl, wanted):
    """{line index: body} for the posts whose 0-based index is in wanted."""
    wanted, out = set(wanted), {}
    with open(jsonl, encoding="utf-8") as f:
        for i, line in enumerate(f):
            if i in wanted:
                out[i] = json.loads(line)["body"]
    return out


def extract(name, tree):
    out = os.path.join(WORK, RUN_NAME + ".jsonl")  # per run: runs may overlap
    log("extracting plain text of", tree)
    proc([EXTRACT, tree, out], stderr=subprocess.PIPE, ok=(0, 1))
    # bodies are not kept (a million posts would take gigabytes): only their
    # sizes; make_workload() reads the bodies of its sample again
    docs, title_bytes, body_bytes = [], 0, 0
    with open(out, encoding="utf-8") as f:
        for line in f:
            d = json.loads(line)
            body = d.pop("body")
            title_bytes += len(d["title"].encode())
            body_bytes += len(body.encode())
            docs.append(d)
    docs_bytes[:] = [title_bytes, body_bytes]
    return out, docs


# ------------------------------------------------------------------ workload

CJK_RUN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff]+")


def is_cjk_word(w):
    return CJK_RUN.fullmatch(w) is not None


def analyze(lines):
    """sou's own segmentation (ICU words) of each line, one process."""
    p = proc([SOU_QUERY, "--analyze"], input="\n".join(lines) + "\n", stdout=subprocess.PIPE)
    out = p.stdout.split("\n")[:len(lines)]
    if len(out) != len(lines):
        raise SystemExit("bench: sou-query --analyze gave %d lines for %d" % (len(out), len(lines)))
    return [[w for w in l.split("  ") if w] for l in out]


def month_range(y, m, months):
    """[lo, hi) epochs of months whole months from y-m, in +08:00; and sou's syntax."""
    def start(y, m):
        y += (m - 1) // 12
        m = (m - 1) % 12 + 1
        return y, m, calendar.timegm((y, m, 1, 0, 0, 0)) - TZ
    y0, m0, lo = start(y, m)
    y1, m1, _ = start(y, m + months - 1)
    _, _, hi = start(y, m + months)
    sou = "%04d-%02d" % (y0, m0) if months == 1 else "%04d-%02d..%04d-%02d" % (y0, m0, y1, m1)
    return [lo, hi], sou


def local_ym(epoch):
    t = time.gmtime(epoch + TZ)
    return t.tm_year, t.tm_mon


def other_segmenter(name):
    """(description, cut) of the segmenter the headline-words class uses:
    one that is not sou's, so that the queries do not follow sou's own
    word boundaries.  jieba (Debian's python3-jieba, installed by bench/run)
    with its bundled dictionary; or forward maximum matching over the PKU
    training word list of ../shared/segmentation (bench/sighan/fmm.py's
    algorithm).  Both are deterministic."""
    if name == "jieba":
        try:
            import jieba
        except ImportError:
            raise SystemExit("bench: --headline-seg jieba needs python3-jieba (bench/run installs it)")
        jieba.setLogLevel(60)
        jieba.initialize()
        return "jieba %s" % getattr(jieba, "__version__", "?"), lambda t: jieba.lcut(t)
    path = os.path.join(SHARED, "segmentation", "pku_training_words.utf8")
    with open(path, encoding="utf-8") as f:
        words = set(w.strip() for w in f if w.strip())
    maxlen = max(len(w) for w in words)

    def fmm(line):
        out, i = [], 0
        while i < len(line):
            for n in range(min(maxlen, len(line) - i), 0, -1):
                if n == 1 or line[i:i + n] in words:
                    out.append(line[i:i + n])
                    i += n
                    break
        return out
    return "forward maximum matching over the PKU training list", fmm


def headline_queries(docs, seed, count, cut, add):
    """The headline-words class: 2-4 consecutive words of a title that no
    other post has, as `cut` segments it, joined with spaces (AND).  Every
    word is Chinese; the first and last have 2+ characters (no particle or
    half name at the edges); 4+ characters in all.  Own random stream
    (seeded from --seed), so the other classes do not change with it."""
    import random
    rng = random.Random("headline-%d" % seed)
    titles = collections.Counter(d["title"] for d in docs)
    cands = [i for i in range(len(docs))
             if titles[docs[i]["title"]] == 1 and CJK_RUN.search(docs[i]["title"])]
    rng.shuffle(cands)
    made = 0
    for i in cands:
        if made >= count:
            break
        ws = [w for w in cut(docs[i]["title"].replace("\n", " ")) if w.strip()]
        k = rng.choice((2, 3, 4))
        starts = [s for s in range(len(ws) - k + 1)
                  if all(is_cjk_word(w) for w in ws[s:s + k]) and len(ws[s]) >= 2
                  and len(ws[s + k - 1]) >= 2 and sum(len(w) for w in ws[s:s + k]) >= 4]
        if not starts:
            continue
        s = rng.choice(starts)
        add("headline-words", ws[s:s + k], target=i + 1)
        made += 1
    if made < count:
        log("warning: only %d headline-words queries" % made)


def unspaced_queries(docs, seed, count, cut, add):
    """The unspaced class (issue 19): 2-3 words of a title that no other
    post has, as `cut` segments them, not all adjacent in the title, joined
    in title order without spaces; the joined text is not in the title, so
    matching it as one run finds nothing and only its words find the post.
    Every word is Chinese with 2+ characters.  Own random stream."""
    import random
    rng = random.Random("unspaced-%d" % seed)
    titles = collections.Counter(d["title"] for d in docs)
    cands = [i for i in range(len(docs))
             if titles[docs[i]["title"]] == 1 and CJK_RUN.search(docs[i]["title"])]
    rng.shuffle(cands)
    made = 0
    for i in cands:
        if made >= count:
            break
        title = docs[i]["title"].replace("\n", " ")
        ws = [w for w in cut(title) if w.strip()]
        idx = [j for j, w in enumerate(ws) if is_cjk_word(w) and len(w) >= 2]
        k = rng.choice((2, 3))
        if len(idx) < k:
            continue
        pick = sorted(rng.sample(idx, k))
        if pick[-1] - pick[0] == k - 1:
            continue  # all adjacent: that is the known-item class
        q = "".join(ws[j] for j in pick)
        if q in title:
            continue
        add("unspaced", [q], target=i + 1)
        made += 1
    if made < count:
        log("warning: only %d unspaced queries" % made)


def pinyin_queries(docs, seed, count, add):
    """The pinyin and initials classes: two consecutive words of a title
    that no other title contains, each of 2+ Chinese characters, read by
    `sou-query --analyze --terms pinyin`.  Own random stream (seeded from
    --seed), so the other classes do not change with it."""
    import random
    rng = random.Random("pinyin-%d" % seed)
    titles = collections.Counter(d["title"] for d in docs)
    all_titles = "\n".join(d["title"].replace("\n", " ") for d in docs)
    cands = [i for i in range(len(docs))
             if titles[docs[i]["title"]] == 1 and CJK_RUN.search(docs[i]["title"])]
    rng.shuffle(cands)
    cands = cands[:count * 6]
    lines = [docs[i]["title"].replace("\n", " ") for i in cands]
    p = proc([SOU_QUERY, "--analyze", "--terms", "pinyin"], input="\n".join(lines) + "\n",
             stdout=subprocess.PIPE)
    read = re.compile(r"^(.+)\(([a-z ]+)\)$")
    made = {"pinyin": 0, "initials": 0}
    for i, l in zip(cands, p.stdout.split("\n")):
        if min(made.values()) >= count:
            break
        ws = [read.match(w) for w in l.split("  ") if w]
        starts = [s for s in range(len(ws) - 1)
                  if ws[s] and ws[s + 1] and len(ws[s].group(1)) >= 2
                  and len(ws[s + 1].group(1)) >= 2 and is_cjk_word(ws[s].group(1))
                  and is_cjk_word(ws[s + 1].group(1))]
        if not starts:
            continue
        s = rng.choice(starts)
        frag = ws[s].group(1) + ws[s + 1].group(1)
        if frag not in docs[i]["title"] or all_titles.count(frag) > docs[i]["title"].count(frag):
            continue
        reads = [ws[s].group(2), ws[s + 1].group(2)]
        if made["pinyin"] < count:
            add("pinyin", [r.replace(" ", "") for r in reads], target=i + 1)
            made["pinyin"] += 1
        inits = "".join(x[0] for r in reads for x in r.split())
        if made["initials"] < count and len(inits) <= 6:
            add("initials", [inits], target=i + 1)
            made["initials"] += 1
    if min(made.values()) < count:
        log("warning: only %s pinyin queries" % made)


def make_workload(docs, jsonl, seed, per_class, known, headline=0, cut=None, unspaced=0,
                  pinyin=0):
    import random
    rng = random.Random(seed)
    n = len(docs)
    sample = sorted(rng.sample(range(n), min(3000, n)))
    lines, owner = [], []
    bodies = load_bodies(jsonl, sample)
    for i in sample:
        for l in bodies[i].split("\n")[:40]:
            l = l.strip()
            if l:
                lines.append(l)
                owner.append(i)
    words_of = collections.defaultdict(set)
    occ = collections.Counter()
    for i, ws in zip(owner, analyze(lines)):
        for w in ws:
            if len(w) >= 2 and is_cjk_word(w):
                words_of[i].add(w)
                occ[w] += 1
    df = collections.Counter()
    for ws in words_of.values():
        df.update(ws)
    S = len(sample)
    qs = []

    def add(cls, terms, phrase=False, tag=None, date=None, sou_date=None, sort="relevance",
            target=None):
        q = {"class": cls, "terms": terms, "phrase": phrase, "tag": tag, "date": date,
             "sort": sort}
        if target is not None:
            q["target"] = target
        parts = ["--limit", "10"]
        if sort == "-date":
            parts += ["--sort", "-date"]
        parts += ['"%s"' % t if phrase else t for t in terms]
        if tag:
            parts.append("tag:" + tag)
        if sou_date:
            parts.append("date:" + sou_date)
        q["sou"] = " ".join(parts)
        qs.append(q)

    def pick(pool, k):
        if not pool:
            log("warning: no candidates for a query class")
            return []
        if len(pool) >= k:
            return rng.sample(pool, k)
        return [rng.choice(pool) for _ in range(k)]

    rare = sorted(w for w in df if df[w] == 1 and occ[w] == 1 and len(w) <= 4)
    for w in pick(rare, per_class):
        add("rare", [w])
    by_df = sorted(df, key=lambda w: (-df[w], w))
    common = [w for w in by_df if df[w] >= 0.02 * S] or by_df[:per_class]
    common = common[:max(per_class, 50)]
    for w in pick(common, per_class):
        add("common", [w])
    mid_docs = [i for i in sample if sum(1 for w in words_of[i] if df[w] >= 3) >= 2]
    for _ in range(per_class if mid_docs else 0):
        i = rng.choice(mid_docs)
        ws = sorted(w for w in words_of[i] if df[w] >= 3)
        for _ in range(10):
            a, b = rng.sample(ws, 2)
            if a not in b and b not in a:
                break
        add("two-words", [a, b])
    runs = []
    for l in lines:
        runs += [r for r in CJK_RUN.findall(l) if len(r) >= 6]
    for _ in range(per_class if runs else 0):
        r = rng.choice(runs)
        k = rng.randint(4, 6)
        s = rng.randrange(len(r) - k + 1)
        add("phrase", [r[s:s + k]], phrase=True)
    chars = "".join(CJK_RUN.findall("".join(rng.choice(lines) for _ in range(50)))) if lines else ""
    for _ in range(per_class if chars else 0):
        add("one-char", [rng.choice(chars)])
    tagged = [i for i in sample if docs[i]["date"] is not None and words_of[i]
              and any(t and not re.search(r"\s", t) for t in docs[i]["tags"])]
    for _ in range(per_class if tagged else 0):
        i = rng.choice(tagged)
        d = docs[i]
        tag = rng.choice([t for t in d["tags"] if t and not re.search(r"\s", t)])
        y, m = local_ym(d["date"])
        date, sou_date = month_range(y, m - rng.randrange(6), 6)
        add("tag+date", [rng.choice(sorted(words_of[i]))], tag=tag, date=date, sou_date=sou_date)
    for w in pick(common, per_class):
        add("sort-date", [w], sort="-date")

    # known items: 2-3 consecutive ICU words of a title that no other post has
    titles = collections.Counter(d["title"] for d in docs)
    # every title once a line, to count the titles holding a fragment
    all_titles = "\n".join(d["title"].replace("\n", " ") for d in docs)
    cands = [i for i in range(n) if titles[docs[i]["title"]] == 1 and CJK_RUN.search(docs[i]["title"])]
    rng.shuffle(cands)
    cands = cands[:known * 6]
    made = 0
    for i, ws in zip(cands, analyze([docs[i]["title"].replace("\n", " ") for i in cands])):
        if made >= known:
            break
        k = rng.choice((2, 3))
        if len(ws) < k:
            k = len(ws)
        if k < 2:
            continue
        s = rng.randrange(len(ws) - k + 1)
        part = ws[s:s + k]
        frag = "".join(part)
        # a fragment someone would type: words of Chinese only, found verbatim
        # in the title, at least 4 characters, not starting or ending with a
        # one-character word (a particle or half of an unknown name)
        if (not all(is_cjk_word(w) for w in part) or frag not in docs[i]["title"]
                or len(frag) < 4 or len(part[0]) < 2 or len(part[-1]) < 2):
            continue
        d = docs[i]
        tags = [t for t in d["tags"] if t and not re.search(r"\s", t)]
        if made % 4 == 3 and tags and d["date"] is not None:
            y, m = local_ym(d["date"])
            date, sou_date = month_range(y, m, 1)
            add("known-item+filter", [frag], tag=rng.choice(tags), date=date, sou_date=sou_date,
                target=i + 1)
        elif all_titles.count(frag) > docs[i]["title"].count(frag):
            # another title holds the fragment too (issue 12): reported apart
            add("known-item-ambiguous", [frag], target=i + 1)
        else:
            add("known-item", [frag], target=i + 1)
        made += 1
    if made < known:
        log("warning: only %d known-item queries" % made)
    if headline and cut:
        headline_queries(docs, seed, headline, cut, add)
    if unspaced and cut:
        unspaced_queries(docs, seed, unspaced, cut, add)
    if pinyin:
        pinyin_queries(docs, seed, pinyin, add)
    return qs


# ------------------------------------------------------------------ engines

def index_dir(engine):
    return os.path.join(WORK, "idx", RUN_NAME, engine)


def free_port(preferred):
    for port in (preferred, 0):
        s = socket.socket()
        try:
            s.bind(("127.0.0.1", port))
            return s.getsockname()[1]
        except OSError:
            continue
        finally:
            s.close()
    raise SystemExit("bench: no free port")


class Searchd:
    """searchd on a loopback port for the duration of the queries, always stopped."""

    def __init__(self, conf, port):
        self.conf, self.port = conf, port

    def __enter__(self):
        run(["searchd", "--config", self.conf], stdout=subprocess.DEVNULL)
        pidfile = os.path.join(os.path.dirname(self.conf), "searchd.pid")
        for _ in range(100):
            try:
                # ours, not another run's searchd on the same port
                with open(pidfile) as f:
                    os.kill(int(f.read().strip()), 0)
                socket.create_connection(("127.0.0.1", self.port), 0.2).close()
                return self
            except (OSError, ValueError):
                time.sleep(0.1)
        self.__exit__()
        raise SystemExit("bench: searchd did not start (see %s)" % os.path.dirname(self.conf))

    def __exit__(self, *exc):
        subprocess.run(["searchd", "--config", self.conf, "--stopwait"],
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def index_engine(engine, tree, jsonl, repeat, port):
    d = index_dir(engine)
    runs = []
    for r in range(repeat):
        shutil.rmtree(d, ignore_errors=True)
        os.makedirs(os.path.dirname(d), exist_ok=True)
        if engine == "sou":
            m = timed([SOU_INDEX, "--db", d, tree], stdout=d + ".out", ok=(0, 1))
            with open(d + ".out") as f:
                m["summary"] = f.read().strip().splitlines()[-1:]
        elif engine == "sphinx":
            # the source file is written untimed: it stands for the JSON the
            # other engines decode while they index
            tsv = os.path.join(WORK, RUN_NAME + ".tsv")
            if r == 0:
                run([PY, ENGINES_PY, "sphinx-tsv", jsonl, tsv, d + ".tags.json"])
            run([PY, ENGINES_PY, "sphinx-conf", d, tsv, str(port)])
            shutil.copy(d + ".tags.json", os.path.join(d, "tags.json"))
            m = timed(["indexer", "--config", os.path.join(d, "sphinx.conf"), "--all", "--quiet"])
        else:
            m = timed([PY, ENGINES_PY, "index", engine, jsonl, d])
        size = tree_bytes(d)
        if engine == "sphinx":  # config, logs and the tag map are not the index
            size -= sum(os.path.getsize(os.path.join(d, f)) for f in ("sphinx.conf", "tags.json"))
        m["index_bytes"] = size
        log("%s index run %d: %.1f s wall, %.1f s CPU, %.0f MB RSS, %.1f MB" % (
            engine, r + 1, m["wall_s"], m["cpu_s"], m["peak_rss_mb"], size / 1e6))
        runs.append(m)
    return runs


def query_engine(engine, workload_path, qs, passes, port):
    d = index_dir(engine)
    if engine == "sou":
        batch = workload_path + ".sou"
        with open(batch, "w", encoding="utf-8") as f:
            for q in qs:
                f.write(q["sou"] + "\n")
        lat, lat_ids, hits = [], [], None
        # with snippets (what a person sees), then --snippet 0 (the hits
        # without snippets: closest to the baselines, which return ids)
        for extra, into in (([], lat), (["--snippet", "0"], lat_ids)):
            for p in range(passes + 1):  # the first pass is the untimed warm-up
                out = proc([SOU_QUERY, "--db", d, "--json", "--batch", batch] + extra,
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE, ok=(0, 1))
                rows = [json.loads(l) for l in out.stdout.splitlines() if l.strip()]
                if len(rows) != len(qs):
                    raise SystemExit("bench: sou-query gave %d lines for %d queries" % (len(rows), len(qs)))
                if p == 0 and hits is None:
                    hits = [[DOCNO.get(h["path"], -1) for h in r["result"]["hits"]]
                            if "result" in r else [] for r in rows]
                    errors = sum(1 for r in rows if "result" not in r)
                    if errors:
                        log("warning: sou rejected %d queries" % errors)
                elif p:
                    into.append([r.get("latency_ms") for r in rows])
        return {"latency_ms": lat, "latency_ms_ids": lat_ids, "hits": hits}
    out = os.path.join(WORK, "%s.%s.out.json" % (RUN_NAME, engine))
    cmd = [PY, ENGINES_PY, "query", engine, d, workload_path, out, str(passes), str(port)]
    if engine == "sphinx":
        # the port is chosen now (another run may have taken it since indexing)
        port = free_port(port)
        tsv = os.path.join(WORK, RUN_NAME + ".tsv")
        run([PY, ENGINES_PY, "sphinx-conf", d, tsv, str(port)])
        cmd[-1] = str(port)
        with Searchd(os.path.join(d, "sphinx.conf"), port):
            run(cmd)
    else:
        run(cmd)
    with open(out) as f:
        return json.load(f)


def summarize_queries(qs, res, key="latency_ms"):
    out = {}
    for cls in CLASSES + ["all"]:
        idx = [i for i, q in enumerate(qs) if cls == "all" or q["class"] == cls]
        if not idx:
            continue
        per_pass = []
        for lat in res[key]:
            v = sorted(lat[i] for i in idx if lat[i] is not None)
            per_pass.append({"p50": pct(v, .50), "p95": pct(v, .95), "p99": pct(v, .99),
                             "mean": statistics.fmean(v) if v else None})
        s = {k: median([p[k] for p in per_pass]) for k in ("p50", "p95", "p99", "mean")}
        s["n"] = len(idx)
        s["with_hits"] = sum(1 for i in idx if res["hits"][i]) / len(idx)
        out[cls] = s
    return out


def relevance(qs, res):
    out = {}
    for cls in KNOWN_CLASSES:
        idx = [i for i, q in enumerate(qs) if "target" in q and
               (q["class"] in KNOWN_ALL if cls == "known-all" else q["class"] == cls)]
        if not idx:
            continue
        s1 = s10 = rr = 0.0
        for i in idx:
            h = res["hits"][i]
            t = qs[i]["target"]
            if t in h:
                r = h.index(t) + 1
                s1 += r == 1
                s10 += 1
                rr += 1.0 / r
        out[cls] = {"n": len(idx), "success@1": s1 / len(idx), "success@10": s10 / len(idx),
                    "mrr@10": rr / len(idx)}
    return out


def summarize_index(runs, posts, text_bytes):
    m = {k: median([r[k] for r in runs]) for k in ("wall_s", "cpu_s", "peak_rss_mb", "index_bytes")}
    if not runs:  # --reuse
        m.update(posts_per_s=None, text_mb_per_s=None, index_mb=None, index_per_text=None)
        return m
    m["posts_per_s"] = posts / m["wall_s"]
    m["text_mb_per_s"] = text_bytes / 1e6 / m["wall_s"]
    m["index_mb"] = m["index_bytes"] / 1e6
    m["index_per_text"] = m["index_bytes"] / text_bytes
    return m


# ------------------------------------------------------------------ facts

def machine():
    model = ""
    try:
        with open("/proc/cpuinfo") as f:
            model = next((l.split(":", 1)[1].strip() for l in f if l.startswith("model name")), "")
        with open("/proc/meminfo") as f:
            mem = int(f.readline().split()[1]) / 1024 / 1024
    except (OSError, StopIteration):
        mem = 0
    return {"cpu": model, "cores": os.cpu_count(), "mem_gib": round(mem, 1),
            "kernel": platform.release(), "loadavg_start": os.getloadavg()}


def versions():
    def dpkg(p):
        r = subprocess.run(["dpkg-query", "-W", "-f=${Version}", p], stdout=subprocess.PIPE,
                           stderr=subprocess.DEVNULL, text=True)
        return r.stdout or None
    git = subprocess.run(["git", "-C", ROOT, "describe", "--always", "--dirty"],
                         stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True).stdout.strip()
    import sqlite3
    return {"sou": git or None, "sphinxsearch": dpkg("sphinxsearch"),
            "sqlite": sqlite3.sqlite_version, "xapian": dpkg("libxapian30"),
            "python3-xapian": dpkg("python3-xapian"), "python3-jieba": dpkg("python3-jieba"),
            "python": platform.python_version(),
            "sou_build": os.environ.get("SOU_BENCH_BUILD_FLAGS", "")}


# ------------------------------------------------------------------ report

def fmt(v, digits=2):
    if v is None:
        return "–"
    if isinstance(v, float):
        if abs(v) >= 100:
            return "%.0f" % v
        if abs(v) >= 10:
            return "%.1f" % v
        return ("%%.%df" % digits) % v
    return str(v)


def ratio(a, b):
    if a is None or b is None or b == 0:
        return "–"
    return "%.2f×" % (a / b)


def markdown(res):
    eng = [e for e in ALL_ENGINES if e in res["engines"]]
    base = [e for e in eng if e != "sou"]
    c = res["corpus"]
    m = res["machine"]
    L = ["# sou benchmark: %s" % res["name"], "",
         "%s, %d posts, %.1f MB of post files, %.1f MB of plain text (titles + bodies). "
         "Machine: %s, %d cores, %.0f GiB; load average at start %s. Each index build %d times "
         "and each query pass %d times (after a warm-up pass); medians shown. "
         "Versions: %s." % (
             c["name"], c["posts"], c["file_bytes"] / 1e6, c["text_bytes"] / 1e6, m["cpu"],
             m["cores"], m["mem_gib"], " ".join("%.2f" % x for x in m["loadavg_start"]),
             res["repeat"], res["repeat"],
             ", ".join("%s %s" % (k, v) for k, v in res["versions"].items() if v)), ""]
    if "sou" in res["engines"] and base:
        L += ["Ratios are sou ÷ baseline from this run: below 1 is better for sou for times, sizes "
              "and memory; above 1 is better for sou for throughput and relevance.", ""]
    head = "| figure | " + " | ".join(eng) + "".join(" | sou ÷ %s" % b for b in base if "sou" in eng) + " |"
    sep = "|---|" + "---:|" * (len(eng) + (len(base) if "sou" in eng else 0))

    def row(label, vals):
        cells = [fmt(vals.get(e)) for e in eng]
        if "sou" in eng:
            cells += [ratio(vals.get("sou"), vals.get(b)) for b in base]
        return "| %s | %s |" % (label, " | ".join(cells))

    E = res["engines"]
    L += ["## Indexing", "", "sou reads the posts tree (parsing included); the baselines read "
          "the extracted plain text.", "", head, sep]
    for key, label in (("wall_s", "wall s"), ("cpu_s", "CPU s"), ("posts_per_s", "posts/s"),
                       ("text_mb_per_s", "text MB/s"), ("peak_rss_mb", "peak RSS MB"),
                       ("index_mb", "index MB"), ("index_per_text", "index ÷ text")):
        L.append(row(label, {e: E[e]["index"][key] for e in eng}))
    L += ["", "## Query latency, ms (in-process, top 10)", "", head, sep]
    for cls in CLASSES + ["all"]:
        for p in ("p50", "p95", "p99"):
            vals = {e: E[e]["queries"].get(cls, {}).get(p) for e in eng}
            if any(v is not None for v in vals.values()):
                L.append(row("%s %s" % (cls, p), vals))
    if "sou" in eng and E["sou"].get("queries_ids"):
        # sou without snippets next to the fastest baseline that returns ids
        ref = "xapian" if "xapian" in eng else (base[0] if base else None)
        cols = ["sou", "sou --snippet 0"] + ([ref, "sou --snippet 0 ÷ %s" % ref] if ref else [])
        L += ["", "## sou without snippets, ms", "",
              "The same workload through `sou-query --snippet 0`: every hit's path, title, date and "
              "tags, no snippet or highlights (the baselines return document ids only).", "",
              "| figure | " + " | ".join(cols) + " |", "|---|" + "---:|" * len(cols)]
        for cls in CLASSES + ["all"]:
            for p in ("p50", "p99"):
                a = E["sou"]["queries"].get(cls, {}).get(p)
                b = E["sou"]["queries_ids"].get(cls, {}).get(p)
                cells = [fmt(a), fmt(b)]
                if ref:
                    x = E[ref]["queries"].get(cls, {}).get(p)
                    cells += [fmt(x), ratio(b, x)]
                if b is not None:
                    L.append("| %s %s | %s |" % (cls, p, " | ".join(cells)))
    L += ["", "## Queries with at least one hit", "", "| class | n | " + " | ".join(eng) + " |",
          "|---|---:|" + "---:|" * len(eng)]
    for cls in CLASSES:
        q = [E[e]["queries"].get(cls) for e in eng]
        if q[0]:
            L.append("| %s | %d | %s |" % (cls, q[0]["n"], " | ".join(
                "%.0f%%" % (x["with_hits"] * 100) for x in q)))
    if any(E[e].get("relevance") for e in eng):
        L += ["", "## Known-item relevance (MRR over the top 10)", "",
              "known-item: fragments of one title that no other title contains (judged); "
              "known-item-ambiguous: fragments other titles contain too (reported, not judged); "
              "known-item+filter: a fragment with the target's tag and month; known-all: those "
              "three together; headline-words: words of a title as %s cuts them, AND." % c.get(
                  "headline_segmenter", "another segmenter"), "", head, sep]
        for cls in KNOWN_CLASSES:
            for k in ("success@1", "success@10", "mrr@10"):
                vals = {e: E[e]["relevance"].get(cls, {}).get(k) for e in eng}
                if any(v is not None for v in vals.values()):
                    n = next(E[e]["relevance"][cls]["n"] for e in eng if cls in E[e]["relevance"])
                    L.append(row("%s (%d) %s%s" % (cls, n, k, " (reported, not judged)"
                                                    if cls in UNJUDGED else ""), vals))
    L += ["", "Query classes: " + "; ".join("%s: %s" % (k, v) for k, v in CLASS_DOC.items()) + "."]
    notes = list(res.get("notes", []))
    if "sou" in E and E["sou"]["index"]["cpu_s"] is not None and \
            E["sou"]["index"]["cpu_s"] > 1.1 * E["sou"]["index"]["wall_s"]:
        notes.append("sou-index used more than one core (CPU s above wall s); the baselines "
                     "index on one thread: compare CPU s as well as wall s.")
    if "sphinx" in E and E["sphinx"].get("roundtrip_floor_ms") is not None:
        notes.append("Sphinx round-trip floor (client, protocol and server for a query "
                     "matching nothing), median: %.3f ms; it is part of every Sphinx figure."
                     % E["sphinx"]["roundtrip_floor_ms"])
    if notes:
        L += [""] + ["- " + n for n in notes]
    return "\n".join(L) + "\n"


def scaling_markdown(res):
    L = ["# sou scaling: %s" % res["name"], "",
         "Generated corpora (bench/gen-corpus, seed %d). Machine: %s, %d cores; load average at "
         "start %s. Medians of %d runs. Growth is relative to the smallest size." % (
             res["seed"], res["machine"]["cpu"], res["machine"]["cores"],
             " ".join("%.2f" % x for x in res["machine"]["loadavg_start"]), res["repeat"]), ""]
    sizes = res["sizes"]
    for eng in ALL_ENGINES:
        rows = [(s, res["runs"][s]["engines"][eng]) for s in sizes if eng in res["runs"][s]["engines"]]
        if not rows:
            continue
        L += ["## %s" % eng, "", "| figure | " + " | ".join(s for s, _ in rows) + " | growth |",
              "|---|" + "---:|" * (len(rows) + 1)]

        def line(label, vals):
            g = ratio(vals[-1], vals[0]) if len(vals) > 1 else "–"
            L.append("| %s | %s | %s |" % (label, " | ".join(fmt(v) for v in vals), g))
        line("posts", [res["runs"][s]["corpus"]["posts"] for s, _ in rows])
        line("text MB", [res["runs"][s]["corpus"]["text_bytes"] / 1e6 for s, _ in rows])
        for key, label in (("wall_s", "index wall s"), ("cpu_s", "index CPU s"),
                           ("posts_per_s", "posts/s"), ("peak_rss_mb", "peak RSS MB"),
                           ("index_mb", "index MB"), ("index_per_text", "index ÷ text")):
            line(label, [e["index"][key] for _, e in rows])
        if all("rerun" in e for _, e in rows):
            line("re-run on unchanged tree, wall s", [e["rerun"]["wall_s"] for _, e in rows])
        for cls in ("all", "rare", "common", "one-char", "sort-date"):
            for p in ("p50", "p99"):
                line("%s %s ms" % (cls, p), [e["queries"].get(cls, {}).get(p) for _, e in rows])
        for k in ("success@1", "mrr@10"):
            line("known-item %s" % k, [e["relevance"].get("known-all", {}).get(k) for _, e in rows])
        L.append("")
    return "\n".join(L)


# ------------------------------------------------------------------ main

def bench_corpus(args, name, tree, engines, rerun=False):
    jsonl, docs = extract(name, tree)
    global DOCNO
    DOCNO = {d["id"]: i + 1 for i, d in enumerate(docs)}
    text_bytes = sum(docs_bytes)
    corpus = {"name": name, "tree": tree, "posts": len(docs), "file_bytes": tree_bytes(tree),
              "text_bytes": text_bytes, "body_bytes": docs_bytes[1]}
    log("corpus %s: %d posts, %.1f MB text" % (name, len(docs), text_bytes / 1e6))
    seg_name, cut = (other_segmenter(args.headline_seg) if args.headline or args.unspaced
                     else (None, None))
    qs = make_workload(docs, jsonl, args.seed, args.queries, args.known, args.headline, cut,
                       args.unspaced, args.pinyin)
    if args.headline or args.unspaced:
        corpus["headline_segmenter"] = seg_name
    wl = os.path.join(WORK, RUN_NAME + ".workload.json")
    with open(wl, "w", encoding="utf-8") as f:
        json.dump(qs, f, ensure_ascii=False)
    log("workload: %d queries, %s" % (len(qs), dict(collections.Counter(q["class"] for q in qs))))
    port = free_port(args.port)  # chosen again before searchd starts
    out = {"corpus": corpus, "engines": {}}
    hits = {}
    for e in engines:
        log("== %s" % e)
        if args.reuse and os.path.isdir(index_dir(e)):
            # --reuse: the index a --keep run of the same --name left (for
            # relevance experiments, e.g. SOU_TUNE's rerank knobs); no figures
            log("reusing", index_dir(e))
            runs = []
        else:
            runs = index_engine(e, tree, jsonl, args.repeat, port)
        r = {"index_runs": runs, "index": summarize_index(runs, len(docs), text_bytes)}
        if rerun and e == "sou":
            m = timed([SOU_INDEX, "--db", index_dir(e), tree], ok=(0, 1))
            log("sou re-run on the unchanged tree: %.1f s" % m["wall_s"])
            r["rerun"] = m
        qr = query_engine(e, wl, qs, args.repeat, port)
        r["queries"] = summarize_queries(qs, qr)
        if qr.get("latency_ms_ids"):
            r["queries_ids"] = summarize_queries(qs, qr, "latency_ms_ids")
        r["relevance"] = relevance(qs, qr)
        hits[e] = qr["hits"]
        if "roundtrip_floor_ms" in qr:
            r["roundtrip_floor_ms"] = qr["roundtrip_floor_ms"]
        out["engines"][e] = r
        log("%s: all p50 %.3f ms p99 %.3f ms; known-item MRR %s" % (
            e, r["queries"]["all"]["p50"], r["queries"]["all"]["p99"],
            fmt(r["relevance"].get("known-all", {}).get("mrr@10"))))
        if not args.keep:
            shutil.rmtree(index_dir(e), ignore_errors=True)
            for f in (".out", ".tags.json"):
                if os.path.exists(index_dir(e) + f):
                    os.unlink(index_dir(e) + f)
    if not args.keep:
        for f in [jsonl, os.path.join(WORK, RUN_NAME + ".tsv")] + [
                os.path.join(WORK, "%s.%s.out.json" % (RUN_NAME, e)) for e in engines]:
            if os.path.exists(f):
                os.unlink(f)
        shutil.rmtree(os.path.join(WORK, "idx", RUN_NAME), ignore_errors=True)
    # every query with each engine's top 10 (1-based lines of the JSONL), for diffing
    with open(os.path.join(HERE, "results", RUN_NAME + ".queries.json"), "w", encoding="utf-8") as f:
        json.dump({"docs": [d["id"] for d in docs], "queries": qs, "hits": hits}, f,
                  ensure_ascii=False)
    return out


def main():
    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    ap = argparse.ArgumentParser(prog="bench/run", description=__doc__.split("\n")[0])
    ap.add_argument("--size", default="xwlb", choices=["xwlb"] + list(SIZES))
    ap.add_argument("--tree", help="benchmark this posts tree instead")
    ap.add_argument("--engines", help="comma-separated; default all four, in scaling mode sou")
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--queries", type=int, default=200, help="queries per class")
    ap.add_argument("--known", type=int, default=400, help="known-item (title fragment) queries")
    ap.add_argument("--headline", type=int, default=300, help="headline-words queries (0: none)")
    ap.add_argument("--unspaced", type=int, default=300,
                    help="unspaced multi-word queries (0: none; cut like --headline-seg)")
    ap.add_argument("--pinyin", type=int, default=200,
                    help="pinyin and initials queries each (0: none)")
    ap.add_argument("--headline-seg", default="jieba", choices=["jieba", "fmm"],
                    help="segmenter of the headline-words class (fmm: over SIGHAN's PKU list)")
    ap.add_argument("--reuse", action="store_true",
                    help="use the indexes a --keep run of the same --name left, without "
                         "index figures (relevance experiments)")
    ap.add_argument("--seed", type=int, default=42)
    ap.add_argument("--port", type=int, default=19306)
    ap.add_argument("--name")
    ap.add_argument("--keep", action="store_true", help="keep the indexes in the work dir")
    ap.add_argument("--scaling", action="store_true", help="scaling mode over --sizes")
    ap.add_argument("--sizes", default="10k,100k,1m")
    ap.add_argument("--work", default=os.environ.get("SOU_BENCH_WORK") or
                    os.path.join(os.environ.get("TMPDIR", "/tmp"), "sou-bench-run"))
    ap.add_argument("--build", default=os.path.join(ROOT, "build-release"))
    ap.add_argument("--shared", default=os.environ.get("SOU_SHARED") or os.path.join(ROOT, "..", "shared"))
    args = ap.parse_args()

    global WORK, TARBALL, SOU_INDEX, SOU_QUERY, EXTRACT, RUN_NAME, SHARED
    WORK = os.path.abspath(args.work)
    SHARED = args.shared
    os.makedirs(WORK, exist_ok=True)
    TARBALL = os.path.join(args.shared, "corpus", "xwlb.tar.gz")
    SOU_INDEX = os.path.join(args.build, "indexer", "sou-index")
    SOU_QUERY = os.path.join(args.build, "query", "sou-query")
    EXTRACT = os.environ.get("SOU_BENCH_EXTRACT") or os.path.join(args.build, "bench", "sou-bench-extract")
    if not args.engines:
        args.engines = "sou" if args.scaling else ",".join(ALL_ENGINES)
    engines = [e.strip() for e in args.engines.split(",") if e.strip()]
    bad = [e for e in engines if e not in ALL_ENGINES]
    if bad:
        raise SystemExit("bench: unknown engine(s) %s" % ",".join(bad))
    stamp = datetime.datetime.now().strftime("%Y%m%d-%H%M%S")
    results = os.path.join(HERE, "results")
    os.makedirs(results, exist_ok=True)
    notes = []
    if "sou" in engines:
        notes.append("sou-query's latency includes building the JSON answer with snippets and "
                     "highlights; the baselines return only document ids (see also \"sou without "
                     "snippets\").")
    if "sqlite" in engines:
        notes.append("SQLite's trigram tokenizer cannot match terms under 3 characters through "
                     "its index: such terms use LIKE, a full scan, without ranking.")
    if "xapian" in engines:
        notes.append("Xapian's QueryParser turns an unquoted CJK word into an AND of its "
                     "unigrams and bigrams (not a phrase); quoted text is a phrase of unigrams.")
    if "sphinx" in engines:
        notes.append("Sphinx is queried through searchd over SphinxQL on loopback (pymysql); "
                     "each word is sent as a phrase of its 1-grams.")

    if args.scaling:
        sizes = [s.strip() for s in args.sizes.split(",") if s.strip()]
        name = args.name or "scaling-" + stamp
        res = {"name": name, "mode": "scaling", "seed": args.seed, "repeat": args.repeat,
               "machine": machine(), "versions": versions(), "sizes": sizes, "runs": {}}
        for s in sizes:
            args.size = s
            cname, tree = prepare_tree(args)
            RUN_NAME = "%s-%s" % (name, s)
            res["runs"][s] = bench_corpus(args, cname, tree, engines, rerun=True)
        res["machine"]["loadavg_end"] = os.getloadavg()
        md = scaling_markdown(res)
        latest = os.path.join(results, "latest-scaling.md")
    else:
        cname, tree = prepare_tree(args)
        name = args.name or "%s-%s" % (cname, stamp)
        RUN_NAME = name
        res = {"name": name, "mode": "compare", "seed": args.seed, "repeat": args.repeat,
               "machine": machine(), "versions": versions(), "notes": notes}
        res.update(bench_corpus(args, cname, tree, engines))
        res["machine"]["loadavg_end"] = os.getloadavg()
        md = markdown(res)
        latest = os.path.join(results, "latest.md")
    with open(os.path.join(results, name + ".json"), "w", encoding="utf-8") as f:
        json.dump(res, f, ensure_ascii=False, indent=1)
    # latest*.md (tracked by git) only from the standard runs: xwlb with
    # every engine and fresh indexes, or scaling
    paths = [os.path.join(results, name + ".md")]
    if args.scaling or (args.size == "xwlb" and not args.tree and not args.reuse and
                        set(engines) == set(ALL_ENGINES)):
        paths.append(latest)
    for p in paths:
        with open(p, "w", encoding="utf-8") as f:
            f.write(md)
    print(md)
    log("wrote", os.path.join(results, name + ".json"), "and .md")


if __name__ == "__main__":
    main()
