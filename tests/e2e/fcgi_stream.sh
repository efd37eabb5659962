#!/bin/sh
# make-test: asan valgrind=FCGI_WRAPPER
# Response streaming through real front servers (app/http/stream.h): the
# test-only route GET /__test/stream of the test-hooks build writes pieces and,
# between them, waits until this test creates a file (tests/hooks/stream_route.c),
# so each check is deterministic: the first piece is at the client (through
# lighttpd with the shipped lighttpd.conf, and through nginx with
# deploy/nginx.conf) while the producer is still held before the next one.
# Also: an error after the first byte cuts the answer (the client sees no clean
# end, the worker's log says so), an error before it is a complete 500, pieces
# of 0 bytes, a 16 MiB piece, and a client that goes away mid-stream (the
# worker goes on serving); and with nginx keeping its FastCGI connections.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/fcgi_lib.sh"
e2e_start fcgi-stream

HOOKS=${HOOKS_BIN:-$BUILD/test-hooks/app.fcgi}
[ -x "$HOOKS" ] || { e2e_fail "no $HOOKS (make test-hooks)"; e2e_finish; exit 1; }

# held FRONT BASE: three pieces, each let go only once the previous one is at the client.
held() {
	_d=$E2E_TMP/$1-held
	mkdir -p "$_d"
	curl -sN --max-time 60 -D "$_d/head" -o "$_d/body" -H 'Origin: https://app.example' "$2/__test/stream?dir=$_d&pieces=3" &
	_curl=$!
	if wait_text "$_d/body" "piece 0"; then e2e_pass; else e2e_fail "$1: the first piece never reached the client"; fi
	# The producer is held before piece 1 until go1 exists: nothing else can have been written.
	if [ ! -e "$_d/wrote1" ] && [ ! -e "$_d/wrote2" ] && kill -0 "$_curl" 2>/dev/null; then
		e2e_pass
	else
		e2e_fail "$1: more than the first piece was written before the test let it go"
	fi
	: >"$_d/go1"
	if wait_text "$_d/body" "piece 1" && [ ! -e "$_d/wrote2" ]; then e2e_pass; else e2e_fail "$1: piece 1 not at the client alone"; fi
	: >"$_d/go2"
	wait "$_curl"
	_rc=$?
	_want=$(printf 'piece 0\npiece 1\npiece 2\nx')
	_got=$(cat "$_d/body"; echo x)
	if [ "$_rc" -eq 0 ] && [ "$_got" = "$_want" ]; then e2e_pass; else e2e_fail "$1: curl $_rc, body '$_got'"; fi
	# The head the normal pipeline gives (request id, CORS), chunked, no Content-Length.
	tr -d '\r' <"$_d/head" >"$_d/head.txt"
	if grep -qi '^X-Request-Id: ' "$_d/head.txt" && grep -qix 'Access-Control-Allow-Origin: https://app.example' "$_d/head.txt" && grep -qi '^Transfer-Encoding: chunked' "$_d/head.txt" &&
		! grep -qi '^Content-Length:' "$_d/head.txt" && grep -q '^HTTP/1.1 200' "$_d/head.txt"; then
		e2e_pass
	else
		e2e_fail "$1: head: $(cat "$_d/head.txt")"
	fi
}

# cut FRONT BASE: the producer fails after its first piece: the client must not see a clean end.
cut() {
	_d=$E2E_TMP/$1-cut
	mkdir -p "$_d"
	curl -sN --max-time 60 -o "$_d/body" "$2/__test/stream?dir=$_d&pieces=3&fail=after" &
	_curl=$!
	wait_text "$_d/body" "piece 0" || e2e_fail "$1: cut: the first piece never came"
	: >"$_d/go1"
	wait "$_curl"
	_rc=$?
	# curl 18: "transfer closed with outstanding read data remaining" (no last chunk).
	if [ "$_rc" -eq 18 ] && [ "$(cat "$_d/body")" = "piece 0" ]; then
		e2e_pass
	else
		e2e_fail "$1: a stream cut after its first piece ended with curl $_rc, body '$(cat "$_d/body")'"
	fi
}

