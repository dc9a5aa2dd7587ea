#!/usr/bin/env bash
# t0400: results do not depend on the layout (README "Scaling out").  The
# xwlb corpus from ../shared as (a) one index, (b) 3 shards made by
# sou-index --shards 3, read locally through the set's stub, and (c) the
# same 3 shards served by 3 real xapian-tcpsrv on loopback ports and read
# through a stub of "remote 127.0.0.1:PORT" lines.  Over 100 queries of
# every kind (words, phrases, checked runs, AND/OR/NOT, fields, dates,
# sorts, --recent, --facets, --like, snippets, deep pages, --exact-total,
# misses) give the same JSON in all three: posts, order, scores (1e-9),
# snippets, highlights, facet counts, exact totals; a total that is an
# estimate has bounds holding the true count (--exact-total) in all three.
. "$(dirname "$0")/lib.sh"

tarball=$SOU_SHARED/corpus/xwlb.tar.gz
[ -f "$tarball" ] || skip "$tarball not found (../shared is absent)"
. "$(dirname "$0")/shard-lib.sh"
PY=/usr/bin/python3
[ -x "$PY" ] || skip "$PY not found (Debian's python3)"

t_start=$(date +%s.%N)
tar -xzf "$tarball" -C "$TMP"
posts=$TMP/xwlb
# SOU_T0400_EVERY=K keeps every K-th post (a quicker run while developing)
if [ "${SOU_T0400_EVERY:-1}" != 1 ]; then
	(cd "$posts" && ls | awk -v k="$SOU_T0400_EVERY" 'NR % k != 1' | xargs rm -f)
fi
nfiles=$(find "$posts" -name '*.md' | wc -l)
check "corpus unpacked" [ "$nfiles" -gt 1000 ]

# (a) one index and (b) 3 shards, built side by side
elapsed() { awk "BEGIN {printf \"%.1f\", $(date +%s.%N) - $1}"; }
t0=$(date +%s.%N)
("$SOU_INDEX" --db "$TMP/single" "$posts" >"$TMP/single.out" 2>&1; echo $? >"$TMP/single.rc") &
single_job=$!
build_shards "$TMP/set" 3 "$posts" >"$TMP/set.out" 2>&1
echo $? >"$TMP/set.rc"
echo "3-shard build: $(elapsed "$t0") s: $(tail -1 "$TMP/set.out")"
wait "$single_job"
echo "both builds done: $(elapsed "$t0") s; single: $(tail -1 "$TMP/single.out")"
eq "single index built" 0 "$(cat "$TMP/single.rc")"
eq "sou-index --shards 3 built" 0 "$(cat "$TMP/set.rc")"
if [ "$(cat "$TMP/set.rc")" != 0 ]; then
	head -c 1000 "$TMP/set.out" >&2
	finish
fi
for k in 0 1 2; do
	check "shard-$k is an index of its own" [ -f "$TMP/set/shard-$k/XAPIANDB" ]
done
contains "the set's stub lists shard-0" "auto shard-0" "$TMP/set/XAPIANDB"
contains "the set's stub lists shard-2" "auto shard-2" "$TMP/set/XAPIANDB"
eq "match-all count, single" "$nfiles" "$(total "$TMP/single" --exact-total 'date:1900..2100' --limit 0)"
eq "match-all count, 3 shards" "$nfiles" "$(total "$TMP/set" --exact-total 'date:1900..2100' --limit 0)"
n0=$(total "$TMP/set/shard-0" --exact-total 'date:1900..2100' --limit 0)
n1=$(total "$TMP/set/shard-1" --exact-total 'date:1900..2100' --limit 0)
n2=$(total "$TMP/set/shard-2" --exact-total 'date:1900..2100' --limit 0)
echo "shard sizes: $n0 $n1 $n2"
eq "the shards hold every post once" "$nfiles" "$((n0 + n1 + n2))"
# hash sharding keeps them balanced: each within 10% of a third
for n in $n0 $n1 $n2; do
	check "a shard of $n posts is about a third of $nfiles" \
		[ $((n * 30)) -gt $((nfiles * 9)) -a $((n * 30)) -lt $((nfiles * 11)) ]
done

