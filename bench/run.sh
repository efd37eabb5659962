#!/bin/sh
# make bench: every figure side by side in one run, on loopback, then a table
# on stdout and the same numbers in $BUILD/bench.json (bench/report.py), with
# the targets of issue 15 marked met or not.
#   fcgi     lighttpd with the top-level lighttpd.conf spawning app.fcgi;
#   bare     the same lighttpd settings spawning bench/bare_fcgi.c, a bare
#            libfcgi responder ending requests as app.fcgi does: the FastCGI ceiling;
#   bareclose the same responder ending requests with libfcgi's FCGX_Finish_r, run
#            with LIBFCGI_OS_CLOSE_POLL_TIMEOUT=0 (nothing else): plain libfcgi closing at once;
#   nolog    the fcgi lighttpd again with LOG_FORMAT=off: the cost of the access log;
#   nginx    nginx with deploy/nginx.conf, app.fcgi's own manager on a unix socket;
#   dynamic  the same with a dynamic pool (--workers 1:N, N the worker count measured);
#   static   the fcgi lighttpd serving a static file with the same body (the ceiling of all);
#   php      php-fpm (Debian's php8.2-fpm, pm static with as many children as workers)
#            running bench/peer_php.php, behind nginx with deploy/nginx.conf as nginx above;
#   fastapi  the FastAPI peer (bench/peer_fastapi.py; with SHARED_DIR set,
#            $SHARED_DIR/reference/main.py instead) under uvicorn;
#   cgi      app.cgi under lighttpd mod_cgi; and fork+exec+wait of app.cgi
#            against /bin/true (bench/exec_loop.c);
#   then the FastCGI servers again with 2 and 4 workers, Lambda
#   (bench/lambda.py, and exec -> first GET /next for the zip's bootstrap, a
#   bare C loop and Python + FastAPI: bench/first_next.sh), worker RSS after
#   the load, binary sizes, and the container image against the old one
#   (bench/image.sh: size, start to first answer in ECS and Lambda mode; needs podman).
# The wrk runs take turns server by server for each endpoint and connection
# count, so a busy neighbour slows all of them alike: read the ratios, and the
# server CPU time per request (user + system time of the server's processes,
# reaped children included, over the run, divided by the requests), which
# holds still when the machine is busy and requests/s do not.
#
# Settings (environment): BUILD (build), SHARED_DIR (unset: the peer in bench/),
# WRK_SECONDS (1 per run) x WRK_ROUNDS (3), CONNECTIONS ("1 16 64 256"),
# SCALE_PROCS (worker counts besides 1 for the FastCGI servers: "2 4"),
# SCALE_ENDPOINT (item), CALLGRIND_REQUESTS (1000), IMAGE_RUNS (5), IMAGE_BASE_REV
# (bench/image.sh), BENCH_CHARTS_DIR (docs/benchmarks: bench/charts.py), PYTHON (/usr/bin/python3, Debian's, which has fastapi
# and uvicorn), EXEC_ROUNDS / EXEC_BATCH (fork+exec loop).
set -u
cd "$(dirname "$0")/.."
. tests/e2e/lib.sh

# The FastAPI app measured beside ours: uvicorn's --app-dir and module.
if [ -n "${SHARED_DIR:-}" ]; then
	PEER_DIR=$SHARED_DIR/reference PEER_MODULE=main
else
	PEER_DIR=bench PEER_MODULE=peer_fastapi
