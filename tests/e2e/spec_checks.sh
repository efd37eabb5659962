# Every row of SPEC.md, checked with curl against a running server (POSIX sh, sourced
# after lib.sh). Each e2e test starts its own server set-up, then calls:
#
#   spec_checks BASE TARGET     BASE: the service's URL without a trailing slash
#                               TARGET: the word /hello says ("cgi", "fcgi", ...)
#
# The server must run with APP_MAX_BODY_BYTES=$SPEC_BODY_LIMIT and EXECUTION_ENVIRONMENT
# unset or empty. The limit is above one FastCGI record (65535 bytes) so that bodies
# crossing several FCGI_STDIN records are covered.

SPEC_BODY_LIMIT=200000

# A file of N bytes (printable, so a failure message stays readable).
spec_body_file() {
	head -c "$1" /dev/zero | tr '\0' 'a' > "$2"
}

spec_endpoints() {
	_b=$1
	check "health" 200 '{"status":"OK"}' "$_b/"
	check "math add" 200 '15' "$_b/math/add?i=5&i=10"
	check "math add no i" 200 '0' "$_b/math/add"
	check "math add huge" 200 '100000000000000000000' "$_b/math/add?i=99999999999999999999&i=1"
	check "math add signs and spaces" 200 '-3' "$_b/math/add?i=+2&i=%20-5%20"
	check "ping" 200 '{"Success":"Pong!"}' "$_b/ping"
	# Front servers want a Content-Length on bodies' methods (411 otherwise), as curl sends with --data.
	for _m in GET DELETE OPTIONS; do
		check "users $_m" 200 '{"Success":"All users!"}' -X "$_m" "$_b/api/v1/users/"
		check "user $_m" 200 '{"Success":"This is one user!"}' -X "$_m" "$_b/api/v1/users/7"
	done
	for _m in POST PUT PATCH; do
		check "users $_m" 200 '{"Success":"All users!"}' -X "$_m" --data '' "$_b/api/v1/users/"
		check "user $_m" 200 '{"Success":"This is one user!"}' -X "$_m" --data 'x=1' "$_b/api/v1/users/7"
	done
	check "item" 200 '{"item_id":42,"q":"text"}' "$_b/items/42?q=text"
	check "item without q" 200 '{"item_id":42,"q":null}' "$_b/items/42"
	check "item decoded q" 200 '{"item_id":-7,"q":"a b&c"}' "$_b/items/-7?q=a+b%26c"
	check "item encoded path" 200 '{"item_id":42,"q":"é"}' "$_b/items/%34%32?q=%C3%A9"
	check "hello" 200 "\"Hello from $2\"" "$_b/hello"
	check_header "math add content type" 'Content-Type: text/plain; charset=utf-8' "$_b/math/add"
	check_header "json content type" 'Content-Type: application/json' "$_b/ping"
}

spec_errors() {
	_b=$1
	check "unknown path" 404 '{"detail":"Not Found"}' "$_b/nope"
	check "wrong method" 405 '{"detail":"Method Not Allowed"}' --data '' "$_b/ping"
	check_header "wrong method allow" 'Allow: GET, HEAD' --data '' "$_b/ping"
	check "bad int" 422 '{"detail":[{"type":"int_parsing","loc":["query","i",1],"msg":"Input should be a valid integer, unable to parse string as an integer","input":"x"}]}' "$_b/math/add?i=1&i=x"
	check "bad item id" 422 '{"detail":[{"type":"int_parsing","loc":["path","item_id"],"msg":"Input should be a valid integer, unable to parse string as an integer","input":"4.2"}]}' "$_b/items/4.2"
	check "redirect slashes" 307 '' "$_b/api/v1/users"
	check_header "redirect location" "Location: $_b/api/v1/users/" "$_b/api/v1/users"
	check "redirect keeps query" 307 '' "$_b/ping/?a=1"
	check_header "redirect query location" "Location: $_b/ping?a=1" "$_b/ping/?a=1"
}

# HEAD: GET's headers, no body.
spec_head() {
	_b=$1
	if [ "$(curl -s -I -o /dev/null -w '%{http_code} %{size_download}' "$_b/ping")" = "200 0" ]; then
		e2e_pass
	else
		e2e_fail "HEAD /ping is not a 200 without a body"
	fi
	check_header "head length" 'Content-Length: 19' -I "$_b/ping"
	check_header "head math type" 'Content-Type: text/plain; charset=utf-8' -I "$_b/math/add?i=1"
}

