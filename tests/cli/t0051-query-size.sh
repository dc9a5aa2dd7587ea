#!/usr/bin/env bash
# t0051: hostile query sizes.  A word repeated 4,000 times (52 KB) used
# to run for minutes and hundreds of MB (Xapian pays for every copy of an
# AND); now a query over the byte cap (8192) or over 1024 distinct terms
# is refused at once with exit 2 and a message, and repeats under the cap
# are dropped, so they cost what one copy costs.  No timing is asserted:
# each run has a generous timeout and (without sanitizers, whose shadow
# memory needs the address space) a memory limit, and its exit status
# and message are checked.
. "$(dirname "$0")/lib.sh"

# 1,000 tiny posts that all match: matching cost grows with the query
mkdir -p "$TMP/posts"
for i in $(seq 1 1000); do
	printf -- '---\ntitle: 第%d期\ndate: 2022-01-01\n---\n今天的新闻联播报道了第%d条消息。\n' "$i" "$i" \
		>"$TMP/posts/p$i.md"
done
"$SOU_INDEX" --db "$TMP/db" "$TMP/posts" >/dev/null 2>&1
DB=$TMP/db

repeat() { local i; for i in $(seq "$2"); do printf '%s ' "$1"; done; }

# bounded: SIGKILL after 60 s, at most 400 MB of address space
bounded() {
	if [ -n "${SOU_SANITIZED:-}" ]; then
		timeout -s KILL 60 "$@"
	else
		(ulimit -v 400000; exec timeout -s KILL 60 "$@")
	fi
}

rc "one copy" 0 bounded "$SOU_QUERY" --db "$DB" 新闻联播
one=$(paths "$DB" --limit 20 新闻联播)

# x4000: over the byte cap, refused at once
big=$(repeat 新闻联播 4000)
rc "x4000 refused, not run for minutes" 2 bounded "$SOU_QUERY" --db "$DB" "$big"
contains "says why" "query too long: 52000 bytes (at most 8192)" "$TMP/err"
rc "x4000 in a batch line" 2 bounded "$SOU_QUERY" --db "$DB" --batch <(printf '%s\n新闻联播\n' "$big")
contains "names the line" "--batch line 1: query too long" "$TMP/err"
eq "the next line still runs" 1 "$(grep -c '^## 新闻联播  (1000 results' "$TMP/out")"

# x600 (7.8 KB, under the cap): the repeats are dropped
mid=$(repeat 新闻联播 600)
rc "x600 runs" 0 bounded "$SOU_QUERY" --db "$DB" --limit 20 "$mid"
eq "x600 finds what one copy finds" "$one" "$(paths "$DB" --limit 20 "$mid")"
eq "x600 compiles to one copy" "$("$SOU_QUERY" --analyze --terms query 新闻联播)" \
	"$("$SOU_QUERY" --analyze --terms query "$mid")"
eq "a OR a OR a is a" "$("$SOU_QUERY" --analyze --terms query 新闻联播)" \
	"$("$SOU_QUERY" --analyze --terms query "新闻联播 OR 新闻联播 OR 新闻联播")"

# exactly the cap passes, one byte more does not
cap="$(repeat 新闻联播 630)xy" # 630 * 13 + 2 bytes
eq "a query of 8192 bytes" 8192 "$(printf '%s' "$cap" | wc -c)"
rc "8192 bytes: allowed" 1 bounded "$SOU_QUERY" --db "$DB" "$cap"
rc "8193 bytes: refused" 2 bounded "$SOU_QUERY" --db "$DB" "${cap}x"
contains "byte cap message" "query too long: 8193 bytes (at most 8192)" "$TMP/err"

# distinct terms: 1,500 different words fit in the bytes but not the cap
words=$(for i in $(seq 1500); do printf 'w%d ' "$i"; done)
rc "too many distinct terms" 2 bounded "$SOU_QUERY" --db "$DB" "$words"
contains "term cap message" "distinct terms (at most 1024)" "$TMP/err"
finish
