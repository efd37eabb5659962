#!/bin/sh
# Behind a load balancer: a real nginx on loopback plays the HTTPS balancer (it
# sets X-Forwarded-For/-Proto/-Port and X-Request-Id, as an ALB does after TLS)
# in front of a real lighttpd running lighttpd.conf, then in front of a real
# nginx running deploy/nginx.conf with the standalone FastCGI manager. Clients
# connect from 127.0.0.2, the balancer from 127.0.0.1.
#   trusted balancer (FORWARDED_ALLOW_IPS=127.0.0.1, lighttpd.conf's default):
#     307 Location https://..., the client's own address in the log (even when
#     it sends a forged X-Forwarded-For), the balancer's request id echoed;
#   untrusted (FORWARDED_ALLOW_IPS empty): http://..., the balancer's address;
#   a client talking to lighttpd directly with forged headers: ignored.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/fcgi_lib.sh"
e2e_start balancer

build=$(cd "$BUILD" && pwd)
curl -s -o /dev/null --interface 127.0.0.2 --max-time 2 "http://127.0.0.1:$(free_port)/"
if [ $? -eq 45 ]; then
	e2e_fail "cannot send from 127.0.0.2 (curl --interface)"
	e2e_finish
	exit 1
fi

# balancer NAME UPSTREAM_PORT: nginx proxying to 127.0.0.1:UPSTREAM_PORT; sets LB.
balancer() {
	_dir=$E2E_TMP/$1
	mkdir -p "$_dir/tmp"
	_port=$(free_port)
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
	server {
		listen 127.0.0.1:$_port;
		location / {
			proxy_pass http://127.0.0.1:$2;
			proxy_http_version 1.1;
			proxy_set_header Host \$http_host;
			proxy_set_header X-Forwarded-For \$proxy_add_x_forwarded_for;
			proxy_set_header X-Forwarded-Proto https;
			proxy_set_header X-Forwarded-Port 443;
			proxy_set_header X-Request-Id \$request_id;
			add_header X-Balancer-Request-Id \$request_id always;
		}
	}
}
EOF
	e2e_bg nginx -p "$_dir" -e "$_dir/error.log" -c "$_dir/nginx.conf" -g "daemon off; user $(id -un);"
	LB=http://127.0.0.1:$_port
}

# lighttpd_start NAME [VAR=value...]: lighttpd.conf, its stderr (the service's log) in NAME.log; sets LP.
lighttpd_start() {
	_name=$1
	shift
	LP=$(free_port)
	e2e_bg env PORT="$LP" BIND=127.0.0.1 APP_DIR="$build" FCGI_PROCS=1 SOCKET_DIR="$E2E_TMP" "$@" \
		lighttpd -D -f lighttpd.conf 2>"$E2E_TMP/$_name.log"
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

# through NAME LOG URL_BASE TRUSTED: the redirect, client address and request id through a balancer.
through() {
	_name=$1 _log=$2 _base=$3 _trusted=$4
	curl -s --interface 127.0.0.2 -D "$E2E_TMP/h" -o /dev/null "$_base/api/v1/users?x=1"
	_lbid=$(header "$E2E_TMP/h" X-Balancer-Request-Id)
	if [ "$_trusted" = yes ]; then
		expect "$_name: Location" "$(header "$E2E_TMP/h" Location)" "https://127.0.0.1/api/v1/users/?x=1"
		expect "$_name: client in the log" "$(last_log "$_log" client)" 127.0.0.2
		expect "$_name: balancer's request id echoed" "$(header "$E2E_TMP/h" X-Request-Id)" "$_lbid"
		expect "$_name: balancer's request id logged" "$(last_log "$_log" request_id)" "$_lbid"
	else
		expect "$_name: Location" "$(header "$E2E_TMP/h" Location)" "$_base/api/v1/users/?x=1"
		expect "$_name: client in the log" "$(last_log "$_log" client)" 127.0.0.1
		_id=$(header "$E2E_TMP/h" X-Request-Id)
		if [ -n "$_id" ] && [ "$_id" != "$_lbid" ]; then e2e_pass; else e2e_fail "$_name: request id '$_id' (balancer's '$_lbid')"; fi
	fi
	# A client forging the headers the balancer appends to (or overwrites).
	curl -s --interface 127.0.0.2 -D "$E2E_TMP/h" -o /dev/null -H 'X-Forwarded-For: 6.6.6.6' \
		-H 'X-Forwarded-Proto: http' -H 'Forwarded: for=7.7.7.7;proto=http' "$_base/api/v1/users"
	if [ "$_trusted" = yes ]; then
		expect "$_name: forged X-Forwarded-For" "$(last_log "$_log" client)" 127.0.0.2
		expect "$_name: forged proto" "$(header "$E2E_TMP/h" Location)" "https://127.0.0.1/api/v1/users/"
	else
		expect "$_name: forged X-Forwarded-For, untrusted" "$(last_log "$_log" client)" 127.0.0.1
	fi
}

# ---- nginx -> lighttpd (lighttpd.conf) -> app.fcgi ----
lighttpd_start trusted # FORWARDED_ALLOW_IPS unset: lighttpd.conf's 127.0.0.1
balancer lb1 "$LP"
wait_ok "$LB/ping" || exit 1
through "lighttpd, trusted balancer" trusted "$LB" yes

# The same lighttpd reached directly from 127.0.0.2 (not a trusted proxy), headers forged.
curl -s --interface 127.0.0.2 -D "$E2E_TMP/h" -o /dev/null -H 'X-Forwarded-For: 6.6.6.6' \
	-H 'X-Forwarded-Proto: https' -H 'X-Forwarded-Host: evil.example' -H 'X-Request-Id: forged-id' \
	"http://127.0.0.1:$LP/api/v1/users"
expect "direct, forged: Location" "$(header "$E2E_TMP/h" Location)" "http://127.0.0.1:$LP/api/v1/users/"
expect "direct, forged: client" "$(last_log trusted client)" 127.0.0.2
case $(header "$E2E_TMP/h" X-Request-Id) in forged-id | "") e2e_fail "direct, forged: request id taken from an untrusted client" ;; *) e2e_pass ;; esac

lighttpd_start untrusted FORWARDED_ALLOW_IPS=
balancer lb2 "$LP"
wait_ok "$LB/ping" || exit 1
through "lighttpd, untrusted balancer" untrusted "$LB" no

# ---- nginx -> nginx (deploy/nginx.conf) -> app.fcgi --listen ----
fport=$(free_port)
FORWARDED_ALLOW_IPS=127.0.0.1 manager_start "127.0.0.1:$fport" 1
nginx_start "127.0.0.1:$fport" || exit 1
balancer lb3 "${NGINX_BASE##*:}"
wait_ok "$LB/ping" || exit 1
# The FastCGI workers log on the manager's stderr.
ln -s manager.log "$E2E_TMP/fcgi.log"
through "nginx FastCGI, trusted balancer" fcgi "$LB" yes

e2e_finish
