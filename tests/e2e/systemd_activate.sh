#!/bin/sh
# Socket activation without systemd: systemd-socket-activate binds the socket
# (unix, then TCP) and execs app.fcgi --listen with LISTEN_FDS=1, as the
# socket unit does; every SPEC request goes through a real nginx to it. Then
# the hostile cases: LISTEN_FDS meant for another process (ignored: the
# manager binds its own address), two sockets, a datagram socket (refused).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/spec_checks.sh"
. "$(dirname "$0")/fcgi_lib.sh"
E2E_TIMEOUT=${E2E_TIMEOUT:-240}
e2e_start systemd-activate

# activated NAME ADDRESS: the manager exec'd by systemd-socket-activate on
# ADDRESS, behind nginx, answers the SPEC requests; it says it took the socket;
# on SIGTERM it exits 0 and leaves the socket (systemd's) where it was.
activated() {
	: >"$E2E_TMP/manager.log"
	# Like systemd, systemd-socket-activate passes only the variables named (-E).
	e2e_bg systemd-socket-activate -E APP_MAX_BODY_BYTES -E EXECUTION_ENVIRONMENT -l "$2" -- "$FCGI_BIN" --listen "$2" --workers 2 2>>"$E2E_TMP/manager.log"
	_pid=$!
	case $2 in /*) nginx_start "unix:$2" ;; *) nginx_start "$2" ;; esac || return 1
	wait_ok "$NGINX_BASE/ping" 20 || return 1
	grep -q "socket activation: using the socket systemd passed" "$E2E_TMP/manager.log" && e2e_pass ||
		e2e_fail "$1: the manager did not take the passed socket: $(tail -3 "$E2E_TMP/manager.log")"
	spec_checks "$NGINX_BASE" fcgi
	kill -TERM "$_pid"
	wait "$_pid"
	_rc=$?
	[ "$_rc" -eq 0 ] && e2e_pass || e2e_fail "$1: exit $_rc on SIGTERM: $(tail -3 "$E2E_TMP/manager.log")"
	case $2 in /*) [ -S "$2" ] && e2e_pass || e2e_fail "$1: the manager removed systemd's socket file" ;; esac
	kill -TERM "$NGINX_PID"
	wait "$NGINX_PID"
}

activated unix "$E2E_TMP/activated.sock"
activated tcp "127.0.0.1:$(free_port)"

# LISTEN_PID names another process (pid 1): the variables are not ours, so the
# manager binds --listen itself (fd 3 is not even open: taking it would fail).
sock=$E2E_TMP/own.sock
: >"$E2E_TMP/manager.log"
e2e_bg env LISTEN_FDS=1 LISTEN_PID=1 "$FCGI_BIN" --listen "$sock" --workers 1 2>>"$E2E_TMP/manager.log"
pid=$!
wait_fcgi "$sock" && e2e_pass
grep -q "socket activation" "$E2E_TMP/manager.log" &&
	e2e_fail "LISTEN_PID=1: took a socket meant for another process: $(cat "$E2E_TMP/manager.log")"
kill -TERM "$pid"
wait "$pid"

# refused NAME WHY ACTIVATE-FLAGS...: the activated manager exits 1 at once,
# saying WHY, and serves nothing.
refused() {
	_name=$1 _why=$2
	shift 2
	_out=$E2E_TMP/refused.log
	_p=$(free_port)
	systemd-socket-activate "$@" -l "127.0.0.1:$_p" -- "$FCGI_BIN" --listen "127.0.0.1:$_p" --workers 1 \
		>"$_out" 2>&1 &
	_pid=$!
	# A client makes it exec the manager (a datagram for -d; a connection otherwise).
	python3 -c 'import socket,sys; s=socket.socket(type=socket.SOCK_DGRAM if sys.argv[2]=="d" else socket.SOCK_STREAM)
try:
    s.connect(("127.0.0.1", int(sys.argv[1]))); s.send(b"x")
except OSError: pass' "$_p" "$( [ "${1:-}" = -d ] && echo d || echo s)"
	_deadline=$(( $(date +%s) + 15 ))
	while kill -0 "$_pid" 2>/dev/null && [ "$(date +%s)" -lt "$_deadline" ]; do sleep 0.1; done
	if kill -0 "$_pid" 2>/dev/null; then
		e2e_fail "$_name: still running (should refuse): $(tail -3 "$_out")"
		kill -KILL "$_pid"
	fi
	wait "$_pid"
	_rc=$?
	[ "$_rc" -eq 1 ] && grep -q "$_why" "$_out" && e2e_pass ||
		e2e_fail "$_name: exit $_rc, wanted 1 and '$_why': $(tail -3 "$_out")"
}

refused "two sockets" "one listening stream socket expected" -l "127.0.0.1:$(free_port)"
refused "a datagram socket" "is not a listening stream socket" -d

e2e_finish