# (c) the shards served by 3 xapian-tcpsrv; a stub file naming them
serve_shards "$TMP/set" "$TMP/remote.stub" || { fail "xapian-tcpsrv for the shards"; finish; }
# the local shards through a stub file too (a comment and a blank line
# are allowed, paths relative to the stub's directory)
printf '# the three local shards\n\nauto set/shard-0\nauto set/shard-1\n%s\n' \
	"auto $TMP/set/shard-2" >"$TMP/local.stub"
cat "$TMP/remote.stub"
eq "match-all count, remote" "$nfiles" "$(total "$TMP/remote.stub" --exact-total 'date:1900..2100' --limit 0)"
eq "match-all count, local stub file" "$nfiles" "$(total "$TMP/local.stub" --exact-total 'date:1900..2100' --limit 0)"

# the queries: classNAME<TAB>batch line, made from the corpus (seeded)
cat >"$TMP/gen.py" <<'EOF'
import os, random, re, subprocess, sys
tree, query_bin, seed, out = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
rng = random.Random(seed)
CJK = re.compile(r"[\u4e00-\u9fff]+")
names = sorted(os.listdir(tree))
titles, bodies = {}, {}
for n in names[::7]:
    with open(os.path.join(tree, n), encoding="utf-8", errors="replace") as f:
        t = f.read()
    m = re.search(r'^title:\s*"?(.*?)"?\s*$', t, re.M)
    titles[n] = m.group(1) if m else ""
    bodies[n] = t.split("\n---", 1)[-1]
sample = sorted(titles)
an = subprocess.run([query_bin, "--analyze"], input="\n".join(titles[n] for n in sample) + "\n",
                    capture_output=True, text=True, check=True).stdout.split("\n")
words = {}
for n, l in zip(sample, an):
    words[n] = [w for w in l.split("  ") if len(w) >= 2 and CJK.fullmatch(w)]
allw = sorted({w for ws in words.values() for w in ws})
qs = []
def add(cls, line):
    qs.append((cls, line))
def word():
    return rng.choice(allw)
def run(k, src=None):
    # a run of k Chinese characters found in a post's body
    while True:
        n = src or rng.choice(sample)
        rs = [r for r in CJK.findall(bodies[n]) if len(r) >= k]
        if rs:
            r = rng.choice(rs)
            s = rng.randrange(len(r) - k + 1)
            return r[s:s + k]
        src = None
with_two = [n for n in sample if len(set(words[n])) >= 2]
for _ in range(16):
    add("word", word())
for _ in range(10):
    n = rng.choice(with_two)
    a, b = rng.sample(sorted(set(words[n])), 2)
    add("two-words", "%s %s" % (a, b))
for k in (4, 4, 5, 5, 6, 6, 8, 10):
    add("phrase", '"%s"' % run(k))
add("phrase", '"新闻联播"')
for k in (3, 3, 3, 4, 4, 5):
    add("run3", run(k))
for r in ("中国人民", "中国经济", "美国政府"):
    add("run3", r)
for _ in range(3):
    add("and-or-not", "%s OR %s" % (word(), word()))
    add("and-or-not", "%s -%s" % (word(), word()))
    add("and-or-not", "%s %s OR %s" % (word(), word(), word()))
add("and-or-not", '人民 -"中国人民"')
add("and-or-not", '"中国经济" OR 美国政府')
add("and-or-not", '发展 -"%s"' % run(4))
for _ in range(4):
    add("fields", "title:%s" % word())
add("fields", 'title:"%s"' % run(4, None))
add("fields", "tag:新闻联播 %s" % word())
add("fields", "category:xwlb %s" % word())
add("fields", "%s -tag:新闻联播" % word())
add("fields", "tag:新闻联播 --limit 20")
add("fields", "title:%s category:xwlb" % word())
add("dates", "%s date:2021" % word())
add("dates", "%s date:2022-03..2022-06" % word())
add("dates", "date:2023-05-01")
add("dates", "%s date:..2020" % word())
add("dates", "date:2025.. --limit 20")
add("dates", "date:2024-02")
add("dates", '"%s" date:2021..2023' % run(4))
for _ in range(3):
    add("sort", "--sort date %s" % word())
    add("sort", "--sort -date %s" % word())
