#!/bin/sh
# Behind a load balancer: a real nginx on loopback plays the balancer in front
# of a real lighttpd running lighttpd.conf, then in front of a real nginx
# running deploy/nginx.conf with the standalone FastCGI manager. Clients
# connect from 127.0.0.2, the balancer from 127.0.0.1 (what the service
# trusts: FORWARDED_ALLOW_IPS=127.0.0.1, lighttpd.conf's default).
# Two balancers (issue 27):
#   x:       sets X-Forwarded-For/-Proto/-Port, X-Request-Id and X-Amzn-Trace-Id
#            (as an ALB does after TLS, and nginx with $request_id), and passes a
#            client's X-Forwarded-Host and Forwarded through untouched, as an ALB
#            does; x+host also sets X-Forwarded-Host;
#   rfc7239: sets only Forwarded, passing a client's X-Forwarded-* through.
# Every request carries forged headers from the client. Checked:
#   defaults: the proto and the client address are believed, the host, port,
#     request id and trace id not; a 307 that took the proto says
#     Cache-Control: no-store (item 2);
#   FORWARDED_HOST/_REQUEST_ID/_TRACE_ID on, behind a balancer that sets them;
#   FORWARDED_HEADERS=forwarded behind the rfc7239 balancer: the client's X-
#     headers change nothing (item 1);
#   'Forwarded: proto=https' without for= from a trusted peer (item 4; with
#     BUILD=build/asan, UBSan aborted the worker on the old code);
#   an untrusted balancer, a client talking to the front server directly:
#     nothing is believed, no Cache-Control.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/fcgi_lib.sh"
E2E_TIMEOUT=${E2E_TIMEOUT:-240}
e2e_start balancer

build=$(cd "$BUILD" && pwd)
curl -s -o /dev/null --interface 127.0.0.2 --max-time 2 "http://127.0.0.1:$(free_port)/"
if [ $? -eq 45 ]; then
	e2e_fail "cannot send from 127.0.0.2 (curl --interface)"
	e2e_finish
	exit 1
fi

# balancer NAME UPSTREAM_PORT STYLE: nginx proxying to 127.0.0.1:UPSTREAM_PORT as STYLE
# (x, x+host, rfc7239: above); sets LB.
balancer() {
	_dir=$E2E_TMP/$1
	mkdir -p "$_dir/tmp"
	_port=$(free_port)
	case $3 in
	x*)
		_set='proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
			proxy_set_header X-Forwarded-Proto https;
			proxy_set_header X-Forwarded-Port 443;
			proxy_set_header X-Request-Id $request_id;
			proxy_set_header X-Amzn-Trace-Id $trace_root;'
		[ "$3" = x+host ] && _set="$_set
			proxy_set_header X-Forwarded-Host \$host;"
		;;
	rfc7239) _set='proxy_set_header Forwarded "for=$remote_addr;proto=https;host=api.example.test";' ;;
	esac
	cat >"$_dir/nginx.conf" <<EOF
worker_processes 1;
pid $_dir/nginx.pid;
error_log $_dir/error.log;
events { worker_connections 64; }
http {
	access_log off;
	client_body_temp_path $_dir/tmp/body;
	proxy_temp_path $_dir/tmp/proxy;
	fastcgi_temp_path $_dir/tmp/fastcgi;
	map \$request_id \$trace_root { "~^(?<a>.{8})(?<b>.{24})\$" "Root=1-\$a-\$b"; }
	server {
		listen 127.0.0.1:$_port;
		location / {
			proxy_pass http://127.0.0.1:$2;
			proxy_http_version 1.1;
			proxy_set_header Host \$http_host;
			$_set
			add_header X-Balancer-Request-Id \$request_id always;
			add_header X-Balancer-Trace-Id \$trace_root always;
		}
	}
}
EOF
	e2e_bg nginx -p "$_dir" -e "$_dir/error.log" -c "$_dir/nginx.conf" -g "daemon off; user $(id -un);"
	LB=http://127.0.0.1:$_port
	wait_ok "$LB/ping"
}

