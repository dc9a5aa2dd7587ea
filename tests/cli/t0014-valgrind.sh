#!/usr/bin/env bash
# t0014: valgrind finds no leaks and no memory errors in a full index run
# (the sample corpus plus broken posts) and in queries of every kind.
. "$(dirname "$0")/lib.sh"

[ -z "${SOU_SANITIZED:-}" ] || skip "sanitizer build: valgrind runs on the plain build"
command -v valgrind >/dev/null || skip "valgrind not installed"
tree=$TMP/posts
cp -r "$SOU_SRC/corpus/posts" "$tree"
printf -- '---\ntitle: "bad\n---\n' >"$tree/2024-09-09-bad.md"
printf 'no front matter\n' >"$tree/2024-09-10-plain.md"
vg=(valgrind --quiet --leak-check=full --show-leak-kinds=definite,indirect
	--errors-for-leak-kinds=definite,indirect --error-exitcode=99)

"${vg[@]}" "$SOU_INDEX" --db "$TMP/db" "$tree" >"$TMP/out" 2>"$TMP/err"
eq "index run under valgrind (exit 1: two bad posts)" 1 "$?"
check "no valgrind report" bash -c "! grep -q '==[0-9]*==' '$TMP/err'"
sed -i 's/。/。改/' "$tree/2019-01-15-adbc-spring-loans.md"
rm "$tree/2020-08-07-gold-record-high.md"
"${vg[@]}" "$SOU_INDEX" --db "$TMP/db" "$tree" >"$TMP/out" 2>"$TMP/err"
eq "incremental run under valgrind" 0 "$?"
check "no valgrind report (incremental)" bash -c "! grep -q '==[0-9]*==' '$TMP/err'"

# every kind of query in one valgrind process (--batch takes per-line
# options), so the check costs one start-up instead of ten
cat >"$TMP/batch" <<'EOF'
农业
"离岸人民币" OR 汇率
--sort -date tag:半导体
title:量子计算 -科技
date:2020..2022 银行
"unclosed
--facets tag,category,month 银行
--like tech/2023-03-16-large-models.md
rates inflation
EOF
"${vg[@]}" "$SOU_QUERY" --db "$TMP/db" --batch "$TMP/batch" >"$TMP/out" 2>"$TMP/err"
r=$?
check "batch of every query kind exits normally under valgrind ($r)" [ "$r" -le 2 ]
check "no valgrind report for the queries" bash -c "! grep -q '==[0-9]*==' '$TMP/err'"
"${vg[@]}" "$SOU_QUERY" --db "$TMP/db" --json --batch "$TMP/batch" >"$TMP/out" 2>"$TMP/err"
check "no valgrind report for the queries as JSON" bash -c "! grep -q '==[0-9]*==' '$TMP/err'"
eq "a JSON line for every batch line" 9 "$(grep -c '^{' "$TMP/out")"
echo '中国农业发展银行2022Q1' | "${vg[@]}" "$SOU_QUERY" --analyze --terms doc >/dev/null 2>"$TMP/err"
check "no valgrind report for --analyze" bash -c "! grep -q '==[0-9]*==' '$TMP/err'"
finish
