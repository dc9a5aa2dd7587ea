#!/usr/bin/env bash
# t0052: terminal injection through sou-query.  Titles, tags, categories,
# bodies (raw and as HTML entities like &#x1b;) and file names holding
# ESC, BEL, newlines or bytes that are not UTF-8 never reach the terminal
# raw: human output, facets, --batch headers and stderr messages escape
# them (\e, \x07, \n, \xFF); with --color the only escape sequences are
# sou's own highlight codes.  JSON keeps the text exact ("\u001b"); a
# path that is not UTF-8 is written with U+FFFD in "path" and exactly in
# "path_escaped".
. "$(dirname "$0")/lib.sh"

E=$(printf '\033') BEL=$(printf '\007')
mkdir -p "$TMP/posts"
printf -- '---\ntitle: "Evil \\e[31mred\\a title"\ntags: ["t\\e]0;pwned\\a"]\ncategories: ["c\\e[2Jat"]\ndate: 2022-01-01\n---\n<p>body evilword &#x1b;[2J cleared &#7; bell &#x9b;31m</p>\n' \
	>"$TMP/posts/evil.md"
printf -- '---\ntitle: raw\n---\nrawword \033]8;;http://x\007link\033]8;;\007 end\n' >"$TMP/posts/raw.md"
printf -- '---\ntitle: esc name\n---\nescname\n' >"$TMP/posts/a${E}[1mb.md"
printf -- '---\ntitle: newline name\n---\nnlname\n' >"$TMP/posts/two
lines.md"
printf -- '---\ntitle: bad name\n---\nbadname\n' >"$TMP/posts/bad$(printf '\377')name.md"
"$SOU_INDEX" --db "$TMP/db" "$TMP/posts" >"$TMP/index.out" 2>"$TMP/index.err"
eq "all five indexed" "added 5" "$(grep -o 'added [0-9]*' "$TMP/index.out")"
DB=$TMP/db

# no_raw FILE: no ESC, BEL or other C0 control except newline and tab
no_raw() {
	if LC_ALL=C grep -q '[[:cntrl:]]' <(tr -d '\n\t' <"$1"); then
		fail "$2: raw control bytes: $(od -c "$1" | grep -m3 -E '033|007')"
	else pass; fi
}

q "$DB" evilword >"$TMP/h"
no_raw "$TMP/h" "title, tags, category, entity-decoded snippet"
contains "title escaped" 'Evil \e[31mred\x07 title' "$TMP/h"
contains "tag escaped" 't\e]0;pwned\x07' "$TMP/h"
contains "category escaped" 'c\e[2Jat' "$TMP/h"
contains "&#x1b; escaped in the snippet" '\e[2J cleared \x07 bell' "$TMP/h"
contains "highlight marks added after escaping" '**evilword**' "$TMP/h"
q "$DB" rawword >"$TMP/h"
no_raw "$TMP/h" "raw ESC in a Markdown body"
q "$DB" --facets tag,category evilword >"$TMP/h"
no_raw "$TMP/h" "facet values"
contains "facet value escaped" 't\e]0;pwned\x07 (1)' "$TMP/h"

# file names
q "$DB" escname >"$TMP/h"
no_raw "$TMP/h" "ESC in a file name"
contains "file name escaped" 'a\e[1mb.md' "$TMP/h"
q "$DB" nlname >"$TMP/h"
contains "newline in a file name stays on one line" 'two\nlines.md' "$TMP/h"
q "$DB" badname >"$TMP/h"
contains "invalid UTF-8 escaped" 'bad\xFFname.md' "$TMP/h"

# colour: only sou's own sequences
"$SOU_QUERY" --db "$DB" --color always --facets tag evilword >"$TMP/c"
sed -E $'s/\033\\[(0|1|2|1;31|0;1)m//g' "$TMP/c" >"$TMP/c2"
no_raw "$TMP/c2" "colour output beyond sou's highlight codes"

# JSON: exact text, valid UTF-8, path_escaped only for a non-UTF-8 name
"$SOU_QUERY" --db "$DB" --json evilword >"$TMP/j"
eq "JSON title exact" "Evil ${E}[31mred${BEL} title" "$(jq -r '.hits[0].title' "$TMP/j")"
eq "no path_escaped for a UTF-8 name" "null" "$(jq -r '.hits[0].path_escaped' "$TMP/j")"
"$SOU_QUERY" --db "$DB" --json badname >"$TMP/j"
check "JSON is valid" jq -e . "$TMP/j" >/dev/null
eq "path with U+FFFD" "bad�name.md" "$(jq -r '.hits[0].path' "$TMP/j")"
eq "path_escaped exact" 'bad\xFFname.md' "$(jq -r '.hits[0].path_escaped' "$TMP/j")"

# stderr: queries, --like paths and file names are escaped too
rc "query with ESC in an error" 2 "$SOU_QUERY" --db "$DB" "x \"open${E}[31m"
no_raw "$TMP/err" "query error message"
contains "escaped in the message" 'unclosed quote: "open\e[31m' "$TMP/err"
rc "--like an unknown post with ESC" 2 "$SOU_QUERY" --db "$DB" --like "no${E}]0;x${BEL}.md"
no_raw "$TMP/err" "--like message"
rc "batch file name with ESC" 2 "$SOU_QUERY" --db "$DB" --batch "$TMP/no${E}[2Jpe"
no_raw "$TMP/err" "--batch file name"
printf 'evilword\nbad "q%s[5m\n' "$E" >"$TMP/batch"
rc "batch" 2 "$SOU_QUERY" --db "$DB" --color never --batch "$TMP/batch"
no_raw "$TMP/out" "batch output"
no_raw "$TMP/err" "batch errors"
printf -- '-- evil%s[1mword\n' "$E" >"$TMP/batch2"
"$SOU_QUERY" --db "$DB" --color never --batch "$TMP/batch2" >"$TMP/b2" 2>&1
no_raw "$TMP/b2" "batch header"
finish
