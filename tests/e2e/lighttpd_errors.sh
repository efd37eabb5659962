#!/bin/sh
# Every error lighttpd answers by itself, through the top-level lighttpd.conf, is
# the service's JSON shape ({"detail":"..."}, application/json, the right status;
# server.errorfile-prefix with deploy/error-pages.sh), and the bodiless SPEC rows
# pass with curl's defaults. Two lighttpds: one in front of the real service, one
# in front of tests/e2e/fcgi_misbehave.py, a FastCGI responder that fails on
# purpose (502, 504, 500, 503).
# Not produced by lighttpd 1.4 at all, so not provoked here: 408 (a stalled client
# is disconnected without an answer) and 414 (a request line over
# server.max-request-field-size is a 431); their files exist all the same.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/fcgi_lib.sh"
e2e_start lighttpd-errors

build=$(cd "$BUILD" && pwd)
errors=$build/errors

# start_lighttpd APP_DIR [VAR=value...]: lighttpd.conf on a free port; sets BASE.
start_lighttpd() {
	_app=$1
	shift
	_port=$(free_port)
	e2e_bg env PORT="$_port" BIND=127.0.0.1 APP_DIR="$_app" FCGI_PROCS=1 SOCKET_DIR="$E2E_TMP" \
		ACCESS_LOG="$E2E_TMP/access.log" "$@" lighttpd -D -f lighttpd.conf 2>>"$E2E_TMP/error.log"
	BASE=http://127.0.0.1:$_port
}

# json_error WHAT STATUS curl-args...: lighttpd's answer is STATUS, application/json,
# exactly the body of errors/STATUS.html, a JSON object with a "detail" string,
# and carries no Accept-Ranges.
json_error() {
	_what=$1 _status=$2
	shift 2
	_code=$(curl -s --max-time 10 -D "$E2E_TMP/headers" -o "$E2E_TMP/body" -w '%{http_code}' "$@")
	_type=$(tr -d '\r' <"$E2E_TMP/headers" | sed -n 's/^[Cc]ontent-[Tt]ype: //p')
	if [ "$_code" != "$_status" ] || [ "$_type" != application/json ]; then
		e2e_fail "$_what: expected $_status application/json, got $_code '$_type': $(head -c 200 "$E2E_TMP/body")"
	elif ! cmp -s "$E2E_TMP/body" "$errors/$_status.html"; then
		e2e_fail "$_what: body is not errors/$_status.html: $(head -c 200 "$E2E_TMP/body")"
	elif ! python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert list(d) == ["detail"] and isinstance(d["detail"], str) and d["detail"]' "$E2E_TMP/body"; then
		e2e_fail "$_what: not {\"detail\": \"...\"}"
	elif grep -qi '^Accept-Ranges:' "$E2E_TMP/headers"; then
		e2e_fail "$_what: Accept-Ranges on a JSON error"
	else
		e2e_pass
	fi
}

# raw_status REQUEST: the status line lighttpd answers a hand-written request with.
raw_status() {
	printf '%b' "$1" | timeout 5 python3 -c '
import socket, sys
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])))
s.sendall(sys.stdin.buffer.read())
data = b""
while True:
    chunk = s.recv(65536)
    if not chunk:
        break
    data += chunk
sys.stdout.write(data.decode("latin-1"))' "${BASE##*:}"
}

# Every status the conf names has its file, and every file is JSON.
for s in 400 403 404 405 408 411 413 414 416 431 500 501 502 503 504 505; do
	if [ -f "$errors/$s.html" ] && python3 -c 'import json,sys; json.load(open(sys.argv[1]))["detail"]' "$errors/$s.html"; then
		e2e_pass
	else
		e2e_fail "no JSON errors/$s.html"
	fi
done

