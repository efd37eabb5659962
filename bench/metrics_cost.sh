#!/bin/sh
# The cost of metrics, and of logging and metrics together, in instructions per
# request of a FastCGI worker (callgrind: repeatable on a busy machine, where CPU
# seconds are not), in three modes:
#   none LOG_FORMAT=off app.fcgi --listen SOCK --workers 1  (no access line, no metrics)
#   off  app.fcgi --listen SOCK --workers 1                 (the access line; no status page: no histogram)
#   on   METRICS=emf app.fcgi ... --status-path /-/status
#        (the shared histogram and counters; EMF requests added up into one line per process, written
#        every METRICS_INTERVAL, 60 s by default: a line costs about as much as a few
#        requests, so the interval does not change the figure)
# The manager runs under callgrind (--trace-children: its forked worker too), behind
# nginx (deploy/nginx.conf); for each mode the worker's counters are zeroed after a
# warm-up, N requests are sent on one keep-alive connection, and the total is divided
# by N. Prints the three figures and the cost of metrics in percent; exits 1 when it
# is 3 % or more. Then the CPU time per request without valgrind, of the worker and
# of the whole server (nginx + manager + worker, as make bench counts server CPU;
# /proc/PID/task/*/schedstat, user + system; METRICS_BENCH_ROUNDS rounds, the modes
# taking turns, medians), and issue 25's target, logging and metrics on <= 3 % of
# CPU per request against both off, met or not from the server's figures (the
# worker's, and its instructions, beside it: callgrind counts user space only).
#
#   bench/metrics_cost.sh [BUILD_DIR]      (make bench-metrics)
# Settings: METRICS_BENCH_REQUESTS (2000), METRICS_BENCH_PATH (/items/42?q=x),
# METRICS_BENCH_SECONDS (3) and METRICS_BENCH_ROUNDS (3) for the CPU times.
set -u
cd "$(dirname "$0")/.."
BUILD=${1:-${BUILD:-build}}
. tests/e2e/lib.sh
. tests/e2e/fcgi_lib.sh
N=${METRICS_BENCH_REQUESTS:-2000}
URL_PATH=${METRICS_BENCH_PATH:-/items/42?q=x}
OUT=$(cd "$BUILD" && pwd)/metrics-bench
E2E_TIMEOUT=${METRICS_BENCH_TIMEOUT:-900}
e2e_start metrics-bench
rm -rf "$OUT"
mkdir -p "$OUT"

# requests COUNT: COUNT GETs of URL_PATH on one keep-alive connection to nginx.
requests() {
	for _i in $(seq "$1"); do echo "url = \"$NGINX_BASE$URL_PATH\""; echo "output = /dev/null"; done >"$E2E_TMP/urls"
	curl -s --max-time 600 -K "$E2E_TMP/urls"
}

# measure MODE: instructions per request of the worker in MODE.
measure() {
	_mode=$1 _sock=$E2E_TMP/$1.sock
	set -- valgrind --tool=callgrind --trace-children=yes --callgrind-out-file="$OUT/$1.%p" \
		"$BUILD/app.fcgi" --listen "$_sock" --workers 1
	case $_mode in
	on) set -- env METRICS=emf "$@" --status-path /-/status ;;
	none) set -- env LOG_FORMAT=off "$@" ;;
	esac

	e2e_bg "$@" 2>"$E2E_TMP/manager.log"
	_manager=$!
	nginx_start "unix:$_sock" >&2 || exit 1
	wait_ok "$NGINX_BASE/ping" 120 >&2 || exit 1
	requests 100
	_worker=$(pgrep -P "$_manager" | head -1)
	callgrind_control --zero "$_worker" >/dev/null 2>&1 || { echo "metrics-bench: callgrind_control failed" >&2; exit 1; }
	requests "$N"
	callgrind_control --dump=measured "$_worker" >/dev/null 2>&1
	sleep 1
	_dump=$(grep -l "^desc: Trigger: dump measured$" "$OUT/$_mode".* 2>/dev/null | head -1)
	_total=$(grep "^summary:" "$_dump" 2>/dev/null | awk '{print $2}')
	mv "$_dump" "$OUT/$_mode.measured"
	kill -TERM "$_manager" "$NGINX_PID"
	wait "$_manager" "$NGINX_PID" 2>/dev/null
	[ -n "$_total" ] || { echo "metrics-bench: no dump" >&2; exit 1; }
	echo $((_total / N))
}

