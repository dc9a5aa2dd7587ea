#!/usr/bin/env bash
# t0070: the red-team catalog's post rows (tests/redteam/catalog.tsv): posts.
# One attack a row; run.py says how each is run and checked.
. "$(dirname "$0")/lib.sh"
python3 "$SOU_SRC/tests/redteam/run.py" post
