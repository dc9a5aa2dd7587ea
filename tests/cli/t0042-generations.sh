#!/usr/bin/env bash
# t0042: disk use stays at one generation.  What killed rebuilds leave
# (gen-N.shard-K, a half-written gen-N) is removed by the next run of any
# kind; a rebuild removes the generation it replaced at once when no
# reader has it open; a generation a reader (sou-query) has open is kept
# until the reader is gone, then removed by the next run.
. "$(dirname "$0")/lib.sh"

# the sanitizer pass runs a shorter version (the kills are the slow part)
copies=10 want=8
[ -n "${SOU_SANITIZED:-}" ] && copies=3 want=3
tree=$TMP/tree
big_tree "$tree" $copies
find "$tree" -name '*broken-yaml*' -delete
DB=$TMP/db
"$SOU_INDEX" --quiet --db "$DB" "$tree" >/dev/null 2>&1
n=$(total "$DB" 'date:1900..2100' --limit 0)

current() { echo "$DB/$(sed -n 's/^auto //p' "$DB/XAPIANDB")"; }
# only_current DESC: the index directory holds one generation and no shards
only_current() {
	eq "$1: only the current generation" "$(current)" "$(ls -d "$DB"/gen-* | tr '\n' ' ' | sed 's/ $//')"
	eq "$1: no stub being written" "" "$(ls "$DB" | grep -F XAPIANDB.tmp)"
}

# leftovers: entries gen-* other than the current generation
leftovers() { ls -d "$DB"/gen-* | grep -vxF "$(current)" | wc -l; }

# 8 rebuilds killed while writing shards or merging them into a new
# generation (a kill that came too late, after the switch, is not counted)
kills=0 tries=0
while [ "$kills" -lt "$want" ] && [ "$tries" -lt $((want * 5)) ]; do
	tries=$((tries + 1))
	touch "$TMP/mark"
	[ $((tries % 2)) = 0 ] && what='gen-*.shard-*' ||
		what='gen-[0-9][0-9][0-9][0-9][0-9][0-9]'
	"$SOU_INDEX" --quiet --rebuild --jobs 2 --batch 20 --db "$DB" "$tree" >/dev/null 2>&1 &
	pid=$!
	until [ -n "$(find "$DB" -maxdepth 1 -name "$what" -newer "$TMP/mark" 2>/dev/null)" ] ||
		! kill -0 "$pid" 2>/dev/null; do
		sleep 0.01
	done
	kill -9 "$pid" 2>/dev/null
	wait "$pid" 2>/dev/null
	[ "$(leftovers)" -gt 0 ] && kills=$((kills + 1))
done
eq "$want rebuilds killed half-way ($tries tries)" "$want" "$kills"
rc "incremental run after the kills" 0 "$SOU_INDEX" --quiet --db "$DB" "$tree"
only_current "after $want killed rebuilds"
eq "no post lost" "$n" "$(total "$DB" 'date:1900..2100' --limit 0)"

# two rebuilds with no reader: the replaced generations are gone at once
rc "rebuild 1" 0 "$SOU_INDEX" --quiet --rebuild --db "$DB" "$tree"
rc "rebuild 2" 0 "$SOU_INDEX" --quiet --rebuild --db "$DB" "$tree"
only_current "after two rebuilds without readers"

# a reader holds its generation: sou-query --batch opens the index, then
# reads queries from a pipe kept open here
held=$(current)
mkfifo "$TMP/queries"
"$SOU_QUERY" --db "$DB" --json --batch "$TMP/queries" >"$TMP/answers" 2>"$TMP/reader.err" &
qpid=$!
exec 3<>"$TMP/queries"
# wait until the reader holds its generation's lock (or is gone; a guard of
# a few minutes keeps a broken reader from hanging the test)
i=0
while flock -n "$held/sou-readers.lock" true && kill -0 "$qpid" 2>/dev/null && [ $i -lt 6000 ]; do
	sleep 0.05; i=$((i + 1))
done
if flock -n "$held/sou-readers.lock" true; then fail "the reader holds its generation"; else pass; fi
echo 经济 >&3
rc "rebuild while a reader has the index open" 0 "$SOU_INDEX" --quiet --rebuild --db "$DB" "$tree"
check "the reader's generation is kept" [ -d "$held" ]
check "and the new one is current" [ "$(current)" != "$held" ]
rc "an incremental run while the reader is still there" 0 "$SOU_INDEX" --quiet --db "$DB" "$tree"
check "the reader's generation is still kept" [ -d "$held" ]
echo 经济 >&3
exec 3>&-
wait "$qpid"
eq "the reader ended well" 0 "$?"
eq "the reader answered both queries from its generation" 2 \
	"$(jq -s '[.[] | select(.result.estimated_total > 0)] | length' "$TMP/answers")"
rc "the next run after the reader is gone" 0 "$SOU_INDEX" --quiet --db "$DB" "$tree"
check "the old generation is removed" [ ! -d "$held" ]
only_current "after the reader is gone"
finish
