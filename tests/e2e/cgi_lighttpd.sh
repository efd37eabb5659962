#!/bin/sh
# End to end: build/app.cgi under a real lighttpd mod_cgi on 127.0.0.1, checked with curl.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/spec_checks.sh"
e2e_start cgi-lighttpd

port=$(free_port)
mkdir -p "$E2E_TMP/www"
base=http://127.0.0.1:$port/cgi-bin/app.cgi
PORT=$port CGI_DIR=$(cd "$BUILD" && pwd) DOC_ROOT=$E2E_TMP/www ACCESS_LOG=$E2E_TMP/access.log \
	APP_MAX_BODY_BYTES=$SPEC_BODY_LIMIT EXECUTION_ENVIRONMENT= \
	e2e_bg lighttpd -D -f deploy/lighttpd-cgi.conf 2>>"$E2E_TMP/lighttpd.log"
wait_http "$base/ping" || exit 1

spec_checks "$base" cgi

# Mounted under a script name: the script itself is the root.
check "health without PATH_INFO" 200 '{"status":"OK"}' "$base"
# The CGI serves the docs assets itself, from a fixed list.
check "docs asset outside the list" 404 '{"detail":"Not Found"}' "$base/docs/index.html"

# Only the program is under /cgi-bin/, though CGI_DIR is build/ as in make run-cgi
# (it served the other binaries, libapp.a and the objects), and no Server header
# names lighttpd's version (issue 27).
for f in app.fcgi bootstrap libapp.a obj/ errors/404.html docs/swagger-ui.css app.cgiX; do
	check "build/$f not served" 404 '{"detail":"Not Found"}' "http://127.0.0.1:$port/cgi-bin/$f"
done
check "the program by an escaped name" 200 '{"Success":"Pong!"}' "http://127.0.0.1:$port/cgi-bin/%61pp.cgi/ping"
if curl -s --max-time 10 -D - -o /dev/null "$base/ping" "http://127.0.0.1:$port/cgi-bin/nope" | grep -qi '^Server:'; then
	e2e_fail "a Server header: $(curl -s -D - -o /dev/null "$base/ping" | grep -i '^Server:')"
else
	e2e_pass
fi

e2e_finish
