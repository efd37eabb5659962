#!/bin/sh
# 10 000 invocations through one bootstrap process (every event type, one malformed
# event in six): its resident memory must not grow beyond noise once warmed up.
# The emulator samples the bootstrap's VmRSS every 1000 answers.
. "$(dirname "$0")/lib.sh"
E2E_TIMEOUT=${E2E_TIMEOUT:-170} e2e_start lambda-rss
EVENTS=$(dirname "$0")/../events
INVOCATIONS=${LAMBDA_RSS_INVOCATIONS:-10000}
# Allowed growth from the first sample (after 1000 invocations) to the last.
NOISE_KB=${LAMBDA_RSS_NOISE_KB:-512}

set -- "$EVENTS/apigw-v1-add.json" "$EVENTS/apigw-v2-add.json" "$EVENTS/function-url-add.json" \
	"$EVENTS/alb-add.json" "$EVENTS/alb-multi-value-add.json" "$EVENTS/malformed-sqs.json"
repeat=$(( (INVOCATIONS + $# - 1) / $# ))
python3 "$(dirname "$0")/../lambda_runtime_emulator.py" --port-file "$E2E_TMP/port" --out "$E2E_TMP/out" \
	--summary-only --rss-pid-file "$E2E_TMP/pid" --rss-every 1000 --timeout 150 --repeat "$repeat" \
	--events "$@" >/dev/null &
emu=$!
E2E_PIDS="$E2E_PIDS $emu"
i=0
while [ ! -s "$E2E_TMP/port" ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
AWS_LAMBDA_RUNTIME_API=127.0.0.1:$(cat "$E2E_TMP/port") "$BUILD/bootstrap" >"$E2E_TMP/log" 2>"$E2E_TMP/err" &
echo $! >"$E2E_TMP/pid"
E2E_PIDS="$E2E_PIDS $!"
wait "$emu"
emu_rc=$?

if e2e_client lambda-rss "$E2E_TMP/out/report.json" "$NOISE_KB"
then
	e2e_pass
else
	e2e_fail "RSS over $INVOCATIONS invocations (emulator exit $emu_rc; $(tail -c 300 "$E2E_TMP/err"))"
fi
e2e_finish