add("sort", "--sort -date date:2022-07 --limit 30")
add("sort", "--sort date %s --offset 15" % run(3))
for d in (7, 30, 365, 1000, 3000):
    add("recent", "--recent %d %s" % (d, word()))
add("recent", "--recent 90 --sort relevance 新闻联播")
add("recent", "--recent 365 %s" % run(3))
for _ in range(4):
    add("facets", "--facets tag,category,month %s" % word())
add("facets", "--facets month date:2024")
add("facets", "--facets month,tag %s" % run(3))
add("facets", "--facets month --facet-exact 100 %s" % word())
add("facets", "--facets category,month %s OR %s" % (word(), word()))
for _ in range(5):
    add("like", "--like %s" % rng.choice(sample))
add("like", "--like %s %s" % (rng.choice(sample), "date:2021..2024"))
add("like", "--like %s --limit 25" % rng.choice(sample))
for _ in range(2):
    add("snippets", "--snippet 40 %s" % word())
    add("snippets", "--snippet 400 %s %s" % (word(), word()))
add("snippets", "--snippet 0 %s" % word())
add("snippets", '--snippet 80 "%s"' % run(5))
add("deep", "--offset 40 --limit 20 %s" % word())
add("deep", "--offset 300 --limit 10 发展")
add("deep", "--offset 2000 --limit 5 中国")
add("deep", "--offset 100 --limit 50 --sort -date 经济")
add("deep", "--offset 60 --limit 30 中国人民")
add("deep", "--offset 9000 --limit 5 tag:新闻联播")
for q in ("中国人民", "发展 经济", run(3), "%s OR %s" % (word(), word()), "中国", '"%s"' % run(5)):
    add("exact-total", "--exact-total " + q)
add("no-hits", "qzxjvwq")
add("no-hits", "title:qzxjvwq")
add("no-hits", "中国 -tag:新闻联播")
add("no-hits", "date:1999")
add("no-hits", '"新闻联播新闻联播新闻联播"')
with open(out, "w", encoding="utf-8") as f:
    for c, l in qs:
        f.write("%s\t%s\n" % (c, l))
EOF

cat >"$TMP/compare.py" <<'EOF'
# compare.py select CLASSES A B C OUT: writes to OUT the numbers of the
#   lines whose total is an estimate in some layout (bounds differ) or
#   that asked for --exact-total, and the batch lines to count exactly.
# compare.py CLASSES A B C SELECTED A_EXACT B_EXACT C_EXACT: the --batch
#   --json lines of the three layouts, and of the selected queries run
#   again with --exact-total --limit 0 (the true counts).  Prints a line
#   per difference, the slowest queries and per-class counts; exit 1 on
#   any difference.
import collections, json, sys
names = ("single", "local-shards", "remote-shards")
select = sys.argv[1] == "select"
if select:
    sys.argv.pop(1)
classes = [l.rstrip("\n").split("\t", 1)[0] for l in open(sys.argv[1], encoding="utf-8")]
lines = [l.rstrip("\n").split("\t", 1)[1] for l in open(sys.argv[1], encoding="utf-8")]
def load(p):
    return [json.loads(l) for l in open(p, encoding="utf-8") if l.strip()]
runs = [load(p) for p in sys.argv[2:5]]
for r in runs:
    if len(r) != len(lines):
        print("DIFF: %d result lines for %d queries" % (len(r), len(lines)))
        sys.exit(1)
if select:
    with open(sys.argv[5], "w", encoding="utf-8") as f:
        for i, l in enumerate(lines):
            rs = [r[i].get("result") for r in runs]
            if "--exact-total" in l or any(x is None or x["total_lower_bound"] != x["total_upper_bound"]
                                            for x in rs):
                f.write("%d\t%s --exact-total --limit 0 --snippet 0\n" % (i, l))
    sys.exit(0)
sel = [int(l.split("\t", 1)[0]) for l in open(sys.argv[5], encoding="utf-8")]
exact = [dict(zip(sel, load(p))) for p in sys.argv[6:9]]
bad = 0
stats = collections.defaultdict(collections.Counter)
def problem(i, msg):
    global bad
    bad += 1
    stats[classes[i]]["failed"] += 1
    if bad <= 40:
        print("DIFF line %d [%s] %s: %s" % (i + 1, classes[i], lines[i], msg))
