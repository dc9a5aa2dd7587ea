#!/usr/bin/env bash
# t0001: sou-index on the sample corpus: counts, the summary line, the
# broken-YAML report, exit statuses and re-indexing without duplicates.
. "$(dirname "$0")/lib.sh"

index_sample
eq "exit status with one broken post" 1 "$(cat "$TMP/index.rc")"
nfiles=$(find "$SOU_SRC/corpus/posts" -type f \( -name '*.md' -o -name '*.markdown' -o -name '*.html' \) | wc -l)
contains "summary counts every good post" "added $((nfiles - 1)), updated 0, deleted 0, unchanged 0, failed 1 in" "$TMP/index.out"
check "summary is one line" [ "$(wc -l <"$TMP/index.out")" = 1 ]
check "YAML error names path:line:col" grep -qE 'broken-yaml\.md:[0-9]+:[0-9]+: ' "$TMP/index.err"
eq "every post is searchable" "$((nfiles - 1))" "$(total "$DB" 'date:1900..2100')"

# re-running replaces documents instead of adding them
"$SOU_INDEX" --db "$DB" "$SOU_SRC/corpus/posts" >/dev/null 2>&1
eq "re-index keeps one document per post" "$((nfiles - 1))" "$(total "$DB" 'date:1900..2100')"

# --quiet prints nothing but problems; a clean tree exits 0
mkdir -p "$TMP/clean"
cp "$SOU_SRC/corpus/posts/2019-01-15-adbc-spring-loans.md" "$TMP/clean/"
rc "clean run exits 0" 0 "$SOU_INDEX" --db "$TMP/c" --quiet "$TMP/clean"
eq "--quiet prints nothing on success" "" "$(cat "$TMP/out" "$TMP/err")"
rc "verbose lists posts" 0 "$SOU_INDEX" --db "$TMP/c2" --verbose "$TMP/clean"
contains "verbose names the post" "2019-01-15-adbc-spring-loans.md" "$TMP/out"

# a file given directly is keyed by its base name
rc "single file" 0 "$SOU_INDEX" --db "$TMP/f" "$TMP/clean/2019-01-15-adbc-spring-loans.md"
eq "single file path key" "2019-01-15-adbc-spring-loans.md" "$(paths "$TMP/f" 农发行)"

# usage errors
rc "no PATH" 2 "$SOU_INDEX" --db "$TMP/x"
rc "bad option" 2 "$SOU_INDEX" --bogus "$TMP/clean"
rc "bad zone" 2 "$SOU_INDEX" --timezone +99:00 "$TMP/clean"
rc "missing PATH" 1 "$SOU_INDEX" --db "$TMP/m" "$TMP/does-not-exist"

finish
