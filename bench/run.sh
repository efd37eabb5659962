#!/bin/sh
# make bench: every figure side by side in one run, on loopback, then a table
# on stdout and the same numbers in $BUILD/bench.json (bench/report.py).
#   1. FastCGI: lighttpd with the top-level lighttpd.conf spawning app.fcgi (its
#      access log on, JSON lines to a file), and the same with LOG_FORMAT=off;
#   2. the same lighttpd serving a static file with the same body (the ceiling);
#   3. the FastAPI peer (bench/peer_fastapi.py; with SHARED_DIR set,
#      $SHARED_DIR/reference/main.py instead) under uvicorn;
#   3b. app.fcgi's own manager (--listen, a unix socket) behind nginx with
#      deploy/nginx.conf: a fixed pool of MANAGER_WORKERS and a dynamic one of
#      1:MANAGER_WORKERS;
#   4. CGI: app.cgi under lighttpd mod_cgi, and fork+exec+wait of app.cgi
#      against /bin/true (bench/exec_loop.c);
#   5. Lambda: bench/lambda.py (adapter cost per invocation, start to first /next),
#      and exec -> first GET /next for the zip's bootstrap, a 20-line C loop and
#      Python + FastAPI side by side (bench/first_next.sh);
#   6. worker RSS after the load, binary sizes.
# The wrk runs take turns server by server for each endpoint and connection
# count, so a busy neighbour slows all of them alike: read the ratios.
#
# Settings (environment): BUILD (build), SHARED_DIR (unset: the peer in bench/),
# WRK_SECONDS (2 per run) x WRK_ROUNDS (3), CONNECTIONS ("1 16 64"), BENCH_PROCS (worker
# processes for app.fcgi and for uvicorn: 1), MANAGER_WORKERS (the manager's pools:
# online CPUs), PYTHON (/usr/bin/python3, Debian's,
# which has fastapi and uvicorn), EXEC_ROUNDS / EXEC_BATCH (fork+exec loop).
set -u
cd "$(dirname "$0")/.."
. tests/e2e/lib.sh
. tests/e2e/fcgi_lib.sh

# The FastAPI app measured beside ours: uvicorn's --app-dir and module.
if [ -n "${SHARED_DIR:-}" ]; then
	PEER_DIR=$SHARED_DIR/reference PEER_MODULE=main
else
	PEER_DIR=bench PEER_MODULE=peer_fastapi
fi
WRK_SECONDS=${WRK_SECONDS:-2}
# Each server is measured WRK_ROUNDS times per endpoint and connection count,
# taking turns; the report keeps the median, so a burst of work elsewhere on
# the machine spoils one short run rather than one server's whole figure.
WRK_ROUNDS=${WRK_ROUNDS:-3}
CONNECTIONS=${CONNECTIONS:-"1 16 64"}
# One process each by default: uvicorn's own --workers mode (0.17.6 in Debian 12)
# stalls about 40 ms on every keep-alive request (measured: 22 requests/s at one
# connection), and one uvicorn process per container is FastAPI's advice anyway.
PROCS=${BENCH_PROCS:-1}
MANAGER_WORKERS=${MANAGER_WORKERS:-$(nproc)}
PYTHON=${PYTHON:-/usr/bin/python3}
EXEC_ROUNDS=${EXEC_ROUNDS:-9}
EXEC_BATCH=${EXEC_BATCH:-100}
BUILD_ABS=$(cd "$BUILD" && pwd)

# The endpoints measured, as label=path?query.
ENDPOINTS="root=/ add=/math/add?i=5&i=10 item=/items/42?q=x"

E2E_TIMEOUT=${BENCH_TIMEOUT:-900}
e2e_start bench
RESULTS=$E2E_TMP/results.tsv
: >"$RESULTS"

# Servers run in their own process group (setsid), so stopping one also stops
# the workers it spawned (lighttpd's app.fcgi, uvicorn's workers).
BENCH_GROUPS=""
start_group() {
	setsid "$@" </dev/null >>"$E2E_TMP/servers.log" 2>&1 &
	BENCH_GROUPS="$BENCH_GROUPS $!"
	LAST_GROUP=$!
}
stop_group() {
	kill -TERM "-$1" 2>/dev/null || return 0
	_i=0
	while kill -0 "-$1" 2>/dev/null && [ $_i -lt 50 ]; do
		sleep 0.1
		_i=$((_i + 1))
	done
	kill -KILL "-$1" 2>/dev/null
	return 0
}
bench_cleanup() {
	for g in $BENCH_GROUPS; do stop_group "$g"; done
}
trap 'bench_cleanup; e2e_cleanup' EXIT

