#!/bin/sh
# make-test: asan valgrind=FCGI_WRAPPER
# The overload controls of app.fcgi (docs/fcgi-manager.md, "Overload"), with the
# test-hooks build (FCGI_TEST_DELAY_MS, FCGI_TEST_CRASH_AT_START/_PATH,
# FCGI_TEST_ALLOC_MB/_PATH: fcgi/worker/overload_hooks.h):
#  1. --max-queue-wait behind real nginx (deploy/nginx.conf passes REQUEST_START
#     $msec): a burst on one worker with a 300 ms handler; the late requests get a
#     503 with Retry-After and {"detail"} unrun, the served ones stay within the
#     limit plus one service time; the status page counts the 503s; each 503 has
#     today's body, an X-Request-Id and an access line with it, and the OpenMetrics
#     histogram counts exactly the 503s.
#  2. Hostile stamps: a client's X-Request-Start is ignored unless the peer is a
#     trusted proxy (--forwarded-allow-ips); a trusted one is honoured in both
#     formats, garbage, future, ancient and overflowing stamps are ignored.
#  3. --max-consecutive-failures: N-1 crashes at start keep the pool, N make the
#     manager exit 3 with a message; a worker that served resets the count.
#  4. --max-worker-rss: a worker that grows past it is replaced after answering,
#     counted; no request fails.
#  5. The shipped lighttpd.conf with FCGI_MAX_QUEUE_WAIT stamps REQUEST_START
#     (deploy/lighttpd-request-start.lua, mod_magnet), and a burst through it is
#     shed (METRICS=emf: each 503 logged, and counted in the EMF lines' errors); with
#     an APP_DIR that lacks the script it says so and nothing is shed.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/fcgi_lib.sh"
E2E_TIMEOUT=${E2E_TIMEOUT:-180}
e2e_start fcgi-overload
FCGI_BIN=${HOOKS_BIN:-$BUILD/test-hooks/app.fcgi}
[ -x "$FCGI_BIN" ] || { e2e_fail "no $FCGI_BIN (make test-hooks)"; e2e_finish; exit 1; }

LIMIT_MS=1000 SERVICE_MS=300 BURST=20
# Slack on top of LIMIT_MS + SERVICE_MS for a loaded 2-core machine (nginx and
# the client's own scheduling); without shedding the last answer takes BURST x 300 ms.
SLACK_MS=${SLACK_MS:-400}

# pool_field BASE NAME: a number from the "pool" object of the JSON status page.
pool_field() {
	curl -s --max-time 5 "$1/-/status" | e2e_client json-get "pool.$2" 2>/dev/null
}

# expect_status WHAT CODE ADDRESS VAR=value...: a direct FastCGI GET is answered CODE.
expect_status() {
	_what=$1 _code=$2 _addr=$3
	shift 3
	fcgi_request "$_addr" "$E2E_TMP/direct.out" REQUEST_METHOD=GET SERVER_PROTOCOL=HTTP/1.1 "$@" </dev/null
	_got=$(status_of "$E2E_TMP/direct.out")
	if [ "$_got" = "$_code" ]; then e2e_pass; else e2e_fail "$_what: expected $_code, got '$_got'"; fi
}

# A step the rest depends on failed: the summary, and out.
give_up() {
	e2e_finish
	exit 1
}

stop_pid() {
	kill -TERM "$1" 2>/dev/null
	wait "$1"
}

# stop_manager: SIGTERM to the manager, which must exit 0 (under valgrind: no error).
stop_manager() {
	stop_pid "$MANAGER_PID"
	_rc=$?
	[ "$_rc" = 0 ] && e2e_pass || e2e_fail "manager $MANAGER_PID exited $_rc after SIGTERM"
}

