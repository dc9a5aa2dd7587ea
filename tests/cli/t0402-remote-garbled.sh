#!/usr/bin/env bash
# t0402: remote shards that answer with garbage, and program shards.
# The sample corpus as 3 shards behind 3 xapian-tcpsrv, one of them
# reached through garble-proxy.py, which flips one byte of the server's
# replies at a chosen offset.  Whatever the offset, a query either
# answers or fails with exit 3 naming that shard, or saying that Xapian
# cannot tell which of the remote shards sent the bad reply (a reply
# garbled where it carries no context, while every shard answers a
# probe); never "index is damaged", never a crash or a hang.  A stub's
# "remote :PROGRAM" line (xapian-progsrv) runs only with
# --allow-remote-programs, and then answers as the local set does.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/shard-lib.sh"

build_shards "$TMP/set" 3 "$SOU_SRC/corpus/posts" >"$TMP/build.out" 2>&1
r=$?
check "3 shards of the sample corpus built (exit $r)" [ "$r" -le 1 ]
for k in 0 1 2; do
	start_tcpsrv "s$k" "$TMP/set/shard-$k" || { fail "xapian-tcpsrv for shard-$k"; finish; }
done

PROXY_PID=
trap 'kill $PROXY_PID 2>/dev/null; stop_all_tcpsrv; rm -rf "$TMP"' EXIT
failures=0
for off in 30 60 120 250 400 700 1000 1500 2500 4000 8000; do
	rm -f "$TMP/pport"
	python3 "$SOU_SRC/tests/cli/garble-proxy.py" "$TMP/pport" "$s1_port" "$off" &
	PROXY_PID=$!
	for i in $(seq 1 100); do [ -s "$TMP/pport" ] && break; sleep 0.05; done
	pport=$(cat "$TMP/pport")
	printf 'remote 127.0.0.1:%s\nremote 127.0.0.1:%s\nremote 127.0.0.1:%s\n' \
		"$s0_port" "$pport" "$s2_port" >"$TMP/stub"
	timeout 60 "$SOU_QUERY" --db "$TMP/stub" --timeout 3 --json --limit 50 \
		--facets tag,month 人民币 OR 市场 OR 银行 >"$TMP/out" 2>"$TMP/err"
	r=$?
	case $r in
	0) pass ;;
	3)
		failures=$((failures + 1))
		# the shard is named, or, for a reply garbled where Xapian has
		# no context and every shard answers a probe, the message says
		# that it cannot tell which (xwrap.cc network_failed)
		if grep -qF "remote 127.0.0.1:$pport (listed at $TMP/stub line 2)" "$TMP/err" ||
		   grep -qF "remote shards failed (Xapian does not say which" "$TMP/err"; then
			pass
		else
			fail "offset $off: neither names the garbled shard nor says it cannot: $(head -c 300 "$TMP/err")"
		fi
		eq "offset $off: one line" 1 "$(wc -l <"$TMP/err")" ;;
	*) fail "offset $off: exit $r: $(head -c 300 "$TMP/err")" ;;
	esac
	kill "$PROXY_PID" 2>/dev/null
	wait "$PROXY_PID" 2>/dev/null
	PROXY_PID=
done
check "some garbled replies were caught ($failures)" [ "$failures" -gt 0 ]

# program shards: refused unless asked for, naming the line
command -v xapian-progsrv >/dev/null 2>&1 || { echo "no xapian-progsrv: program shards not tested"; finish; }
printf 'remote :xapian-progsrv %s\n' "$TMP/set/shard-0" "$TMP/set/shard-1" "$TMP/set/shard-2" >"$TMP/prog.stub"
rc "program shards refused by default" 2 "$SOU_QUERY" --db "$TMP/prog.stub" 人民币
contains "naming the line and the option" "prog.stub:1: \"remote :PROGRAM\" runs a program, which sou does only with --allow-remote-programs" "$TMP/err"
"$SOU_QUERY" --db "$TMP/set" --json --limit 50 人民币 OR 市场 | jq -c '[.hits[] | [.path, .score]]' >"$TMP/want"
"$SOU_QUERY" --db "$TMP/prog.stub" --allow-remote-programs --json --limit 50 人民币 OR 市场 |
	jq -c '[.hits[] | [.path, .score]]' >"$TMP/got"
check "program shards answer as the local set" cmp -s "$TMP/want" "$TMP/got"
check "and found something" [ "$(jq length "$TMP/want")" -gt 0 ]
finish