for r in exact:
    if len(r) != len(sel):
        print("DIFF: %d exact-count lines for %d queries" % (len(r), len(sel)))
        sys.exit(1)
def same_hits(i, a, b, who):
    if len(a) != len(b):
        problem(i, "%s: %d hits vs %d" % (who, len(a), len(b)))
        return
    for j, (x, y) in enumerate(zip(a, b)):
        kx = {k: v for k, v in x.items() if k != "score"}
        ky = {k: v for k, v in y.items() if k != "score"}
        if kx != ky:
            diff = sorted(k for k in set(kx) | set(ky) if kx.get(k) != ky.get(k))
            problem(i, "%s: hit %d differs in %s (%s vs %s; scores %r vs %r)" % (
                who, j + 1, ",".join(diff), str(kx.get(diff[0]))[:80], str(ky.get(diff[0]))[:80],
                x.get("score"), y.get("score")))
            return
        if abs(x["score"] - y["score"]) > 1e-9:
            problem(i, "%s: hit %d score %r vs %r" % (who, j + 1, x["score"], y["score"]))
            return
for i in range(len(lines)):
    c = classes[i]
    stats[c]["queries"] += 1
    rows = [r[i] for r in runs]
    ex = [r[i] for r in exact] if i in exact[0] else []
    if any("result" not in r for r in rows + ex):
        problem(i, "an error in %s" % ", ".join(
            n for k, n in enumerate(names)
            if "result" not in rows[k] or (ex and "result" not in ex[k])))
        continue
    res = [r["result"] for r in rows]
    before = bad
    for k in (1, 2):
        who = "%s vs %s" % (names[0], names[k])
        same_hits(i, res[0]["hits"], res[k]["hits"], who)
        for key in ("query", "offset"):
            if res[0].get(key) != res[k].get(key):
                problem(i, "%s: %s %r vs %r" % (who, key, res[0].get(key), res[k].get(key)))
        f0, fk = res[0].get("facets"), res[k].get("facets")
        if (f0 is None) != (fk is None):
            problem(i, "%s: facets in one only" % who)
        elif f0 is not None:
            if sorted(f0) != sorted(fk):
                problem(i, "%s: facet names %s vs %s" % (who, sorted(f0), sorted(fk)))
            for name in f0:
                a, b = f0[name], fk.get(name, {})
                if a.get("exact") and b.get("exact"):
                    if a != b:
                        problem(i, "%s: facet %s differs: %s vs %s" % (who, name, json.dumps(a, ensure_ascii=False)[:150], json.dumps(b, ensure_ascii=False)[:150]))
                    elif k == 1:
                        stats[c]["exact facets"] += 1
                else:
                    # estimated (over --facet-exact, or scaled from checked
                    # candidates): the same values, counts may differ
                    stats[c]["estimated facets"] += 1 if k == 1 else 0
                    if a.get("exact") != b.get("exact"):
                        problem(i, "%s: facet %s exact in one layout only" % (who, name))
    # totals: an exact total (bounds equal) is the same everywhere; else
    # the true count (--exact-total) is, and each layout's bounds hold it
    if not ex:
        t = {(r["estimated_total"], r["total_lower_bound"]) for r in res}
        if len(t) != 1:
            problem(i, "exact totals differ: %s" % sorted(t))
        elif bad == before:
            stats[c]["same"] += 1
        if all(len(r["hits"]) == 0 for r in res):
            stats[c]["no hits"] += 1
        continue
    trues = [e["result"]["estimated_total"] for e in ex]
    for e in ex:
        r = e["result"]
        if not r["total_lower_bound"] == r["estimated_total"] == r["total_upper_bound"]:
            problem(i, "--exact-total gave bounds %d..%d" % (r["total_lower_bound"], r["total_upper_bound"]))
    if len(set(trues)) != 1:
        problem(i, "true counts differ: %s" % trues)
    true = trues[0]
    estimated = False
    for n, r in zip(names, res):
        lo, est, hi = r["total_lower_bound"], r["estimated_total"], r["total_upper_bound"]
        if not lo <= true <= hi:
            problem(i, "%s: bounds %d..%d do not hold the true count %d" % (n, lo, hi, true))
        if lo == hi and est != true:
            problem(i, "%s: exact total %d, true count %d" % (n, est, true))
        if lo != hi:
            estimated = True
    if estimated:
        stats[c]["estimated totals"] += 1
    if all(len(r["hits"]) == 0 for r in res):
        stats[c]["no hits"] += 1
    if bad == before:
        stats[c]["same"] += 1
