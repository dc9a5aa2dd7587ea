#!/usr/bin/env bash
# t0013: hostile and broken input (README "Bad input"): every case is
# reported or handled as documented, none stops the run or loses the good
# post, memory stays bounded.
. "$(dirname "$0")/lib.sh"

tree=$TMP/bad
mkdir -p "$tree"
good() { printf -- '---\ntitle: %s\n---\n%s\n' "$2" "$3" >"$tree/$1"; }
good 2024-01-01-good.md 正常 "正常文章好好词"

# YAML alias bomb ("billion laughs") and very deep nesting
{
	echo '---'
	echo 'title: 炸弹'
	echo 'a: &a ["x","x","x","x","x","x","x","x","x"]'
	for l in b c d e f g h i j; do
		p=$(printf '%s' "$l" | tr 'b-j' 'a-i')
		echo "$l: &$l [*$p,*$p,*$p,*$p,*$p,*$p,*$p,*$p,*$p]"
	done
	echo 'tags: *j'
	echo '---'
	echo '别名炸弹正文'
} >"$tree/2024-01-02-bomb.md"
{ echo '---'; printf 'title: 深\nx: '; printf '[%.0s' $(seq 1 20000); printf ']%.0s' $(seq 1 20000); printf '\n---\n深层嵌套正文\n'; } >"$tree/2024-01-03-deep.md"
# 100 MB post (sparse) and a 1 MB single line
good 2024-01-04-huge.md 巨大 "巨大文件"
truncate -s 100M "$tree/2024-01-04-huge.md"
{ printf -- '---\ntitle: 长行\n---\n'; head -c 1000000 /dev/zero | tr '\0' 'a'; printf ' 长行末尾词\n'; } >"$tree/2024-01-05-longline.md"
# deeply nested HTML
{ printf -- '---\ntitle: 嵌套\n---\n'; printf '<div>%.0s' $(seq 1 100000); printf '嵌套深处词'; printf '</div>%.0s' $(seq 1 100000); echo; } >"$tree/2024-01-06-nested.html"
# symlink loop and a broken symlink with a post name
ln -s loop-b.md "$tree/loop-a.md"
ln -s loop-a.md "$tree/loop-b.md"
ln -s nowhere.md "$tree/dangling.md"
# names with spaces and Chinese; a symlinked post is followed
good "2024-01-07-空格 和 中文.md" 空格 "空格文件名词"
ln -s "2024-01-01-good.md" "$tree/linked.md"

# a file rewritten continuously while the indexer runs
good 2024-01-08-churn.md 变动 "变动文件"
( while [ -e "$TMP/churn" ]; do good 2024-01-08-churn.md 变动 "变动文件$RANDOM$RANDOM"; done ) &
touch "$TMP/churn"
churn=$!

/usr/bin/time -f '%M' -o "$TMP/rss" "$SOU_INDEX" --db "$TMP/db" "$tree" >"$TMP/out" 2>"$TMP/err"
r=$?
rm -f "$TMP/churn"
wait "$churn" 2>/dev/null
cat "$TMP/out" "$TMP/err"
eq "run ends with 'some failed'" 1 "$r"
rss=$(tail -1 "$TMP/rss")
check "peak RSS under 200 MB with a 100 MB post ($rss KB)" [ "$rss" -lt 200000 ]
contains "100 MB post: over the limit" "2024-01-04-huge.md: 104857600 bytes is over the 8388608-byte limit" "$TMP/err"
contains "symlink loop noted" "loop-a.md: broken or looping symlink" "$TMP/err"
contains "dangling symlink noted" "dangling.md: broken or looping symlink" "$TMP/err"
eq "good post indexed" "2024-01-01-good.md linked.md" "$(paths "$TMP/db" 正常文章好好词 | sort | tr '\n' ' ' | sed 's/ $//')"
eq "alias bomb parsed without expansion" "2024-01-02-bomb.md" "$(paths "$TMP/db" 别名炸弹正文)"
# libyaml has no nesting limit and is quadratic in it: sou stops at 64
# levels and fails the post, naming the place (README "Bad input")
contains "deep YAML nesting fails the post, naming where" "2024-01-03-deep.md:3:67: front matter nested deeper than 64 levels" "$TMP/err"
eq "1 MB line indexed to its end" "2024-01-05-longline.md" "$(paths "$TMP/db" 长行末尾词)"
eq "100000 nested divs indexed" "2024-01-06-nested.html" "$(paths "$TMP/db" 嵌套深处词)"
eq "Chinese name with spaces" "2024-01-07-空格 和 中文.md" "$(paths "$TMP/db" 空格文件名词)"
"$SOU_QUERY" --db "$TMP/db" --json 变动文件 >"$TMP/churn.json"
check "file changing while read: indexed or reported, never a crash" \
	bash -c "jq -e '.estimated_total <= 1' '$TMP/churn.json' >/dev/null"

# unreadable files and directories (as an unprivileged user when root)
mkdir -p "$TMP/perm/locked"
good 2024-02-01-ok.md 可读 "可读文章词"
cp "$tree/2024-02-01-ok.md" "$TMP/perm/"
cp "$tree/2024-02-01-ok.md" "$TMP/perm/locked/2024-02-02-inner.md"
cp "$tree/2024-02-01-ok.md" "$TMP/perm/2024-02-03-secret.md"
chmod 000 "$TMP/perm/2024-02-03-secret.md" "$TMP/perm/locked"
as_user=()
if [ "$(id -u)" = 0 ]; then
	if command -v setpriv >/dev/null; then
		as_user=(setpriv --reuid=65534 --regid=65534 --clear-groups)
		chmod 777 "$TMP"
		chmod 755 "$TMP/perm"
	else
		skip_perm=1
	fi
fi
if [ -z "${skip_perm:-}" ]; then
	"${as_user[@]}" "$SOU_INDEX" --db "$TMP/permdb" "$TMP/perm" >"$TMP/out" 2>"$TMP/err"
	eq "unreadable file and directory: exit 1" 1 "$?"
	contains "unreadable file reported" "2024-02-03-secret.md: Permission denied" "$TMP/err"
	contains "unreadable directory reported" "locked: cannot open directory: Permission denied" "$TMP/err"
	eq "readable post indexed" "2024-02-01-ok.md" "$(paths "$TMP/permdb" 可读文章词)"
else
	echo "SKIP part: unreadable files cannot be tested as root without setpriv"
fi
chmod 755 "$TMP/perm/locked"; chmod 644 "$TMP/perm/2024-02-03-secret.md"
finish
