#!/usr/bin/env bash
# t0403: partial answers by choice (README "Faults: a shard down or
# slow").  The sample corpus as 3 shards served by 3 xapian-tcpsrv.  With
# --partial, a shard that is down, or stopped (SIGSTOP: it accepts and
# never answers) past --timeout, is left out: the answer is exactly that
# of the other two shards (a stub listing them), exit 0, and the text,
# the JSON ("missing_shards") and stderr name the shard missing.  In one
# --batch a stopped shard costs the query that finds it one timeout; the
# lines after it answer without it, and once it is continued the batch
# uses it again by itself.  Without --partial the same faults are exit 3
# naming the shard (as in t0401); with every shard down, --partial is
# exit 3 too; --partial is not a per-line option.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/shard-lib.sh"

build_shards "$TMP/set" 3 "$SOU_SRC/corpus/posts" >"$TMP/build.out" 2>&1
r=$?
check "3 shards of the sample corpus built (exit $r)" [ "$r" -le 1 ]
serve_shards "$TMP/set" "$TMP/remote.stub" || { fail "xapian-tcpsrv for the shards"; finish; }
# what shard-0 and shard-2 alone answer (local, the same posts)
printf 'auto %s\nauto %s\n' "$TMP/set/shard-0" "$TMP/set/shard-2" >"$TMP/two.stub"
cat >"$TMP/queries" <<'EOF'
人民币
"离岸人民币"
--facets tag,category,month 市场
--recent 30 银行
--sort -date date:2022
农业 OR 汇率
EOF
"$SOU_QUERY" --db "$TMP/two.stub" --json --batch "$TMP/queries" >"$TMP/want" 2>/dev/null
eq "the two local shards answer every query" 6 "$(grep -c '"result"' "$TMP/want")"
# answers LINES FILE: the answers of a --json --batch output's lines
# LINES (sed's form), without latencies and "missing_shards", one a line
answers() { sed -n "$1p" "$2" | jq -c '.result | del(.missing_shards)'; }
answers 1,6 "$TMP/want" >"$TMP/want.r"

# every shard up: nothing is missing, and the field says so
"$SOU_QUERY" --db "$TMP/remote.stub" --partial --json 人民币 >"$TMP/out" 2>"$TMP/err"
eq "all up, --partial: exit 0" 0 "$?"
eq "all up: missing_shards is empty" "[]" "$(jq -c .missing_shards "$TMP/out")"
"$SOU_QUERY" --db "$TMP/remote.stub" --json 人民币 >"$TMP/out" 2>/dev/null
eq "without --partial: no missing_shards field" "null" "$(jq -c .missing_shards "$TMP/out")"

# shard-1 down: exit 3 without --partial, the other two with it
kill_tcpsrv "$s1_pid"
rc "shard-1 down, no --partial: exit 3" 3 "$SOU_QUERY" --db "$TMP/remote.stub" 人民币
contains "... naming it" "remote 127.0.0.1:$s1_port" "$TMP/err"
"$SOU_QUERY" --db "$TMP/remote.stub" --partial --json --batch "$TMP/queries" >"$TMP/got" 2>"$TMP/got.err"
eq "shard-1 down, --partial: the batch exits 0" 0 "$?"
eq "... each answer is the other two shards' answer" "$(cat "$TMP/want.r")" "$(answers 1,6 "$TMP/got")"
eq "... each names shard-1 missing" 6 \
	"$(grep -c "\"missing_shards\":\[{\"shard\":\"remote 127.0.0.1:$s1_port (listed at [^\"]*remote.stub line 2)\"" "$TMP/got")"
eq "... and no other" 0 "$(grep -c -e "127.0.0.1:$s0_port" -e "127.0.0.1:$s2_port" "$TMP/got")"
contains "... stderr says so" "partial answer: remote 127.0.0.1:$s1_port" "$TMP/got.err"
q "$TMP/remote.stub" --partial 人民币 >"$TMP/out" 2>/dev/null
contains "... and so does the text" "partial: 1 of 3 shards did not answer" "$TMP/out"
contains "... naming it" "  remote 127.0.0.1:$s1_port (listed at" "$TMP/out"

