#!/usr/bin/env bash
# t0026: listed companies as entities (issue 19, README "Companies"):
# codes mined from posts (贵州茅台（600519）, 600519.SH), so a code finds
# the posts that give only the name and a name those that give only the
# code; a user file adds aliases; --entity lists what a word stands for,
# every company when it is ambiguous; the company facet counts them.
. "$(dirname "$0")/lib.sh"

tree=$TMP/posts
mkdir -p "$tree"
post() { printf -- '---\ntitle: %s\ndate: 2024-03-0%s\ntags: [公司]\n---\n%s\n' "$2" "$3" "$4" >"$tree/$1.md"; }
post a 白酒龙头年报 1 "白酒龙头贵州茅台（600519）发布年报，营收增长。"
post b 沪市收盘 2 "收盘时600519.SH报一千七百元，成交放量。"
post c 酒类消费 3 "贵州茅台和五粮液的批价回落。"
post d 光学公司 4 "午后欧菲光(002456)涨停，新希望(000876)走弱。"
post e 无关新闻 5 "报告期（202112）内营收688981万元，智能电动车ETF（516380）。"
"$SOU_INDEX" --db "$TMP/db" "$tree" >"$TMP/out" 2>&1
check "index" [ $? = 0 ]
DB=$TMP/db

eq "600519 finds the posts with its code or its name" "a.md b.md c.md" \
	"$(paths "$DB" 600519 | sort | tr '\n' ' ' | sed 's/ $//')"
eq "贵州茅台 finds the post giving only the code" "a.md b.md c.md" \
	"$(paths "$DB" 贵州茅台 | sort | tr '\n' ' ' | sed 's/ $//')"
eq "欧菲光 and 002456 alike" "$(paths "$DB" 欧菲光)" "$(paths "$DB" 002456)"
# a date, an amount and an ETF in brackets are no company mined
eq "688981 as an amount names no company" "$(printf '688981\t\t0')" \
	"$("$SOU_QUERY" --db "$DB" --entity 688981)"
eq "516380 (an ETF) is no code at all" 1 "$("$SOU_QUERY" --db "$DB" --entity 516380 >/dev/null; echo $?)"
eq "only mined companies in the facet" 3 \
	"$("$SOU_QUERY" --db "$DB" --facets company --json 'date:2024' | jq '.facets.company.values | length')"

"$SOU_QUERY" --db "$DB" --entity 600519 >"$TMP/e"
eq "--entity: code, name, posts naming it" "$(printf '600519\t贵州茅台\t2')" "$(cat "$TMP/e")"
"$SOU_QUERY" --db "$DB" --entity 新希望 --json >"$TMP/j"
eq "--entity --json" "000876 新希望 1" "$(jq -r '.companies[0] | "\(.code) \(.names[0]) \(.posts)"' "$TMP/j")"

# a user file: code, name, aliases; an alias two companies share is listed
printf '# 公司\n600519 贵州茅台 茅台 maotai\n000858 五粮液 白酒\n600809 山西汾酒 白酒\n' >"$TMP/ents.txt"
eq "an alias finds the company" "a.md b.md c.md" \
	"$(paths "$DB" --entities "$TMP/ents.txt" maotai | sort | tr '\n' ' ' | sed 's/ $//')"
"$SOU_QUERY" --db "$DB" --entities "$TMP/ents.txt" --entity 白酒 >"$TMP/e"
eq "an ambiguous alias lists every company" "000858 600809" "$(cut -f1 "$TMP/e" | sort | tr '\n' ' ' | sed 's/ $//')"
# a company by the sound of its name: mined (the reading keys of the
# index, suggest.h) or in the user file; shared initials list every one
eq "--entity gzmt: the mined 贵州茅台" 600519 "$("$SOU_QUERY" --db "$DB" --entity gzmt | cut -f1)"
eq "--entity guizhoumaotai: the same" 600519 \
	"$("$SOU_QUERY" --db "$DB" --entity guizhoumaotai | cut -f1)"
printf '601988 中国银行\n601881 中国银河\n' >"$TMP/banks.txt"
"$SOU_QUERY" --db "$DB" --entities "$TMP/banks.txt" --entity zgyh >"$TMP/e"
eq "ambiguous initials list every company" "601881 601988" \
	"$(cut -f1 "$TMP/e" | sort | tr '\n' ' ' | sed 's/ $//')"
eq "full pinyin is not ambiguous" 601988 \
	"$("$SOU_QUERY" --db "$DB" --entities "$TMP/banks.txt" --entity zhongguoyinhang | cut -f1)"
printf '60051 坏\n' >"$TMP/bad.txt"
rc "a bad user file: exit 2" 2 "$SOU_QUERY" --db "$DB" --entities "$TMP/bad.txt" 600519
contains "names file and line" "bad.txt:1:" "$TMP/err"

"$SOU_QUERY" --db "$DB" --facets company --json 600519 >"$TMP/j"
eq "company facet" "贵州茅台 600519=1" "$(jq -r '.facets.company.values[] | "\(.value)=\(.count)"' "$TMP/j")"
# a mined name by its initials (pinyin.h): the post naming it with its code
eq "gzmt finds the post that names 贵州茅台 with its code" a.md "$(paths "$DB" gzmt | head -1)"
finish
