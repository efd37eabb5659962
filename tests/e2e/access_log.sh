#!/bin/sh
# make-test: asan
# One access log line per request, the same on every target: 20 requests go to
# build/app.cgi (environment, stdin), to the FastCGI workers (cgi-fcgi, a real
# FastCGI client) and to build/bootstrap (as HTTP API 2.0 events,
# cgi_request_to_event.py). Each target's lines are JSON with the same keys in
# the same order and the same values, but for time, duration_us, target and
# request_id; each request_id is the X-Request-Id of its own response; a 5xx is
# an ERROR line. Hostile user agents (quotes, backslashes, control bytes, a forged
# JSON tail) stay inside their field.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/fcgi_lib.sh"
e2e_start access-log

export EXECUTION_ENVIRONMENT=ecs
unset LOG_FORMAT LOG_LEVEL AWS_LAMBDA_LOG_FORMAT AWS_LAMBDA_LOG_LEVEL
fport=$(free_port)
# The peer is a trusted ALB (FORWARDED_TRACE_ID): its X-Amzn-Trace-Id is logged, as on Lambda.
trust="FORWARDED_ALLOW_IPS=203.0.113.7 FORWARDED_TRACE_ID=on"
# shellcheck disable=SC2086 # trust is a list of assignments
e2e_bg env $trust "$BUILD/app.fcgi" --listen "127.0.0.1:$fport" --workers 1 2>"$E2E_TMP/fcgi.all"
until timeout 5 env -i REQUEST_URI=/ping cgi-fcgi -bind -connect "127.0.0.1:$fport" </dev/null >/dev/null 2>&1; do
	sleep 0.1
done
sleep 0.1
probes=$(wc -l <"$E2E_TMP/fcgi.all") # the readiness probes' lines are not among the 20
n=0

# request BODY_FILE VAR=value...: the request through the three targets; responses
# in $E2E_TMP/N.{cgi,fcgi,lambda}, CGI and Lambda log lines appended to their files.
request() {
	_body=$1
	shift
	n=$((n + 1))
	set -- REMOTE_ADDR=203.0.113.7 HTTP_HOST=svc.test 'HTTP_X_AMZN_TRACE_ID=Root=1-5e6722a7-cc5601a746db7ae02d4da47e;Sampled=1' "$@"
	# shellcheck disable=SC2086 # trust is a list of assignments
	timeout 10 env -i APP_MAX_BODY_BYTES="$APP_MAX_BODY_BYTES" EXECUTION_ENVIRONMENT=ecs $trust "$@" "$BUILD/app.cgi" \
		<"$_body" >"$E2E_TMP/$n.cgi" 2>>"$E2E_TMP/cgi.log"
	timeout 10 env -i "$@" cgi-fcgi -bind -connect "127.0.0.1:$fport" <"$_body" >"$E2E_TMP/$n.fcgi"
	python3 "$(dirname "$0")/cgi_request_to_event.py" "$@" <"$_body" >"$E2E_TMP/$n.json"
	timeout 10 env -i APP_MAX_BODY_BYTES="$APP_MAX_BODY_BYTES" EXECUTION_ENVIRONMENT=ecs "$BUILD/bootstrap" \
		--event "$E2E_TMP/$n.json" >"$E2E_TMP/$n.lambda" 2>>"$E2E_TMP/lambda.log"
}

none=/dev/null
printf 'x=1&y=2' >"$E2E_TMP/form"
head -c 200001 /dev/zero >"$E2E_TMP/over"
request $none REQUEST_METHOD=GET REQUEST_URI=/ 'HTTP_USER_AGENT=curl/7.88.1'
request $none REQUEST_METHOD=GET 'REQUEST_URI=/math/add?i=5&i=10' 'HTTP_USER_AGENT=Mozilla/5.0 (X11; Linux x86_64)'
request $none REQUEST_METHOD=GET REQUEST_URI=/ping
request $none REQUEST_METHOD=HEAD REQUEST_URI=/ping
request "$E2E_TMP/form" REQUEST_METHOD=POST REQUEST_URI=/api/v1/users/ CONTENT_LENGTH=7 CONTENT_TYPE=application/x-www-form-urlencoded
request "$E2E_TMP/form" REQUEST_METHOD=PUT REQUEST_URI=/api/v1/users/7 CONTENT_LENGTH=7
request $none REQUEST_METHOD=DELETE REQUEST_URI=/api/v1/users/7
request $none REQUEST_METHOD=GET 'REQUEST_URI=/items/42?q=%C3%A9t%C3%A9'
request $none REQUEST_METHOD=GET 'REQUEST_URI=/items/4.2'
request $none REQUEST_METHOD=GET 'REQUEST_URI=/math/add?i=1&i=x'
request $none REQUEST_METHOD=GET REQUEST_URI=/nope
request $none REQUEST_METHOD=POST REQUEST_URI=/ping CONTENT_LENGTH=0
request $none REQUEST_METHOD=GET 'REQUEST_URI=/api/v1/users?page=2'
request $none REQUEST_METHOD=GET 'REQUEST_URI=/items/1?q=%ZZ'
request "$E2E_TMP/over" REQUEST_METHOD=POST REQUEST_URI=/api/v1/users/ CONTENT_LENGTH=200001
request $none REQUEST_METHOD=GET REQUEST_URI=/hello
request $none REQUEST_METHOD=GET REQUEST_URI=/openapi.json
request $none REQUEST_METHOD=GET REQUEST_URI=/ping 'HTTP_USER_AGENT=a"b\c"},"status":999,"x":"'
request $none REQUEST_METHOD=GET REQUEST_URI=/ping "HTTP_USER_AGENT=$(printf 'tab\there\001bell')"
request $none REQUEST_METHOD=OPTIONS REQUEST_URI=/api/v1/users/ 'HTTP_USER_AGENT=ELB-HealthChecker/2.0'
sleep 0.2 # the worker's last line
tail -n +"$((probes + 1))" "$E2E_TMP/fcgi.all" >"$E2E_TMP/fcgi.log"

