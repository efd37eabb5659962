#!/bin/sh
# make-test: asan valgrind=LAMBDA_WRAPPER
# The settings the bootstrap reads once, at start (API_BASE_PATH,
# LAMBDA_TEXT_MIME_TYPES, APP_MAX_BODY_BYTES): a bad value stops it before its
# first GET /next. It exits 1, says why on stderr and posts the same sentence to
# the Runtime API's /init/error as a Runtime.InitError (tests/lambda_runtime_emulator.py);
# a local invoke (--event) exits 2. An empty value means none, and a value at a
# limit is served. LAMBDA_WRAPPER runs the bootstrap under a tool (make test-valgrind).
. "$(dirname "$0")/lib.sh"
e2e_start lambda-settings
EVENTS=$(dirname "$0")/../events
EMULATOR=$(dirname "$0")/../lambda_runtime_emulator.py

# 300 characters after the '/' is API_BASE_PATH's limit, 64 entries LAMBDA_TEXT_MIME_TYPES'.
chars300=$(printf 'a%.0s' $(seq 300))
types() { # types N: "application/x-t1, ..., application/x-tN"
	seq "$1" | sed 's|^|application/x-t|' | paste -sd, -
}

# start_emulator EVENT: a Runtime API on a free port ($E2E_TMP/port) serving EVENT once.
start_emulator() {
	rm -rf "$E2E_TMP/port" "$E2E_TMP/out"
	python3 "$EMULATOR" --port-file "$E2E_TMP/port" --out "$E2E_TMP/out" --timeout 30 --events "$1" >/dev/null &
	emu=$!
	E2E_PIDS="$E2E_PIDS $emu"
	_i=0
	while [ ! -s "$E2E_TMP/port" ] && [ $_i -lt 100 ]; do sleep 0.1; _i=$((_i + 1)); done
}

# run_bootstrap VAR=VALUE...: the bootstrap against the emulator with these settings
# (never retrying /next, so it ends as soon as the emulator has); exit status in $rc.
run_bootstrap() {
	env AWS_LAMBDA_RUNTIME_API="127.0.0.1:$(cat "$E2E_TMP/port")" LAMBDA_NEXT_RETRIES=0 "$@" \
		timeout 60 ${LAMBDA_WRAPPER:-} "$BUILD/bootstrap" >/dev/null 2>"$E2E_TMP/err"
	rc=$?
	wait "$emu"
}

# refused WHAT 'part of the sentence' VAR=VALUE...
refused() {
	_what=$1 _text=$2
	shift 2
	start_emulator "$EVENTS/apigw-v1-add.json"
	run_bootstrap "$@"
	if [ "$rc" -ne 1 ] || ! grep -q "^bootstrap: .*" "$E2E_TMP/err" || ! grep -qF -- "$_text" "$E2E_TMP/err"; then
		e2e_fail "$_what: exit $rc, stderr '$(head -c 400 "$E2E_TMP/err")'"
		return
	fi
	if e2e_client lambda-init-error "$E2E_TMP/out/report.json" "$_text" before-next
	then
		e2e_pass
	else
		e2e_fail "$_what: /init/error not posted with the sentence, or /next asked first"
	fi
}

# served WHAT VAR=VALUE...: with these settings the apigw-v1-add event is answered 200 "15"
# (then the emulator goes away and the bootstrap ends with status 1, as it should).
served() {
	_what=$1
	shift
	start_emulator "$EVENTS/apigw-v1-add.json"
	run_bootstrap "$@"
	if [ "$rc" -eq 1 ] && e2e_client lambda-served-add "$E2E_TMP/out/report.json"
	then
		e2e_pass
	else
		e2e_fail "$_what: not served (exit $rc, stderr '$(head -c 400 "$E2E_TMP/err")')"
	fi
}

refused "base path without a leading slash" \
	"API_BASE_PATH=\"orders\" does not start with '/'" API_BASE_PATH=orders
refused "base path with a space" "API_BASE_PATH=\"/a b\" is not a base path" "API_BASE_PATH=/a b"
refused "base path with an empty segment" "API_BASE_PATH=\"/a//b\" is not a base path" API_BASE_PATH=/a//b
refused "base path with a .. segment" "API_BASE_PATH=\"/a/../b\" is not a base path" API_BASE_PATH=/a/../b
refused "base path one character past 300" "is longer than 300 characters" "API_BASE_PATH=/${chars300}a"
refused "text type that is not a media type" \
	"LAMBDA_TEXT_MIME_TYPES: \"application\" is not a media type" LAMBDA_TEXT_MIME_TYPES=application
refused "text type with parameters" "LAMBDA_TEXT_MIME_TYPES: \"text/x; charset=utf-8\" is not a media type" \
	"LAMBDA_TEXT_MIME_TYPES=text/csv, text/x; charset=utf-8"
refused "65 text types, one past 64" "lists more than 64 media types" "LAMBDA_TEXT_MIME_TYPES=$(types 65)"
refused "body limit with a sign" "APP_MAX_BODY_BYTES=\"-1\" is not a byte count" APP_MAX_BODY_BYTES=-1

served "empty values mean none" API_BASE_PATH= LAMBDA_TEXT_MIME_TYPES=
served "values at the limits" "API_BASE_PATH=/${chars300}/" "LAMBDA_TEXT_MIME_TYPES=$(types 64)"
served "a base path the path does not start with" API_BASE_PATH=/orders LAMBDA_TEXT_MIME_TYPES=font/*

# A local invoke refuses the same values before reading its event, with exit status 2.
API_BASE_PATH=orders timeout 20 ${LAMBDA_WRAPPER:-} "$BUILD/bootstrap" --event "$EVENTS/apigw-v1-add.json" \
	>"$E2E_TMP/out.json" 2>"$E2E_TMP/err"
rc=$?
if [ "$rc" -eq 2 ] && [ ! -s "$E2E_TMP/out.json" ] &&
	grep -qF "bootstrap: API_BASE_PATH=\"orders\" does not start with '/'" "$E2E_TMP/err"; then
	e2e_pass
else
	e2e_fail "local invoke with a bad API_BASE_PATH: exit $rc, stderr '$(head -c 400 "$E2E_TMP/err")'"
fi
LAMBDA_TEXT_MIME_TYPES="$(types 65)" timeout 20 ${LAMBDA_WRAPPER:-} "$BUILD/bootstrap" \
	--event "$EVENTS/apigw-v1-add.json" >/dev/null 2>"$E2E_TMP/err"
rc=$?
if [ "$rc" -eq 2 ] && grep -qF "lists more than 64 media types" "$E2E_TMP/err"; then
	e2e_pass
else
	e2e_fail "local invoke with 65 text types: exit $rc, stderr '$(head -c 400 "$E2E_TMP/err")'"
fi

e2e_finish