fi
WRK_SECONDS=${WRK_SECONDS:-1}
# Each server is measured WRK_ROUNDS times per endpoint and connection count,
# taking turns; the report keeps the median, so a burst of work elsewhere on
# the machine spoils one short run rather than one server's whole figure.
WRK_ROUNDS=${WRK_ROUNDS:-3}
CONNECTIONS=${CONNECTIONS:-"1 16 64 256"}
# One process each in the main table: uvicorn's own --workers mode (0.17.6 in
# Debian 12) stalls about 40 ms on every keep-alive request (measured: 22
# requests/s at one connection), and one uvicorn process per container is
# FastAPI's advice anyway. The FastCGI servers are measured again with these.
PROCS=1
SCALE_PROCS=${SCALE_PROCS:-"2 4"}
SCALE_ENDPOINT=${SCALE_ENDPOINT:-item}
PYTHON=${PYTHON:-/usr/bin/python3}
EXEC_ROUNDS=${EXEC_ROUNDS:-9}
EXEC_BATCH=${EXEC_BATCH:-100}
BUILD_ABS=$(cd "$BUILD" && pwd)

# The endpoints measured, as label=path?query.
ENDPOINTS="root=/ add=/math/add?i=5&i=10 item=/items/42?q=x"

E2E_TIMEOUT=${BENCH_TIMEOUT:-900}
e2e_start bench
. tests/e2e/fcgi_lib.sh
# (fcgi_lib.sh sets the tests' body limit; the benchmark runs with the defaults)
unset APP_MAX_BODY_BYTES
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
# nginx_start (tests/e2e/fcgi_lib.sh) starts nginx with e2e_bg: here, in a group of its own.
e2e_bg() {
	start_group "$@"
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

PHP_FPM=${PHP_FPM:-$(command -v php-fpm8.2 || echo /usr/sbin/php-fpm8.2)}
[ -x "$PHP_FPM" ] || fail "php-fpm8.2 is not installed (make deps installs php8.2-fpm)"
for tool in wrk lighttpd nginx curl setsid strip; do
	command -v "$tool" >/dev/null || fail "$tool is not installed (make deps)"
done
[ -f "$PEER_DIR/$PEER_MODULE.py" ] || fail "no FastAPI app $PEER_DIR/$PEER_MODULE.py (SHARED_DIR=${SHARED_DIR:-})"

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
result meta scale_procs "$SCALE_PROCS"
result meta peer "$PEER_DIR/$PEER_MODULE.py"
result meta nginx "$(nginx -v 2>&1 | head -1)"
result meta lighttpd "$(lighttpd -v 2>&1 | head -1)"
result meta php "$("$PHP_FPM" -v 2>&1 | head -1)"
result meta fastapi "$("$PYTHON" -c 'import fastapi, uvicorn; print("fastapi", fastapi.__version__, "uvicorn", uvicorn.__version__)')" ||
	fail "$PYTHON has no fastapi/uvicorn (make deps installs python3-fastapi python3-uvicorn)"

# ---- servers ---------------------------------------------------------------

# lighttpd.conf as shipped, with an app directory holding app.fcgi (or the
# bare responder in its place), and docs/ holding, for each endpoint, a static
# file with exactly the service's body.
# start_lighttpd NAME BINARY PROCS [LOG_FORMAT]: sets ${NAME}_port and ${NAME}_groups.
# The bareclose column runs with LIBFCGI_OS_CLOSE_POLL_TIMEOUT=0 (the workers inherit it).
start_lighttpd() {
	_dir=$E2E_TMP/$1
	mkdir -p "$_dir/docs" "$E2E_TMP/sockets/$1"
	[ -d "$E2E_TMP/fcgi/docs" ] && cp "$E2E_TMP/fcgi/docs/"*.body "$_dir/docs/" 2>/dev/null
	ln -sf "$2" "$_dir/app.fcgi"
	_port=$(free_port)
	_close_poll=
	[ "$1" = bareclose ] && _close_poll=LIBFCGI_OS_CLOSE_POLL_TIMEOUT=0
	# shellcheck disable=SC2086 # one assignment, or none
	PORT=$_port BIND=127.0.0.1 APP_DIR=$_dir FCGI_PROCS=$3 SOCKET_DIR=$E2E_TMP/sockets/$1 \
		ACCESS_LOG=/dev/null EXECUTION_ENVIRONMENT= LOG_FORMAT=${4:-json} start_group env $_close_poll lighttpd -D -f lighttpd.conf
	eval "$1_port=$_port $1_groups=$LAST_GROUP"
	E2E_NAME="bench (lighttpd + $1)"
	wait_http "http://127.0.0.1:$_port/" 20 || fail "lighttpd ($1) did not start"
}

# start_nginx NAME PROCS [WORKERS]: app.fcgi --listen on a unix socket with
# --workers WORKERS (default PROCS), behind nginx with deploy/nginx.conf
# (tests/e2e/fcgi_lib.sh); sets ${NAME}_port and ${NAME}_groups.
start_nginx() {
	_sock=$E2E_TMP/sockets/manager-$1-$2.sock
	mkdir -p "$E2E_TMP/sockets"
	start_group "$BUILD_ABS/app.fcgi" --listen "$_sock" --workers "${3:-$2}" --idle-timeout 10
	_manager=$LAST_GROUP
	E2E_TMP_SAVED=$E2E_TMP
	E2E_TMP=$E2E_TMP/$1
	mkdir -p "$E2E_TMP"
	nginx_start "unix:$_sock" >/dev/null || fail "deploy/nginx.conf: $(cat "$E2E_TMP/nginx/error.log" 2>/dev/null)"
	E2E_TMP=$E2E_TMP_SAVED
	eval "$1_port=${NGINX_BASE##*:} $1_groups=\"$NGINX_PID $_manager\""
	E2E_NAME="bench (nginx + manager, $1)"
	wait_http "$NGINX_BASE/" 20 || fail "nginx + manager ($1) did not start"
}

# start_php NAME PROCS: php-fpm with a static pool of PROCS children on a unix socket,
# behind nginx with deploy/nginx.conf (SCRIPT_FILENAME added); sets ${NAME}_port and ${NAME}_groups.
start_php() {
	_dir=$E2E_TMP/$1-fpm
	mkdir -p "$_dir"
	# php-fpm runs a pool as root only when told so twice: user = root and -R.
	_root='' _root_flag=''
	[ "$(id -u)" = 0 ] && _root="user = root" _root_flag=-R
	printf '[global]\npid = %s\nerror_log = %s\ndaemonize = no\n[bench]\n%s\nlisten = %s\npm = static\npm.max_children = %s\n' \
		"$_dir/php-fpm.pid" "$_dir/error.log" "$_root" "$_dir/php.sock" "$2" >"$_dir/php-fpm.conf"
	# shellcheck disable=SC2086 # one flag, or none
	start_group "$PHP_FPM" -y "$_dir/php-fpm.conf" -F $_root_flag
	_fpm=$LAST_GROUP
	E2E_TMP_SAVED=$E2E_TMP
	E2E_TMP=$E2E_TMP/$1
	mkdir -p "$E2E_TMP"
	NGINX_FASTCGI_PARAMS="fastcgi_param SCRIPT_FILENAME $(pwd)/bench/peer_php.php;" \
		nginx_start "unix:$_dir/php.sock" >/dev/null || fail "deploy/nginx.conf: $(cat "$E2E_TMP/nginx/error.log" 2>/dev/null)"
	E2E_TMP=$E2E_TMP_SAVED
	eval "$1_port=${NGINX_BASE##*:} $1_groups=\"$NGINX_PID $_fpm\""
	E2E_NAME="bench (nginx + php-fpm, $1)"
	wait_http "$NGINX_BASE/" 20 || fail "nginx + php-fpm ($1) did not start: $(cat "$_dir/error.log" 2>/dev/null)"
}

stop_groups() {
	for _g; do stop_group "$_g"; done
}

start_lighttpd fcgi "$BUILD_ABS/app.fcgi" "$PROCS"
start_lighttpd nolog "$BUILD_ABS/app.fcgi" "$PROCS" off
start_lighttpd bare "$BUILD_ABS/bench/bare_fcgi" "$PROCS"
start_lighttpd bareclose "$BUILD_ABS/bench/bare_libfcgi" "$PROCS"
static_port=$fcgi_port static_groups=$fcgi_groups
start_nginx nginx "$PROCS"
start_nginx dynamic "$PROCS" "1:$PROCS"
start_php php "$PROCS"
APP_DIR=$E2E_TMP/fcgi

cgi_port=$(free_port)
mkdir -p "$E2E_TMP/cgi-root"
PORT=$cgi_port CGI_DIR=$BUILD_ABS DOC_ROOT=$E2E_TMP/cgi-root ACCESS_LOG=/dev/null APP_MAX_BODY_BYTES= \
	EXECUTION_ENVIRONMENT= start_group lighttpd -D -f deploy/lighttpd-cgi.conf
cgi_groups=$LAST_GROUP
E2E_NAME="bench (lighttpd + CGI)"
wait_http "http://127.0.0.1:$cgi_port/cgi-bin/app.cgi/" 20 || fail "lighttpd (CGI) did not start"

fastapi_port=$(free_port)
start_group "$PYTHON" -m uvicorn "$PEER_MODULE:app" --app-dir "$PEER_DIR" --host 127.0.0.1 --port "$fastapi_port" \
	--log-level warning --no-access-log
fastapi_groups=$LAST_GROUP
E2E_NAME="bench (uvicorn)"
wait_http "http://127.0.0.1:$fastapi_port/" 30 || fail "uvicorn did not start"

url_of() {
	case $1 in
	fcgi) echo "http://127.0.0.1:$fcgi_port$3" ;;
	nolog) echo "http://127.0.0.1:$nolog_port$3" ;;
	dynamic) echo "http://127.0.0.1:$dynamic_port$3" ;;
	bare) echo "http://127.0.0.1:$bare_port$3" ;;
	bareclose) echo "http://127.0.0.1:$bareclose_port$3" ;;
	php) echo "http://127.0.0.1:$php_port$3" ;;
	nginx) echo "http://127.0.0.1:$nginx_port$3" ;;
	static) echo "http://127.0.0.1:$static_port/docs/$2.body" ;;
	cgi) echo "http://127.0.0.1:$cgi_port/cgi-bin/app.cgi$3" ;;
	fastapi) echo "http://127.0.0.1:$fastapi_port$3" ;;
	esac
}