# ---- 1. a burst on one worker behind nginx -----------------------------------------
sock=$E2E_TMP/shed.sock
export FCGI_TEST_DELAY_MS=$SERVICE_MS FCGI_TEST_DELAY_PATH=/hello
manager_start "$sock" 1 --max-queue-wait "$LIMIT_MS" --status-path /-/status
unset FCGI_TEST_DELAY_MS FCGI_TEST_DELAY_PATH
nginx_start "unix:$sock" || give_up
wait_ok "$NGINX_BASE/ping" 20 || give_up
if e2e_client burst "$NGINX_BASE/hello" "$BURST" "$E2E_TMP/burst.jsonl" &&
	e2e_client burst-report "$E2E_TMP/burst.jsonl" "$LIMIT_MS" "$SERVICE_MS" "$SLACK_MS"; then
	e2e_pass
else
	e2e_fail "burst: see above"
fi
shed=$(grep -c '"status": 503' "$E2E_TMP/burst.jsonl")
got=$(pool_field "$NGINX_BASE" shed_requests)
[ "$got" = "$shed" ] && e2e_pass || e2e_fail "status page shed_requests '$got', the client saw $shed 503s"
# The histogram counts exactly the 503s (observe_request, as for any answer).
curl -s --max-time 5 -o "$E2E_TMP/shed.om" "$NGINX_BASE/-/status?openmetrics"

# An idle worker serves at once: nothing is shed.
check "idle: served" 200 '"Hello from fcgi"' "$NGINX_BASE/hello"
# ---- 2. whose stamps are believed ----------------------------------------------------
# A client's own X-Request-Start, through nginx (untrusted peer): ignored.
old=$(e2e_client stamp 10 t-us)
check "client X-Request-Start through nginx: ignored" 200 '"Hello from fcgi"' \
	-H "X-Request-Start: $old" "$NGINX_BASE/hello"
stop_pid "$NGINX_PID"
# The front server's own REQUEST_START is believed; nonsense in it is not.
expect_status "REQUEST_START 10 s old" 503 "$sock" REQUEST_URI=/ping REMOTE_ADDR=127.0.0.1 \
	REQUEST_START="$(e2e_client stamp 10 msec)"
# A shed POST is not read by a handler: its 100 kB body is read off, and the
# worker serves the next request.
e2e_client repeat a 100000 >"$E2E_TMP/body"
fcgi_request "$sock" "$E2E_TMP/post.out" REQUEST_METHOD=POST REQUEST_URI=/items CONTENT_TYPE=application/json \
	CONTENT_LENGTH=100000 SERVER_PROTOCOL=HTTP/1.1 REQUEST_START="$(e2e_client stamp 10 msec)" <"$E2E_TMP/body"
[ "$(status_of "$E2E_TMP/post.out")" = 503 ] && e2e_pass || e2e_fail "shed POST: $(head -c 300 "$E2E_TMP/post.out")"
expect_status "served after a shed POST" 200 "$sock" REQUEST_URI=/ping REMOTE_ADDR=127.0.0.1
for bad in "abc" "-5" "1e9" "" "99999999999999999999" "1.2.3" "t=" "1" "$(e2e_client stamp -100 msec)"; do
	expect_status "REQUEST_START '$bad' ignored" 200 "$sock" REQUEST_URI=/ping REMOTE_ADDR=127.0.0.1 \
		REQUEST_START="$bad"
done
# An untrusted peer's X-Request-Start (no --forwarded-allow-ips): ignored.
expect_status "untrusted X-Request-Start ignored" 200 "$sock" REQUEST_URI=/ping REMOTE_ADDR=127.0.0.1 \
	HTTP_X_REQUEST_START="$old"
stop_manager
# Each 503 of the burst has its access line (status 503, the client's X-Request-Id),
# and the histogram scraped after the burst counts them (e2e_checks.shed_observed).
# (Debian's python3: the one python3-prometheus-client is installed for.)
/usr/bin/python3 "$E2E_CLIENT" shed-observed "$E2E_TMP/burst.jsonl" "$E2E_TMP/manager.log" "$E2E_TMP/shed.om" && e2e_pass ||
	e2e_fail "the burst's 503s not logged and counted as any answer (see above)"

