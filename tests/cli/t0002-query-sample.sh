#!/usr/bin/env bash
# t0002: sou-query on the sample corpus: substring recall, whole-word
# ranking, phrases, OR, exclusion, scopes, filters, date ranges, sorting,
# folding of full-width forms and mixed tokens, and what must not be
# indexed (script, style, comments).  Facts are listed in corpus/README.md.
. "$(dirname "$0")/lib.sh"

index_sample
first() { paths "$DB" "$@" | head -1; }
count() { paths "$DB" --limit 1000 "$@" | wc -l; }

# recall: a substring inside a longer word still finds the post
eq "农业 finds the 中国农业发展银行 post" "2019-01-15-adbc-spring-loans.md" "$(first 农业)"
eq "1-char query" "2019-01-15-adbc-spring-loans.md" "$(paths "$DB" --limit 100 农发 | head -1)"
check "one character matches many posts" [ "$(count 中)" -gt 10 ]
eq "HTML block in Markdown is indexed" "tech/2021-05-18-markdown-search-notes.md" "$(first 倒排表压缩)"
eq "img alt text is indexed" "2020-10-21-panda-base-autumn.html" "$(first pandaskyview)"

# phrases versus separate words
eq '"离岸人民币" phrase' "1" "$(count '"离岸人民币"')"
eq "离岸 人民币 as two words" "2" "$(count 离岸 人民币)"
paths "$DB" 离岸 人民币 >"$TMP/p"
contains "non-adjacent post found by words" "2024-11-08-yuan-exchange-weekly.md" "$TMP/p"

# Latin words: case folded; inflections match, the exact form ranks first
eq "inflation" "2" "$(count inflation)"
eq "INFLATION folds case" "2" "$(count INFLATION)"
eq "rates finds rate too" "2" "$(count rates)"
eq "rates: exact form first" "2020-03-16-fed-emergency-cut.md" "$(first rates)"
eq "rate: exact form first" "2021-07-13-us-cpi-inflation-watch.md" "$(first rate)"

# mixed tokens whole and by parts; full-width folding
eq "stock code" "2" "$(count 600519)"
eq "2022Q1 whole" "2023/2023-09-28-data-snapshot.md" "$(first 2022Q1)"
eq "Q1 part of 2022Q1" "2023/2023-09-28-data-snapshot.md" "$(first Q1)"
check "A股" [ "$(count A股)" -ge 2 ]
paths "$DB" --limit 100 A股 >"$TMP/p"
contains "A股 finds the data snapshot" "2023/2023-09-28-data-snapshot.md" "$TMP/p"
eq "5G" "2" "$(count 5G)"
eq "FINV = ＦＩＮＶ" "$(paths "$DB" FINV | sort)" "$(paths "$DB" ＦＩＮＶ | sort)"
paths "$DB" ＦＩＮＶ >"$TMP/p"
contains "full-width post found by ASCII" "2022-05-20-finv-fullwidth.md" "$TMP/p"
eq "percentages" "2023/2023-09-28-data-snapshot.md" "$(first 48.1%)"
eq "amounts" "2023/2023-09-28-data-snapshot.md" "$(first 397亿元)"
eq "traditional characters" "2022-09-22-taiwan-banks-trad.md" "$(first 臺灣)"

# never indexed
rc "script contents" 1 "$SOU_QUERY" --db "$DB" secretscripttoken
rc "style contents" 1 "$SOU_QUERY" --db "$DB" styleonlytoken
rc "HTML comments" 1 "$SOU_QUERY" --db "$DB" hiddencommenttoken
rc "broken post skipped" 1 "$SOU_QUERY" --db "$DB" brokenyamlbody

# OR, exclusion, scopes and filters
eq "OR" "2" "$(count 雪容融 OR 玉兰)"
eq "exclusion" "tech/2024-08-20-tech-trends-midyear.md" "$(paths "$DB" 量子计算 -title:量子计算)"
eq "title: scope" "2022-01-05-quantum-computing-progress.md" "$(paths "$DB" title:量子计算)"
eq "identical titles both found" "2" "$(count title:每周市场回顾)"
eq "tag: counts" "3" "$(count tag:半导体)"
eq "tag: exact, not a substring" "0" "$(count tag:半导)"
paths "$DB" category:tech tag:ai >"$TMP/p"
contains "category + folded tag" "tech/2023-03-16-large-models.md" "$TMP/p"
eq "tag + date" "2021-04-20-chip-shortage-capacity.md" "$(paths "$DB" tag:半导体 date:2021)"
eq "date:YYYY" "7" "$(count date:2019)"
eq "date:YYYY-MM" "2" "$(count date:2022-03)"
eq "date: open start" "7" "$(count date:..2019)"
eq "date: day range" "2" "$(count date:2022-03-01..2022-03-01)"
eq "date from file name" "2021-3-5-spring-notes.md" "$(paths "$DB" 玉兰 date:2021-03-05)"
eq "RFC 2822 date" "2022-03-01-winter-paralympics.md" "$(paths "$DB" 雪容融 date:2022-03-01)"

# sorting
eq "--sort -date (newest first)" "2023/2023-02-14-chip-export-controls.md tech/2022-06-10-chip-equipment-localization.md 2021-04-20-chip-shortage-capacity.md" \
	"$(paths "$DB" tag:半导体 --sort -date | tr '\n' ' ' | sed 's/ $//')"
eq "--sort date (oldest first)" "2021-04-20-chip-shortage-capacity.md tech/2022-06-10-chip-equipment-localization.md 2023/2023-02-14-chip-export-controls.md" \
	"$(paths "$DB" tag:半导体 --sort date | tr '\n' ' ' | sed 's/ $//')"
eq "--limit/--offset page" "tech/2022-06-10-chip-equipment-localization.md" \
	"$(paths "$DB" tag:半导体 --sort date --offset 1 --limit 1)"

# whole-word matches rank above substring matches: 和服 (kimono) as a word
# beats 和服 spread over the words 和 + 服务, although the word's post is
# longer and older (without the preference, SOU_TUNE=word_bigram_wdf=1,
# the other post ranks first)
mkdir -p "$TMP/ww"
printf -- '---\ntitle: 周末活动\n---\n我们公司为客户提供产品和服务，今年的目标是扩大市场份额。\n' >"$TMP/ww/2024-01-02-a.md"
printf -- '---\ntitle: 周末见闻\n---\n她穿着一件漂亮的和服参加了周末活动，今年的目标是学会茶道礼仪。\n' >"$TMP/ww/2024-01-01-b.md"
"$SOU_INDEX" --db "$TMP/wwdb" "$TMP/ww" >/dev/null
eq "both posts match the substring" "2" "$(paths "$TMP/wwdb" 和服 | wc -l)"
eq "whole word ranks first" "2024-01-01-b.md" "$(paths "$TMP/wwdb" 和服 | head -1)"
check "recency option accepted" "$SOU_QUERY" --db "$DB" --recent 365 --json 银行 >/dev/null

# human output: highlights in plain markers when piped, colour when forced
q "$DB" 碳中和 >"$TMP/h"
contains "snippet highlights the deep match" "**碳中和**" "$TMP/h"
contains "exact total, singular" "1 result;" "$TMP/h"
check "an exact total says no about" not grep -q "about 1 result" "$TMP/h"
"$SOU_QUERY" --db "$DB" --color always 碳中和 >"$TMP/c"
check "colour when asked" grep -q $'\033\\[1;31m碳中和' "$TMP/c"
finish