# Every server gives the same body before anything is timed (a benchmark of
# wrong answers measures nothing); the static copies are made from it.
for ep in $ENDPOINTS; do
	label=${ep%%=*} path=${ep#*=}
	curl -sf -o "$APP_DIR/docs/$label.body" "$(url_of fcgi "$label" "$path")" || fail "FastCGI $path failed"
	for server in nolog bare bareclose nginx dynamic php static cgi fastapi; do
		curl -sf -o "$E2E_TMP/check" "$(url_of $server "$label" "$path")" || fail "$server $path failed"
		cmp -s "$E2E_TMP/check" "$APP_DIR/docs/$label.body" ||
			fail "$server $path answered '$(cat "$E2E_TMP/check")', FastCGI '$(cat "$APP_DIR/docs/$label.body")'"
	done
	result body "$label" "$path" "$(wc -c <"$APP_DIR/docs/$label.body")"
done

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
# ---- throughput, latency and server CPU time with wrk ----------------------

# cpu_ticks GROUP...: user + system clock ticks of every process in these
# process groups, children they reaped included (CGI processes).
cpu_ticks() {
	cat /proc/[0-9]*/stat 2>/dev/null | awk -v groups=" $* " '
		{ sub(/^.*\) /, ""); if (index(groups, " " $3 " ")) t += $12 + $13 + $14 + $15 }
		END { print t + 0 }'
}
TICKS=$(getconf CLK_TCK)

