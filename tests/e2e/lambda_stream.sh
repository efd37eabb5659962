#!/bin/sh
# make-test: asan valgrind=LAMBDA_WRAPPER
# LAMBDA_INVOKE_MODE=RESPONSE_STREAM (a Function URL's RESPONSE_STREAM invoke mode):
# every row of tests/spec_cases.tsv as every event type through the Runtime API
# emulator, once buffered and once streaming. Function URL answers go out in the
# Runtime API's streaming mode (chunked POST, the HTTP integration prelude, 8 NUL
# bytes, the body) and are the buffered answers byte for byte once reassembled; API
# Gateway (REST and HTTP API, which invoke buffered) and ALB answers stay buffered and
# identical; a bad value stops
# the bootstrap with /init/error (lambda_cases.py stream).
. "$(dirname "$0")/lib.sh"
e2e_start lambda-stream
if python3 "$(dirname "$0")/lambda_cases.py" stream "$BUILD/bootstrap"; then
	e2e_pass
else
	e2e_fail "streamed answers (see FAIL lines above)"
fi
e2e_finish
