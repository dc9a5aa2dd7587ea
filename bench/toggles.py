#!/usr/bin/python3
"""bench/toggles.py - sou's index build knobs, each alone and together.

usage: bench/toggles.py [--size xwlb | --tree DIR] [--settings NAME,NAME...]
                        [--repeat N] [--queries N] [--known N] [--counts]
                        [--base-build DIR] [--build DIR] [--work DIR]

Builds the same corpus once per setting (SOU_TUNE knobs, common/tune.h),
each build under /usr/bin/time (wall, user+sys CPU, peak RSS), measures
the index (bytes, and its glass tables), then runs bench.py's query
workload (same seed, same classes) through `sou-query --batch` with
snippets and with --snippet 0 (ids only): one untimed pass, then
--repeat timed passes; p50 and p99 over all queries, median of passes.

Settings (SOU_TUNE strings, optionally followed by sou-index options,
e.g. "han_words=1 --batch 2000"; "base" is the build in --base-build,
the format-4 sou before these knobs existed, if given):
  old        every knob as format 4 had it, in today's code
  +nopos     old, but Chinese bigrams without positions
  +acc       old, but one add_term per distinct term
  +title     old, but no dictionary-word title copies
  +shardio   old, but shards without fsync and with blocks in place
  +flush     old, but shards flush by a 256 MB memory budget
  f6         format 6's terms (every Chinese word a term, bigrams once)
             and its 2000 changes per commit, in today's code
  +words3    f6, but Chinese words of 3+ characters only
  +wdf       f6, but a bigram that is a two-character word counts twice
  +batch     f6, but 250 changes per commit
  -zstd      today's defaults but records left to Xapian's zlib
  new        today's defaults (format 7: all of the above but +flush,
             which did not pay: bench/README.md)
--counts also checks the totals of `new` against exact ones
(--exact-total): how many estimates are within 25% of the truth, and
whether every truth lies inside the bounds.

Writes bench/results/toggles-<name>.json and .md.  Reuses bench.py's
corpus preparation, text extraction and workload generator.
"""
import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import bench  # noqa: E402

OLD = "bigram_positions=1,accumulate=0,title_words=1,shard_nosync=0,shard_dangerous=0,shard_flush_mb=0"
SETTINGS = {
    "old": OLD,
    "+nopos": OLD.replace("bigram_positions=1", "bigram_positions=0"),
    "+acc": OLD.replace("accumulate=0", "accumulate=1"),
    "+title": OLD.replace("title_words=1", "title_words=0"),
    "+shardio": OLD.replace("shard_nosync=0,shard_dangerous=0", "shard_nosync=1,shard_dangerous=1"),
    "+flush": OLD.replace("shard_flush_mb=0", "shard_flush_mb=256"),
    "f6": "han_words=1,word_bigram_wdf=1 --batch 2000",
    "+words3": "han_words=3,word_bigram_wdf=1 --batch 2000",
    "+wdf": "han_words=1,word_bigram_wdf=2 --batch 2000",
    "+batch": "han_words=1,word_bigram_wdf=1 --batch 250",
    "-zstd": "record_dict=0",
    "new": "",
}
ORDER = ["base", "old", "+nopos", "+acc", "+title", "+shardio", "+flush", "f6", "+words3", "+wdf",
         "+batch", "-zstd", "new"]


def glass_tables(db):
    gd = db
    stub = os.path.join(db, "XAPIANDB")
    if os.path.isfile(stub):
        with open(stub) as f:
            gd = os.path.join(db, f.read().split()[1])
    return {n[:-6]: os.path.getsize(os.path.join(gd, n))
            for n in os.listdir(gd) if n.endswith(".glass")}


def run_batch(query_bin, db, lines, extra, passes, env):
    path = os.path.join(bench.WORK, "toggles.batch")
    with open(path, "w", encoding="utf-8") as f:
        for l in lines:
            f.write(("%s %s\n" % (extra, l)).strip() + "\n")
    lat, rows0 = [], None
    for p in range(passes + 1):
        out = bench.proc([query_bin, "--db", db, "--json", "--batch", path],
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, ok=(0, 1))
        rows = [json.loads(l) for l in out.stdout.splitlines() if l.strip()]
        if p == 0:
            rows0 = rows
        else:
            lat.append(sorted(r["latency_ms"] for r in rows if "latency_ms" in r))
    if not lat:
        return rows0, None
    return rows0, {"p50": statistics.median(bench.pct(v, .5) for v in lat),
                   "p99": statistics.median(bench.pct(v, .99) for v in lat)}


