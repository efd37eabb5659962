#!/bin/sh
# make-test: asan
# AWS_LAMBDA_MAX_CONCURRENCY above 1 (Lambda Managed Instances): that many /next loops
# as supervised processes (lambda/loops.c, core/supervise.c), against the Runtime API
# emulator with several invocations outstanding: each answer under its own request id,
# a loop killed -9 mid-invocation replaced, SIGTERM with N invocations in flight
# answering all N then exiting 0, the drain bounded, bad values refused or clamped
# (lambda_concurrency.py). Needs the test-hooks build (make test-hooks).
E2E_TIMEOUT=${E2E_TIMEOUT:-240}
. "$(dirname "$0")/lib.sh"
e2e_start lambda-concurrency
if [ ! -x "$BUILD/testhooks/bootstrap" ]; then
	e2e_fail "$BUILD/testhooks/bootstrap is missing: run make test-hooks"
elif python3 "$(dirname "$0")/lambda_concurrency.py" "$BUILD/bootstrap" "$BUILD/testhooks/bootstrap"; then
	e2e_pass
else
	e2e_fail "several invocations per environment (see FAIL lines above)"
fi
e2e_finish
