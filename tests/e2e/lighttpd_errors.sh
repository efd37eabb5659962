#!/bin/sh
# Every error lighttpd answers by itself, through the top-level lighttpd.conf, is
# the service's JSON shape ({"detail":"..."}, application/json, the right status):
# the service's answer to lighttpd's server.error-handler call, or, when the
# service cannot answer, the same bytes from server.errorfile-prefix
# (deploy/error-pages.sh). The bodiless spec rows pass with curl's defaults:
# lighttpd's 411 for a POST without Content-Length becomes the service's answer
# to the POST with an empty body; the hostile cases around that (a client's
# Redirect-Status header, the handler URL asked for directly, bad escapes, long
# queries, a kept-alive connection, HEAD) are here too. Two lighttpds: one in
# front of the real service, one in front of tests/e2e/fcgi_misbehave.py, a
# FastCGI responder that fails on purpose (502, 504, 500, 503).
# Not produced by lighttpd 1.4 at all, so not provoked here: 408 (a stalled client
# is disconnected without an answer) and 414 (a request line over
# server.max-request-field-size is a 431); their files exist all the same.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/fcgi_lib.sh"
. "$(dirname "$0")/front_same.sh"
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

# raw_status REQUEST: the status line lighttpd answers a hand-written request with.
raw_status() {
	printf '%b' "$1" | timeout 5 python3 "$E2E_CLIENT" raw-http "${BASE##*:}"
}

# Every status the conf names has its file, and every file is JSON.
for s in 400 403 404 405 408 411 413 414 416 431 500 501 502 503 504 505; do
	if [ -f "$errors/$s.html" ] && e2e_client json-get detail "$errors/$s.html" >/dev/null; then
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

# No Server header (server.tag = "", issue 27): on the service's answers, a
# static docs file, and lighttpd's own static 413.
for args in "$BASE/ping" "$BASE/docs/swagger-ui.css" "-X POST -H Content-Length:70000000 $BASE/api/v1/users/"; do
	# shellcheck disable=SC2086 # args is a list of curl arguments
	if curl -s --max-time 10 -D - -o /dev/null $args | grep -qi '^Server:'; then
		e2e_fail "a Server header for $args"
	else
		e2e_pass
	fi
done

# Bodiless requests with curl's defaults (-X METHOD, no --data): the spec rows.
for m in POST PUT DELETE PATCH OPTIONS; do
	check "users $m without a body" 200 '{"Success":"All users!"}' -X "$m" "$BASE/api/v1/users/"
	check "user $m without a body" 200 '{"Success":"This is one user!"}' -X "$m" "$BASE/api/v1/users/7"
	check "ping $m without a body" 405 '{"detail":"Method Not Allowed"}' -X "$m" "$BASE/ping"
done
check_header "POST ping without a body: Allow" 'Allow: GET, HEAD' -X POST "$BASE/ping"
check "POST ping with an empty body" 405 '{"detail":"Method Not Allowed"}' -X POST -H 'Content-Length: 0' "$BASE/ping"
check "POST without a body over HTTP/2" 200 '{"Success":"All users!"}' --http2-prior-knowledge -X POST "$BASE/api/v1/users/"
# A chunked body, empty or not, is no 411: lighttpd reads it whole (request-body
# streaming is off) and passes it on with its length.
check "chunked POST" 200 '{"Success":"All users!"}' -H 'Transfer-Encoding: chunked' --data x "$BASE/api/v1/users/"
check "chunked POST, empty" 200 '{"Success":"This is one user!"}' -X POST -H 'Transfer-Encoding: chunked' -T /dev/null "$BASE/api/v1/users/7"

# ---- lighttpd's 411 through server.error-handler: the hostile cases ----
# The POST rebuilt from REQUEST_URI is judged as any request.
check "bodiless POST, bad escape in the query" 400 '{"detail":"Invalid percent-encoding in query string"}' \
	-X POST "$BASE/ping?q=%ZZ"
check "bodiless POST, %00 in the path" 400 '{"detail":"Invalid path: contains a NUL byte"}' -X POST "$BASE/items/1%00"
check "bodiless POST, 32000-byte query" 405 '{"detail":"Method Not Allowed"}' -X POST "$BASE/items/1?q=$(cat "$E2E_TMP/q")"
json_error "bodiless POST, query over server.max-request-field-size" 431 -X POST "$BASE/items/1?q=$(cat "$E2E_TMP/long")"
check "bodiless POST to a redirect" 307 '' -X POST "$BASE/api/v1/users"
check_header "bodiless POST to a redirect: Location" "Location: $BASE/api/v1/users/" -X POST "$BASE/api/v1/users"
# A client cannot pose as lighttpd: its Redirect-Status header is HTTP_REDIRECT_STATUS.
check "Redirect-Status header on a GET" 200 '{"Success":"Pong!"}' -H 'Redirect-Status: 411' "$BASE/ping"
check "Redirect-Status header on a POST with a body" 200 '{"Success":"All users!"}' -H 'Redirect-Status: 404' \
	--data x "$BASE/api/v1/users/"