# hostile FRONT BASE LOG: 0-byte pieces, a 16 MiB piece, an early failure, a client that goes away.
hostile() {
	check "$1: pieces of 0 bytes between the pieces" 200 "$three" "$2/__test/stream?empty=1"
	check "$1: no piece at all: an empty 200" 200 "" "$2/__test/stream?pieces=0"
	_big=$(curl -s --max-time 60 "$2/__test/stream?pieces=2&size=16777216" | od -An -c | tr -s ' \n' | head -c 200)
	_n=$(curl -s --max-time 60 -o /dev/null -w '%{size_download}' "$2/__test/stream?pieces=2&size=16777216")
	if [ "$_n" = 33554432 ] && [ "$(curl -s --max-time 60 "$2/__test/stream?pieces=2&size=16777216" | tr -d a | tr -d b | wc -c)" = 0 ]; then
		e2e_pass
	else
		e2e_fail "$1: two pieces of 16 MiB: $_n bytes ($_big)"
	fi
	_s=$(curl -s --max-time 10 -o "$E2E_TMP/early" -w '%{http_code}' "$2/__test/stream?fail=before")
	if [ "$_s" = 500 ] && grep -q '"detail":"Internal Server Error","request_id":"' "$E2E_TMP/early"; then
		e2e_pass
	else
		e2e_fail "$1: a failure before the first byte: $_s $(cat "$E2E_TMP/early")"
	fi
	# The client goes away while the producer is held: the worker must neither hang nor die.
	_d=$E2E_TMP/$1-gone
	mkdir -p "$_d"
	curl -sN --max-time 60 -o "$_d/body" "$2/__test/stream?dir=$_d&pieces=50&size=65536" &
	_curl=$!
	wait_text "$_d/body" "aaaa" || e2e_fail "$1: gone: the first piece never came"
	kill "$_curl"
	wait "$_curl" 2>/dev/null
	for i in $(seq 1 49); do : >"$_d/go$i"; done
	# The worker ends the request (its access line) without writing all 50 pieces.
	if wait_text "$3" '"path":"/__test/stream","query":"dir='"$_d"; then e2e_pass; else e2e_fail "$1: gone: no access line"; fi
	if [ ! -e "$_d/wrote49" ]; then e2e_pass; else e2e_fail "$1: gone: all 50 pieces were written to nobody"; fi
	check "$1: served after a client went away" 200 '{"Success":"Pong!"}' "$2/ping"
}

# The route is in the test-hooks builds only: the release binaries neither hold nor answer it.
if grep -q '__test/stream' "$BUILD/app.fcgi" "$BUILD/app.cgi" "$BUILD/bootstrap"; then
	e2e_fail "a release binary holds the test-only route"
else
	e2e_pass
fi
_s=$(env -i REQUEST_METHOD=GET SCRIPT_NAME=/app.cgi PATH_INFO=/__test/stream REMOTE_ADDR=127.0.0.1 "$BUILD/app.cgi" 2>/dev/null | head -n 1 | tr -d '\r')
[ "$_s" = "Status: 404 Not Found" ] && e2e_pass || e2e_fail "release app.cgi answered /__test/stream with '$_s'"

three='piece 0
piece 1
piece 2
'

# ---- lighttpd, the shipped lighttpd.conf, with the test-hooks binary as app.fcgi ----
# CORS on: its headers must be in a streamed head too (app_handle adds them before the first piece).
export CORS_ALLOW_ORIGINS=https://app.example
app=$E2E_TMP/app
mkdir -p "$app"
ln -s "$(cd "$(dirname "$HOOKS")" && pwd)/$(basename "$HOOKS")" "$app/app.fcgi"
ln -s "$(cd "$BUILD" && pwd)/errors" "$app/errors"
mkdir -p "$app/docs"
port=$(free_port)
PORT=$port BIND=127.0.0.1 APP_DIR=$app FCGI_PROCS=1 SOCKET_DIR=$E2E_TMP ACCESS_LOG= \
	e2e_bg lighttpd -D -f lighttpd.conf 2>"$E2E_TMP/lighttpd.log"
lbase=http://127.0.0.1:$port
wait_http "$lbase/ping" || { e2e_finish; exit 1; }
held lighttpd "$lbase"
cut lighttpd "$lbase"
if wait_text "$E2E_TMP/lighttpd.log" 'streamed answer cut after 8 bytes: Test.Failure'; then e2e_pass; else e2e_fail "lighttpd: the cut is not in the log"; fi
hostile lighttpd "$lbase" "$E2E_TMP/lighttpd.log"

# ---- nginx, deploy/nginx.conf, in front of app.fcgi's own manager ----
FCGI_BIN=$HOOKS
sock=$E2E_TMP/fcgi.sock
manager_start "$sock" 1
wait_fcgi "$sock" || { e2e_finish; exit 1; }
nginx_start "unix:$sock" || { e2e_finish; exit 1; }
wait_http "$NGINX_BASE/ping" || { e2e_finish; exit 1; }
held nginx "$NGINX_BASE"
cut nginx "$NGINX_BASE"
if wait_text "$E2E_TMP/manager.log" 'streamed answer cut after 8 bytes: Test.Failure'; then e2e_pass; else e2e_fail "nginx: the cut is not in the log"; fi
hostile nginx "$NGINX_BASE" "$E2E_TMP/manager.log"

# ---- nginx keeping its FastCGI connections (fastcgi_keep_conn): a cut closes that one ----
kill "$NGINX_PID"
wait "$NGINX_PID" 2>/dev/null
NGINX_KEEP_CONN=1 nginx_start "unix:$sock" || { e2e_finish; exit 1; }
wait_http "$NGINX_BASE/ping" || { e2e_finish; exit 1; }
held nginx-keep "$NGINX_BASE"
cut nginx-keep "$NGINX_BASE"
for i in 1 2 3; do check "nginx-keep: served after a cut ($i)" 200 '{"Success":"Pong!"}' "$NGINX_BASE/ping"; done

e2e_finish