sock=$E2E_TMP/trusted.sock
manager_start "$sock" 1 --max-queue-wait "$LIMIT_MS" --forwarded-allow-ips 127.0.0.1
wait_fcgi "$sock" || give_up
for form in t-us t-msec msec; do
	expect_status "trusted X-Request-Start ($form) 10 s old" 503 "$sock" REQUEST_URI=/ping \
		REMOTE_ADDR=127.0.0.1 HTTP_X_REQUEST_START="$(e2e_client stamp 10 "$form")"
done
expect_status "trusted X-Request-Start 0.2 s old" 200 "$sock" REQUEST_URI=/ping REMOTE_ADDR=127.0.0.1 \
	HTTP_X_REQUEST_START="$(e2e_client stamp 0.2 t-us)"
expect_status "X-Request-Start from an untrusted peer" 200 "$sock" REQUEST_URI=/ping \
	REMOTE_ADDR=192.0.2.7 HTTP_X_REQUEST_START="$(e2e_client stamp 10 t-us)"
for bad in "t=abc" "t=-5" "t=99999999999999999999" "t=1" "t=1.5e3" "t= 1" "t=1796565548445270x" \
	"$(e2e_client stamp -100 t-us)" "$(e2e_client stamp 7200 t-us)"; do
	expect_status "trusted X-Request-Start '$bad' ignored" 200 "$sock" REQUEST_URI=/ping \
		REMOTE_ADDR=127.0.0.1 HTTP_X_REQUEST_START="$bad"
done
stop_manager

# ---- 3. the crash-loop limit ------------------------------------------------------------
crashes=$E2E_TMP/crashes
# wait_exit PID SECONDS: until PID has exited; its status in EXIT_STATUS (124: still running).
wait_exit() {
	_n=0
	while alive "$1" && [ "$_n" -lt $(($2 * 10)) ]; do
		sleep 0.1
		_n=$((_n + 1))
	done
	if alive "$1"; then EXIT_STATUS=124; else wait "$1"; EXIT_STATUS=$?; fi
}
export FCGI_TEST_CRASH_AT_START="$crashes" FCGI_TEST_CRASH_PATH=/crashme
echo 3 >"$crashes"
: >"$E2E_TMP/manager.log"
manager_start "$E2E_TMP/loop.sock" 1 --max-consecutive-failures 3
wait_exit "$MANAGER_PID" 20
[ "$EXIT_STATUS" = 3 ] && e2e_pass || e2e_fail "3 crashes in a row: exit status $EXIT_STATUS, not 3"
grep -q '3 workers in a row died without serving a request' "$E2E_TMP/manager.log" && e2e_pass ||
	e2e_fail "no crash-loop message: $(cat "$E2E_TMP/manager.log")"

echo 2 >"$crashes"
: >"$E2E_TMP/manager.log"
sock=$E2E_TMP/two.sock
manager_start "$sock" 1 --max-consecutive-failures 3 --status-path /-/status --status-allow 127.0.0.1
wait_fcgi "$sock" || give_up
alive "$MANAGER_PID" && e2e_pass || e2e_fail "2 crashes of 3 allowed: the manager is gone"
expect_status "after 2 crashes the pool serves" 200 "$sock" REQUEST_URI=/ping REMOTE_ADDR=127.0.0.1
# A worker that served resets the count: it crashes after answering, then 2 more
# crash at start; 1 + 2 would reach 3 if the served one counted.
echo 2 >"$crashes"
expect_status "the crashing request is answered" 404 "$sock" REQUEST_URI=/crashme REMOTE_ADDR=127.0.0.1
wait_fcgi "$sock" || give_up
alive "$MANAGER_PID" && e2e_pass || e2e_fail "a served worker's crash did not reset the count"
deaths=$(grep -c 'killed by signal 9' "$E2E_TMP/manager.log")
[ "$deaths" = 5 ] && e2e_pass || e2e_fail "expected 5 worker deaths, the log has $deaths"
stop_manager
unset FCGI_TEST_CRASH_AT_START FCGI_TEST_CRASH_PATH

