#!/bin/sh
# make-test: asan
# Hostile cases of a streamed FastCGI answer (app/http/stream.h) that
# fcgi_stream.sh does not cover, through real nginx (deploy/nginx.conf, with and
# without fastcgi_keep_conn) and lighttpd (the shipped lighttpd.conf), with the
# test-only route GET /__test/stream of the test-hooks build, which holds its
# producer before each piece until this test creates a file:
# - --request-timeout firing while the producer is held after the first piece:
#   the client must see the answer cut (curl 18, no last chunk), never a clean
#   end; and the next requests (on nginx's kept FastCGI connection too) are
#   served. The producer is held inside the window (the worker cannot reach
#   the end of the answer before the timeout), so no timing decides the outcome.
# - SIGTERM to the manager while a stream is held, past --shutdown-timeout:
#   the stream must end cut (curl 18), not with nginx's last chunk after the
#   worker is killed; the manager still exits 1 and says so.
# What held, checked so it keeps holding: a stream that ends within the
# shutdown timeout after SIGTERM, or while SIGHUP replaces the workers (a new
# worker answers meanwhile), arrives whole; a client gone mid-stream behind
# nginx with fastcgi_keep_conn leaves the worker serving the next requests.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/fcgi_lib.sh"
e2e_start fcgi-stream-hostile

HOOKS=${HOOKS_BIN:-$BUILD/test-hooks/app.fcgi}
[ -x "$HOOKS" ] || { e2e_fail "no $HOOKS (make test-hooks)"; e2e_finish; exit 1; }
LOOPS=${STREAM_HOSTILE_LOOPS:-3}

# timed_out FRONT BASE: LOOPS streams held after their first piece until the
# request timeout replaces the worker; each must end cut, and a ping follow.
timed_out() {
	_bad=0
	for _i in $(seq 1 "$LOOPS"); do
		_d=$E2E_TMP/$1-timeout-$_i
		mkdir -p "$_d"
		# go1 is never created: the producer waits (up to 60 s) past the 2 s timeout.
		curl -sN --max-time 30 -o "$_d/body" "$2/__test/stream?dir=$_d&pieces=3"
		_rc=$?
		if [ "$_rc" -ne 18 ] || [ "$(cat "$_d/body")" != "piece 0" ]; then
			_bad=$((_bad + 1))
			echo "$1: loop $_i: a stream cut by the request timeout ended with curl $_rc, body '$(cat "$_d/body")'" >&2
		fi
		_p=$(curl -s --max-time 10 "$2/ping")
		[ "$_p" = '{"Success":"Pong!"}' ] || { _bad=$((_bad + 1)); echo "$1: loop $_i: ping after the timeout: '$_p'" >&2; }
	done
	if [ "$_bad" -eq 0 ]; then e2e_pass; else e2e_fail "$1: $_bad of $LOOPS timed-out streams looked complete or broke the next request"; fi
}

# sizes FRONT BASE: pieces one short of, at and one past a FastCGI record's
# 65535 bytes (and two records' worth) arrive whole: each piece's letter
# repeated exactly its size, in order.
sizes() {
	for _s in 65535 65536 65537 131071 131072; do
		_got=$(curl -s --max-time 30 "$2/__test/stream?pieces=3&size=$_s" | od -An -v -c | tr -s ' \n' '\n\n' | uniq -c |
			awk 'NF == 2 { printf "%s%s ", $2, $1 }')
		[ "$_got" = "a$_s b$_s c$_s " ] && e2e_pass || e2e_fail "$1: 3 pieces of $_s bytes: $_got"
	done
}

# ---- nginx (deploy/nginx.conf) in front of the manager with --request-timeout 2 ----
FCGI_BIN=$HOOKS
sock=$E2E_TMP/fcgi.sock
manager_start "$sock" 1 --request-timeout 2
wait_fcgi "$sock" || { e2e_finish; exit 1; }
nginx_start "unix:$sock" || { e2e_finish; exit 1; }
wait_http "$NGINX_BASE/ping" || { e2e_finish; exit 1; }
sizes nginx "$NGINX_BASE"
timed_out nginx "$NGINX_BASE"
kill "$NGINX_PID"
wait "$NGINX_PID" 2>/dev/null
NGINX_KEEP_CONN=1 nginx_start "unix:$sock" || { e2e_finish; exit 1; }
wait_http "$NGINX_BASE/ping" || { e2e_finish; exit 1; }
timed_out nginx-keep "$NGINX_BASE"

# A client gone between two pieces, behind nginx keeping its connections.
_d=$E2E_TMP/keep-gone
mkdir -p "$_d"
curl -sN --max-time 30 -o "$_d/body" "$NGINX_BASE/__test/stream?dir=$_d&pieces=3" &
_curl=$!
wait_text "$_d/body" "piece 0" || e2e_fail "nginx-keep gone: the first piece never came"
kill "$_curl"
wait "$_curl" 2>/dev/null
: >"$_d/go1"
: >"$_d/go2"
if wait_text "$E2E_TMP/manager.log" '"query":"dir='"$_d"; then e2e_pass; else e2e_fail "nginx-keep gone: no access line"; fi
for _i in 1 2 3; do
	_p=$(curl -s --max-time 10 "$NGINX_BASE/ping")
	[ "$_p" = '{"Success":"Pong!"}' ] && e2e_pass || e2e_fail "nginx-keep gone: ping $_i: '$_p'"
