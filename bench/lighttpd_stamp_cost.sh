#!/bin/sh
# What lighttpd's REQUEST_START stamp (deploy/lighttpd-request-start.lua, mod_magnet,
# on in the shipped lighttpd.conf) costs lighttpd, in instructions per request
# (callgrind: repeatable on a busy machine, where CPU seconds are not).
# lighttpd runs the shipped lighttpd.conf under callgrind (its FastCGI workers,
# spawned by it, run natively), APP_DIR a directory with build's app.fcgi, docs/,
# errors/ and the variant's script; for each variant the counters are zeroed after
# a warm-up, N GETs are sent on one keep-alive connection, and lighttpd's total is
# divided by N. Variants:
#   off      FCGI_MAX_QUEUE_WAIT=0 (no limit): lighttpd.conf attracts no script
#   shipped  deploy/lighttpd-request-start.lua (r.req_body.len, hrtime, microseconds)
#   bare     the same without the look at r.req_body.len
#   format   the script of the first version: hrtime, then string.format("%d.%03d")
#   start    r.req_item.start_time() (needs server.metrics-high-precision) instead of hrtime
# The others run with FCGI_MAX_QUEUE_WAIT=60000 (nothing is shed).
# Prints "VARIANT instructions-per-request" and each one's cost over "off".
#
#   bench/lighttpd_stamp_cost.sh [BUILD_DIR]      (make bench-lighttpd-stamp)
# Settings: STAMP_BENCH_REQUESTS (1000), STAMP_BENCH_PATH (/ping), STAMP_BENCH_VARIANTS.
# STAMP_BENCH_CPU=1: instead, lighttpd's CPU seconds per request off/shipped/off/shipped
# (STAMP_BENCH_CPU_REQUESTS, 5000, without valgrind; informative: noisy on a busy machine).
set -u
cd "$(dirname "$0")/.."
BUILD=${1:-${BUILD:-build}}
. tests/e2e/lib.sh
. tests/e2e/fcgi_lib.sh
N=${STAMP_BENCH_REQUESTS:-1000}
URL_PATH=${STAMP_BENCH_PATH:-/ping}
VARIANTS=${STAMP_BENCH_VARIANTS:-off shipped bare format start}
OUT=$(cd "$BUILD" && pwd)/lighttpd-stamp-bench
E2E_TIMEOUT=${STAMP_BENCH_TIMEOUT:-900}
e2e_start lighttpd-stamp-bench
rm -rf "$OUT"
mkdir -p "$OUT"

# requests BASE COUNT: COUNT GETs of URL_PATH on one keep-alive connection.
requests() {
	for _i in $(seq "$2"); do echo "url = \"$1$URL_PATH\""; echo "output = /dev/null"; done >"$E2E_TMP/urls"
	curl -s --max-time 600 -K "$E2E_TMP/urls"
}

# app_dir VARIANT: a directory lighttpd.conf's APP_DIR can name, with VARIANT's script.
app_dir() {
	_d=$OUT/app-$1
	mkdir -p "$_d"
	_b=$(cd "$BUILD" && pwd)
	ln -s "$_b/app.fcgi" "$_b/docs" "$_b/errors" "$_d/"
	case $1 in
	bare)
		printf '%s\n' 'local s, ns = lighty.c.hrtime()' \
			'lighty.r.req_env["REQUEST_START"] = s * 1000000 + ns // 1000' ;;
	format)
		printf '%s\n' 'local s, ns = lighty.c.hrtime()' \
			'lighty.r.req_env["REQUEST_START"] = string.format("%d.%03d", s, ns // 1000000)' ;;
	start)
		printf '%s\n' 'local s, ns = lighty.r.req_item.start_time()' \
			'lighty.r.req_env["REQUEST_START"] = s * 1000000 + ns // 1000' ;;
	*) cat deploy/lighttpd-request-start.lua ;;
	esac >"$_d/lighttpd-request-start.lua"
	echo "$_d"
}

# conf VARIANT: lighttpd.conf as VARIANT runs it.
conf() {
	_c=$OUT/lighttpd-$1.conf
	cat lighttpd.conf >"$_c"
	[ "$1" = start ] && echo 'server.feature-flags += ("server.metrics-high-precision" => "enable")' >>"$_c"
	echo "$_c"
}