# ---- 4. memory recycling ---------------------------------------------------------------
sock=$E2E_TMP/rss.sock
export FCGI_TEST_ALLOC_MB=16 FCGI_TEST_ALLOC_PATH=/hello
manager_start "$sock" 1 --max-worker-rss 64 --status-path /-/status
unset FCGI_TEST_ALLOC_MB FCGI_TEST_ALLOC_PATH
nginx_start "unix:$sock" || give_up
wait_ok "$NGINX_BASE/ping" 20 || give_up
first=$(worker_pids "$MANAGER_PID")
sent=0 answered=0 failed=0
while [ "$sent" -lt 12 ]; do
	sent=$((sent + 1))
	code=$(curl -s -o /dev/null --max-time 10 -w '%{http_code}' "$NGINX_BASE/hello")
	if [ "$code" = 200 ]; then answered=$((answered + 1)); else failed=$((failed + 1)); fi
done
echo "rss: sent $sent, answered $answered, failed $failed"
[ "$failed" = 0 ] && e2e_pass || e2e_fail "$failed of $sent requests failed while workers were recycled"
recycles=$(pool_field "$NGINX_BASE" rss_recycles)
[ "${recycles:-0}" -ge 1 ] && e2e_pass || e2e_fail "rss_recycles is '$recycles' after 12 x 16 MB"
grep -q 'is above --max-worker-rss 64 MB; retiring' "$E2E_TMP/manager.log" && e2e_pass ||
	e2e_fail "no recycling line in the log"
now=$(worker_pids "$MANAGER_PID")
[ -n "$now" ] && [ "$now" != "$first" ] && e2e_pass || e2e_fail "worker pid still $first (now '$now')"
stop_pid "$NGINX_PID"
stop_manager

# 4b. Spawned (spawn-fcgi, settings from the environment): the worker re-executes
# itself in place (same pid) when it grows past the limit; none of 12 fails.
sock=$E2E_TMP/spawned.sock
FCGI_MAX_WORKER_RSS=64 FCGI_TEST_ALLOC_MB=16 FCGI_TEST_ALLOC_PATH=/hello \
	spawn-fcgi -s "$sock" -F 1 -P "$E2E_TMP/spawn.pid" -- "$(cd "$(dirname "$FCGI_BIN")" && pwd)/app.fcgi" \
	>"$E2E_TMP/spawn.log" 2>&1
spawned=$(cat "$E2E_TMP/spawn.pid")
E2E_PIDS="$E2E_PIDS $spawned"
wait_fcgi "$sock" || give_up
failed=0 i=0
while [ $i -lt 12 ]; do
	fcgi_request "$sock" "$E2E_TMP/s.out" REQUEST_METHOD=GET REQUEST_URI=/hello </dev/null
	[ "$(status_of "$E2E_TMP/s.out")" = 200 ] || failed=$((failed + 1))
	i=$((i + 1))
done
echo "rss spawned: sent 12, answered $((12 - failed)), failed $failed"
[ "$failed" = 0 ] && alive "$spawned" && e2e_pass || e2e_fail "spawned --max-worker-rss: $failed of 12 failed"
# spawn-fcgi leaves the worker no stderr to read: its size tells. 12 x 16 MB kept
# would be 192 MB; re-executed, it holds at most what it took since (64 + 16 MB).
rss=$(rss_kb "$spawned")
[ "${rss:-999999}" -lt $((80 * 1024)) ] && e2e_pass || e2e_fail "spawned worker's RSS $rss kB: not re-executed"
kill -TERM "$spawned"

