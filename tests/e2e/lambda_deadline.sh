#!/bin/sh
# make-test: asan
# Lambda-Runtime-Deadline-Ms: a handler still running 200 ms before the deadline is
# answered 504 in the event's shape, the process exits, and the next invocation is
# served by a new process. Needs the test-hooks build ($BUILD/testhooks/bootstrap,
# make test-hooks), whose handler for LAMBDA_TEST_SLOW_PATH can be made slow.
. "$(dirname "$0")/lib.sh"
e2e_start lambda-deadline
if [ ! -x "$BUILD/testhooks/bootstrap" ]; then
	e2e_fail "$BUILD/testhooks/bootstrap is missing: run make test-hooks"
elif python3 "$(dirname "$0")/lambda_faults.py" deadline "$BUILD/testhooks/bootstrap" "$BUILD/bootstrap"; then
	e2e_pass
else
	e2e_fail "deadline (see FAIL lines above)"
fi
e2e_finish
