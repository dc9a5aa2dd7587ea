#!/usr/bin/env bash
# t0054: results on a terminal (issue 21 item 7): under a pseudo-terminal
# of 60 columns, sou-query wraps titles, the tags line and snippets at the
# width (a Chinese character two columns), every continued line indented
# five columns, losing nothing: the wrapped lines joined are the lines a
# pipe gets, and a pipe's lines are never wrapped.
. "$(dirname "$0")/lib.sh"

command -v script >/dev/null || skip "script(1) (util-linux) is not installed"
index_sample

args=(--db "$DB" --color never --limit 5 市场 美国)
"$SOU_QUERY" "${args[@]}" >"$TMP/pipe"
script -qec "stty cols 60 rows 50; $(printf '%q ' "$SOU_QUERY" "${args[@]}")" /dev/null |
	tr -d '\r' >"$TMP/tty"
check "a pipe gets lines longer than 60 columns" \
	python3 - "$TMP/pipe" <<'PY'
import sys, unicodedata
w = lambda s: sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in s)
sys.exit(0 if max(w(l.rstrip("\n")) for l in open(sys.argv[1], encoding="utf-8")) > 60 else 1)
PY
check "a terminal of 60 columns: no line wider" \
	python3 - "$TMP/tty" <<'PY'
import sys, unicodedata
w = lambda s: sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in s)
bad = [l for l in open(sys.argv[1], encoding="utf-8") if w(l.rstrip("\n")) > 60]
sys.stderr.write("".join(bad))
sys.exit(1 if bad else 0)
PY
check "wrapped lines joined are the pipe's lines, nothing lost" \
	python3 - "$TMP/pipe" "$TMP/tty" <<'PY'
import sys
pipe = open(sys.argv[1], encoding="utf-8").read().splitlines()
tty = open(sys.argv[2], encoding="utf-8").read().splitlines()
flat = lambda s: s.replace(" ", "")
# each pipe line is one terminal line and the continued lines after it
# (five blanks, then text); blanks aside, they say the same
i = 0
for want in pipe:
    got = tty[i]
    i += 1
    while flat(got) != flat(want) and i < len(tty) and tty[i].startswith("     ") and \
            flat(want).startswith(flat(got + tty[i])):
        got += tty[i]
        i += 1
    if flat(got) != flat(want):
        sys.stderr.write("pipe: %r\ntty:  %r\n" % (want, got))
        sys.exit(1)
sys.exit(0 if i == len(tty) else 1)
PY
check "the terminal's lines are more than the pipe's (something wrapped)" \
	[ "$(wc -l <"$TMP/tty")" -gt "$(wc -l <"$TMP/pipe")" ]
finish