# ---- lighttpd in front of the real service ----
# APP_DIR as lighttpd.conf wants it, with one directory inside docs/ (lighttpd lists none: 403).
app=$E2E_TMP/app
mkdir -p "$app/docs/sub"
ln -s "$build/app.fcgi" "$app/app.fcgi"
ln -s "$errors" "$app/errors"
cp "$build"/docs/*.* "$app/docs/"
start_lighttpd "$app"
wait_ok "$BASE/ping" || exit 1

json_error "HTTP/1.1 without Host" 400 -H 'Host:' "$BASE/ping"
json_error "directory in docs" 403 "$BASE/docs/sub/"
json_error "missing docs file" 404 "$BASE/docs/nope.js"
# ... the same bytes as the service's own 404.
check "service 404" 404 "$(cat "$errors/404.html")" "$BASE/nope"
json_error "CONNECT" 405 -X CONNECT "$BASE/ping"
json_error "POST without Content-Length" 411 -X POST "$BASE/api/v1/users/"
json_error "body over server.max-request-size" 413 -X POST -H 'Content-Length: 70000000' "$BASE/api/v1/users/"
json_error "unsatisfiable range on a docs file" 416 -H 'Range: bytes=99999999-' "$BASE/docs/swagger-ui.css"
head -c 33000 /dev/zero | tr '\0' a >"$E2E_TMP/long"
json_error "query over server.max-request-field-size" 431 "$BASE/items/1?q=$(cat "$E2E_TMP/long")"
json_error "header over server.max-request-field-size" 431 -H "X-Long: $(cat "$E2E_TMP/long")" "$BASE/ping"
json_error "PUT on a docs file" 501 -X PUT --data x "$BASE/docs/swagger-ui.css"
# 505: a version curl will not send.
out=$(raw_status 'GET /ping HTTP/1.2\r\nHost: x\r\n\r\n')
case $out in
"HTTP/1.0 505 "*"Content-Type: application/json"*'{"detail":"HTTP Version Not Supported"}') e2e_pass ;;
*) e2e_fail "HTTP/1.2: $(printf %s "$out" | head -c 300)" ;;
esac

# Under the limit, the service judges the query itself (32000 bytes: a 200).
head -c 32000 /dev/zero | tr '\0' a >"$E2E_TMP/q"
check "32000-byte query reaches the service" 200 "{\"item_id\":1,\"q\":\"$(cat "$E2E_TMP/q")\"}" "$BASE/items/1?q=$(cat "$E2E_TMP/q")"

# The service's own answers carry no Accept-Ranges, and a Range header does not cut them.
if curl -s -D - -o /dev/null "$BASE/ping" | grep -qi '^Accept-Ranges:'; then
	e2e_fail "Accept-Ranges on the service's JSON"
else
	e2e_pass
fi
check "Range ignored on the service's answers" 200 '{"Success":"Pong!"}' -H 'Range: bytes=0-3' "$BASE/ping"
# Static docs files keep ranges.
check_header "docs files keep Accept-Ranges" 'Accept-Ranges: bytes' "$BASE/docs/swagger-ui.css"

# Bodiless requests with curl's defaults (-X METHOD, no --data): the SPEC rows.
for m in PUT DELETE PATCH OPTIONS; do
	check "users $m without a body" 200 '{"Success":"All users!"}' -X "$m" "$BASE/api/v1/users/"
	check "user $m without a body" 200 '{"Success":"This is one user!"}' -X "$m" "$BASE/api/v1/users/7"
done
# lighttpd refuses any POST without Content-Length before a module sees it (request.c,
# every 1.4 release): 411, in JSON. With an empty body declared, the SPEC answers.
check "POST with an empty body" 200 '{"Success":"All users!"}' -X POST -H 'Content-Length: 0' "$BASE/api/v1/users/"
check "POST ping with an empty body" 405 '{"detail":"Method Not Allowed"}' -X POST -H 'Content-Length: 0' "$BASE/ping"

# ---- lighttpd in front of a service that fails ----
bad=$E2E_TMP/bad
mkdir -p "$bad/docs"
cp tests/e2e/fcgi_misbehave.py "$bad/app.fcgi"
ln -s "$errors" "$bad/errors"
start_lighttpd "$bad" FCGI_ANSWER_TIMEOUT=1
wait_ok "$BASE/ping" || exit 1
json_error "invalid response header" 502 "$BASE/bad-header"
json_error "no answer within read-timeout" 504 "$BASE/hang"
json_error "connection closed without an answer" 500 "$BASE/close"
check "still serving" 200 '{"ok":true}' "$BASE/ping"
check "stops listening" 200 '{"ok":true}' "$BASE/unlisten"
json_error "no worker listening" 503 "$BASE/ping"

e2e_finish
