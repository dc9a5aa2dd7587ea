#!/usr/bin/env bash
# t0027: pinyin and initials (README "Pinyin and initials").  The sample
# corpus plus posts written here: one titled with 贵州茅台, one whose
# title only sounds alike (桂州毛苔), one that spells "maotai" in Latin
# and one with 贵州茅台 in its body only.  Joined, spaced, initials and
# mixed pinyin find the titled post; the Latin spelling ranks first for
# "maotai"; the Hanzi query ranks the Hanzi title first and never finds
# the homophone; bodies get no pinyin; --no-pinyin drops the terms and
# --analyze --terms pinyin shows the readings, polyphones included; the
# title's words that were typed by sound are highlighted.
. "$(dirname "$0")/lib.sh"

tree=$TMP/posts
cp -r "$SOU_SRC/corpus/posts" "$tree"
mkdir -p "$tree/planted"
cat >"$tree/planted/titled.md" <<'POST'
---
title: 贵州茅台宣布年度分红方案
tags: [白酒]
---
董事会通过了分红方案。
POST
cat >"$tree/planted/sounds-alike.md" <<'POST'
---
title: 桂州毛苔的故事
---
一个与酒无关的故事。
POST
cat >"$tree/planted/latin.md" <<'POST'
---
title: Kweichow Moutai, or maotai
---
The maotai brand.
POST
cat >"$tree/planted/body-only.md" <<'POST'
---
title: 周末消息汇总
---
正文提到贵州茅台。
POST
cat >"$tree/planted/bank.md" <<'POST'
---
title: 银行行长谈长江经济带
tags: [重庆]
---
正文。
POST
DB=$TMP/db
rc "index" 1 "$SOU_INDEX" --db "$DB" "$tree"   # the sample's one broken post

for qq in maotai "gui zhou mao tai" guizhoumaotai gzmt GZMT "贵州mt" "贵州maotai" \
	"guizhou maotai"; do
	paths "$DB" --limit 100 "$qq" >"$TMP/hits"
	contains "$qq finds the titled post" planted/titled.md "$TMP/hits"
	check "$qq: no pinyin from bodies" not grep -q planted/body-only.md "$TMP/hits"
done
eq "maotai: the Latin spelling first" planted/latin.md "$(paths "$DB" maotai | head -1)"
paths "$DB" --limit 100 贵州茅台 >"$TMP/han"
eq "the Hanzi query: the Hanzi title first" planted/titled.md "$(head -1 "$TMP/han")"
check "the Hanzi query: no homophone" not grep -q planted/sounds-alike.md "$TMP/han"
contains "the Hanzi query: the body too" planted/body-only.md "$TMP/han"
# polyphones by word: 银行 yinhang, 行长 hangzhang, 长江 changjiang, 重庆 (a tag)
for qq in yinhang hangzhang changjiang chongqing yhhz; do
	paths "$DB" "$qq" >"$TMP/hits"
	contains "$qq (polyphones)" planted/bank.md "$TMP/hits"
done
eq "yinxing is not 银行" "" "$(paths "$DB" yinxing | grep planted/bank.md)"

# what was typed by sound is highlighted where the title says it
hl() { "$SOU_QUERY" --db "$DB" --limit 100 --color never "$1" | grep -F "$2"; }
contains "maotai highlights 茅台" "贵州**茅台**宣布" <(hl maotai 年度分红)
contains "gzmt highlights 贵州茅台" "**贵州茅台**宣布" <(hl gzmt 年度分红)
contains "贵州mt highlights 贵州茅台" "**贵州茅台**宣布" <(hl 贵州mt 年度分红)
contains "yinhang highlights 银行, not 行长" "**银行**行长谈" <(hl yinhang 长江经济带)
contains "hangzhang highlights 行长" "银行**行长**谈" <(hl hangzhang 长江经济带)
"$SOU_QUERY" --db "$DB" --json --limit 100 gzmt >"$TMP/j"
eq "--json: the title's highlight is the bytes of 贵州茅台" "贵州茅台" "$(python3 -c '
import json, sys
for h in json.load(open(sys.argv[1]))["hits"]:
    if h["path"].endswith("planted/titled.md"):
        t = h["title"].encode()
        print(" ".join(t[s:e].decode() for s, e in h["title_highlights"]))
' "$TMP/j")"

# --analyze shows the readings
eq "analyze pinyin" "银行(yin hang)  行长(hang zhang)  mt" \
	"$("$SOU_QUERY" --analyze --terms pinyin '银行行长mt')"
contains "analyze query" XPIgzmt <("$SOU_QUERY" --analyze --terms query 贵州mt)

# --no-pinyin: no such terms, and the option is part of the index's config
DB2=$TMP/db2
rc "index --no-pinyin" 1 "$SOU_INDEX" --db "$DB2" --no-pinyin "$tree"
eq "no pinyin: gzmt finds nothing" "" "$(paths "$DB2" gzmt)"
eq "no pinyin: maotai finds the Latin post" planted/latin.md "$(paths "$DB2" maotai)"
finish
