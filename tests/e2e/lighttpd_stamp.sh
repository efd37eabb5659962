#!/bin/sh
# make-test: asan
# The shipped lighttpd.conf's REQUEST_START stamp (FCGI_MAX_QUEUE_WAIT) against
# hostile clients: trickled headers, keep-alive, pipelining, headers named like
# the stamp, a trickled chunked body, and a client's X-Request-Start passed on
# by a trusted peer
# (tests/e2e/lighttpd_stamp.py says what each case expects).
. "$(dirname "$0")/lib.sh"
E2E_TIMEOUT=${E2E_TIMEOUT:-180}
e2e_start lighttpd-stamp
HOOKS_BIN=${HOOKS_BIN:-$BUILD/test-hooks/app.fcgi}
[ -x "$HOOKS_BIN" ] || { e2e_fail "no $HOOKS_BIN (make test-hooks)"; e2e_finish; exit 1; }
app_dir=$(cd "$(dirname "$HOOKS_BIN")" && pwd)
python3 "$(dirname "$0")/lighttpd_stamp.py" "$app_dir" "$E2E_TMP" "$(free_port)" && e2e_pass ||
	e2e_fail "the lighttpd stamp (see above)"
e2e_finish
