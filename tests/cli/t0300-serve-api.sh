#!/bin/bash
# t0300-serve-api: sou-serve over the sample corpus answers /search with
# exactly the JSON of sou-query --json (20 queries, jq -S normalised),
# refuses bad input with JSON 4xx errors, enforces its limits (requests
# far over the size limit still get JSON, connections over
# --max-connections a prompt JSON 503), serves only its compiled-in page
# with security headers, CORS only for --cors origins, escapes what it
# prints, and stops cleanly on SIGTERM.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/serve-lib.sh"
command -v curl >/dev/null || skip "curl is not installed"

index_sample
start_server "$DB" --cors https://blog.example.com --threads 3 || { fail "server start"; finish; }

# same QUERY [sou-query options] -- [extra URL parameters]: /search?q=QUERY
# equals sou-query --json QUERY with the same options.
same() {
	local q=$1; shift
	local opts=() params="" a
	while [ $# -gt 0 ] && [ "$1" != -- ]; do opts+=("$1"); shift; done
	[ "${1:-}" = -- ] && shift
	for a in "$@"; do params="$params&$a"; done
	q "$DB" --json "${opts[@]}" "$q" | jq -S . >"$TMP/want"
	local code
	code=$(get "/search?q=$(uri "$q")$params")
	jq -S . "$TMP/body" >"$TMP/got" 2>/dev/null
	if [ "$code" = 200 ] && cmp -s "$TMP/want" "$TMP/got"; then pass; else
		fail "/search?q=$q$params: HTTP $code, differs from sou-query: $(diff "$TMP/want" "$TMP/got" | head -5)"
	fi
}

# 1. the same JSON as sou-query --json, by construction
same 农业
same 农发
same '"离岸人民币"'
same '离岸 人民币'
same inflation
same rates
same 600519
same 2022Q1
same 48.1%
same 臺灣
same '雪容融 OR 玉兰'
same '量子计算 -title:量子计算'
same title:每周市场回顾
same tag:半导体 --sort -date -- sort=-date
same '银行' --limit 3 --offset 2 -- limit=3 offset=2
same A股 --facets tag,category,month -- facets=tag,category,month
same '人民币 汇率' --sort date -- sort=date
same 市场 --limit 0 --facets month -- limit=0 facets=month
# more than the first 10 values of a facet (the page's "more")
same 市场 --facets tag,month --facet-limit 100 -- facets=tag,month facet_limit=100
same zzzznothing
same 'date:2022-03'
# an empty facets list, or one of empty names, asks for none (as --facets)
same 市场 --facets '' -- facets=
same 市场 --facets ',,,' -- facets=,,,
same 市场 --facets 'tag,,month,' -- facets=tag,,month,

# 2. filters from parameters: the query text they make is echoed and
# equals sou-query on that text
eq "tag/date parameters build the query" 'tag:"银行" date:2019..2023' \
	"$(get "/search?tag=$(uri 银行)&date=2019..2023" >/dev/null; jq -r .query "$TMP/body")"
q "$DB" --json '银行 tag:"银行" category:"finance" date:2019..2023' | jq -S . >"$TMP/want"
get "/search?q=$(uri 银行)&tag=$(uri 银行)&category=finance&date=2019..2023" >/dev/null
eq "q plus filters equals sou-query" "" "$(jq -S . "$TMP/body" | diff - "$TMP/want")"
eq "two tags are both required" 'tag:"半导体" tag:"芯片"' \
	"$(get "/search?tag=$(uri 半导体)&tag=$(uri 芯片)" >/dev/null; jq -r .query "$TMP/body")"
eq "a tag holding a double quote is quoted with “”" 'tag:“a"b”' \
	"$(get "/search?tag=$(uri 'a"b')" >/dev/null; jq -r .query "$TMP/body")"
eq "+ is a space" "农业 银行" "$(get "/search?q=%E5%86%9C%E4%B8%9A+%E9%93%B6%E8%A1%8C" >/dev/null; jq -r .query "$TMP/body")"
eq "limit=100 is allowed" 200 "$(get "/search?q=$(uri 市场)&limit=100")"
eq "HEAD /search" 200 "$(curl -s -o /dev/null -w '%{http_code}' -I "${URL}search?q=a")"
contains "JSON content type" "Content-Type: application/json; charset=utf-8" "$TMP/head"
contains "search results are not cached" "Cache-Control: no-store" "$TMP/head"

# 3. bad input: a JSON error naming the parameter, with the HTTP status
# bad CODE PARAM PATH: the status and {"error": {"status": CODE, "parameter": PARAM}}
# (PARAM "": no "parameter")
bad() {
	local want=$1 param=$2 path=$3 code
	code=$(get "$path")
	if [ "$code" = "$want" ] &&
	   jq -e --argjson c "$want" --arg p "$param" \
		'.error.status == $c and (.error.message | length > 0) and
		 (if $p == "" then .error | has("parameter") | not else .error.parameter == $p end)' \
		"$TMP/body" >/dev/null 2>&1; then pass; else
		fail "${path:0:200}: expected $want ($param), got $code: $(head -c 300 "$TMP/body")"
	fi
}
bad 400 limit "/search?q=a&limit=101"
bad 400 limit "/search?q=a&limit=abc"
bad 400 limit "/search?q=a&limit="
bad 400 offset "/search?q=a&offset=-1"
bad 400 offset "/search?q=a&offset=10001"
bad 400 sort "/search?q=a&sort=random"
bad 400 facets "/search?q=a&facets=tag,author"
bad 400 facet_limit "/search?q=a&facets=tag&facet_limit=0"
bad 400 facet_limit "/search?q=a&facets=tag&facet_limit=1001"
bad 400 facet_limit "/search?q=a&facets=tag&facet_limit=x"
bad 400 date "/search?q=a&date=2022-13"
bad 400 date "/search?date=2022;rm"
bad 400 q "/search"
bad 400 q "/search?q=%20%20"
bad 400 q "/search?q=$(uri '"unclosed')"
bad 400 q "/search?q=$(uri 'a OR')&tag=x"
bad 400 q "/search?q=$(uri '-')"
bad 400 q "/search?q=a&q=b"
bad 400 q "/search?q=%00a"
bad 400 q "/search?q=%FF"
bad 400 q "/search?q=$(head -c 1001 /dev/zero | tr '\0' a)"
bad 400 tag "/search?tag=$(uri 'a"b”c」d')"
bad 400 nonsense "/search?q=a&nonsense=1"
bad 400 "" "/search?q=a$(printf '&tag=t%d' $(seq 1 64))"
contains "too many parameters" "more than 64 parameters" "$TMP/body"
bad 400 "" "/search?q=a&%FF=1"
# /suggest: completions, the JSON of sou-query --suggest --json
eq "/suggest answers" 200 "$(get "/suggest?q=$(uri 人民)&limit=5")"
q "$DB" --suggest 人民 --limit 5 --json | jq -S . >"$TMP/want"
eq "/suggest equals sou-query --suggest" "" "$(jq -S . "$TMP/body" | diff - "$TMP/want")"
eq "/suggest default: at most 8" 1 "$(get "/suggest?q=$(uri 中)" >/dev/null;
	jq '.suggestions | length <= 8' "$TMP/body" | grep -c true)"
