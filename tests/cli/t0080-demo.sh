#!/usr/bin/env bash
# t0080: `make demo` as a newcomer sees it, on a terminal (a pty made by
# script(1)): it installs only what sou needs to build and run (never the
# test tools: Chromium, Selenium, valgrind...), builds quietly, and tells
# a short story: what it indexes, each query and its answer, what next.
# apt-get and dpkg-query are stand-ins here (the build itself is real, in
# a fresh directory): dpkg-query says that libxapian-dev and chromium
# are missing, apt-get records what it is asked to install.
. "$(dirname "$0")/lib.sh"
command -v make >/dev/null && command -v script >/dev/null || skip "make or script(1) missing"

mkdir -p "$TMP/bin"
cat >"$TMP/bin/dpkg-query" <<'EOS'
#!/bin/sh
for a; do :; done
case $a in libxapian-dev|chromium) exit 1 ;; esac
echo "install ok installed"
EOS
cat >"$TMP/bin/apt-get" <<'EOS'
#!/bin/sh
echo "$*" >>"$APT_LOG"
echo "Selecting previously unselected package (noise that must not reach the terminal)"
EOS
chmod +x "$TMP/bin/dpkg-query" "$TMP/bin/apt-get"
export APT_LOG=$TMP/apt.calls
# a newcomer's shell has no make around it (ctest may run under `make
# test`, whose MAKELEVEL would make the inner make print directories)
env -u MAKELEVEL -u MAKEFLAGS -u MFLAGS PATH=$TMP/bin:$PATH script -qec "cd '$SOU_SRC' && make demo BUILD='$TMP/build' DEMO_DB='$TMP/db' JOBS=2" \
	/dev/null >"$TMP/demo.out" 2>&1
r=$?
sed 's/\r$//' "$TMP/demo.out" >"$TMP/demo.txt"
eq "make demo succeeds" 0 "$r"
contains "asked apt-get for what is missing to build" "libxapian-dev" "$APT_LOG"
check "not for the test tools" not grep -q chromium "$APT_LOG"
contains "one line for the packages" "installing Debian packages: libxapian-dev (log: " "$TMP/demo.txt"
check "no apt-get noise" not grep -q "Selecting previously" "$TMP/demo.txt"
check "no build noise (make, cmake, compiler lines)" not grep -qE "Entering directory|Building C|Linking|\[ *[0-9]+%\]|-- Configuring" "$TMP/demo.txt"
contains "the indexer's summary" "added 51, updated 0, deleted 0, unchanged 0, failed 1" "$TMP/demo.txt"
contains "the broken post explained" "one has broken YAML on purpose" "$TMP/demo.txt"
contains "a query and its hits, in colour on a terminal" $'中国\e[1;31m农业\e[0m发展银行' "$TMP/demo.txt"
contains "how to go on" "sou-serve --db" "$TMP/demo.txt"
n=$(wc -l <"$TMP/demo.txt")
check "a short story ($n lines, at most 80)" [ "$n" -le 80 ]
check "the demo build has no unit tests (no cmocka needed)" not test -e "$TMP/build/tests/unit/test_buf"
finish
