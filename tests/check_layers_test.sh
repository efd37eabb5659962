#!/bin/sh
# tests/check_layers.sh must pass on app/ and fail on a copy of app/ with one
# forbidden include planted at a time.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT INT TERM
"$here/check_layers.sh" app >/dev/null
passed=1 failed=0
# plant FILE LINE: the check must now fail.
plant() {
	rm -rf "$tmp/app"
	cp -r app "$tmp/app"
	printf '%s\n' "$2" >>"$tmp/app/$1"
	if "$here/check_layers.sh" "$tmp/app" >/dev/null 2>&1; then
		echo "FAIL: check_layers.sh accepted $2 in app/$1"
		failed=$((failed + 1))
	else
		passed=$((passed + 1))
	fi
}
plant core/str.c '#include "http/request.h"'
plant http/router.c '#include "service/service.h"'
plant service/routes.c '#include "cgi_env/cgi_env.h"'
plant cgi_env/serve.c '#include "lambda_events/lambda_event.h"'
plant lambda_events/event.c '#include "cgi_env/cgi_env.h"'
plant core/kvlist.h '#include "str.h"'
plant http/request.c '#include <curl/curl.h>'
plant cgi_env/cgi_env.c '#include <fcgiapp.h>'
echo "check_layers: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
