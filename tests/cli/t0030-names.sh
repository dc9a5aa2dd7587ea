#!/usr/bin/env bash
# t0030: odd file names (issue 8, defect 1, and defect 6 on the indexer's
# side).  A post whose name is not valid UTF-8 is indexed (it used to
# abort sou-index on every run) and keeps its exact bytes; a name with a
# newline, ESC or BEL is printed escaped, one line per message, in error
# and skip notes, --verbose and --dry-run lists, and --status.
. "$(dirname "$0")/lib.sh"

tree=$TMP/posts
mkdir -p "$tree"
ff=$(printf '\377')
esc=$(printf '\033')
bel=$(printf '\007')
nl=$'\n'
printf -- '---\ntitle: 坏名字\n---\n无效编码文件名专用词。\n' >"$tree/bad-$ff.md"
printf -- '---\ntitle: 转义\n---\n转义文件名专用词。\n' >"$tree/esc-$esc[31mred.md"
printf -- '---\ntitle: "unterminated\n---\n' >"$tree/nl-${nl}line.md"
printf 'no front matter\n' >"$tree/bel-$bel.md"
DB=$TMP/db

"$SOU_INDEX" --db "$DB" --verbose "$tree" >"$TMP/out" 2>"$TMP/err"
r=$?
eq "a name that is not UTF-8 does not abort sou-index (exit 1: one bad post)" 1 "$r"
contains "both good posts are added" "added 2, updated 0, deleted 0, unchanged 0, failed 1" "$TMP/out"
eq "the post with the non-UTF-8 name is searchable" "1" "$(total "$DB" 无效编码文件名专用词)"
# its stored path is exactly the name: the query side shows it as U+FFFD
# in "path" and as \xFF in "path_escaped"
eq "JSON path of the non-UTF-8 name" "bad-�.md" "$(paths "$DB" 无效编码文件名专用词)"
eq "JSON path_escaped of the non-UTF-8 name" 'bad-\xFF.md' \
	"$("$SOU_QUERY" --db "$DB" --json 无效编码文件名专用词 | jq -r '.hits[0].path_escaped')"
contains "--verbose lists the name escaped" "added $tree/bad-\\xFF.md" "$TMP/out"
contains "--verbose escapes ESC" "added $tree/esc-\\e[31mred.md" "$TMP/out"
check "no ESC byte reaches stdout or stderr" bash -c "! grep -q \$'\\033' '$TMP/out' '$TMP/err'"
check "no BEL byte reaches stdout or stderr" bash -c "! grep -q \$'\\007' '$TMP/out' '$TMP/err'"
check "no invalid UTF-8 reaches stdout or stderr" bash -c "iconv -f UTF-8 -t UTF-8 '$TMP/out' '$TMP/err' >/dev/null"
eq "stdout: two 'added' lines and the summary" 3 "$(wc -l <"$TMP/out")"
contains "the error for the name with a newline is one escaped line" "sou-index: error: $tree/nl-\\nline.md:" "$TMP/err"
contains "the skip note escapes BEL" "sou-index: skipped: $tree/bel-\\x07.md" "$TMP/err"
eq "stderr: one line per message (an error and a skip)" 2 "$(wc -l <"$TMP/err")"

"$SOU_INDEX" --db "$DB" "$tree" >"$TMP/out" 2>"$TMP/err"
eq "the next run works too (exit 0)" 0 "$?"
contains "the next run finds nothing changed" "added 0, updated 0, deleted 0, unchanged 4, failed 0" "$TMP/out"

"$SOU_INDEX" --db "$DB" --status >"$TMP/status" 2>&1
eq "--status: exit 0" 0 "$?"
contains "--status lists the failed post on one escaped line" "  $tree/nl-\\nline.md:" "$TMP/status"
check "--status prints no raw newline in a name" bash -c "! grep -qx 'line.md.*' '$TMP/status'"

# deleting it works by its exact bytes
rm "$tree/bad-$ff.md"
"$SOU_INDEX" --db "$DB" --dry-run "$tree" >"$TMP/out" 2>"$TMP/err"
contains "--dry-run lists the deletion escaped" 'would be deleted bad-\xFF.md' "$TMP/out"
"$SOU_INDEX" --db "$DB" "$tree" >"$TMP/out" 2>"$TMP/err"
contains "the non-UTF-8 post is deleted" "deleted 1" "$TMP/out"
eq "and no longer found" 0 "$(total "$DB" 无效编码文件名专用词)"

# a full rebuild (worker threads) handles the name too
printf -- '---\ntitle: 坏名字\n---\n无效编码文件名专用词。\n' >"$tree/bad-$ff.md"
"$SOU_INDEX" --db "$DB" --rebuild "$tree" >"$TMP/out" 2>"$TMP/err"
eq "rebuild with the name: exit 1 (the bad post)" 1 "$?"
eq "rebuild: the post is searchable" "1" "$(total "$DB" 无效编码文件名专用词)"
finish
