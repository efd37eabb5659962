#!/bin/sh
# make-test: asan valgrind=CGI_WRAPPER
# The CGI binary run from a shell with RFC 3875 variables, as a developer would:
# covers the malformed input a front server would refuse before the CGI sees it.
# CGI_WRAPPER runs the binary under a tool, e.g. valgrind (make test-valgrind).
. "$(dirname "$0")/lib.sh"
e2e_start cgi-shell

# check_cgi WHAT STATUS BODY [VAR=value...]: runs app.cgi with only those variables
# (stdin from $CGI_STDIN, else empty) and compares the Status line's code and the body.
check_cgi() {
	_what=$1 _status=$2 _body=$3
	shift 3
	timeout 60 env -i "$@" ${CGI_WRAPPER:-} "$BUILD/app.cgi" <"${CGI_STDIN:-/dev/null}" >"$E2E_TMP/out"
	_rc=$?
	_got_status=$(head -n 1 "$E2E_TMP/out" | sed -n 's/^Status: \([0-9]*\) .*/\1/p')
	_got_body=$(e2e_client body-of "$E2E_TMP/out"; echo x)
	_got_body=${_got_body%x}
	if [ "$_rc" -ne 0 ] || [ "$_got_status" != "$_status" ] || [ "$_got_body" != "$_body" ]; then
		e2e_fail "$_what: expected $_status '$_body', got rc=$_rc $_got_status '$(printf %s "$_got_body" | head -c 300)'"
	else
		e2e_pass
	fi
}

check_cgi "README example" 200 '15' REQUEST_METHOD=GET PATH_INFO=/math/add 'QUERY_STRING=i=5&i=10'
check_cgi "no variables at all" 200 '{"status":"OK"}'
check_cgi "REQUEST_URI alone" 200 '{"item_id":5,"q":"a b"}' 'REQUEST_URI=/items/%35?q=a%20b'
check_cgi "hello from the environment" 200 '"Hello from ecs"' PATH_INFO=/hello EXECUTION_ENVIRONMENT=ecs
check_cgi "bad percent in query" 400 '{"detail":"Invalid percent-encoding in query string"}' PATH_INFO=/math/add 'QUERY_STRING=i=%zz'
check_cgi "truncated percent in query" 400 '{"detail":"Invalid percent-encoding in query string"}' PATH_INFO=/math/add 'QUERY_STRING=i=1%2'
check_cgi "bad percent in path" 400 '{"detail":"Invalid percent-encoding in path"}' 'REQUEST_URI=/items/%g1'
check_cgi "NUL in query" 400 '{"detail":"Invalid query string: contains a NUL byte"}' PATH_INFO=/items/1 'QUERY_STRING=q=a%00b'
check_cgi "NUL in path" 400 '{"detail":"Invalid path: contains a NUL byte"}' 'REQUEST_URI=/items/1%00'
check_cgi "bad method" 400 '{"detail":"Invalid request method"}' 'REQUEST_METHOD=G(T' PATH_INFO=/
check_cgi "non-numeric CONTENT_LENGTH" 400 '{"detail":"Invalid Content-Length: not a decimal number"}' \
	REQUEST_METHOD=POST PATH_INFO=/api/v1/users/ CONTENT_LENGTH=12abc
check_cgi "negative CONTENT_LENGTH" 400 '{"detail":"Invalid Content-Length: not a decimal number"}' \
	REQUEST_METHOD=POST PATH_INFO=/api/v1/users/ CONTENT_LENGTH=-1
check_cgi "CONTENT_LENGTH over the limit" 413 '{"detail":"Request body too large (limit 1048576 bytes)"}' \
	REQUEST_METHOD=POST PATH_INFO=/api/v1/users/ CONTENT_LENGTH=99999999999999999999999
printf 'abc' >"$E2E_TMP/short"
CGI_STDIN=$E2E_TMP/short check_cgi "CONTENT_LENGTH longer than the body" 400 \
	'{"detail":"Request body truncated: Content-Length is 10 but only 3 bytes arrived"}' \
	REQUEST_METHOD=POST PATH_INFO=/api/v1/users/ CONTENT_LENGTH=10
printf 'a\0b\0c' >"$E2E_TMP/nul"
CGI_STDIN=$E2E_TMP/nul check_cgi "body with NUL bytes" 200 '{"Success":"All users!"}' \
	REQUEST_METHOD=POST PATH_INFO=/api/v1/users/ CONTENT_LENGTH=5
long=$(head -c 70000 /dev/zero | tr '\0' 'a')
check_cgi "query over 64 KiB" 414 '{"detail":"Request URI too long (limit 65536 bytes)"}' PATH_INFO=/items/1 "QUERY_STRING=q=$long"

e2e_finish
