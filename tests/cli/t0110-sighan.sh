#!/usr/bin/env bash
# t0110: segmentation quality on the SIGHAN 2005 PKU and MSR test sets in
# ../shared: with each set's training word list as the dictionary (lexicon
# mode: its number shapes decide how numbers and dates are cut), sou
# beats forward maximum matching on F1 and reaches F1 0.92 on PKU and 0.95
# on MSR (measured 0.9267, 0.9518), with out-of-vocabulary recall at least
# ICU alone's (0.34 PKU, 0.15 MSR) and near the measured 0.5436, 0.3425.
# Without a dictionary it beats ICU alone (0.794, 0.791).
. "$(dirname "$0")/lib.sh"

seg=$SOU_SHARED/segmentation
[ -d "$seg" ] || skip "$seg not found (../shared is absent)"
command -v python3 >/dev/null || skip "python3 not installed"
export SOU_SHARED
OUT=$TMP/sighan bash "$SOU_SRC/bench/sighan/run.sh" "$SOU_QUERY" | tee "$TMP/table"
f() { jq -r ".$3" "$TMP/sighan/$1.$2.json"; }
ge() { awk -v a="$2" -v b="$3" 'BEGIN { exit !(a >= b) }' && pass || fail "$1: $2 < $3"; }
for set in pku msr; do
	ge "$set: sou+dict F1 beats maximum matching" "$(f $set dict f1)" "$(awk -v x="$(f $set fmm f1)" 'BEGIN {print x + 0.001}')"
	target=$([ $set = pku ] && echo 0.92 || echo 0.95)
	ge "$set: sou+dict F1 reaches its target" "$(f $set dict f1)" "$target"
	oov=$([ $set = pku ] && echo 0.52 || echo 0.32)
	ge "$set: OOV recall above ICU's, near the measured one" "$(f $set dict oov_recall)" "$oov"
	icuf1=$([ $set = pku ] && echo 0.794 || echo 0.791)
	ge "$set: no dictionary beats ICU alone" "$(f $set nodict f1)" "$icuf1"
done
finish