bad 400 q "/suggest"
bad 400 q "/suggest?q="
bad 400 limit "/suggest?q=a&limit=21"
bad 400 limit "/suggest?q=a&limit=0"
bad 400 "" "/suggest?q=a&tag=b"
bad 400 nonsense "/suggest?q=a&nonsense=1"
# a search that finds nothing offers a nearby query (loosen.h)
get "/search?q=$(uri 央行降准酒)" >/dev/null
eq "/search: a loosened query offered" 央行降准 "$(jq -r .loosened.query "$TMP/body")"
bad 404 "" "/nothing"
bad 404 "" "/search/"
bad 404 "" "/../query/serve/server.c"
bad 404 "" "/%2e%2e/etc/passwd"
bad 414 "" "/search?q=$(head -c 17000 /dev/zero | tr '\0' a)"
code=$(get "/search?q=a" -H "X-Padding: $(head -c 17000 /dev/zero | tr '\0' a)")
eq "request headers over the limit" 431 "$code"
# far over the limit (but within its hard bound, README) the answer is
# still JSON: 55 tags of 240 bytes are a 40 KB request line
tags=$(for i in $(seq 1 55); do printf '&tag=%s' "$(uri "$(printf '银%.0s' $(seq 1 80))")"; done)
bad 414 "" "/search?q=a$tags"
code=$(get "/search?q=a" -H "X-Padding: $(head -c 40000 /dev/zero | tr '\0' a)")
eq "a 40 KB header: 431" 431 "$code"
eq "a 40 KB header: JSON" 431 "$(jq .error.status "$TMP/body" 2>/dev/null)"
# past the hard bound libmicrohttpd answers by itself; its messages about
# such requests are rate-limited, not one line each
long=$(head -c 100000 /dev/zero | tr '\0' a)
for i in $(seq 1 20); do
	curl -s -o /dev/null --max-time 30 "${URL}search?q=$long"
