#!/usr/bin/env bash
# t0053: sou-query --batch line handling.  A line's --facets replaces the
# global list for that line only (lines used to append to a shallow copy
# of the global list: a leak, and a use-after-free that ASan reports);
# "--" on a line ends its options; a NUL byte no longer cuts a line
# silently but is an error naming the line; every error names its line
# ("--batch line N:") in one line, and the other lines still run.
. "$(dirname "$0")/lib.sh"

index_sample

cat >"$TMP/facets" <<'Q'
--facets tag 银行
银行
--facets category,tag 银行
银行 --facets month
银行
Q
"$SOU_QUERY" --db "$DB" --json --facets month --batch "$TMP/facets" >"$TMP/j" 2>"$TMP/e"
eq "facets batch exits 0" 0 $?
eq "one JSON line per query" 5 "$(wc -l <"$TMP/j")"
facets() { sed -n "${1}p" "$TMP/j" | jq -r '.result.facets | keys | join(",")'; }
eq "line 1: its own --facets replaces the global one" "tag" "$(facets 1)"
eq "line 2: the global --facets, untouched by line 1" "month" "$(facets 2)"
eq "line 3: its own two facets" "category,tag" "$(facets 3)"
eq "line 4: --facets after the query" "month" "$(facets 4)"
eq "line 5: the global list again" "month" "$(facets 5)"
"$SOU_QUERY" --db "$DB" --json --batch "$TMP/facets" >"$TMP/j" 2>"$TMP/e"
eq "no global --facets: a line's list does not leak into the next" "null" \
	"$(sed -n 2p "$TMP/j" | jq -c '.result.facets')"

# "--" on a line
printf -- '-- 经济 OR 金融\n--limit 1 -- 银行 -利率\n' >"$TMP/dash"
"$SOU_QUERY" --db "$DB" --json --batch "$TMP/dash" >"$TMP/j" 2>"$TMP/e"
eq "-- on a line keeps the query as typed" "经济 OR 金融" "$(sed -n 1p "$TMP/j" | jq -r .result.query)"
eq "options before -- still apply" "1" "$(sed -n 2p "$TMP/j" | jq '.result.hits | length')"
eq "and the query is the rest" "银行 -利率" "$(sed -n 2p "$TMP/j" | jq -r .result.query)"

# errors: NUL, a bad option, a malformed query, a bad value; each named
printf '银行\n农\0业\n--bogus 银行\n"open\n--limit x 银行\n--facets\n农业\n' >"$TMP/bad"
rc "errors make the batch exit 2" 2 "$SOU_QUERY" --db "$DB" --color never --batch "$TMP/bad"
contains "NUL byte named" "sou-query: --batch line 2: the line holds a NUL byte; skipped" "$TMP/err"
contains "bad option named, one line" "sou-query: --batch line 3: unknown option '--bogus'; try sou-query --help" "$TMP/err"
contains "query error names the line" "sou-query: --batch line 4: column 1: unclosed quote" "$TMP/err"
contains "bad value names the line" "sou-query: --batch line 5: --limit: expected a number" "$TMP/err"
contains "missing value names the line" "sou-query: --batch line 6: option '--facets' needs a value" "$TMP/err"
check "no usage dump" bash -c "! grep -q '^usage:' '$TMP/err' '$TMP/out'"
eq "one stderr line per error, plus the latency summary" 6 "$(wc -l <"$TMP/err")"
eq "the good lines still ran" "## 银行|## 农业" "$(grep '^## [^e]' "$TMP/out" | cut -d' ' -f1-2 | paste -sd'|')"
check "the NUL line did not run as 农" bash -c "! grep -q '^## 农 ' '$TMP/out'"
finish
