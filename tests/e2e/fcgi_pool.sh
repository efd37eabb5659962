#!/bin/sh
# make-test: asan
# The pool seen through its status page: the scoreboard's JSON (--status-path,
# shown only to --status-allow addresses) and text (app.fcgi --status), a
# dynamic pool (--workers MIN:MAX, --idle-timeout) growing under load and
# shrinking after it, the slow log (--slow-request) and the restart count.
# The load is the test-hooks build's /hello made 1.5 s slow (FCGI_TEST_DELAY_MS).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/fcgi_lib.sh"
E2E_TIMEOUT=${E2E_TIMEOUT:-120}
e2e_start fcgi-pool
FCGI_BIN=${HOOKS_BIN:-$BUILD/test-hooks/app.fcgi}
[ -x "$FCGI_BIN" ] || { e2e_fail "no $FCGI_BIN (make test-hooks)"; e2e_finish; exit 1; }

# pool_field NAME: a number from the "pool" object of the JSON status page.
pool_field() {
	curl -s --max-time 5 "$NGINX_BASE/-/status" |
		e2e_client json-get "pool.$1" 2>/dev/null
}

# 1. No status page unless asked for: the path is the service's (404).
sock=$E2E_TMP/plain.sock
manager_start "$sock" 1
nginx_start "unix:$sock" || exit 1
wait_ok "$NGINX_BASE/ping" 20 || exit 1
check "no status page by default" 404 '{"detail":"Not Found"}' "$NGINX_BASE/-/status"
kill -TERM "$MANAGER_PID"
wait "$MANAGER_PID"
kill -TERM "$NGINX_PID"
wait "$NGINX_PID"

# 2. A client not on the allow list gets 403.
sock=$E2E_TMP/deny.sock
manager_start "$sock" 1 --status-path /-/status --status-allow 192.0.2.1
nginx_start "unix:$sock" || exit 1
wait_ok "$NGINX_BASE/ping" 20 || exit 1
check "status page refused to other clients" 403 '{"detail":"Forbidden"}' "$NGINX_BASE/-/status"
kill -TERM "$MANAGER_PID"
wait "$MANAGER_PID"
kill -TERM "$NGINX_PID"
wait "$NGINX_PID"

# 3. Dynamic pool 1:4: eight 1.5 s requests at once grow it to 4 workers; idle
# for 2 s after, it shrinks back to 1. Both read from the status page (read once a
# second only: a status request is work too, and keeps the worker it lands on busy).
: >"$E2E_TMP/manager.log"
sock=$E2E_TMP/pool.sock
FCGI_TEST_DELAY_MS=1500 FCGI_TEST_DELAY_PATH=/hello \
	manager_start "$sock" 1:4 --idle-timeout 2 --status-path /-/status --slow-request 1
nginx_start "unix:$sock" || exit 1
wait_ok "$NGINX_BASE/ping" 20 || exit 1
[ "$(pool_field total_workers)" = 1 ] && e2e_pass || e2e_fail "dynamic pool did not start with 1 worker"
loads=""
i=0
while [ $i -lt 8 ]; do
	curl -s -o "$E2E_TMP/hello$i.out" --max-time 20 -w '%{http_code}\n' "$NGINX_BASE/hello" >"$E2E_TMP/hello$i.code" &
	loads="$loads $!"
	i=$((i + 1))
done
peak=0
deadline=$(( $(date +%s) + 15 ))
while [ "$(date +%s)" -lt "$deadline" ] && [ "$peak" -lt 4 ]; do
	n=$(echo $(worker_pids "$MANAGER_PID") | wc -w)
	[ "$n" -gt "$peak" ] && peak=$n
	sleep 0.05
