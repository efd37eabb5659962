#!/bin/sh
# make-test: asan
# A FastCGI worker gathers its access lines and writes several with one
# write(2) (app/http/log.h). Whatever happens, every answered request has
# exactly one whole line: none lost, none doubled, none torn or interleaved
# with another worker's, and none kept long: under load with workers recycled
# (--max-requests), behind a slow request that holds the worker, across a
# request timeout that replaces the worker, with no timeout set at all, and
# across a graceful stop.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/fcgi_lib.sh"
e2e_start fcgi-log-buffer
HOOKS_BIN=${HOOKS_BIN:-$BUILD/test-hooks/app.fcgi}
[ -x "$HOOKS_BIN" ] || { e2e_fail "no $HOOKS_BIN (make test-hooks)"; e2e_finish; exit 1; }
export FORWARDED_ALLOW_IPS=127.0.0.1 FORWARDED_REQUEST_ID=on EXECUTION_ENVIRONMENT=ecs
unset LOG_FORMAT LOG_LEVEL
load() { python3 "$(dirname "$0")/fcgi_log_load.py" "$@"; }

# lines_match IDS LOG WHAT: every id of IDS has exactly one line in LOG, each
# line of LOG parses as JSON, and LOG has no line for an id of IDS's run that
# was not answered.
lines_match() {
	e2e_client log-lines-match "$1" "$2" "$3"
}

# 1. Load on 3 workers recycled every 37 requests (each exits: its held lines
# go first), then a graceful stop: 1600 requests, 1600 lines.
sock=$E2E_TMP/load.sock
manager_start "$sock" 3 --max-requests 37
wait_fcgi "$sock" || exit 1
out=$(load "$sock" 16 100 "$E2E_TMP/load") && e2e_pass || e2e_fail "load: $out"
echo "fcgi-log-buffer: $out"
kill -TERM "$MANAGER_PID"
wait "$MANAGER_PID"
lines_match "$E2E_TMP/load.ids" "$E2E_TMP/manager.log" "recycled workers, stop" && e2e_pass ||
	e2e_fail "lines after load with recycling"
mv "$E2E_TMP/manager.log" "$E2E_TMP/load.log"

# 1b. An idle worker writes a held line a moment after its answer (10 ms),
# and then waits without spinning: under 5 ticks of CPU in the next second.
sock=$E2E_TMP/idle1.sock
rm -f "$E2E_TMP/manager.log"
manager_start "$sock" 1
wait_fcgi "$sock" || exit 1
sleep 0.3
load "$sock" 1 1 "$E2E_TMP/one" >/dev/null
t0=$(date +%s%N)
until grep -q '"request_id":"one-0-0"' "$E2E_TMP/manager.log" || [ $(( ($(date +%s%N) - t0) / 1000000 )) -ge 2000 ]; do
	sleep 0.01
done
ms=$(( ($(date +%s%N) - t0) / 1000000 ))
[ "$ms" -lt 500 ] && e2e_pass || e2e_fail "one request's line took $ms ms"
w=$(worker_pids "$MANAGER_PID")
cpu() { awk '{print $14 + $15}' "/proc/$w/stat"; }
c0=$(cpu)
sleep 1
c1=$(cpu)
echo "fcgi-log-buffer: line of a lone request after $ms ms; idle worker then used $((c1 - c0)) ticks in 1 s"
[ $((c1 - c0)) -lt 5 ] && e2e_pass || e2e_fail "idle worker used $((c1 - c0)) ticks of CPU in 1 s"
kill -TERM "$MANAGER_PID"
wait "$MANAGER_PID"

