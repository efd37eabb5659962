#!/bin/sh
# make-test: asan
# The manager's request controls, standalone and spawned (spawn-fcgi):
# --request-timeout (with the test-hooks build's injected handler delay),
# --max-requests (+ jitter), their environment variables, bad values, --help.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/fcgi_lib.sh"
e2e_start fcgi-controls
HOOKS_BIN=${HOOKS_BIN:-$BUILD/test-hooks/app.fcgi}
[ -x "$HOOKS_BIN" ] || { e2e_fail "no $HOOKS_BIN (make test-hooks)"; e2e_finish; exit 1; }

# The release build has no test hooks in it.
if grep -q FCGI_TEST_DELAY "$BUILD/app.fcgi"; then e2e_fail "$BUILD/app.fcgi contains the test hooks"; else e2e_pass; fi

# 1. --request-timeout, standalone: a handler 3 s late is answered 504 after 1 s,
# logged, its worker replaced; the other worker keeps answering meanwhile.
sock=$E2E_TMP/rt.sock
FCGI_TEST_DELAY_MS=3000 FCGI_TEST_DELAY_PATH=/hello FCGI_BIN=$HOOKS_BIN manager_start "$sock" 2 --request-timeout 1
wait_fcgi "$sock" || exit 1
before=$(worker_pids "$MANAGER_PID")
t0=$(date +%s%N)
fcgi_request "$sock" "$E2E_TMP/late.out" REQUEST_METHOD=GET REQUEST_URI=/hello </dev/null &
late=$!
sleep 0.2
fcgi_request "$sock" "$E2E_TMP/meanwhile.out" REQUEST_URI=/ping </dev/null
[ "$(status_of "$E2E_TMP/meanwhile.out")" = 200 ] && e2e_pass || e2e_fail "the other worker did not answer meanwhile"
wait "$late"
ms=$(( ($(date +%s%N) - t0) / 1000000 ))
echo "fcgi-controls: --request-timeout 1 against a 3 s handler: answered after $ms ms"
[ "$(status_of "$E2E_TMP/late.out")" = 504 ] && grep -qx '{"detail":"Request timed out"}' "$E2E_TMP/late.out" &&
	[ "$ms" -lt 2500 ] && e2e_pass || e2e_fail "request timeout: after $ms ms: $(cat "$E2E_TMP/late.out")"
grep -q "request timed out after 1 s: GET /hello; replacing the worker" "$E2E_TMP/manager.log" && e2e_pass ||
	e2e_fail "request timeout not logged: $(tail -3 "$E2E_TMP/manager.log")"
sleep 0.3
after=$(worker_pids "$MANAGER_PID")
[ "$(echo $after | wc -w)" -eq 2 ] && [ "$after" != "$before" ] && e2e_pass ||
	e2e_fail "timed-out worker not replaced: before '$before', after '$after'"
kill -TERM "$MANAGER_PID"
wait "$MANAGER_PID"
rc=$?
[ "$rc" -eq 0 ] && e2e_pass || e2e_fail "manager exit $rc after a request timeout"

# 2. The same, spawned by spawn-fcgi, settings from the environment: the worker
# answers 504 and replaces itself in place (same pid, fresh process image).
sock=$E2E_TMP/spawned.sock
FCGI_REQUEST_TIMEOUT=1 FCGI_MAX_REQUESTS=5 FCGI_TEST_DELAY_MS=3000 FCGI_TEST_DELAY_PATH=/hello \
	spawn-fcgi -s "$sock" -F 1 -P "$E2E_TMP/spawn.pid" -- "$(cd "$(dirname "$HOOKS_BIN")" && pwd)/app.fcgi" \
	>"$E2E_TMP/spawn.log" 2>&1
spawned=$(cat "$E2E_TMP/spawn.pid")
E2E_PIDS="$E2E_PIDS $spawned"
wait_fcgi "$sock" || exit 1
fcgi_request "$sock" "$E2E_TMP/spawned.out" REQUEST_METHOD=GET REQUEST_URI=/hello </dev/null
[ "$(status_of "$E2E_TMP/spawned.out")" = 504 ] && grep -qx '{"detail":"Request timed out"}' "$E2E_TMP/spawned.out" &&
	e2e_pass || e2e_fail "spawned request timeout: $(cat "$E2E_TMP/spawned.out")"
# FCGI_MAX_REQUESTS=5: twenty requests, every one answered by the one spawned
# pid (spawn-fcgi starts no other), which execs itself after every fifth: had
# it exited, the sixth would find nobody.
bad=0
i=0
while [ $i -lt 20 ]; do
	fcgi_request "$sock" "$E2E_TMP/s$i.out" REQUEST_URI=/ping </dev/null
	[ "$(status_of "$E2E_TMP/s$i.out")" = 200 ] || bad=$((bad + 1))
	i=$((i + 1))
