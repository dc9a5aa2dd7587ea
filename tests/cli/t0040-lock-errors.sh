#!/usr/bin/env bash
# t0040: only a lock that another sou-index holds is exit 75 ("another
# sou-index is writing it"); every other failure to lock or open the index
# (no write permission, a generation that cannot be locked, a read-only
# file system, no inodes left) names its cause and exits 3; a full build
# whose worker fails says why.  Parts that need root (another user, a
# small tmpfs) are skipped with a message otherwise.
. "$(dirname "$0")/lib.sh"

# lacks DESCRIPTION NEEDLE FILE
lacks() {
	if grep -qF -- "$2" "$3"; then fail "$1: '$2' in $(head -c 300 "$3")"; else pass; fi
}
mnt=$TMP/mnt
trap 'umount "$mnt" 2>/dev/null; rm -rf "$TMP"' EXIT
# small_fs OPTIONS: a fresh tmpfs on $mnt; fails where mounting is not allowed
small_fs() {
	umount "$mnt" 2>/dev/null
	mkdir -p "$mnt" && mount -t tmpfs -o "$1" tmpfs "$mnt" 2>/dev/null
}

tree=$TMP/posts
cp -r "$SOU_SRC/corpus/posts" "$tree"
rm -f "$tree/2023-01-01-broken-yaml.md"
DB=$TMP/db
"$SOU_INDEX" --quiet --db "$DB" "$tree" >/dev/null 2>&1

# a lock another writer holds: 75, and only then
rc "lock held by another writer" 75 flock "$DB/sou.lock" "$SOU_INDEX" --db "$DB" "$tree"
contains "says another sou-index is writing it" "another sou-index is writing it" "$TMP/err"

# no permission, as an unprivileged user
if [ "$(id -u)" = 0 ] && command -v setpriv >/dev/null; then
	as=(setpriv --reuid=65534 --regid=65534 --clear-groups)
	chmod 755 "$TMP"
	chmod -R a+rX "$DB" "$tree"
	rc "index directory not writable: exit 3" 3 "${as[@]}" "$SOU_INDEX" --db "$DB" "$tree"
	contains "names the lock file and the cause" \
		"sou.lock: cannot open the index's lock file: Permission denied" "$TMP/err"
	# the lock file writable, the generation not: Xapian cannot take its lock
	chmod 666 "$DB/sou.lock"
	rc "generation not writable: exit 3, not 75" 3 "${as[@]}" "$SOU_INDEX" --db "$DB" "$tree"
	contains "names the cause" "Permission denied" "$TMP/err"
	lacks "does not blame another writer" "another sou-index" "$TMP/err"
	chmod 644 "$DB/sou.lock"
else
	echo "SKIP part: no-permission checks need root and setpriv"
fi

if small_fs size=4m,nr_inodes=200; then
	# read-only file system
	"$SOU_INDEX" --quiet --jobs 1 --db "$mnt/db" "$tree" >/dev/null 2>&1
	mount -o remount,ro "$mnt"
	rc "read-only file system: exit 3" 3 "$SOU_INDEX" --db "$mnt/db" "$tree"
	contains "names the cause" "Read-only file system" "$TMP/err"
	mount -o remount,rw "$mnt"

	# no inodes left: Xapian cannot create its lock file in a generation
	# that lacks one (a restored or compacted copy)
	rm -f "$mnt"/db/gen-*/flintlock
	i=0
	while touch "$mnt/fill$i" 2>/dev/null; do i=$((i + 1)); done
	echo "changed" >>"$(ls "$tree"/*.md | head -1)"
	rc "out of inodes: exit 3, not 75" 3 "$SOU_INDEX" --db "$mnt/db" "$tree"
	contains "names the cause" "No space left on device" "$TMP/err"
	lacks "does not blame another writer" "another sou-index" "$TMP/err"

	# a full build whose workers run out of space: the reason is given
	small_fs size=512k
	big=$TMP/big
	big_tree "$big" 20
	rc "full build on a full disk: exit 3" 3 "$SOU_INDEX" --db "$mnt/db" --jobs 2 --batch 20 "$big"
	contains "names the cause" "No space left on device" "$TMP/err"
	check "'a worker failed' says why" grep -q "a worker failed: .*No space left on device" "$TMP/err"
	eq "the error is printed once" 1 "$(grep -c "No space left on device" "$TMP/err")"
else
	echo "SKIP part: mounting a small tmpfs is not permitted here"
fi
finish