# queue_behind_fast SOCKET NAME: with the one worker stopped (SIGSTOP), 30 fast
# requests and then a /hello (slow in the test build) wait in the backlog; the
# worker, continued, serves the fast ones back to back, holding their lines,
# then the slow one. FAST_PID, SLOW_PID: the two clients.
queue_behind_fast() {
	_w=$(worker_pids "$MANAGER_PID")
	kill -STOP "$_w"
	load "$1" 30 1 "$E2E_TMP/fast$2" >/dev/null &
	FAST_PID=$!
	sleep 0.3
	load "$1" 1 1 "$E2E_TMP/slow$2" /hello >/dev/null &
	SLOW_PID=$!
	sleep 0.3
	kill -CONT "$_w"
}

# 2. The lines held when a slow request (4 s) starts are written by the timer
# within about 2 s (LOG_GATHER_HOLD_MS and a tick), while it still runs. Three rounds
# with the default read timeout, three with none (the timer ticks for the log
# alone then).
for opts in "" "--read-timeout 0"; do
	r=0
	while [ $r -lt 3 ]; do
		r=$((r + 1))
		sock=$E2E_TMP/slow$r.sock
		rm -f "$E2E_TMP/manager.log"
		# shellcheck disable=SC2086 # opts: zero or two words
		FCGI_TEST_DELAY_MS=4000 FCGI_TEST_DELAY_PATH=/hello FCGI_BIN=$HOOKS_BIN manager_start "$sock" 1 $opts
		wait_fcgi "$sock" || exit 1
		queue_behind_fast "$sock" "$r"
		wait "$FAST_PID"
		sleep 2.2
		cp "$E2E_TMP/manager.log" "$E2E_TMP/during.log"
		wait "$SLOW_PID"
		kill -TERM "$MANAGER_PID"
		wait "$MANAGER_PID"
		e2e_client held-lines-out "$E2E_TMP/fast$r.ids" "$E2E_TMP/during.log" "$E2E_TMP/manager.log" && e2e_pass ||
			e2e_fail "slow request ${opts:-with default timeouts}, round $r: lines held too long"
	done
done

# 3. A request timeout replaces the worker: the lines it held go out first.
sock=$E2E_TMP/timeout.sock
rm -f "$E2E_TMP/manager.log"
FCGI_TEST_DELAY_MS=3000 FCGI_TEST_DELAY_PATH=/hello FCGI_BIN=$HOOKS_BIN manager_start "$sock" 1 --request-timeout 1
wait_fcgi "$sock" || exit 1
queue_behind_fast "$sock" timeout
wait "$FAST_PID" "$SLOW_PID"
kill -TERM "$MANAGER_PID"
wait "$MANAGER_PID"
grep -q "request timed out after 1 s" "$E2E_TMP/manager.log" && e2e_pass || e2e_fail "no request timeout logged"
lines_match "$E2E_TMP/fasttimeout.ids" "$E2E_TMP/manager.log" "held across a request timeout" && e2e_pass ||
	e2e_fail "lines lost across a request timeout"

# 4. An idle worker's timer stops after about a second; the next request starts
# it again: a request timeout still fires on time after 1.2, 1.5 and 2.5 s idle.
sock=$E2E_TMP/idle.sock
rm -f "$E2E_TMP/manager.log"
FCGI_TEST_DELAY_MS=3000 FCGI_TEST_DELAY_PATH=/hello FCGI_BIN=$HOOKS_BIN manager_start "$sock" 1 --request-timeout 1
wait_fcgi "$sock" || exit 1
for idle in 1.2 1.5 2.5; do
	sleep "$idle"
	t0=$(date +%s%N)
	fcgi_request "$sock" "$E2E_TMP/idle.out" REQUEST_METHOD=GET REQUEST_URI=/hello </dev/null
	ms=$(( ($(date +%s%N) - t0) / 1000000 ))
	[ "$(status_of "$E2E_TMP/idle.out")" = 504 ] && [ "$ms" -lt 2500 ] && e2e_pass ||
		e2e_fail "after $idle s idle: $(status_of "$E2E_TMP/idle.out") in $ms ms"
	wait_fcgi "$sock" || exit 1
done
kill -TERM "$MANAGER_PID"
wait "$MANAGER_PID"

e2e_finish