slow = sorted(((r[i]["latency_ms"], n, i) for n, r in zip(names, runs) for i in range(len(lines))
               if "latency_ms" in r[i]), reverse=True)[:5]
for ms, n, i in slow:
    print("slowest: %8.1f ms %s line %d: %s" % (ms, n, i + 1, lines[i]))
order = []
for c in classes:
    if c not in order:
        order.append(c)
for c in order:
    s = stats[c]
    print("%-12s %3d queries, %3d identical%s" % (c, s["queries"], s["same"], "".join(
        ", %d %s" % (s[k], k) for k in ("no hits", "estimated totals", "exact facets",
                                        "estimated facets", "failed") if s[k])))
print("%d queries in %d classes, %d differences" % (len(lines), len(order), bad))
sys.exit(1 if bad else 0)
EOF

"$PY" "$TMP/gen.py" "$posts" "$SOU_QUERY" 400 "$TMP/queries.tsv" || fail "query generator"
nq=$(wc -l <"$TMP/queries.tsv")
check "at least 100 queries ($nq)" [ "$nq" -ge 100 ]
cut -f2- "$TMP/queries.tsv" >"$TMP/batch"
layouts="single:$TMP/single local:$TMP/local.stub remote:$TMP/remote.stub"
# run_batch NAME: the batch file $TMP/NAME through each layout
run_batch() {
	local l name db t0 r
	for l in $layouts; do
		name=${l%%:*} db=${l#*:}
		t0=$(date +%s.%N)
		"$SOU_QUERY" --db "$db" --json --batch "$TMP/$1" >"$TMP/$name.$1.json" 2>"$TMP/$name.$1.err"
		r=$?
		echo "$name $1: exit $r, $(elapsed "$t0") s; $(tail -1 "$TMP/$name.$1.err")"
		check "$name $1: exit 0 or 1 (no query failed; got $r)" [ "$r" -le 1 ]
	done
}
run_batch batch
# the true counts, of the queries whose total is an estimate somewhere
"$PY" "$TMP/compare.py" select "$TMP/queries.tsv" "$TMP/single.batch.json" \
	"$TMP/local.batch.json" "$TMP/remote.batch.json" "$TMP/selected" ||
	fail "the batch answers are incomplete"
cut -f2- "$TMP/selected" >"$TMP/exact"
echo "$(wc -l <"$TMP/selected") queries counted again with --exact-total"
run_batch exact
# the set directory itself is a layout too (its XAPIANDB stub)
"$SOU_QUERY" --db "$TMP/set" --json --batch "$TMP/batch" >"$TMP/set.batch.json" 2>/dev/null
if "$PY" "$TMP/compare.py" "$TMP/queries.tsv" "$TMP/single.batch.json" "$TMP/local.batch.json" \
	"$TMP/remote.batch.json" "$TMP/selected" "$TMP/single.exact.json" "$TMP/local.exact.json" \
	"$TMP/remote.exact.json"; then pass; else fail "the three layouts differ (above)"; fi
eq "the set directory answers as the stub file of its shards" \
	"$(sed 's/^{"latency_ms":[0-9.]*,//' "$TMP/local.batch.json" | md5sum)" \
	"$(sed 's/^{"latency_ms":[0-9.]*,//' "$TMP/set.batch.json" | md5sum)"

# the servers are still up and serving (no query took one down)
for k in 0 1 2; do
	eval "pid=\$s${k}_pid"
	check "xapian-tcpsrv for shard-$k still running" kill -0 "$pid"
done
stop_all_tcpsrv
echo "t0400 wall time: $(elapsed "$t_start") s"
finish