done
echo "fcgi-controls: spawned worker $spawned with FCGI_MAX_REQUESTS=5: 20 requests, $bad failed"
[ "$bad" -eq 0 ] && alive "$spawned" && e2e_pass || e2e_fail "spawned --max-requests: $bad of 20 failed"
kill -TERM "$spawned"

# 2b. And under lighttpd (lighttpd.conf, one worker; the worker inherits
# lighttpd's environment): 504 after 1 s, then the same single worker serves on.
port=$(free_port)
PORT=$port BIND=127.0.0.1 APP_DIR=$(cd "$(dirname "$HOOKS_BIN")" && pwd) FCGI_PROCS=1 SOCKET_DIR=$E2E_TMP \
	ACCESS_LOG=/dev/null FCGI_REQUEST_TIMEOUT=1 FCGI_TEST_DELAY_MS=3000 FCGI_TEST_DELAY_PATH=/hello \
	e2e_bg lighttpd -D -f lighttpd.conf 2>"$E2E_TMP/lighttpd.log"
lighttpd_pid=$!
wait_http "http://127.0.0.1:$port/ping" || exit 1
t0=$(date +%s%N)
out=$(curl -s --max-time 10 -w ' %{http_code}' "http://127.0.0.1:$port/hello")
ms=$(( ($(date +%s%N) - t0) / 1000000 ))
echo "fcgi-controls: under lighttpd, FCGI_REQUEST_TIMEOUT=1 against a 3 s handler: '$out' after $ms ms"
[ "$out" = '{"detail":"Request timed out"} 504' ] && [ "$ms" -lt 2500 ] && e2e_pass ||
	e2e_fail "lighttpd request timeout: '$out' after $ms ms"
check "lighttpd: the worker serves on after a timeout" 200 '{"Success":"Pong!"}' "http://127.0.0.1:$port/ping"
kill -TERM "$lighttpd_pid"
wait "$lighttpd_pid"

# 3. --max-requests 10 --max-requests-jitter 5, standalone: 100 requests, none
# failed, workers replaced along the way with "served N requests" in the log.
: >"$E2E_TMP/manager.log"
sock=$E2E_TMP/max.sock
manager_start "$sock" 2 --max-requests 10 --max-requests-jitter 5
wait_fcgi "$sock" || exit 1
bad=0
i=0
while [ $i -lt 100 ]; do
	fcgi_request "$sock" "$E2E_TMP/m.out" REQUEST_URI=/ping </dev/null
	[ "$(status_of "$E2E_TMP/m.out")" = 200 ] || bad=$((bad + 1))
	i=$((i + 1))
done
retired=$(grep -c 'served 1[0-5] requests; retiring' "$E2E_TMP/manager.log")
echo "fcgi-controls: --max-requests 10 --max-requests-jitter 5: 100 requests, $bad failed, $retired workers retired"
[ "$bad" -eq 0 ] && [ "$retired" -ge 5 ] && [ "$retired" -le 10 ] && e2e_pass ||
	e2e_fail "max-requests: $bad failed, $retired retired: $(tail -3 "$E2E_TMP/manager.log")"
grep -q 'served [0-9]* requests; starting a new one\|exited with status' "$E2E_TMP/manager.log" &&
	e2e_fail "a retiring worker was reported as a failure" || e2e_pass
kill -TERM "$MANAGER_PID"
wait "$MANAGER_PID"

# 3b. FCGI_WEB_SERVER_ADDRS (libfcgi's peer list) still refuses other TCP peers.
fport=$(free_port)
FCGI_WEB_SERVER_ADDRS=192.0.2.7 manager_start "127.0.0.1:$fport" 1
refusing=$MANAGER_PID
fport2=$(free_port)
FCGI_WEB_SERVER_ADDRS=192.0.2.7,127.0.0.1 manager_start "127.0.0.1:$fport2" 1
wait_fcgi "127.0.0.1:$fport2" || exit 1
fcgi_request "127.0.0.1:$fport" "$E2E_TMP/refused.out" REQUEST_URI=/ping </dev/null
[ "$(status_of "$E2E_TMP/refused.out")" = "" ] && e2e_pass || e2e_fail "FCGI_WEB_SERVER_ADDRS: a peer not listed was served"
kill -TERM "$refusing" "$MANAGER_PID"
wait "$refusing" "$MANAGER_PID"

