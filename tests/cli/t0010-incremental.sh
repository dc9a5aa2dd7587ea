#!/usr/bin/env bash
# t0010: incremental re-runs: unchanged posts are not re-read, touched but
# identical ones are not re-indexed, edits/renames/deletes/adds are exact,
# failed posts are remembered until they change, --dry-run and --status,
# and after every step the index equals a full rebuild of the same tree.
. "$(dirname "$0")/lib.sh"

: "${SOU_DUMP:?set by ctest}"
tree=$TMP/posts
cp -r "$SOU_SRC/corpus/posts" "$tree"
DB=$TMP/db
n=$(find "$tree" -type f \( -name '*.md' -o -name '*.markdown' -o -name '*.html' \) | wc -l)

run() { "$SOU_INDEX" --db "$DB" "$@" "$tree" >"$TMP/out" 2>"$TMP/err"; echo $? >"$TMP/rc"; }
summary() { cat "$TMP/out"; }
# same_as_rebuild STEP: the incremental index equals a fresh full build
same_as_rebuild() {
	rm -rf "$TMP/full"
	"$SOU_INDEX" --db "$TMP/full" "$tree" >/dev/null 2>&1
	"$SOU_DUMP" "$DB" >"$TMP/d1" && "$SOU_DUMP" "$TMP/full" >"$TMP/d2"
	if cmp -s "$TMP/d1" "$TMP/d2"; then pass; else
		fail "$1: incremental index differs from a rebuild: $(diff "$TMP/d1" "$TMP/d2" | head -5)"
	fi
}

run
eq "first run: one failure" 1 "$(cat "$TMP/rc")"
contains "first run adds all good posts" "added $((n - 1)), updated 0, deleted 0, unchanged 0, failed 1" "$TMP/out"

run --quiet
eq "re-run: failed post remembered, not retried" 0 "$(cat "$TMP/rc")"
eq "re-run --quiet prints nothing" "" "$(cat "$TMP/out" "$TMP/err")"
run
contains "re-run: everything unchanged" "added 0, updated 0, deleted 0, unchanged $n, failed 0" "$TMP/out"

# touched but identical: hashed, not re-indexed
touch "$tree/2019-01-15-adbc-spring-loans.md"
run --verbose
contains "touch is not a change" "added 0, updated 0, deleted 0, unchanged $n, failed 0" "$TMP/out"

# edit, rename, delete, add
sed -i 's/春耕临近/春耕即将到来/' "$tree/2019-01-15-adbc-spring-loans.md"
mv "$tree/2019-03-29-moutai-annual-report.md" "$tree/2023/renamed-moutai.md"
rm "$tree/2020-08-07-gold-record-high.md"
printf -- '---\ntitle: 新增文章\ndate: 2025-06-01\ntags: [新增]\n---\n增量索引测试专用词语锟斤拷。\n' >"$tree/2025-06-01-new.md"
run --dry-run
contains "dry run reports" "dry run: would have added 2, updated 1, deleted 2, unchanged $((n - 3)), failed 0" "$TMP/out"
contains "dry run lists" "would be deleted 2020-08-07-gold-record-high.md" "$TMP/out"
eq "dry run changed nothing" "0" "$(total "$DB" 锟斤拷)"
run --verbose
contains "changes applied" "added 2, updated 1, deleted 2, unchanged $((n - 3)), failed 0" "$TMP/out"
contains "verbose names the update" "updated $tree/2019-01-15-adbc-spring-loans.md" "$TMP/out"
eq "edit is searchable" "2019-01-15-adbc-spring-loans.md" "$(paths "$DB" 春耕即将到来)"
eq "old text gone" "0" "$(total "$DB" '"春耕临近"')"
eq "renamed post under its new path" "2023/renamed-moutai.md" "$(paths "$DB" 飞天茅台 | grep renamed)"
check "old path gone" bash -c "! \"$SOU_QUERY\" --db \"$DB\" --json --limit 100 贵州茅台 | grep -q 2019-03-29-moutai"
eq "deleted post gone" "0" "$(total "$DB" 黄金ETF)"
eq "new post found" "2025-06-01-new.md" "$(paths "$DB" 锟斤拷)"
same_as_rebuild "after edits"

# fixing the broken post retries it; breaking a good one removes it
sed -i 's/^title: "\(.*\)$/title: "\1"/' "$tree/2023-01-01-broken-yaml.md"
printf -- '---\ntitle: [unclosed\n---\n' >"$tree/2019-08-20-lpr-reform.md"
run
"$SOU_INDEX" --db "$DB" --status >"$TMP/status"
contains "status lists the newly broken post" "2019-08-20-lpr-reform.md" "$TMP/status"
contains "status shows the post count" "posts:" "$TMP/status"
contains "status shows the last run" "last run: " "$TMP/status"
eq "broken post removed from the index" "0" "$(total "$DB" 报价行)"
same_as_rebuild "after breaking a post"

# a zone change re-indexes everything (dates may move)
"$SOU_INDEX" --db "$DB" --timezone +00:00 "$tree" >"$TMP/out" 2>&1
check "zone change re-indexes" grep -qE 'updated [1-9]' "$TMP/out"

# --rebuild switches atomically and leaves the same content
"$SOU_INDEX" --db "$DB" "$tree" >/dev/null 2>&1
before=$(cat "$DB/XAPIANDB")
rc "rebuild" 1 "$SOU_INDEX" --db "$DB" --rebuild "$tree"
check "rebuild switched generation" [ "$before" != "$(cat "$DB/XAPIANDB")" ]
same_as_rebuild "after --rebuild"
rc "failed rebuild (missing path) exits 1" 1 "$SOU_INDEX" --db "$DB" --rebuild "$TMP/nonexistent"
eq "failed rebuild keeps the old index" "$(cat "$TMP/d2")" "$("$SOU_DUMP" "$DB")"
finish
