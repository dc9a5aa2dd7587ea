#!/usr/bin/env bash
# t0043: the default index location (~/.sou/index) works on a fresh
# account: with HOME an empty directory and no SOU_DB, sou-index creates
# ~/.sou (mode 0700) and the index, and sou-query finds it; --db with
# missing parent directories works too.
. "$(dirname "$0")/lib.sh"

tree=$TMP/posts
cp -r "$SOU_SRC/corpus/posts" "$tree"
rm -f "$tree/2023-01-01-broken-yaml.md"
home=$TMP/home
mkdir "$home"

rc "first run with the default location" 0 env -u SOU_DB HOME="$home" "$SOU_INDEX" "$tree"
check "~/.sou/index created" [ -f "$home/.sou/index/XAPIANDB" ]
eq "~/.sou is private" 700 "$(stat -c %a "$home/.sou")"
rc "sou-query finds the default index" 0 env -u SOU_DB HOME="$home" "$SOU_QUERY" --color never 经济
rc "--status on the default index" 0 env -u SOU_DB HOME="$home" "$SOU_INDEX" --status
contains "--status names it" "$home/.sou/index" "$TMP/out"

rc "--db below missing directories" 0 "$SOU_INDEX" --quiet --db "$TMP/a/b/c/index" "$tree"
check "the index is there" [ -f "$TMP/a/b/c/index/XAPIANDB" ]
finish