done
n=$(grep -c 'libmicrohttpd:' "$TMP/serve.err")
check "libmicrohttpd's messages are rate-limited ($n lines for 20 requests)" \
	test "$n" -ge 1 -a "$n" -le 10
code=$(curl -s -o "$TMP/body" -w '%{http_code}' -X POST --data q=a "${URL}search")
eq "a body is refused" 413 "$code"
code=$(curl -s -o "$TMP/body" -w '%{http_code}' -D "$TMP/head" -X DELETE "${URL}search")
eq "other methods" 405 "$code"
contains "405 says what is allowed" "Allow: GET, HEAD, OPTIONS" "$TMP/head"
eq "405 is JSON" 405 "$(jq .error.status "$TMP/body")"

# 4. the page: only compiled-in files, with security headers
eq "the page" 200 "$(get /)"
contains "page is HTML" "Content-Type: text/html; charset=utf-8" "$TMP/head"
contains "nosniff" "X-Content-Type-Options: nosniff" "$TMP/head"
contains "CSP: scripts from this origin only" "script-src 'self'" "$TMP/head"
check "CSP allows no inline script or eval" bash -c "! grep -qi 'unsafe-' '$TMP/head'"
contains "page is not framed" "frame-ancestors 'none'" "$TMP/head"
check "no inline script in the page" bash -c "! grep -o '<script[^>]*>' '$TMP/body' | grep -v ' src=' | grep -q ."
check "no inline style in the page" bash -c "! grep -qi -e '<style' -e ' style=' '$TMP/body'"
contains "the page loads sou.js" '<script src="sou.js"></script>' "$TMP/body"
eq "sou.js" 200 "$(get /sou.js)"
contains "sou.js type" "Content-Type: text/javascript; charset=utf-8" "$TMP/head"
contains "nosniff on scripts" "X-Content-Type-Options: nosniff" "$TMP/head"
check "sou.js is the compiled-in file" cmp -s "$TMP/body" "$SOU_SRC/query/serve/assets/sou.js"
etag=$(sed -n 's/^ETag: //Ip' "$TMP/head" | tr -d '\r')
eq "unchanged sou.js: 304" 304 "$(get /sou.js -H "If-None-Match: $etag")"
eq "sou.css" 200 "$(get /sou.css)"
eq "favicon" 200 "$(get /favicon.svg)"
eq "HEAD /" 200 "$(curl -s -o /dev/null -w '%{http_code}' -I "$URL")"