def counts(query_bin, db, qs, env):
    est, _ = run_batch(query_bin, db, [q["sou"] for q in qs], "--snippet 0", 0, env)
    exact, _ = run_batch(query_bin, db, [q["sou"] for q in qs], "--snippet 0 --exact-total", 0, env)
    per_class, bad_bounds, worst = {}, [], []
    within = total = 0
    for q, e, x in zip(qs, est, exact):
        if "result" not in e or "result" not in x:
            continue
        e, x = e["result"], x["result"]
        truth = x["estimated_total"]
        assert x["total_lower_bound"] == x["total_upper_bound"] == truth, q["sou"]
        ok = abs(e["estimated_total"] - truth) <= 0.25 * truth
        c = per_class.setdefault(q["class"], [0, 0])
        c[0] += ok
        c[1] += 1
        within += ok
        total += 1
        if not e["total_lower_bound"] <= truth <= e["total_upper_bound"]:
            bad_bounds.append((q["sou"], e["total_lower_bound"], truth, e["total_upper_bound"]))
        if not ok:
            worst.append((q["sou"], e["estimated_total"], truth))
    return {"queries": total, "within_25pct": within, "share": within / max(total, 1),
            "per_class": {k: v[0] / v[1] for k, v in per_class.items()},
            "bounds_violations": bad_bounds, "misses": worst[:40]}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--size", default="xwlb", choices=["xwlb"] + list(bench.SIZES))
    ap.add_argument("--tree")
    ap.add_argument("--settings", default=",".join(ORDER))
    ap.add_argument("--repeat", type=int, default=1)
    ap.add_argument("--queries", type=int, default=200)
    ap.add_argument("--known", type=int, default=400)
    ap.add_argument("--seed", type=int, default=42)
    ap.add_argument("--counts", action="store_true")
    ap.add_argument("--builds-only", action="store_true", help="no queries")
    ap.add_argument("--tune", action="append", default=[],
                    help="an extra setting NAME=SOU_TUNE (repeatable)")
    ap.add_argument("--name", default=time.strftime("%Y%m%d-%H%M%S"))
    ap.add_argument("--build", default=os.path.join(bench.ROOT, "build-release"))
    ap.add_argument("--base-build", help="a build of the format-4 sou (its indexer/ and query/)")
    ap.add_argument("--work", default=os.environ.get("SOU_BENCH_WORK") or
                    os.path.join(os.environ.get("TMPDIR", "/tmp"), "sou-bench-run"))
    ap.add_argument("--shared", default=os.environ.get("SOU_SHARED") or
                    os.path.join(bench.ROOT, "..", "shared"))
    a = ap.parse_args()
    bench.WORK = os.path.abspath(a.work)
    os.makedirs(bench.WORK, exist_ok=True)
    bench.TARBALL = os.path.join(a.shared, "corpus", "xwlb.tar.gz")
    bench.SOU_INDEX = os.path.join(a.build, "indexer", "sou-index")
    bench.SOU_QUERY = os.path.join(a.build, "query", "sou-query")
    bench.EXTRACT = os.environ.get("SOU_BENCH_EXTRACT") or os.path.join(a.build, "bench",
                                                                        "sou-bench-extract")
    bench.RUN_NAME = "toggles-" + a.name
    a.scaling = False
    cname, tree = bench.prepare_tree(a)
    jsonl, docs = bench.extract(cname, tree)
    text_bytes = sum(bench.docs_bytes)
    qs = [] if a.builds_only else bench.make_workload(docs, jsonl, a.seed, a.queries, a.known)
    os.unlink(jsonl)
    bench.log("workload: %d queries" % len(qs))
    bench.log("settings:", a.settings, a.tune)
    res = {"name": a.name, "corpus": cname, "posts": len(docs), "text_bytes": text_bytes,
           "machine": bench.machine(), "settings": {}}
    for t in a.tune:
        name, spec = t.split("=", 1)
        SETTINGS[name] = spec
    names = [x.strip() for x in a.settings.split(",") if x.strip()]
    names += [t.split("=", 1)[0] for t in a.tune if t.split("=", 1)[0] not in names]
    for s in names:
        if s == "base" and not a.base_build:
            continue
        idx_bin = os.path.join(a.base_build if s == "base" else a.build, "indexer", "sou-index")
        qry_bin = os.path.join(a.base_build if s == "base" else a.build, "query", "sou-query")
        env = dict(os.environ)
        env.pop("SOU_TUNE", None)
        tune, *idx_args = SETTINGS.get(s, "").split(" ") if s != "base" else [""]
        if tune:
            env["SOU_TUNE"] = tune
        os.environ.clear()
        os.environ.update(env)  # bench.proc inherits it
        db = os.path.join(bench.WORK, "toggles-db-" + a.name)
        builds = []
        for r in range(a.repeat):
            shutil.rmtree(db, ignore_errors=True)
            builds.append(bench.timed([idx_bin] + idx_args + ["--db", db, tree], ok=(0, 1)))
        m = {k: statistics.median(b[k] for b in builds) for k in ("wall_s", "cpu_s", "peak_rss_mb")}
        m["builds"] = builds
        m["index_bytes"] = bench.tree_bytes(db)
        m["tables"] = glass_tables(db)
        m["snippets"] = m["ids_only"] = {"p50": float("nan"), "p99": float("nan")}
        if not a.builds_only:
            rows, m["snippets"] = run_batch(qry_bin, db, [q["sou"] for q in qs], "", a.repeat, env)
            _, m["ids_only"] = run_batch(qry_bin, db, [q["sou"] for q in qs], "--snippet 0",
                                          a.repeat, env)
            m["with_hits"] = sum(1 for r in rows if r.get("result", {}).get("hits")) / len(qs)
        if a.counts and s == "new":
            m["counts"] = counts(qry_bin, db, qs, env)
        res["settings"][s] = m
        bench.log("%s: %.1f s wall, %.1f s CPU, %.0f MB RSS, %.1f MB; p50/p99 %.3f/%.3f ms, ids %.3f/%.3f ms" % (
            s, m["wall_s"], m["cpu_s"], m["peak_rss_mb"], m["index_bytes"] / 1e6,
            m["snippets"]["p50"], m["snippets"]["p99"], m["ids_only"]["p50"], m["ids_only"]["p99"]))
        shutil.rmtree(db, ignore_errors=True)
    L = ["# sou build knobs: %s, %d posts, %.1f MB of text" % (cname, len(docs), text_bytes / 1e6),
         "", "| setting | SOU_TUNE | index MB | index ÷ text | CPU s | wall s | peak RSS MB | "
         "p50 ms | p99 ms | ids-only p50 ms | ids-only p99 ms |",
         "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for s, m in res["settings"].items():
        L.append("| %s | `%s` | %.1f | %.2f | %.1f | %.1f | %.0f | %.3f | %.3f | %.3f | %.3f |" % (
            s, "format 4 build" if s == "base" else (SETTINGS[s] or "(defaults)"),
            m["index_bytes"] / 1e6, m["index_bytes"] / text_bytes, m["cpu_s"], m["wall_s"],
            m["peak_rss_mb"], m["snippets"]["p50"], m["snippets"]["p99"], m["ids_only"]["p50"],
            m["ids_only"]["p99"]))
    for s, m in res["settings"].items():
        if "counts" in m:
            c = m["counts"]
            L += ["", "Counts (%s): %d of %d estimates within 25%% of the exact total (%.1f%%); "
                  "bounds violated %d times; per class: %s" % (
                      s, c["within_25pct"], c["queries"], 100 * c["share"], len(c["bounds_violations"]),
                      ", ".join("%s %.0f%%" % (k, 100 * v) for k, v in sorted(c["per_class"].items())))]
    md = "\n".join(L) + "\n"
    out = os.path.join(bench.HERE, "results", "toggles-" + a.name)
    with open(out + ".json", "w", encoding="utf-8") as f:
        json.dump(res, f, ensure_ascii=False, indent=1)
    with open(out + ".md", "w", encoding="utf-8") as f:
        f.write(md)
    print(md)


if __name__ == "__main__":
    main()