done
for p in $loads; do wait "$p"; done
ok=$(cat "$E2E_TMP"/hello*.code | grep -c '^200$')
grown=$(pool_field total_workers)
max_active=$(pool_field max_active_workers)
echo "fcgi-pool: 1:4 under eight 1.5 s requests: $peak workers at most, status page: $grown workers, max active $max_active; $ok of 8 answered 200"
[ "$ok" -eq 8 ] && e2e_pass || e2e_fail "dynamic pool: $ok of 8 slow requests answered 200"
[ "$peak" -eq 4 ] && [ "$grown" = 4 ] && [ "$max_active" = 4 ] && e2e_pass ||
	e2e_fail "dynamic pool did not grow to 4: peak $peak, status total $grown, max active $max_active"
t0=$(date +%s)
shrunk=""
while [ $(( $(date +%s) - t0 )) -lt 15 ]; do
	shrunk=$(pool_field total_workers)
	[ "$shrunk" = 1 ] && break
	sleep 1
done
echo "fcgi-pool: idle again: back to $shrunk worker(s) after $(( $(date +%s) - t0 )) s (--idle-timeout 2)"
[ "$shrunk" = 1 ] && e2e_pass || e2e_fail "dynamic pool did not shrink to 1: $shrunk"
grep -q 'idle for 2 s: retiring it' "$E2E_TMP/manager.log" && e2e_pass || e2e_fail "no retirement logged"
grep -q 'exited with status\|killed by signal' "$E2E_TMP/manager.log" && e2e_fail "a retired worker was reported as a failure: $(grep 'exited\|killed' "$E2E_TMP/manager.log" | head -2)" || e2e_pass

# 4. The slow log saw those requests, and the page counts them.
slow=$(pool_field slow_requests)
grep -q 'slow request: worker [0-9]* running GET /hello for [0-9]* ms' "$E2E_TMP/manager.log" && [ "${slow:-0}" -ge 1 ] &&
	e2e_pass || e2e_fail "slow log: page says ${slow:-?}, log: $(grep slow "$E2E_TMP/manager.log" | head -2)"

# 5. The text form from a shell, and a killed worker counted as a restart;
# --status against nothing, and against something that never answers.
"$BUILD/app.fcgi" --status "$sock" >"$E2E_TMP/status.txt"
rc=$?
[ "$rc" -eq 0 ] && grep -q '^workers: *[0-9]* active, [0-9]* idle, 1 total (min 1, max 4)' "$E2E_TMP/status.txt" &&
	grep -q "^$(worker_pids "$MANAGER_PID" | cut -d ' ' -f 1) " "$E2E_TMP/status.txt" && e2e_pass ||
	e2e_fail "app.fcgi --status: exit $rc: $(cat "$E2E_TMP/status.txt")"
set -- $(worker_pids "$MANAGER_PID")
kill -KILL "$1"
wait_ok "$NGINX_BASE/ping" 10
[ "$(pool_field restarts)" = 1 ] && e2e_pass || e2e_fail "restart not counted: $(pool_field restarts)"
"$BUILD/app.fcgi" --status "$E2E_TMP/nothing.sock" >/dev/null 2>&1
[ $? -eq 1 ] && e2e_pass || e2e_fail "app.fcgi --status on no manager did not exit 1"
# Something that accepts and never answers: --status gives up after 5 s.
python3 "$E2E_CLIENT" mute-server "$E2E_TMP/mute.sock" 10 >"$E2E_TMP/mute.txt" &
mute=$!
until grep -q up "$E2E_TMP/mute.txt"; do sleep 0.05; done
t0=$(date +%s)
"$BUILD/app.fcgi" --status "$E2E_TMP/mute.sock" >/dev/null 2>&1
rc=$?
[ "$rc" -eq 1 ] && [ $(( $(date +%s) - t0 )) -le 7 ] && e2e_pass || e2e_fail "--status on a mute server: exit $rc"
kill "$mute" 2>/dev/null
kill -TERM "$MANAGER_PID"
wait "$MANAGER_PID"
kill -TERM "$NGINX_PID"
wait "$NGINX_PID"

e2e_finish
