#!/usr/bin/env bash
# t0200: the ~31,000-post xwlb corpus from ../shared: every post indexes,
# and 200 random 2-4 character substrings of titles each find their post
# (the recall guarantee of README "How Chinese is indexed").
. "$(dirname "$0")/lib.sh"

tarball=$SOU_SHARED/corpus/xwlb.tar.gz
[ -f "$tarball" ] || skip "$tarball not found (../shared is absent)"
: "${SOU_RECALL:?set by ctest}"
tar -xzf "$tarball" -C "$TMP"
posts=$TMP/xwlb
nfiles=$(find "$posts" -name '*.md' | wc -l)
check "corpus unpacked" [ "$nfiles" -gt 30000 ]

start=$(date +%s.%N)
rc "index all posts" 0 "$SOU_INDEX" --db "$TMP/db" "$posts"
end=$(date +%s.%N)
cat "$TMP/out"
contains "every post indexed" "added $nfiles," "$TMP/out"
contains "nothing failed" "failed 0" "$TMP/out"
echo "index size: $(du -sk "$TMP/db" | cut -f1) KiB for $(du -sk "$posts" | cut -f1) KiB of posts, $(echo "$end - $start" | bc 2>/dev/null || true) s"
eq "match-all count" "$nfiles" "$(total "$TMP/db" 'date:1900..2100' --limit 0)"

"$SOU_RECALL" "$TMP/db" "$posts" 200 2026 >"$TMP/recall.out"
r=$?
grep -v '^$' "$TMP/recall.out" | tail -20
eq "200 title substrings each find their post" 0 "$r"
finish