# Bodies: binary-safe, several transport records long, and over the limit a 413
# after which the same server keeps answering.
spec_bodies() {
	_b=$1
	printf 'a\0b' > "$E2E_TMP/nul"
	check "binary body accepted" 200 '{"Success":"All users!"}' --data-binary @"$E2E_TMP/nul" "$_b/api/v1/users/"
	spec_body_file 150000 "$E2E_TMP/large"
	check "body of several records" 200 '{"Success":"This is one user!"}' --data-binary @"$E2E_TMP/large" "$_b/api/v1/users/9"
	# Chunked: the front server collects the body and passes its length on.
	check "chunked body" 200 '{"Success":"This is one user!"}' -H 'Transfer-Encoding: chunked' \
		--data-binary @"$E2E_TMP/large" "$_b/api/v1/users/9"
	spec_body_file "$SPEC_BODY_LIMIT" "$E2E_TMP/limit"
	check "body at the limit" 200 '{"Success":"All users!"}' --data-binary @"$E2E_TMP/limit" "$_b/api/v1/users/"
	spec_body_file $((SPEC_BODY_LIMIT + 1)) "$E2E_TMP/over"
	check "body over limit" 413 "{\"detail\":\"Request body too large (limit $SPEC_BODY_LIMIT bytes)\"}" \
		--data-binary @"$E2E_TMP/over" "$_b/api/v1/users/"
	check "chunked body over limit" 413 "{\"detail\":\"Request body too large (limit $SPEC_BODY_LIMIT bytes)\"}" \
		-H 'Transfer-Encoding: chunked' --data-binary @"$E2E_TMP/over" "$_b/api/v1/users/"
	check "served after a 413" 200 '{"Success":"Pong!"}' "$_b/ping"
}

# Many requests on one connection: curl reuses it for every URL of one invocation.
spec_keep_alive() {
	_b=$1
	_urls=""
	_i=0
	while [ $_i -lt 50 ]; do
		_urls="$_urls $_b/math/add?i=$_i&i=1 $_b/ping"
		_i=$((_i + 1))
	done
	# shellcheck disable=SC2086 # one word per URL
	_out=$(curl -s --max-time 20 -w '\n@@ %{http_code} %{num_connects}\n' $_urls | sed -n 's/^@@ //p')
	_codes=$(printf '%s\n' "$_out" | awk '{print $1}' | sort -u | tr '\n' ' ')
	_connects=$(printf '%s\n' "$_out" | awk '{n += $2} END {print n}')
	_count=$(printf '%s\n' "$_out" | wc -l)
	if [ "$_codes" = "200 " ] && [ "$_connects" = 1 ] && [ "$_count" = 100 ]; then
		e2e_pass
	else
		e2e_fail "keep-alive: 100 requests wanted 200s over 1 connection, got codes '$_codes' over $_connects connections ($_count answers)"
	fi
	# With a body too: POSTs on one connection, each answered in full.
	_out=$(curl -s --max-time 20 -w '\n@@ %{http_code} %{num_connects}\n' \
		--data 'x=1' "$_b/api/v1/users/" "$_b/api/v1/users/1" "$_b/api/v1/users/2" | sed -n 's/^@@ //p')
	if [ "$(printf '%s\n' "$_out" | tr '\n' ' ')" = "200 1 200 0 200 0 " ]; then
		e2e_pass
	else
		e2e_fail "keep-alive POSTs: $(printf '%s\n' "$_out" | tr '\n' ' ')"
	fi
}

# OpenAPI document and the Swagger UI page, served without a CDN.
spec_docs() {
	_b=$1
	check_header "openapi type" 'Content-Type: application/json' "$_b/openapi.json"
	if curl -s "$_b/openapi.json" | python3 -c 'import json,sys; d=json.load(sys.stdin); assert d["openapi"].startswith("3.1"); assert "/items/{item_id}" in d["paths"]'; then
		e2e_pass
	else
		e2e_fail "openapi.json is not an OpenAPI 3.1 document of the routes"
	fi
	check_header "docs html" 'Content-Type: text/html; charset=utf-8' "$_b/docs"
	if curl -s "$_b/docs" | grep -q 'https\?://'; then
		e2e_fail "docs page refers to an external URL"
	else
		e2e_pass
	fi
	check_header "redoc html" 'Content-Type: text/html; charset=utf-8' "$_b/redoc"
	if curl -s "$_b/redoc" | grep -q 'https\?://'; then
		e2e_fail "redoc page refers to an external URL"
	else
		e2e_pass
	fi
	for _asset in swagger-ui.css swagger-ui-bundle.js favicon-32x32.png redoc.standalone.js; do
		check_header "docs asset $_asset" 'HTTP/1.1 200 OK' "$_b/docs/$_asset"
	done
}

spec_checks() {
	spec_endpoints "$1" "$2"
	spec_errors "$1"
	spec_head "$1"
	spec_bodies "$1"
	spec_keep_alive "$1"
	spec_docs "$1"
}
