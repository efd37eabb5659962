#!/bin/sh
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
kill -KILL "$victim"
wait "$wrk_pid"
sleep 0.2
after=$(worker_pids "$MANAGER_PID")
# Failed: answers other than 2xx/3xx, and any socket error or timeout wrk saw.
during=$(awk '/Non-2xx or 3xx responses:/ {n += $NF}
	/Socket errors:/ {gsub(",", ""); n += $4 + $6 + $8 + $10} END {print n + 0}' "$E2E_TMP/wrk.txt")
total=$(sed -n 's/^ *\([0-9]*\) requests in.*/\1/p' "$E2E_TMP/wrk.txt")
echo "fcgi-faults: SIGKILL under load: $total requests, ${during:-0} failed (at most the killed worker's own)"
[ "${during:-0}" -le 1 ] && [ "${total:-0}" -gt 100 ] && e2e_pass || e2e_fail "SIGKILL under load: $(cat "$E2E_TMP/wrk.txt")"
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

# 3. SIGTERM while a request is in flight: it completes, nothing new is served, exit 0.
fport=$(free_port)
manager_start "127.0.0.1:$fport" 1
until fcgi_request "127.0.0.1:$fport" "$E2E_TMP/up.out" REQUEST_URI=/ping </dev/null; do sleep 0.1; done
slow_post "127.0.0.1:$fport" "$E2E_TMP/term.out" &
slow=$!
wait_busy "$MANAGER_PID"
kill -TERM "$MANAGER_PID"
sleep 0.3
alive "$MANAGER_PID" && e2e_pass || e2e_fail "manager exited before its request in flight was done"
fcgi_request "127.0.0.1:$fport" "$E2E_TMP/late.out" REQUEST_URI=/ping </dev/null
[ "$(status_of "$E2E_TMP/late.out")" != 200 ] && e2e_pass || e2e_fail "a request arriving after SIGTERM was served"
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
until fcgi_request "127.0.0.1:$fport" "$E2E_TMP/up.out" REQUEST_URI=/ping </dev/null; do sleep 0.1; done
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

e2e_finish
