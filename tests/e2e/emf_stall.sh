#!/bin/sh
# make-test: asan
# METRICS=emf with a stderr nobody reads (a stopped log driver): the EMF line of
# the interval never stops the FastCGI worker, every line that does reach the
# log is whole JSON, and SIGTERM still stops it (tests/e2e/emf_stall.py).
. "$(dirname "$0")/lib.sh"
E2E_TIMEOUT=${E2E_TIMEOUT:-120}
e2e_start emf-stall
unset LOG_FORMAT LOG_LEVEL
python3 "$(dirname "$0")/emf_stall.py" "$BUILD/app.fcgi" "$E2E_TMP" "${EMF_STALL_ROUNDS:-5}" && e2e_pass ||
	e2e_fail "a full log pipe stopped the worker"
e2e_finish