# result KIND FIELD...: one tab-separated line for bench/report.py.
result() {
	{
		printf '%s' "$1"
		shift
		for _f; do printf '\t%s' "$_f"; done
		printf '\n'
	} >>"$RESULTS"
}

fail() {
	echo "bench: $*" >&2
	[ -s "$E2E_TMP/servers.log" ] && tail -20 "$E2E_TMP/servers.log" >&2
	exit 1
}

for tool in wrk lighttpd nginx curl setsid strip; do
	command -v "$tool" >/dev/null || fail "$tool is not installed (make deps)"
done
[ -f "$PEER_DIR/$PEER_MODULE.py" ] || fail "no FastAPI app $PEER_DIR/$PEER_MODULE.py (SHARED_DIR=$SHARED_DIR)"

# ---- the machine and the code measured ------------------------------------

result meta date "$(date -u +%Y-%m-%dT%H:%M:%SZ)"
result meta commit "$(git rev-parse --short HEAD 2>/dev/null || echo unknown)$(git diff --quiet HEAD 2>/dev/null || echo -dirty)"
result meta cpus "$(nproc)"
result meta cpu "$(grep -m1 'model name' /proc/cpuinfo | sed 's/.*: //')"
result meta kernel "$(uname -r)"
result meta load_before "$(cut -d' ' -f1-3 /proc/loadavg)"
result meta wrk_seconds "$WRK_SECONDS"
result meta wrk_rounds "$WRK_ROUNDS"
result meta procs "$PROCS"
result meta manager_workers "$MANAGER_WORKERS"
result meta lighttpd "$(lighttpd -v 2>&1 | head -1)"
result meta peer "$PEER_DIR/$PEER_MODULE.py"
result meta fastapi "$("$PYTHON" -c 'import fastapi, uvicorn; print("fastapi", fastapi.__version__, "uvicorn", uvicorn.__version__)')" ||
	fail "$PYTHON has no fastapi/uvicorn (make deps installs python3-fastapi python3-uvicorn)"

# ---- servers ---------------------------------------------------------------

# lighttpd.conf as shipped, with an app directory holding app.fcgi, and docs/
# holding, for each endpoint, a static file with exactly the service's body.
APP_DIR=$E2E_TMP/app
mkdir -p "$APP_DIR/docs" "$E2E_TMP/sockets"
ln -s "$BUILD_ABS/app.fcgi" "$APP_DIR/app.fcgi"
lighttpd_port=$(free_port)
PORT=$lighttpd_port BIND=127.0.0.1 APP_DIR=$APP_DIR FCGI_PROCS=$PROCS SOCKET_DIR=$E2E_TMP/sockets \
	ACCESS_LOG=/dev/null EXECUTION_ENVIRONMENT= start_group lighttpd -D -f lighttpd.conf
lighttpd_group=$LAST_GROUP
E2E_NAME="bench (lighttpd + FastCGI)"
wait_http "http://127.0.0.1:$lighttpd_port/" 20 || fail "lighttpd did not start"

# The same, the service's access log off (LOG_FORMAT=off): the cost of logging.
nolog_port=$(free_port)
mkdir -p "$E2E_TMP/sockets-nolog"
PORT=$nolog_port BIND=127.0.0.1 APP_DIR=$APP_DIR FCGI_PROCS=$PROCS SOCKET_DIR=$E2E_TMP/sockets-nolog \
	ACCESS_LOG=/dev/null EXECUTION_ENVIRONMENT= LOG_FORMAT=off start_group lighttpd -D -f lighttpd.conf
nolog_group=$LAST_GROUP
wait_http "http://127.0.0.1:$nolog_port/" 20 || fail "lighttpd (LOG_FORMAT=off) did not start"

cgi_port=$(free_port)
mkdir -p "$E2E_TMP/cgi-root"
PORT=$cgi_port CGI_DIR=$BUILD_ABS DOC_ROOT=$E2E_TMP/cgi-root ACCESS_LOG=/dev/null APP_MAX_BODY_BYTES= \
	EXECUTION_ENVIRONMENT= start_group lighttpd -D -f deploy/lighttpd-cgi.conf
cgi_group=$LAST_GROUP
E2E_NAME="bench (lighttpd + CGI)"
wait_http "http://127.0.0.1:$cgi_port/cgi-bin/app.cgi/" 20 || fail "lighttpd (CGI) did not start"

