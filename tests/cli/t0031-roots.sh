#!/usr/bin/env bash
# t0031: what a root is (issue 8, defects 2 and 3).  The index holds
# exactly the posts below the PATHs of the latest run: a moved tree, a
# switched symlink and a PATH dropped from the command line leave no
# stale posts; two PATHs holding the same relative name keep both posts
# under keys prefixed with a root label; a single root keeps bare keys.
. "$(dirname "$0")/lib.sh"

post() { # post FILE TITLE WORD
	mkdir -p "$(dirname "$1")"
	printf -- '---\ntitle: %s\ndate: 2024-01-02\n---\n%s 正文。\n' "$2" "$3" >"$1"
}
idx() { "$SOU_INDEX" --db "$DB" "$@" >"$TMP/out" 2>"$TMP/err"; echo $? >"$TMP/rc"; }
sorted_paths() { "$SOU_QUERY" --db "$DB" --json --limit 100 "$@" | jq -r '.hits[].path' | sort | tr '\n' ' '; }

# ---- defect 2: a moved tree
DB=$TMP/db-mv
post "$TMP/a/x.md" 甲 独角兽甲
post "$TMP/a/y.md" 乙 独角兽乙
idx "$TMP/a"
contains "first run adds both" "added 2, updated 0, deleted 0" "$TMP/out"
mv "$TMP/a" "$TMP/b"
rm "$TMP/b/x.md"
idx "$TMP/b"
eq "moved tree: exit 0" 0 "$(cat "$TMP/rc")"
contains "moved tree: the removed post is deleted" "deleted 1" "$TMP/out"
eq "moved tree: removed post no longer found" 0 "$(total "$DB" 独角兽甲)"
eq "moved tree: the other post keeps its key" "y.md" "$(paths "$DB" 独角兽乙)"
idx "$TMP/b"
contains "moved tree: next run has nothing to do" "added 0, updated 0, deleted 0, unchanged 1" "$TMP/out"

# ---- defect 2: a switched symlink
DB=$TMP/db-ln
post "$TMP/v1/x.md" 甲 麒麟甲
post "$TMP/v1/y.md" 乙 麒麟乙
cp -r "$TMP/v1" "$TMP/v2"
rm "$TMP/v2/y.md"
ln -s v1 "$TMP/cur"
idx "$TMP/cur"
contains "symlinked root: both added" "added 2" "$TMP/out"
ln -sfn v2 "$TMP/cur"
idx "$TMP/cur"
contains "switched symlink: the post missing from the new target is deleted" "deleted 1" "$TMP/out"
eq "switched symlink: its text is gone" 0 "$(total "$DB" 麒麟乙)"
eq "switched symlink: the other post stays" "x.md" "$(paths "$DB" 麒麟甲)"

# ---- defect 2: a PATH dropped from the command line
DB=$TMP/db-drop
post "$TMP/p1/a.md" 一 凤凰一
post "$TMP/p2/b.md" 二 凤凰二
idx "$TMP/p1" "$TMP/p2"
contains "two roots: both added" "added 2" "$TMP/out"
idx "$TMP/p1"
# one root again: p1's post moves back to its bare key (added 1), both
# labelled keys go (deleted 2)
contains "dropped PATH: its post is deleted" "added 1, updated 0, deleted 2" "$TMP/out"
eq "dropped PATH: its post is gone" 0 "$(total "$DB" 凤凰二)"
eq "dropped PATH: single root keys are bare again" "a.md" "$(paths "$DB" 凤凰一)"
idx --dry-run "$TMP/p2"
contains "dry run lists what a different PATH would delete" "would be deleted a.md" "$TMP/out"

# ---- defect 3: the same relative name under two PATHs
DB=$TMP/db-same
post "$TMP/ra/same.md" 同名甲 白泽甲
post "$TMP/rb/same.md" 同名乙 白泽乙
post "$TMP/ra/sub/only.md" 独有 白泽丙
idx "$TMP/ra" "$TMP/rb"
contains "same name: all three added" "added 3, updated 0, deleted 0" "$TMP/out"
eq "same name: both posts are found, keys carry the root label" "ra/same.md rb/same.md " \
	"$(sorted_paths 白泽 -白泽丙)"
eq "same name: a deeper post" "ra/sub/only.md" "$(paths "$DB" 白泽丙)"
idx "$TMP/ra" "$TMP/rb"
contains "same name: second run keeps both" "added 0, updated 0, deleted 0, unchanged 3" "$TMP/out"
eq "same name: still two posts" "ra/same.md rb/same.md " "$(sorted_paths 白泽 -白泽丙)"
"$SOU_INDEX" --db "$DB" --status >"$TMP/status"
contains "same name: --status counts 3 posts" "posts:    3" "$TMP/status"
# the order of the PATHs does not change the keys
idx "$TMP/rb" "$TMP/ra"
contains "PATH order does not re-key" "added 0, updated 0, deleted 0, unchanged 3" "$TMP/out"

# ---- labels grow until they tell roots apart; a root inside another
DB=$TMP/db-deep
post "$TMP/x/posts/a.md" 深甲 貔貅甲
post "$TMP/y/posts/a.md" 深乙 貔貅乙
idx "$TMP/x/posts" "$TMP/y/posts"
eq "same base name: labels with two components" "x/posts/a.md y/posts/a.md " "$(sorted_paths 貔貅)"
idx "$TMP/x" "$TMP/x/posts" "$TMP/x"
eq "nested and repeated roots: exit 0" 0 "$(cat "$TMP/rc")"
contains "nested root: a note says it is indexed as part of the outer one" \
	"inside $TMP/x, indexed as part of it" "$TMP/err"
eq "nested root: the post is indexed once, under the single root" "posts/a.md" "$(sorted_paths 貔貅 | tr -d ' ')"

# ---- a file given as PATH
DB=$TMP/db-file
idx "$TMP/ra/same.md"
eq "file PATH: key is its name" "same.md" "$(paths "$DB" 白泽甲)"
idx "$TMP/ra/same.md" "$TMP/rb/same.md"
eq "two file PATHs with one name: both kept" "ra/same.md rb/same.md " "$(sorted_paths 白泽)"
# ---- a PATH that cannot be read: nothing is deleted, and one line says why
DB=$TMP/db-gone
idx "$TMP/ra" "$TMP/rb"
mv "$TMP/rb" "$TMP/rb-away"
idx "$TMP/ra" "$TMP/rb"
eq "unreadable PATH: exit 1" 1 "$(cat "$TMP/rc")"
contains "unreadable PATH: one line says no post was deleted and why" \
	"no post was deleted, since not every PATH and folder could be read" "$TMP/err"
eq "unreadable PATH: its posts are kept" "ra/same.md ra/sub/only.md rb/same.md " "$(sorted_paths 白泽)"
mv "$TMP/rb-away" "$TMP/rb"
finish
