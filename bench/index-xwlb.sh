#!/usr/bin/env bash
# bench/index-xwlb.sh - indexing and query figures on the xwlb corpus.
#
# Unpacks ../shared/corpus/xwlb.tar.gz into a scratch directory, builds
# sou in release mode, indexes the corpus (wall, CPU, peak RSS), reports
# posts/s, MB/s and the index size, then times typical queries as whole
# sou-query processes (median and p90 of RUNS runs each).
#
# usage: bench/index-xwlb.sh [SCRATCH_DIR]     (RUNS=N to change repeats)
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
shared=${SOU_SHARED:-$here/../shared}
scratch=${1:-${TMPDIR:-/tmp}/sou-bench}
runs=${RUNS:-21}
tarball=$shared/corpus/xwlb.tar.gz
[ -f "$tarball" ] || { echo "bench: $tarball not found" >&2; exit 1; }

cmake -S "$here" -B "$here/build-release" -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build "$here/build-release" -j "$(nproc)" --target sou-index sou-query >/dev/null
idx=$here/build-release/indexer/sou-index
qry=$here/build-release/query/sou-query

mkdir -p "$scratch"
[ -d "$scratch/xwlb" ] || tar -xzf "$tarball" -C "$scratch"
rm -rf "$scratch/db"
bytes=$(find "$scratch/xwlb" -name '*.md' -printf '%s\n' | awk '{s+=$1} END {print s}')
posts=$(find "$scratch/xwlb" -name '*.md' | wc -l)

/usr/bin/time -f '%e %U %S %M' -o "$scratch/time" "$idx" --db "$scratch/db" "$scratch/xwlb" >"$scratch/index.out"
read -r wall user sys rss <"$scratch/time"
size=$(du -sb "$scratch/db" | cut -f1)
echo "## sou indexing, xwlb corpus ($(nproc) cores, $(date -u +%Y-%m-%d))"
echo
echo "| posts | MB of files | wall s | CPU s | posts/s | MB/s | peak RSS MB | index MB | index / files |"
echo "|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
awk -v p="$posts" -v b="$bytes" -v w="$wall" -v u="$user" -v s="$sys" -v r="$rss" -v z="$size" 'BEGIN {
	printf "| %d | %.1f | %.1f | %.1f | %.0f | %.2f | %.0f | %.0f | %.2f |\n",
		p, b / 1e6, w, u + s, p / w, b / 1e6 / w, r / 1024, z / 1e6, z / b }'
echo
echo "## sou-query latency, whole process ($runs runs each)"
echo
echo "| query | hits (estimated) | median ms | p90 ms |"
echo "|---|---:|---:|---:|"
while IFS= read -r qline; do
	[ -n "$qline" ] || continue
	eval "set -- $qline"
	n=$("$qry" --db "$scratch/db" --json "$@" | jq .estimated_total)
	for i in $(seq "$runs"); do
		s=$(date +%s%N)
		"$qry" --db "$scratch/db" "$@" >/dev/null || true
		e=$(date +%s%N)
		echo $(( (e - s) / 1000 ))
	done | sort -n | awk -v q="$qline" -v n="$n" '{v[NR]=$1} END {
		printf "| `%s` | %d | %.1f | %.1f |\n", q, n, v[int((NR+1)/2)]/1000, v[int(NR*0.9+0.5)]/1000 }'
done <<'QUERIES'
经济
农业农村
"一带一路"
习近平 外交
国际 date:2024
疫情 --sort -date
tag:快讯 date:2025-01..2025-06
QUERIES
