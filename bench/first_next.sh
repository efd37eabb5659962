#!/bin/sh
# exec -> first GET /2018-06-01/runtime/invocation/next, side by side in one run
# (bench/first_next.c, commands taking turns run by run):
#   zip      the bootstrap of $BUILD/lambda.zip, unzipped, run as Lambda runs it
#   loop     bench/lambda_floor.c: a bare Runtime API loop in C (GET /next, POST the
#            answer; no libcurl, no JSON): the floor, also bench/lambda.py's --floor
#   python   bench/next_fastapi.py: the reference FastAPI app (else bench/peer_fastapi.py) imported (and Mangum
#            when installed; Debian has no package for it), then /next
# Prints "first_next LABEL MEDIAN_MS MIN_MS RUNS" lines, and "first_next_meta mangum yes|no".
# Settings: BUILD (build), SHARED_DIR (../shared), RUNS (30).
set -eu
cd "$(dirname "$0")/.."
BUILD=${BUILD:-build}
SHARED_DIR=${SHARED_DIR:-../shared}
RUNS=${RUNS:-30}
tmp=$(mktemp -d "${TMPDIR:-/tmp}/first-next.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
unzip -q "$BUILD/lambda.zip" -d "$tmp/task"
set -- zip="$tmp/task/bootstrap" loop="$BUILD/bench/lambda_floor"
# The FastAPI app: the reference one, else this repository's own (bench/peer_fastapi.py).
peer=$SHARED_DIR/reference/main.py
[ -f "$peer" ] || peer=bench/peer_fastapi.py
if /usr/bin/python3 -c 'import fastapi' 2>/dev/null; then
	set -- "$@" python="/usr/bin/python3,bench/next_fastapi.py,$peer"
fi
"$BUILD/bench/first_next" "$RUNS" "$@" | sed 's/^/first_next /'
if /usr/bin/python3 -c 'import mangum' 2>/dev/null; then echo "first_next_meta mangum yes"; else echo "first_next_meta mangum no"; fi
