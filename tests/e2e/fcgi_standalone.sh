#!/bin/sh
# make-test: asan valgrind=FCGI_WRAPPER
# End to end: build/app.fcgi --listen (its own pre-fork manager, two workers) on a
# TCP port and on a unix socket, each behind a real nginx, checked with curl.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/spec_checks.sh"
. "$(dirname "$0")/fcgi_lib.sh"
e2e_start fcgi-standalone

# stop_manager: SIGTERM, then the manager must exit 0 with no worker left behind.
stop_manager() {
	_workers=$(worker_pids "$MANAGER_PID")
	kill -TERM "$MANAGER_PID"
	wait "$MANAGER_PID"
	_rc=$?
	[ "$_rc" -eq 0 ] && e2e_pass || e2e_fail "$1: manager exited $_rc on SIGTERM: $(tail -5 "$E2E_TMP/manager.log")"
	for _w in $_workers; do
		alive "$_w" && e2e_fail "$1: worker $_w outlived the manager"
	done
}

# 1. TCP.
fport=$(free_port)
manager_start "127.0.0.1:$fport" 2
nginx_start "127.0.0.1:$fport" || exit 1
wait_ok "$NGINX_BASE/ping" 20 || exit 1
n=$(echo $(worker_pids "$MANAGER_PID") | wc -w)
[ "$n" -eq 2 ] && e2e_pass || e2e_fail "tcp: expected 2 workers, found $n"
spec_checks "$NGINX_BASE" fcgi
stop_manager tcp
kill -TERM "$NGINX_PID"
wait "$NGINX_PID"

# 2. Unix socket (removed again when the manager stops).
sock=$E2E_TMP/app.sock
manager_start "$sock" 2
nginx_start "unix:$sock" || exit 1
wait_ok "$NGINX_BASE/ping" 20 || exit 1
spec_checks "$NGINX_BASE" fcgi
stop_manager unix
[ ! -e "$sock" ] && e2e_pass || e2e_fail "unix socket left behind"

# 3. nginx keeping its FastCGI connections open between requests (FCGI_KEEP_CONN):
# the workers serve request after request on one connection, and still take new ones.
fport=$(free_port)
manager_start "127.0.0.1:$fport" 2
NGINX_KEEP_CONN=1 nginx_start "127.0.0.1:$fport" || exit 1
wait_ok "$NGINX_BASE/ping" 20 || exit 1
spec_checks "$NGINX_BASE" fcgi
kept=$(ss -Htn state established "( sport = :$fport )" | wc -l)
[ "$kept" -ge 1 ] && e2e_pass || e2e_fail "keep-conn: no FastCGI connection left open between requests"
stop_manager keep-conn
kill -TERM "$NGINX_PID"
wait "$NGINX_PID"

# 4. IPv6 loopback, where the machine has it: "[::1]:PORT".
if e2e_client has-ipv6 2>/dev/null; then
	fport=$(free_port)
	manager_start "[::1]:$fport" 1
	nginx_start "[::1]:$fport" || exit 1
	wait_ok "$NGINX_BASE/ping" 20 || exit 1
	check "ipv6 add" 200 '15' "$NGINX_BASE/math/add?i=5&i=10"
	stop_manager ipv6
	kill -TERM "$NGINX_PID"
	wait "$NGINX_PID"
else
	echo "fcgi-standalone: no IPv6 loopback here; [::1] not checked"
fi

# Usage errors are reported, not guessed at.
for args in "--workers 2" "--listen" "--listen 127.0.0.1:1 --workers 0" "--bogus"; do
	# shellcheck disable=SC2086 # one word per argument
	"$BUILD/app.fcgi" $args >/dev/null 2>&1
	[ $? -eq 2 ] && e2e_pass || e2e_fail "app.fcgi $args did not exit 2"
done
"$BUILD/app.fcgi" </dev/null >/dev/null 2>&1
[ $? -eq 2 ] && e2e_pass || e2e_fail "app.fcgi without a socket on fd 0 did not exit 2"
touch "$E2E_TMP/file"
"$BUILD/app.fcgi" --listen "$E2E_TMP/file" >/dev/null 2>&1
[ $? -eq 1 ] && [ -f "$E2E_TMP/file" ] && e2e_pass || e2e_fail "--listen over a regular file"

e2e_finish
