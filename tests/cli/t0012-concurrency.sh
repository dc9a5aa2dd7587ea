#!/usr/bin/env bash
# t0012: one writer at a time (exit 75 at once, or --wait), readers never
# fail while an index is written or rebuilt, and a rebuild switches
# atomically.
. "$(dirname "$0")/lib.sh"

tree=$TMP/tree
big_tree "$tree" 20
DB=$TMP/db
"$SOU_INDEX" --db "$DB" --quiet "$tree" >/dev/null 2>&1
n=$(total "$DB" 'date:1900..2100' --limit 0)

# a second writer fails at once with 75; --wait waits, then gives up
flock "$DB/sou.lock" sleep 3 &
holder=$!
sleep 0.3
start=$(date +%s%N)
rc "second writer" 75 "$SOU_INDEX" --db "$DB" "$tree"
end=$(date +%s%N)
contains "says the index is locked" "index is locked" "$TMP/err"
check "fails at once" [ $(( (end - start) / 1000000 )) -lt 1500 ]
rc "--wait shorter than the holder" 75 "$SOU_INDEX" --db "$DB" --wait 1 "$tree"
contains "says it gave up" "gave up waiting" "$TMP/err"
rc "--wait longer than the holder" 0 "$SOU_INDEX" --db "$DB" --wait 10 "$tree"
wait "$holder"

# readers during an incremental run and during a rebuild: never an error
reader() {
	local bad=0 r
	while [ -e "$TMP/reading" ]; do
		"$SOU_QUERY" --db "$DB" --json 银行 >"$TMP/r.json" 2>"$TMP/r.err"
		r=$?
		if [ "$r" -ne 0 ] || ! jq -e '.estimated_total > 0' "$TMP/r.json" >/dev/null; then
			bad=$((bad + 1)); cat "$TMP/r.err" >&2
		fi
	done
	echo "$bad" >"$TMP/reader.bad"
}
for mode in incremental rebuild; do
	touch "$TMP/reading"
	reader &
	rpid=$!
	if [ "$mode" = incremental ]; then
		find "$tree" -name '*.md' | head -400 | xargs sed -i 's/。/。改。/'
		"$SOU_INDEX" --db "$DB" --batch 40 --quiet "$tree" >/dev/null 2>&1
	else
		"$SOU_INDEX" --db "$DB" --batch 40 --quiet --rebuild "$tree" >/dev/null 2>&1
	fi
	rm -f "$TMP/reading"
	wait "$rpid"
	eq "no reader errors during $mode indexing" 0 "$(cat "$TMP/reader.bad")"
done
eq "post count after rebuild" "$n" "$(total "$DB" 'date:1900..2100' --limit 0)"
# the old generation goes at once unless a query still had it open (t0042)
gens=$(ls -d "$DB"/gen-* | wc -l)
check "one previous generation kept at most ($gens)" [ "$gens" -le 2 ]
finish