# a stopped shard in one batch: the line that finds it waits --timeout,
# the next ones answer without it, and after SIGCONT (the shard is
# looked for every 2 s, in the background) a later line has every shard
# again
start_tcpsrv s1 "$TMP/set/shard-1" "$s1_port" || fail "restart shard-1's server on port $s1_port"
"$SOU_QUERY" --db "$TMP/remote.stub" --json --batch "$TMP/queries" >"$TMP/all" 2>/dev/null
mkfifo "$TMP/fifo"
timeout 120 "$SOU_QUERY" --db "$TMP/remote.stub" --partial --timeout 1 --json --batch - \
	<"$TMP/fifo" >"$TMP/got" 2>"$TMP/got.err" &
batch_pid=$!
exec 3>"$TMP/fifo"
# wait_lines N: until the batch has answered N lines (a 60 s hang guard)
wait_lines() {
	local i
	for i in $(seq 1 600); do
		[ "$(wc -l <"$TMP/got")" -ge "$1" ] && return 0
		kill -0 "$batch_pid" 2>/dev/null || return 1
		sleep 0.1
	done
	return 1
}
sed -n 1p "$TMP/queries" >&3
check "line 1 answered with every server up" wait_lines 1
kill -STOP -- "-$s1_pid"
sed -n 1,2p "$TMP/queries" >&3
check "lines 2-3 answered while shard-1 is stopped" wait_lines 3
kill -CONT -- "-$s1_pid"
# a line a second until one has every shard (at most 30: a hang guard)
n=3
while [ $n -lt 33 ]; do
	sleep 1
	sed -n 1p "$TMP/queries" >&3
	n=$((n + 1))
	wait_lines $n || break
	[ "$(sed -n ${n}p "$TMP/got" | jq '.result.missing_shards | length')" = 0 ] && break
done
exec 3>&-
wait "$batch_pid"
eq "the batch exits 0" 0 "$?"
jq -c '.result.missing_shards | length' "$TMP/got" | sed -n 1,3p >"$TMP/nmiss"
eq "missing shards by line: none, shard-1, shard-1" "0 1 1" "$(tr '\n' ' ' <"$TMP/nmiss" | sed 's/ $//')"
echo "shard-1 back after $((n - 3)) s"
eq "the last line has every shard" 0 "$(tail -1 "$TMP/got" | jq '.result.missing_shards | length')"
contains "the stopped shard is named as over the timeout" "NetworkTimeoutError" "$TMP/got.err"
eq "line 1 is the full answer" "$(answers 1 "$TMP/all")" "$(answers 1 "$TMP/got")"
eq "lines 2-3 are the other shards' answers" "$(sed -n 1,2p "$TMP/want.r")" "$(answers 2,3 "$TMP/got")"
eq "... and is the full answer again" "$(answers 1 "$TMP/all")" "$(answers $n "$TMP/got")"
echo "latencies: $(sed 's/^{"latency_ms":\([0-9.]*\),.*/\1/' "$TMP/got" | tr '\n' ' ')ms"

# every shard down: no answer at all
stop_all_tcpsrv
rc "every shard down, --partial: exit 3" 3 "$SOU_QUERY" --db "$TMP/remote.stub" --partial 人民币
contains "... saying no shard answers" "no shard answers" "$TMP/err"
# --partial is the reader's, not a line's
printf -- '--partial 人民币\n' >"$TMP/line"
rc "--partial inside a batch file: exit 2" 2 "$SOU_QUERY" --db "$TMP/set" --batch "$TMP/line"
contains "... refused by name" "option --partial is not allowed inside the file" "$TMP/err"
finish
