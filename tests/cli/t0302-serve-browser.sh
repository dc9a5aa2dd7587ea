#!/bin/bash
# t0302-serve-browser: the search page in Debian's chromium, headless
# (tests/browser/page_test.py has the steps: typing Chinese, an input
# method's composition, highlights against the API's byte ranges, a tag
# facet, paging, Back, a month facet, the keyboard alone, the post titled
# <img src=x onerror=alert(1)> shown as text, a phone-sized window, no
# console errors, /sou.js dropped into another site's page: allowed by
# --cors, refused for an origin not given; a post whose link template
# parts are empty links on the same origin, not to another host; a
# right-to-left override in a title is shown as \u202E; completions as an
# accessible listbox (arrow keys, Enter, Escape, none while composing), the
# page title following the query, exact counts without 约, a loosened
# query offered, a half-typed quote explained in Chinese without wiping
# the results, a server answering 503 retried until it recovers; issue 21:
# a facet of over 10 values shows 10 and a "more" button for the rest,
# estimated facet counts read ≈N and exact ones not, in a 320 px sidebar
# and a phone-sized window the first hit is above the fold with the
# facets and date fields behind one 筛选 button, a hostile theme's
# element rules do not move the box, "/" and the arrow keys in the
# drop-in).  Skips when chromium, chromedriver or python3-selenium
# is missing.  SOU_SCREENSHOT=FILE keeps the screenshot (doc/sou-serve.png
# was made so); SOU_SHOTS=DIR keeps the others (1280 px, 390 px, 320 px).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/serve-lib.sh"

chromium=$(command -v chromium || true)
driver=$(command -v chromedriver || true)
[ -n "$chromium" ] || skip "chromium is not installed (Debian: apt-get install chromium)"
[ -n "$driver" ] || skip "chromedriver is not installed (Debian: apt-get install chromium-driver)"
py=
for p in /usr/bin/python3 python3; do
	if "$p" -c 'import selenium' 2>/dev/null; then py=$p; break; fi
done
[ -n "$py" ] || skip "python3-selenium is not installed"

# the sample corpus and two hostile posts (page_test.py step 9b): no date
# in a file named like a host, a right-to-left override in a title
mkdir -p "$TMP/tree"
cp -r "$SOU_SRC/corpus/posts" "$TMP/tree/posts"
printf -- '---\ntitle: 红队链接检验\n---\n红队链接检验的正文。\n' >"$TMP/tree/posts/evil.com.md"
printf -- '---\ntitle: "红队双向检验 \\u202Egnp.exe"\ndate: 2024-01-02\n---\n红队双向检验的正文。\n' \
	>"$TMP/tree/posts/2024-01-02-bidi.md"
DB=$TMP/sample
"$SOU_INDEX" --db "$DB" "$TMP/tree/posts" >"$TMP/index.out" 2>"$TMP/index.err"
# a free port for the stand-in site that embeds /sou.js (allowed by --cors)
hostport=$("$py" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
start_server "$DB" --link '/{year}/{month}/{day}/{slug}.html' --cors "http://127.0.0.1:$hostport" ||
	{ fail "server start"; finish; }
# chromium must not reach out (the page only talks to loopback servers)
# nor write outside the test's directory
export no_proxy='*' NO_PROXY='*'
mkdir -p "$TMP/home"
HOME=$TMP/home XDG_CONFIG_HOME=$TMP/home/.config XDG_CACHE_HOME=$TMP/home/.cache \
timeout 300 "$py" "$SOU_SRC/tests/browser/page_test.py" "$URL" "$chromium" "$driver" \
	"$TMP/chromium-profile" "${SOU_SCREENSHOT:-$TMP/sou-serve.png}" "$hostport" >"$TMP/browser.out" 2>&1
status=$?
cat "$TMP/browser.out"
eq "browser checks (exit $status)" 0 "$status"
stop_server
eq "SIGTERM exits 0" 0 "$SERVE_RC"
finish
