#!/bin/sh
# make-test: asan
# Faults, with the standalone manager (build/app.fcgi --listen): a worker killed
# under load, SIGTERM and SIGHUP while a request is in flight, bodies over the limit.
# A slow request is a real FastCGI client (cgi-fcgi, from libfcgi) whose request
# body arrives in two parts with a pause between them: the service itself has no
# test-only behaviour.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/spec_checks.sh"
. "$(dirname "$0")/fcgi_lib.sh"
e2e_start fcgi-faults

# slow_post ADDRESS OUT: a POST whose 6-byte body arrives in two halves, 1.5 s apart.
slow_post() {
	{ printf 'abc'; sleep 1.5; printf 'def'; } |
		fcgi_request "$1" "$2" REQUEST_METHOD=POST CONTENT_LENGTH=6 REQUEST_URI=/api/v1/users/
}

# wait_busy MANAGER: until one of its workers holds a connection besides the listening
# socket (it has accepted the slow request and is reading its body).
wait_busy() {
	_deadline=$(( $(date +%s) + 10 ))
	while [ "$(date +%s)" -lt "$_deadline" ]; do
		for _w in $(worker_pids "$1"); do
			[ "$(ls -l "/proc/$_w/fd" 2>/dev/null | grep -c 'socket:')" -ge 2 ] && return 0
		done
		sleep 0.05
	done
	e2e_fail "no worker took the slow request"
	return 1
}

# gone PIDS: waits (up to 10 s) until none of PIDS runs.
gone() {
	_deadline=$(( $(date +%s) + 10 ))
	for _p in $1; do
		while alive "$_p" && [ "$(date +%s)" -lt "$_deadline" ]; do sleep 0.05; done
	done
}

# all_ok N URL: N requests on one connection, every one a 200.
all_ok() {
	_urls=""
	_i=0
	while [ $_i -lt "$1" ]; do _urls="$_urls $2"; _i=$((_i + 1)); done
	# shellcheck disable=SC2086 # one word per URL
	curl -s --max-time 30 -w '\n@@ %{http_code}\n' $_urls | sed -n 's/^@@ //p' | sort | uniq -c | tr -s ' ' | sed 's/^ //'
}

# 1. SIGKILL a worker under load: it is replaced, and no later request fails.
fport=$(free_port)
manager_start "127.0.0.1:$fport" 2
nginx_start "127.0.0.1:$fport" || exit 1
wait_ok "$NGINX_BASE/ping" 20 || exit 1
before=$(worker_pids "$MANAGER_PID")
wrk -t 1 -c 4 -d 3s "$NGINX_BASE/math/add?i=5&i=10" >"$E2E_TMP/wrk.txt" 2>&1 &
wrk_pid=$!
sleep 1
victim=${before%% *}
# Frozen first, so that what it holds can be counted: every connection it has
# accepted (sockets besides the listening one) fails with it, and nothing else may.
kill -STOP "$victim"
held=$(( $(ls -l "/proc/$victim/fd" 2>/dev/null | grep -c 'socket:') - 1 ))
[ "$held" -ge 1 ] || held=1
kill -KILL "$victim"
wait "$wrk_pid"
sleep 0.2
after=$(worker_pids "$MANAGER_PID")
# Failed: answers other than 2xx/3xx, and any socket error or timeout wrk saw.
during=$(awk '/Non-2xx or 3xx responses:/ {n += $NF}
	/Socket errors:/ {gsub(",", ""); n += $4 + $6 + $8 + $10} END {print n + 0}' "$E2E_TMP/wrk.txt")
total=$(sed -n 's/^ *\([0-9]*\) requests in.*/\1/p' "$E2E_TMP/wrk.txt")
# The killed worker's own: one failed request per connection it held (the one in
# hand, and any it had accepted whose request was still on its way).
echo "fcgi-faults: SIGKILL under load: $total requests, ${during:-0} failed (at most the killed worker's own: $held connections)"
[ "${during:-0}" -le "$held" ] && [ "${total:-0}" -gt 100 ] && e2e_pass || e2e_fail "SIGKILL under load: $(cat "$E2E_TMP/wrk.txt")"
case " $after " in
*" $victim "*) e2e_fail "killed worker $victim still listed" ;;
*) [ "$(echo $after | wc -w)" -eq 2 ] && e2e_pass || e2e_fail "after SIGKILL: workers '$after', wanted 2" ;;
esac
grep -q "worker $victim killed by signal 9; starting a new one" "$E2E_TMP/manager.log" && e2e_pass ||
	e2e_fail "manager did not report the killed worker"
