#!/bin/sh
# Input limits on every target, as issue 11 found them broken:
#   - a bad APP_MAX_BODY_BYTES (" -1", "-1", "10k", one past SIZE_MAX) is refused
#     at start with a message naming it: app.fcgi standalone and spawned exit 2,
#     bootstrap reports an init error, app.cgi answers 500 JSON and says why on
#     stderr; before, " -1" meant "no limit" and the body was allocated up front;
#   - CONTENT_LENGTH past 2^64 is a 413 on CGI and FastCGI, never wrapped around
#     (2^64 + 3 used to read 3 bytes and answer 200);
#   - /math/add with one 32 768-digit term and 8 190 more stays within 8 MB of
#     peak memory in the CGI process (it was 135 MB: the sum was copied per term).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/fcgi_lib.sh"
e2e_start input-limits

# ---- a bad body limit is refused at start ------------------------------------------
for bad in ' -1' '-1' '10k' '18446744073709551616' '0x10'; do
	rc=0
	timeout 20 env APP_MAX_BODY_BYTES="$bad" "$BUILD/app.fcgi" --listen "$E2E_TMP/s.sock" --workers 1 \
		2>"$E2E_TMP/err" >/dev/null || rc=$?
	if [ "$rc" = 2 ] && grep -q 'APP_MAX_BODY_BYTES' "$E2E_TMP/err" && [ ! -e "$E2E_TMP/s.sock" ]; then
		e2e_pass
	else
		e2e_fail "app.fcgi --listen with APP_MAX_BODY_BYTES='$bad': exit $rc, $(head -c 200 "$E2E_TMP/err")"
	fi
	# Spawned (spawn-fcgi style: a listening socket on fd 0) it refuses as well.
	rc=0
	timeout 20 env APP_MAX_BODY_BYTES="$bad" python3 "$E2E_CLIENT" spawn-on-socket "$E2E_TMP/spawned.sock" "$BUILD/app.fcgi" 2>"$E2E_TMP/err" || rc=$?
	rm -f "$E2E_TMP/spawned.sock"
	if [ "$rc" = 2 ] && grep -q 'APP_MAX_BODY_BYTES' "$E2E_TMP/err"; then
		e2e_pass
	else
		e2e_fail "spawned app.fcgi with APP_MAX_BODY_BYTES='$bad': exit $rc, $(head -c 200 "$E2E_TMP/err")"
	fi
	rc=0
	timeout 20 env -i APP_MAX_BODY_BYTES="$bad" REQUEST_METHOD=POST PATH_INFO=/api/v1/users/ CONTENT_LENGTH=3 \
		"$BUILD/app.cgi" <"$E2E_TMP/err" >"$E2E_TMP/out" 2>"$E2E_TMP/cgi.err" || rc=$?
	if [ "$rc" = 1 ] && head -n 1 "$E2E_TMP/out" | grep -q '^Status: 500 ' &&
		grep -q '{"detail":"Internal Server Error"}' "$E2E_TMP/out" && grep -q 'APP_MAX_BODY_BYTES' "$E2E_TMP/cgi.err"; then
		e2e_pass
	else
		e2e_fail "app.cgi with APP_MAX_BODY_BYTES='$bad': exit $rc, $(head -c 200 "$E2E_TMP/out")"
	fi
	rc=0
	timeout 20 env -i APP_MAX_BODY_BYTES="$bad" "$BUILD/bootstrap" --event tests/events/apigw-v1-add.json \
		>/dev/null 2>"$E2E_TMP/err" || rc=$?
	if [ "$rc" = 2 ] && grep -q 'APP_MAX_BODY_BYTES' "$E2E_TMP/err"; then
		e2e_pass
	else
		e2e_fail "bootstrap --event with APP_MAX_BODY_BYTES='$bad': exit $rc, $(head -c 200 "$E2E_TMP/err")"
	fi
done

# ---- CONTENT_LENGTH that does not fit ------------------------------------------------
addr=127.0.0.1:$(free_port)
manager_start "$addr" 1
wait_fcgi "$addr"
printf 'abcdefgh' >"$E2E_TMP/body"
for cl in 18446744073709551619 18446744073709551616 18446744073709551615 99999999999999999999999999; do
	timeout 20 env -i REQUEST_METHOD=POST PATH_INFO=/api/v1/users/ CONTENT_LENGTH=$cl "$BUILD/app.cgi" \
		<"$E2E_TMP/body" >"$E2E_TMP/out" 2>/dev/null
	[ "$(status_of "$E2E_TMP/out")" = 413 ] && e2e_pass || e2e_fail "CGI CONTENT_LENGTH=$cl: $(head -c 200 "$E2E_TMP/out")"
	fcgi_request "$addr" "$E2E_TMP/out" REQUEST_METHOD=POST REQUEST_URI=/api/v1/users/ CONTENT_LENGTH=$cl \
		<"$E2E_TMP/body"
	[ "$(status_of "$E2E_TMP/out")" = 413 ] && e2e_pass || e2e_fail "FastCGI CONTENT_LENGTH=$cl: $(head -c 200 "$E2E_TMP/out")"
done

# ---- /math/add memory is linear in the query -----------------------------------------------
# Peak RSS of one CGI run in KiB, by GNU time (its child is forked from time
# itself, so the figure is app.cgi's own, not a copy of a larger parent's).
query=i=$(e2e_client repeat 9 32768)$(e2e_client repeat '&i=1' 8190)
/usr/bin/time -f '%M' -o "$E2E_TMP/peak" env -i REQUEST_METHOD=GET PATH_INFO=/math/add "QUERY_STRING=$query" \
	"$BUILD/app.cgi" </dev/null >"$E2E_TMP/out" 2>/dev/null
