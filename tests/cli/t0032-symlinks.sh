#!/usr/bin/env bash
# t0032: private files do not leak through the index (issue 8, defect 7).
# A symlinked post is followed only when its target is inside one of the
# PATHs, unless --follow-symlinks is given; a skipped one gets a one-line
# note; a new index directory is created 0700.
. "$(dirname "$0")/lib.sh"

post() { # post FILE TITLE WORD
	mkdir -p "$(dirname "$1")"
	printf -- '---\ntitle: %s\n---\n%s 正文。\n' "$2" "$3" >"$1"
}
tree=$TMP/tree
post "$tree/a.md" 公开 公开文章词
post "$tree/sub/b.md" 内部 内部目标词
ln -s sub/b.md "$tree/link-in.md"
mkdir -p "$TMP/private"
post "$TMP/private/secret.md" 机密 私密日记词
chmod 600 "$TMP/private/secret.md"
ln -s "$TMP/private/secret.md" "$tree/link-out.md"
post "$TMP/private/diary/d.md" 日记 目录链接词
ln -s "$TMP/private/diary" "$tree/linked-dir"
post "$TMP/other/c.md" 另一 另一目录词
ln -s "$TMP/other/c.md" "$tree/link-other.md"

DB=$TMP/db
umask 022
"$SOU_INDEX" --db "$DB" "$tree" >"$TMP/out" 2>"$TMP/err"
eq "a skipped symlink is not a failure" 0 "$?"
eq "the target outside the tree is not indexed" 0 "$(total "$DB" 私密日记词)"
eq "a symlink inside the tree is followed" "link-in.md sub/b.md" \
	"$(paths "$DB" 内部目标词 | sort | tr '\n' ' ' | sed 's/ $//')"
eq "a symlinked directory is not followed" 0 "$(total "$DB" 目录链接词)"
contains "a one-line note names the link" "link-out.md: symlink to $TMP/private/secret.md, outside the indexed folders; not followed (--follow-symlinks follows it)" "$TMP/err"
eq "one note line per skipped link" 2 "$(grep -c 'outside the indexed folders' "$TMP/err")"
contains "the summary counts the posts" "added 3" "$TMP/out"
eq "a new index directory is 0700" 700 "$(stat -c %a "$DB")"
"$SOU_INDEX" --db "$DB" -q "$tree" >"$TMP/out" 2>"$TMP/err"
eq "--quiet hides the note" "" "$(cat "$TMP/out" "$TMP/err")"

# the target is inside another PATH of the run: followed
"$SOU_INDEX" --db "$DB" "$tree" "$TMP/other" >"$TMP/out" 2>"$TMP/err"
eq "a link into another PATH is followed" 2 "$(total "$DB" 另一目录词)"
check "no note for it" bash -c "! grep -q 'link-other.md' '$TMP/err'"

# --follow-symlinks follows every file link (still not directories)
"$SOU_INDEX" --db "$DB" --follow-symlinks "$tree" >"$TMP/out" 2>"$TMP/err"
eq "--follow-symlinks: exit 0" 0 "$?"
eq "--follow-symlinks reads the outside target" "link-out.md" "$(paths "$DB" 私密日记词)"
check "--follow-symlinks: no note" bash -c "! grep -q 'outside the indexed folders' '$TMP/err'"
# and dropping it again removes the post
"$SOU_INDEX" --db "$DB" "$tree" >"$TMP/out" 2>"$TMP/err"
eq "without --follow-symlinks again: the outside post is deleted" 0 "$(total "$DB" 私密日记词)"

# an index directory that exists keeps its mode
mkdir -m 755 "$TMP/shared-db"
"$SOU_INDEX" --db "$TMP/shared-db" "$tree" >/dev/null 2>&1
eq "an existing index directory keeps its mode" 755 "$(stat -c %a "$TMP/shared-db")"
"$SOU_INDEX" --help >"$TMP/help"
contains "usage mentions --follow-symlinks" "--follow-symlinks" "$TMP/help"
finish
