# Helpers for the FastCGI end-to-end tests (POSIX sh, sourced after lib.sh).
#
#   nginx_start UPSTREAM        real nginx with deploy/nginx.conf on a free port, passing
#                               to UPSTREAM ("unix:/path" or "127.0.0.1:PORT"); sets NGINX_BASE.
#                               NGINX_KEEP_CONN=1: nginx keeps its FastCGI connections open
#                               (fastcgi_keep_conn), so workers serve several requests on one
#                               NGINX_NO_STATIC=1: /docs/ files go to the service too (no alias)
#                               NGINX_FASTCGI_PARAMS="fastcgi_param X y;": more lines before fastcgi_pass
#   manager_start ADDRESS N [FLAG...]  $FCGI_BIN (default build/app.fcgi) --listen ADDRESS --workers N
#                               FLAG... (under $FCGI_WRAPPER, e.g. valgrind); sets MANAGER_PID;
#                               stderr in $E2E_TMP/manager.log
#   fcgi_request ADDRESS OUT [VAR=value...]  one FastCGI request (cgi-fcgi) with those
#                               variables, body from stdin, CGI-style response in OUT
#   status_of FILE              the Status code of a CGI-style response
#   wait_ok URL [seconds]       polls until URL answers 200
#   worker_pids PID             the app.fcgi children of PID, space-separated
#   rss_kb PID                  resident set size of PID in KiB
#   alive PID                   PID runs (exists and is not a zombie)

# Settings every FastCGI test runs the service with (see spec_checks.sh).
export APP_MAX_BODY_BYTES=200000 EXECUTION_ENVIRONMENT=

nginx_start() {
	_dir=$E2E_TMP/nginx
	mkdir -p "$_dir"
	_port=$(free_port)
	_docs=$(cd "$BUILD" && pwd)/docs/
	sed -e "s|^worker_processes auto;|worker_processes 1;|" \
		-e "s|^user www-data www-data;|user $(id -un) $(id -gn);|" \
		-e "s|^error_log stderr;|error_log $_dir/error.log;|" \
		-e "s|access_log /dev/stdout;|access_log $_dir/access.log;|" \
		-e "s|server unix:/run/math-service/fcgi.sock;|server $1;|" \
		-e "s|/run/math-service/|$_dir/|" \
		-e "s|listen 8080;|listen 127.0.0.1:$_port;|" \
		-e "s|alias /usr/local/lib/math-service/docs/;|alias $_docs;|" \
		deploy/nginx.conf > "$_dir/nginx.conf"
	if [ -n "${NGINX_KEEP_CONN:-}" ]; then
		sed -i -e "s|server $1;|server $1; keepalive 4;|" \
			-e "s|fastcgi_pass math_service;|fastcgi_pass math_service; fastcgi_keep_conn on;|" "$_dir/nginx.conf"
	fi
	if [ -n "${NGINX_FASTCGI_PARAMS:-}" ]; then
		sed -i -e "s|fastcgi_pass math_service;|$NGINX_FASTCGI_PARAMS fastcgi_pass math_service;|" "$_dir/nginx.conf"
	fi
	if [ -n "${NGINX_NO_STATIC:-}" ]; then
		sed -i -e "s|location /docs/ {|location /not-served-statically/ {|" "$_dir/nginx.conf"
	fi
	# Every line the test changes must still be in the sample: it drifts loudly, not silently.
	for _want in "user $(id -un)" "pid $_dir" "error_log $_dir" "access_log $_dir" "fastcgi_temp_path $_dir" \
		"client_body_temp_path $_dir" "server $1;" "listen 127.0.0.1:$_port" "alias $_docs"; do
		grep -qF "$_want" "$_dir/nginx.conf" || { e2e_fail "deploy/nginx.conf no longer has the line for '$_want'"; return 1; }
	done
	if grep -v '^[[:space:]]*#' "$_dir/nginx.conf" | grep -q '/run/\|/var/'; then
		e2e_fail "deploy/nginx.conf has a path the test does not move: $(grep -v '^[[:space:]]*#' "$_dir/nginx.conf" | grep '/run/\|/var/')"
		return 1
	fi
	e2e_bg nginx -p "$_dir" -e "$_dir/error.log" -c "$_dir/nginx.conf" -g "daemon off;"
	NGINX_PID=$!
	NGINX_BASE=http://127.0.0.1:$_port
}

FCGI_BIN=${FCGI_BIN:-$BUILD/app.fcgi}

manager_start() {
	_addr=$1 _n=$2
	shift 2
	# shellcheck disable=SC2086 # FCGI_WRAPPER is a command line
	e2e_bg ${FCGI_WRAPPER:-} "$FCGI_BIN" --listen "$_addr" --workers "$_n" "$@" 2>>"$E2E_TMP/manager.log"
	MANAGER_PID=$!
}

fcgi_request() {
	_addr=$1 _out=$2
	shift 2
	timeout 20 env -i "$@" cgi-fcgi -bind -connect "$_addr" >"$_out" 2>&1
}

status_of() {
	sed -n 's/^Status: \([0-9]*\).*/\1/p' "$1" | head -n 1
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

# wrk_start SECONDS CONNECTIONS URL [WRK_ARG...]: wrk in the background (WRK_PID),
# its report in $E2E_TMP/wrk.txt. wrk_post_script: a wrk script sending POSTs with a body.
wrk_start() {
	_secs=$1 _conns=$2 _url=$3
	shift 3
	wrk -t 2 -c "$_conns" -d "${_secs}s" --timeout 5s "$@" "$_url" >"$E2E_TMP/wrk.txt" 2>&1 &
	WRK_PID=$!
}

wrk_post_script() {
	printf '%s\n' 'wrk.method = "POST"' 'wrk.body = string.rep("a=1&", 500)' \
		'wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"' >"$E2E_TMP/post.lua"
	echo "$E2E_TMP/post.lua"
}

# wrk_counts: after wrk ended, SENT (answers plus socket errors) and FAILED (answers
# other than 2xx/3xx, and every connect, read, write error or timeout wrk saw).
wrk_counts() {
	_answered=$(sed -n 's/^ *\([0-9]*\) requests in.*/\1/p' "$E2E_TMP/wrk.txt")
	_bad=$(awk '/Non-2xx or 3xx responses:/ {n += $NF} END {print n + 0}' "$E2E_TMP/wrk.txt")
	_errors=$(awk '/Socket errors:/ {gsub(",", ""); n += $4 + $6 + $8 + $10} END {print n + 0}' "$E2E_TMP/wrk.txt")
	SENT=$(( ${_answered:-0} + _errors ))
	FAILED=$(( _bad + _errors ))
}

# wait_fcgi ADDRESS: until a FastCGI /ping there answers 200 (up to 10 s).
wait_fcgi() {
	_deadline=$(( $(date +%s) + 10 ))
	until fcgi_request "$1" "$E2E_TMP/up.out" REQUEST_URI=/ping </dev/null && [ "$(status_of "$E2E_TMP/up.out")" = 200 ]; do
		if [ "$(date +%s)" -ge "$_deadline" ]; then
			e2e_fail "$1 did not answer in time"
			return 1
		fi
		sleep 0.1
	done
}
