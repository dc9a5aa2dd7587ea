#!/bin/bash
# t0301-serve-fresh: what sou-index commits is what the next request to a
# running sou-serve sees — added, changed and deleted posts, and the new
# generation a --rebuild switches in — on every worker thread, without a
# restart.  (The server compares the index's stamp before each search, so
# "found within a second" is checked as "found by the first request after
# sou-index exits", which is stronger and has no timing in it.)
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/serve-lib.sh"
command -v curl >/dev/null || skip "curl is not installed"

tree=$TMP/posts
cp -r "$SOU_SRC/corpus/posts" "$tree"
DB=$TMP/db
"$SOU_INDEX" --db "$DB" --quiet "$tree" 2>/dev/null
start_server "$DB" --threads 4 || { fail "server start"; finish; }

# hits QUERY: the paths found, one line, over 12 separate connections
# (spread over the worker threads); every answer must agree.
hits() {
	local q i out=
	q=$(uri "$1")
	for i in $(seq 1 12); do
		get "/search?q=$q&limit=50" >/dev/null
		jq -r '[.hits[].path] | join(" ")' "$TMP/body" >"$TMP/h.$i"
	done
	if [ "$(sort -u "$TMP"/h.* | wc -l)" != 1 ]; then
		echo "threads disagree: $(sort -u "$TMP"/h.* | tr '\n' '|')"
	else
		cat "$TMP/h.1"
	fi
	rm -f "$TMP"/h.*
}

eq "not there yet" "" "$(hits 鲜度检验专用词)"
eq "a known post" "2019-01-15-adbc-spring-loans.md" "$(hits 农发行)"

# added
printf -- '---\ntitle: 新帖\ndate: 2025-07-01\ntags: [鲜度]\n---\n鲜度检验专用词出现在正文里。\n' \
	>"$tree/2025-07-01-fresh.md"
"$SOU_INDEX" --db "$DB" --quiet "$tree" 2>/dev/null
eq "an added post is found at once" "2025-07-01-fresh.md" "$(hits 鲜度检验专用词)"
eq "by tag too" 1 "$(get "/search?tag=$(uri 鲜度)" >/dev/null; jq .estimated_total "$TMP/body")"

# changed
printf -- '---\ntitle: 新帖\ndate: 2025-07-01\ntags: [鲜度]\n---\n改写以后只剩下第二个检验词。\n' \
	>"$tree/2025-07-01-fresh.md"
"$SOU_INDEX" --db "$DB" --quiet "$tree" 2>/dev/null
eq "old text gone" "" "$(hits 鲜度检验专用词)"
eq "new text found" "2025-07-01-fresh.md" "$(hits 第二个检验词)"

# deleted
rm "$tree/2019-01-15-adbc-spring-loans.md"
"$SOU_INDEX" --db "$DB" --quiet "$tree" 2>/dev/null
eq "a deleted post is gone at once" "" "$(hits 农发行)"

# --rebuild switches to a new generation, twice
gen1=$(cat "$DB/XAPIANDB")
printf -- '---\ntitle: 重建\ndate: 2025-07-02\n---\n重建之后的检验词。\n' >"$tree/2025-07-02-rebuild.md"
"$SOU_INDEX" --db "$DB" --quiet --rebuild "$tree" 2>/dev/null
check "a new generation" test "$gen1" != "$(cat "$DB/XAPIANDB")"
eq "found after a rebuild" "2025-07-02-rebuild.md" "$(hits 重建之后的检验词)"
rm "$tree/2025-07-02-rebuild.md"
"$SOU_INDEX" --db "$DB" --quiet --rebuild "$tree" 2>/dev/null
eq "gone after a second rebuild" "" "$(hits 重建之后的检验词)"
eq "the rest is still there" "2025-07-01-fresh.md" "$(hits 第二个检验词)"

stop_server
eq "SIGTERM exits 0" 0 "$SERVE_RC"
check "no server errors logged" bash -c "! grep -v 'shutting down' '$TMP/serve.err' | grep -q ."
finish