# wrk_run SERVER LABEL PATH CONNS [PROCS]: one timed run; a result line with
# bench/wrk_report.lua's figures and the server's CPU microseconds per request.
wrk_run() {
	_threads=2
	[ "$4" -lt 2 ] && _threads=1
	eval "_groups=\$${1}_groups"
	_t0=$(cpu_ticks $_groups)
	_line=$(wrk -t "$_threads" -c "$4" -d "${WRK_SECONDS}s" --timeout 5s -s bench/wrk_report.lua \
		"$(url_of "$1" "$2" "$3")" 2>&1 | grep '^RESULT ') || fail "wrk against $1 $3 gave no result"
	_t1=$(cpu_ticks $_groups)
	_cpu=$(echo "${_line#RESULT }" | awk -v d=$((_t1 - _t0)) -v hz="$TICKS" \
		'{ printf "%.2f", ($6 > 0 ? d * 1e6 / hz / $6 : 0) }')
	result wrk "$1" "$2" "$4" "${_line#RESULT } $_cpu" "${5:-1}"
}

echo "bench: warming up" >&2
for server in fcgi nolog bare bareclose nginx dynamic php static cgi fastapi; do
	wrk -t 2 -c 16 -d 1s "$(url_of $server root /)" >/dev/null 2>&1
