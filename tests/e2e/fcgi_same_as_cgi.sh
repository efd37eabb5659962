#!/bin/sh
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

# same WHAT BODY_FILE VAR=value...: one request both ways, outputs compared.
same() {
	_what=$1 _body=$2
	shift 2
	timeout 10 env -i EXECUTION_ENVIRONMENT=ecs APP_MAX_BODY_BYTES="$APP_MAX_BODY_BYTES" "$@" \
		"$BUILD/app.cgi" <"$_body" >"$E2E_TMP/cgi.out"
	timeout 10 env -i "$@" cgi-fcgi -bind -connect "127.0.0.1:$fport" <"$_body" >"$E2E_TMP/fcgi.out"
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

none=/dev/null
printf 'x=1&y=2' > "$E2E_TMP/form"
head -c 150000 /dev/zero | tr '\0' 'b' > "$E2E_TMP/large"
head -c 200001 /dev/zero > "$E2E_TMP/over"
printf 'a\0b' > "$E2E_TMP/nul"
host="HTTP_HOST=example.test:8080"

for uri in / '/math/add?i=5&i=10' /math/add '/math/add?i=99999999999999999999&i=1' '/math/add?i=+2&i=%20-5%20' \
	/ping /api/v1/users/ /api/v1/users/7 '/items/42?q=text' /items/42 '/items/-7?q=a+b%26c' '/items/%34%32?q=%C3%A9' \
	/hello /openapi.json /docs /docs/swagger-ui.css /docs/favicon-32x32.png /nope /docs/index.html \
	'/math/add?i=1&i=x' /items/4.2 /api/v1/users '/ping/?a=1' '/math/add?i=%zz' '/items/%g1' '/math/add?i=%00'; do
	same "GET $uri" $none REQUEST_METHOD=GET "REQUEST_URI=$uri" "$host"
	same "HEAD $uri" $none REQUEST_METHOD=HEAD "REQUEST_URI=$uri" "$host"
done
for m in POST PUT PATCH DELETE OPTIONS; do
	same "$m users" "$E2E_TMP/form" REQUEST_METHOD=$m REQUEST_URI=/api/v1/users/3 CONTENT_LENGTH=7 \
		CONTENT_TYPE=application/x-www-form-urlencoded "$host"
done
same "wrong method" $none REQUEST_METHOD=POST REQUEST_URI=/ping CONTENT_LENGTH=0 "$host"
same "large body" "$E2E_TMP/large" REQUEST_METHOD=POST REQUEST_URI=/api/v1/users/ CONTENT_LENGTH=150000 "$host"
same "body over the limit" "$E2E_TMP/over" REQUEST_METHOD=POST REQUEST_URI=/api/v1/users/ CONTENT_LENGTH=200001 "$host"
same "binary body" "$E2E_TMP/nul" REQUEST_METHOD=POST REQUEST_URI=/api/v1/users/ CONTENT_LENGTH=3 "$host"
same "short body" "$E2E_TMP/nul" REQUEST_METHOD=POST REQUEST_URI=/api/v1/users/ CONTENT_LENGTH=10 "$host"
same "bad content length" $none REQUEST_METHOD=POST REQUEST_URI=/api/v1/users/ CONTENT_LENGTH=abc "$host"
same "bad method" $none 'REQUEST_METHOD=G(T' REQUEST_URI=/ping "$host"
same "no host, server name" $none REQUEST_METHOD=GET REQUEST_URI=/api/v1/users SERVER_NAME=svc SERVER_PORT=9000
same "https redirect" $none REQUEST_METHOD=GET REQUEST_URI=/api/v1/users HTTPS=on "$host"
same "cookies and headers" $none REQUEST_METHOD=GET 'REQUEST_URI=/items/1?q=%E2%82%AC' 'HTTP_COOKIE=a=1; b=2' \
	HTTP_X_FORWARDED_FOR=10.0.0.1 REMOTE_ADDR=127.0.0.1 "$host"

kill -TERM "$MANAGER_PID"
wait "$MANAGER_PID"
[ $? -eq 0 ] && e2e_pass || e2e_fail "manager exit status"
e2e_finish
