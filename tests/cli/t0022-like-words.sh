#!/usr/bin/env bash
# t0022: --like POST suggests posts from whole words and highlights whole
# words (README "Related posts").  For every post of the sample corpus,
# every highlight of every suggestion (title and snippet, text output with
# ** markers) must be (1) more than one Chinese character - no lone
# character such as 币 is a suggestion word - and (2) whole words of its
# line: a run of consecutive words of `sou-query --analyze --terms
# original` of that line, never a fragment such as 币汇 (of 人民币 汇率).
. "$(dirname "$0")/lib.sh"

index_sample
eq "index the sample" 1 "$(cat "$TMP/index.rc")"   # its one broken post

posts=0 hls=0 lone=0
: >"$TMP/lines"
: >"$TMP/hls"
while read -r p; do
	posts=$((posts + 1))
	q "$DB" --like "$p" --limit 10 >"$TMP/like.out" 2>/dev/null
	# each line with highlights, markers removed (to "lines"), and its
	# highlights, tab-separated (to "hls", the same line number)
	while IFS= read -r line; do
		plain=${line//\*\*/}
		plain=${plain#"${plain%%[![:space:]]*}"}
		rest=$line
		row=
		while [[ $rest == *'**'*'**'* ]]; do
			rest=${rest#*'**'}
			h=${rest%%'**'*}
			rest=${rest#*'**'}
			hls=$((hls + 1))
			if [ "$(printf '%s' "$h" | wc -m)" = 1 ] && [[ $h == [![:ascii:]] ]]; then
				lone=$((lone + 1))
				echo "lone character '$h' highlighted for --like $p" >&2
			fi
			row=$row$'\t'$h
		done
		printf '%s\n' "${plain#…}" >>"$TMP/lines"
		printf '%s\n' "${row#$'\t'}" >>"$TMP/hls"
	done < <(grep -F '**' "$TMP/like.out")
done < <(cd "$SOU_SRC/corpus/posts" && find . -type f \( -name '*.md' -o -name '*.markdown' -o -name '*.html' \) ! -name '*broken*' | sed 's|^\./||' | sort)

# every highlight is consecutive words of its line's segmentation (one
# sou-query for all lines: words separated by two spaces)
"$SOU_QUERY" --analyze --terms original <"$TMP/lines" >"$TMP/words"
frag=$(paste "$TMP/hls" "$TMP/words" | awk -F'\t' '{
	n = split($NF, w, "  ")
	for (k = 1; k < NF; k++) {
		h = $k; ok = 0
		for (i = 1; i <= n && !ok; i++) {
			s = ""
			for (j = i; j <= n && length(s) < length(h); j++) {
				s = s w[j]
				if (s == h) ok = 1
			}
		}
		if (!ok) { bad++; print "fragment " h " highlighted in: " $NF > "/dev/stderr" }
	}
} END { print bad + 0 }')

check "posts tried" [ "$posts" -ge 40 ]
check "highlights seen" [ "$hls" -ge 50 ]
eq "lone characters highlighted" 0 "$lone"
eq "fragments highlighted" 0 "$frag"
# the case the issue names: 人民币汇率 in the offshore-yuan post
q "$DB" --like 2020-01-17-offshore-yuan-strengthens.md --limit 10 >"$TMP/yuan" 2>&1
eq "no 币汇 fragment" 0 "$(grep -c '\*\*币汇\*\*' "$TMP/yuan")"
finish
