#!/usr/bin/env bash
# t0072: the red-team catalog's index rows (tests/redteam/catalog.tsv): index directories.
# One attack a row; run.py says how each is run and checked.
. "$(dirname "$0")/lib.sh"
python3 "$SOU_SRC/tests/redteam/run.py" index