done
# The worker's memory once warm, to compare with after everything.
rss_of fcgi_worker_warm $(children_of "$fcgi_groups" app.fcgi)

for ep in $ENDPOINTS; do
	label=${ep%%=*} path=${ep#*=}
	for c in $CONNECTIONS; do
		echo "bench: $path, $c connection(s)" >&2
		for round in $(seq "$WRK_ROUNDS"); do
			for server in fcgi nolog bare bareclose nginx dynamic php static fastapi cgi; do
				# A process per request at 256 connections measures the fork storm, not CGI.
				[ "$server" = cgi ] && [ "$c" -gt 64 ] && continue
				wrk_run "$server" "$label" "$path" "$c"
			done
		done
	done
done

# ---- memory of the long-running workers after the load --------------------

rss_of lighttpd "$fcgi_groups"
rss_of fcgi_worker $(children_of "$fcgi_groups" app.fcgi)
rss_of uvicorn_worker "$fastapi_groups"
rss_of manager_dynamic_worker $(children_of "${dynamic_groups##* }" app.fcgi)
stop_groups $fcgi_groups $nolog_groups $bare_groups $bareclose_groups $nginx_groups $dynamic_groups $php_groups \
	$cgi_groups $fastapi_groups
BENCH_GROUPS=""

# ---- the FastCGI servers with more workers ----------------------------------

ep=$(for e in $ENDPOINTS; do echo "$e"; done | grep "^$SCALE_ENDPOINT=")
label=${ep%%=*} path=${ep#*=}
for procs in $SCALE_PROCS; do
	start_lighttpd fcgi "$BUILD_ABS/app.fcgi" "$procs"
	start_lighttpd bare "$BUILD_ABS/bench/bare_fcgi" "$procs"
	start_lighttpd bareclose "$BUILD_ABS/bench/bare_libfcgi" "$procs"
	start_nginx nginx "$procs"
	start_nginx dynamic "$procs" "1:$procs"
	start_php php "$procs"
	for server in fcgi bare bareclose nginx dynamic php; do
		wrk -t 2 -c 16 -d 1s "$(url_of $server "$label" "$path")" >/dev/null 2>&1
	done
	for c in $CONNECTIONS; do
		echo "bench: $path, $procs workers, $c connection(s)" >&2
		for round in $(seq "$WRK_ROUNDS"); do
			for server in fcgi bare bareclose nginx dynamic php; do
				wrk_run "$server" "$label" "$path" "$c" "$procs"
			done
		done
	done
	stop_groups $fcgi_groups $bare_groups $bareclose_groups $nginx_groups $dynamic_groups $php_groups
	BENCH_GROUPS=""
done

# ---- instructions per request (callgrind, bench/callgrind.sh) ---------------

# The workers of four columns under callgrind, each alone under lighttpd.conf:
# app.fcgi with the access log on (fcgi) and off (nolog), and both bare responders.
# Per endpoint: instructions per request, by object file (app.fcgi, libfcgi, libc,
# libcjson), and app.fcgi's costliest functions (self cost): what bounds the targets.
# callgrind_lines SERVER LABEL DUMP: result lines from one dump.
callgrind_lines() {
	callgrind_annotate --inclusive=no --auto=no --threshold=100 "$3" 2>/dev/null | awk -v n="$CALLGRIND_REQUESTS" \
		-v server="$1" -v label="$2" -v tab="$(printf '\t')" '
		/PROGRAM TOTALS/ { total = $1; gsub(",", "", total) }
		# (callgrind_annotate also lists main and what calls it with the whole total as
		# their own: left out)
		/^ *[0-9,]+ \( *[0-9.]+%\)  .*\]$/ {
			cost = $1; gsub(",", "", cost)
			if (cost + 0 >= 0.99 * total) next
			obj = $NF; gsub(/[][]/, "", obj); sub(/.*\//, "", obj); sub(/\.so.*/, "", obj)
			fn = $0; sub(/^[^)]*\)  /, "", fn); sub(/ \[[^]]*\]$/, "", fn); sub(/.*:/, "", fn)
			by_obj[obj] += cost
			if (server == "fcgi" && ++shown <= 8)
				print "callgrind_fn" tab server tab label tab fn " (" obj ")" tab int(cost / n)
		}
		END { for (o in by_obj) print "callgrind_obj" tab server tab label tab o tab int(by_obj[o] / n) }' >>"$RESULTS"
}
CALLGRIND_REQUESTS=${CALLGRIND_REQUESTS:-1000}
if command -v valgrind >/dev/null && command -v callgrind_annotate >/dev/null; then
	echo "bench: callgrind" >&2
	for server in fcgi nolog bare bareclose; do
		mkdir -p "$E2E_TMP/cg-$server"
		case $server in
		fcgi | nolog) ln -sf "$BUILD_ABS/app.fcgi" "$E2E_TMP/cg-$server/app.fcgi" ;;
		bare) ln -sf "$BUILD_ABS/bench/bare_fcgi" "$E2E_TMP/cg-$server/app.fcgi" ;;
		bareclose) ln -sf "$BUILD_ABS/bench/bare_libfcgi" "$E2E_TMP/cg-$server/app.fcgi" ;;
		esac
		_log=json _close_poll=
		[ $server = nolog ] && _log=off
		[ $server = bareclose ] && _close_poll=LIBFCGI_OS_CLOSE_POLL_TIMEOUT=0
		# shellcheck disable=SC2086 # one assignment, or none
		env $_close_poll LOG_FORMAT=$_log CALLGRIND_REQUESTS=$CALLGRIND_REQUESTS ENDPOINTS="$ENDPOINTS" \
			bench/callgrind.sh "$E2E_TMP/cg-$server" >"$E2E_TMP/cg-$server.txt" 2>&1 ||
			fail "bench/callgrind.sh ($server) failed: $(tail -3 "$E2E_TMP/cg-$server.txt")"
		while read -r label path instr; do
			result callgrind "$server" "$label" "$instr"
			callgrind_lines "$server" "$label" "$(grep -l "^desc: Trigger: dump $label\$" \
				"$E2E_TMP/cg-$server/callgrind/callgrind.out."* | head -1)"
		done <"$E2E_TMP/cg-$server.txt"
	done