# cpu MODE: CPU time (user + system) per request over METRICS_BENCH_SECONDS of wrk (2
# connections), without valgrind: "WORKER SERVER" microseconds, the worker's (all its
# threads) and the whole server's (nginx, the manager and its worker: what make bench
# calls server CPU time). Nanoseconds on a CPU from /proc/PID/task/*/schedstat (clock
# ticks of /proc/PID/stat where it is missing); noisy on a busy machine.
cpu() {
	_mode=$1 _sock=$E2E_TMP/cpu-$1.sock
	set -- "$BUILD/app.fcgi" --listen "$_sock" --workers 1
	case $_mode in
	on) METRICS=emf e2e_bg "$@" --status-path /-/status 2>/dev/null ;;
	none) LOG_FORMAT=off e2e_bg "$@" 2>/dev/null ;;
	*) e2e_bg "$@" 2>/dev/null ;;
	esac
	_manager=$!
	nginx_start "unix:$_sock" >&2 || exit 1
	wait_ok "$NGINX_BASE/ping" 20 >&2 || exit 1
	_worker=$(pgrep -P "$_manager" | head -1)
	_server="$_manager $_worker $NGINX_PID $(pgrep -P "$NGINX_PID" | tr '\n' ' ')"
	_w0=$(cpu_ns "$_worker") _s0=$(cpu_ns $_server)
	wrk -t 1 -c 2 -d "${METRICS_BENCH_SECONDS:-3}s" "$NGINX_BASE$URL_PATH" >"$E2E_TMP/wrk.txt" 2>&1
	_w1=$(cpu_ns "$_worker") _s1=$(cpu_ns $_server)
	_n=$(sed -n 's/^ *\([0-9]*\) requests in.*/\1/p' "$E2E_TMP/wrk.txt")
	kill -TERM "$_manager" "$NGINX_PID"
	wait "$_manager" "$NGINX_PID" 2>/dev/null
	awk -v w="$((_w1 - _w0))" -v s="$((_s1 - _s0))" -v n="$_n" 'BEGIN { printf "%.2f %.2f", w / n / 1000, s / n / 1000 }'
}

# cpu_ns PID...: nanoseconds the processes have run on a CPU (user + system, every thread).
cpu_ns() {
	for _p in "$@"; do
		if [ -r "/proc/$_p/schedstat" ]; then
			cat "/proc/$_p/task/"*/schedstat 2>/dev/null | awk '{ t += $1 } END { printf "%.0f\n", t }'
		else
			awk -v hz="$(getconf CLK_TCK)" '{printf "%.0f\n", ($14 + $15) * 1e9 / hz}' "/proc/$_p/stat"
		fi
	done | awk '{ t += $1 } END { printf "%.0f", t }'
}

none=$(measure none) || exit 1
off=$(measure off) || exit 1
on=$(measure on) || exit 1
# METRICS_BENCH_ROUNDS rounds (3), the three modes taking turns; medians.
for _r in $(seq "${METRICS_BENCH_ROUNDS:-3}"); do
	for _m in none off on; do
		echo "$_m $(cpu $_m)" || exit 1
	done
done >"$E2E_TMP/cpu.txt"
# median MODE FIELD: the median of FIELD (2: worker, 3: server) over MODE's rounds.
median() {
	awk -v m="$1" -v f="$2" '$1 == m { print $f }' "$E2E_TMP/cpu.txt" | sort -n |
		awk '{ v[NR] = $1 } END { printf "%.2f", NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}
echo "CPU time per request (wrk -c 2, no valgrind; /proc/PID/task/*/schedstat; medians of ${METRICS_BENCH_ROUNDS:-3} rounds):" \
	"worker: both off $(median none 2), metrics off $(median off 2), on $(median on 2) us;" \
	"server (nginx + manager + worker): both off $(median none 3), metrics off $(median off 3), on $(median on 3) us"
echo "both off:    $none instructions per request ($URL_PATH, $N requests; LOG_FORMAT=off, no metrics)"
echo "metrics off: $off instructions per request (the access line on)"
echo "metrics on:  $on instructions per request (the access line + status page histogram + METRICS=emf)"
awk -v a="$none" -v b="$on" -v s0="$(median none 3)" -v s1="$(median on 3)" -v w0="$(median none 2)" \
	-v w1="$(median on 2)" 'BEGIN {
	c = (s1 / s0 - 1) * 100
	printf "logging and metrics on <= 3 %% of CPU per request against both off (issue 25): %+.1f %% server CPU time (%.2f / %.2f us), %s;", c, s1, s0, c <= 3 ? "met" : "not met"
	printf " the worker alone %+.1f %% (%.2f / %.2f us); %+.2f %% of the worker'"'"'s instructions (user space only)\n", (w1 / w0 - 1) * 100, w1, w0, (b - a) * 100 / a }'
awk -v a="$off" -v b="$on" 'BEGIN { c = (b - a) * 100 / a; printf "metrics cost: %.2f %%\n", c; exit !(c < 3) }'