fastapi_port=$(free_port)
uvicorn_workers=
[ "$PROCS" -gt 1 ] && uvicorn_workers="--workers $PROCS"
start_group "$PYTHON" -m uvicorn "$PEER_MODULE:app" --app-dir "$PEER_DIR" --host 127.0.0.1 --port "$fastapi_port" \
	$uvicorn_workers --log-level warning --no-access-log
fastapi_group=$LAST_GROUP
E2E_NAME="bench (uvicorn)"
wait_http "http://127.0.0.1:$fastapi_port/" 30 || fail "uvicorn did not start"

# The standalone manager, fixed and dynamic, each behind its own nginx.
start_group "$BUILD_ABS/app.fcgi" --listen "$E2E_TMP/sockets/fixed.sock" --workers "$MANAGER_WORKERS"
manager_group=$LAST_GROUP
nginx_start "unix:$E2E_TMP/sockets/fixed.sock" || fail "nginx did not start"
manager_base=$NGINX_BASE
start_group "$BUILD_ABS/app.fcgi" --listen "$E2E_TMP/sockets/dynamic.sock" --workers "1:$MANAGER_WORKERS" --idle-timeout 10
manager_dyn_group=$LAST_GROUP
nginx_start "unix:$E2E_TMP/sockets/dynamic.sock" || fail "nginx did not start"
manager_dyn_base=$NGINX_BASE
E2E_NAME="bench (nginx + app.fcgi --listen)"
wait_http "$manager_base/" 20 || fail "the manager (fixed pool) did not start"
wait_http "$manager_dyn_base/" 20 || fail "the manager (dynamic pool) did not start"

url_of() {
	case $1 in
	manager) echo "$manager_base$3" ;;
	manager_dyn) echo "$manager_dyn_base$3" ;;
	fcgi) echo "http://127.0.0.1:$lighttpd_port$3" ;;
	fcgi_nolog) echo "http://127.0.0.1:$nolog_port$3" ;;
	static) echo "http://127.0.0.1:$lighttpd_port/docs/$2.body" ;;
	cgi) echo "http://127.0.0.1:$cgi_port/cgi-bin/app.cgi$3" ;;
	fastapi) echo "http://127.0.0.1:$fastapi_port$3" ;;
	esac
}

