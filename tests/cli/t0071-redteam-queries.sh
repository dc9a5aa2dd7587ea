#!/usr/bin/env bash
# t0071: the red-team catalog's query rows (tests/redteam/catalog.tsv): queries.
# One attack a row; run.py says how each is run and checked.
. "$(dirname "$0")/lib.sh"
python3 "$SOU_SRC/tests/redteam/run.py" query
