#!/bin/sh
# End to end: build/app.fcgi spawned by a real lighttpd with the top-level
# lighttpd.conf (mod_fastcgi, two worker processes), checked with curl.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/spec_checks.sh"
e2e_start fcgi-lighttpd

# Run from the repository with no settings, the config finds build/ and defaults the rest.
defaults=$(env -u PORT -u BIND -u APP_DIR -u FCGI_PROCS -u SOCKET_DIR -u ACCESS_LOG lighttpd -p -f lighttpd.conf 2>&1)
for want in 'server.port *= 8080' 'server.bind *= "0.0.0.0"' "\"bin-path\" *=> \"$PWD/build/app.fcgi\"" \
	'accesslog.filename *= ""' "\"max-procs\" *=> $(nproc)"; do
	if printf '%s\n' "$defaults" | grep -q -- "$want"; then
		e2e_pass
	else
		e2e_fail "lighttpd.conf default: no '$want' in lighttpd -p"
	fi
done

port=$(free_port)
base=http://127.0.0.1:$port
# The access log goes to the launcher's stdout through fd 3, as lighttpd.conf describes.
PORT=$port BIND=127.0.0.1 APP_DIR=$(cd "$BUILD" && pwd) FCGI_PROCS=2 SOCKET_DIR=$E2E_TMP \
	ACCESS_LOG='|exec cat >&3' APP_MAX_BODY_BYTES=$SPEC_BODY_LIMIT EXECUTION_ENVIRONMENT= \
	e2e_bg sh -c 'exec 3>&1; exec lighttpd -D -f lighttpd.conf' >"$E2E_TMP/stdout.log"
lighttpd_pid=$!
wait_http "$base/ping" || exit 1

spec_checks "$base" fcgi

# lighttpd serves the Swagger UI files itself (static files carry an ETag; the service sends none).
if curl -s -o /dev/null -D - "$base/docs/swagger-ui-bundle.js" | grep -qi '^ETag:'; then
	e2e_pass
else
	e2e_fail "docs assets are not served by lighttpd"
fi
# Everything else, the /docs page itself included, is the service.
if ! curl -s -o /dev/null -D - "$base/docs" | grep -qi '^ETag:'; then e2e_pass; else e2e_fail "/docs is a static file"; fi

# Every request reaches the access log, on stdout.
sleep 0.2 # the logger process writes on its own time
if [ "$(grep -c '"GET /ping HTTP/1.1" 200' "$E2E_TMP/stdout.log")" -ge 2 ]; then
	e2e_pass
else
	e2e_fail "access log lacks the /ping requests"
fi

# Two workers, both serving (lighttpd balances by load; many requests reach both).
workers=$(pgrep -P "$lighttpd_pid" -d ' ' -x app.fcgi)
if [ "$(echo "$workers" | wc -w)" -eq 2 ]; then e2e_pass; else e2e_fail "expected 2 workers, got '$workers'"; fi

# A worker killed outright: lighttpd starts another, and requests keep succeeding.
set -- $workers
kill -KILL "$1"
sleep 0.5
urls=""
for i in $(seq 100); do urls="$urls $base/math/add?i=$i"; done
# shellcheck disable=SC2086 # one word per URL
got=$(curl -s --max-time 30 -w '\n@@ %{http_code}\n' $urls | sed -n 's/^@@ //p' | sort | uniq -c | tr -s ' ' | sed 's/^ //')
[ "$got" = "100 200" ] && e2e_pass || e2e_fail "after a worker was killed: $got"
workers=$(pgrep -P "$lighttpd_pid" -d ' ' -x app.fcgi)
case " $workers " in
*" $1 "*) e2e_fail "killed worker $1 still listed" ;;
*) [ "$(echo "$workers" | wc -w)" -eq 2 ] && e2e_pass || e2e_fail "after SIGKILL: workers '$workers'" ;;
esac

# SIGTERM: lighttpd stops its workers and removes their sockets; nothing is left behind.
kill -TERM "$lighttpd_pid"
wait "$lighttpd_pid"
rc=$?
[ "$rc" -eq 0 ] && e2e_pass || e2e_fail "lighttpd exited $rc on SIGTERM"
# Each worker finishes what it has and exits: up to 5 s on a loaded machine.
tries=0
while :; do
	left=""
	for w in $workers; do
		kill -0 "$w" 2>/dev/null && [ "$(ps -o stat= -p "$w")" != Z ] && left="$left $w"
	done
	[ -z "$left" ] || [ $tries -ge 50 ] && break
	tries=$((tries + 1))
	sleep 0.1
done
[ -z "$left" ] && e2e_pass || e2e_fail "workers still running 5 s after lighttpd stopped:$left"
if ls "$E2E_TMP"/math-service-*.sock* >/dev/null 2>&1; then e2e_fail "sockets left in SOCKET_DIR"; else e2e_pass; fi

e2e_finish
