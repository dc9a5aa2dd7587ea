#!/usr/bin/env bash
# t0401: remote shards that fail (README "Scaling out").  The sample
# corpus as 3 shards served by 3 xapian-tcpsrv.  In one --batch (fed
# through a fifo) a server is killed: the queries while it is down fail
# with a message naming that shard (remote 127.0.0.1:PORT) and the batch
# exits 3; restarted on the same port, the next query of the same batch
# has the full results.  A server that accepts but never answers
# (SIGSTOP) or is not there gives the error within --timeout.  The
# local shards are unharmed by all of it.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/shard-lib.sh"
# sou-index --check runs Xapian's checker, whose new/delete sizes differ
# inside libxapian (harmless; as in t0041)
export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}new_delete_type_mismatch=0"
: "${SOU_DUMP:?set by ctest}"

# the sample corpus holds one broken post: exit 1
build_shards "$TMP/set" 3 "$SOU_SRC/corpus/posts" >"$TMP/build.out" 2>&1
r=$?
check "3 shards of the sample corpus built (exit $r)" [ "$r" -le 1 ]
for k in 0 1 2; do
	"$SOU_DUMP" "$TMP/set/shard-$k" >"$TMP/dump-$k.before" 2>&1 || fail "index-dump of shard-$k"
done
serve_shards "$TMP/set" "$TMP/remote.stub" || { fail "xapian-tcpsrv for the shards"; finish; }
cat "$TMP/remote.stub"

# the queries of the batch, and what the local set answers to each
cat >"$TMP/queries" <<'EOF'
人民币
"离岸人民币"
--facets tag,category,month 市场
--recent 30 银行
tag:半导体
--sort -date date:2022
农业 OR 汇率
--like 2020-01-17-offshore-yuan-strengthens.md
EOF
"$SOU_QUERY" --db "$TMP/set" --json --batch "$TMP/queries" 2>/dev/null |
	sed 's/^{"latency_ms":[0-9.]*,//' >"$TMP/want"
eq "the local set answers every query" 8 "$(grep -c '"result"' "$TMP/want")"

# companies through the servers as in the local set: the company table
# is read once from the remote shards and kept (xwrap.h
# sou_xdb_cache_terms), each lookup answered from it
printf '%s\n' 600519 贵州茅台 "贵州茅台 年报" 白酒龙头 gzmt >"$TMP/companies"
"$SOU_QUERY" --db "$TMP/set" --json --batch "$TMP/companies" 2>/dev/null |
	sed 's/^{"latency_ms":[0-9.]*,//' >"$TMP/cwant"
"$SOU_QUERY" --db "$TMP/remote.stub" --json --batch "$TMP/companies" 2>/dev/null |
	sed 's/^{"latency_ms":[0-9.]*,//' >"$TMP/cgot"
check "company queries: some hits" grep -q '"path"' "$TMP/cwant"
eq "company queries: the remote shards answer as the local set" "$(cat "$TMP/cwant")" "$(cat "$TMP/cgot")"
eq "--entity 600519 through the servers" "$("$SOU_QUERY" --db "$TMP/set" --entity 600519)" \
	"$("$SOU_QUERY" --db "$TMP/remote.stub" --entity 600519)"

# wait_lines FILE N: until FILE has N lines (at most 60 s, a hang guard;
# fails at once when the batch has ended)
wait_lines() {
	local i
	for i in $(seq 1 600); do
		[ "$(wc -l <"$1")" -ge "$2" ] && return 0
		kill -0 "$batch_pid" 2>/dev/null || return 1
		sleep 0.1
	done
	return 1
}
# feed FROM TO: lines FROM..TO of the queries into the batch
feed() { sed -n "$1,$2p" "$TMP/queries" >&3; }

mkfifo "$TMP/fifo"
# --batch writes each answer when it is made, so the test can wait for it
"$SOU_QUERY" --db "$TMP/remote.stub" --json --timeout 5 --batch - \
	<"$TMP/fifo" >"$TMP/got" 2>"$TMP/got.err" &
