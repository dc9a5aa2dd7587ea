#!/usr/bin/env bash
# t0024: no dead ends (issue 19): a query that finds nothing is offered a
# nearby query that finds posts, in the text and the JSON (README "Query
# syntax", "When nothing is found"): a misspelt Latin word respelled from
# the index's own vocabulary, a run of Chinese respelled by its sound
# (美连储 -> 美联储), a filter dropped, a run of Chinese cut down
# to its longest part that finds posts; and whatever is offered finds
# exactly what it says.  Still exit 1 (nothing found), and --batch output
# stays as it was (no extra searches per line).
. "$(dirname "$0")/lib.sh"

index_sample
eq "index the sample" 1 "$(cat "$TMP/index.rc")"   # its one broken post

# offer QUERY KIND WANT: the query's loosened offer is WANT, of kind KIND
offer() {
	local query=$1 kind=$2 want=$3
	"$SOU_QUERY" --db "$DB" --json "$query" >"$TMP/j"
	eq "$query: nothing found" 0 "$(jq '.estimated_total' "$TMP/j")"
	eq "$query: offered" "$want" "$(jq -r '.loosened.query' "$TMP/j")"
	eq "$query: of kind $kind" "$kind" "$(jq -r '.loosened.kind' "$TMP/j")"
	# the offer finds what it says it finds
	eq "$query: the offer finds its total" "$(jq '.loosened.total' "$TMP/j")" \
		"$(total "$DB" "$want" --exact-total)"
	rc "$query: exit 1, nothing found" 1 q "$DB" "$query"
}

offer inflaton spelling inflation
# Chinese typed by pinyin with a wrong character picked: respelled by its
# sound from the index's own words (a title's word, a bigram)
offer 美连储 spelling 美联储
offer 茅苔 spelling 茅台
offer "茅苔 年报" spelling "茅台 年报"
offer 茅台酒 run 茅台
offer "降准 tag:没有这个标签" filter 降准
contains "text: did you mean" "did you mean: inflation" <(q "$DB" inflaton)
contains "text: try" "try: 茅台" <(q "$DB" 茅台酒)
eq "did_you_mean for a respelling" true "$(q "$DB" --json inflaton | jq '.loosened.did_you_mean')"

# nothing near: nothing offered, and no loosened member
"$SOU_QUERY" --db "$DB" --json xqzwvk >"$TMP/j"
eq "nothing near: no offer" null "$(jq '.loosened' "$TMP/j")"
# a query that finds posts is not loosened
"$SOU_QUERY" --db "$DB" --json 茅台 >"$TMP/j"
eq "found: no offer" null "$(jq '.loosened' "$TMP/j")"
# --batch: one answer per line, no offers
printf 'inflaton\n茅台\n' | "$SOU_QUERY" --db "$DB" --json --batch - >"$TMP/b"
eq "batch: two answers" 2 "$(wc -l <"$TMP/b")"
eq "batch: no offers" 0 "$(grep -c loosened "$TMP/b")"
finish
