#!/bin/sh
# End to end: a real Apache httpd running deploy/apache2.conf as it is (PORT,
# FCGI_ADDRESS, RUN_DIR and APP_DIR from the environment) in front of
# build/app.fcgi's manager, over a unix socket and over TCP, checked with curl:
#   - every SPEC row (spec_checks.sh), the Swagger UI files served by Apache;
#   - one answer per request: the requests of front_same.sh (bad escapes, NUL,
#     invalid UTF-8, %2F, bodiless POSTs...) answered as app.cgi alone answers
#     them, status, headers and body, but for the two Apache answers itself:
#     a malformed escape in the path (400) and a request line over 16000 bytes
#     (414), its JSON pages;
#   - the limits: the service's 413 and 431, Apache's 400/414 below
#     mod_proxy_fcgi's 16 KiB per variable (which would drop the variable);
#   - the manager's status page, its allow list, kept FastCGI connections;
#   - trusted proxies: Apache passes the client as REMOTE_ADDR and adds no
#     X-Forwarded-*, so the service believes a client's X-Forwarded-* only
#     when FORWARDED_ALLOW_IPS trusts that client (a balancer in front of Apache);
#   - what mod_proxy_fcgi passes (tests/e2e/fcgi_misbehave.py /env): no
#     PATH_INFO, the raw REQUEST_URI, Authorization, CONTENT_LENGTH;
#   - hostile: a client trickling its headers (RequestReadTimeout: 408), a body
#     that never ends (cut after 30 s), the service down (503, JSON) and back,
#     a backend answering garbage, closing, hanging (504), the service
#     started after Apache.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/spec_checks.sh"
. "$(dirname "$0")/fcgi_lib.sh"
. "$(dirname "$0")/front_same.sh"
. "$(dirname "$0")/apache_lib.sh"
E2E_TIMEOUT=${E2E_TIMEOUT:-300}
APACHE_CONF=${APACHE_CONF:-$(pwd)/deploy/apache2.conf}
e2e_start fcgi-apache

build=$(cd "$BUILD" && pwd)
# Started as root, Apache's children run as www-data: they must reach the
# sockets, the docs and the error pages (a checkout under /root would not do).
chmod 755 "$E2E_TMP"
app=$E2E_TMP/app
mkdir -p "$app"
cp -R "$build/docs" "$build/errors" "$app/"
chmod -R a+rX "$app"

# ---- a unix socket: the manager with its status page, FORWARDED_ALLOW_IPS unset ----
sock=$E2E_TMP/fcgi.sock
# As docs/apache.md says: a socket www-data may open (as root), else anyone.
as_root=
if [ "$(id -u)" = 0 ] && id www-data >/dev/null 2>&1; then
	as_root=1
	set -- --socket-owner www-data:www-data --socket-mode 0660
else
	set -- --socket-mode 0666
fi
sockperm="$*"
# shellcheck disable=SC2086 # flags
manager_start "$sock" 2 $sockperm --status-path /-/status
wait_fcgi "$sock" || exit 1
apache_start unix "$sock"
wait_ok "$BASE/ping" 15 || { cat "$E2E_TMP/unix/error.log" >&2; exit 1; }
unix_base=$BASE unix_port=$APORT

# The hostile clients run while the rest is checked: each is bounded by itself.
python3 tests/e2e/slow_http_client.py "$APORT" headers 40 >"$E2E_TMP/trickle.out" &
trickle=$!
python3 tests/e2e/slow_http_client.py "$APORT" body 60 >"$E2E_TMP/endless.out" &
endless=$!

spec_checks "$BASE" fcgi
check_header "docs files served by Apache" 'Accept-Ranges: bytes' "$BASE/docs/swagger-ui.css"
if curl -s -o /dev/null -D - "$BASE/docs/swagger-ui.css" | grep -qi '^ETag:'; then e2e_pass; else e2e_fail "docs assets not static"; fi
json_error "missing docs file" 404 "$BASE/docs/nope.js"
json_error "an error page asked for directly" 404 "$BASE/-/apache-error/404.html"
# TRACE: the service's 405, and Apache's (TraceEnable off) for its own files.
check "TRACE" 405 '{"detail":"Method Not Allowed"}' -X TRACE "$BASE/ping"
json_error "TRACE on a docs file" 405 -X TRACE "$BASE/docs/swagger-ui.css"

