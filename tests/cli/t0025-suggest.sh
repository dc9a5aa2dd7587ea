#!/usr/bin/env bash
# t0025: completions as a reader types (issue 19, README "Suggestions"):
# `sou-query --suggest PREFIX` lists keys of titles and tags that start
# with the prefix (folded: traditional, full-width and capitals complete
# alike), most posts first; every completion's count is at most what a
# search for it finds (the posts whose title or tag holds it), exit 1
# when there is none, --json has prefix, suggestions and more.  Keys of
# characters also complete by their pinyin, joined or spaced, and by
# initials (yangh, yang hang, yh -> 央行), characters then letters only
# to keys with those characters (央行s), companies named in a body by
# their names (gzmt -> 贵州茅台); none of that after --no-pinyin.
. "$(dirname "$0")/lib.sh"

index_sample
eq "index the sample" 1 "$(cat "$TMP/index.rc")"   # its one broken post

sug() { "$SOU_QUERY" --db "$DB" --suggest "$@"; }

rc "a prefix with completions: exit 0" 0 sug 央行
contains "央行 completes to a title's words" "央行升息半码" "$TMP/out"
rc "no completion: exit 1" 1 sug 齉齉齉
eq "no completion: nothing printed" "" "$(cat "$TMP/out")"
eq "words of a title and the next one: 双十一" "双十一" "$(sug 双十 | cut -f1 | head -1)"
eq "Latin folds: LPR as lpr" "$(sug lpr)" "$(sug LPR)"
eq "traditional folds: 臺灣 as 台湾" "$(sug 台湾)" "$(sug 臺灣)"
eq "full-width folds: ＦＩＮＶ as finv" "$(sug finv)" "$(sug ＦＩＮＶ)"
contains "a tag completes whole" "新能源汽车" <(sug 新能源)
# every completion starts with the prefix; its posts are at most what a
# phrase search finds, and ranked by posts
for p in 央行 人民 5g 美联 国际 中国; do
	sug "$p" --limit 20 >"$TMP/s" || continue
	prev=
	while IFS=$'\t' read -r text posts; do
		eq "'$text' starts with '$p'" "$p" "${text:0:${#p}}"
		n=$(total "$DB" --exact-total --limit 0 "\"$text\"")
		check "'$text': $posts posts, a search finds $n" [ "$posts" -le "$n" ]
		[ -n "$prev" ] && check "'$text' ranked by posts" [ "$posts" -le "$prev" ]
		prev=$posts
	done <"$TMP/s"
done
sug 人民 --json >"$TMP/j"
eq "json: prefix" 人民 "$(jq -r .prefix "$TMP/j")"
eq "json: suggestions as text/posts" "$(sug 人民 | head -1 | cut -f1)" \
	"$(jq -r '.suggestions[0].text' "$TMP/j")"
eq "json: more" false "$(jq -r .more "$TMP/j")"
eq "--limit caps the list" 1 "$(sug 人民 --limit 1 | wc -l)"
# pinyin and initials: the same completions, the same counts
line() { grep "^$2"$'\t' <(sug "$1" --limit 50) | head -1; }
eq "yangh completes to 央行" "$(line 央行 央行)" "$(line yangh 央行)"
eq "yangh completes to 央行升息半码" "$(line 央行 央行升息半码)" "$(line yangh 央行升息半码)"
eq "yh completes to 央行" "$(line 央行 央行)" "$(line yh 央行)"
eq "spaced pinyin as joined: yang hang" "$(sug yanghang)" "$(sug 'yang hang')"
eq "capitals fold: YH as yh" "$(sug yh)" "$(sug YH)"
sug 央行s >"$TMP/s"
contains "characters then letters: 央行s" "央行升息半码" "$TMP/s"
eq "央行s: only keys that start with 央行" "" "$(cut -f1 "$TMP/s" | grep -v '^央行')"
contains "a company named in a body completes by initials: gzmt" "贵州茅台" <(sug gzmt)
eq "by full pinyin too" "$(sug gzmt | grep '^贵州茅台')" "$(sug guizhoumao | grep '^贵州茅台')"
"$SOU_INDEX" -q --no-pinyin --db "$TMP/np" "$SOU_SRC/corpus/posts" 2>/dev/null
rc "--no-pinyin: yangh completes to nothing" 1 "$SOU_QUERY" --db "$TMP/np" --suggest yangh
rc "--no-pinyin: 央行 still completes" 0 "$SOU_QUERY" --db "$TMP/np" --suggest 央行
rc "--suggest with a query is a usage error" 2 "$SOU_QUERY" --db "$DB" --suggest 人民 银行
finish
