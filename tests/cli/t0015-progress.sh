#!/usr/bin/env bash
# t0015: the progress line of sou-index on a terminal (stderr a
# pseudo-terminal, tests/cli/pty-run.py): one line redrawn in place with
# \r and ESC [K, naming the phases walk, index, merge (full builds) and
# publish in that order, files done of the total with a percentage that
# never goes back, and a last line left on the screen that reaches N/N
# (100%) and says "new" for posts added for the first time and "changed"
# for re-indexed ones; also for a shard set, and cut to the terminal's
# width.  With -q, -v or stderr not a terminal there is no such line and
# no \r at all, and stdout's summary is the same in every case.
# Phases are drawn when they start, so even a run of well under a second
# shows each one: nothing here depends on timing.
. "$(dirname "$0")/lib.sh"

command -v python3 >/dev/null || skip "python3 missing (needed for a pseudo-terminal)"
pty() { python3 "$SOU_SRC/tests/cli/pty-run.py" "$@"; }

# post FILE N: a small post of our own, N in its title and body
post() {
	cat >"$1" <<EOF
---
title: 进度测试第$2篇
date: 2024-01-01
tags: [进度]
---
第$2篇测试文章的正文，用来检验索引进度。
EOF
}
n=300
tree=$TMP/posts
mkdir -p "$tree/a" "$tree/b" "$tree/c"
for i in $(seq 1 $n); do
	post "$tree/$(echo a b c | cut -d' ' -f$((i % 3 + 1)))/2024-01-01-p$i.md" "$i"
done
DB=$TMP/db

# on_tty OUT SUMMARY ARGS...: sou-index ARGS with stderr (and stdin) on a
# terminal, stdout to SUMMARY; what the terminal got into OUT, and its
# lines (\r ends a line, ESC [K dropped) into OUT.lines
on_tty() {
	local out=$1 sum=$2; shift 2
	pty bash -c '"$@" >"$0"' "$sum" "$SOU_INDEX" "$@" >"$out"
	echo $? >"$TMP/rc"
	tr '\r' '\n' <"$out" | sed 's/\x1b\[K//g' | grep -v '^$' >"$out.lines"
}
# phase_order LINES: the phases in the order they first appear, one line
phase_order() {
	grep -oE '^(walk|index|merge|publish|done|stopped) ' "$1" | uniq | tr -d ' ' | paste -sd' '
}
# counts_monotonic LINES: files done never decrease, never pass the total
counts_monotonic() {
	awk 'match($0, /^[a-z]+ +[0-9,]+\/[0-9,]+ files/) {
		split(substr($0, RSTART, RLENGTH), f, /[ \/]+/)
		gsub(/,/, "", f[2]); gsub(/,/, "", f[3])
		if (f[2] + 0 < last || f[2] + 0 > f[3] + 0) bad = 1
		last = f[2] + 0
	} END { exit bad }' "$1"
}

# --- first run: a full build -------------------------------------------
on_tty "$TMP/t1" "$TMP/s1" --db "$DB" "$tree"
eq "first run: exit 0" 0 "$(cat "$TMP/rc")"
check "the line is redrawn in place (\\r ESC [K)" grep -q $'\r\e\[K' "$TMP/t1"
eq "phases in order, then the last line" "walk index merge publish done" "$(phase_order "$TMP/t1.lines")"
check "walk is drawn with the files counted so far" grep -qE "^walk +[0-9,]+ files" "$TMP/t1.lines"
check "index shows done/total and a percentage" \
	grep -qE "^index +[0-9,]+/$n files \([0-9]+%\)" "$TMP/t1.lines"
check "files done never go back or pass the total" counts_monotonic "$TMP/t1.lines"
last=$(tail -n 1 "$TMP/t1.lines")
check "the last line reaches N/N (100%) and says new: '$last'" \
	grep -qE "^done +$n/$n files \(100%\)  $n new, 0 changed, 0 deleted  in [0-9]+:[0-9]{2}$" <<<"$last"
check "the last line ends with a newline" grep -q $'new, 0 changed, 0 deleted  in [0-9:]*\r$' "$TMP/t1"
eq "stdout: the summary, as without a terminal" \
	"added $n, updated 0, deleted 0, unchanged 0, failed 0" "$(sed 's/ in [0-9.]* s$//' "$TMP/s1")"

# --- second run: edits, new posts, deletions, a broken post ------------
for i in 3 6 9 12 15 18 21; do
	echo "修改过的段落。" >>"$tree/a/2024-01-01-p$i.md"
done
for i in 301 302 303; do
	post "$tree/b/2024-02-01-p$i.md" "$i"
