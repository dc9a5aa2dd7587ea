#!/usr/bin/env bash
# bench/fuzz.sh - long fuzzing runs of every libFuzzer target.
# usage: bench/fuzz.sh [SECONDS_PER_TARGET]   (default 600)
# Builds build-fuzz with clang (make fuzz), then runs each target with two
# jobs, keeping the grown corpus in build-fuzz/tests/fuzz/corpus-*.
set -euo pipefail
cd "$(dirname "$0")/.."
secs=${1:-600}
make fuzz >/dev/null
for t in frontmatter text segment query serve; do
	echo "== fuzz_$t for $secs s"
	build-fuzz/tests/fuzz/fuzz_$t -max_total_time="$secs" -rss_limit_mb=2048 \
		-max_len=65536 -timeout=20 -jobs=2 -workers=2 \
		-artifact_prefix=build-fuzz/tests/fuzz/crash-$t- \
		build-fuzz/tests/fuzz/corpus-$t tests/fuzz/seeds/$t 2>&1 | tail -3
done
