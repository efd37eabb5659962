#!/bin/sh
# One answer per request whatever the target, with lighttpd in front: the same
# HTTP requests (malformed escapes, invalid UTF-8, NUL, long queries, bodiless
# methods, POST without Content-Length among them) through lighttpd.conf (FastCGI) and deploy/lighttpd-cgi.conf
# (CGI) give byte-identical responses (but for Date, and the script name in a
# Location), and the same status and body as build/app.cgi run directly with the
# request's REQUEST_URI: lighttpd neither rewrites the URL nor answers in the
# service's place (server.http-parseopts). /openapi.json is left out: under the
# CGI's prefix it names that prefix as its server, on purpose.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/fcgi_lib.sh"
. "$(dirname "$0")/front_same.sh"
e2e_start lighttpd-same

build=$(cd "$BUILD" && pwd)
export EXECUTION_ENVIRONMENT=ecs
fport=$(free_port)
cport=$(free_port)
mkdir -p "$E2E_TMP/www"
e2e_bg env PORT="$fport" BIND=127.0.0.1 APP_DIR="$build" FCGI_PROCS=1 SOCKET_DIR="$E2E_TMP" \
	ACCESS_LOG="$E2E_TMP/fcgi-access.log" lighttpd -D -f lighttpd.conf 2>>"$E2E_TMP/error.log"
e2e_bg env PORT="$cport" CGI_DIR="$build" DOC_ROOT="$E2E_TMP/www" ACCESS_LOG="$E2E_TMP/cgi-access.log" \
	lighttpd -D -f deploy/lighttpd-cgi.conf 2>>"$E2E_TMP/error.log"
fcgi=http://127.0.0.1:$fport
cgi=http://127.0.0.1:$cport/cgi-bin/app.cgi
wait_ok "$fcgi/ping" || exit 1
wait_ok "$cgi/ping" || exit 1

# shellcheck disable=SC2034 # read by front_response
FRONT_PORTS="$cport $fport"

# same METHOD TARGET curl-args...: both lighttpds agree byte for byte, and with app.cgi.
same() {
	_m=$1 _t=$2
	shift 2
	_how="-X $_m"
	[ "$_m" = HEAD ] && _how=-I
	front_response "$fcgi$_t" "$E2E_TMP/f" $_how "$@"
	front_response "$cgi$_t" "$E2E_TMP/c" $_how "$@"
	if ! [ -s "$E2E_TMP/f" ] || ! cmp -s "$E2E_TMP/f" "$E2E_TMP/c"; then
		e2e_fail "$_m $(printf %s "$_t" | head -c 80): FastCGI and CGI behind lighttpd differ:
--- fcgi
$(head -c 500 "$E2E_TMP/f")
--- cgi
$(head -c 500 "$E2E_TMP/c")"
		return
	fi
	front_direct "$_m" "$_t" "$E2E_TMP/d"
	front_status_body "$E2E_TMP/f" "$E2E_TMP/fd"
	if cmp -s "$E2E_TMP/fd" "$E2E_TMP/d"; then
		e2e_pass
	else
		e2e_fail "$_m $(printf %s "$_t" | head -c 80): behind lighttpd '$(head -c 200 "$E2E_TMP/fd")', app.cgi alone '$(head -c 200 "$E2E_TMP/d")'"
	fi
}

front_get_targets >"$E2E_TMP/targets"
while IFS= read -r t; do
	same GET "$t"
	same HEAD "$t"
done <"$E2E_TMP/targets"
# Bodiless methods with curl's defaults (-X METHOD, no data, so no
# Content-Length). A POST without Content-Length is refused by lighttpd itself
# (411) and reaches the service through server.error-handler, which answers
# it as the POST with an empty body: through both fronts, as app.cgi alone.
for m in POST PUT DELETE PATCH OPTIONS; do
	same "$m" /api/v1/users/
	same "$m" /api/v1/users/7
	same "$m" /ping
done
front_post_targets >"$E2E_TMP/targets"
while IFS= read -r t; do
	same POST "$t"
done <"$E2E_TMP/targets"

e2e_finish
