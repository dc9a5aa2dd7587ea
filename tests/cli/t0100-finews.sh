#!/usr/bin/env bash
# t0100: the real finews posts from ../shared: every post indexes, known
# posts are found, tag counts are exact, the 信也科技 post ranks first with a
# whole highlight, and date ranges select only posts inside them.
. "$(dirname "$0")/lib.sh"

src=$SOU_SHARED/corpus/finews
[ -d "$src" ] || skip "$src not found (../shared is absent)"
DB=$TMP/finews
nfiles=$(find "$src" -name '*.md' | wc -l)
rc "index finews" 0 "$SOU_INDEX" --db "$DB" "$src"
contains "every post indexed" "added $nfiles," "$TMP/out"
contains "no failures" "failed 0" "$TMP/out"

# 离岸人民币 finds the post that has it in its title
want=$(grep -l '^title:.*离岸人民币' "$src"/*.md | head -1 | xargs basename)
check "离岸人民币 post exists" [ -n "$want" ]
paths "$DB" 离岸人民币 --limit 100 >"$TMP/p"
contains "离岸人民币 finds its post" "$want" "$TMP/p"
check "离岸人民币 post in the top 3" grep -qF "$want" <(head -3 "$TMP/p")

# tag counts equal the number of files carrying the tag
ntag=$(grep -l '^tags:.*东财滚动新闻' "$src"/*.md | wc -l)
check "some posts carry the tag" [ "$ntag" -gt 50 ]
eq "tag:东财滚动新闻 counts every tagged post" "$ntag" "$(total "$DB" tag:东财滚动新闻 --limit 200)"
eq "tag filter returns exactly them" "$ntag" "$(paths "$DB" tag:东财滚动新闻 --limit 200 | wc -l)"

# 信也科技: the 2022-06-01 post first, highlighted whole in its snippet
"$SOU_QUERY" --db "$DB" --json 信也科技 >"$TMP/j"
eq "信也科技 first hit" "2022-06-01-202206012399356023.md" "$(jq -r '.hits[0].path' "$TMP/j")"
eq "信也科技 first hit date" "2022-06-01" "$(jq -r '.hits[0].date[0:10]' "$TMP/j")"
snip=$(jq -r '.hits[0].snippet' "$TMP/j")
# (typed without spaces it means 信也 and 科技, so 科技 alone, as in 金融科技,
# is highlighted too; where the words stand together, one highlight)
whole=0
for r in $(jq -r '.hits[0].highlights[] | "\(.[0]):\(.[1])"' "$TMP/j"); do
	s=${r%%:*} e=${r##*:}
	[ "$(printf '%s' "$snip" | cut -b "$((s + 1))-$e")" = 信也科技 ] && whole=1
done
eq "a highlight covers 信也科技 exactly" 1 "$whole"
q "$DB" 信也科技 >"$TMP/h"
contains "plain output marks the match" "**信也科技**" "$TMP/h"
eq "tag and date filter together" "2022-06-01-202206012399356023.md" \
	"$(paths "$DB" 信也科技 tag:证券日报网新闻 date:2022-01..2022-06)"

# a date range selects only posts dated inside it (checked against jq)
"$SOU_QUERY" --db "$DB" --json --limit 500 'date:2021-12-08..2021-12-08' >"$TMP/d"
n=$(jq '.hits|length' "$TMP/d")
check "range has posts" [ "$n" -gt 0 ]
eq "all hits inside 2021-12-08" "$n" "$(jq '[.hits[] | select(.date[0:10] == "2021-12-08")] | length' "$TMP/d")"
eq "2022 range holds only the 2022 post" "2022-06-01-202206012399356023.md" "$(paths "$DB" date:2022 --limit 500)"
nall=$(total "$DB" date:2021..2022 --limit 500)
eq "date:2021..2022 covers all" "$nfiles" "$nall"
rc "date:2023.. finds nothing" 1 "$SOU_QUERY" --db "$DB" date:2023..
finish