# lighttpd_start NAME [VAR=value...]: lighttpd.conf, its stderr (the service's log) in NAME.log; sets LP.
lighttpd_start() {
	_name=$1
	shift
	LP=$(free_port)
	mkdir -p "$E2E_TMP/$_name"
	e2e_bg env PORT="$LP" BIND=127.0.0.1 APP_DIR="$build" FCGI_PROCS=1 SOCKET_DIR="$E2E_TMP/$_name" "$@" \
		lighttpd -D -f lighttpd.conf 2>"$E2E_TMP/$_name.log"
	wait_ok "http://127.0.0.1:$LP/ping"
}

# last_log NAME KEY: KEY of the last access line in NAME.log.
last_log() {
	sleep 0.2
	grep '^{' "$E2E_TMP/$1.log" | tail -n 1 | e2e_client json-get "$2"
}

# header FILE NAME: a header's value in a curl -D dump.
header() {
	tr -d '\r' <"$1" | sed -n "s/^$2: //Ip" | head -n 1
}

# expect WHAT GOT WANT
expect() {
	if [ "$2" = "$3" ]; then e2e_pass; else e2e_fail "$1: got '$2', wanted '$3'"; fi
}

# Forged headers a client adds to every request below.
FORGED="-H X-Forwarded-For:6.6.6.6 -H X-Forwarded-Host:evil.example -H X-Forwarded-Port:8443
-H X-Request-Id:forged-id -H X-Amzn-Trace-Id:Root=1-00000bad-000000000000000000000bad
-H Forwarded:for=7.7.7.7;proto=http;host=evil2.example"

# get URL: a GET from the client (127.0.0.2) with the forged headers; headers in $E2E_TMP/h.
get() {
	# shellcheck disable=SC2086 # FORGED is a list of arguments
	curl -s --interface 127.0.0.2 -D "$E2E_TMP/h" -o /dev/null $FORGED "$1"
}

# believed NAME LOG BASE LOCATION CLIENT ID TRACE CACHE: a redirect through BASE and
# what was believed: the Location; the client in the log; ID balancer (its
# X-Request-Id) or fresh (neither the balancer's nor the forged one), echoed and
# logged; TRACE balancer (its X-Amzn-Trace-Id) or null, in the log; CACHE the
# Cache-Control header ("" for none).
believed() {
	_name=$1 _log=$2
	get "$3/api/v1/users?x=1"
	expect "$_name: Location" "$(header "$E2E_TMP/h" Location)" "$4"
	expect "$_name: client in the log" "$(last_log "$_log" client)" "$5"
	_lbid=$(header "$E2E_TMP/h" X-Balancer-Request-Id) _id=$(header "$E2E_TMP/h" X-Request-Id)
	if [ "$6" = balancer ]; then
		expect "$_name: balancer's request id echoed" "$_id" "$_lbid"
	else
		case $_id in "$_lbid" | forged-id | "") e2e_fail "$_name: request id '$_id' taken (balancer's '$_lbid')" ;; *) e2e_pass ;; esac
	fi
	expect "$_name: request id logged" "$(last_log "$_log" request_id)" "$_id"
	_trace=null
	[ "$7" = balancer ] && _trace=$(header "$E2E_TMP/h" X-Balancer-Trace-Id)
	expect "$_name: trace_id in the log" "$(last_log "$_log" trace_id)" "$_trace"
	expect "$_name: Cache-Control" "$(header "$E2E_TMP/h" Cache-Control)" "$8"
}

# no_for NAME LOG BASE LOCATION: 'Forwarded: proto=https' alone from 127.0.0.1 (a
# trusted peer) at BASE (item 4); the worker answers it, and the next request.
no_for() {
	curl -s -D "$E2E_TMP/h" -o /dev/null -H 'Forwarded: proto=https' "$3/api/v1/users"
	expect "$1: Forwarded without for=" "$(header "$E2E_TMP/h" Location)" "$4"
	expect "$1: client" "$(last_log "$2" client)" 127.0.0.1
	expect "$1: the next request" "$(curl -s "$3/ping")" '{"Success":"Pong!"}'
}

