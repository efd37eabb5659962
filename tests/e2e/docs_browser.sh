#!/bin/sh
# Swagger UI in a real browser (Debian's chromium, headless; docs_browser.py):
# "Try it out" / "Execute" on GET /math/add with i = 5 and 10 shows 15, with the
# service at / behind lighttpd.conf and under make run-cgi's prefix
# (/cgi-bin/app.cgi, deploy/lighttpd-cgi.conf), where only the servers entry of
# /openapi.json sends the call to the prefixed URL. Screenshots of both pages:
# $BUILD/docs-browser-root.png and $BUILD/docs-browser-cgi.png.
. "$(dirname "$0")/lib.sh"
E2E_TIMEOUT=${E2E_TIMEOUT:-180}
e2e_start docs-browser

build=$(cd "$BUILD" && pwd)
fport=$(free_port)
cport=$(free_port)
mkdir -p "$E2E_TMP/www"
e2e_bg env PORT="$fport" BIND=127.0.0.1 APP_DIR="$build" FCGI_PROCS=1 SOCKET_DIR="$E2E_TMP" LOG_FORMAT=off \
	lighttpd -D -f lighttpd.conf 2>>"$E2E_TMP/error.log"
# As make run-cgi starts it.
e2e_bg env PORT="$cport" CGI_DIR="$build" DOC_ROOT="$E2E_TMP/www" ACCESS_LOG=/dev/null APP_MAX_BODY_BYTES= \
	EXECUTION_ENVIRONMENT= lighttpd -D -f deploy/lighttpd-cgi.conf 2>>"$E2E_TMP/error.log"
wait_http "http://127.0.0.1:$fport/ping" || exit 1
wait_http "http://127.0.0.1:$cport/cgi-bin/app.cgi/ping" || exit 1

# try_it WHAT DOCS_URL WANT_URL SHOT: the page shows 15 from a call to WANT_URL.
try_it() {
	if out=$(timeout 90 python3 "$(dirname "$0")/docs_browser.py" "$2" "$4" 2>"$E2E_TMP/browser.err"); then
		:
	fi
	want="{\"body\": \"15\", \"url\": \"$3\"}"
	if [ "$out" = "$want" ]; then
		e2e_pass
	else
		e2e_fail "$1: wanted $want, got '$out' $(tail -3 "$E2E_TMP/browser.err")"
	fi
	[ -s "$4" ] && e2e_pass || e2e_fail "$1: no screenshot $4"
}

try_it "lighttpd + FastCGI at /" "http://127.0.0.1:$fport/docs" \
	"http://127.0.0.1:$fport/math/add?i=5&i=10" "$build/docs-browser-root.png"
try_it "lighttpd + CGI under /cgi-bin/app.cgi" "http://127.0.0.1:$cport/cgi-bin/app.cgi/docs" \
	"http://127.0.0.1:$cport/cgi-bin/app.cgi/math/add?i=5&i=10" "$build/docs-browser-cgi.png"

e2e_finish
