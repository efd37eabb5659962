#!/bin/sh
# CORS (issue 23) on every target: our answers against FastAPI's own CORSMiddleware
# (Starlette, Debian's python3-fastapi) for 4 configurations x 21 requests, the same
# answers through lighttpd + FastCGI, nginx + FastCGI and a Lambda ALB event, bad
# settings refused at start by all three binaries, and nothing changed when CORS is off.
# make-test: asan
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/fcgi_lib.sh"
e2e_start cors

# 1. The differential, on the CGI binary (one process per request, any settings).
if /usr/bin/python3 "$E2E_CLIENT" cors-diff "$BUILD"; then e2e_pass; else e2e_fail "cors-diff (see FAIL lines above)"; fi

# 2. A bad value stops each binary at start, with the setting named.
if CORS_ALLOW_ORIGINS="https://a.example/x" REQUEST_METHOD=GET REQUEST_URI=/ping "$BUILD/app.cgi" \
	>"$E2E_TMP/out" 2>"$E2E_TMP/err"; then
	e2e_fail "app.cgi served with a bad CORS_ALLOW_ORIGINS"
elif grep -q 'CORS_ALLOW_ORIGINS="https://a.example/x"' "$E2E_TMP/err"; then e2e_pass
else e2e_fail "app.cgi: no sentence about CORS_ALLOW_ORIGINS: $(head -c 300 "$E2E_TMP/err")"; fi
if CORS_ALLOW_ORIGINS='*' CORS_MAX_AGE=ten timeout 20 "$BUILD/app.fcgi" --listen "$E2E_TMP/bad.sock" --workers 1 \
	>/dev/null 2>"$E2E_TMP/err"; then
	e2e_fail "app.fcgi started with CORS_MAX_AGE=ten"
elif grep -q 'CORS_MAX_AGE="ten"' "$E2E_TMP/err"; then e2e_pass
else e2e_fail "app.fcgi: no sentence about CORS_MAX_AGE: $(head -c 300 "$E2E_TMP/err")"; fi
CORS_ALLOW_METHODS=GET timeout 20 "$BUILD/bootstrap" --event tests/events/alb-add.json >"$E2E_TMP/out" 2>"$E2E_TMP/err"
rc=$?
if [ "$rc" -ne 0 ] && grep -q 'CORS_ALLOW_METHODS is set but CORS_ALLOW_ORIGINS is not' "$E2E_TMP/err"; then e2e_pass
else e2e_fail "bootstrap with CORS_ALLOW_METHODS alone: exit $rc, $(head -c 300 "$E2E_TMP/err")"; fi

# 3. Through the front servers, started with the differential's "star-credentials" settings.
export CORS_ALLOW_ORIGINS='*' CORS_ALLOW_CREDENTIALS=true CORS_EXPOSE_HEADERS='X-Request-Id, X-Other' \
	CORS_ALLOW_METHODS=GET,POST CORS_ALLOW_HEADERS=X-Custom,x-lower CORS_MAX_AGE=42
port=$(free_port)
PORT=$port BIND=127.0.0.1 APP_DIR=$(cd "$BUILD" && pwd) FCGI_PROCS=1 SOCKET_DIR=$E2E_TMP ACCESS_LOG= \
	e2e_bg lighttpd -D -f lighttpd.conf 2>"$E2E_TMP/lighttpd.log"
wait_http "http://127.0.0.1:$port/ping" || exit 1
if python3 "$E2E_CLIENT" cors-front "http://127.0.0.1:$port" "$BUILD"; then e2e_pass
else e2e_fail "lighttpd + FastCGI: CORS answers differ from the CGI binary's"; fi

manager_start "$E2E_TMP/fcgi.sock" 1
nginx_start "unix:$E2E_TMP/fcgi.sock" || exit 1
wait_ok "$NGINX_BASE/ping" || exit 1
if python3 "$E2E_CLIENT" cors-front "$NGINX_BASE" "$BUILD"; then e2e_pass
else e2e_fail "nginx + FastCGI: CORS answers differ from the CGI binary's"; fi

# 4. Lambda: an ALB preflight event (the ALB keeps the header names as the service wrote them).
sed -e 's|"httpMethod": "GET"|"httpMethod": "OPTIONS"|' -e 's|"path": "/math/add"|"path": "/ping"|' \
	-e 's|"accept-encoding": "gzip",|"origin": "https://a.example", "access-control-request-method": "POST", "access-control-request-headers": "x-custom",|' \
	tests/events/alb-add.json >"$E2E_TMP/preflight.json"
timeout 20 "$BUILD/bootstrap" --event "$E2E_TMP/preflight.json" >"$E2E_TMP/answer.json" 2>/dev/null
for want in "e['statusCode'] == 200" "e['headers']['Access-Control-Allow-Origin'] == 'https://a.example'" \
	"e['headers']['Access-Control-Allow-Methods'] == 'GET, POST'" "e['headers']['Access-Control-Max-Age'] == '42'" \
	"e['headers']['Access-Control-Allow-Credentials'] == 'true'" "e['headers']['Vary'] == 'Origin'" \
	"e['body'] == 'OK'"; do
	if e2e_client json-assert "$E2E_TMP/answer.json" "$want" >/dev/null 2>&1; then e2e_pass
	else e2e_fail "Lambda ALB preflight: not $want in $(head -c 400 "$E2E_TMP/answer.json")"; fi
done

# 5. Off (no CORS_*): an Origin changes nothing.
unset CORS_ALLOW_ORIGINS CORS_ALLOW_CREDENTIALS CORS_EXPOSE_HEADERS CORS_ALLOW_METHODS CORS_ALLOW_HEADERS CORS_MAX_AGE
REQUEST_METHOD=GET REQUEST_URI=/ping HTTP_ORIGIN=https://a.example "$BUILD/app.cgi" 2>/dev/null | grep -v '^X-Request-Id' >"$E2E_TMP/with"
REQUEST_METHOD=GET REQUEST_URI=/ping "$BUILD/app.cgi" 2>/dev/null | grep -v '^X-Request-Id' >"$E2E_TMP/without"
if cmp -s "$E2E_TMP/with" "$E2E_TMP/without"; then e2e_pass; else e2e_fail "CORS off: an Origin changed the answer"; fi

e2e_finish
