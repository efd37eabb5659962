#!/bin/sh
# The access line's trace_id (and span_id) from each kind of trace header, the
# same on CGI, FastCGI and Lambda (issue 22): a W3C traceparent first (any peer;
# only a well-formed one, its 32-hex trace id and 16-hex parent id as span_id),
# else X-Amzn-Trace-Id's Root where a balancer sets it (a trusted proxy with
# FORWARDED_TRACE_ID=on; a Lambda event), else null. Malformed headers of both
# kinds are never logged. The Lambda Runtime API's own trace header is
# lambda_trace_id.sh's.
. "$(dirname "$0")/lib.sh"
e2e_start trace-ids

unset LOG_FORMAT LOG_LEVEL AWS_LAMBDA_LOG_FORMAT AWS_LAMBDA_LOG_LEVEL
trust="FORWARDED_ALLOW_IPS=203.0.113.7 FORWARDED_TRACE_ID=on"
fport=$(free_port)
# shellcheck disable=SC2086 # trust is a list of assignments
e2e_bg env $trust "$BUILD/app.fcgi" --listen "127.0.0.1:$fport" --workers 1 2>"$E2E_TMP/fcgi.log"
until timeout 5 env -i REQUEST_URI=/ping cgi-fcgi -bind -connect "127.0.0.1:$fport" </dev/null >/dev/null 2>&1; do
	sleep 0.1
done

TP=00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01
XRAY='Root=1-5e6722a7-cc5601a746db7ae02d4da47e;Parent=53995c3f42cd8ad8;Sampled=1'

# field TARGET KEY: KEY of TARGET's last access line ("absent" when it has none).
field() {
	tail -n 1 "$E2E_TMP/$1.log" >"$E2E_TMP/last.json"
	e2e_client json-get "$2" "$E2E_TMP/last.json" 2>/dev/null || echo absent
}

# case WHAT TRACE SPAN VAR=value...: GET /ping with those variables through the
# three targets; each line's trace_id must be TRACE and its span_id SPAN.
case_() {
	_what=$1 _trace=$2 _span=$3
	shift 3
	set -- REQUEST_METHOD=GET REQUEST_URI=/ping REMOTE_ADDR=203.0.113.7 HTTP_HOST=svc.test "$@"
	# shellcheck disable=SC2086 # trust is a list of assignments
	env -i $trust "$@" "$BUILD/app.cgi" </dev/null >/dev/null 2>>"$E2E_TMP/cgi.log"
	_lines=$(wc -l <"$E2E_TMP/fcgi.log")
	env -i "$@" cgi-fcgi -bind -connect "127.0.0.1:$fport" </dev/null >/dev/null
	# The worker gathers its lines: they are out within ~10 ms of idling.
	_i=0
	while [ "$(wc -l <"$E2E_TMP/fcgi.log")" -le "$_lines" ] && [ $_i -lt 100 ]; do
		sleep 0.05
		_i=$((_i + 1))
	done
	python3 "$(dirname "$0")/cgi_request_to_event.py" "$@" </dev/null >"$E2E_TMP/event.json"
	env -i "$BUILD/bootstrap" --event "$E2E_TMP/event.json" >/dev/null 2>>"$E2E_TMP/lambda.log"
	for t in cgi fcgi lambda; do
		_got="$(field $t trace_id) $(field $t span_id)"
		if [ "$_got" = "$_trace $_span" ]; then
			e2e_pass
		else
			e2e_fail "$_what ($t): trace_id span_id '$_got', wanted '$_trace $_span'"
		fi
	done
}

case_ "traceparent" 4bf92f3577b34da6a3ce929d0e0e4736 00f067aa0ba902b7 "HTTP_TRACEPARENT=$TP"
case_ "traceparent over X-Amzn-Trace-Id" 4bf92f3577b34da6a3ce929d0e0e4736 00f067aa0ba902b7 \
	"HTTP_TRACEPARENT=$TP" "HTTP_X_AMZN_TRACE_ID=$XRAY"
case_ "X-Amzn-Trace-Id from the balancer" Root=1-5e6722a7-cc5601a746db7ae02d4da47e absent "HTTP_X_AMZN_TRACE_ID=$XRAY"
case_ "a malformed traceparent, then X-Amzn-Trace-Id" Root=1-5e6722a7-cc5601a746db7ae02d4da47e absent \
	"HTTP_TRACEPARENT=00-4BF92F3577B34DA6A3CE929D0E0E4736-00f067aa0ba902b7-01" "HTTP_X_AMZN_TRACE_ID=$XRAY"
case_ "no trace header" null absent
for bad in "ff-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01" \
	"00-00000000000000000000000000000000-00f067aa0ba902b7-01" \
	'00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01","x":"y' \
	"00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7"; do
	case_ "a malformed traceparent ($bad)" null absent "HTTP_TRACEPARENT=$bad"
done
case_ "a malformed X-Amzn-Trace-Id" null absent "HTTP_X_AMZN_TRACE_ID=Root=1-5e6722a7-cc56xmpl46db7ae02d4da47e"
e2e_finish
