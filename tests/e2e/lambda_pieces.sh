#!/bin/sh
# make-test: asan valgrind=LAMBDA_WRAPPER
# A body made in pieces on Lambda, RESPONSE_STREAM, through the Runtime API
# emulator: each piece its own chunk, the first at the emulator before the last
# is written (the test-only route waits for the test between pieces), errors
# after the first byte as the Runtime API's trailers (lambda_pieces.py).
. "$(dirname "$0")/lib.sh"
e2e_start lambda-pieces
if [ ! -x "$BUILD/testhooks/bootstrap" ]; then
	e2e_fail "$BUILD/testhooks/bootstrap is missing: run make test-hooks"
elif python3 "$(dirname "$0")/lambda_pieces.py" "$BUILD/testhooks/bootstrap"; then
	e2e_pass
else
	e2e_fail "pieces on Lambda (see FAIL lines above)"
fi
e2e_finish
