#!/usr/bin/env bash
# t0020: search quality features: traditional/simplified and full-width
# folding both ways, English inflections, user dictionary without
# reindexing, synonyms from sou.conf, highlights through folding, synonyms
# and stems, facets (exact and estimated), related posts, and number
# expressions as whole words.
. "$(dirname "$0")/lib.sh"

index_sample
first() { paths "$DB" "$@" | head -1; }
hl() { # the highlighted pieces of the first hit's snippet
	"$SOU_QUERY" --db "$DB" --json "$@" | jq -r '.hits[0] | .snippet as $s | .highlights[] | [.[0], .[1], $s] | @tsv' |
	while IFS=$'\t' read -r a b sn; do printf '%s' "$sn" | cut -b "$((a + 1))-$b"; done | sort -u | tr '\n' ' ' | sed 's/ $//'
}

# folding: traditional <-> simplified, full-width <-> half-width
eq "銀行 finds simplified 银行 posts too" "$(paths "$DB" --limit 50 银行 | sort)" "$(paths "$DB" --limit 50 銀行 | sort)"
eq "simplified 台湾 finds 臺灣" "2022-09-22-taiwan-banks-trad.md" "$(first 台湾 央行)"
eq "traditional highlighted whole" "臺灣" "$(hl 台湾 央行)"
eq "ＦＩＮＶ and finv" "$(paths "$DB" finv | sort)" "$(paths "$DB" ＦＩＮＶ | sort)"
eq "２０２２年 and 2022年" "$(paths "$DB" --limit 50 2022年 | sort)" "$(paths "$DB" --limit 50 ２０２２年 | sort)"
eq "tag filter folds traditional" "$(paths "$DB" --limit 50 tag:银行 | sort)" "$(paths "$DB" --limit 50 tag:銀行 | sort)"

# English inflections, highlighted as matched: the 2020 post says only
# "rates", the 2021 post only "rate"; each form finds the other
eq "rate finds both" "2" "$(paths "$DB" rate | wc -l)"
eq "rate finds the post that says only rates" "2020-03-16-fed-emergency-cut.md" "$(paths "$DB" rate date:2020)"
eq "the other inflection highlighted" "rates" "$(hl rate date:2020)"
eq "rates finds the post that says only rate" "2021-07-13-us-cpi-inflation-watch.md" "$(paths "$DB" rates date:2021)"
eq "and highlights it" "rate" "$(hl rates date:2021)"

# number expressions are whole words (and still found by their parts)
eq "amount" "397亿元" "$("$SOU_QUERY" --analyze 397亿元 | tr -s ' ')"
eq "percentage" "48.1%" "$("$SOU_QUERY" --analyze 48.1% | tr -s ' ')"
eq "date" "2022年3月31日" "$("$SOU_QUERY" --analyze 2022年3月31日 | tr -s ' ')"
eq "quarter" "一季度" "$("$SOU_QUERY" --analyze 一季度 | tr -s ' ')"
eq "part of an amount still finds it" "2023/2023-09-28-data-snapshot.md" "$(first 397)"

# user dictionary: a new word becomes a word without reindexing
printf '碳中和目标\n' >"$TMP/words.txt"
before=$("$SOU_QUERY" --analyze 实现碳中和目标)
after=$("$SOU_QUERY" --analyze --dict "$TMP/words.txt" 实现碳中和目标)
check "dictionary changes the words ($before -> $after)" [ "$before" != "$after" ]
contains "the new word is a word" "碳中和目标" <(echo "$after")
eq "found with the dictionary, index unchanged" "2024-06-30-coal-town-energy-transition-longread.md" \
	"$(paths "$DB" --dict "$TMP/words.txt" 碳中和)"
printf '%s\n' '碳中和 foo 1' >"$TMP/bad-dict.txt"
rc "bad dictionary line" 2 "$SOU_QUERY" --db "$DB" --dict "$TMP/bad-dict.txt" 碳中和
contains "names file and line" "bad-dict.txt:1:" "$TMP/err"

# synonyms, from a config file next to the index
printf '农发行 中国农业发展银行 国家农业政策总行\n' >"$TMP/syn.txt"
printf '# sou settings\nsynonyms = %s\n' "$TMP/syn.txt" >"$DB/sou.conf"
eq "synonym finds the post" "2019-01-15-adbc-spring-loans.md" "$(first 国家农业政策总行)"
eq "synonym match highlighted" "中国农业发展银行 农发行" "$(hl 国家农业政策总行)"
rm "$DB/sou.conf"
rc "without the config, no synonym" 1 "$SOU_QUERY" --db "$DB" 国家农业政策总行
# one comment rule for sou.conf, dictionaries and synonyms (linefile.h):
# a line whose first non-blank character is '#'; a '#' elsewhere is text
cp "$TMP/syn.txt" "$TMP/syn#1.txt"
printf '  # indented comment
synonyms = %s
' "$TMP/syn#1.txt" >"$DB/sou.conf"
eq "a '#' inside a config value is part of the file name" "2019-01-15-adbc-spring-loans.md" \
	"$(first 国家农业政策总行)"
rm "$DB/sou.conf"
printf 'bogus = 1\n' >"$DB/sou.conf"
rc "bad config key" 2 "$SOU_QUERY" --db "$DB" 银行
contains "config error names file and line" "sou.conf:1: unknown key 'bogus'" "$TMP/err"
rm "$DB/sou.conf"

# sub-word recall is highlighted whole
eq "substring highlighted" "农业" "$(hl 农业)"

# facets: exact over the whole match set, estimated past the limit
"$SOU_QUERY" --db "$DB" --json --facets tag,category,month 'date:2019..2025' >"$TMP/f"
eq "facets exact" "true" "$(jq '.facets.tag.exact' "$TMP/f")"
eq "tag count equals a tag: query" "$(total "$DB" tag:半导体)" "$(jq '.facets.tag.values[] | select(.value == "半导体") | .count' "$TMP/f")"
eq "month facet" "$(total "$DB" date:2019-01)" "$(jq '[.facets.month.values[] | select(.value == "2019-01") | .count] | add // 0' "$TMP/f")"
"$SOU_QUERY" --db "$DB" --json --facets tag --facet-exact 5 'date:2019..2025' >"$TMP/f2"
# (Xapian may look at every match anyway, as here where equal scores are
# ordered by the order slot: then the counts are exact and say so)
eq "past the limit: exact only when every match was counted" \
	"$(jq '.facets.tag.counted == .estimated_total and .total_lower_bound == .total_upper_bound' "$TMP/f2")" \
	"$(jq '.facets.tag.exact' "$TMP/f2")"
check "past the limit: at least the limit counted" test "$(jq '.facets.tag.counted' "$TMP/f2")" -ge 5
q "$DB" --facets tag 银行 >"$TMP/h"
contains "human facets" "tag " "$TMP/h"
rc "unknown facet" 2 "$SOU_QUERY" --db "$DB" --facets colour 银行

# related posts
paths "$DB" --like tech/2023-03-16-large-models.md >"$TMP/like"
check "related posts found" [ -s "$TMP/like" ]
check "the post itself is excluded" bash -c "! grep -qx tech/2023-03-16-large-models.md '$TMP/like'"
contains "the other large-model post is related" "tech/2025-01-28-open-source-models.md" <(head -3 "$TMP/like")
rc "--like an unknown post is a usage error" 2 "$SOU_QUERY" --db "$DB" --like nope.md
contains "names the path" "--like nope.md: no such post in the index" "$TMP/err"
finish