else
	echo "bench: no valgrind: instructions per request left out (make deps installs valgrind)" >&2
fi

# ---- CGI: fork + exec + wait, app.cgi against /bin/true ---------------------

echo "bench: CGI fork+exec loop" >&2
REQUEST_METHOD=GET PATH_INFO=/math/add QUERY_STRING='i=5&i=10' SCRIPT_NAME=/cgi-bin/app.cgi \
	GATEWAY_INTERFACE=CGI/1.1 SERVER_PROTOCOL=HTTP/1.1 REMOTE_ADDR=127.0.0.1 \
	"$BUILD/bench/exec_loop" "$EXEC_ROUNDS" "$EXEC_BATCH" app_cgi="$BUILD_ABS/app.cgi" bin_true=/bin/true \
	>"$E2E_TMP/exec" 2>"$E2E_TMP/exec.log" || fail "exec_loop failed: $(tail -5 "$E2E_TMP/exec.log")"
while read -r label wall_us cpu_us runs; do
	result exec "$label" "$wall_us" "$cpu_us" "$runs"
done <"$E2E_TMP/exec"

# ---- Lambda (bench/lambda.py, the script behind make bench-lambda) ----------

if [ -x "$BUILD/bootstrap" ] && [ -f bench/lambda.py ]; then
	echo "bench: Lambda" >&2
	floor=
	[ -x "$BUILD/bench/lambda_floor" ] && floor="--floor $BUILD/bench/lambda_floor"
	# shellcheck disable=SC2086 # an option and its argument, or nothing
	# The runtime's access lines would go to the same stdout as the figures: off here.
	LOG_FORMAT=off python3 bench/lambda.py --bootstrap "$BUILD/bootstrap" $floor --json >"$E2E_TMP/lambda.json" ||
		fail "bench/lambda.py failed"
	result lambda "$(cat "$E2E_TMP/lambda.json")"
