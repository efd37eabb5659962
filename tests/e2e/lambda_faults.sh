#!/bin/sh
# make-test: asan valgrind=LAMBDA_WRAPPER
# The bootstrap against a misbehaving Runtime API (tests/lambda_runtime_emulator.py):
# 500s from /next are retried with a doubling backoff, a /response POST that is never
# acknowledged times out and is logged, a Runtime API that goes away ends the process
# with a clear message (lambda_faults.py).
. "$(dirname "$0")/lib.sh"
e2e_start lambda-faults
if python3 "$(dirname "$0")/lambda_faults.py" faults "$BUILD/bootstrap"; then
	e2e_pass
else
	e2e_fail "Runtime API faults (see FAIL lines above)"
fi
e2e_finish
