#!/bin/sh
# make-test: asan
# The bootstrap's HTTP/1.1 client against a Runtime API answering with scripted raw
# bytes: every framing it must take, every answer it must refuse (lambda_http1.py);
# the limits on a response head, and peers that never stop sending one
# (lambda_http1_limits.py).
. "$(dirname "$0")/lib.sh"
e2e_start lambda-http1
if python3 "$(dirname "$0")/lambda_http1.py" "$BUILD/bootstrap"; then
	e2e_pass
else
	e2e_fail "HTTP/1.1 framing (see FAIL lines above)"
fi
if python3 "$(dirname "$0")/lambda_http1_limits.py" "$BUILD/bootstrap"; then
	e2e_pass
else
	e2e_fail "HTTP/1.1 head limits (see FAIL lines above)"
fi
e2e_finish
