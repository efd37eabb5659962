#!/bin/sh
# make-test: asan valgrind=LAMBDA_WRAPPER
# The real bootstrap against a local Runtime API (tests/lambda_runtime_emulator.py):
# every row of tests/spec_cases.tsv (docs/spec.md) as every event type, malformed
# events in between that must be reported to /invocation/{id}/error while the
# runtime keeps serving.
# LAMBDA_WRAPPER runs the bootstrap under a tool (make test-valgrind).
. "$(dirname "$0")/lib.sh"
e2e_start lambda-emulator
if python3 "$(dirname "$0")/lambda_cases.py" emulator "$BUILD/bootstrap"; then
	e2e_pass
else
	e2e_fail "spec rows through the Runtime API emulator (see FAIL lines above)"
fi
e2e_finish
