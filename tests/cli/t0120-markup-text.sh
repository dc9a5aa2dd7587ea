#!/usr/bin/env bash
# t0120: posts that begin with HTML are Markdown after it (issue 19 item 6),
# on real posts from ../shared: a month of xwlb (its posts are a line of
# <p>s, then "[查看原文](https://...)") and finews.  A link's URL is not
# text: `https` finds only the posts whose visible text says https (worked
# out here from the files, link targets and tag attributes removed), and no
# snippet shows Markdown or HTML markup.
. "$(dirname "$0")/lib.sh"

tarball=$SOU_SHARED/corpus/xwlb.tar.gz
finews=$SOU_SHARED/corpus/finews
[ -f "$tarball" ] || skip "$tarball not found (../shared is absent)"
[ -d "$finews" ] || skip "$finews not found (../shared is absent)"
command -v perl >/dev/null || skip "perl not found"

# August 2025 of xwlb (403 posts, every one ending in a link to its source)
tree=$TMP/tree
mkdir -p "$tree"
tar -xzf "$tarball" -C "$tree" --wildcards 'xwlb/2025-08-*' || fail "untar xwlb sample"
cp -r "$finews" "$tree/finews"
nx=$(find "$tree/xwlb" -name '*.md' | wc -l)
check "the xwlb sample has posts" [ "$nx" -gt 300 ]
nlinks=$(grep -l '](https://' "$tree"/xwlb/*.md | wc -l)
check "most sample posts link to https" [ "$nlinks" -gt 300 ]
# (the sample must be the case this test is about)
nhtml=$(for f in "$tree"/xwlb/*.md; do
	awk 'n >= 2 && NF { print; exit } /^---/ { n++ }' "$f"
done | grep -c '^<')
check "most sample posts begin with HTML" [ "$nhtml" -gt 300 ]

DB=$TMP/db
rc "index the sample" 0 "$SOU_INDEX" --db "$DB" "$tree"
contains "no failures" "failed 0" "$TMP/out"

# the posts whose visible text says https: the files without their link
# destinations, reference definitions and tag attributes
for f in "$tree"/xwlb/*.md "$tree"/finews/*.md; do
	perl -0pe 's/\]\([^)]*\)/]/g; s/^ {0,3}\[[^\]]+\]:.*$//mg; s/<[A-Za-z][^<>]*>//g' "$f" |
		grep -q https && echo "${f#"$tree"/}"
done | sort >"$TMP/want"
check "some post says https in its text" [ -s "$TMP/want" ]
paths "$DB" https --limit 1000 | sort >"$TMP/got"
eq "https finds exactly the posts that say it" "$(cat "$TMP/want")" "$(cat "$TMP/got")"
rc "a link host is not text" 1 "$SOU_QUERY" --db "$DB" tv.cctv.com

# the source link's text is text; no snippet shows markup
"$SOU_QUERY" --db "$DB" --json --limit 1000 查看原文 >"$TMP/j"
eq "查看原文 finds every sample post" "$nx" "$(jq '.hits | length' "$TMP/j")"
"$SOU_QUERY" --db "$DB" --json --limit 2000 新闻联播 >"$TMP/k"
for j in "$TMP/j" "$TMP/k"; do
	jq -r '.hits[].snippet' "$j" >"$TMP/snips"
	check "snippets exist ($(basename "$j"))" [ -s "$TMP/snips" ]
	for m in '](' '**' '##' '<p' '</' 'https://tv.'; do
		check "no snippet holds '$m' ($(basename "$j"))" not grep -qF -- "$m" "$TMP/snips"
	done
done

# finews's one post that begins with HTML ends in Markdown links too
"$SOU_QUERY" --db "$DB" --json 信也科技 返回首页 >"$TMP/f"
eq "信也科技 post found by its link text" "finews/2022-06-01-202206012399356023.md" \
	"$(jq -r '.hits[0].path' "$TMP/f")"
check "its snippet holds no link markup" not grep -qF '](' <(jq -r '.hits[].snippet' "$TMP/f")
rc "a link target is not text" 1 "$SOU_QUERY" --db "$DB" withounder
finish