# The handler URL asked for directly is an ordinary URL the service does not have.
check "GET of the handler URL" 404 '{"detail":"Not Found"}' "$BASE/_error"
check "GET of the handler URL, Redirect-Status header" 404 '{"detail":"Not Found"}' -H 'Redirect-Status: 411' "$BASE/_error"
check "bodiless POST to the handler URL" 404 '{"detail":"Not Found"}' -X POST "$BASE/_error"
check "POST of the handler URL with a body" 404 '{"detail":"Not Found"}' --data x "$BASE/_error"
# head_error WHAT STATUS REQUEST: lighttpd answers the HEAD request with STATUS
# in JSON, and nothing after the headers (the service is asked for a GET of
# the handler URL; lighttpd drops the body it answers).
head_error() {
	raw_status "$3" | e2e_client head-error "$2" 2>"$E2E_TMP/py.err" && e2e_pass || e2e_fail "$1: $(cat "$E2E_TMP/py.err")"
}
head_error "HEAD without Host" 400 'HEAD /ping HTTP/1.1\r\n\r\n'
head_error "HEAD of a missing docs file" 404 'HEAD /docs/nope.js HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n'
head_error "HEAD of the handler URL" 404 'HEAD /_error HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n'
# A kept-alive connection: lighttpd closes it after a request it refused, so a
# request pipelined behind the bodiless POST gets no answer, never a mixed one,
# and the requests before it theirs.
out=$(raw_status 'GET /hello HTTP/1.1\r\nHost: x\r\n\r\nPOST /ping HTTP/1.1\r\nHost: x\r\n\r\nGET /ping HTTP/1.1\r\nHost: x\r\n\r\n')
printf '%s' "$out" | e2e_client pipelined-after-refusal 2>"$E2E_TMP/py.err" && e2e_pass || e2e_fail "pipelined GET, bodiless POST, GET: $(cat "$E2E_TMP/py.err") $(printf %s "$out" | head -c 600)"
# curl on: the second request gets its own answer on a new connection.
two=$(curl -s --max-time 10 -w ' %{http_code} %{num_connects}\n' -X POST "$BASE/ping" --next -s --max-time 10 -w ' %{http_code} %{num_connects}\n' "$BASE/ping")
if [ "$two" = '{"detail":"Method Not Allowed"} 405 1
{"Success":"Pong!"} 200 1' ]; then
	e2e_pass
else
	e2e_fail "bodiless POST then GET with curl: $two"
fi
# The service logs such a request as the client sent it, with the id it answered with.
rid=$(curl -s --max-time 10 -D - -o /dev/null -X POST "$BASE/api/v1/users/log-check?a=1" | tr -d '\r' | sed -n 's/^X-Request-Id: //p')
# (the worker writes the line after the answer: up to 5 s for it)
tries=0
until grep -q '"path":"/api/v1/users/log-check"' "$E2E_TMP/error.log" || [ "$tries" -ge 50 ]; do
	sleep 0.1
	tries=$((tries + 1))
done
if e2e_client bodiless-post-logged "$E2E_TMP/error.log" "$rid" 2>"$E2E_TMP/py.err"; then
	e2e_pass
else
	e2e_fail "access line of a bodiless POST: $(cat "$E2E_TMP/py.err")"
fi

# ---- lighttpd in front of a service that fails ----
# A failed worker is not asked again for the error (server.error-handler is off
# for the service's URLs): the static page answers. fcgi_misbehave.py notes each
# request lighttpd makes of it in $E2E_TMP/asked.
bad=$E2E_TMP/bad
mkdir -p "$bad/docs"
cp tests/e2e/fcgi_misbehave.py "$bad/app.fcgi"
ln -s "$errors" "$bad/errors"
start_lighttpd "$bad" FCGI_ANSWER_TIMEOUT=1 MISBEHAVE_LOG="$E2E_TMP/asked"
wait_ok "$BASE/ping" || exit 1
json_error "invalid response header" 502 "$BASE/bad-header"
json_error "no answer within read-timeout" 504 "$BASE/hang"
json_error "connection closed without an answer" 500 "$BASE/close"
check "still serving" 200 '{"ok":true}' "$BASE/ping"
if grep -v '^REDIRECT_STATUS=200 ' "$E2E_TMP/asked" >"$E2E_TMP/asked.errors"; then
	e2e_fail "a failed worker was asked for the error: $(cat "$E2E_TMP/asked.errors")"
else
	e2e_pass
fi
# When the error handler's own request fails, lighttpd sends the static page
# of the status it first meant: the bodiless POST's 411.
json_error "bodiless POST, the handler's request fails" 411 -X POST "$BASE/close"
if grep -qx 'REDIRECT_STATUS=411 REQUEST_URI=/close' "$E2E_TMP/asked"; then
	e2e_pass
else
	e2e_fail "the error handler was not asked for the 411: $(cat "$E2E_TMP/asked")"
fi
check "stops listening" 200 '{"ok":true}' "$BASE/unlisten"
json_error "no worker listening" 503 "$BASE/ping"
# With no worker, the errors lighttpd finds itself still get their static pages.
json_error "no worker: bodiless POST" 411 -X POST "$BASE/api/v1/users/"
json_error "no worker: HTTP/1.1 without Host" 400 -H 'Host:' "$BASE/ping"
json_error "no worker: header over the limit" 431 -H "X-Long: $(cat "$E2E_TMP/long")" "$BASE/ping"
json_error "no worker: missing docs file" 404 "$BASE/docs/nope.js"

e2e_finish
