#!/usr/bin/env bash
# t0050: sou-query's command line: "--" ends the options and the query
# is exactly the words after it (it used to repeat the last word); a bad
# option is one line naming it plus "try sou-query --help", not the whole
# usage; error columns count characters; --like on a post that is not in
# the index is a usage error (2) naming the path; "1 result" is singular.
. "$(dirname "$0")/lib.sh"

index_sample

# "--": the query is the words after it, each once
eq "-- keeps the query as typed" "经济 OR 金融" "$("$SOU_QUERY" --db "$DB" --json -- 经济 OR 金融 | jq -r .query)"
eq "-- hits equal the plain query's" "$(paths "$DB" --limit 50 经济 OR 金融 | sort)" \
	"$(paths "$DB" --limit 50 -- 经济 OR 金融 | sort)"
eq "-- before a -word" "$(paths "$DB" --limit 50 银行 -利率 | sort)" "$(paths "$DB" --limit 50 -- 银行 -利率 | sort)"
eq "options before --" "1" "$("$SOU_QUERY" --db "$DB" --json --limit 1 -- 银行 | jq '.hits | length')"
eq "--like after --" "--like" "$("$SOU_QUERY" --db "$DB" --json -- --like 2>/dev/null | jq -r .query)"
rc "nothing after --" 2 "$SOU_QUERY" --db "$DB" --

# a bad option: one line, no usage dump
rc "unknown option" 2 "$SOU_QUERY" --db "$DB" --bogus 银行
eq "one line" 1 "$(wc -l <"$TMP/err")"
contains "names it" "unknown option '--bogus'; try sou-query --help" "$TMP/err"
rc "missing value" 2 "$SOU_QUERY" --db "$DB" 银行 --limit
eq "one line for a missing value" 1 "$(wc -l <"$TMP/err")"
contains "names the option" "option '--limit' needs a value; try sou-query --help" "$TMP/err"
rc "value for a flag" 2 "$SOU_QUERY" --db "$DB" --json=yes 银行
eq "one line for a value given to a flag" 1 "$(wc -l <"$TMP/err")"
contains "says it takes none" "option '--json=yes' takes no value" "$TMP/err"
rc "no query" 2 "$SOU_QUERY" --db "$DB"
eq "one line for no query" 1 "$(wc -l <"$TMP/err")"
contains "says so" "no QUERY given; try sou-query --help" "$TMP/err"
rc "--help still prints the usage" 0 "$SOU_QUERY" --help
contains "usage on stdout" "usage: sou-query" "$TMP/out"

# columns count characters: the quote opens at character 6 (byte 14)
rc "unclosed quote after Chinese" 2 "$SOU_QUERY" --db "$DB" '机器学习 "未闭合'
contains "column in characters" "column 6: unclosed quote" "$TMP/err"
rc "dangling OR after Chinese" 2 "$SOU_QUERY" --db "$DB" '农业 OR'
contains "OR column in characters" "column 4: OR needs a term" "$TMP/err"

# --like on a post that is not there: the user's mistake, not the index's
rc "--like unknown post" 2 "$SOU_QUERY" --db "$DB" --like 2099/nope.md
contains "names the path" "--like 2099/nope.md: no such post in the index" "$TMP/err"
rc "--like a known post" 0 "$SOU_QUERY" --db "$DB" --like tech/2023-03-16-large-models.md

# singular
q "$DB" 碳中和 >"$TMP/h"
contains "1 result" "1 result; showing 1-1" "$TMP/h"
q "$DB" 银行 >"$TMP/h"
check "plural stays plural" grep -q "^[0-9]* results; showing" "$TMP/h"

# --limit 0 is a count: the total, exit 0 when something matches
rc "--limit 0 counts" 0 "$SOU_QUERY" --db "$DB" --limit 0 银行
check "--limit 0 prints the count alone" grep -qx "[0-9]* results" "$TMP/out"
rc "--limit 0 with no match" 1 "$SOU_QUERY" --db "$DB" --limit 0 银行不存在的词zz
contains "says so" "no results" "$TMP/out"
rc "a page past the end" 1 "$SOU_QUERY" --db "$DB" --offset 1000 银行
check "says how many there are" grep -q "^no results on this page ([0-9]* in all)" "$TMP/out"
# a word over 64 letters: the real reason, not "only punctuation?"
rc "a 65-letter word" 2 "$SOU_QUERY" --db "$DB" "$(printf 'a%.0s' $(seq 65))"
contains "names the cause" "column 1: a word of 65 letters is longer than any indexed word (at most 64 bytes)" "$TMP/err"
finish
