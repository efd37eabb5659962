# Every row of docs/spec.md (tests/spec_cases.tsv), checked with curl against a running
# server, and what only a server in front can be asked (chunked bodies, keep-alive, the
# docs assets). POSIX sh, sourced after lib.sh. Each e2e test starts its own server
# set-up, then calls:
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

# spec_table BASE TARGET [all|peer]: the rows of tests/spec_cases.tsv for "http" (with
# curl, through tests/e2e/e2e_client.py): status, body (none after a HEAD), Content-Type
# and the row's headers; "peer": the 2xx rows another implementation must answer alike.
spec_table() {
	e2e_client spec-http "$1" "$2" "$E2E_TMP" "${3:-all}" >"$E2E_TMP/spec.out"
	_rc=$?
	while IFS= read -r _line; do
		case $_line in
		ok) e2e_pass ;;
		*) e2e_fail "${_line#FAIL }" ;;
		esac
	done <"$E2E_TMP/spec.out"
	[ "$_rc" -eq 0 ] || e2e_fail "spec table: e2e_client.py spec-http exit $_rc"
}

# spec_table_encoded BASE TARGET: every row again with Accept-Encoding "br, zstd, gzip",
# then "gzip" (SPEC_ACCEPT_ENCODING, e2e_client.py spec-http): each answer decoded per its
# Content-Encoding is the plain answer byte for byte, and is encoded exactly where the body
# is at least COMPRESS_MIN_BYTES (default) of a compressible type. The server must run with
# COMPRESS_MIN_BYTES unset or empty.
spec_table_encoded() {
	SPEC_ACCEPT_ENCODING="br, zstd, gzip" spec_table "$1" "$2"
	SPEC_ACCEPT_ENCODING=gzip spec_table "$1" "$2"
}

# The endpoints' 2xx rows (bench_peer.sh: the FastAPI peer must answer them alike).
spec_endpoints() {
	spec_table "$1" "$2" peer
}

# Bodies a front server collects (chunked), and over the limit a 413 after which the
# same server keeps answering (the table has the plain ones).
spec_bodies() {
	_b=$1
	spec_body_file 150000 "$E2E_TMP/large"
	# Chunked: the front server collects the body and passes its length on.
	check "chunked body" 200 '{"Success":"This is one user!"}' -H 'Transfer-Encoding: chunked' \
		--data-binary @"$E2E_TMP/large" "$_b/api/v1/users/9"
	spec_body_file $((SPEC_BODY_LIMIT + 1)) "$E2E_TMP/over"
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
	if curl -s "$_b/openapi.json" | e2e_client openapi-document; then
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
	spec_table "$1" "$2"
	spec_bodies "$1"
	spec_keep_alive "$1"
	spec_docs "$1"
}