# 3c. The status page (issue 27, item 7): a request in flight (held 3 s by the
# test-hooks delay) shows as its path without the query string (?api_key=SECRET),
# on the JSON page and in app.fcgi --status, unless --status-show-query (or
# FCGI_STATUS_SHOW_QUERY=1); every status request, and every 403 refusal, has
# its access line, in the schema of the service's own lines.
for mode in paths flag env; do
	: >"$E2E_TMP/manager.log"
	sock=$E2E_TMP/st-$mode.sock
	flag=""
	[ "$mode" = flag ] && flag=--status-show-query
	[ "$mode" = env ] && export FCGI_STATUS_SHOW_QUERY=1
	# shellcheck disable=SC2086 # flag is empty or one word
	FCGI_TEST_DELAY_MS=3000 FCGI_TEST_DELAY_PATH=/api/v1/users/ FCGI_BIN=$HOOKS_BIN \
		manager_start "$sock" 2 --status-path /-/status $flag
	unset FCGI_STATUS_SHOW_QUERY
	wait_fcgi "$sock" || exit 1
	fcgi_request "$sock" "$E2E_TMP/held.out" REQUEST_METHOD=GET REQUEST_URI='/api/v1/users/?api_key=SECRET' \
		QUERY_STRING=api_key=SECRET REMOTE_ADDR=127.0.0.1 </dev/null &
	held=$!
	# Until the page shows the held request running (bounded), the path it shows.
	shown="" deadline=$(( $(date +%s) + 10 ))
	while [ -z "$shown" ] && [ "$(date +%s)" -lt "$deadline" ]; do
		fcgi_request "$sock" "$E2E_TMP/st.out" REQUEST_METHOD=GET REQUEST_URI=/-/status REMOTE_ADDR=127.0.0.1 \
			HTTP_USER_AGENT=status-probe </dev/null
		shown=$(sed '1,/^\r$/d' "$E2E_TMP/st.out" | python3 -c '
import json, sys
for w in json.load(sys.stdin)["workers"]:
    if w["state"] == "running" and w["path"].startswith("/api/v1/users/"):
        print(w["path"])' 2>/dev/null)
	done
	"$BUILD/app.fcgi" --status "$sock" >"$E2E_TMP/st.txt" 2>&1
	fcgi_request "$sock" "$E2E_TMP/refused.out" REQUEST_METHOD=GET REQUEST_URI=/-/status REMOTE_ADDR=192.0.2.9 \
		HTTP_USER_AGENT=intruder </dev/null
	if [ "$mode" = paths ]; then
		want=/api/v1/users/
		grep -q SECRET "$E2E_TMP/st.out" "$E2E_TMP/st.txt" && e2e_fail "status page shows the query: $(grep SECRET "$E2E_TMP/st.out" "$E2E_TMP/st.txt")" || e2e_pass
	else
		want='/api/v1/users/?api_key=SECRET'
		grep -q 'GET /api/v1/users/?api_key=SECRET$' "$E2E_TMP/st.txt" && e2e_pass ||
			e2e_fail "$mode: --status text page without the query: $(cat "$E2E_TMP/st.txt")"
	fi
	[ "$shown" = "$want" ] && e2e_pass || e2e_fail "$mode: status page shows '$shown' for the request in flight, want '$want'"
	[ "$(status_of "$E2E_TMP/refused.out")" = 403 ] && e2e_pass || e2e_fail "$mode: status page not refused to 192.0.2.9"
	wait "$held"
	kill -TERM "$MANAGER_PID"
	wait "$MANAGER_PID"
	# The lines: the held request's, one per status request (200s from 127.0.0.1,
	# the 403 to 192.0.2.9), each with the same keys (the status requests have no query).
	if python3 -c '
import json, re, sys
lines = [json.loads(l) for l in open(sys.argv[1]) if l.startswith("{")]
held = [l for l in lines if l["path"] == "/api/v1/users/"]
ok = [l for l in lines if l["path"] == "/-/status" and l["status"] == 200]
refused = [l for l in lines if l["path"] == "/-/status" and l["status"] == 403]
assert len(held) == 1 and held[0]["query"] == "api_key=SECRET", held
keys = set(held[0]) - {"query"}
assert len(ok) >= 2 and len(refused) == 1, (len(ok), len(refused))
for l in ok + refused:
    assert set(l) - {"query"} == keys and l["target"] == "fcgi" and l["method"] == "GET", l
    assert re.fullmatch("[0-9a-f]{32}", l["request_id"]) and l["bytes"] > 0, l
assert all(l["client"] == "127.0.0.1" for l in ok), ok
assert sum(l["user_agent"] == "status-probe" for l in ok) == len(ok) - 1, ok  # and app.fcgi --status
assert refused[0]["client"] == "192.0.2.9" and refused[0]["user_agent"] == "intruder", refused
' "$E2E_TMP/manager.log"; then
		e2e_pass
	else
		e2e_fail "$mode: status requests not logged as every request is: $(grep -- '-/status' "$E2E_TMP/manager.log" | head -3)"
	fi
done
FCGI_STATUS_SHOW_QUERY=yes "$BUILD/app.fcgi" --listen "$E2E_TMP/y.sock" >/dev/null 2>"$E2E_TMP/usage.err"
rc=$?
[ "$rc" -eq 2 ] && grep -q FCGI_STATUS_SHOW_QUERY "$E2E_TMP/usage.err" && e2e_pass || e2e_fail "FCGI_STATUS_SHOW_QUERY=yes: exit $rc"

# 4. Bad values are refused at start with the flag or variable named; --help names every flag.
for args in "--read-timeout -1" "--request-timeout 1x" "--max-requests 99999999999" "--shutdown-timeout 5" \
	"--listen $E2E_TMP/x.sock --shutdown-timeout ' 1'" "--listen $E2E_TMP/x.sock --workers 4:2" \
	"--listen $E2E_TMP/x.sock --workers 0:2" "--listen $E2E_TMP/x.sock --workers 2:" "--status-path /x" \
	"--listen $E2E_TMP/x.sock --status-path nope" "--listen 127.0.0.1:1 --socket-mode 0660" \
	"--listen $E2E_TMP/x.sock --socket-mode 0888" "--listen $E2E_TMP/x.sock --user no-such-user-here" \
	"--listen $E2E_TMP/x.sock --socket-owner root:no-such-group-here" "--user nobody"; do
	eval "set -- $args"
	"$BUILD/app.fcgi" "$@" >/dev/null 2>"$E2E_TMP/usage.err"
	rc=$?
	[ "$rc" -eq 2 ] && [ -s "$E2E_TMP/usage.err" ] && e2e_pass || e2e_fail "app.fcgi $args: exit $rc"
done
FCGI_READ_TIMEOUT=soon "$BUILD/app.fcgi" --listen "$E2E_TMP/y.sock" >/dev/null 2>"$E2E_TMP/usage.err"
rc=$?
[ "$rc" -eq 2 ] && grep -q FCGI_READ_TIMEOUT "$E2E_TMP/usage.err" && e2e_pass || e2e_fail "FCGI_READ_TIMEOUT=soon: exit $rc"
"$BUILD/app.fcgi" --help >"$E2E_TMP/help.txt"
for flag in --listen --workers --shutdown-timeout --read-timeout --request-timeout --max-requests \
	--max-requests-jitter --idle-timeout --slow-request --status-path --status-allow --status --user --group \
	--socket-owner --socket-mode --status-show-query --help; do
	grep -q -- "$flag " "$E2E_TMP/help.txt" && e2e_pass || e2e_fail "--help does not list $flag"
done

# 5. Started as root: workers run as --user, the socket gets --socket-owner and
# --socket-mode, the manager stays root, and the workers still die with it.
if [ "$(id -u)" -eq 0 ] && id nobody >/dev/null 2>&1; then
	: >"$E2E_TMP/manager.log"
	chmod 755 "$E2E_TMP"
	sock=$E2E_TMP/priv.sock
	nobody_group=$(id -gn nobody)
	manager_start "$sock" 2 --user nobody --socket-owner "nobody:$nobody_group" --socket-mode 0660
	wait_fcgi "$sock" || exit 1
	[ "$(stat -c '%a %U %G' "$sock")" = "660 nobody $nobody_group" ] && e2e_pass ||
		e2e_fail "socket access: $(stat -c '%a %U %G' "$sock")"
	uids=""
	for w in $(worker_pids "$MANAGER_PID"); do uids="$uids $(awk '/^Uid:/ {print $2 $3 $4 $5}' "/proc/$w/status")"; done
	want=$(id -u nobody)
	[ "$uids" = " $want$want$want$want $want$want$want$want" ] &&
		[ "$(awk '/^Uid:/ {print $2}' "/proc/$MANAGER_PID/status")" = 0 ] && e2e_pass ||
		e2e_fail "--user nobody: worker uids '$uids', want $want"
	workers=$(worker_pids "$MANAGER_PID")
	kill -KILL "$MANAGER_PID"
	wait "$MANAGER_PID" 2>/dev/null
	sleep 0.5
	left=""
	for w in $workers; do alive "$w" && left="$left $w"; done
	[ -z "$left" ] && e2e_pass || e2e_fail "workers running as nobody outlived their manager:$left"
	chmod 700 "$E2E_TMP"
else
	echo "fcgi-controls: not root (or no user nobody): --user and --socket-owner not checked"
fi

e2e_finish
