#!/bin/sh
# make-test: asan valgrind=CGI_WRAPPER
# build/app.cgi run by hand as a shell tool (--request, -H, -d, --env), and
# --help / --version on all three binaries; plain `app.cgi` with no arguments
# must stay a CGI program, byte for byte, under a server and in a shell.
# CGI_WRAPPER runs the binary under a tool, e.g. valgrind (make test-valgrind).
. "$(dirname "$0")/lib.sh"
e2e_start cgi-tool
CGI=$BUILD/app.cgi
# Every answer carries a fresh random X-Request-Id, and the service logs one line
# per request on stderr: the comparisons leave the id's header line out, and the
# plain CGI runs say LOG_FORMAT=off (access_log.sh checks the log lines); the tool
# (--request) writes no access line unless LOG_FORMAT is set.

# run_tool ARGS...: app.cgi ARGS in an empty environment; stdout in $E2E_TMP/out,
# stderr in $E2E_TMP/err, exit status in $RC.
run_tool() {
	RC=0
	timeout 60 env -i ${CGI_WRAPPER:-} "$CGI" "$@" <"${TOOL_STDIN:-/dev/null}" >"$E2E_TMP/out" 2>"$E2E_TMP/err" || RC=$?
}

# same_bytes WHAT FILE EXPECTED-printf-format: FILE holds exactly those bytes.
same_bytes() {
	# shellcheck disable=SC2059 # the expected bytes are a printf format on purpose
	printf "$3" >"$E2E_TMP/want"
	sed '/^X-Request-Id: /d' "$2" >"$E2E_TMP/got"
	if cmp -s "$E2E_TMP/got" "$E2E_TMP/want"; then
		e2e_pass
	else
		e2e_fail "$1: got '$(od -c "$2" | head -n 8)', want '$(od -c "$E2E_TMP/want" | head -n 8)'"
	fi
}

# expect_usage_error WHAT PATTERN ARGS...: exit 2, nothing on stdout, PATTERN on stderr.
expect_usage_error() {
	_what=$1 _pattern=$2
	shift 2
	run_tool "$@"
	if [ "$RC" = 2 ] && [ ! -s "$E2E_TMP/out" ] && grep -q -- "$_pattern" "$E2E_TMP/err"; then
		e2e_pass
	else
		e2e_fail "$_what: rc=$RC stdout='$(head -c 200 "$E2E_TMP/out")' stderr='$(head -c 300 "$E2E_TMP/err")'"
	fi
}

ADD_15='Status: 200 OK\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: 2\r\n\r\n15'

# ---- plain CGI: unchanged ----------------------------------------------------
RC=0
timeout 60 env -i LOG_FORMAT=off REQUEST_METHOD=GET PATH_INFO=/math/add 'QUERY_STRING=i=5&i=10' ${CGI_WRAPPER:-} "$CGI" \
	</dev/null >"$E2E_TMP/out" 2>"$E2E_TMP/err" || RC=$?
same_bytes "plain CGI output, no trailing newline" "$E2E_TMP/out" "$ADD_15"
if [ "$RC" = 0 ] && [ ! -s "$E2E_TMP/err" ]; then e2e_pass; else e2e_fail "plain CGI: rc=$RC stderr '$(cat "$E2E_TMP/err")'"; fi
# An ISINDEX query reaches a CGI program as arguments (RFC 3875 4.4): under a
# server they are never options, so `GET /app.cgi?--help` is just a request.
RC=0
timeout 60 env -i LOG_FORMAT=off GATEWAY_INTERFACE=CGI/1.1 REQUEST_METHOD=GET PATH_INFO=/math/add 'QUERY_STRING=i=5&i=10' \
	${CGI_WRAPPER:-} "$CGI" --help </dev/null >"$E2E_TMP/out" 2>&1 || RC=$?
same_bytes "arguments under a server are not options" "$E2E_TMP/out" "$ADD_15"

# ---- GET with repeated keys ----------------------------------------------------
run_tool --request 'GET /math/add?i=5&i=10'
same_bytes "GET repeated keys" "$E2E_TMP/out" "$ADD_15"
[ "$RC" = 0 ] && [ ! -s "$E2E_TMP/err" ] && e2e_pass || e2e_fail "GET repeated keys: rc=$RC stderr '$(cat "$E2E_TMP/err")'"
run_tool --request '/math/add?i=99999999999999999999&i=1&i=-3'
same_bytes "method defaults to GET, exact integers" "$E2E_TMP/out" \
	'Status: 200 OK\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: 20\r\n\r\n99999999999999999997'
