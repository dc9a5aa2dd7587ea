#!/usr/bin/env bash
# t0021: runs of Chinese stay exact without positional bigrams (index
# format 5, README "How Chinese is indexed").  The sample corpus plus
# posts written here that hold every bigram of 离岸人民币 only apart (the
# AND of its bigrams matches them; the check must not): every hit of the
# run contains it, no post that contains it is missing from a deep page,
# pages together give each hit once, excluding the run keeps the posts
# that hold its bigrams apart, and totals with few candidates are exact.
. "$(dirname "$0")/lib.sh"

tree=$TMP/posts
cp -r "$SOU_SRC/corpus/posts" "$tree"
mkdir -p "$tree/planted"
cat >"$tree/planted/apart-body.md" <<'POST'
---
title: 海岸人家
---
离岸公司越来越多。海岸人家的生活。人民币贬值。民币二字。
POST
cat >"$tree/planted/apart-fields.md" <<'POST'
---
title: 岸人
tags: [离岸]
description: 人民
---
人民币。
POST
cat >"$tree/planted/run-in-title.md" <<'POST'
---
title: 离岸人民币再创新高
---
正文不重复标题。
POST
cat >"$tree/planted/run-across-space.md" <<'POST'
---
title: 空格
---
香港离岸 人民币市场。
POST
DB=$TMP/db
rc "index" 1 "$SOU_INDEX" --db "$DB" "$tree"   # the sample's one broken post
run='"离岸人民币"'

paths "$DB" --limit 1000 "$run" | sort >"$TMP/hits"
# every hit contains the run (the one across a space: spaces do not
# break a run, as before)
bad=0
while read -r p; do
	case $p in planted/run-across-space.md) continue ;; esac
	grep -q 离岸人民币 "$tree/$p" || { bad=$((bad + 1)); echo "no run in $p" >&2; }
done <"$TMP/hits"
eq "every hit contains the run" 0 "$bad"
contains "a run across a space" "planted/run-across-space.md" "$TMP/hits"
# none that contains it is missing
(cd "$tree" && grep -rl 离岸人民币 --include='*.md' --include='*.markdown' --include='*.html' . |
	sed 's|^\./||' | sort) >"$TMP/truth"
eq "no post with the run is missing" "" "$(comm -23 "$TMP/truth" "$TMP/hits")"
contains "run in a title" "planted/run-in-title.md" "$TMP/hits"
eq "bigrams apart are no hit" 0 "$(grep -c apart "$TMP/hits")"
# the AND of the bigrams does match them: this is what the check removes
for b in 离岸 岸人 人民 民币; do
	paths "$DB" --limit 1000 "$b" >"$TMP/b"
	contains "bigram $b in the apart posts" "planted/apart-body.md" "$TMP/b"
	contains "bigram $b across fields" "planted/apart-fields.md" "$TMP/b"
done
n=$(wc -l <"$TMP/hits")
eq "exact total" "$n $n $n" "$("$SOU_QUERY" --db "$DB" --json --limit 1 "$run" |
	jq -r '"\(.estimated_total) \(.total_lower_bound) \(.total_upper_bound)"')"
q "$DB" --limit 1 "$run" >"$TMP/out"
contains "shown total, exact: no about" "$n results; showing" "$TMP/out"
check "not about" not grep -q "about $n results" "$TMP/out"
# pages of one hit each give every hit once
for i in $(seq 0 $((n - 1))); do paths "$DB" --limit 1 --offset "$i" "$run"; done | sort >"$TMP/paged"
eq "pages give each hit once" "$(cat "$TMP/hits")" "$(cat "$TMP/paged")"
# exclusion keeps posts that hold the bigrams apart
paths "$DB" --limit 1000 人民币 -"$run" >"$TMP/ex"
contains "excluding the run keeps apart posts" "planted/apart-body.md" "$TMP/ex"
contains "excluding the run keeps apart fields" "planted/apart-fields.md" "$TMP/ex"
eq "excluding the run drops every hit" "" "$(comm -12 <(sort "$TMP/ex") "$TMP/hits")"
# OR: the run or an exact word
paths "$DB" --limit 1000 "$run" OR 海岸 | sort >"$TMP/or"
eq "OR adds only the word's posts" "planted/apart-body.md" "$(comm -13 "$TMP/hits" "$TMP/or")"
finish
