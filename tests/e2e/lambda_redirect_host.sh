#!/bin/sh
# Redirects from hostile Lambda events, and the same request on CGI and FastCGI
# (issue 27, item 8):
#   - a REST event with no Host whose requestContext.path starts with "//" (or
#     "///") gave Location: //evil.example/api/v1/users/, a scheme-relative URL a
#     browser follows to evil.example; now every target answers the equivalent
#     request (SCRIPT_NAME=//evil.example, no Host) with one leading '/';
#   - requestContext.domainName stands in for a missing Host and passes the one
#     host check (host_is_valid): a value no Host may have ('/', '@', a space)
#     is the 400 a Host header gets on CGI and FastCGI; a valid one is used.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/fcgi_lib.sh"
e2e_start lambda-redirect-host
unset AWS_LAMBDA_RUNTIME_API

sock=$E2E_TMP/fcgi.sock
manager_start "$sock" 1
wait_fcgi "$sock" || exit 1

# event FILE KIND CONTEXT_PATH DOMAIN: a REST (kind rest) or HTTP API 2.0 (v2)
# event for GET /api/v1/users without a Host header.
event() {
	python3 - "$@" <<'EOF'
import json, sys
out, kind, context_path, domain = sys.argv[1:5]
if kind == "rest":
    e = json.load(open("tests/events/apigw-v1-add.json"))
    e["path"] = "/api/v1/users"
    e["pathParameters"] = {"proxy": "api/v1/users"}
    e["queryStringParameters"] = e["multiValueQueryStringParameters"] = None
    del e["headers"]["Host"], e["multiValueHeaders"]["Host"]
    e["requestContext"]["path"] = context_path
else:
    e = json.load(open("tests/events/apigw-v2-add.json"))
    e["rawPath"] = e["requestContext"]["http"]["path"] = "/api/v1/users"
    e["rawQueryString"] = ""
    e.pop("queryStringParameters", None)
    del e["headers"]["host"]
if domain == "-":
    e["requestContext"].pop("domainName", None)
else:
    e["requestContext"]["domainName"] = domain
json.dump(e, open(out, "w"))
EOF
}

# lambda_answer FILE: "STATUS LOCATION-or-BODY" of bootstrap --event FILE.
lambda_answer() {
	timeout 20 env -i LOG_FORMAT=off "$BUILD/bootstrap" --event "$1" 2>/dev/null | python3 -c '
import json, sys
d = json.load(sys.stdin)
h = d.get("multiValueHeaders") or {k: [v] for k, v in (d.get("headers") or {}).items()}
print(d["statusCode"], h["Location"][0] if "Location" in h else d["body"])'
}

# cgi_answer OUT: "STATUS LOCATION-or-BODY" of a CGI-style answer in OUT.
cgi_answer() {
	python3 -c '
import sys
head, _, body = open(sys.argv[1], "rb").read().decode().partition("\r\n\r\n")
lines = head.split("\r\n")
loc = [l[10:] for l in lines if l.startswith("Location: ")]
print(lines[0].split()[1], loc[0] if loc else body)' "$1"
}

# same WHAT 'WANT' EVENT VAR=value...: the event on Lambda, and the variables on
# CGI and FastCGI, each answer "WANT" (status, then Location or body).
same() {
	_what=$1 _want=$2 _event=$3
	shift 3
	_l=$(lambda_answer "$_event")
	timeout 20 env -i LOG_FORMAT=off REQUEST_METHOD=GET "$@" "$BUILD/app.cgi" </dev/null >"$E2E_TMP/cgi.out" 2>/dev/null
	_c=$(cgi_answer "$E2E_TMP/cgi.out")
	fcgi_request "$sock" "$E2E_TMP/fcgi.out" REQUEST_METHOD=GET "$@" </dev/null
	_f=$(cgi_answer "$E2E_TMP/fcgi.out")
	if [ "$_l" = "$_want" ] && [ "$_c" = "$_want" ] && [ "$_f" = "$_want" ]; then
		e2e_pass
	else
		e2e_fail "$_what: want '$_want'; Lambda '$_l', CGI '$_c', FastCGI '$_f'"
	fi
}

users='REQUEST_URI=/api/v1/users PATH_INFO=/api/v1/users'
event "$E2E_TMP/e1.json" rest //evil.example/api/v1/users -
# shellcheck disable=SC2086 # users is a list of words
same "REST '//' root path, no Host" '307 /evil.example/api/v1/users/' "$E2E_TMP/e1.json" \
	SCRIPT_NAME=//evil.example $users
event "$E2E_TMP/e2.json" rest ///evil.example/api/v1/users -
# shellcheck disable=SC2086
same "REST '///' root path, no Host" '307 /evil.example/api/v1/users/' "$E2E_TMP/e2.json" \
	SCRIPT_NAME=///evil.example $users
event "$E2E_TMP/e3.json" rest /prod/api/v1/users -
# shellcheck disable=SC2086
same "REST stage, no Host" '307 /prod/api/v1/users/' "$E2E_TMP/e3.json" SCRIPT_NAME=/prod $users
# With a host the path after it may start with "//": not a new authority.
event "$E2E_TMP/e4.json" rest //evil.example/api/v1/users api.example.com
# shellcheck disable=SC2086
same "REST '//' root path, domainName" '307 https://api.example.com//evil.example/api/v1/users/' \
	"$E2E_TMP/e4.json" SCRIPT_NAME=//evil.example HTTP_HOST=api.example.com HTTPS=on $users

# domainName, standing in for Host, checked as a Host is.
for kind in rest v2; do
	for bad in 'evil.example/x' 'user@evil.example' 'evil example' 'evil.example\\x'; do
		event "$E2E_TMP/d.json" "$kind" /api/v1/users "$bad"
		# shellcheck disable=SC2086
		same "$kind domainName '$bad'" '400 {"detail":"Invalid host"}' "$E2E_TMP/d.json" "HTTP_HOST=$bad" $users
	done
	event "$E2E_TMP/d.json" "$kind" /api/v1/users api.example.com:8443
	# shellcheck disable=SC2086
	same "$kind domainName with a port" '307 https://api.example.com:8443/api/v1/users/' "$E2E_TMP/d.json" \
		HTTP_HOST=api.example.com:8443 HTTPS=on $users
done

kill -TERM "$MANAGER_PID"
wait "$MANAGER_PID"
e2e_finish
