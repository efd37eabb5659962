#!/bin/sh
# make-test: asan
# The FastCGI target answers byte for byte as the CGI target: the same request
# variables and body go to build/app.cgi (environment, stdin) and to the standalone
# FastCGI workers (through cgi-fcgi, a real FastCGI client), and the two CGI-style
# outputs (Status line, headers, body) must be identical.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/fcgi_lib.sh"
e2e_start fcgi-same-as-cgi

fport=$(free_port)
# /hello names the environment, not the target, so that both say the same.
EXECUTION_ENVIRONMENT=ecs manager_start "127.0.0.1:$fport" 2
until timeout 5 env -i REQUEST_URI=/ping cgi-fcgi -bind -connect "127.0.0.1:$fport" </dev/null >/dev/null 2>&1; do
	sleep 0.1
done

# same WHAT BODY_FILE VAR=value...: one request both ways, outputs compared but
# for the X-Request-Id line (a fresh random id per request). Access lines go to cgi.log.
same() {
	_what=$1 _body=$2
	shift 2
	timeout 10 env -i EXECUTION_ENVIRONMENT=ecs APP_MAX_BODY_BYTES="$APP_MAX_BODY_BYTES" "$@" \
		"$BUILD/app.cgi" <"$_body" 2>>"$E2E_TMP/cgi.log" | grep -av '^X-Request-Id: ' >"$E2E_TMP/cgi.out"
	timeout 10 env -i "$@" cgi-fcgi -bind -connect "127.0.0.1:$fport" <"$_body" |
		grep -av '^X-Request-Id: ' >"$E2E_TMP/fcgi.out"
	if [ -s "$E2E_TMP/cgi.out" ] && cmp -s "$E2E_TMP/cgi.out" "$E2E_TMP/fcgi.out"; then
		e2e_pass
	else
		e2e_fail "$_what: CGI and FastCGI differ:
--- cgi
$(head -c 400 "$E2E_TMP/cgi.out")
--- fcgi
$(head -c 400 "$E2E_TMP/fcgi.out")"
	fi
}

. "$(dirname "$0")/same_requests.sh"
same_requests

kill -TERM "$MANAGER_PID"
wait "$MANAGER_PID"
[ $? -eq 0 ] && e2e_pass || e2e_fail "manager exit status"
e2e_finish