done
_n=$(grep -c 'request timed out after 2 s: GET /__test/stream' "$E2E_TMP/manager.log")
[ "$_n" = $((LOOPS * 2)) ] && e2e_pass || e2e_fail "nginx: $_n request timeouts in the log, expected $((LOOPS * 2))"
kill "$NGINX_PID" "$MANAGER_PID"
wait "$NGINX_PID" "$MANAGER_PID" 2>/dev/null

# stopped: LOOPS managers (--shutdown-timeout 1) stopped while a stream is held
# after its first piece (go1 never comes, so it cannot finish in time).
stopped() {
	_bad=0
	for _i in $(seq 1 "$LOOPS"); do
		: >"$E2E_TMP/manager.log"
		sock=$E2E_TMP/stop-$_i.sock
		manager_start "$sock" 1 --shutdown-timeout 1
		wait_fcgi "$sock" || { e2e_finish; exit 1; }
		nginx_start "unix:$sock" || { e2e_finish; exit 1; }
		wait_http "$NGINX_BASE/ping" || { e2e_finish; exit 1; }
		_d=$E2E_TMP/stop-$_i
		mkdir -p "$_d"
		curl -sN --max-time 30 -o "$_d/body" "$NGINX_BASE/__test/stream?dir=$_d&pieces=3" &
		_curl=$!
		wait_text "$_d/body" "piece 0" || echo "stop: loop $_i: the first piece never came" >&2
		kill -TERM "$MANAGER_PID"
		wait "$MANAGER_PID"
		_mrc=$?
		wait "$_curl"
		_rc=$?
		if [ "$_rc" -ne 18 ] || [ "$(cat "$_d/body")" != "piece 0" ] || [ "$_mrc" -ne 1 ] ||
			! grep -q 'shutdown timeout: streamed answer cut: GET /__test/stream' "$E2E_TMP/manager.log"; then
			_bad=$((_bad + 1))
			echo "stop: loop $_i: curl $_rc, body '$(cat "$_d/body")', manager exit $_mrc, log: $(tail -2 "$E2E_TMP/manager.log")" >&2
		fi
		kill "$NGINX_PID"
		wait "$NGINX_PID" 2>/dev/null
	done
	if [ "$_bad" -eq 0 ]; then e2e_pass; else e2e_fail "stop: $_bad of $LOOPS streams stopped by --shutdown-timeout looked complete"; fi
}
stopped

# whole SIGNAL: a stream held after its first piece while the manager gets
# SIGNAL, then let go: it must arrive whole (curl 0) within the shutdown timeout.
whole() {
	: >"$E2E_TMP/manager.log"
	sock=$E2E_TMP/whole-$1.sock
	manager_start "$sock" 1 --shutdown-timeout 30
	wait_fcgi "$sock" || { e2e_finish; exit 1; }
	nginx_start "unix:$sock" || { e2e_finish; exit 1; }
	wait_http "$NGINX_BASE/ping" || { e2e_finish; exit 1; }
	_d=$E2E_TMP/whole-$1
	mkdir -p "$_d"
	curl -sN --max-time 30 -o "$_d/body" "$NGINX_BASE/__test/stream?dir=$_d&pieces=3" &
	_curl=$!
	wait_text "$_d/body" "piece 0" || e2e_fail "$1: the first piece never came"
	kill -"$1" "$MANAGER_PID"
	if [ "$1" = HUP ]; then
		# The new worker answers while the old one still holds the stream.
		wait_text "$E2E_TMP/manager.log" 'SIGHUP: starting 1 new workers'
		_p=$(curl -s --max-time 10 "$NGINX_BASE/ping")
		[ "$_p" = '{"Success":"Pong!"}' ] && [ ! -e "$_d/wrote1" ] && e2e_pass || e2e_fail "HUP: ping during the stream: '$_p'"
	fi
	: >"$_d/go1"
	: >"$_d/go2"
	wait "$_curl"
	_rc=$?
	_want=$(printf 'piece 0\npiece 1\npiece 2\nx')
	_got=$(cat "$_d/body"; echo x)
	[ "$_rc" -eq 0 ] && [ "$_got" = "$_want" ] && e2e_pass || e2e_fail "$1 mid-stream: curl $_rc, body '$_got'"
	kill "$MANAGER_PID" 2>/dev/null
	wait "$MANAGER_PID"
	_mrc=$?
	[ "$_mrc" -eq 0 ] && e2e_pass || e2e_fail "$1 mid-stream: manager exit $_mrc: $(tail -3 "$E2E_TMP/manager.log")"
	kill "$NGINX_PID"
	wait "$NGINX_PID" 2>/dev/null
}
whole TERM
whole HUP

# ---- lighttpd (lighttpd.conf), app.fcgi spawned by it with FCGI_REQUEST_TIMEOUT=2 ----
app=$E2E_TMP/app
mkdir -p "$app/docs"
ln -s "$(cd "$(dirname "$HOOKS")" && pwd)/$(basename "$HOOKS")" "$app/app.fcgi"
ln -s "$(cd "$BUILD" && pwd)/errors" "$app/errors"
port=$(free_port)
FCGI_REQUEST_TIMEOUT=2 PORT=$port BIND=127.0.0.1 APP_DIR=$app FCGI_PROCS=1 SOCKET_DIR=$E2E_TMP ACCESS_LOG= \
	e2e_bg lighttpd -D -f lighttpd.conf 2>"$E2E_TMP/lighttpd.log"
lbase=http://127.0.0.1:$port
wait_http "$lbase/ping" || { e2e_finish; exit 1; }
sizes lighttpd "$lbase"
timed_out lighttpd "$lbase"

e2e_finish
