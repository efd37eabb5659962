#!/bin/sh
# End to end: build/app.cgi under a real lighttpd mod_cgi on 127.0.0.1, checked with curl.
. "$(dirname "$0")/lib.sh"
e2e_start cgi-lighttpd

port=$(free_port)
mkdir -p "$E2E_TMP/www"
base=http://127.0.0.1:$port/cgi-bin/app.cgi
PORT=$port CGI_DIR=$(cd "$BUILD" && pwd) DOC_ROOT=$E2E_TMP/www ACCESS_LOG=$E2E_TMP/access.log \
	APP_MAX_BODY_BYTES=4096 EXECUTION_ENVIRONMENT= \
	e2e_bg lighttpd -D -f deploy/lighttpd-cgi.conf
wait_http "$base/ping" || exit 1

# Every endpoint of SPEC.md.
check "health" 200 '{"status":"OK"}' "$base/"
check "health without PATH_INFO" 200 '{"status":"OK"}' "$base"
check "math add" 200 '15' "$base/math/add?i=5&i=10"
check "math add no i" 200 '0' "$base/math/add"
check "math add huge" 200 '100000000000000000000' "$base/math/add?i=99999999999999999999&i=1"
check "math add signs and spaces" 200 '-3' "$base/math/add?i=+2&i=%20-5%20"
check "ping" 200 '{"Success":"Pong!"}' "$base/ping"
# lighttpd wants a Content-Length on bodies' methods (411 otherwise), as curl sends with --data.
for m in GET DELETE OPTIONS; do
	check "users $m" 200 '{"Success":"All users!"}' -X "$m" "$base/api/v1/users/"
	check "user $m" 200 '{"Success":"This is one user!"}' -X "$m" "$base/api/v1/users/7"
done
for m in POST PUT PATCH; do
	check "users $m" 200 '{"Success":"All users!"}' -X "$m" --data '' "$base/api/v1/users/"
	check "user $m" 200 '{"Success":"This is one user!"}' -X "$m" --data 'x=1' "$base/api/v1/users/7"
done
check "item" 200 '{"item_id":42,"q":"text"}' "$base/items/42?q=text"
check "item without q" 200 '{"item_id":42,"q":null}' "$base/items/42"
check "item decoded q" 200 '{"item_id":-7,"q":"a b&c"}' "$base/items/-7?q=a+b%26c"
check "hello" 200 '"Hello from cgi"' "$base/hello"
check_header "math add content type" 'Content-Type: text/plain; charset=utf-8' "$base/math/add"
check_header "json content type" 'Content-Type: application/json' "$base/ping"

# Errors, FastAPI's shapes.
check "unknown path" 404 '{"detail":"Not Found"}' "$base/nope"
check "wrong method" 405 '{"detail":"Method Not Allowed"}' --data '' "$base/ping"
check_header "wrong method allow" 'Allow: GET, HEAD' --data '' "$base/ping"
check "bad int" 422 '{"detail":[{"type":"int_parsing","loc":["query","i",1],"msg":"Input should be a valid integer, unable to parse string as an integer","input":"x"}]}' "$base/math/add?i=1&i=x"
check "bad item id" 422 '{"detail":[{"type":"int_parsing","loc":["path","item_id"],"msg":"Input should be a valid integer, unable to parse string as an integer","input":"4.2"}]}' "$base/items/4.2"
check "redirect slashes" 307 '' "$base/api/v1/users"
check_header "redirect location" "Location: $base/api/v1/users/" "$base/api/v1/users"
check "redirect keeps query" 307 '' "$base/ping/?a=1"
check_header "redirect query location" "Location: $base/ping?a=1" "$base/ping/?a=1"

# HEAD: GET's headers, no body.
if [ "$(curl -s -I -o /dev/null -w '%{http_code} %{size_download}' "$base/ping")" = "200 0" ]; then
	e2e_pass
else
	e2e_fail "HEAD /ping is not a 200 without a body"
fi
check_header "head length" 'Content-Length: 19' -I "$base/ping"

# Malformed input that lighttpd passes on gets a 4xx JSON answer. (lighttpd itself
# re-encodes bad escapes and refuses %00; tests/e2e/cgi_shell.sh covers those in the CGI.)
head -c 5000 /dev/zero > "$E2E_TMP/big"
check "body over limit" 413 '{"detail":"Request body too large (limit 4096 bytes)"}' --data-binary @"$E2E_TMP/big" "$base/api/v1/users/"
printf 'a\0b' > "$E2E_TMP/nul"
check "binary body accepted" 200 '{"Success":"All users!"}' --data-binary @"$E2E_TMP/nul" "$base/api/v1/users/"

# OpenAPI and the docs, served without a CDN.
check_header "openapi type" 'Content-Type: application/json' "$base/openapi.json"
if curl -s "$base/openapi.json" | python3 -c 'import json,sys; d=json.load(sys.stdin); assert d["openapi"].startswith("3.1"); assert "/items/{item_id}" in d["paths"]'; then
	e2e_pass
else
	e2e_fail "openapi.json is not an OpenAPI 3.1 document of the routes"
fi
check_header "docs html" 'Content-Type: text/html; charset=utf-8' "$base/docs"
if curl -s "$base/docs" | grep -q 'https\?://'; then
	e2e_fail "docs page refers to an external URL"
else
	e2e_pass
fi
for asset in swagger-ui.css swagger-ui-bundle.js favicon-32x32.png; do
	check_header "docs asset $asset" 'HTTP/1.1 200 OK' "$base/docs/$asset"
done
check "docs asset outside the list" 404 '{"detail":"Not Found"}' "$base/docs/index.html"

e2e_finish
