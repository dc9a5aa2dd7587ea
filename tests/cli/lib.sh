# lib.sh - shared helpers for the tNNNN CLI tests (sourced, not run).
#
# Each test runs the real sou-index and sou-query binaries (paths from the
# environment that ctest sets: SOU_INDEX, SOU_QUERY, SOU_SRC, SOU_SHARED),
# counts its checks, prints "N passed, N failed" and exits 0, 1, or 77 to
# skip (e.g. when ../shared is absent).
set -u
export LC_ALL=C.UTF-8
: "${SOU_INDEX:?set by ctest}" "${SOU_QUERY:?set by ctest}" "${SOU_SRC:?set by ctest}"
SOU_SHARED=${SOU_SHARED:-$SOU_SRC/../shared}
TMP=$(mktemp -d "${TMPDIR:-/tmp}/sou-test.XXXXXX")
trap 'rm -rf "$TMP"' EXIT
passes=0
fails=0

pass() { passes=$((passes + 1)); }
fail() { fails=$((fails + 1)); echo "FAIL: $*" >&2; }

# check DESCRIPTION COMMAND...: the command must succeed.
check() {
	local desc=$1; shift
	if "$@"; then pass; else fail "$desc"; fi
}

# eq DESCRIPTION EXPECTED ACTUAL
eq() {
	if [ "$2" = "$3" ]; then pass; else fail "$1: expected '$2', got '$3'"; fi
}

# rc DESCRIPTION EXPECTED_STATUS COMMAND...: exit status must match.
rc() {
	local desc=$1 want=$2; shift 2
	"$@" >"$TMP/out" 2>"$TMP/err"
	local got=$?
	if [ "$got" = "$want" ]; then pass; else
		fail "$desc: exit $got, expected $want; stderr: $(head -c 300 "$TMP/err")"
	fi
}

# contains DESCRIPTION NEEDLE FILE
contains() {
	if grep -qF -- "$2" "$3"; then pass; else fail "$1: '$2' not in $(head -c 300 "$3")"; fi
}

# not COMMAND...: succeeds when the command fails (for check).
not() { ! "$@"; }

skip() { echo "SKIP: $*"; exit 77; }

finish() {
	echo "$passes passed, $fails failed"
	[ "$fails" = 0 ]
	exit $?
}

# q DB ARGS...: sou-query without colour.
q() { local db=$1; shift; "$SOU_QUERY" --db "$db" --color never "$@"; }

# paths DB ARGS...: the paths of the hits, one per line, in rank order.
paths() { local db=$1; shift; "$SOU_QUERY" --db "$db" --json "$@" | jq -r '.hits[].path'; }

# total DB ARGS...: estimated total from --json.
total() { local db=$1; shift; "$SOU_QUERY" --db "$db" --json "$@" | jq -r '.estimated_total'; }

# index_sample: indexes corpus/posts into $TMP/sample (exit 1: one broken post).
index_sample() {
	DB=$TMP/sample
	"$SOU_INDEX" --db "$DB" "$SOU_SRC/corpus/posts" >"$TMP/index.out" 2>"$TMP/index.err"
	echo $? >"$TMP/index.rc"
}

# big_tree DIR COPIES: the sample corpus copied COPIES times into DIR/cNN/,
# a tree large enough that an indexer can be interrupted mid-run.
big_tree() {
	local dir=$1 copies=$2 i
	mkdir -p "$dir"
	for i in $(seq -w 1 "$copies"); do
		cp -r "$SOU_SRC/corpus/posts" "$dir/c$i"
	done
}

# same_index DESC DB1 DB2: both indexes hold exactly the same posts.
same_index() {
	"$SOU_DUMP" "$2" >"$TMP/dump1" && "$SOU_DUMP" "$3" >"$TMP/dump2"
	if cmp -s "$TMP/dump1" "$TMP/dump2"; then pass; else
		fail "$1: indexes differ: $(diff "$TMP/dump1" "$TMP/dump2" | head -5)"
	fi
}
