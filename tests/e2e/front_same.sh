# One answer per request whatever the front server: helpers that compare a
# front's HTTP answers with build/app.cgi's own (POSIX sh, sourced after lib.sh;
# lighttpd_same.sh, fcgi_apache.sh).
#
#   front_get_targets, front_post_targets  the request targets sent (one a line):
#                        malformed escapes, invalid UTF-8, NUL, a 32000-byte query...
#   front_response URL OUT curl-args...  the answer: status line, headers (Date,
#                        Server, the random X-Request-Id dropped; the CGI script name
#                        taken out of Location; 127.0.0.1:P for each P of $FRONT_PORTS
#                        written 127.0.0.1:PORT), body; the body alone in OUT.b
#   front_direct METHOD TARGET OUT [VAR=value...]  app.cgi alone with that REQUEST_URI
#                        and no body: "STATUS" line then the body in OUT, the whole
#                        CGI response in OUT.raw (HTTP_HOST=x unless a VAR sets it)
#   front_status_body RESPONSE OUT  a front_response's status code and body, as
#                        front_direct writes them
#   json_error WHAT STATUS curl-args...  the front's own error page: STATUS,
#                        application/json, exactly $BUILD/errors/STATUS.html
#                        (deploy/error-pages.sh), no Accept-Ranges
# The service must run with EXECUTION_ENVIRONMENT=ecs and $APP_MAX_BODY_BYTES, as
# front_direct does, so that /hello and the limits agree.

front_get_targets() {
	_long=$(head -c 32000 /dev/zero | tr '\0' a)
	for _t in / '/math/add?i=5&i=10' '/items/42?q=text' '/items/%34%32?q=%C3%A9' /hello /nope /api/v1/users \
		'/ping/?a=1' /docs /redoc \
		'/items/1?q=%ZZ' '/items/1?q=%ff%fe' '/items/1?q=%00' '/items/1?q=a%01b' '/items/1?q=%' '/items/1?q=%2' \
		'/items/%ff' '/items/1%00' '/items/%g1' '/items/%' '/api/v1/users/%e2%82%ac' '/api/v1/users/%C0%AF' \
		'/api/v1/users/a%2Fb' '/api/v1/users/a+b' "/items/1?q=$_long"; do
		printf '%s\n' "$_t"
	done
}

front_post_targets() {
	_long=$(head -c 32000 /dev/zero | tr '\0' a)
	for _t in / /api/v1/users '/api/v1/users/?a=1&a=2' '/math/add?i=1' /hello /nope /docs /docs/swagger-ui.css /_error \
		'/items/1?q=%ZZ' '/items/1?q=%ff%fe' '/items/1?q=%00' '/items/1%00' '/items/%ff' '/api/v1/users/%e2%82%ac' \
		'/api/v1/users/a%2Fb' "/items/1?q=$_long"; do
		printf '%s\n' "$_t"
	done
}

front_response() {
	_url=$1 _out=$2
	shift 2
	curl -s --path-as-is --max-time 10 -D "$_out.h" -o "$_out.b" "$@" "$_url"
	# With -I, curl writes the headers where the body would go.
	case " $* " in *" -I "*) : >"$_out.b" ;; esac
	tr -d '\r' <"$_out.h" | grep -v -i '^Date:\|^Server:\|^X-Request-Id:' |
		sed 's|^Location: \(http://[^/]*\)/cgi-bin/app.cgi|Location: \1|' >"$_out"
	for _p in ${FRONT_PORTS:-}; do
		sed -i "s|127.0.0.1:$_p|127.0.0.1:PORT|" "$_out"
	done
	cat "$_out.b" >>"$_out"
}

front_direct() {
	_m=$1 _t=$2 _out=$3
	shift 3
	env -i REQUEST_METHOD="$_m" REQUEST_URI="$_t" HTTP_HOST=x EXECUTION_ENVIRONMENT=ecs \
		APP_MAX_BODY_BYTES="$APP_MAX_BODY_BYTES" "$@" "$BUILD/app.cgi" </dev/null >"$_out.raw" 2>>"$E2E_TMP/direct.log"
	{
		sed -n '1s/^Status: \([0-9]*\).*/\1/p' "$_out.raw"
		sed '1,/^\r$/d' "$_out.raw"
	} >"$_out"
}

front_status_body() {
	{
		sed -n '1s/^HTTP\/1.1 \([0-9]*\).*/\1/p' "$1"
		cat "$1.b"
	} >"$2"
}

# json_error WHAT STATUS curl-args...: the front's answer is STATUS, application/json,
# exactly the body of errors/STATUS.html, a JSON object with a "detail" string,
# and carries no Accept-Ranges.
json_error() {
	_what=$1 _status=$2
	shift 2
	_code=$(curl -s --max-time 10 -D "$E2E_TMP/headers" -o "$E2E_TMP/body" -w '%{http_code}' "$@")
	_type=$(tr -d '\r' <"$E2E_TMP/headers" | sed -n 's/^[Cc]ontent-[Tt]ype: //p')
	if [ "$_code" != "$_status" ] || [ "$_type" != application/json ]; then
		e2e_fail "$_what: expected $_status application/json, got $_code '$_type': $(head -c 200 "$E2E_TMP/body")"
	elif ! cmp -s "$E2E_TMP/body" "$BUILD/errors/$_status.html"; then
		e2e_fail "$_what: body is not errors/$_status.html: $(head -c 200 "$E2E_TMP/body")"
	elif ! e2e_client json-detail "$E2E_TMP/body"; then
		e2e_fail "$_what: not {\"detail\": \"...\"}"
	elif grep -qi '^Accept-Ranges:' "$E2E_TMP/headers"; then
		e2e_fail "$_what: Accept-Ranges on a JSON error"
	else
		e2e_pass
	fi
}
