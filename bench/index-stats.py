#!/usr/bin/python3
"""bench/index-stats.py - where a sou index's bytes go ("Where the index goes"
in bench/README.md).

usage: bench/index-stats.py [--sample N] [--markdown] DB

DB is an index directory (sou-index --db; its XAPIANDB stub is followed)
or a glass database directory.  Prints
  - the size of each glass table file (postlist, termlist, position,
    docdata, ...), in MB and as a share of the whole;
  - (term, post) pairs per post by kind of term, from every term's
    document frequency (exact);
  - the share of pairs that carry positions and the positions per
    positional pair, from the termlists of N sampled posts (default 500).
Term kinds follow common/schema.h: G bigram, U unigram, XSG/XSU/S title
copies, Z stem, unprefixed Chinese or Latin words, Q/K/XC/A/Y/M/D filters.
Needs Debian's python3-xapian (bench/run installs it).
"""
import argparse
import collections
import os
import random
import sys

import xapian

# Longest prefix first: the title copies start with the letters of others.
KINDS = [("XSG", "title bigram"), ("XSU", "title unigram"), ("XC", "filter"),
         ("S", "title word"), ("G", "bigram"), ("U", "unigram"), ("Z", "stem"),
         ("Q", "filter"), ("K", "filter"), ("A", "filter"), ("Y", "filter"),
         ("M", "filter"), ("D", "filter")]


def kind(term):
    for p, k in KINDS:
        if term.startswith(p.encode()):
            return k
    if term[:1].isupper():
        return "other prefixed"
    return "Latin word" if all(b < 0x80 for b in term) else "Chinese word"


def glass_dir(path):
    stub = os.path.join(path, "XAPIANDB")
    if os.path.isfile(stub):
        with open(stub) as f:
            for line in f:
                w = line.split()
                if len(w) == 2 and w[0] == "auto":
                    return glass_dir(os.path.join(path, w[1]))
    return path


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("db")
    ap.add_argument("--sample", type=int, default=500)
    ap.add_argument("--markdown", action="store_true")
    a = ap.parse_args()
    gd = glass_dir(a.db)
    tables = {}
    for name in sorted(os.listdir(gd)):
        if name.endswith(".glass"):
            tables[name[:-6]] = os.path.getsize(os.path.join(gd, name))
    total = sum(tables.values())
    db = xapian.Database(a.db)
    n = db.get_doccount()
    pairs = collections.Counter()
    terms = collections.Counter()
    for t in db.allterms():
        k = kind(t.term)
        pairs[k] += t.termfreq
        terms[k] += 1
    # positions, from a sample of posts
    rng = random.Random(1)
    ids = [rng.randint(1, db.get_lastdocid()) for _ in range(a.sample)]
    seen = withpos = npos = 0
    posk = collections.Counter()
    for did in ids:
        try:
            doc = db.get_document(did)
        except xapian.DocNotFoundError:
            continue
        for t in doc.termlist():
            seen += 1
            c = sum(1 for _ in t.positer)
            if c:
                withpos += 1
                npos += c
                posk[kind(t.term)] += 1
    all_pairs = sum(pairs.values())
    out = []
    out.append("index %s: %d posts, %.1f MB in glass tables" % (a.db, n, total / 1e6))
    out.append("")
    out.append("| table | MB | share |")
    out.append("|---|---:|---:|")
    for name, size in sorted(tables.items(), key=lambda x: -x[1]):
        out.append("| %s | %.1f | %.0f%% |" % (name, size / 1e6, 100.0 * size / max(total, 1)))
    out.append("")
    out.append("| kind of term | distinct terms | (term, post) pairs per post | share |")
    out.append("|---|---:|---:|---:|")
    for k, v in sorted(pairs.items(), key=lambda x: -x[1]):
        out.append("| %s | %d | %.1f | %.0f%% |" % (k, terms[k], v / max(n, 1),
                                                   100.0 * v / max(all_pairs, 1)))
    out.append("| all | %d | %.1f | 100%% |" % (sum(terms.values()), all_pairs / max(n, 1)))
    out.append("")
    if seen:
        out.append("positional pairs (sample of %d posts): %.1f%% of pairs, %.2f positions each; by kind: %s"
                   % (len(ids), 100.0 * withpos / seen, npos / max(withpos, 1),
                      ", ".join("%s %.0f%%" % (k, 100.0 * v / withpos)
                                for k, v in posk.most_common()) or "none"))
    print("\n".join(out))


if __name__ == "__main__":
    sys.exit(main())
