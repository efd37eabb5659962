#!/bin/sh
# System calls per request in a FastCGI worker, counted by strace -c: the
# kernel's share of a request, as repeatable as callgrind's instructions. The
# worker runs under lighttpd with lighttpd.conf (one worker), as in production;
# so does the bare libfcgi responder (bench/bare_fcgi.c) after it. For each,
# strace attaches to the warm worker, N GETs of PATH go over one keep-alive
# connection (each is one FastCGI connection between lighttpd and the worker),
# and every call is divided by N.
#
#   bench/syscalls.sh [BUILD_DIR]      (make bench-syscalls)
# Settings: SYSCALL_REQUESTS (2000), SYSCALL_PATH (/math/add?i=5&i=10).
# Prints "server syscall calls_per_request" lines and a total per server.
set -u
cd "$(dirname "$0")/.."
BUILD=${1:-${BUILD:-build}}
. tests/e2e/lib.sh
N=${SYSCALL_REQUESTS:-2000}
P=${SYSCALL_PATH:-/math/add?i=5&i=10}
BUILD_ABS=$(cd "$BUILD" && pwd)
E2E_TIMEOUT=${SYSCALL_TIMEOUT:-300}
e2e_start syscalls
[ -x "$BUILD_ABS/bench/bare_fcgi" ] || { echo "syscalls: no $BUILD/bench/bare_fcgi (make bench-tools)" >&2; exit 1; }

# count NAME BINARY: the worker's system calls per request.
count() {
	mkdir -p "$E2E_TMP/$1/docs"
	ln -sf "$2" "$E2E_TMP/$1/app.fcgi"
	_port=$(free_port)
	PORT=$_port BIND=127.0.0.1 APP_DIR=$E2E_TMP/$1 FCGI_PROCS=1 SOCKET_DIR=$E2E_TMP ACCESS_LOG= \
		EXECUTION_ENVIRONMENT= e2e_bg lighttpd -D -f lighttpd.conf 2>"$E2E_TMP/$1.log"
	_lighttpd=$!
	wait_http "http://127.0.0.1:$_port/" 20 || exit 1
	_worker=$(pgrep -P "$_lighttpd" | head -1)
	for _i in $(seq "$N"); do echo "url = \"http://127.0.0.1:$_port$P\""; echo "output = /dev/null"; done >"$E2E_TMP/urls"
	curl -s -o /dev/null "http://127.0.0.1:$_port$P"
	strace -f -c -o "$E2E_TMP/$1.strace" -p "$_worker" &
	_strace=$!
	sleep 0.5 # attached
	curl -s --max-time 120 -K "$E2E_TMP/urls"
	sleep 0.3
	kill -INT "$_strace"
	wait "$_strace" 2>/dev/null
	kill -INT "$_lighttpd"
	wait "$_lighttpd" 2>/dev/null
	# strace -c: % time, seconds, usecs/call, calls, [errors,] syscall. The odd
	# call (the timer thread, start-up) under 1 in 100 requests is left out.
	awk -v name="$1" -v n="$N" '$1 ~ /^[0-9.]+$/ && $NF != "total" && $4 / n >= 0.01 {
			printf "%s %s %.2f\n", name, $NF, $4 / n; sum += $4 / n }
		END { printf "%s total %.2f\n", name, sum }' "$E2E_TMP/$1.strace"
}

count app.fcgi "$BUILD_ABS/app.fcgi"
count bare "$BUILD_ABS/bench/bare_fcgi"
e2e_finish >/dev/null