run_tool -r 'GET /items/%34%32?q=a+b%26c#fragment HTTP/1.0'
same_bytes "percent-encoded path and query, fragment dropped, protocol word" "$E2E_TMP/out" \
	'Status: 200 OK\r\nContent-Type: application/json\r\nContent-Length: 26\r\n\r\n{"item_id":42,"q":"a b&c"}'
run_tool --request 'GET /math/add?i=1&i=x'
grep -q '^Status: 422 ' "$E2E_TMP/out" && grep -q '"loc":\["query","i",1\]' "$E2E_TMP/out" &&
	e2e_pass || e2e_fail "bad int gives FastAPI's 422: $(cat "$E2E_TMP/out")"
run_tool --request 'GET /items/1%zz'
grep -q '^Status: 400 ' "$E2E_TMP/out" && e2e_pass || e2e_fail "bad percent-encoding reaches the service's 400: $(cat "$E2E_TMP/out")"
run_tool --request 'DELETE /ping'
grep -q '^Status: 405 ' "$E2E_TMP/out" && grep -q '^Allow: GET, HEAD' "$E2E_TMP/out" &&
	e2e_pass || e2e_fail "wrong method: $(cat "$E2E_TMP/out")"

# ---- POST with a body ------------------------------------------------------------
run_tool --request 'POST /api/v1/users/' -d 'name=ann'
same_bytes "POST -d" "$E2E_TMP/out" \
	'Status: 200 OK\r\nContent-Type: application/json\r\nContent-Length: 24\r\n\r\n{"Success":"All users!"}'
printf 'a\0b\nc' >"$E2E_TMP/nul-body"
run_tool --env --request 'PUT /api/v1/users/3' -d @"$E2E_TMP/nul-body"
grep -qx 'CONTENT_LENGTH=5' "$E2E_TMP/err" && grep -q '^Status: 200 ' "$E2E_TMP/out" &&
	e2e_pass || e2e_fail "-d @FILE with NUL bytes: $(cat "$E2E_TMP/err" "$E2E_TMP/out")"
TOOL_STDIN=$E2E_TMP/nul-body run_tool --env --request 'PATCH /api/v1/users/3' -d @-
grep -qx 'CONTENT_LENGTH=5' "$E2E_TMP/err" && grep -q '^Status: 200 ' "$E2E_TMP/out" &&
	e2e_pass || e2e_fail "-d @- from stdin: $(cat "$E2E_TMP/err" "$E2E_TMP/out")"
# The service's limit applies: one byte over APP_MAX_BODY_BYTES is its JSON 413.
head -c 101 /dev/zero >"$E2E_TMP/big"
RC=0
timeout 60 env -i LOG_FORMAT=off APP_MAX_BODY_BYTES=100 ${CGI_WRAPPER:-} "$CGI" --request 'POST /api/v1/users/' -d @"$E2E_TMP/big" \
	</dev/null >"$E2E_TMP/out" 2>&1 || RC=$?
same_bytes "body over APP_MAX_BODY_BYTES" "$E2E_TMP/out" \
	'Status: 413 Content Too Large\r\nContent-Type: application/json\r\nContent-Length: 53\r\n\r\n{"detail":"Request body too large (limit 100 bytes)"}'
# A Content-Length header sends a wrong length on purpose: the body is then short.
run_tool --request 'POST /api/v1/users/' -H 'Content-Length: 10' -d abc
same_bytes "Content-Length header longer than -d" "$E2E_TMP/out" \
	'Status: 400 Bad Request\r\nContent-Type: application/json\r\nContent-Length: 82\r\n\r\n{"detail":"Request body truncated: Content-Length is 10 but only 3 bytes arrived"}'

# ---- custom headers ---------------------------------------------------------------
# Host reaches the service: the trailing-slash redirect names it.
run_tool --request 'GET /api/v1/users?x=1' -H 'Host: api.example.com:8443'
grep -q '^Status: 307 ' "$E2E_TMP/out" && tr -d '\r' <"$E2E_TMP/out" | grep -qx 'Location: http://api.example.com:8443/api/v1/users/?x=1' &&
	e2e_pass || e2e_fail "Host header: $(cat "$E2E_TMP/out")"
run_tool --request 'GET /api/v1/users'
tr -d '\r' <"$E2E_TMP/out" | grep -qx 'Location: http://localhost/api/v1/users/' &&
	e2e_pass || e2e_fail "no Host header: SERVER_NAME localhost: $(cat "$E2E_TMP/out")"
