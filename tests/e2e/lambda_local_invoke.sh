#!/bin/sh
# make-test: asan
# The Lambda bootstrap's local invoke (bootstrap --event FILE), as a developer runs it:
# every row of tests/spec_cases.tsv (docs/spec.md) as every supported event type
# (lambda_cases.py), then the command line itself: the README example, bad events,
# a missing file.
. "$(dirname "$0")/lib.sh"
e2e_start lambda-local-invoke
EVENTS=$(dirname "$0")/../events
unset EXECUTION_ENVIRONMENT AWS_LAMBDA_RUNTIME_API

if python3 "$(dirname "$0")/lambda_cases.py" local "$BUILD/bootstrap"; then
	e2e_pass
else
	e2e_fail "spec rows by local invoke (see FAIL lines above)"
fi

# check_invoke WHAT EXIT 'STDOUT' args...: exit status and exact output, but for the
# X-Request-Id header (random for events without a request id; tests/e2e/access_log.sh checks it).
check_invoke() {
	_what=$1 _rc=$2 _want=$3
	shift 3
	_got=$(timeout 30 "$BUILD/bootstrap" "$@" 2>"$E2E_TMP/err")
	_got_rc=$?
	_got=$(printf '%s' "$_got" | sed -E 's/"X-Request-Id":(\["[^"]*"\]|"[^"]*"),//')
	if [ "$_got_rc" != "$_rc" ] || [ "$_got" != "$_want" ]; then
		e2e_fail "$_what: expected exit $_rc '$_want', got exit $_got_rc '$_got' ($(head -c 300 "$E2E_TMP/err"))"
	else
		e2e_pass
	fi
}

check_invoke "README example (REST API)" 0 \
	'{"statusCode":200,"multiValueHeaders":{"Content-Type":["text/plain; charset=utf-8"],"Content-Length":["2"]},"body":"15","isBase64Encoded":false}' \
	--event "$EVENTS/apigw-v1-add.json"
check_invoke "HTTP API payload 2.0" 0 \
	'{"statusCode":200,"headers":{"Content-Type":"text/plain; charset=utf-8","Content-Length":"2"},"cookies":[],"body":"15","isBase64Encoded":false}' \
	--event "$EVENTS/apigw-v2-add.json"
check_invoke "Function URL" 0 \
	'{"statusCode":200,"headers":{"Content-Type":"text/plain; charset=utf-8","Content-Length":"2"},"cookies":[],"body":"15","isBase64Encoded":false}' \
	--event "$EVENTS/function-url-add.json"
check_invoke "ALB keeps only the last value of a name" 0 \
	'{"statusCode":200,"statusDescription":"200 OK","headers":{"Content-Type":"text/plain; charset=utf-8","Content-Length":"2"},"body":"10","isBase64Encoded":false}' \
	--event "$EVENTS/alb-add.json"
check_invoke "ALB multi-value" 0 \
	'{"statusCode":200,"statusDescription":"200 OK","multiValueHeaders":{"Content-Type":["text/plain; charset=utf-8"],"Content-Length":["2"]},"body":"15","isBase64Encoded":false}' \
	--event "$EVENTS/alb-multi-value-add.json"
check_invoke "event from stdin" 0 \
	'{"statusCode":200,"headers":{"Content-Type":"text/plain; charset=utf-8","Content-Length":"2"},"cookies":[],"body":"15","isBase64Encoded":false}' \
	--event - <"$EVENTS/apigw-v2-add.json"
check_invoke "not JSON" 1 \
	'{"errorMessage":"The event is not a JSON document","errorType":"Runtime.MalformedEvent","stackTrace":[]}' \
	--event "$EVENTS/malformed-truncated.json"
check_invoke "not an HTTP event" 1 \
	'{"errorMessage":"Not an HTTP event: expected API Gateway (REST or HTTP API), Function URL or ALB","errorType":"Runtime.UnsupportedEvent","stackTrace":[]}' \
	--event "$EVENTS/malformed-sqs.json"
check_invoke "headers of the wrong type" 1 \
	'{"errorMessage":"Malformed event: headers must map names to strings","errorType":"Runtime.MalformedEvent","stackTrace":[]}' \
	--event "$EVENTS/malformed-headers.json"
check_invoke "missing file" 2 '' --event "$E2E_TMP/no-such-event.json"
check_invoke "unknown option" 2 '' --bogus

e2e_finish