if e2e_client access-log-targets "$E2E_TMP" "$n"; then e2e_pass; else e2e_fail "log lines differ between targets (above)"; fi

# A line per request on stdout in the Runtime API loop is lambda_emulator.sh's
# business; here: LOG_FORMAT=text and off reach every target.
env -i REQUEST_URI=/ping LOG_FORMAT=text "$BUILD/app.cgi" 2>"$E2E_TMP/text.log" >/dev/null
if grep -q '^[0-9T:.-]*Z INFO cgi - "GET /ping" 200 19 [0-9]*us "[0-9a-f]\{32\}" - -$' "$E2E_TMP/text.log"; then
	e2e_pass
else
	e2e_fail "LOG_FORMAT=text: $(cat "$E2E_TMP/text.log")"
fi
env -i REQUEST_URI=/ping LOG_FORMAT=off "$BUILD/app.cgi" 2>"$E2E_TMP/off.log" >/dev/null
[ -s "$E2E_TMP/off.log" ] && e2e_fail "LOG_FORMAT=off still logs: $(cat "$E2E_TMP/off.log")" || e2e_pass
out=$(env -i REQUEST_URI=/ping LOG_FORMAT=yaml "$BUILD/app.cgi" 2>"$E2E_TMP/yaml.log")
case $out in "Status: 500"*) e2e_pass ;; *) e2e_fail "LOG_FORMAT=yaml answered: $out" ;; esac
grep -q 'LOG_FORMAT="yaml" is not one of json, text, off' "$E2E_TMP/yaml.log" && e2e_pass || e2e_fail "LOG_FORMAT=yaml: $(cat "$E2E_TMP/yaml.log")"

# The Runtime API loop (tests/lambda_runtime_emulator.py): access lines on stdout,
# the request id the event's requestContext.requestId (HTTP API) or the
# invocation's own id (ALB events carry none), the same id in the response; an
# event that is not HTTP is an ERROR event line naming the invocation.
# AWS_LAMBDA_LOG_LEVEL=ERROR keeps only that one.
events=tests/events
for level in INFO ERROR; do
	out=$E2E_TMP/emu-$level
	python3 tests/lambda_runtime_emulator.py --events "$events/apigw-v2-add.json" "$events/alb-add.json" \
		"$events/malformed-sqs.json" --port 0 --port-file "$out.port" --out "$out" --timeout 60 >/dev/null &
	emu=$!
	until [ -s "$out.port" ]; do sleep 0.05; done
	timeout 60 env -i AWS_LAMBDA_RUNTIME_API="127.0.0.1:$(cat "$out.port")" AWS_LAMBDA_LOG_LEVEL=$level \
		"$BUILD/bootstrap" >"$out.stdout" 2>"$out.stderr"
	wait "$emu"
	if e2e_client lambda-log-lines "$out" "$level"; then e2e_pass; else e2e_fail "Lambda runtime log lines, level $level (above)"; fi
done

# ALB events: the client logged is the last X-Forwarded-For entry when it is an
# IP address (IPv4 or IPv6), else null, never what the event wrote there
# (issue 27: it was logged as it came, '"' and all).
for xff in '203.0.113.7|"203.0.113.7"' '10.0.0.1, 198.51.100.9|"198.51.100.9"' \
	'198.51.100.9, 2001:db8::7|"2001:db8::7"' '203.0.113.7, evil"x|null' '203.0.113.7, 203.0.113.8:443|null' \
	'203.0.113.7,|null' '203.0.113.7, 999.1.1.1|null' '[2001:db8::7]|null'; do
	value=${xff%|*} want=${xff##*|}
	python3 -c '
import json, sys
e = json.load(open("tests/events/alb-add.json"))
e["headers"]["x-forwarded-for"] = sys.argv[1]
json.dump(e, open(sys.argv[2], "w"))' "$value" "$E2E_TMP/alb.json"
	got=$(timeout 10 env -i "$BUILD/bootstrap" --event "$E2E_TMP/alb.json" 2>&1 >/dev/null |
		python3 -c 'import json, sys; print(json.dumps(json.loads(sys.stdin.readline())["client"]))')
	[ "$got" = "$want" ] && e2e_pass || e2e_fail "ALB X-Forwarded-For '$value': client $got, want $want"
done

e2e_finish
