#!/usr/bin/env bash
# t0073: the red-team catalog's http rows (tests/redteam/catalog.tsv): sou-serve's HTTP clients.
# One attack a row; run.py says how each is run and checked.
. "$(dirname "$0")/lib.sh"
python3 "$SOU_SRC/tests/redteam/run.py" http