batch_pid=$!
exec 3>"$TMP/fifo"
feed 1 3
check "3 queries answered with every server up" wait_lines "$TMP/got" 3
kill_tcpsrv "$s1_pid"
feed 4 5
check "2 more lines while shard-1's server is down" wait_lines "$TMP/got" 5
start_tcpsrv s1 "$TMP/set/shard-1" "$s1_port" || fail "restart shard-1's server on port $s1_port"
feed 6 8
check "3 more after its restart" wait_lines "$TMP/got" 8
exec 3>&-
timeout 60 tail --pid="$batch_pid" -f /dev/null
wait "$batch_pid"
r=$?
cat "$TMP/got.err"
eq "the batch exits 3 (a shard was down)" 3 "$r"
sed 's/^{"latency_ms":[0-9.]*,//' "$TMP/got" >"$TMP/got.r"
eq "before the kill: the full results" "$(sed -n 1,3p "$TMP/want")" "$(sed -n 1,3p "$TMP/got.r")"
eq "while down: both queries failed" 2 "$(sed -n 4,5p "$TMP/got.r" | grep -c '"error"')"
contains "the error names the shard that is down" "remote 127.0.0.1:$s1_port" "$TMP/got.err"
contains "the error names the batch line" "--batch line 4:" "$TMP/got.err"
contains "the error names the stub file" "remote.stub" "$TMP/got.err"
eq "no other shard is blamed" 0 \
	"$(grep -c -e "127.0.0.1:$s0_port" -e "127.0.0.1:$s2_port" "$TMP/got.err")"
eq "after the restart: the full results, in the same batch" \
	"$(sed -n 6,8p "$TMP/want")" "$(sed -n 6,8p "$TMP/got.r")"

# One query through the stub with --timeout 3, timed: r is its exit
# status, secs how long it took; its stderr is shown.
timed_query() {
	local t0
	t0=$(date +%s)
	timeout 60 "$SOU_QUERY" --db "$TMP/remote.stub" --json --timeout 3 人民币 >"$TMP/out" 2>"$TMP/err"
	r=$?
	secs=$(($(date +%s) - t0))
	cat "$TMP/err"
}

# a server that accepts and never answers (stopped: the kernel still
# completes the connection), within --timeout 3
kill -STOP -- "-$s2_pid"
timed_query
eq "a silent shard: exit 3" 3 "$r"
contains "a silent shard: named" "remote 127.0.0.1:$s2_port" "$TMP/err"
echo "a silent shard: the error after $secs s (--timeout 3)"
check "a silent shard: the error within --timeout 3 (+15 s; took $secs s)" [ $secs -le 18 ]
# a batch started while a shard is silent cannot open the index: it
# stops at once with exit 3 naming the shard, as one query does (README
# "Faults"), and prints no results
printf '人民币\n市场\n' >"$TMP/two"
timeout 60 "$SOU_QUERY" --db "$TMP/remote.stub" --json --timeout 3 --batch "$TMP/two" >"$TMP/out" 2>"$TMP/err"
eq "a silent shard in a batch: exit 3" 3 "$?"
contains "a silent shard in a batch: named" "remote 127.0.0.1:$s2_port" "$TMP/err"
eq "a silent shard in a batch: no results" 0 "$(grep -c '"hits"' "$TMP/out")"
printf '人民币\n' >"$TMP/one"
kill -CONT -- "-$s2_pid"
timeout 60 "$SOU_QUERY" --db "$TMP/remote.stub" --json --timeout 5 --batch "$TMP/one" >"$TMP/out" 2>"$TMP/err"
eq "the continued server serves again" 0 "$?"
eq "... with the full results" "$(sed -n 1p "$TMP/want")" "$(sed 's/^{"latency_ms":[0-9.]*,//' "$TMP/out")"

# nothing listens on the port at all (a stopped service)
kill_tcpsrv "$s0_pid"
timed_query
eq "a shard not listening: exit 3" 3 "$r"
contains "a shard not listening: named" "remote 127.0.0.1:$s0_port" "$TMP/err"
check "a shard not listening: the error within --timeout 3 (+15 s; took $secs s)" [ $secs -le 18 ]
stop_all_tcpsrv

# no remote failure touched the local shards
for k in 0 1 2; do
	rc "shard-$k passes sou-index --check" 0 "$SOU_INDEX" --db "$TMP/set/shard-$k" --check
	"$SOU_DUMP" "$TMP/set/shard-$k" >"$TMP/dump-$k.after" 2>&1
	if cmp -s "$TMP/dump-$k.before" "$TMP/dump-$k.after"; then pass; else
		fail "shard-$k changed: $(diff "$TMP/dump-$k.before" "$TMP/dump-$k.after" | head -5)"
	fi
done
finish