# ---- 5. the shipped lighttpd.conf stamps REQUEST_START -------------------------------
# lighttpd.conf as shipped, FCGI_MAX_QUEUE_WAIT=500 and nothing else: it runs
# APP_DIR/lighttpd-request-start.lua (mod_magnet), and a burst of 8 on its one
# spawned worker (300 ms handler) is partly shed, the 503s fast, the served ones
# within the limit plus one service time; a POST whose body trickles in for
# longer than the limit is served (only requests without a body are stamped:
# the upload is no wait for a worker). The same with an APP_DIR that lacks the
# script: lighttpd says so at start, passes no stamp, and all 8 are served.
# lighttpd_start APP_DIR: the shipped lighttpd.conf on a free port, one worker;
# sets LIGHTTPD_PID and LIGHTTPD_BASE.
lighttpd_start() {
	_port=$(free_port)
	PORT=$_port BIND=127.0.0.1 APP_DIR=$1 FCGI_PROCS=1 SOCKET_DIR=$E2E_TMP UPLOAD_DIR=$E2E_TMP ACCESS_LOG= \
		FCGI_MAX_QUEUE_WAIT=500 METRICS=emf FCGI_TEST_DELAY_MS=$SERVICE_MS FCGI_TEST_DELAY_PATH=/hello \
		e2e_bg lighttpd -D -f lighttpd.conf 2>"$E2E_TMP/lighttpd.log"
	LIGHTTPD_PID=$!
	LIGHTTPD_BASE=http://127.0.0.1:$_port
}
hooks_dir=$(cd "$(dirname "$FCGI_BIN")" && pwd)
mkdir -p "$E2E_TMP/no-script"
ln -s "$hooks_dir/app.fcgi" "$E2E_TMP/no-script/app.fcgi"
for app in "$hooks_dir" "$E2E_TMP/no-script"; do
	lighttpd_start "$app"
	wait_ok "$LIGHTTPD_BASE/ping" 20 || give_up
	e2e_client burst "$LIGHTTPD_BASE/hello" 8 "$E2E_TMP/lighttpd-burst.jsonl"
	shed=$(grep -c '"status": 503' "$E2E_TMP/lighttpd-burst.jsonl")
	served=$(grep -c '"status": 200' "$E2E_TMP/lighttpd-burst.jsonl")
	if [ "$app" = "$hooks_dir" ]; then
		echo "shipped lighttpd.conf, FCGI_MAX_QUEUE_WAIT=500: served $served, shed $shed of 8"
		e2e_client burst-report "$E2E_TMP/lighttpd-burst.jsonl" 500 "$SERVICE_MS" "$SLACK_MS" && e2e_pass ||
			e2e_fail "shipped lighttpd.conf: a burst of 8 not shed as it should (see above)"
		# A body that trickles in for ~2.5 s (over the 500 ms limit) to an idle
		# worker: lighttpd reads it all first; the upload is no wait for a worker.
		e2e_client repeat x 40000 >"$E2E_TMP/slow-body"
		got=$(curl -s --max-time 20 --limit-rate 16K -w ' %{http_code}' -H 'Content-Type: text/plain' \
			--data-binary @"$E2E_TMP/slow-body" "$LIGHTTPD_BASE/api/v1/users/")
		echo "shipped lighttpd.conf: a 40 kB body at 16 kB/s: $got"
		[ "$got" = '{"Success":"All users!"} 200' ] && e2e_pass || e2e_fail "a slow upload to an idle worker: $got"
	else
		echo "lighttpd.conf, APP_DIR without the script: served $served, shed $shed of 8"
		[ "$served" = 8 ] && e2e_pass || e2e_fail "lighttpd without the script: served $served of 8"
		grep -q "FCGI_MAX_QUEUE_WAIT is set but .*lighttpd-request-start.lua is missing" "$E2E_TMP/lighttpd.log" &&
			e2e_pass || e2e_fail "lighttpd.conf did not say the script is missing: $(head -c 300 "$E2E_TMP/lighttpd.log")"
	fi
	stop_pid "$LIGHTTPD_PID"
	# ECS (lighttpd, METRICS=emf, no scraper): each 503 has its access line, and the
	# EMF lines (the last written at exit) count them as errors.
	if [ "$app" = "$hooks_dir" ]; then
		e2e_client shed-observed "$E2E_TMP/lighttpd-burst.jsonl" "$E2E_TMP/lighttpd.log" emf && e2e_pass ||
			e2e_fail "shipped lighttpd.conf: the 503s not logged and counted in EMF (see above)"
	fi
done

e2e_finish