got=$(all_ok 300 "$NGINX_BASE/math/add?i=5&i=10")
[ "$got" = "300 200" ] && e2e_pass || e2e_fail "requests after the SIGKILL: $got"

# 2. SIGHUP while a request is in flight: new workers take over, the old one finishes it.
slow_post "127.0.0.1:$fport" "$E2E_TMP/hup.out" &
slow=$!
wait_busy "$MANAGER_PID"
old=$(worker_pids "$MANAGER_PID")
kill -HUP "$MANAGER_PID"
sleep 0.3
got=$(all_ok 50 "$NGINX_BASE/ping")
[ "$got" = "50 200" ] && e2e_pass || e2e_fail "requests during SIGHUP replacement: $got"
wait "$slow"
[ "$(status_of "$E2E_TMP/hup.out")" = 200 ] && grep -q '{"Success":"All users!"}' "$E2E_TMP/hup.out" && e2e_pass ||
	e2e_fail "request in flight across SIGHUP: $(cat "$E2E_TMP/hup.out")"
gone "$old"
new=$(worker_pids "$MANAGER_PID")
stale=""
for w in $old; do case " $new " in *" $w "*) stale="$stale $w" ;; esac; done
[ -z "$stale" ] && [ "$(echo $new | wc -w)" -eq 2 ] && e2e_pass || e2e_fail "after SIGHUP: old '$old', now '$new'"
kill -TERM "$MANAGER_PID"
wait "$MANAGER_PID"
[ $? -eq 0 ] && e2e_pass || e2e_fail "manager exit status after SIGHUP and SIGTERM"
kill -TERM "$NGINX_PID"
wait "$NGINX_PID"

# 3. SIGTERM while a request is in flight: it completes; a client connecting to
# the TCP socket after the SIGTERM is not taken into the backlog (its SYN is
# dropped until the port closes: refused, never accepted and then reset, issue
# 20); exit 0.
fport=$(free_port)
manager_start "127.0.0.1:$fport" 1
wait_fcgi "127.0.0.1:$fport" || exit 1
slow_post "127.0.0.1:$fport" "$E2E_TMP/term.out" &
slow=$!
wait_busy "$MANAGER_PID"
kill -TERM "$MANAGER_PID"
sleep 0.3
alive "$MANAGER_PID" && e2e_pass || e2e_fail "manager exited before its request in flight was done"
fcgi_request "127.0.0.1:$fport" "$E2E_TMP/late.out" REQUEST_URI=/ping </dev/null
grep -q 'Could not connect' "$E2E_TMP/late.out" && e2e_pass ||
	e2e_fail "a client connecting after SIGTERM was not refused: $(cat "$E2E_TMP/late.out")"
wait "$slow"
[ "$(status_of "$E2E_TMP/term.out")" = 200 ] && grep -q '{"Success":"All users!"}' "$E2E_TMP/term.out" && e2e_pass ||
	e2e_fail "request in flight across SIGTERM: $(cat "$E2E_TMP/term.out")"
wait "$MANAGER_PID"
rc=$?
[ "$rc" -eq 0 ] && e2e_pass || e2e_fail "manager exited $rc after SIGTERM"

# 4. Bodies over the limit: 413 straight after the parameters, without reading (or
# keeping) the body, and the same worker keeps serving.
fport=$(free_port)
manager_start "127.0.0.1:$fport" 1
wait_fcgi "127.0.0.1:$fport" || exit 1
worker=$(worker_pids "$MANAGER_PID")
peak_before=$(awk '/^VmHWM:/ {print $2}' "/proc/$worker/status")
head -c 100000000 /dev/zero |
	fcgi_request "127.0.0.1:$fport" "$E2E_TMP/big.out" REQUEST_METHOD=POST CONTENT_LENGTH=100000000 REQUEST_URI=/api/v1/users/
[ "$(status_of "$E2E_TMP/big.out")" = 413 ] &&
	grep -q '{"detail":"Request body too large (limit 200000 bytes)"}' "$E2E_TMP/big.out" && e2e_pass ||
	e2e_fail "100 MB body: $(head -c 300 "$E2E_TMP/big.out")"
peak_after=$(awk '/^VmHWM:/ {print $2}' "/proc/$worker/status")
echo "fcgi-faults: worker peak RSS ${peak_before} KiB before a 100 MB body, ${peak_after} KiB after"
[ $((peak_after - peak_before)) -lt 1024 ] && e2e_pass || e2e_fail "worker memory grew with the refused body"
# A body that claims less than it sends: only the declared bytes are read.
head -c 5000 /dev/zero |
	fcgi_request "127.0.0.1:$fport" "$E2E_TMP/more.out" REQUEST_METHOD=POST CONTENT_LENGTH=10 REQUEST_URI=/api/v1/users/