else
	echo "bench: no $BUILD/bootstrap or bench/lambda.py: Lambda figures left out" >&2
fi

# ---- Lambda: exec -> first GET /next (bench/first_next.sh, make bench-first-next) ----

if [ -x "$BUILD/bench/first_next" ] && [ -f "$BUILD/lambda.zip" ]; then
	echo "bench: exec -> first /next" >&2
	LOG_FORMAT=off BUILD=$BUILD SHARED_DIR=${SHARED_DIR:-} bench/first_next.sh >"$E2E_TMP/first_next.txt" 2>&1 ||
		fail "bench/first_next.sh failed: $(tail -5 "$E2E_TMP/first_next.txt")"
	cat "$E2E_TMP/first_next.txt" >&2
	while read -r kind label median min runs; do
		[ "$kind" = first_next ] && result first_next "$label" "$median" "$min" "$runs"
	done <"$E2E_TMP/first_next.txt"
fi

# ---- the container image against the old one (bench/image.sh) -----------------

if command -v podman >/dev/null; then
	echo "bench: container image (bench/image.sh)" >&2
	if BUILD=$BUILD bench/image.sh >"$E2E_TMP/image.txt" 2>"$E2E_TMP/image.log"; then
		while read -r kind label size ecs_med ecs_min lambda_med lambda_min runs; do
			[ "$kind" = image ] && result image "$label" "$size" "$ecs_med" "$ecs_min" "$lambda_med" "$lambda_min" "$runs"
		done <"$E2E_TMP/image.txt"
	else
		echo "bench: bench/image.sh failed (image figures left out): $(tail -5 "$E2E_TMP/image.log")" >&2
	fi
else
	echo "bench: no podman: image figures left out (make deps installs podman)" >&2
fi

# ---- binary sizes -------------------------------------------------------------

for bin in app.cgi app.fcgi bootstrap; do
	[ -f "$BUILD/$bin" ] || continue
	strip -o "$E2E_TMP/stripped" "$BUILD/$bin"
	result size "$bin" "$(wc -c <"$BUILD/$bin")" "$(wc -c <"$E2E_TMP/stripped")"
done

result meta load_after "$(cut -d' ' -f1-3 /proc/loadavg)"
cp "$RESULTS" "$BUILD/bench.tsv"
python3 bench/report.py "$BUILD/bench.tsv" "$BUILD/bench.json" || exit 1
# The charts docs/benchmarks.md shows (BENCH_CHARTS_DIR: elsewhere; gnuplot-nox).
python3 bench/charts.py "$BUILD/bench.json" "${BENCH_CHARTS_DIR:-docs/benchmarks}" >&2
