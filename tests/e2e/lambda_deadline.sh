#!/bin/sh
# make-test: asan
# Lambda-Runtime-Deadline-Ms: a handler still running 200 ms before the deadline is
# answered 504 in the event's shape, the process exits, and the next invocation is
# served by a new process. Then the two races between the handler's thread and the
# watchdog, each held open by a test hook, 50 rounds each (lambda_deadline_races.py).
# Needs the test-hooks build ($BUILD/testhooks/bootstrap, make test-hooks), whose
# handler for LAMBDA_TEST_SLOW_PATH can be made slow and LAMBDA_TEST_HOLD_PATH held.
E2E_TIMEOUT=${E2E_TIMEOUT:-240}  # 100 rounds of a 250 ms deadline, slower under ASan
. "$(dirname "$0")/lib.sh"
e2e_start lambda-deadline
if [ ! -x "$BUILD/testhooks/bootstrap" ]; then
	e2e_fail "$BUILD/testhooks/bootstrap is missing: run make test-hooks"
else
	if python3 "$(dirname "$0")/lambda_faults.py" deadline "$BUILD/testhooks/bootstrap" "$BUILD/bootstrap"; then
		e2e_pass
	else
		e2e_fail "deadline (see FAIL lines above)"
	fi
	if python3 "$(dirname "$0")/lambda_deadline_races.py" "$BUILD/testhooks/bootstrap" 50; then
		e2e_pass
	else
		e2e_fail "deadline races (see FAIL lines above)"
	fi
fi
e2e_finish