# ---- nginx -> lighttpd (lighttpd.conf) -> app.fcgi ----
lighttpd_start trusted # FORWARDED_ALLOW_IPS unset: lighttpd.conf's 127.0.0.1
balancer lb1 "$LP" x
believed "lighttpd, trusted, defaults" trusted "$LB" "https://${LB#http://}/api/v1/users/?x=1" 127.0.0.2 fresh null no-store
# A client talking to lighttpd directly: from 127.0.0.2, untrusted; from 127.0.0.1, a
# trusted local client (as uvicorn's default), but its host and ids are not believed.
believed "direct, untrusted" trusted "http://127.0.0.1:$LP" "http://127.0.0.1:$LP/api/v1/users/?x=1" 127.0.0.2 fresh null ""
# shellcheck disable=SC2086 # FORGED is a list of arguments
curl -s -D "$E2E_TMP/h" -o /dev/null $FORGED "http://127.0.0.1:$LP/api/v1/users"
expect "direct, local client: Location" "$(header "$E2E_TMP/h" Location)" "http://127.0.0.1:$LP/api/v1/users/"
expect "direct, local client: client" "$(last_log trusted client)" 6.6.6.6
expect "direct, local client: trace_id" "$(last_log trusted trace_id)" null
case $(header "$E2E_TMP/h" X-Request-Id) in forged-id | "") e2e_fail "direct, local client: request id taken" ;; *) e2e_pass ;; esac
no_for "lighttpd, direct, x family" trusted "http://127.0.0.1:$LP" "http://127.0.0.1:$LP/api/v1/users/"

lighttpd_start all FORWARDED_HOST=on FORWARDED_REQUEST_ID=on FORWARDED_TRACE_ID=on
balancer lb2 "$LP" x+host
believed "lighttpd, trusted, all on" all "$LB" "https://127.0.0.1/api/v1/users/?x=1" 127.0.0.2 balancer balancer no-store

lighttpd_start rfc7239 FORWARDED_HEADERS=forwarded FORWARDED_HOST=on
balancer lb3 "$LP" rfc7239
believed "lighttpd, Forwarded family" rfc7239 "$LB" "https://api.example.test/api/v1/users/?x=1" 127.0.0.2 fresh null no-store
no_for "lighttpd, direct, Forwarded family" rfc7239 "http://127.0.0.1:$LP" "https://127.0.0.1:$LP/api/v1/users/"

lighttpd_start untrusted FORWARDED_ALLOW_IPS= FORWARDED_HOST=on FORWARDED_REQUEST_ID=on FORWARDED_TRACE_ID=on
balancer lb4 "$LP" x+host
believed "lighttpd, untrusted balancer" untrusted "$LB" "$LB/api/v1/users/?x=1" 127.0.0.1 fresh null ""

# ---- nginx -> nginx (deploy/nginx.conf) -> app.fcgi --listen ----
# The FastCGI workers log on the manager's stderr.
ln -s manager.log "$E2E_TMP/fcgi.log"
fport=$(free_port)
FORWARDED_ALLOW_IPS=127.0.0.1 manager_start "127.0.0.1:$fport" 1
nginx_start "127.0.0.1:$fport" || exit 1
wait_ok "$NGINX_BASE/ping" || exit 1
balancer lb5 "${NGINX_BASE##*:}" x
believed "nginx FastCGI, trusted, defaults" fcgi "$LB" "https://${LB#http://}/api/v1/users/?x=1" 127.0.0.2 fresh null no-store
believed "nginx FastCGI, direct, untrusted" fcgi "$NGINX_BASE" "$NGINX_BASE/api/v1/users/?x=1" 127.0.0.2 fresh null ""
no_for "nginx FastCGI, direct, x family" fcgi "$NGINX_BASE" "$NGINX_BASE/api/v1/users/"
kill "$NGINX_PID" "$MANAGER_PID"
wait "$NGINX_PID" "$MANAGER_PID" 2>/dev/null

fport=$(free_port)
FORWARDED_ALLOW_IPS=127.0.0.1 FORWARDED_HOST=on manager_start "127.0.0.1:$fport" 1 --forwarded-headers forwarded
nginx_start "127.0.0.1:$fport" || exit 1
wait_ok "$NGINX_BASE/ping" || exit 1
balancer lb6 "${NGINX_BASE##*:}" rfc7239
believed "nginx FastCGI, Forwarded family" fcgi "$LB" "https://api.example.test/api/v1/users/?x=1" 127.0.0.2 fresh null no-store
no_for "nginx FastCGI, direct, Forwarded family" fcgi "$NGINX_BASE" "https://${NGINX_BASE#http://}/api/v1/users/"
believed "nginx FastCGI, direct, untrusted, Forwarded family" fcgi "$NGINX_BASE" "$NGINX_BASE/api/v1/users/?x=1" 127.0.0.2 fresh null ""

e2e_finish