peak=$(tail -n 1 "$E2E_TMP/peak")
/usr/bin/time -f '%M' -o "$E2E_TMP/peak" env -i REQUEST_METHOD=GET PATH_INFO=/math/add 'QUERY_STRING=i=5&i=10' \
	"$BUILD/app.cgi" </dev/null >/dev/null 2>&1
small=$(tail -n 1 "$E2E_TMP/peak")
if [ "$(status_of "$E2E_TMP/out")" = 200 ] && [ "$peak" -le 8192 ]; then
	e2e_pass
else
	e2e_fail "/math/add with a 32768-digit term and 8190 more: peak $peak KiB ($(head -c 100 "$E2E_TMP/out")), want at most 8192"
fi
echo "input-limits: /math/add peak RSS: $peak KiB for the 64 KiB query, $small KiB for i=5&i=10"

# ---- /math/add's 422 is bounded (issue 27, item 6) -------------------------------------
# A 64 KiB query of 16 384 bad values used to answer 2.27 MB (and 25 MB of RSS):
# now the first ROUTER_ERRORS_MAX (100) errors, the same bytes on CGI, FastCGI and
# Lambda. N bad values with N <= 100 are all listed, 101 lists 100.
# errors_422 N FILE: a 422 body whose detail lists exactly N FastAPI int_parsing
# entries, loc index 0..N-1 of i, each input "x" (body in FILE).
errors_422() {
	python3 -c '
import json, sys
n, body = int(sys.argv[1]), open(sys.argv[2], "rb").read()
d = json.loads(body)["detail"]
want = [{"type": "int_parsing", "loc": ["query", "i", k],
         "msg": "Input should be a valid integer, unable to parse string as an integer",
         "input": "x"} for k in range(n)]
sys.exit(0 if d == want else 1)' "$1" "$2"
}
# body_of FILE OUT: the body of a CGI-style response.
body_of() {
	python3 -c 'import sys; sys.stdout.buffer.write(open(sys.argv[1], "rb").read().split(b"\r\n\r\n", 1)[1])' "$1" >"$2"
}
for n in 3 100 101 16384; do
	query=$(python3 -c 'import sys; print("&".join(["i=x"] * int(sys.argv[1])), end="")' "$n")
	want=$n
	[ "$n" -gt 100 ] && want=100
	/usr/bin/time -f '%e %U %S %M' -o "$E2E_TMP/usage" env -i LOG_FORMAT=off REQUEST_METHOD=GET PATH_INFO=/math/add \
		"QUERY_STRING=$query" "$BUILD/app.cgi" </dev/null >"$E2E_TMP/cgi.out" 2>/dev/null
	body_of "$E2E_TMP/cgi.out" "$E2E_TMP/cgi.body"
	peak=$(tail -n 1 "$E2E_TMP/usage" | cut -d' ' -f4)
	if [ "$(status_of "$E2E_TMP/cgi.out")" = 422 ] && errors_422 "$want" "$E2E_TMP/cgi.body"; then
		e2e_pass
	else
		e2e_fail "CGI: $n bad values: not a 422 listing $want of them: $(head -c 300 "$E2E_TMP/cgi.out")"
	fi
	fcgi_request "$addr" "$E2E_TMP/fcgi.out" REQUEST_METHOD=GET REQUEST_URI="/math/add?$query" \
		QUERY_STRING="$query" </dev/null
	body_of "$E2E_TMP/fcgi.out" "$E2E_TMP/fcgi.body"
	cmp -s "$E2E_TMP/cgi.body" "$E2E_TMP/fcgi.body" && e2e_pass ||
		e2e_fail "FastCGI: $n bad values: not the CGI's 422 body: $(head -c 300 "$E2E_TMP/fcgi.out")"
	python3 -c '
import json, sys
e = json.load(open(sys.argv[1])); e["rawQueryString"] = sys.argv[2]; e["queryStringParameters"] = None
json.dump(e, open(sys.argv[3], "w"))' tests/events/apigw-v2-add.json "$query" "$E2E_TMP/event.json"
	timeout 30 env -i LOG_FORMAT=off "$BUILD/bootstrap" --event "$E2E_TMP/event.json" >"$E2E_TMP/lambda.out" 2>/dev/null
	python3 -c '
import json, sys
r = json.load(open(sys.argv[1]))
assert r["statusCode"] == 422 and not r["isBase64Encoded"]
sys.stdout.write(r["body"])' "$E2E_TMP/lambda.out" >"$E2E_TMP/lambda.body" &&
		cmp -s "$E2E_TMP/cgi.body" "$E2E_TMP/lambda.body" && e2e_pass ||
		e2e_fail "Lambda: $n bad values: not the CGI's 422 body: $(head -c 300 "$E2E_TMP/lambda.out")"
done
# The 64 KiB query's answer: at most 16 KiB (one entry is about 137 bytes) and
# 8 MB of peak RSS (it was 2.27 MB and 25 MB).
bytes=$(wc -c <"$E2E_TMP/cgi.body")
if [ "$bytes" -le 16384 ] && [ "$peak" -le 8192 ]; then
	e2e_pass
else
	e2e_fail "the 422 for 16384 bad values: $bytes bytes, peak $peak KiB; want at most 16384 bytes and 8192 KiB"
fi
echo "input-limits: 422 for a ${#query}-byte query of 16384 bad values: $bytes bytes; elapsed, user, sys s, peak KiB: $(cat "$E2E_TMP/usage")"
e2e_finish
