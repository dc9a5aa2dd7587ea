# serve-lib.sh - helpers for the sou-serve tests (t03xx), sourced after lib.sh.
#
# start_server runs sou-serve on a free loopback port (--listen
# 127.0.0.1:0; the server prints the address it bound) and makes sure it
# is stopped when the test exits, however it exits.
: "${SOU_SERVE:?set by ctest}"
SERVE_PID=
SERVE_RC=
URL=
trap 'stop_server; rm -rf "$TMP"' EXIT

# start_server DB [OPTIONS...]: sets URL (http://127.0.0.1:PORT/) and SERVE_PID.
start_server() {
	local db=$1 i; shift
	# emptied here, not only by the redirection in the child, which may
	# come after the first look below and leave it the previous server's
	: >"$TMP/serve.out"
	"$SOU_SERVE" --db "$db" --listen 127.0.0.1:0 "$@" >"$TMP/serve.out" 2>"$TMP/serve.err" &
	SERVE_PID=$!
	URL=
	for i in $(seq 1 300); do # up to 30 s (sanitized builds start slowly)
		URL=$(sed -n 's/^listening on //p' "$TMP/serve.out")
		[ -n "$URL" ] && return 0
		if ! kill -0 "$SERVE_PID" 2>/dev/null; then
			wait "$SERVE_PID"
			echo "sou-serve exited with $?: $(head -c 500 "$TMP/serve.err")" >&2
			SERVE_PID=
			return 1
		fi
		sleep 0.1
	done
	echo "sou-serve did not start: $(head -c 500 "$TMP/serve.err")" >&2
	return 1
}

# stop_server: SIGTERM, wait; SERVE_RC is its exit status.
stop_server() {
	if [ -n "$SERVE_PID" ]; then
		kill -TERM "$SERVE_PID" 2>/dev/null
		wait "$SERVE_PID"
		SERVE_RC=$?
		SERVE_PID=
	fi
}

# uri STRING: STRING percent-encoded for a query string.
uri() { jq -rn --arg s "$1" '$s|@uri'; }

# get PATH_AND_QUERY: GET it; body to $TMP/body, headers to $TMP/head,
# prints the status code.
get() {
	curl -sS --path-as-is --max-time 30 -o "$TMP/body" -D "$TMP/head" -w '%{http_code}' "${URL%/}$1" "${@:2}"
}