# POST without a body (curl -X POST, no Content-Length): Apache passes it on
# without CONTENT_LENGTH, the service answers it as a POST with an empty body.
check "POST without a body" 200 '{"Success":"All users!"}' -X POST "$BASE/api/v1/users/"
check "POST ping without a body" 405 '{"detail":"Method Not Allowed"}' -X POST "$BASE/ping"
check_header "POST ping without a body: Allow" 'Allow: GET, HEAD' -X POST "$BASE/ping"
check "PUT without a body" 200 '{"Success":"This is one user!"}' -X PUT "$BASE/api/v1/users/7"

# Limits. Headers of 15000 bytes each pass Apache; five of them are over the
# service's 64 KiB in all: its 431. One line over 16000 bytes: Apache's 400/414.
h=$(head -c 15000 /dev/zero | tr '\0' h)
check "headers over the service's 64 KiB" 431 '{"detail":"Request headers too large"}' \
	-H "X-A: $h" -H "X-B: $h" -H "X-C: $h" -H "X-D: $h" -H "X-E: $h" "$BASE/ping"
check "four such headers reach the service" 200 '{"Success":"Pong!"}' -H "X-A: $h" -H "X-B: $h" -H "X-C: $h" -H "X-D: $h" "$BASE/ping"
json_error "a header line over LimitRequestFieldSize" 400 -H "X-Long: $h$h" "$BASE/ping"
i=0
: >"$E2E_TMP/many"
while [ "$i" -lt 98 ]; do
	echo "X-H$i: $i" >>"$E2E_TMP/many"
	i=$((i + 1))
done
head -n 97 "$E2E_TMP/many" >"$E2E_TMP/fewer"
# With curl's Host, User-Agent and Accept: 101 lines, one past the limit, and 100.
json_error "101 header lines (LimitRequestFields 100)" 400 -H "@$E2E_TMP/many" "$BASE/ping"
check "100 header lines reach the service" 200 '{"Success":"Pong!"}' -H "@$E2E_TMP/fewer" "$BASE/ping"
q=$(head -c 15900 /dev/zero | tr '\0' q)
check "a 15900-byte query reaches the service" 200 "{\"item_id\":1,\"q\":\"$q\"}" "$BASE/items/1?q=$q"
json_error "a request line over LimitRequestLine" 414 "$BASE/items/1?q=$q$q"

