#!/usr/bin/env bash
# t0023-ranking: the known-item signals (README "Ranking", query/rerank.h)
# on the sample corpus plus planted posts: a post whose headline holds the
# query words together comes before one that repeats them in its body;
# re-ranked pages of any size fit together (also across the re-ranked
# depth, made small here); scores never rise down a page; and
# SOU_TUNE=rerank_depth=0 turns the signals off.
. "$(dirname "$0")/lib.sh"

tree=$TMP/posts
cp -r "$SOU_SRC/corpus/posts" "$tree"
mkdir -p "$tree/planted"
cat >"$tree/planted/headline.md" <<'POST'
---
title: 央行宣布下调存款准备金率 释放长期资金
date: 2024-02-05
---
人民银行今天发布公告。
POST
{
	printf -- '---\ntitle: 每周市场回顾\ndate: 2024-02-09\n---\n'
	for i in 1 2 3 4 5 6; do
		printf '本周央行宣布下调存款准备金率，市场关注宣布下调存款准备金率之后的资金面。\n'
	done
} >"$tree/planted/body.md"
DB=$TMP/db
rc "index" 1 "$SOU_INDEX" --db "$DB" "$tree"   # the sample's one broken post

eq "headline first" "planted/headline.md" "$(paths "$DB" 宣布 下调 存款准备金率 | head -1)"
eq "headline first, one run" "planted/headline.md" "$(paths "$DB" 宣布下调存款准备金率 | head -1)"
eq "off: BM25 prefers the body that repeats the words" "planted/body.md" \
	"$(SOU_TUNE=rerank_depth=0 paths "$DB" 宣布 下调 存款准备金率 | head -1)"

# pages fit together: pages of 2 and of 3 against one page of 12, with the
# default depth and with a depth of 3 (pages then start below it)
for depth in 50 3; do
	for w in 市场 增长 '中国 经济'; do
		SOU_TUNE=rerank_depth=$depth paths "$DB" --limit 12 $w >"$TMP/all"
		for size in 2 3; do
			: >"$TMP/pages"
			for off in 0 2 3 4 6 8 9 10; do
				[ $((off % size)) = 0 ] || continue
				SOU_TUNE=rerank_depth=$depth paths "$DB" --limit $size --offset $off $w >>"$TMP/pages"
			done
			eq "depth $depth, pages of $size for '$w'" "$(cat "$TMP/all")" "$(head -12 "$TMP/pages")"
		done
	done
done

# scores never rise down a page, also across the depth
for depth in 50 3; do
	SOU_TUNE=rerank_depth=$depth "$SOU_QUERY" --db "$DB" --json --limit 12 市场 >"$TMP/j"
	eq "depth $depth: scores non-increasing" "true" \
		"$(jq '[.hits[].score] as $s | [range(1; $s | length) | $s[. - 1] >= $s[.]] | all' "$TMP/j")"
done
check "enough hits to cross the depth" [ "$(jq '.hits | length' "$TMP/j")" -gt 3 ]
finish