run_tool --env --request 'GET /' -H 'X-Trace:   a b  ' -H 'x-trace: c' -H 'Cookie: a=1' -H 'Cookie: b=2' -H 'Content-Type: text/plain'
grep -qxF "'HTTP_X_TRACE=a b, c'" "$E2E_TMP/err" && grep -qxF "'HTTP_COOKIE=a=1; b=2'" "$E2E_TMP/err" &&
	grep -qxF "CONTENT_TYPE=text/plain" "$E2E_TMP/err" && ! grep -q HTTP_CONTENT_TYPE "$E2E_TMP/err" &&
	e2e_pass || e2e_fail "headers to variables: $(cat "$E2E_TMP/err")"
# Long names and values are copied whole; over the service's limit for headers it answers 431.
name=$(head -c 5000 /dev/zero | tr '\0' 'n')
run_tool --env --request 'GET /ping' -H "X-$name: v"
grep -q "^HTTP_X_$(echo "$name" | tr n N)=v\$" "$E2E_TMP/err" && grep -q '^Status: 200 ' "$E2E_TMP/out" &&
	e2e_pass || e2e_fail "5000-byte header name: $(head -c 200 "$E2E_TMP/out")"
run_tool --request 'GET /ping' -H "X-A: $(head -c 70000 /dev/zero | tr '\0' 'v')"
grep -q '^Status: 431 ' "$E2E_TMP/out" && e2e_pass || e2e_fail "70000-byte header value: $(head -c 200 "$E2E_TMP/out")"
# A header value with CR LF goes to the service, which refuses it.
run_tool --request 'GET /' -H "$(printf 'X-A: a\r\nX-B: b')"
same_bytes "CR LF in a header value" "$E2E_TMP/out" \
	'Status: 400 Bad Request\r\nContent-Type: application/json\r\nContent-Length: 35\r\n\r\n{"detail":"Invalid request header"}'

# The tool logs when asked to.
RC=0
timeout 60 env -i LOG_FORMAT=json ${CGI_WRAPPER:-} "$CGI" --request 'GET /ping' </dev/null >/dev/null 2>"$E2E_TMP/err" || RC=$?
if [ "$RC" = 0 ] && [ "$(wc -l <"$E2E_TMP/err")" = 1 ] && grep -q '"path":"/ping"' "$E2E_TMP/err"; then
	e2e_pass
else
	e2e_fail "--request with LOG_FORMAT=json: rc=$RC stderr '$(head -c 300 "$E2E_TMP/err")'"
fi

# ---- --env: the variables, replayable with plain CGI ----------------------------------
run_tool --env --request 'POST /api/v1/users/7?a=1&a=%20b' -H 'Accept: */*' -d "it's"
cp "$E2E_TMP/out" "$E2E_TMP/tool-out"
for want in GATEWAY_INTERFACE=CGI/1.1 REQUEST_METHOD=POST "'REQUEST_URI=/api/v1/users/7?a=1&a=%20b'" \
	"'QUERY_STRING=a=1&a=%20b'" CONTENT_LENGTH=4 "'HTTP_ACCEPT=*/*'"; do
	grep -qxF -- "$want" "$E2E_TMP/err" || e2e_fail "--env lacks the line $want: $(cat "$E2E_TMP/err")"
done
# Every line is one shell word: env -i WORDS... app.cgi answers byte for byte the same.
printf "it's" >"$E2E_TMP/body"
eval "set -- $(paste -sd ' ' "$E2E_TMP/err")"
RC=0
timeout 60 env -i LOG_FORMAT=off "$@" ${CGI_WRAPPER:-} "$CGI" <"$E2E_TMP/body" >"$E2E_TMP/replay" 2>&1 || RC=$?
sed -i '/^X-Request-Id: /d' "$E2E_TMP/replay" "$E2E_TMP/tool-out"
if [ "$RC" = 0 ] && [ -s "$E2E_TMP/replay" ] && cmp -s "$E2E_TMP/replay" "$E2E_TMP/tool-out"; then
	e2e_pass
else
	e2e_fail "--env replayed with plain CGI differs: '$(cat "$E2E_TMP/replay")' vs '$(cat "$E2E_TMP/tool-out")'"
fi

