#!/bin/sh
# The FastCGI worker's timer thread against the main thread (issue 20 items 2
# and 9), each race held open by a test hook of build/test-hooks/app.fcgi and
# looped (tests/e2e/fcgi_timer_races.py says what each case does):
#  - a request that begins while the timer thread is going to sleep is still cut;
#  - a full stderr pipe never stops the deadlines, and the held lines come once
#    it is read;
#  - the lines held when a request times out reach the log even when the main
#    thread is inside the log buffer's lock.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/fcgi_lib.sh"
E2E_TIMEOUT=${E2E_TIMEOUT:-300}
e2e_start fcgi-timer-races
HOOKS_BIN=${HOOKS_BIN:-$BUILD/test-hooks/app.fcgi}
[ -x "$HOOKS_BIN" ] || { e2e_fail "no $HOOKS_BIN (make test-hooks)"; # The hooks are in the test build only.
if grep -qa 'FCGI_TEST_IDLE_RACE\|FCGI_TEST_LOG_HOLD' "$BUILD/app.fcgi"; then
	e2e_fail "$BUILD/app.fcgi holds a test hook's name"
else
	e2e_pass
fi
e2e_finish; exit 1; }
export FORWARDED_ALLOW_IPS=127.0.0.1 FORWARDED_REQUEST_ID=on
unset LOG_FORMAT LOG_LEVEL
for c in "idle-window ${IDLE_ROUNDS:-50}" "full-pipe ${PIPE_ROUNDS:-10}" "lock-held ${LOCK_ROUNDS:-10}"; do
	# shellcheck disable=SC2086 # case and rounds: two words
	python3 "$(dirname "$0")/fcgi_timer_races.py" "$HOOKS_BIN" "$E2E_TMP" $c && e2e_pass || e2e_fail "$c"
done
# The hooks are in the test build only.
if grep -qa 'FCGI_TEST_IDLE_RACE\|FCGI_TEST_LOG_HOLD' "$BUILD/app.fcgi"; then
	e2e_fail "$BUILD/app.fcgi holds a test hook's name"
else
	e2e_pass
fi
e2e_finish
