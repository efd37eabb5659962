#!/bin/sh
# Instructions per request in a FastCGI worker (user space: app.fcgi, libfcgi,
# cJSON, libc), counted by callgrind: repeatable on a busy machine, where
# requests/s are not. The worker runs under lighttpd with lighttpd.conf, as in
# production; for each endpoint the counters are zeroed after a warm-up, then
# N requests are sent and the total is divided by N.
#
#   bench/callgrind.sh [BUILD_DIR]      (make bench-callgrind)
# Settings: CALLGRIND_REQUESTS (2000), ENDPOINTS (as in bench/run.sh).
# Prints "label path instructions_per_request" lines; the dumps stay in
# $BUILD/callgrind/ for callgrind_annotate.
set -u
cd "$(dirname "$0")/.."
BUILD=${1:-${BUILD:-build}}
. tests/e2e/lib.sh
N=${CALLGRIND_REQUESTS:-2000}
ENDPOINTS=${ENDPOINTS:-"root=/ add=/math/add?i=5&i=10 item=/items/42?q=x openapi=/openapi.json"}
BUILD_ABS=$(cd "$BUILD" && pwd)
OUT=$BUILD_ABS/callgrind
E2E_TIMEOUT=${CALLGRIND_TIMEOUT:-600}
e2e_start callgrind
rm -rf "$OUT"
mkdir -p "$OUT" "$E2E_TMP/app/docs"

# lighttpd starts "app.fcgi": here a script running the real one under callgrind.
cat >"$E2E_TMP/app/app.fcgi" <<EOF
#!/bin/sh
exec valgrind --tool=callgrind --callgrind-out-file=$OUT/callgrind.out.%p "$BUILD_ABS/app.fcgi"
EOF
chmod +x "$E2E_TMP/app/app.fcgi"
port=$(free_port)
PORT=$port BIND=127.0.0.1 APP_DIR=$E2E_TMP/app FCGI_PROCS=1 SOCKET_DIR=$E2E_TMP ACCESS_LOG=/dev/null \
	EXECUTION_ENVIRONMENT= e2e_bg lighttpd -D -f lighttpd.conf 2>"$E2E_TMP/lighttpd.log"
lighttpd_pid=$!
wait_http "http://127.0.0.1:$port/" 60 || exit 1
worker=$(pgrep -P "$lighttpd_pid" | head -1)
[ -n "$worker" ] || { echo "callgrind: no worker under lighttpd" >&2; exit 1; }

# requests PATH COUNT: COUNT GETs on one keep-alive connection.
requests() {
	for _i in $(seq "$2"); do echo "url = \"http://127.0.0.1:$port$1\""; echo "output = /dev/null"; done >"$E2E_TMP/urls"
	curl -s --max-time 300 -K "$E2E_TMP/urls"
}

for ep in $ENDPOINTS; do
	label=${ep%%=*} path=${ep#*=}
	requests "$path" 50
	callgrind_control --zero "$worker" >/dev/null 2>&1 || exit 1
	requests "$path" "$N"
	callgrind_control --dump="$label" "$worker" >/dev/null 2>&1
	sleep 0.5 # the dump is written by the worker on its own time
	dump=$(grep -l "^desc: Trigger: dump $label\$" "$OUT"/callgrind.out.* 2>/dev/null | head -1)
	total=$(grep "^summary:" "$dump" 2>/dev/null | awk "{print \$2}")
	[ -n "$total" ] || { echo "callgrind: no dump for $label" >&2; exit 1; }
	echo "$label $path $((total / N))"
done