stop() {
	kill -TERM "$1"
	wait "$1" 2>/dev/null
}

# measure VARIANT: lighttpd's instructions per request in VARIANT.
measure() {
	_port=$(free_port)
	_conf=$(conf "$1")
	_wait=60000
	[ "$1" = off ] && _wait=0
	# lighttpd.conf's include_shell reads its settings from the environment.
	PORT=$_port BIND=127.0.0.1 APP_DIR=$(app_dir "$1") FCGI_MAX_QUEUE_WAIT=$_wait FCGI_PROCS=1 SOCKET_DIR=$E2E_TMP UPLOAD_DIR=$E2E_TMP \
		e2e_bg valgrind --tool=callgrind --callgrind-out-file="$OUT/$1.%p" \
		lighttpd -D -f "$_conf" 2>"$E2E_TMP/lighttpd-$1.log"
	_pid=$!
	_base=http://127.0.0.1:$_port
	# (measure runs in a subshell: the lighttpd it started is stopped here, not by e2e_cleanup)
	wait_ok "$_base$URL_PATH" 120 >&2 || { cat "$E2E_TMP/lighttpd-$1.log" >&2; stop "$_pid"; exit 1; }
	requests "$_base" 100
	callgrind_control --zero "$_pid" >/dev/null 2>&1 || { echo "stamp-bench: callgrind_control failed" >&2; stop "$_pid"; exit 1; }
	requests "$_base" "$N"
	callgrind_control --dump=measured "$_pid" >/dev/null 2>&1
	_dump=$(grep -l "^desc: Trigger: dump measured$" "$OUT/$1".* 2>/dev/null | head -1)
	_total=$(grep "^summary:" "$_dump" 2>/dev/null | awk '{print $2}')
	[ -n "$_dump" ] && mv "$_dump" "$OUT/$1.measured"
	stop "$_pid"
	[ -n "$_total" ] || { echo "stamp-bench: no dump for $1" >&2; exit 1; }
	echo $((_total / N))
}

# cpu VARIANT: lighttpd's CPU time (user + system, /proc) per request over
# STAMP_BENCH_CPU_REQUESTS keep-alive GETs, without valgrind: informative, noisy.
cpu() {
	_port=$(free_port)
	_wait=60000
	[ "$1" = off ] && _wait=0
	PORT=$_port BIND=127.0.0.1 APP_DIR=$(app_dir "$1") FCGI_MAX_QUEUE_WAIT=$_wait FCGI_PROCS=1 SOCKET_DIR=$E2E_TMP \
		UPLOAD_DIR=$E2E_TMP e2e_bg lighttpd -D -f "$(conf "$1")" 2>>"$E2E_TMP/lighttpd-cpu.log"
	_pid=$!
	_base=http://127.0.0.1:$_port
	wait_ok "$_base$URL_PATH" 20 >&2 || { stop "$_pid"; exit 1; }
	requests "$_base" 100
	_n=${STAMP_BENCH_CPU_REQUESTS:-5000}
	_t0=$(awk '{print $14 + $15}' "/proc/$_pid/stat")
	requests "$_base" "$_n"
	_t1=$(awk '{print $14 + $15}' "/proc/$_pid/stat")
	stop "$_pid"
	rm -rf "$OUT/app-$1"
	awk -v t="$((_t1 - _t0))" -v hz="$(getconf CLK_TCK)" -v n="$_n" 'BEGIN { printf "%.1f", t / hz / n * 1e6 }'
}

if [ -n "${STAMP_BENCH_CPU:-}" ]; then
	for v in off shipped off shipped; do
		printf '%s %s us\n' "$v" "$(cpu "$v")" || exit 1
	done
	echo "(lighttpd's CPU time per request, ${STAMP_BENCH_CPU_REQUESTS:-5000} x GET $URL_PATH, no valgrind)"
	exit 0
fi

base=
for v in $VARIANTS; do
	i=$(measure "$v") || exit 1
	[ -n "$base" ] || base=$i
	awk -v v="$v" -v i="$i" -v b="$base" 'BEGIN { printf "%-8s %8d instructions per request of lighttpd (%+d)\n", v, i, i - b }'
done
echo "($N x GET $URL_PATH on one keep-alive connection; callgrind files in $OUT)"
