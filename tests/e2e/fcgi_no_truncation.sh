#!/bin/sh
# End to end: workers close their FastCGI connections at once, without libfcgi's
# wait for the web server to hang up (fcgi/worker/close.c drains unread input first).
# No answer may be cut short by that: the largest ones (/openapi.json, the
# Swagger UI bundle, both sent by the service here, not as static files) and
# the answers to requests whose body was never read (a 413 over the limit, a
# 431 found before the body), and a 304 (headers only, Content-Length of the
# 200), byte for byte, again and again, several at once,
# through every front the service runs behind:
#   lighttpd with lighttpd.conf (workers it spawns, unix sockets);
#   nginx with deploy/nginx.conf, with and without fastcgi_keep_conn, to the
#   standalone manager on TCP (where a reset drops data) and on a unix socket;
#   cgi-fcgi, to both.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/fcgi_lib.sh"
E2E_TIMEOUT=${E2E_TIMEOUT:-100}
e2e_start fcgi-no-truncation

ROUNDS=${TRUNCATION_ROUNDS:-6}   # of each request, per front, 3 at a time
LIMIT=$APP_MAX_BODY_BYTES         # 200000 (fcgi_lib.sh)
BUILD_ABS=$(cd "$BUILD" && pwd)
EXP=$E2E_TMP/expected
mkdir -p "$EXP" "$E2E_TMP/out"

# ---- what each answer must be, byte for byte -------------------------------

env -i REQUEST_METHOD=GET PATH_INFO=/openapi.json "$BUILD/app.cgi" </dev/null |
	e2e_client body-of >"$EXP/openapi"
[ "$(wc -c <"$EXP/openapi")" -gt 4000 ] && e2e_pass || e2e_fail "app.cgi gave no /openapi.json"
cp "$BUILD/docs/swagger-ui-bundle.js" "$EXP/bundle"
printf '{"detail":"Request body too large (limit %s bytes)"}' "$LIMIT" >"$EXP/413"
printf '{"detail":"Too many request headers"}' >"$EXP/431"
: >"$EXP/304" # /openapi.json again with its ETag: no body, and nothing waits for one
etag=$(env -i REQUEST_METHOD=GET PATH_INFO=/openapi.json "$BUILD/app.cgi" </dev/null | tr -d '\r' | sed -n 's/^ETag: //p')
[ -n "$etag" ] && e2e_pass || e2e_fail "app.cgi sent no ETag with /openapi.json"
# Bodies nobody reads: one over the limit, one under it refused before reading
# (for more request headers than LIMIT_HEADER_COUNT, which lighttpd and nginx pass on).
# The one over is as long as lighttpd.conf lets through to the service (its
# server.max-request-size: the limit in KiB, plus 1 KiB); longer, lighttpd answers
# the 413 itself, without asking the service (tests/e2e/lighttpd_body_limit.sh).
head -c $(( (LIMIT / 1024 + 1) * 1024 )) /dev/zero | tr '\0' a >"$E2E_TMP/big"
head -c 150000 /dev/zero | tr '\0' b >"$E2E_TMP/mid"
for i in $(seq 210); do echo "X-Pad-$i: $i"; done >"$E2E_TMP/headers"

# The cases: name, status, expected body, method, path, body file (or -).
CASES="openapi 200 openapi GET /openapi.json -
bundle 200 bundle GET /docs/swagger-ui-bundle.js -
413 413 413 POST /math/add big
431 431 431 POST /math/add mid
304 304 304 GET /openapi.json -"

# ---- the two ways of asking --------------------------------------------------

# over_http BASE OUT CASE...: one request with curl; "STATUS SIZE" on stdout, body in OUT.
over_http() {
	_base=$1 _out=$2 _case=$3 _method=$6 _path=$7 _body=$8
	: >"$_out" # (curl makes no file for an empty body)
	set -- -s --max-time 20 -o "$_out" -w '%{http_code} %{size_download}' -X "$_method"
	[ "$_body" != - ] && set -- "$@" -H 'Content-Type: text/plain' --data-binary "@$E2E_TMP/$_body"
	[ "$_case" = 431 ] && set -- "$@" -H "@$E2E_TMP/headers"
	[ "$_case" = 304 ] && set -- "$@" -H "If-None-Match: $etag"
	curl "$@" "$_base$_path"
}

# over_cgi_fcgi ADDRESS OUT CASE...: the same through cgi-fcgi -connect (a CGI response on stdout).
over_cgi_fcgi() {
	_addr=$1 _out=$2 _method=$6 _path=$7 _body=$8
	_query=
	case $_path in *\?*) _query=${_path#*\?} ;; esac
	_in=/dev/null _len=
	[ "$_body" != - ] && _in=$E2E_TMP/$_body _len=$(wc -c <"$_in")
	_headers=
	[ "$3" = 431 ] && _headers=$(sed 's/^X-Pad-\([0-9]*\): \(.*\)/HTTP_X_PAD_\1=\2/' "$E2E_TMP/headers")
	[ "$3" = 304 ] && _headers="HTTP_IF_NONE_MATCH=$etag"
	# shellcheck disable=SC2086 # one NAME=value word per header
	env -i $_headers REQUEST_METHOD="$_method" REQUEST_URI="$_path" QUERY_STRING="$_query" SCRIPT_NAME= \
		CONTENT_LENGTH="$_len" CONTENT_TYPE=text/plain SERVER_NAME=127.0.0.1 SERVER_PORT=80 \
		GATEWAY_INTERFACE=CGI/1.1 SERVER_PROTOCOL=HTTP/1.1 REMOTE_ADDR=127.0.0.1 \
		timeout 20 cgi-fcgi -bind -connect "$_addr" <"$_in" >"$_out.cgi" 2>"$_out.err"
	# The head ends at the first empty line; a body shorter than its Content-Length
	# is cut short whatever its bytes say (a 304's Content-Length is the 200's).
	_head=$(sed '/^\r$/q' "$_out.cgi" | tr -d '\r')
	_hn=$(sed '/^\r$/q' "$_out.cgi" | wc -c)
	tail -c +$((_hn + 1)) "$_out.cgi" >"$_out"
	_size=$(wc -c <"$_out")
	_status=$(printf '%s\n' "$_head" | sed -n 's/^Status: \([0-9]*\).*/\1/p')
	_length=$(printf '%s\n' "$_head" | sed -n 's/^Content-Length: //p')
	if [ "$_length" = "$_size" ] || { [ "$_status" = 304 ] && [ "$_size" = 0 ]; }; then
		echo "${_status:-000} $_size"
	else
		echo "cut $_size"
	fi
}

