#!/usr/bin/env bash
# t0081: the man pages render without groff warnings, each has EXAMPLES,
# every option the program's --help lists is documented in its page, and
# sou-query(1) shows the 「」 quotes as such (they once came out as ⌈⌉).
. "$(dirname "$0")/lib.sh"
command -v groff >/dev/null || skip "groff missing (Debian package groff-base; make deps installs it)"

for p in sou-index sou-query sou-serve; do
	page=$SOU_SRC/doc/$p.1
	groff -k -man -Tutf8 -ww -z "$page" 2>"$TMP/warn"
	eq "$p.1 renders without warnings" "" "$(head -c 300 "$TMP/warn")"
	groff -k -man -Tutf8 -P-c -P-b -P-u "$page" 2>/dev/null >"$TMP/$p.txt"
	check "$p.1 has EXAMPLES" grep -q "^EXAMPLES" "$TMP/$p.txt"
done
for prog in "$SOU_INDEX:sou-index" "$SOU_QUERY:sou-query" "${SOU_SERVE:-}:sou-serve"; do
	bin=${prog%%:*} name=${prog##*:}
	[ -n "$bin" ] || continue
	"$bin" --help 2>&1 | grep -oE -- '--[a-z][a-z-]+' | grep -vx -- --help | sort -u >"$TMP/opts"
	while read -r o; do
		check "$name(1) documents $o" grep -qF -- "$o" "$TMP/$name.txt"
	done <"$TMP/opts"
done
contains "sou-query(1) shows 「」" "「」 quotes" "$TMP/sou-query.txt"
finish