# 5. CORS for the --cors origin only
get "/search?q=a" -H "Origin: https://blog.example.com" >/dev/null
contains "allowed origin gets CORS" "Access-Control-Allow-Origin: https://blog.example.com" "$TMP/head"
contains "responses vary by origin" "Vary: Origin" "$TMP/head"
get "/search?q=a" -H "Origin: https://evil.example" >/dev/null
check "other origins get no CORS" bash -c "! grep -qi 'Access-Control-Allow-Origin' '$TMP/head'"
code=$(curl -s -o /dev/null -D "$TMP/head" -w '%{http_code}' -X OPTIONS -H "Origin: https://blog.example.com" \
	-H "Access-Control-Request-Method: GET" "${URL}search")
eq "preflight" 204 "$code"
contains "preflight allows GET" "Access-Control-Allow-Methods: GET, HEAD" "$TMP/head"

# 6. many requests over one connection (keep-alive), on several threads
n=$(curl -s $(for i in $(seq 1 30); do printf '%ssearch?q=%s ' "$URL" "$(uri 农业)"; done) | jq -s 'map(select(.hits[0].path == "2019-01-15-adbc-spring-loans.md")) | length')
eq "30 requests on one connection" 30 "$n"

# 7. SIGTERM: a clean stop (sanitized builds also check for leaks here)
stop_server
eq "SIGTERM exits 0" 0 "$SERVE_RC"
contains "says it stops" "SIGTERM: shutting down" "$TMP/serve.err"

# 8. the link template is escaped into the page
start_server "$DB" --link '/x/{slug}"><script>alert(1)</script>' || fail "restart"
get / >/dev/null
contains "link template escaped" 'data-sou-link="/x/{slug}&quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt;"' "$TMP/body"
stop_server

