#!/bin/sh
# The access line's trace_id on the Lambda target: the Root of the request's
# X-Amzn-Trace-Id when the event carries a well-formed one (X-Ray's
# 1-8hex-24hex; never the rest of the header, nor a malformed one: issue 27
# item 2); else the invocation's Lambda-Runtime-Trace-Id (the Runtime API loop,
# through the request context, not the environment); else, for
# `bootstrap --event`, $_X_AMZN_TRACE_ID; else null. And the handler's process
# still gets _X_AMZN_TRACE_ID per invocation (X-Ray's variable) without the line
# depending on it: a stale value in the bootstrap's own environment is never logged.
. "$(dirname "$0")/lib.sh"
e2e_start lambda-trace-id
events=tests/events
# The HTTP API event without its x-amzn-trace-id header.
e2e_client event-with-header "$events/apigw-v2-add.json" "$E2E_TMP/no-header.json" X-Amzn-Trace-Id
e2e_client event-with-header "$events/apigw-v2-add.json" "$E2E_TMP/header.json" X-Amzn-Trace-Id \
	"Root=1-5e6722a7-cc5601a746db7ae02d4da47e;Parent=53995c3f42cd8ad8;Sampled=1"

# trace_id of the access line bootstrap --event writes on stderr.
local_trace() {
	e2e_client single-trace-id
}
got=$(env -i _X_AMZN_TRACE_ID='Root=1-local-env' "$BUILD/bootstrap" --event "$E2E_TMP/no-header.json" 2>&1 >/dev/null | local_trace)
[ "$got" = "Root=1-local-env" ] && e2e_pass || e2e_fail "--event, no header: trace_id $got, wanted \$_X_AMZN_TRACE_ID"
got=$(env -i "$BUILD/bootstrap" --event "$E2E_TMP/no-header.json" 2>&1 >/dev/null | local_trace)
[ "$got" = "None" ] && e2e_pass || e2e_fail "--event, no header, no variable: trace_id $got, wanted null"
got=$(env -i _X_AMZN_TRACE_ID='Root=1-local-env' "$BUILD/bootstrap" --event "$E2E_TMP/header.json" 2>&1 >/dev/null | local_trace)
[ "$got" = "Root=1-5e6722a7-cc5601a746db7ae02d4da47e" ] && e2e_pass || e2e_fail "--event, header: trace_id $got, wanted the header's Root"
# AWS's sample event: its id is not hex ("xmpl"), so not X-Ray's format: not taken.
got=$(env -i _X_AMZN_TRACE_ID='Root=1-local-env' "$BUILD/bootstrap" --event "$events/apigw-v2-add.json" 2>&1 >/dev/null | local_trace)
[ "$got" = "Root=1-local-env" ] && e2e_pass || e2e_fail "--event, malformed header: trace_id $got, wanted \$_X_AMZN_TRACE_ID"

# The Runtime API loop: three invocations, the header-less event twice around the
# one with a header; a stale _X_AMZN_TRACE_ID in the bootstrap's environment.
out=$E2E_TMP/emu
python3 tests/lambda_runtime_emulator.py --events "$E2E_TMP/no-header.json" "$E2E_TMP/header.json" \
	"$E2E_TMP/no-header.json" --port 0 --port-file "$out.port" --out "$out" --timeout 60 >/dev/null &
emu=$!
until [ -s "$out.port" ]; do sleep 0.05; done
timeout 60 env -i AWS_LAMBDA_RUNTIME_API="127.0.0.1:$(cat "$out.port")" _X_AMZN_TRACE_ID='Root=1-stale' \
	"$BUILD/bootstrap" >"$out.stdout" 2>"$out.stderr"
wait "$emu"
if e2e_client runtime-trace-ids "$out"; then e2e_pass; else e2e_fail "Runtime API loop: trace ids (above)"; fi
e2e_finish