done
rm "$tree/b/2024-01-01-p1.md" "$tree/b/2024-01-01-p4.md"
printf -- '---\ntitle: "broken\n---\nbody\n' >"$tree/b/2024-03-01-broken.md"
m=$((n + 3 - 2 + 1))
on_tty "$TMP/t2" "$TMP/s2" --db "$DB" "$tree"
eq "second run: exit 1 (one post failed)" 1 "$(cat "$TMP/rc")"
eq "incremental: no merge" "walk index publish done" "$(phase_order "$TMP/t2.lines")"
check "the error is a line of its own" grep -q '^sou-index: error: .*2024-03-01-broken.md' "$TMP/t2.lines"
last=$(tail -n 1 "$TMP/t2.lines")
check "new posts are new, edited ones changed: '$last'" \
	grep -qE "^done +$m/$m files \(100%\)  3 new, 7 changed, 2 deleted, 1 failed  in [0-9:]+$" <<<"$last"
contains "stdout: the same counts in the summary" \
	"added 3, updated 7, deleted 2, unchanged $((m - 3 - 7 - 1)), failed 1" "$TMP/s2"

# --- a narrow terminal: every line is cut to fit ------------------------
echo "再改一次。" >>"$tree/a/2024-01-01-p3.md"
on_tty "$TMP/t3" "$TMP/s3" --db "$DB" "$tree"
pty --cols 30 bash -c '"$@" >/dev/null' x "$SOU_INDEX" --db "$TMP/narrow" "$tree" >"$TMP/t4"
tr '\r' '\n' <"$TMP/t4" | sed 's/\x1b\[K//g' | grep -v '^$' | grep -v '^sou-index: ' >"$TMP/t4.lines"
check "30 columns: no line reaches the edge" not grep -qE '^.{30}' "$TMP/t4.lines"
check "30 columns: still the phases" grep -q '^merge ' "$TMP/t4.lines"

# --- a shard set: counts summed over the shards -------------------------
on_tty "$TMP/t5" "$TMP/s5" --shards 3 --db "$TMP/set" "$tree"
eq "shard set: exit 1 (the broken post)" 1 "$(cat "$TMP/rc")"
eq "shard set: phases in order" "walk index merge publish done" "$(phase_order "$TMP/t5.lines")"
check "shard set: files done never go back" counts_monotonic "$TMP/t5.lines"
check "shard set: the last line reaches N/N" \
	grep -qE "^done +$m/$m files \(100%\)  $((m - 1)) new, 0 changed, 0 deleted, 1 failed" \
	<<<"$(tail -n 1 "$TMP/t5.lines")"

# --- no progress line: -q, -v, stderr not a terminal ---------------------
# (a post that failed is not tried again until it changes: a new one)
echo "又改一次。" >>"$tree/a/2024-01-01-p6.md"
printf -- '---\ntitle: "broken\n---\nbody\n' >"$tree/b/2024-03-02-broken.md"
on_tty "$TMP/t6" "$TMP/s6" -q --db "$DB" "$tree"
eq "-q on a terminal: only the broken post's error" \
	"sou-index: error: $tree/b/2024-03-02-broken.md" "$(cut -d: -f1-3 "$TMP/t6.lines" | sed 's/:[0-9]*$//')"
check "-q on a terminal: no \\r but the terminal's own" not grep -q $'\r' <(sed 's/\r$//' "$TMP/t6")
echo "还改一次。" >>"$tree/a/2024-01-01-p9.md"
on_tty "$TMP/t7" "$TMP/s7" -v --db "$DB" "$tree"
check "-v on a terminal: no progress line" not grep -qE '^(walk|index|done) ' "$TMP/t7.lines"
contains "-v lists the update on stdout" "updated $tree/a/2024-01-01-p9.md" "$TMP/s7"

echo "最后改一次。" >>"$tree/a/2024-01-01-p12.md"
printf -- '---\ntitle: "broken\n---\nbody\n' >"$tree/b/2024-03-03-broken.md"
"$SOU_INDEX" --db "$DB" "$tree" >"$TMP/s8" 2>"$TMP/e8"
eq "stderr a file: exit 1" 1 "$?"
check "stderr a file: no \\r" not grep -q $'\r' "$TMP/e8"
check "stderr a file: no ESC" not grep -q $'\e' "$TMP/e8"
eq "stderr a file: only the error, as before" 1 "$(wc -l <"$TMP/e8")"
contains "stderr a file: it is the new broken post's" "2024-03-03-broken.md" "$TMP/e8"
eq "stdout a file: one summary line" 1 "$(wc -l <"$TMP/s8")"
contains "stdout: the summary" "added 0, updated 1, deleted 0, unchanged $((m + 2 - 2)), failed 1" "$TMP/s8"
rm -rf "$TMP/full"
"$SOU_INDEX" --db "$TMP/full" "$tree" >"$TMP/s9" 2>"$TMP/e9"
check "a full build with stderr a file: no \\r either" not grep -q $'\r' "$TMP/e9"
check "a full build with stderr a file: no progress words" not grep -qE '(walk|index|merge|publish) ' "$TMP/e9"
finish
