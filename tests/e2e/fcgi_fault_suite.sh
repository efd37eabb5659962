#!/bin/sh
# The fault suite: the standalone manager (test-hooks build, on a unix socket)
# behind a real nginx, under wrk load, one fault at a time. Each fault prints
# one line: requests sent, failed, how many of those the fault itself caused
# (a SIGKILLed worker's request in hand; nginx finding no socket once the
# manager is stopped), and the time to recover (pool complete and /ping
# answered). Any failure beyond what the fault caused fails the test.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/fcgi_lib.sh"
E2E_TIMEOUT=${E2E_TIMEOUT:-300}
e2e_start fcgi-fault-suite
FCGI_BIN=${HOOKS_BIN:-$BUILD/test-hooks/app.fcgi}
[ -x "$FCGI_BIN" ] || { e2e_fail "no $FCGI_BIN (make test-hooks)"; e2e_finish; exit 1; }
LOAD_URL_PATH="/math/add?i=5&i=10"

now_ms() {
	echo $(( $(date +%s%N) / 1000000 ))
}

# setup WORKERS FLAG...: a fresh manager on a fresh socket, nginx in front of it.
setup() {
	_n=$1
	shift
	: >"$E2E_TMP/manager.log"
	SOCK=$E2E_TMP/s$(now_ms).sock
	# Each nginx appends to the same error log: start each fault with an empty one.
	rm -f "$E2E_TMP/nginx/error.log"
	manager_start "$SOCK" "$_n" "$@"
	nginx_start "unix:$SOCK" || exit 1
	wait_ok "$NGINX_BASE/ping" 20 || exit 1
	WORKERS=$_n
}

teardown() {
	kill -TERM "$MANAGER_PID" 2>/dev/null
	wait "$MANAGER_PID" 2>/dev/null
	kill -TERM "$NGINX_PID"
	wait "$NGINX_PID"
}

# recover_ms: from now until the manager has all its workers and /ping answers 200.
recover_ms() {
	_t0=$(now_ms)
	_deadline=$((_t0 + 10000))
	until [ "$(echo $(worker_pids "$MANAGER_PID") | wc -w)" -ge "$WORKERS" ] &&
		[ "$(curl -s -o /dev/null --max-time 1 -w '%{http_code}' "$NGINX_BASE/ping")" = 200 ]; do
		[ "$(now_ms)" -ge "$_deadline" ] && { echo "never"; return; }
		sleep 0.02
	done
	echo $(( $(now_ms) - _t0 ))
}

# report NAME CAUSED RECOVERED: one line from wrk's counts; fails on failures beyond CAUSED.
report() {
	wrk_counts
	echo "fault $1: sent $SENT, failed $FAILED (caused by the fault: at most $2), recovered in $3 ms"
	if [ "$FAILED" -le "$2" ] && [ "$SENT" -gt 100 ] && [ "$3" != never ]; then
		e2e_pass
	else
		e2e_fail "$1: $FAILED failed of $SENT (allowed $2), recovered: $3 ms; wrk: $(tr '\n' ' ' <"$E2E_TMP/wrk.txt")"
		echo "nginx: $(grep '\[error\]' "$E2E_TMP/nginx/error.log" | head -3)" >&2
		echo "manager: $(grep -v 'SIGHUP: starting' "$E2E_TMP/manager.log" | tail -5)" >&2
	fi
}

# 1. SIGKILL of a random worker every 200 ms for 10 s (4 workers). Each kill may
# fail the request the worker had in hand and one it had just accepted.
setup 4
wrk_start 10 16 "$NGINX_BASE$LOAD_URL_PATH"
# On a fixed 200 ms beat, a random child of the manager (from /proc) is killed.
kills=$(e2e_client kill-children "$MANAGER_PID" 50 0.2)
wait "$WRK_PID"
report "SIGKILL a worker every 200 ms for 10 s ($kills kills)" $((2 * kills)) "$(recover_ms)"
teardown

# 2. SIGHUP every second for 10 s: the pool is replaced ten times, nothing fails.
setup 4
wrk_start 10 16 "$NGINX_BASE$LOAD_URL_PATH"
i=0
while [ $i -lt 10 ]; do
	sleep 1
	kill -HUP "$MANAGER_PID"
	i=$((i + 1))
done
wait "$WRK_PID"
report "SIGHUP every second for 10 s" 0 "$(recover_ms)"
teardown

