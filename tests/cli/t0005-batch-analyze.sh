#!/usr/bin/env bash
# t0005: sou-query --batch (one query and its options per line, latency
# per query) and --analyze (words, document terms, compiled query).
. "$(dirname "$0")/lib.sh"

index_sample
cat >"$TMP/queries" <<'Q'
# comments and blank lines are skipped

农业
--sort -date --limit 2 tag:半导体
"离岸人民币" OR 汇率 --limit 1
不存在的词语组合啊
Q
"$SOU_QUERY" --db "$DB" --json --batch "$TMP/queries" >"$TMP/j" 2>"$TMP/e"
eq "batch with some hits exits 0" 0 $?
eq "one JSON line per query" 4 "$(wc -l <"$TMP/j")"
eq "each line is JSON with a latency" 4 "$(jq -c 'select(.latency_ms >= 0)' "$TMP/j" | wc -l)"
eq "per-line options apply" "2023/2023-02-14-chip-export-controls.md tech/2022-06-10-chip-equipment-localization.md" \
	"$(sed -n 2p "$TMP/j" | jq -r '.result.hits[].path' | tr '\n' ' ' | sed 's/ $//')"
eq "quoted phrase kept in a batch line" "1" "$(sed -n 3p "$TMP/j" | jq '.result.hits|length')"
eq "no-hit query" "0" "$(sed -n 4p "$TMP/j" | jq '.result.hits|length')"
contains "latency summary on stderr" "4 queries, latency ms: median" "$TMP/e"
rc "human batch" 0 "$SOU_QUERY" --db "$DB" --color never --batch "$TMP/queries"
contains "human batch header" "## 农业  (1 result," "$TMP/out"
printf -- '--db /elsewhere 农业\n' >"$TMP/badq"
rc "--db not allowed in a batch line" 2 "$SOU_QUERY" --db "$DB" --batch "$TMP/badq"
contains "says why" "option --db is not allowed inside the file" "$TMP/err"
rc "missing batch file" 2 "$SOU_QUERY" --db "$DB" --batch "$TMP/none"

# --analyze: words separated by two spaces, one line per input line
eq "analyze words" "中国  农业  发展  银行  2022q1  a  股  finv" \
	"$("$SOU_QUERY" --analyze 中国农业发展银行2022Q1，A股 ＦＩＮＶ)"
eq "analyze stdin lines" 2 "$(printf '第一行\n第二行\n' | "$SOU_QUERY" --analyze | wc -l)"
"$SOU_QUERY" --analyze --terms doc 农业银行 >"$TMP/t"
# format 5: Chinese bigrams without positions (runs are checked on the
# unit stream), Latin words with them; format 7: a bigram that is a whole
# two-character word counts twice (农业, not 业银), and no word term for it
contains "document bigram without position" "G农业[2] " "$TMP/t"
contains "bigram across two words counts once" "G业银[1] " "$TMP/t"
eq "no bigram position" 0 "$(grep -c "G农业\[2\]@" "$TMP/t")"
eq "no two-character word term" 0 "$(grep -c "^农业\|[ ]农业\[" "$TMP/t")"
contains "document unigram" "U农[1]" "$TMP/t"
"$SOU_QUERY" --analyze --terms doc 'GDP 增长' >"$TMP/t"
contains "Latin word with position" "gdp[1]@1" "$TMP/t"
"$SOU_QUERY" --analyze --terms query '农业 -银行' >"$TMP/t"
contains "compiled query" "AND_NOT" "$TMP/t"
rc "analyze a malformed query" 2 "$SOU_QUERY" --analyze --terms query '"open'
finish
