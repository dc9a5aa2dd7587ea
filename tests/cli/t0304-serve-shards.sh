#!/bin/bash
# t0304-serve-shards: sou-serve over a shard set and over a stub of remote
# shards (README "Scaling out").  Its answers equal sou-query --json on
# the same --db; a post added to one shard is seen by the first request
# after sou-index exits (every local shard is stamped); a remote shard
# that goes away is a JSON 503 that names neither the shard nor the stub
# (the server's stderr does), and once it is back the next request
# succeeds without restarting the server.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/serve-lib.sh"
. "$(dirname "$0")/shard-lib.sh"
command -v curl >/dev/null || skip "curl is not installed"
# both libraries set an EXIT trap: stop everything either started
trap 'stop_server; stop_all_tcpsrv; rm -rf "$TMP"' EXIT

tree=$TMP/posts
cp -r "$SOU_SRC/corpus/posts" "$tree"
SET=$TMP/set
"$SOU_INDEX" --shards 3 --db "$SET" --quiet "$tree" 2>/dev/null

# same_as_query DB QUERY [PARAMS [OPTION]]: the server's JSON for
# q=QUERY&PARAMS equals sou-query --json --db DB [OPTION] QUERY.
same_as_query() {
	local db=$1 q=$2 extra=${3:-} opt=${4:---json}
	q "$db" --json "$opt" "$q" | jq -S . >"$TMP/want"
	get "/search?q=$(uri "$q")$extra" >"$TMP/code"
	jq -S . "$TMP/body" >"$TMP/got" 2>/dev/null
	if [ "$(cat "$TMP/code")" = 200 ] && diff -q "$TMP/want" "$TMP/got" >/dev/null; then
		pass
	else
		fail "$db: '$q' differs from sou-query ($(cat "$TMP/code")): $(diff "$TMP/want" "$TMP/got" | head -5)"
	fi
}

start_server "$SET" --threads 3 || { fail "server start on a shard set"; finish; }
for q in 人民币 '市场 OR 银行' '"人民币汇率"' 'tag:外汇' 'date:2019..2025' 农发行; do
	same_as_query "$SET" "$q"
done

# a post added: lands in one shard, seen by the next request on every thread
printf -- '---\ntitle: 分片新帖\ndate: 2025-07-01\n---\n分片鲜度专用词出现在正文里。\n' \
	>"$tree/2025-07-01-shard-fresh.md"
"$SOU_INDEX" --db "$SET" --quiet "$tree" 2>/dev/null
found=0
for i in $(seq 1 6); do
	get "/search?q=$(uri 分片鲜度专用词)" >/dev/null
	[ "$(jq -r '.hits[0].path' "$TMP/body")" = 2025-07-01-shard-fresh.md ] && found=$((found + 1))
done
eq "added post seen by every request after sou-index" 6 "$found"
stop_server

# three remote shards behind xapian-tcpsrv, listed in a stub file
serve_shards "$SET" "$TMP/remote.stub" || { fail "xapian-tcpsrv start"; finish; }
start_server "$TMP/remote.stub" --threads 2 || { fail "server start on remote shards"; finish; }
for q in 人民币 '市场 OR 银行' '"人民币汇率"' 分片鲜度专用词; do
	same_as_query "$SET" "$q"
done
same_as_query "$SET" 人民币 "&facets=tag,month" --facets=tag,month

kill_tcpsrv "$s1_pid"
code=$(get "/search?q=$(uri 人民币)")
eq "a remote shard down: 503" 503 "$code"
check "the 503 names no shard" bash -c "! grep -q -e '127.0.0.1' -e 'remote.stub' '$TMP/body'"
contains "the 503 says where it is logged" "logged as #" "$TMP/body"
contains "stderr names the shard" "remote 127.0.0.1:$s1_port" "$TMP/serve.err"
start_tcpsrv s1 "$SET/shard-1" "$s1_port" || fail "restart on the same port"
same_as_query "$SET" 人民币
stop_server

# --partial: every shard up, "missing_shards" is there and empty; shard-1
# down, a 200 from the other two naming shard-1 missing
start_server "$TMP/remote.stub" --threads 2 --partial || { fail "server start with --partial"; finish; }
eq "--partial, all up: 200" 200 "$(get "/search?q=$(uri 人民币)")"
eq "--partial, all up: missing_shards is empty" "[]" "$(jq -c .missing_shards "$TMP/body")"
kill_tcpsrv "$s1_pid"
eq "--partial, shard-1 down: 200" 200 "$(get "/search?q=$(uri 人民币)")"
eq "... one shard missing" 1 "$(jq '.missing_shards | length' "$TMP/body")"
contains "... and it is shard-1" "remote 127.0.0.1:$s1_port" "$TMP/body"
check "... with hits from the others" test "$(jq '.hits | length' "$TMP/body")" -gt 0
# the client gets the address only: the stub's path and Xapian's words
# go to the log, under the number the client is given
check "... the stub's path is not shown" not grep -q "remote.stub" "$TMP/body"
eq "... its name is the address alone" "remote 127.0.0.1:$s1_port" "$(jq -r '.missing_shards[0].shard' "$TMP/body")"
n=$(jq -r '.missing_shards[0].error' "$TMP/body" | sed -n 's/^did not answer (logged as #\([0-9]*\))$/\1/p')
check "... the error gives a log number" test -n "$n"
contains "... the log has the details under it" "partial answer #$n: remote 127.0.0.1:$s1_port (listed at" "$TMP/serve.err"
finish