# 9. connections over --max-connections: a prompt JSON 503 while the
# others are open, served again once they close
start_server "$DB" --threads 2 --max-connections 2 || fail "restart"
port=${URL##*:}; port=${port%/}
# held_head FD: HEAD /search on connection FD, kept open; prints the status
held_head() {
	local line code=
	printf 'HEAD /search?q=a HTTP/1.1\r\nHost: test\r\n\r\n' >&"$1" || return
	while IFS= read -r -t 30 line <&"$1"; do
		line=${line%$'\r'}
		[ -z "$code" ] && code=$(cut -d' ' -f2 <<<"$line")
		[ -z "$line" ] && break
	done
	echo "$code"
}
exec {held1}<>"/dev/tcp/127.0.0.1/$port"
exec {held2}<>"/dev/tcp/127.0.0.1/$port"
eq "first held connection served" 200 "$(held_head "$held1")"
eq "second held connection served" 200 "$(held_head "$held2")"
code=$(get "/search?q=a")
eq "third connection: 503 at once" 503 "$code"
eq "the 503 is JSON" 503 "$(jq .error.status "$TMP/body" 2>/dev/null)"
contains "503 says to retry" "Retry-After: 1" "$TMP/head"
contains "503 closes the connection" "Connection: close" "$TMP/head"
eq "held connections still served" 200 "$(held_head "$held1")"
exec {held1}>&- {held2}>&-
for i in $(seq 1 300); do # until the server has seen them close
	code=$(get "/search?q=a")
	[ "$code" = 200 ] && break
	sleep 0.1
done
eq "served again once they close" 200 "$code"
contains "the 503 is logged" "a connection over --max-connections (2) refused" "$TMP/serve.err"
exec {held1}<>"/dev/tcp/127.0.0.1/$port"
eq "a held connection again" 200 "$(held_head "$held1")"
stop_server # with it open
eq "SIGTERM with a connection open exits 0" 0 "$SERVE_RC"
exec {held1}>&-

# 10. start-up errors
rc "no index: exit 3" 3 "$SOU_SERVE" --db "$TMP/none" --listen 127.0.0.1:0
contains "says there is no index" "no index here" "$TMP/err"
rc "bad --listen: exit 2" 2 "$SOU_SERVE" --db "$DB" --listen 127.0.0.1:http
rc "bad --cors: exit 2" 2 "$SOU_SERVE" --db "$DB" --cors blog.example.com
# messages that name the real cause (issue 18)
rc "--listen :PORT is no address: exit 2" 2 "$SOU_SERVE" --db "$DB" --listen :8080
contains "says how to bind every interface" "give 127.0.0.1:8080 for this machine only, or 0.0.0.0:8080" "$TMP/err"
rc "--listen port 99999: exit 2" 2 "$SOU_SERVE" --db "$DB" --listen 127.0.0.1:99999
contains "names the port range" "expected 0 to 65535" "$TMP/err"
rc "--cors https:// with no host: exit 2" 2 "$SOU_SERVE" --db "$DB" --cors https://
contains "says the host is missing" "no host after the scheme" "$TMP/err"
rc "--cors port 99999: exit 2" 2 "$SOU_SERVE" --db "$DB" --cors https://blog.example.com:99999
contains "says the port is out of range" "expected a port from 1 to 65535" "$TMP/err"
rc "--cors with a path: exit 2" 2 "$SOU_SERVE" --db "$DB" --cors https://blog.example.com/
rc "--cors in upper case: exit 2" 2 "$SOU_SERVE" --db "$DB" --cors https://Blog.example.com
contains "says browsers send lower case" "lower case" "$TMP/err"
rc "--timeout 0: exit 2" 2 "$SOU_SERVE" --db "$DB" --timeout 0
rc "--request-timeout x: exit 2" 2 "$SOU_SERVE" --db "$DB" --request-timeout x
mkfifo "$TMP/fifo-db"
rc "--db a FIFO: exit 3, no hang" 3 timeout 60 "$SOU_SERVE" --db "$TMP/fifo-db" --listen 127.0.0.1:0
rc "--db /dev/zero: exit 3, no hang" 3 timeout 60 "$SOU_SERVE" --db /dev/zero --listen 127.0.0.1:0
rc "stray argument: exit 2" 2 "$SOU_SERVE" --db "$DB" extra
rc "bad --threads: exit 2" 2 "$SOU_SERVE" --db "$DB" --threads $'1\e[2J'
contains "what it prints is escaped" "got '1\\e[2J'" "$TMP/err"
rc "unknown option: exit 2" 2 "$SOU_SERVE" $'--x\e'
contains "unknown options too" "unknown option '--x\\e'" "$TMP/err"
start_server "$DB" || fail "restart"
port=${URL##*:}; port=${port%/}
rc "port in use: exit 1" 1 timeout 60 "$SOU_SERVE" --db "$DB" --listen "127.0.0.1:$port"
contains "says why" "cannot listen on 127.0.0.1:$port" "$TMP/err"
stop_server
# --entities: a user file's alias finds the company's posts, as in sou-query
printf '600519 贵州茅台 飞天酒\n' >"$TMP/ents.txt"
start_server "$DB" --entities "$TMP/ents.txt" || fail "start with --entities"
code=$(get "/search?q=%E9%A3%9E%E5%A4%A9%E9%85%92&limit=20")
eq "--entities: 200" 200 "$code"
eq "--entities: the alias finds what sou-query --entities finds" \
	"$("$SOU_QUERY" --db "$DB" --entities "$TMP/ents.txt" --json --limit 20 飞天酒 | jq -c '[.hits[].path]')" \
	"$(jq -c '[.hits[].path]' "$TMP/body")"
check "--entities: some posts" [ "$(jq '.hits | length' "$TMP/body")" -gt 0 ]
stop_server
printf '60051 坏\n' >"$TMP/bad-ents.txt"
rc "--entities a bad file: exit 2" 2 timeout 60 "$SOU_SERVE" --db "$DB" --listen 127.0.0.1:0 --entities "$TMP/bad-ents.txt"
contains "names the file and line" "bad-ents.txt:1:" "$TMP/err"
# binding every interface is said, once
start_server "$DB" --listen 0.0.0.0:0 2>/dev/null || true
if [ -n "$SERVE_PID" ]; then
	sleep 0.2
	contains "0.0.0.0 is said to be every interface" "listens on every network interface" "$TMP/serve.err"
	stop_server
fi
finish
