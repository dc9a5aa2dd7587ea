#!/usr/bin/env bash
# t0004: malformed queries and bad options exit 2 with a clear message,
# no hits exit 1, a missing index exits 3; bad posts never stop a run.
. "$(dirname "$0")/lib.sh"

index_sample
for bad in '"unclosed' 'date:2022-13' 'date:2022-02-30' 'tag:' 'title:' 'OR 银行' '银行 OR' \
	'银行 OR OR 汇率' '-' '-银行 OR 汇率' '，。' 'date:2023..2022' 'date:..' '""'; do
	rc "malformed query [$bad]" 2 "$SOU_QUERY" --db "$DB" "$bad"
	check "message for [$bad]" grep -q '^sou-query: ' "$TMP/err"
done
rc "unclosed quote message" 2 "$SOU_QUERY" --db "$DB" '"unclosed'
contains "says what is wrong" "unclosed quote" "$TMP/err"
rc "month 13 message" 2 "$SOU_QUERY" --db "$DB" 'date:2022-13'
contains "names the month" "month 13" "$TMP/err"
rc "no hits" 1 "$SOU_QUERY" --db "$DB" 不存在的词语组合啊
rc "hits" 0 "$SOU_QUERY" --db "$DB" 银行
rc "missing index" 3 "$SOU_QUERY" --db "$TMP/nope" 银行
contains "missing index message" "no index here" "$TMP/err"
rc "bad --sort" 2 "$SOU_QUERY" --db "$DB" --sort size 银行
rc "bad --limit" 2 "$SOU_QUERY" --db "$DB" --limit -3 银行
rc "no query" 2 "$SOU_QUERY" --db "$DB"

# bad posts: each is reported, the run goes on and the good post is indexed
mkdir -p "$TMP/bad"
printf -- '---\ntitle: good\ntags: [好]\n---\n正常的文章内容\n' >"$TMP/bad/2024-01-01-good.md"
printf -- '---\ntitle: "unterminated\n---\nbody\n' >"$TMP/bad/2024-01-02-yaml.md"
printf -- '---\ntitle: x\nbody without end\n' >"$TMP/bad/2024-01-03-open.md"
printf -- 'no front matter at all\n' >"$TMP/bad/2024-01-04-plain.md"
printf -- '---\ntitle: 二进制\n---\n\x00\x01\xff\xfe 二进制\n' >"$TMP/bad/2024-01-05-binary.md"
printf -- '---\ntitle: 坏编码\n---\n\xff\xfe\xc3 乱码\n' >"$TMP/bad/2024-01-09-badutf8.md"
printf -- '---\ndate: 2024-99-99\n---\nx\n' >"$TMP/bad/2024-01-06-date.md"
: >"$TMP/bad/2024-01-07-empty.md"
printf -- '---\ntitle: [a\n---\n' >"$TMP/bad/2024-01-08-flow.md"
# a relative path of over 245 bytes (Xapian's term limit) in Chinese
long=$(printf '长%.0s' $(seq 1 60))/$(printf '路%.0s' $(seq 1 40))
mkdir -p "$TMP/bad/${long%/*}"
printf -- '---\ntitle: 长路径\n---\n长路径文章\n' >"$TMP/bad/$long.md"
rc "bad posts: exit 1" 1 "$SOU_INDEX" --db "$TMP/b" "$TMP/bad"
contains "summary" "added 3, updated 0, deleted 0, unchanged 0, failed 4 in" "$TMP/out"
contains "YAML error path:line:col" "2024-01-02-yaml.md:" "$TMP/err"
contains "unterminated front matter" "never closed" "$TMP/err"
contains "bad date named" "2024-01-06-date.md:2:" "$TMP/err"
contains "no front matter is a note" "no front matter" "$TMP/err"
eq "good post indexed" "2024-01-01-good.md" "$(paths "$TMP/b" 正常)"
contains "NUL bytes: skipped as binary" "2024-01-05-binary.md: binary file (NUL byte at offset" "$TMP/err"
eq "invalid UTF-8 indexed with its text" "2024-01-09-badutf8.md" "$(paths "$TMP/b" 乱码)"
eq "300-byte relative path indexed" "$long.md" "$(paths "$TMP/b" 长路径文章)"
finish
