#!/usr/bin/env bash
# bench/sighan/run.sh - scores sou's segmenter on the SIGHAN 2005 PKU and
# MSR test sets in ../shared/segmentation, without a dictionary and with
# each set's own training word list as the user dictionary (the closed
# track: never the test gold), plus forward maximum matching over the same
# list as a reference.  Prints a Markdown table; writes the JSON beside it.
#
# usage: bench/sighan/run.sh [SOU_QUERY]    (default: build-release's)
# (errors.py GOLD OUTPUT WORDLIST then breaks one output's errors down.)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
seg=${SOU_SHARED:-$root/../shared}/segmentation
qry=${1:-$root/build-release/query/sou-query}
out=${OUT:-$root/bench/results/sighan}
[ -d "$seg" ] || { echo "sighan: $seg not found" >&2; exit 1; }
if [ ! -x "$qry" ]; then
	cmake -S "$root" -B "$root/build-release" -DCMAKE_BUILD_TYPE=Release >/dev/null
	cmake --build "$root/build-release" -j "$(nproc)" --target sou-query >/dev/null
fi
mkdir -p "$out"
py=$(command -v python3)
echo "| set | system | precision | recall | F1 | OOV recall | segment s |"
echo "|---|---|---:|---:|---:|---:|---:|"
for set in pku msr; do
	words=$seg/${set}_training_words.utf8
	for mode in nodict dict fmm; do
		t0=$(date +%s.%N)
		case $mode in
		nodict) "$qry" --analyze --terms original <"$seg/${set}_test.utf8" >"$out/$set.$mode.txt" ;;
		dict)   "$qry" --analyze --terms original --dict "$words" <"$seg/${set}_test.utf8" >"$out/$set.$mode.txt" ;;
		fmm)    "$py" "$here/fmm.py" "$words" <"$seg/${set}_test.utf8" >"$out/$set.$mode.txt" ;;
		esac
		t1=$(date +%s.%N)
		"$py" "$here/score.py" "$seg/${set}_test_gold.utf8" "$out/$set.$mode.txt" "$words" >"$out/$set.$mode.json"
		name=$(case $mode in nodict) echo "sou, no dictionary";; dict) echo "sou + training word list";; fmm) echo "forward maximum matching";; esac)
		"$py" - "$out/$set.$mode.json" "$set" "$name" "$t0" "$t1" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
print('| %s | %s | %.4f | %.4f | %.4f | %.4f | %.2f |' % (sys.argv[2].upper(), sys.argv[3],
      r['precision'], r['recall'], r['f1'], r['oov_recall'], float(sys.argv[5]) - float(sys.argv[4])))
PY
	done
done
