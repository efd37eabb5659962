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
e2e_finish