# front NAME HOW TARGET: every case ROUNDS times, three requests in flight at once.
FRONTS=0
front() {
	_t0=$(date +%s.%N)
	_name=$1 _how=$2 _target=$3
	FRONTS=$((FRONTS + 1))
	: >"$E2E_TMP/results"
	for _r in $(seq "$ROUNDS"); do
		# (a bare wait here would also wait for the servers and the watchdog)
		echo "$CASES" | {
			while read -r _case _status _exp _m _p _b; do
				_out=$E2E_TMP/out/$FRONTS.$_case.$_r
				(
					_got=$($_how "$_target" "$_out" "$_case" "$_status" "$_exp" "$_m" "$_p" "$_b")
					if [ "${_got% *}" = "$_status" ] && cmp -s "$_out" "$EXP/$_exp"; then
						echo ok
					else
						echo "FAIL $_name $_case round $_r: got '$_got' ($(wc -c <"$_out" 2>/dev/null) bytes)," \
							"want $_status ($(wc -c <"$EXP/$_exp") bytes)"
					fi
				) >>"$E2E_TMP/results" &
				[ "$_case" = bundle ] && wait # at most three at a time
			done
			wait
		}
	done
	_ok=$(grep -c '^ok$' "$E2E_TMP/results")
	_want=$((ROUNDS * 5))
	if [ "$_ok" -eq "$_want" ]; then
		e2e_pass
	else
		grep '^FAIL' "$E2E_TMP/results" | head -5 >&2
		e2e_fail "$_name: $_ok of $_want answers whole"
	fi
	rm -f "$E2E_TMP"/out/*
	awk -v t0="$_t0" -v t1="$(date +%s.%N)" -v n="$_name" 'BEGIN { printf "  %s: %.1f s\n", n, t1 - t0 }' >&2
}

# ---- lighttpd with lighttpd.conf, /docs/ files through the service ----------------

sed -e 's|\$HTTP\["url"\] !~ "^/docs/."|$HTTP["url"] !~ "^/not-served-statically/."|' lighttpd.conf >"$E2E_TMP/lighttpd.conf"
grep -q not-served-statically "$E2E_TMP/lighttpd.conf" || e2e_fail "lighttpd.conf no longer has the /docs/ condition"
lport=$(free_port)
mkdir -p "$E2E_TMP/app"
ln -s "$BUILD_ABS/app.fcgi" "$E2E_TMP/app/app.fcgi"
PORT=$lport BIND=127.0.0.1 APP_DIR=$E2E_TMP/app FCGI_PROCS=2 SOCKET_DIR=$E2E_TMP ACCESS_LOG=/dev/null \
	e2e_bg lighttpd -D -f "$E2E_TMP/lighttpd.conf" 2>"$E2E_TMP/lighttpd.log"
lighttpd_pid=$!
wait_ok "http://127.0.0.1:$lport/ping" 20 || exit 1
front lighttpd over_http "http://127.0.0.1:$lport"
kill -TERM "$lighttpd_pid"
wait "$lighttpd_pid"

# ---- the standalone manager on TCP and on a unix socket ---------------------------

tport=$(free_port)
manager_start "127.0.0.1:$tport" 2
tcp_manager=$MANAGER_PID
sock=$E2E_TMP/app.sock
manager_start "$sock" 2
unix_manager=$MANAGER_PID

for upstream in "127.0.0.1:$tport" "unix:$sock"; do
	for keep in "" 1; do
		NGINX_NO_STATIC=1 NGINX_KEEP_CONN=$keep nginx_start "$upstream" || exit 1
		wait_ok "$NGINX_BASE/ping" 20 || exit 1
		front "nginx${keep:+ fastcgi_keep_conn} to $upstream" over_http "$NGINX_BASE"
		kill -TERM "$NGINX_PID"
		wait "$NGINX_PID"
	done
done

front "cgi-fcgi to 127.0.0.1:$tport" over_cgi_fcgi "127.0.0.1:$tport"
front "cgi-fcgi to $sock" over_cgi_fcgi "$sock"

# No worker died or complained on the way.
for m in $tcp_manager $unix_manager; do
	alive "$m" && e2e_pass || e2e_fail "manager $m is gone"
done
if grep -i 'error\|died\|signal' "$E2E_TMP/manager.log" >/dev/null; then
	e2e_fail "manager log: $(head -3 "$E2E_TMP/manager.log")"
else
	e2e_pass
fi

e2e_finish
