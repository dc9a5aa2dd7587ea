#!/bin/bash
# t0303-serve-load: 50 concurrent loopback clients (bench/serve-load) on
# sou-serve while sou-index --rebuild switches the index to a new
# generation twice: not one request may fail, and every answer to the
# all-posts query counts every post (no partial index is ever seen).
# Throughput and p50/p99 are printed, not asserted.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/serve-lib.sh"
command -v curl >/dev/null || skip "curl is not installed"
py=$(command -v python3 || true)
[ -n "$py" ] || skip "python3 is not installed"

big_tree "$TMP/tree" 4
DB=$TMP/db
"$SOU_INDEX" --db "$DB" --quiet "$TMP/tree" 2>/dev/null
n=$("$SOU_QUERY" --db "$DB" --json --limit 0 'date:1900..2100' | jq .estimated_total)
check "indexed" test "$n" -gt 100
# every client is 127.0.0.1, as behind a reverse proxy: no per-client cap
start_server "$DB" --threads 4 --max-client-connections 0 || { fail "server start"; finish; }
gen0=$(cat "$DB/XAPIANDB")

# two rebuilds, one after the other, while the clients run
(
	for i in 1 2; do
		"$SOU_INDEX" --db "$DB" --quiet --rebuild "$TMP/tree" 2>>"$TMP/rebuild.err"
		echo $? >>"$TMP/rebuild.rc"
	done
	touch "$TMP/rebuilt"
) &
rebuilder=$!
"$py" "$SOU_SRC/bench/serve-load" --url "$URL" --clients 50 --duration 2 --stop-file "$TMP/rebuilt" \
	--max-duration 120 --reconnect 10 --expect "date:1900..2100=$n" --json "$TMP/load.json" \
	>"$TMP/load.out" 2>&1
status=$?
wait "$rebuilder"
cat "$TMP/load.out"
eq "no failed request" 0 "$status"
# 1: the sample's broken-YAML post failed, as it always does
eq "the rebuilds succeeded" "1 1" "$(tr '\n' ' ' <"$TMP/rebuild.rc" | sed 's/ $//')"
check "the index switched generations" test "$gen0" != "$(cat "$DB/XAPIANDB")"
check "requests were made" jq -e '.requests > 100' "$TMP/load.json" >/dev/null
eq "after the rebuilds" "$n" "$(curl -s "${URL}search?q=$(uri 'date:1900..2100')&limit=0" | jq .estimated_total)"
stop_server
eq "SIGTERM exits 0" 0 "$SERVE_RC"
check "no server errors logged" bash -c "! grep -v 'shutting down' '$TMP/serve.err' | grep -q ."
finish