# 3. SIGTERM under load: what reached the socket is served; afterwards nginx
# finds no socket (the fault's own failures: connect() errors in its log), and
# nothing else fails. Recovery: a new manager on the same path.
setup 4
wrk_start 3 16 "$NGINX_BASE$LOAD_URL_PATH"
sleep 1
stopped_at=$(date +%T.%N)
kill -TERM "$MANAGER_PID"
wait "$MANAGER_PID"
rc=$?
exited_at=$(date +%T.%N)
wait "$WRK_PID"
refused=$(grep -c 'connect() to unix:.* failed' "$E2E_TMP/nginx/error.log")
others=$(grep '\[error\]' "$E2E_TMP/nginx/error.log" | grep -vc 'connect() to unix:.* failed')
manager_start "$SOCK" 4
report "SIGTERM under load (exit $rc, $others other upstream errors)" "$refused" "$(recover_ms)"
[ "$rc" -eq 0 ] && [ "$others" -eq 0 ] && e2e_pass ||
	e2e_fail "SIGTERM under load (sent $stopped_at, exited $exited_at): exit $rc, $(grep '\[error\]' "$E2E_TMP/nginx/error.log" | grep -v 'connect() to unix' | head -3); first refused: $(grep -m 1 'connect() to unix' "$E2E_TMP/nginx/error.log" | cut -c 1-40); manager: $(tail -4 "$E2E_TMP/manager.log")"
teardown

# 4. 64 connections that send nothing, against 4 workers: the load goes on, and
# a client is still answered within a second.
setup 4
python3 "$E2E_CLIENT" hold-connections "$SOCK" 64 5 >"$E2E_TMP/idle.txt" &
idle=$!
until grep -q open "$E2E_TMP/idle.txt"; do sleep 0.05; done
wrk_start 3 16 "$NGINX_BASE$LOAD_URL_PATH"
slow=0
i=0
while [ $i -lt 10 ]; do
	[ "$(curl -s -o /dev/null --max-time 1 -w '%{http_code}' "$NGINX_BASE/ping")" = 200 ] || slow=$((slow + 1))
	i=$((i + 1))
done
wait "$WRK_PID"
kill "$idle" 2>/dev/null
wait "$idle" 2>/dev/null
report "64 idle connections against 4 workers ($slow of 10 probes over 1 s)" 0 "$(recover_ms)"
[ "$slow" -eq 0 ] && e2e_pass || e2e_fail "idle connections: $slow of 10 probes took over 1 s"
teardown

# 5. A client that stalls mid-body (2 workers, --read-timeout 2): its worker is
# freed after 2 s and the load never fails.
setup 2 --read-timeout 2
wrk_start 4 16 "$NGINX_BASE$LOAD_URL_PATH"
sleep 0.5
t0=$(now_ms)
{ printf 'abc'; sleep 3; } |
	fcgi_request "$SOCK" "$E2E_TMP/stalled.out" REQUEST_METHOD=POST CONTENT_LENGTH=6 REQUEST_URI=/api/v1/users/ &
stalled=$!
until grep -q 'request input stalled' "$E2E_TMP/manager.log"; do
	[ $(( $(now_ms) - t0 )) -gt 6000 ] && break
	sleep 0.02
done
freed=$(( $(now_ms) - t0 ))
wait "$WRK_PID"
kill "$stalled" 2>/dev/null
report "a client stalls mid-body (worker freed after $freed ms)" 0 "$(recover_ms)"
teardown

# 6. A handler 3 s late (FCGI_TEST_DELAY_MS on /hello) past --request-timeout 1:
# each such request is answered 504 after 1 s and its worker replaced; the load
# on other paths never fails.
FCGI_TEST_DELAY_MS=3000 FCGI_TEST_DELAY_PATH=/hello setup 4 --request-timeout 1
wrk_start 4 16 "$NGINX_BASE$LOAD_URL_PATH"
sleep 0.5
timed_out=0
i=0
while [ $i -lt 3 ]; do
	out=$(curl -s --max-time 5 -w ' %{http_code}' "$NGINX_BASE/hello")
	[ "$out" = '{"detail":"Request timed out"} 504' ] && timed_out=$((timed_out + 1))
	i=$((i + 1))
done
wait "$WRK_PID"
report "handler delay past --request-timeout 1 ($timed_out of 3 answered 504)" 0 "$(recover_ms)"
[ "$timed_out" -eq 3 ] && [ "$(grep -c 'request timed out after 1 s: GET /hello' "$E2E_TMP/manager.log")" -eq 3 ] &&
	e2e_pass || e2e_fail "request timeout under load: $timed_out of 3 answered 504: $(tail -3 "$E2E_TMP/manager.log")"
teardown

# 7. --max-requests 100 under load: workers are replaced all along, nothing fails.
setup 2 --max-requests 100 --max-requests-jitter 10
wrk_start 5 16 "$NGINX_BASE$LOAD_URL_PATH"
wait "$WRK_PID"
retired=$(grep -c 'requests; retiring' "$E2E_TMP/manager.log")
report "--max-requests 100 under load ($retired workers retired)" 0 "$(recover_ms)"
[ "$retired" -gt 10 ] && e2e_pass || e2e_fail "max-requests: only $retired workers retired"
teardown

e2e_finish
