#!/bin/sh
# make-test: asan
# METRICS=emf: CloudWatch embedded metric format lines, checked against the EMF
# specification's required keys (e2e_checks.emf_lines):
#  1. bad METRICS, METRICS_NAMESPACE, METRICS_INTERVAL (0, -1, one past the limit, huge,
#     not a number) refused at start by app.fcgi and the bootstrap;
#  2. Lambda, bootstrap --event: one line per invocation; none without METRICS=emf;
#  3. Lambda, the Runtime API emulator: one line per invocation, on stdout;
#  4. FastCGI spawned by lighttpd (no manager), three routes: per process at most one
#     line per METRICS_INTERVAL, plus one at exit (dimension target; the routes in a
#     breakdown that adds up); every request counted once;
#  5. a worker killed with SIGKILL loses the lines of its current interval only.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/fcgi_lib.sh"
E2E_TIMEOUT=${E2E_TIMEOUT:-180}
e2e_start metrics-emf
EVENTS=tests/events
# emf_sum LOG TARGET [INTERVAL]: checks the lines; sets EMF_LINES and EMF_REQUESTS.
emf_sum() {
	if _r=$(e2e_client emf-lines "$@" 2>"$E2E_TMP/emf.err"); then
		e2e_pass
	else
		e2e_fail "EMF lines in $1: $(tail -c 400 "$E2E_TMP/emf.err")"
		_r="0 0"
	fi
	EMF_LINES=${_r% *} EMF_REQUESTS=${_r#* }
}

# 1. Bad settings: refused at start, by name.
for bad in METRICS_INTERVAL=0 METRICS_INTERVAL=-1 METRICS_INTERVAL=86401 METRICS_INTERVAL=99999999999999999999 \
	METRICS_INTERVAL=1.5 "METRICS_INTERVAL= 5" METRICS=prometheus 'METRICS_NAMESPACE=a"b'; do
	timeout 5 env "$bad" "$BUILD/app.fcgi" --listen "$E2E_TMP/never.sock" --workers 1 >/dev/null 2>"$E2E_TMP/bad.err"
	rc=$?
	[ "$rc" -eq 2 ] && grep -q "${bad%%=*}=" "$E2E_TMP/bad.err" && [ ! -e "$E2E_TMP/never.sock" ] && e2e_pass ||
		e2e_fail "app.fcgi with $bad: exit $rc: $(cat "$E2E_TMP/bad.err")"
	rm -f "$E2E_TMP/never.sock"
	timeout 5 env "$bad" "$BUILD/bootstrap" --event "$EVENTS/apigw-v2-add.json" >/dev/null 2>"$E2E_TMP/bad.err"
	rc=$?
	[ "$rc" -ne 0 ] && grep -q "${bad%%=*}=" "$E2E_TMP/bad.err" && e2e_pass ||
		e2e_fail "bootstrap with $bad: exit $rc: $(cat "$E2E_TMP/bad.err")"
done
METRICS_INTERVAL=86400 METRICS=emf "$BUILD/bootstrap" --event "$EVENTS/apigw-v2-add.json" >/dev/null 2>&1 && e2e_pass ||
	e2e_fail "METRICS_INTERVAL=86400 (the limit) refused"

# 2. bootstrap --event: one line, the namespace asked for; none when off.
METRICS=emf METRICS_NAMESPACE=TestSpace "$BUILD/bootstrap" --event "$EVENTS/apigw-v1-add.json" \
	>/dev/null 2>"$E2E_TMP/event.log"
emf_sum "$E2E_TMP/event.log" lambda
[ "$EMF_LINES" = 1 ] && [ "$EMF_REQUESTS" = 1 ] && grep -q '"Namespace":"TestSpace".*"route":"/math/add"' "$E2E_TMP/event.log" &&
	e2e_pass || e2e_fail "bootstrap --event: $EMF_LINES lines for 1 invocation: $(cat "$E2E_TMP/event.log")"
"$BUILD/bootstrap" --event "$EVENTS/apigw-v1-add.json" >/dev/null 2>"$E2E_TMP/off.log"
grep -q '"_aws"' "$E2E_TMP/off.log" && e2e_fail "EMF lines without METRICS=emf" || e2e_pass

# 3. The Runtime API emulator: three invocations, three lines on stdout (the function's log).
python3 tests/lambda_runtime_emulator.py --port 0 --port-file "$E2E_TMP/emu.port" --out "$E2E_TMP/emu" --timeout 30 \
	--events "$EVENTS/apigw-v1-add.json" "$EVENTS/apigw-v2-add.json" "$EVENTS/alb-add.json" >/dev/null &
emu=$!
until [ -s "$E2E_TMP/emu.port" ]; do sleep 0.05; done
AWS_LAMBDA_RUNTIME_API=127.0.0.1:$(cat "$E2E_TMP/emu.port") METRICS=emf AWS_LAMBDA_FUNCTION_NAME=t \
	e2e_bg "$BUILD/bootstrap" >"$E2E_TMP/runtime.log" 2>&1
rt=$!
wait "$emu" && e2e_pass || e2e_fail "the emulator's invocations were not all answered"
kill -TERM "$rt" 2>/dev/null
wait "$rt" 2>/dev/null
emf_sum "$E2E_TMP/runtime.log" lambda
[ "$EMF_LINES" = 3 ] && [ "$EMF_REQUESTS" = 3 ] && e2e_pass ||
	e2e_fail "emulator: $EMF_LINES lines, $EMF_REQUESTS requests for 3 invocations"

# 4. lighttpd spawning app.fcgi (2 processes, no manager), METRICS_INTERVAL=1, 3 s of traffic.
port=$(free_port)
base=http://127.0.0.1:$port
PORT=$port BIND=127.0.0.1 APP_DIR=$(cd "$BUILD" && pwd) FCGI_PROCS=2 SOCKET_DIR=$E2E_TMP ACCESS_LOG= \
	METRICS=emf METRICS_INTERVAL=1 e2e_bg lighttpd -D -f lighttpd.conf 2>"$E2E_TMP/lighttpd.log"
lighttpd_pid=$!
wait_http "$base/ping" || exit 1
sent=1 # the request wait_http saw answered (those before it got no answer from the service)
end=$(( $(date +%s) + 3 ))
while [ "$(date +%s)" -lt "$end" ]; do
	curl -s -o /dev/null -o /dev/null -o /dev/null "$base/ping" "$base/items/1" "$base/no-such" && sent=$((sent + 3))
done
kill -TERM "$lighttpd_pid"
wait "$lighttpd_pid"
emf_sum "$E2E_TMP/lighttpd.log" fcgi 1
served=$(grep -c '"target":"fcgi","method"' "$E2E_TMP/lighttpd.log")
echo "metrics-emf: lighttpd: $sent requests sent ($served logged), $EMF_LINES EMF lines counting $EMF_REQUESTS"
[ "$EMF_REQUESTS" -eq "$served" ] && [ "$served" -ge "$sent" ] && e2e_pass ||
	e2e_fail "EMF lines count $EMF_REQUESTS requests, the access log $served, $sent sent"
# Bounded by processes x (seconds + the exit line), however many requests and routes.
[ "$EMF_LINES" -le $((2 * 6)) ] && [ "$EMF_LINES" -ge 1 ] && e2e_pass || e2e_fail "$EMF_LINES EMF lines for 3 s of traffic"
grep '"_aws"' "$E2E_TMP/lighttpd.log" | grep -q '"route":"/items/{item_id}".*"route":"unmatched"\|"route":"unmatched".*"route":"/items/{item_id}"' &&
	e2e_pass || e2e_fail "no EMF line with the breakdown of two routes: $(grep '"_aws"' "$E2E_TMP/lighttpd.log" | head -2)"

# 5. SIGKILL: the lines of the killed worker's current interval are lost, nothing else.
sock=$E2E_TMP/kill.sock
METRICS=emf METRICS_INTERVAL=3 manager_start "$sock" 1
wait_fcgi "$sock" || exit 1
# The first interval's line (the pings that waited for the pool) marks the start of the next.
deadline=$(( $(date +%s) + 10 ))
until grep -q '"_aws"' "$E2E_TMP/manager.log" || [ "$(date +%s)" -ge "$deadline" ]; do sleep 0.05; done
grep '"_aws"' "$E2E_TMP/manager.log" >"$E2E_TMP/first.log"
emf_sum "$E2E_TMP/first.log" fcgi
first=$EMF_REQUESTS
ok=0 i=0
while [ $i -lt 5 ]; do
	fcgi_request "$sock" "$E2E_TMP/k.out" REQUEST_URI=/ping </dev/null
	[ "$(status_of "$E2E_TMP/k.out")" = 200 ] && ok=$((ok + 1))
	i=$((i + 1))
done
kill -KILL "$(worker_pids "$MANAGER_PID")"
# One request more, answered by the new worker (it waits in the backlog until then),
# counted in the line its worker writes at exit.
fcgi_request "$sock" "$E2E_TMP/k.out" REQUEST_URI=/ping </dev/null
[ "$(status_of "$E2E_TMP/k.out")" = 200 ] && ok=$((ok + 1))
kill -TERM "$MANAGER_PID"
wait "$MANAGER_PID"
emf_sum "$E2E_TMP/manager.log" fcgi 3
echo "metrics-emf: SIGKILL: $ok of 6 requests answered; EMF counts $EMF_REQUESTS, $first of them before"
[ "$ok" -eq 6 ] && [ "$first" -ge 1 ] && [ "$EMF_REQUESTS" -eq $((first + 1)) ] && e2e_pass ||
	e2e_fail "after a SIGKILL the EMF lines count $EMF_REQUESTS, not the $first before it and the 1 after (the killed interval's 5 lost)"

e2e_finish
