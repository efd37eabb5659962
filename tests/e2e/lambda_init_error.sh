#!/bin/sh
# A bootstrap that cannot start serving says so and exits non-zero: without
# AWS_LAMBDA_RUNTIME_API, with it pointing at nothing, and with a Runtime API that
# refuses /next (then the error is also posted to /init/error). Both are tried
# again first (LAMBDA_NEXT_RETRIES, 5 by default: 1.55 s of backoff).
. "$(dirname "$0")/lib.sh"
e2e_start lambda-init-error
EMULATOR=$(dirname "$0")/../lambda_runtime_emulator.py

# check_start WHAT 'stderr text': bootstrap exits 1 within 10 s, stderr has the text.
check_start() {
	_what=$1 _text=$2
	timeout 10 "$BUILD/bootstrap" >/dev/null 2>"$E2E_TMP/err"
	_rc=$?
	if [ "$_rc" -eq 1 ] && grep -qF -- "$_text" "$E2E_TMP/err"; then
		e2e_pass
	else
		e2e_fail "$_what: exit $_rc, stderr '$(head -c 400 "$E2E_TMP/err")'"
	fi
}

unset AWS_LAMBDA_RUNTIME_API
check_start "variable unset" "AWS_LAMBDA_RUNTIME_API is not set"
AWS_LAMBDA_RUNTIME_API= check_start "variable empty" "AWS_LAMBDA_RUNTIME_API is not set"

AWS_LAMBDA_RUNTIME_API=no-port-here check_start "not host:port" "AWS_LAMBDA_RUNTIME_API is not host:port"
AWS_LAMBDA_RUNTIME_API='127.0.0.1:99999' check_start "port out of range" "AWS_LAMBDA_RUNTIME_API is not host:port"

port=$(free_port)
AWS_LAMBDA_RUNTIME_API=127.0.0.1:$port check_start "nothing listening" \
	"cannot get the next invocation from the Lambda Runtime API at 127.0.0.1:$port (after 0 invocations)"

python3 "$EMULATOR" --next-status 500 --port-file "$E2E_TMP/port" --out "$E2E_TMP/out" --timeout 30 \
	--events "$(dirname "$0")/../events/apigw-v1-add.json" >/dev/null &
emu=$!
E2E_PIDS="$E2E_PIDS $emu"
i=0
while [ ! -s "$E2E_TMP/port" ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
AWS_LAMBDA_RUNTIME_API=127.0.0.1:$(cat "$E2E_TMP/port") check_start "/next refused" \
	"HTTP status 500, expected 200 (gave up after 6 attempts)"
wait "$emu"
if e2e_client lambda-init-error "$E2E_TMP/out/report.json" 'HTTP status 500'
then
	e2e_pass
else
	e2e_fail "/init/error was not posted with the documented document and header"
fi

e2e_finish