# Every server gives the same body before anything is timed (a benchmark of
# wrong answers measures nothing); the static copies are made from it.
for ep in $ENDPOINTS; do
	label=${ep%%=*} path=${ep#*=}
	curl -sf -o "$APP_DIR/docs/$label.body" "$(url_of fcgi "$label" "$path")" || fail "FastCGI $path failed"
	for server in fcgi_nolog static cgi fastapi manager manager_dyn; do
		curl -sf -o "$E2E_TMP/check" "$(url_of $server "$label" "$path")" || fail "$server $path failed"
		cmp -s "$E2E_TMP/check" "$APP_DIR/docs/$label.body" ||
			fail "$server $path answered '$(cat "$E2E_TMP/check")', FastCGI '$(cat "$APP_DIR/docs/$label.body")'"
	done
	result body "$label" "$path" "$(wc -c <"$APP_DIR/docs/$label.body")"
done

# ---- 1-4. throughput and latency with wrk ---------------------------------

# wrk_run SERVER LABEL PATH CONNS: one timed run; a result line from bench/wrk_report.lua.
wrk_run() {
	_threads=2
	[ "$4" -lt 2 ] && _threads=1
	_line=$(wrk -t "$_threads" -c "$4" -d "${WRK_SECONDS}s" --timeout 5s -s bench/wrk_report.lua \
		"$(url_of "$1" "$2" "$3")" 2>&1 | grep '^RESULT ') || fail "wrk against $1 $3 gave no result"
	result wrk "$1" "$2" "$4" "${_line#RESULT }"
}

echo "bench: warming up" >&2
for server in fcgi fcgi_nolog static cgi fastapi manager manager_dyn; do
	wrk -t 2 -c 16 -d 1s "$(url_of $server root /)" >/dev/null 2>&1
done

for ep in $ENDPOINTS; do
	label=${ep%%=*} path=${ep#*=}
	for c in $CONNECTIONS; do
		echo "bench: $path, $c connection(s)" >&2
		for round in $(seq "$WRK_ROUNDS"); do
			for server in fcgi fcgi_nolog static cgi fastapi manager manager_dyn; do
				wrk_run "$server" "$label" "$path" "$c"
			done
		done
	done
done

# ---- 6. memory of the long-running workers after the load ------------------

# rss_of LABEL PID...: resident and peak resident set of each process, in kB.
rss_of() {
	_label=$1
	shift
	for _pid in "$@"; do
		_rss=$(awk '/^VmRSS:/ { print $2 }' "/proc/$_pid/status" 2>/dev/null)
		_hwm=$(awk '/^VmHWM:/ { print $2 }' "/proc/$_pid/status" 2>/dev/null)
		[ -n "$_rss" ] && result rss "$_label" "$_pid" "$_rss" "$_hwm"
	done
}
# children_of PID [WORD]: the processes whose parent is PID (and whose command line has WORD).
children_of() {
	for _st in /proc/[0-9]*/stat; do
		_line=$(cat "$_st" 2>/dev/null) || continue
		_ppid=$(printf '%s\n' "${_line##*) }" | cut -d' ' -f2)
		_pid=${_st#/proc/}
		_pid=${_pid%/stat}
		[ "$_ppid" = "$1" ] || continue
		[ -z "${2:-}" ] || tr '\0' ' ' <"/proc/$_pid/cmdline" 2>/dev/null | grep -q -- "$2" || continue
		echo "$_pid"
	done
}
rss_of lighttpd "$lighttpd_group"
rss_of fcgi_worker $(children_of "$lighttpd_group" app.fcgi)
if [ "$PROCS" -gt 1 ]; then
	rss_of uvicorn_worker $(children_of "$fastapi_group" spawn_main)
else
	rss_of uvicorn_worker "$fastapi_group"
fi

rss_of manager_worker $(children_of "$manager_group")
rss_of manager_dynamic_worker $(children_of "$manager_dyn_group")

for g in $lighttpd_group $nolog_group $cgi_group $fastapi_group $manager_group $manager_dyn_group; do stop_group "$g"; done
BENCH_GROUPS=""

# ---- 4. CGI: fork + exec + wait, app.cgi against /bin/true -----------------

echo "bench: CGI fork+exec loop" >&2
REQUEST_METHOD=GET PATH_INFO=/math/add QUERY_STRING='i=5&i=10' SCRIPT_NAME=/cgi-bin/app.cgi \
	GATEWAY_INTERFACE=CGI/1.1 SERVER_PROTOCOL=HTTP/1.1 REMOTE_ADDR=127.0.0.1 \
	"$BUILD/bench/exec_loop" "$EXEC_ROUNDS" "$EXEC_BATCH" app_cgi="$BUILD_ABS/app.cgi" bin_true=/bin/true \
	>"$E2E_TMP/exec" || fail "exec_loop failed"
while read -r label wall_us cpu_us runs; do
	result exec "$label" "$wall_us" "$cpu_us" "$runs"
done <"$E2E_TMP/exec"

# ---- 5. Lambda (bench/lambda.py, the script behind make bench-lambda) -------

if [ -x "$BUILD/bootstrap" ] && [ -f bench/lambda.py ]; then
	echo "bench: Lambda" >&2
	python3 bench/lambda.py --bootstrap "$BUILD/bootstrap" --json >"$E2E_TMP/lambda.json" ||
		fail "bench/lambda.py failed"
	result lambda "$(cat "$E2E_TMP/lambda.json")"
else
	echo "bench: no $BUILD/bootstrap or bench/lambda.py: Lambda figures left out" >&2
fi

# ---- 5b. exec -> first GET /next (bench/first_next.sh) -------------------------

if [ -f "$BUILD/lambda.zip" ] && [ -x "$BUILD/bench/first_next" ]; then
	echo "bench: exec -> first /next" >&2
	BUILD=$BUILD SHARED_DIR=$SHARED_DIR RUNS=${FIRST_NEXT_RUNS:-30} bench/first_next.sh >"$E2E_TMP/first_next" ||
		fail "bench/first_next.sh failed"
	while read -r kind label a b c; do
		result "$kind" "$label" "$a" "${b:-}" "${c:-}"
	done <"$E2E_TMP/first_next"
fi

# ---- 6. binary sizes ---------------------------------------------------------

for bin in app.cgi app.fcgi bootstrap; do
	[ -f "$BUILD/$bin" ] || continue
	strip -o "$E2E_TMP/stripped" "$BUILD/$bin"
	result size "$bin" "$(wc -c <"$BUILD/$bin")" "$(wc -c <"$E2E_TMP/stripped")"
done

result meta load_after "$(cut -d' ' -f1-3 /proc/loadavg)"
cp "$RESULTS" "$BUILD/bench.tsv"
python3 bench/report.py "$BUILD/bench.tsv" "$BUILD/bench.json"