[ "$(status_of "$E2E_TMP/more.out")" = 200 ] && e2e_pass || e2e_fail "body longer than declared: $(cat "$E2E_TMP/more.out")"
# And one that sends less than it claims: a 400, not a hang.
printf 'abc' |
	fcgi_request "127.0.0.1:$fport" "$E2E_TMP/short.out" REQUEST_METHOD=POST CONTENT_LENGTH=10 REQUEST_URI=/api/v1/users/
[ "$(status_of "$E2E_TMP/short.out")" = 400 ] && e2e_pass || e2e_fail "body shorter than declared: $(cat "$E2E_TMP/short.out")"
fcgi_request "127.0.0.1:$fport" "$E2E_TMP/after.out" REQUEST_URI=/ping </dev/null
[ "$(status_of "$E2E_TMP/after.out")" = 200 ] && [ "$(worker_pids "$MANAGER_PID")" = "$worker" ] && e2e_pass ||
	e2e_fail "the worker did not keep serving after the 413"
kill -TERM "$MANAGER_PID"
wait "$MANAGER_PID"

# 5. SIGTERM with connections waiting in the listen backlog (unix socket, one busy
# worker): every one of them is served, none is reset.
: >"$E2E_TMP/manager.log"
sock=$E2E_TMP/backlog.sock
manager_start "$sock" 1
wait_fcgi "$sock" || exit 1
slow_post "$sock" "$E2E_TMP/busy.out" &
slow=$!
wait_busy "$MANAGER_PID"
queued=""
i=0
while [ $i -lt 20 ]; do
	fcgi_request "$sock" "$E2E_TMP/queued$i.out" REQUEST_URI=/ping </dev/null &
	queued="$queued $!"
	i=$((i + 1))
done
sleep 0.3
kill -TERM "$MANAGER_PID"
wait "$slow"
for p in $queued; do wait "$p"; done
served=$(cat "$E2E_TMP"/queued*.out | grep -c '{"Success":"Pong!"}')
wait "$MANAGER_PID"
rc=$?
echo "fcgi-faults: SIGTERM with 20 connections in the backlog: $served of 20 served, exit $rc"
[ "$served" -eq 20 ] && [ "$rc" -eq 0 ] && e2e_pass || e2e_fail "backlog on SIGTERM: $served of 20 served, exit $rc"

# stalled_post ADDRESS OUT SECONDS: a POST that sends 3 of its 6 body bytes, then
# nothing for SECONDS.
stalled_post() {
	{ printf 'abc'; sleep "$3"; } |
		fcgi_request "$1" "$2" REQUEST_METHOD=POST CONTENT_LENGTH=6 REQUEST_URI=/api/v1/users/
}

# 6. --read-timeout: a client that stalls mid-body loses its connection after the
# timeout and the (only) worker serves the next client.
: >"$E2E_TMP/manager.log"
sock=$E2E_TMP/read.sock
manager_start "$sock" 1 --read-timeout 1
wait_fcgi "$sock" || exit 1
stalled_post "$sock" "$E2E_TMP/stalled.out" 8 &
stalled=$!
wait_busy "$MANAGER_PID"
t0=$(date +%s%N)
fcgi_request "$sock" "$E2E_TMP/next.out" REQUEST_URI=/ping </dev/null
ms=$(( ($(date +%s%N) - t0) / 1000000 ))
echo "fcgi-faults: --read-timeout 1 with a stalled body: next client answered after $ms ms"
[ "$(status_of "$E2E_TMP/next.out")" = 200 ] && [ "$ms" -lt 2500 ] && e2e_pass ||
	e2e_fail "read timeout: next client after $ms ms: $(cat "$E2E_TMP/next.out")"
grep -q "request input stalled for 1 s; connection closed" "$E2E_TMP/manager.log" && e2e_pass ||
	e2e_fail "read timeout not logged: $(tail -3 "$E2E_TMP/manager.log")"
kill "$stalled" 2>/dev/null
# A manager killed outright: its worker, stuck on a stalled body, is gone
# within the read timeout (it gets SIGTERM when its parent dies).
stalled_post "$sock" "$E2E_TMP/stalled2.out" 8 &
stalled=$!
wait_busy "$MANAGER_PID"
worker=$(worker_pids "$MANAGER_PID")
kill -KILL "$MANAGER_PID"
wait "$MANAGER_PID" 2>/dev/null
sleep 2
alive "$worker" && e2e_fail "worker $worker outlived its killed manager" || e2e_pass
kill "$stalled" 2>/dev/null

