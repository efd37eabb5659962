#!/bin/sh
# Swagger UI in a real browser (Debian's chromium, headless; docs_browser.py):
# "Try it out" / "Execute" on GET /math/add with i = 5 and 10 shows 15, with the
# service at / behind lighttpd.conf and under make run-cgi's prefix
# (/cgi-bin/app.cgi, deploy/lighttpd-cgi.conf), where only the servers entry of
# /openapi.json sends the call to the prefixed URL. Screenshots of both pages:
# $BUILD/docs-browser-root.png and $BUILD/docs-browser-cgi.png.
# Both pages carry security headers (issue 27): a Content-Security-Policy that
# lets them load their own files only (Swagger UI's inline script by its hash,
# ReDoc's inline styles and its search's blob: Web Worker), frame-ancestors
# 'none', X-Content-Type-Options: nosniff, Referrer-Policy: no-referrer. The
# pages must work under them: Swagger UI's "Try it out" with no violation at
# all, ReDoc showing /math/add and finding it with its search, with the one
# violation meant: its "powered by" logo from cdn.redoc.ly is not loaded.
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
	want="{\"body\": \"15\", \"url\": \"$3\", \"csp\": []}"
	if [ "$out" = "$want" ]; then
		e2e_pass
	else
		e2e_fail "$1: wanted $want, got '$out' $(tail -3 "$E2E_TMP/browser.err")"
	fi
	[ -s "$4" ] && e2e_pass || e2e_fail "$1: no screenshot $4"
}

# redoc WHAT REDOC_URL SHOT: ReDoc renders and searches under its policy.
redoc() {
	out=$(timeout 90 python3 "$(dirname "$0")/docs_browser.py" --redoc "$2" "$3" 2>"$E2E_TMP/browser.err")
	want='{"redoc": ["Addition", "getAddition"], "csp": ["img-src https://cdn.redoc.ly/redoc/logo-mini.svg"]}'
	if [ "$out" = "$want" ]; then
		e2e_pass
	else
		e2e_fail "$1: wanted $want, got '$out' $(tail -3 "$E2E_TMP/browser.err")"
	fi
}

# headers WHAT URL: the page's security headers.
headers() {
	curl -s --max-time 10 -D "$E2E_TMP/h" -o /dev/null "$2"
	_csp=$(tr -d '\r' <"$E2E_TMP/h" | sed -n 's/^Content-Security-Policy: //Ip')
	case $_csp in
	"default-src 'none';"*"frame-ancestors 'none'"*) e2e_pass ;;
	*) e2e_fail "$1: Content-Security-Policy '$_csp'" ;;
	esac
	for _h in 'X-Content-Type-Options: nosniff' 'Referrer-Policy: no-referrer' 'X-Frame-Options: DENY'; do
		tr -d '\r' <"$E2E_TMP/h" | grep -qixF -- "$_h" && e2e_pass || e2e_fail "$1: no '$_h'"
	done
}

for page in docs redoc; do
	headers "/$page through lighttpd + FastCGI" "http://127.0.0.1:$fport/$page"
	headers "/$page through lighttpd + CGI" "http://127.0.0.1:$cport/cgi-bin/app.cgi/$page"
done
redoc "ReDoc through lighttpd + FastCGI" "http://127.0.0.1:$fport/redoc" "$E2E_TMP/redoc-root.png"
redoc "ReDoc through lighttpd + CGI" "http://127.0.0.1:$cport/cgi-bin/app.cgi/redoc" "$E2E_TMP/redoc-cgi.png"

try_it "lighttpd + FastCGI at /" "http://127.0.0.1:$fport/docs" \
	"http://127.0.0.1:$fport/math/add?i=5&i=10" "$build/docs-browser-root.png"
try_it "lighttpd + CGI under /cgi-bin/app.cgi" "http://127.0.0.1:$cport/cgi-bin/app.cgi/docs" \
	"http://127.0.0.1:$cport/cgi-bin/app.cgi/math/add?i=5&i=10" "$build/docs-browser-cgi.png"

e2e_finish
