#!/usr/bin/env bash
# t0041: a damaged index is reported as damaged, with the remedy
# (sou-index --rebuild), by sou-index, sou-query and sou-index --check;
# no run reports success on it.  Damage is done to copies of a sound
# index: zeroed postlist blocks, per-file records garbled in place (the
# B-trees stay valid, so only sou's records check sees it), a docdata
# table cut in half, an empty and a garbled XAPIANDB stub, a stub naming a
# missing generation.  --rebuild repairs each.
. "$(dirname "$0")/lib.sh"

# libxapian's checker deletes one of its own objects through a pointer of
# another type (harmless, and inside Xapian): let ASan builds run --check
export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}new_delete_type_mismatch=0"

tree=$TMP/posts
cp -r "$SOU_SRC/corpus/posts" "$tree"
rm -f "$tree/2023-01-01-broken-yaml.md"
good=$TMP/good
"$SOU_INDEX" --quiet --jobs 1 --db "$good" "$tree" >/dev/null 2>&1

hits=$(total "$good" 经济)
rc "--check on a sound index" 0 "$SOU_INDEX" --db "$good" --check
contains "says it is sound" "sound" "$TMP/out"
rc "--check without an index" 3 "$SOU_INDEX" --db "$TMP/none" --check

# damage NAME: a fresh copy of the good index as $TMP/NAME, path in $D
damage() {
	D=$TMP/$1
	rm -rf "$D"
	cp -a "$good" "$D"
	G=$(ls -d "$D"/gen-* | head -1)
}
# says_damaged DESC: the last command's stderr says damaged and how to fix it
says_damaged() {
	contains "$1: says damaged" "the index is damaged" "$TMP/err"
	contains "$1: suggests --rebuild" "sou-index --rebuild" "$TMP/err"
}
# repaired DESC: --rebuild brings it back
repaired() {
	rc "$1: --rebuild repairs it" 0 "$SOU_INDEX" --quiet --rebuild --db "$D" "$tree"
	rc "$1: --check after the rebuild" 0 "$SOU_INDEX" --db "$D" --check
	eq "$1: queries work again" "$hits" "$(total "$D" 经济)"
}

# 1. overwritten blocks of the postlist table
damage zeroed
dd if=/dev/zero of="$G/postlist.glass" bs=8192 seek=1 count=1000 conv=notrunc 2>/dev/null
rc "zeroed postlist: sou-index fails" 3 "$SOU_INDEX" --db "$D" "$tree"
says_damaged "zeroed postlist: sou-index"
rc "zeroed postlist: sou-query fails" 3 "$SOU_QUERY" --db "$D" 经济
says_damaged "zeroed postlist: sou-query"
rc "zeroed postlist: --status fails" 3 "$SOU_INDEX" --db "$D" --status
says_damaged "zeroed postlist: --status"
rc "zeroed postlist: --check" 3 "$SOU_INDEX" --db "$D" --check
says_damaged "zeroed postlist: --check"
repaired "zeroed postlist"

# 2. records garbled in place ("1\0o\0" -> "9\0o\0"): the tables stay
# valid, but sou no longer knows which posts it has
damage records
perl -pi -e 's/1\x00o\x00/9\x00o\x00/g' "$G/postlist.glass"
rc "garbled records: sou-index does not report success" 3 "$SOU_INDEX" --db "$D" "$tree"
says_damaged "garbled records: sou-index"
contains "garbled records: says what is wrong" "posts but records of 0" "$TMP/err"
rc "garbled records: the failed run changes nothing" 3 "$SOU_INDEX" --db "$D" "$tree"
rc "garbled records: --check" 3 "$SOU_INDEX" --db "$D" --check
contains "garbled records: --check names a post" \
	"2019-11-12-double-eleven-sales.md: a document without a record" "$TMP/err"
says_damaged "garbled records: --check"
repaired "garbled records"

# 3. docdata cut in half: an incremental run reads no docdata, but
# queries and --check notice
damage truncated
truncate -s $(( $(stat -c %s "$G/docdata.glass") / 2 )) "$G/docdata.glass"
rc "truncated docdata: sou-query fails" 3 "$SOU_QUERY" --db "$D" 经济
says_damaged "truncated docdata: sou-query"
rc "truncated docdata: --check" 3 "$SOU_INDEX" --db "$D" --check
says_damaged "truncated docdata: --check"
repaired "truncated docdata"

# 4. the stub: empty, garbled, naming a generation that is not there
for kind in empty garbled missing; do
	damage "stub-$kind"
	case $kind in
	empty) : >"$D/XAPIANDB" ;;
	garbled) printf 'hello \001 world\n' >"$D/XAPIANDB" ;;
	missing) echo "auto gen-000777" >"$D/XAPIANDB" ;;
	esac
	rc "$kind stub: sou-query fails" 3 "$SOU_QUERY" --db "$D" 经济
	contains "$kind stub: sou-query names the stub" "$D/XAPIANDB" "$TMP/err"
	[ $kind = missing ] || says_damaged "$kind stub: sou-query"
	rc "$kind stub: sou-index fails" 3 "$SOU_INDEX" --db "$D" "$tree"
	contains "$kind stub: sou-index names the stub" "$D/XAPIANDB" "$TMP/err"
	says_damaged "$kind stub: sou-index"
	check "$kind stub: the old generation is not thrown away" [ -d "$G" ]
	rc "$kind stub: --check" 3 "$SOU_INDEX" --db "$D" --check
	repaired "$kind stub"
done
finish