# ---- terminal: a newline after a body without one; never in a pipe ----------------------
if command -v script >/dev/null; then
	# The terminal turns every \n into \r\n: compare without any \r.
	script -qec "env -i LOG_FORMAT=off $CGI --request 'GET /math/add?i=5&i=10'" /dev/null </dev/null 2>&1 | tr -d '\r' >"$E2E_TMP/tty"
	same_bytes "newline added on a terminal" "$E2E_TMP/tty" 'Status: 200 OK\nContent-Type: text/plain; charset=utf-8\nContent-Length: 2\n\n15\n'
	script -qec "env -i LOG_FORMAT=off $CGI --request 'GET /'" /dev/null </dev/null 2>&1 | tr -d '\r' | tail -n 1 >"$E2E_TMP/tty"
	same_bytes "and only one" "$E2E_TMP/tty" '{"status":"OK"}\n'
else
	echo "cgi-tool: no script(1): terminal newline not checked"
fi

# ---- a QUERY_STRING typed with its '?' --------------------------------------------------
RC=0
timeout 60 env -i LOG_FORMAT=off PATH_INFO=/math/add 'QUERY_STRING=?i=5' ${CGI_WRAPPER:-} "$CGI" >"$E2E_TMP/out" 2>"$E2E_TMP/err" </dev/null || RC=$?
same_bytes "QUERY_STRING='?i=5': the answer is unchanged" "$E2E_TMP/out" \
	'Status: 200 OK\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: 1\r\n\r\n0'
grep -q "QUERY_STRING starts with '?'.*QUERY_STRING='i=5'" "$E2E_TMP/err" &&
	e2e_pass || e2e_fail "no note about the '?' on stderr: '$(cat "$E2E_TMP/err")'"
timeout 60 env -i LOG_FORMAT=off GATEWAY_INTERFACE=CGI/1.1 PATH_INFO=/math/add 'QUERY_STRING=?i=5' ${CGI_WRAPPER:-} "$CGI" >/dev/null 2>"$E2E_TMP/err" </dev/null
[ ! -s "$E2E_TMP/err" ] && e2e_pass || e2e_fail "a note under a server (URL with '??' is legitimate): $(cat "$E2E_TMP/err")"

# ---- usage errors: exit 2, nothing served ----------------------------------------------
expect_usage_error "unknown option" "unknown or incomplete option '-X'" --env -X
expect_usage_error "no --request" "no --request" --env
expect_usage_error "stray argument" "unexpected argument 'GET'" --request / GET
expect_usage_error "target without /" "is not '\[METHOD\] /path" --request 'GET math/add'
expect_usage_error "empty request line" "is not '\[METHOD\] /path" --request ''
expect_usage_error "header with an empty name" "is not 'Name: value'" --request / -H ': v'
expect_usage_error "double space" "is not '\[METHOD\] /path" --request 'GET  /'
expect_usage_error "four words" "is not '\[METHOD\] /path" --request 'GET / HTTP/1.1 x'
expect_usage_error "bad protocol word" "third word must be" --request 'GET / FTP'
expect_usage_error "header without colon" "is not 'Name: value'" --request / -H 'X-A 1'
expect_usage_error "header name with _" "has '_'" --request / -H 'X_A: 1'
expect_usage_error "header name with space" "has ' '" --request / -H 'X A: 1'
expect_usage_error "-d twice" "-d given twice" --request / -d a -d b
expect_usage_error "-d @missing" "-d @$E2E_TMP/missing: No such file" --request / -d @"$E2E_TMP/missing"
expect_usage_error "--request without its value" "unknown or incomplete option '--request'" --request

# ---- --help and --version on all three binaries -------------------------------------------
version=$(cat VERSION)
for bin in app.cgi app.fcgi bootstrap; do
	RC=0
	timeout 60 env -i LOG_FORMAT=off ${CGI_WRAPPER:-} "$BUILD/$bin" --help </dev/null >"$E2E_TMP/out" 2>"$E2E_TMP/err" || RC=$?
	[ "$RC" = 0 ] && grep -q '^usage: ' "$E2E_TMP/out" && grep -q -- '--version' "$E2E_TMP/out" && [ ! -s "$E2E_TMP/err" ] &&
		e2e_pass || e2e_fail "$bin --help: rc=$RC '$(head -c 200 "$E2E_TMP/out")' '$(cat "$E2E_TMP/err")'"
	RC=0
	timeout 60 env -i LOG_FORMAT=off ${CGI_WRAPPER:-} "$BUILD/$bin" --version </dev/null >"$E2E_TMP/out" 2>"$E2E_TMP/err" || RC=$?
	if [ "$RC" = 0 ] && grep -qx "$bin (math-service) $version\(+[0-9a-f]*\)\{0,1\}" "$E2E_TMP/out"; then
		e2e_pass
	else
		e2e_fail "$bin --version: rc=$RC '$(cat "$E2E_TMP/out")' (VERSION is $version)"
	fi
done

e2e_finish
