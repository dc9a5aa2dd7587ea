# shard-lib.sh - helpers for the shard tests (t04xx), sourced after lib.sh.
#
# build_shards makes a 3-shard set (README "Scaling out"); start_tcpsrv
# serves one shard with a stock xapian-tcpsrv on a free loopback port and
# makes sure every server started here is stopped (kill, wait) when the
# test exits, however it exits: no test leaves a process behind.
command -v xapian-tcpsrv >/dev/null 2>&1 ||
	skip "xapian-tcpsrv not found (Debian package xapian-tools; make deps installs it)"
TCPSRV_PIDS=
trap 'stop_all_tcpsrv; rm -rf "$TMP"' EXIT

# build_shards SET N TREE: sou-index --shards N --db SET TREE, the layout
# of README "Scaling out": SET/shard-0 … SET/shard-(N-1) and the stub
# SET/XAPIANDB listing them.  Prints sou-index's summary; returns its status.
build_shards() {
	"$SOU_INDEX" --shards "$2" --db "$1" "$3"
}

# free_port: a loopback TCP port nothing listens on now (the caller
# retries when a server then finds it taken: see start_tcpsrv).
free_port() {
	/usr/bin/python3 -c 'import socket
s = socket.socket()
s.bind(("127.0.0.1", 0))
print(s.getsockname()[1])'
}

# start_tcpsrv NAME DBDIR [PORT]: xapian-tcpsrv serving DBDIR on
# 127.0.0.1:PORT (a free one when PORT is not given; another is tried if
# it is taken by the time the server binds).  Sets the variables
# NAME_port and NAME_pid; the output goes to $TMP/NAME.tcpsrv.
start_tcpsrv() {
	local name=$1 db=$2 want=${3:-} port pid try i
	for try in 1 2 3 4 5 6 7 8 9 10; do
		port=${want:-$(free_port)}
		: >"$TMP/$name.tcpsrv"
		# its own process group: the server forks one child per connection,
		# and "the server is killed" must end those too; fd 3 closed (a
		# test may hold a fifo's writing end there, which would never close)
		setsid xapian-tcpsrv --interface 127.0.0.1 --port "$port" "$db" \
			>"$TMP/$name.tcpsrv" 2>&1 3>&- &
		pid=$!
		TCPSRV_PIDS="$TCPSRV_PIDS $pid"
		for i in $(seq 1 200); do # up to 20 s
			if grep -q '^Listening' "$TMP/$name.tcpsrv"; then
				eval "${name}_port=$port ${name}_pid=$pid"
				return 0
			fi
			kill -0 "$pid" 2>/dev/null || break
			sleep 0.1
		done
		kill -KILL -- "-$pid" 2>/dev/null
		wait "$pid" 2>/dev/null
		if grep -q 'already in use' "$TMP/$name.tcpsrv"; then
			# a restart on a fixed port waits for the old one's socket
			[ -n "$want" ] && sleep 1
			continue
		fi
		echo "xapian-tcpsrv did not start: $(head -c 500 "$TMP/$name.tcpsrv")" >&2
		return 1
	done
	echo "xapian-tcpsrv: no free port after 10 tries" >&2
	return 1
}

# serve_shards SET STUB: a xapian-tcpsrv for each of SET/shard-0..2 (as
# start_tcpsrv s0, s1, s2) and STUB, a stub file listing them as
# "remote 127.0.0.1:PORT" lines.  Returns non-zero if a server fails.
serve_shards() {
	local set=$1 stub=$2 k
	: >"$stub"
	for k in 0 1 2; do
		start_tcpsrv "s$k" "$set/shard-$k" || return 1
		eval "echo \"remote 127.0.0.1:\$s${k}_port\"" >>"$stub"
	done
}

# kill_tcpsrv PID: kill -9 one server with its connection children
# (its process group), and reap it.
kill_tcpsrv() {
	kill -KILL -- "-$1" 2>/dev/null
	wait "$1" 2>/dev/null
	return 0
}

# stop_all_tcpsrv: every server this test started, ended and reaped (a
# stopped one is continued first so that it can die).
stop_all_tcpsrv() {
	local p
	for p in $TCPSRV_PIDS; do
		kill -CONT -- "-$p" 2>/dev/null
		kill -KILL -- "-$p" 2>/dev/null
		wait "$p" 2>/dev/null
	done
	TCPSRV_PIDS=
}
