# Helpers for the FastCGI end-to-end tests (POSIX sh, sourced after lib.sh).
#
#   nginx_start UPSTREAM        real nginx with deploy/nginx.conf on a free port, passing
#                               to UPSTREAM ("unix:/path" or "127.0.0.1:PORT"); sets NGINX_BASE.
#                               NGINX_KEEP_CONN=1: nginx keeps its FastCGI connections open
#                               (fastcgi_keep_conn), so workers serve several requests on one
#                               NGINX_NO_STATIC=1: /docs/ files go to the service too (no alias)
#   manager_start ADDRESS N     build/app.fcgi --listen ADDRESS --workers N (under $FCGI_WRAPPER,
#                               e.g. valgrind); sets MANAGER_PID; stderr in $E2E_TMP/manager.log
#   wait_ok URL [seconds]       polls until URL answers 200
#   worker_pids PID             the app.fcgi children of PID, space-separated
#   rss_kb PID                  resident set size of PID in KiB
#   alive PID                   PID runs (exists and is not a zombie)

# Settings every FastCGI test runs the service with (see spec_checks.sh).
export APP_MAX_BODY_BYTES=200000 EXECUTION_ENVIRONMENT=

nginx_start() {
	_dir=$E2E_TMP/nginx
	mkdir -p "$_dir/tmp"
	_port=$(free_port)
	_docs=$(cd "$BUILD" && pwd)/docs/
	sed -e "s|^worker_processes auto;|worker_processes 1;|" \
		-e "s|^pid /run/nginx.pid;|pid $_dir/nginx.pid;|" \
		-e "s|^error_log stderr;|error_log $_dir/error.log;|" \
		-e "s|access_log /dev/stdout;|access_log $_dir/access.log; client_body_temp_path $_dir/tmp/body; fastcgi_temp_path $_dir/tmp/fastcgi; proxy_temp_path $_dir/tmp/proxy;|" \
		-e "s|server unix:/run/math-service/fcgi.sock;|server $1;|" \
		-e "s|listen 8080;|listen 127.0.0.1:$_port;|" \
		-e "s|alias /usr/local/lib/math-service/docs/;|alias $_docs;|" \
		deploy/nginx.conf > "$_dir/nginx.conf"
	if [ -n "${NGINX_KEEP_CONN:-}" ]; then
		sed -i -e "s|server $1;|server $1; keepalive 4;|" \
			-e "s|fastcgi_pass math_service;|fastcgi_pass math_service; fastcgi_keep_conn on;|" "$_dir/nginx.conf"
	fi
	if [ -n "${NGINX_NO_STATIC:-}" ]; then
		sed -i -e "s|location /docs/ {|location /not-served-statically/ {|" "$_dir/nginx.conf"
	fi
	# Every line the test changes must still be in the sample: it drifts loudly, not silently.
	for _want in "pid $_dir" "error_log $_dir" "access_log $_dir" "server $1;" "listen 127.0.0.1:$_port" "alias $_docs"; do
		grep -qF "$_want" "$_dir/nginx.conf" || { e2e_fail "deploy/nginx.conf no longer has the line for '$_want'"; return 1; }
	done
	e2e_bg nginx -p "$_dir" -e "$_dir/error.log" -c "$_dir/nginx.conf" -g "daemon off; user $(id -un);"
	NGINX_PID=$!
	NGINX_BASE=http://127.0.0.1:$_port
}

manager_start() {
	# shellcheck disable=SC2086 # FCGI_WRAPPER is a command line
	e2e_bg ${FCGI_WRAPPER:-} "$BUILD/app.fcgi" --listen "$1" --workers "$2" 2>>"$E2E_TMP/manager.log"
	MANAGER_PID=$!
}

wait_ok() {
	_deadline=$(( $(date +%s) + ${2:-10} ))
	until [ "$(curl -s -o /dev/null --max-time 1 -w '%{http_code}' "$1")" = 200 ]; do
		if [ "$(date +%s)" -ge "$_deadline" ]; then
			e2e_fail "$1 did not answer 200 in time"
			return 1
		fi
		sleep 0.1
	done
}

worker_pids() {
	pgrep -P "$1" -d ' '
}

rss_kb() {
	awk '/^VmRSS:/ {print $2}' "/proc/$1/status"
}

alive() {
	_stat=$(ps -o stat= -p "$1" 2>/dev/null) && [ "${_stat#Z}" = "$_stat" ]
}