# 7. --shutdown-timeout: after SIGTERM a stalled request gets that long, then its
# worker is killed, named in the log, and the manager exits 1.
: >"$E2E_TMP/manager.log"
sock=$E2E_TMP/deadline.sock
manager_start "$sock" 1 --shutdown-timeout 1 --read-timeout 30
wait_fcgi "$sock" || exit 1
stalled_post "$sock" "$E2E_TMP/stalled3.out" 8 &
stalled=$!
wait_busy "$MANAGER_PID"
worker=$(worker_pids "$MANAGER_PID")
t0=$(date +%s%N)
kill -TERM "$MANAGER_PID"
wait "$MANAGER_PID"
rc=$?
ms=$(( ($(date +%s%N) - t0) / 1000000 ))
echo "fcgi-faults: --shutdown-timeout 1 with a stalled body: manager exited $rc after $ms ms"
[ "$rc" -eq 1 ] && [ "$ms" -lt 2500 ] && ! alive "$worker" && e2e_pass ||
	e2e_fail "shutdown timeout: exit $rc after $ms ms, worker $worker $(alive "$worker" && echo alive)"
grep -q "shutdown timeout (1 s): killing worker $worker" "$E2E_TMP/manager.log" && e2e_pass ||
	e2e_fail "shutdown timeout not logged: $(tail -3 "$E2E_TMP/manager.log")"
kill "$stalled" 2>/dev/null

# 8. Slowloris: 64 connections that send nothing, against 4 workers behind nginx:
# every other client is still served within a second.
fport=$(free_port)
manager_start "127.0.0.1:$fport" 4
nginx_start "127.0.0.1:$fport" || exit 1
wait_ok "$NGINX_BASE/ping" 20 || exit 1
python3 "$E2E_CLIENT" hold-connections "127.0.0.1:$fport" 64 6 >"$E2E_TMP/idle.txt" &
idle=$!
until grep -q open "$E2E_TMP/idle.txt"; do sleep 0.05; done
sleep 0.3
slow=0
i=0
while [ $i -lt 20 ]; do
	code=$(curl -s -o /dev/null --max-time 1 -w '%{http_code}' "$NGINX_BASE/ping")
	[ "$code" = 200 ] || slow=$((slow + 1))
	i=$((i + 1))
done
echo "fcgi-faults: 64 idle connections against 4 workers: $slow of 20 requests not answered within 1 s"
[ "$slow" -eq 0 ] && e2e_pass || e2e_fail "slowloris: $slow of 20 requests not answered within 1 s"
kill "$idle" 2>/dev/null
wait "$idle" 2>/dev/null
kill -TERM "$MANAGER_PID"
wait "$MANAGER_PID"
kill -TERM "$NGINX_PID"
wait "$NGINX_PID"

# 9. nginx keeping its FastCGI connections (fastcgi_keep_conn) under POST load:
# no request is lost (a worker used to close a kept connection nginx was sending
# on), and a refused body does not spoil the next request on its connection.
fport=$(free_port)
manager_start "127.0.0.1:$fport" 2
NGINX_KEEP_CONN=1 nginx_start "127.0.0.1:$fport" || exit 1
wait_ok "$NGINX_BASE/ping" 20 || exit 1
wrk_start 4 16 "$NGINX_BASE/api/v1/users/" -s "$(wrk_post_script)"
wait "$WRK_PID"
wrk_counts
echo "fcgi-faults: keep-conn POST load: $SENT sent, $FAILED failed"
[ "$FAILED" -eq 0 ] && [ "$SENT" -gt 1000 ] && e2e_pass || e2e_fail "keep-conn POSTs: $(cat "$E2E_TMP/wrk.txt")"
head -c 300000 /dev/zero >"$E2E_TMP/big.body"
bad=0
i=0
while [ $i -lt 20 ]; do
	c1=$(curl -s -o /dev/null -w '%{http_code}' --max-time 5 --data-binary "@$E2E_TMP/big.body" "$NGINX_BASE/api/v1/users/")
	c2=$(curl -s -o /dev/null -w '%{http_code}' --max-time 5 --data 'x=1' "$NGINX_BASE/api/v1/users/")
	[ "$c1" = 413 ] && [ "$c2" = 200 ] || bad=$((bad + 1))
	i=$((i + 1))
done
[ "$bad" -eq 0 ] && e2e_pass || e2e_fail "keep-conn: $bad of 20 refused bodies spoiled a request"
kill -TERM "$MANAGER_PID"
wait "$MANAGER_PID"
kill -TERM "$NGINX_PID"
wait "$NGINX_PID"

e2e_finish
