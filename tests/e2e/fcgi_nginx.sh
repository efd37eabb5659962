#!/bin/sh
# End to end: build/app.fcgi started by a real spawn-fcgi (two workers on one unix
# socket) behind a real nginx running deploy/nginx.conf, checked with curl.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/spec_checks.sh"
. "$(dirname "$0")/fcgi_lib.sh"
e2e_start fcgi-nginx

sock=$E2E_TMP/fcgi.sock
# spawn-fcgi forks the workers and exits; their pids go to the pid file.
if spawn-fcgi -s "$sock" -M 0666 -F 2 -P "$E2E_TMP/spawn.pid" -- "$(cd "$BUILD" && pwd)/app.fcgi" >"$E2E_TMP/spawn.log" 2>&1; then
	e2e_pass
else
	e2e_fail "spawn-fcgi: $(cat "$E2E_TMP/spawn.log")"
fi
workers=$(tr '\n' ' ' < "$E2E_TMP/spawn.pid")
E2E_PIDS="$E2E_PIDS $workers"
nginx_start "unix:$sock" || exit 1
wait_ok "$NGINX_BASE/ping" || exit 1

spec_checks "$NGINX_BASE" fcgi
# nginx serves the Swagger UI files itself (with an ETag); the service sends none.
if curl -s -o /dev/null -D - "$NGINX_BASE/docs/swagger-ui.css" | grep -qi '^ETag:'; then e2e_pass; else e2e_fail "docs assets not static"; fi

# server_tokens off (issue 27): "Server: nginx" without the version, on the
# service's answers, nginx's static files and nginx's own error pages.
for url in "$NGINX_BASE/ping" "$NGINX_BASE/docs/swagger-ui.css" "$NGINX_BASE/docs/nope"; do
	server=$(curl -s --max-time 10 -D - -o /dev/null "$url" | tr -d '\r' | sed -n 's/^Server: //Ip')
	[ "$server" = nginx ] && e2e_pass || e2e_fail "$url: Server: '$server'"
done
if curl -s --max-time 10 "$NGINX_BASE/docs/nope" | grep -q 'nginx/'; then e2e_fail "nginx's 404 page names its version"; else e2e_pass; fi

# Both spawned workers are still there after all of that.
live=0
for w in $workers; do
	alive "$w" && live=$((live + 1))
done
[ "$live" -eq 2 ] && e2e_pass || e2e_fail "expected 2 live spawn-fcgi workers, found $live"

# A spawned worker stops on SIGTERM: the other one keeps serving alone.
set -- $workers
kill -TERM "$1"
sleep 0.3
if alive "$1"; then e2e_fail "worker $1 still running after SIGTERM"; else e2e_pass; fi
check "served by the remaining worker" 200 '{"Success":"Pong!"}' "$NGINX_BASE/ping"

e2e_finish