# The manager's status page: REMOTE_ADDR is the client, 127.0.0.1, allowed by default.
check_header "status page" 'Content-Type: application/json' "$BASE/-/status"
if curl -s "$BASE/-/status?text" | grep -q 'running'; then e2e_pass; else e2e_fail "status page as text"; fi
# Kept FastCGI connections (enablereuse): 100 requests on far fewer connections.
# shellcheck disable=SC2046 # two numbers
set -- $(status_counts "$BASE/-/status")
spec_keep_alive "$BASE"
# shellcheck disable=SC2046 # two numbers
set -- "$@" $(status_counts "$BASE/-/status")
if [ $# -eq 4 ] && [ $(($4 - $2)) -ge 100 ] && [ $(($3 - $1)) -le 10 ]; then
	e2e_pass
else
	e2e_fail "kept connections: accepted, requests before and after: $*"
fi

# Untrusted (FORWARDED_ALLOW_IPS unset): a client's X-Forwarded-* change nothing.
check_header "forged X-Forwarded-Proto/Host ignored" "Location: $BASE/api/v1/users/" \
	-H 'X-Forwarded-Proto: https' -H 'X-Forwarded-Host: evil.example' "$BASE/api/v1/users"
client_seen "forged X-Forwarded-For ignored" 127.0.0.1 -H 'X-Forwarded-For: 203.0.113.9' "$BASE/ping"

# The service down: Apache's 503, JSON, from every Apache process; and at once
# when it is back (a balancer member would be out of service for retry= s).
# Each request is a new connection, to any of Apache's processes.
kill -TERM "$MANAGER_PID"
wait "$MANAGER_PID"
json_error "no service behind Apache" 503 "$BASE/ping"
json_error "no service: POST" 503 --data x "$BASE/api/v1/users/"
got=$(codes 30 "$BASE/ping")
[ "$got" = "503:30 " ] && e2e_pass || e2e_fail "service down, 30 requests: $got"
if [ -n "$as_root" ]; then
	# A socket only root may open: Apache's www-data children get 503 (JSON).
	manager_start "$sock" 1 --socket-mode 0600
	wait_fcgi "$sock" || exit 1
	json_error "a socket www-data may not open" 503 "$BASE/ping"
	kill -TERM "$MANAGER_PID"
	wait "$MANAGER_PID"
fi
# shellcheck disable=SC2086 # flags
manager_start "$sock" 1 $sockperm
wait_fcgi "$sock" || exit 1
got=$(codes 30 "$BASE/ping")
[ "$got" = "200:30 " ] && e2e_pass || e2e_fail "service back, 30 requests: $got"

# ---- docs/apache.md's <VirtualHost>, for an Apache that runs already ----
# The global part of deploy/apache2.conf (above "---- The site"), then the
# snippet as written, but for its port and paths (the test's socket and build/).
sed -n '/<!-- begin: tests\/e2e\/fcgi_apache.sh site -->/,/<!-- end: tests\/e2e\/fcgi_apache.sh site -->/p' docs/apache.md |
	grep -v '^<!--\|^```' >"$E2E_TMP/site.conf"
if ! grep -q '^<VirtualHost \*:80>$' "$E2E_TMP/site.conf" || ! grep -q 'unix:/run/math-service/fcgi.sock|' "$E2E_TMP/site.conf"; then
	e2e_fail "docs/apache.md has no <VirtualHost *:80> on /run/math-service/fcgi.sock between the markers"
else
	sed -n '1,/^# ---- The site/p' "$APACHE_CONF" >"$E2E_TMP/vhost.conf"
	sed -e 's|^<VirtualHost \*:80>$|<VirtualHost *:${PORT}>|' -e "s|/usr/local/lib/math-service|$app|g" \
		-e "s|/run/math-service/fcgi.sock|$sock|" "$E2E_TMP/site.conf" >>"$E2E_TMP/vhost.conf"
	apache_start vhost "$sock" "$E2E_TMP/vhost.conf"
	wait_ok "$BASE/ping" 15 || { cat "$E2E_TMP/vhost/error.log" >&2; exit 1; }
	spec_table "$BASE" fcgi
	spec_bodies "$BASE"
	check_header "site: docs files served by Apache" 'Accept-Ranges: bytes' "$BASE/docs/swagger-ui.css"
	json_error "site: missing docs file" 404 "$BASE/docs/nope.js"
	json_error "site: POST on a docs file" 405 --data x "$BASE/docs/swagger-ui.css"
	json_error "site: a malformed escape in the path" 400 --path-as-is "$BASE/items/%g1"
	check "site: %2F reaches the service" 404 '{"detail":"Not Found"}' "$BASE/api/v1/users/a%2Fb"
	check "site: %00 reaches the service" 400 '{"detail":"Invalid path: contains a NUL byte"}' "$BASE/items/1%00"
	check "site: POST without a body" 200 '{"Success":"All users!"}' -X POST "$BASE/api/v1/users/"
fi

# ---- TCP: a balancer in front of Apache is trusted, app.cgi alone compared ----
fport=$(free_port)
EXECUTION_ENVIRONMENT=ecs FORWARDED_ALLOW_IPS=127.0.0.1 FORWARDED_HOST=on \
	manager_start "127.0.0.1:$fport" 2 --status-path /-/status --status-allow 192.0.2.1
wait_fcgi "127.0.0.1:$fport" || exit 1
apache_start tcp "127.0.0.1:$fport"
wait_ok "$BASE/ping" 15 || { cat "$E2E_TMP/tcp/error.log" >&2; exit 1; }
# shellcheck disable=SC2034 # read by front_response
FRONT_PORTS=$APORT
# A body declared over the limit and sent without end, to this Apache (whose
# service stays up): checked at the end.
python3 tests/e2e/slow_http_client.py "$APORT" declared 60 >"$E2E_TMP/declared.out" &
declared=$!

front_get_targets >"$E2E_TMP/targets"
while IFS= read -r t; do
	apache_same GET "$t"
	apache_same HEAD "$t"
done <"$E2E_TMP/targets"
for m in POST PUT DELETE PATCH OPTIONS; do
	apache_same "$m" /api/v1/users/
	apache_same "$m" /api/v1/users/7
	apache_same "$m" /ping
done
front_post_targets >"$E2E_TMP/targets"
while IFS= read -r t; do
	apache_same POST "$t"
done <"$E2E_TMP/targets"

spec_table "$BASE" ecs
spec_bodies "$BASE"
# Trusted: curl plays a balancer at 127.0.0.1 in front of Apache.
check_header "trusted X-Forwarded-Proto/Host" 'Location: https://api.example/api/v1/users/' \
	-H 'X-Forwarded-Proto: https' -H 'X-Forwarded-Host: api.example' "$BASE/api/v1/users"
client_seen "trusted X-Forwarded-For" 203.0.113.9 -H 'X-Forwarded-For: 203.0.113.9' "$BASE/ping"
# The status page's allow list looks at REMOTE_ADDR (Apache's client), not X-Forwarded-For.
check "status page, client not allowed" 403 '{"detail":"Forbidden"}' -H 'X-Forwarded-For: 192.0.2.1' "$BASE/-/status"

# ---- what mod_proxy_fcgi passes: fcgi_misbehave.py behind Apache ----
bad=$E2E_TMP/bad.sock
spawn-fcgi -s "$bad" -M 0666 -P "$E2E_TMP/bad.pid" -- /usr/bin/python3 "$(pwd)/tests/e2e/fcgi_misbehave.py" >/dev/null
E2E_PIDS="$E2E_PIDS $(cat "$E2E_TMP/bad.pid")"
# Apache's Timeout (60 s) made 2 s, for the 504.
apache_start bad "$bad" "$APACHE_CONF" -c 'Timeout 2'
wait_ok "$BASE/ping" 15 || exit 1
env_params "no PATH_INFO, the target as sent" \
	'"PATH_INFO" not in e and e["REQUEST_URI"] == "/env?q=%ZZ&s=a%2Fb" and e["QUERY_STRING"] == "q=%ZZ&s=a%2Fb" and e["SCRIPT_FILENAME"] == "/env"' \
	"$BASE/env?q=%ZZ&s=a%2Fb"
env_params "the client as REMOTE_ADDR, its X-Forwarded-For as a header" \
	'e["REMOTE_ADDR"] == "127.0.0.1" and e["HTTP_X_FORWARDED_FOR"] == "198.51.100.1" and "HTTP_X_FORWARDED_HOST" not in e' \
	-H 'X-Forwarded-For: 198.51.100.1' "$BASE/env"
env_params "Authorization passed (CGIPassAuth)" 'e["HTTP_AUTHORIZATION"] == "Bearer t0ken"' -H 'Authorization: Bearer t0ken' "$BASE/env"
env_params "POST without a body: no CONTENT_LENGTH" '"CONTENT_LENGTH" not in e and e["REQUEST_METHOD"] == "POST"' -X POST "$BASE/env"
env_params "chunked body: CONTENT_LENGTH" 'e["CONTENT_LENGTH"] == "5" and "HTTP_TRANSFER_ENCODING" not in e' \
	-H 'Transfer-Encoding: chunked' --data-binary 12345 "$BASE/env"
# A backend whose answer Apache cannot read: an empty 500 (no error page can follow).
check "malformed header from the backend" 500 '' "$BASE/bad-header"
json_error "the backend closes without an answer" 503 "$BASE/close"
json_error "no answer within Timeout" 504 "$BASE/hang"
check "the backend stops listening" 200 '{"ok":true}' "$BASE/unlisten"
json_error "no backend listening" 503 "$BASE/ping"

# Apache started before the service, on a socket not there yet: the JSON 503,
# then the service's answers once it listens (Apache is not restarted).
late=$E2E_TMP/late.sock
apache_start late "$late"
wait_http "$BASE/ping" 15 || exit 1
json_error "service not started yet" 503 "$BASE/ping"
# shellcheck disable=SC2086 # flags
manager_start "$late" 1 $sockperm
wait_fcgi "$late" || exit 1
check "service started after Apache" 200 '{"Success":"Pong!"}' "$BASE/ping"

# ---- docs/apache.md's commands for deploy/apache2.conf, run as written ----
# As root (sudo dropped), /usr/local and /run/math-service moved into the temp
# dir, a free port, the two foreground programs in the background.
if [ -n "$as_root" ]; then
	T=$E2E_TMP/inst inst_manager=
	sed -n '/<!-- begin: tests\/e2e\/fcgi_apache.sh standalone -->/,/<!-- end: tests\/e2e\/fcgi_apache.sh standalone -->/p' \
		docs/apache.md | grep -v '^<!--\|^```' | sed -e ':a' -e '/\\$/N; s/\\\n//; ta' |
		sed -e 's/sudo //g' -e "s|/usr/local/|$T/usr/local/|g" -e "s|/run/math-service|$T/run|g" \
			-e "s|make install|make install PREFIX=$T/usr/local RUNDIR=$T/run|" -e "s|PORT=8080|PORT=$(free_port)|" \
			>"$E2E_TMP/steps"
	grep -q 'apache2 -DFOREGROUND' "$E2E_TMP/steps" && grep -q -- '--listen' "$E2E_TMP/steps" ||
		e2e_fail "docs/apache.md has no manager and apache2 commands between the markers"
	while IFS= read -r step; do
		case $step in
		*apache2\ -DFOREGROUND*) e2e_bg sh -c "exec $step" >"$E2E_TMP/inst.out" 2>"$E2E_TMP/inst.err" ;;
		*' &')
			e2e_bg sh -c "exec ${step% &}" 2>>"$E2E_TMP/manager.log"
			inst_manager=$!
			;;
		*) sh -c "$step" </dev/null >"$E2E_TMP/step.out" 2>&1 || e2e_fail "step failed: $step: $(tail -n 5 "$E2E_TMP/step.out")" ;;
		esac
	done <"$E2E_TMP/steps"
	BASE=http://127.0.0.1:$(sed -n 's/.*PORT=\([0-9]*\) .*/\1/p' "$E2E_TMP/steps")
	wait_ok "$BASE/ping" 15 || cat "$E2E_TMP/inst.err" >&2
	spec_table "$BASE" fcgi
	check_header "installed: docs files served by Apache" 'Accept-Ranges: bytes' "$BASE/docs/swagger-ui.css"
	json_error "installed: missing docs file" 404 "$BASE/docs/nope.js"
	# The four workers run as www-data, as the manager was told.
	users=$(ps -o user= --ppid "$inst_manager" | sort | uniq -c | tr -s ' ')
	[ "$users" = " 4 www-data" ] && e2e_pass || e2e_fail "installed: the workers' users: $users"
