#!/bin/sh
# The FastAPI peer make bench measures against (bench/peer_fastapi.py, under
# Debian's uvicorn) answers every spec endpoint as the C service does: a
# benchmark against an app that answers differently would compare nothing.
# (Its 422 bodies have pydantic 1's older shape, so those rows are left out.)
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/spec_checks.sh"
cd "$(dirname "$0")/../.." || exit 1
e2e_start bench-peer

if ! /usr/bin/python3 -c 'import fastapi, uvicorn' 2>/dev/null; then
	echo "bench-peer: skipped: no python3-fastapi/python3-uvicorn (make deps)"
	exit 0
fi
port=$(free_port)
e2e_bg env EXECUTION_ENVIRONMENT= /usr/bin/python3 -m uvicorn peer_fastapi:app --app-dir bench \
	--host 127.0.0.1 --port "$port" --log-level warning --no-access-log
base=http://127.0.0.1:$port
wait_http "$base/" 30 || exit 1

spec_endpoints "$base" ecs
check "unknown path" 404 '{"detail":"Not Found"}' "$base/nope"
check "wrong method" 405 '{"detail":"Method Not Allowed"}' --data '' "$base/ping"
check "redirect slashes" 307 '' "$base/api/v1/users"
check_header "redirect location" "location: $base/api/v1/users/" "$base/api/v1/users"
code=$(curl -s -o /dev/null -w '%{http_code}' "$base/math/add?i=x")
[ "$code" = 422 ] && e2e_pass || e2e_fail "bad int: $code, not 422"

e2e_finish