fi

# ---- the hostile clients, started at the beginning ----
wait "$trickle" "$endless" "$declared"
echo "fcgi-apache: trickled headers: $(cat "$E2E_TMP/trickle.out"); endless body: $(cut -c1-120 "$E2E_TMP/endless.out");" \
	"endless declared body: $(cut -c1-140 "$E2E_TMP/declared.out")"
read -r secs line <"$E2E_TMP/trickle.out"
case $line in
"HTTP/1.1 408 "*) [ "${secs%.*}" -le 25 ] && e2e_pass || e2e_fail "trickled headers cut after $secs s" ;;
*) e2e_fail "trickled headers: $(cat "$E2E_TMP/trickle.out")" ;;
esac
if grep -q "$(cat "$build/errors/408.html")" "$E2E_TMP/trickle.out"; then e2e_pass; else e2e_fail "trickle: not the JSON 408"; fi
read -r secs line <"$E2E_TMP/endless.out"
case $line in
timeout*) e2e_fail "a body that never ends was not cut: $(cat "$E2E_TMP/endless.out")" ;;
*) [ "${secs%.*}" -le 45 ] && e2e_pass || e2e_fail "a body that never ends cut after $secs s: $line" ;;
esac
# Declared over the limit: the service's 413 at once, its worker drops what
# follows for at most 5 s (FCGI_DRAIN_MS) and closes; Apache passes the 413 on then.
read -r secs line <"$E2E_TMP/declared.out"
case $line in
"HTTP/1.1 413 "*) [ "${secs%.*}" -le 15 ] && e2e_pass || e2e_fail "endless declared body: the 413 after $secs s" ;;
*) e2e_fail "endless declared body: $(cut -c1-300 "$E2E_TMP/declared.out")" ;;
esac
grep -qF "{\"detail\":\"Request body too large (limit $SPEC_BODY_LIMIT bytes)\"}" "$E2E_TMP/declared.out" &&
	e2e_pass || e2e_fail "endless declared body: not the service's 413"
check "Apache serves on after the hostile clients" 200 '{"Success":"Pong!"}' "$unix_base/ping"
: "$unix_port"

e2e_finish
