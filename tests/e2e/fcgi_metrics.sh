#!/bin/sh
# make-test: asan
# The pool's OpenMetrics page (--status-path PATH, PATH?openmetrics), parsed by the
# Prometheus client library's own parser (Debian's python3-prometheus-client):
#  1. under load, scraped meanwhile: the histogram's count is the requests made, a
#     worker row per worker pid, routes as templates, the content type, # EOF;
#  2. SIGHUP and kill -9 of workers under load: no counter ever goes backwards on any
#     page scraped meanwhile, and restarts are counted by cause;
#  3. a worker restart in the middle of a scrape (deterministic: the test-hooks build
#     holds the scrape 1.5 s before it reads the board, the other worker is killed then):
#     the page shows the new worker, not the dead one, and the restart;
#  4. 1000 random paths and methods add at most a few series (cardinality is bounded);
#  5. the listen queue gauge on TCP, none on a Unix socket.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/fcgi_lib.sh"
E2E_TIMEOUT=${E2E_TIMEOUT:-240}
e2e_start fcgi-metrics
HOOKS_BIN=${HOOKS_BIN:-$BUILD/test-hooks/app.fcgi}
[ -x "$HOOKS_BIN" ] || { e2e_fail "no $HOOKS_BIN (make test-hooks)"; e2e_finish; exit 1; }
# Debian's interpreter: the one python3-prometheus-client is installed for.
PY=/usr/bin/python3
$PY -c 'import prometheus_client' 2>/dev/null || { e2e_fail "no python3-prometheus-client (make deps)"; e2e_finish; exit 1; }
om() { $PY "$E2E_CLIENT" "$@"; }

# summary NAME [URL]: scrapes the page into $E2E_TMP/NAME.txt, its summary into NAME.json.
summary() {
	curl -s --max-time 10 -o "$E2E_TMP/$1.txt" "${2:-$NGINX_BASE/-/status?openmetrics}" &&
		om openmetrics-summary "$E2E_TMP/$1.txt" >"$E2E_TMP/$1.json" 2>"$E2E_TMP/summary.err" ||
		{ e2e_fail "$1: the page does not parse: $(tail -n 1 "$E2E_TMP/summary.err")"; echo '{}' >"$E2E_TMP/$1.json"; }
}
# holds NAME WHAT EXPRESSION: EXPRESSION (Python, e = the summary, plus the names passed
# as -v NAME=JSON-file: their documents) holds.
holds() {
	_name=$1 _what=$2
	shift 2
	om json-assert "$E2E_TMP/$_name.json" "$1" >/dev/null 2>"$E2E_TMP/assert.err" && e2e_pass ||
		e2e_fail "$_what: $(tail -c 600 "$E2E_TMP/assert.err")"
}
value() { om json-get "$2" "$E2E_TMP/$1.json"; }
pids_json() { echo "[$(worker_pids "$1" | tr ' ' '\n' | sort -n | paste -sd, -)]"; }

ROUTES=$(sed -n 's/^[[:space:]]*{ \.path = "\([^"]*\)".*/"\1",/p' app/service/routes.c | tr -d '\n')
ROUTES="[${ROUTES}\"unmatched\"]"
[ "$ROUTES" != '["unmatched"]' ] && e2e_pass || e2e_fail "no route templates read from app/service/routes.c"

# 1. Under load, scraped meanwhile.
port=$(free_port)
manager_start "127.0.0.1:$port" 3 --status-path /-/status
nginx_start "127.0.0.1:$port" || exit 1
wait_ok "$NGINX_BASE/ping" 20 || exit 1
curl -s -D "$E2E_TMP/headers" -o "$E2E_TMP/params.txt" "$NGINX_BASE/-/status?openmetrics="
grep -q "^# EOF$" "$E2E_TMP/params.txt" && e2e_pass || e2e_fail "?openmetrics= (Prometheus params) is not the page"
grep -qix 'Content-Type: application/openmetrics-text; version=1.0.0; charset=utf-8.' "$E2E_TMP/headers" && e2e_pass ||
	e2e_fail "content type: $(grep -i content-type "$E2E_TMP/headers")"
summary before
mkdir -p "$E2E_TMP/pages1"
om scrape-loop "$NGINX_BASE/-/status?openmetrics" "$E2E_TMP/pages1" "$E2E_TMP/stop1" >"$E2E_TMP/scrapes1" &
scraper=$!
om metrics-load "$NGINX_BASE" 2100 4 "$E2E_TMP/load1.json" mix
touch "$E2E_TMP/stop1"
wait "$scraper"
summary after1
sent=$(value load1 sent) answered=$(value load1 answered_total) before=$(value before count) after=$(value after1 count)
echo "fcgi-metrics: 1. $sent requests sent, $answered answered; histogram count $before -> $after; $(cat "$E2E_TMP/scrapes1") scrapes meanwhile"
[ "$answered" = 2100 ] && [ $((after - before)) -eq 2100 ] && e2e_pass ||
	e2e_fail "histogram count went from $before to $after for $answered answers of 2100"
pids_json "$MANAGER_PID" >"$E2E_TMP/pids1.json"
holds after1 "per-worker rows" "e['pids'] == $(cat "$E2E_TMP/pids1.json") and len(e['pids']) == 3"
holds after1 "routes are templates" "set(e['routes']) <= set($ROUTES) and '/items/{item_id}' in e['routes'] and 'unmatched' in e['routes']"
holds after1 "labels" "set(e['methods']) == {'GET', 'HEAD', 'POST'} and {'200', '404', '405', '422'} <= set(e['statuses'])"
holds after1 "pool counters" "e['counters']['app_pool_requests_total'] >= 2100 and e['counters']['app_pool_shed_requests_total'] == 0 and sum(e['workers'].values()) == 3"
om openmetrics-monotonic "$E2E_TMP/pages1" >/dev/null 2>"$E2E_TMP/mono.err" && e2e_pass ||
	e2e_fail "scrapes under load: $(tail -n 1 "$E2E_TMP/mono.err")"

# 2. SIGHUP, then kill -9 of three workers, under load: nothing goes backwards.
mkdir -p "$E2E_TMP/pages2"
om scrape-loop "$NGINX_BASE/-/status?openmetrics" "$E2E_TMP/pages2" "$E2E_TMP/stop2" >"$E2E_TMP/scrapes2" &
scraper=$!
om metrics-load "$NGINX_BASE" 4000 4 "$E2E_TMP/load2.json" mix &
load=$!
sleep 0.5
kill -HUP "$MANAGER_PID"
sleep 1.5 # the old workers finish their request and go; the kills below hit new ones
kills=$(om kill-children "$MANAGER_PID" 3 0.5)
wait "$load"
touch "$E2E_TMP/stop2"
wait "$scraper"
sleep 0.5
summary after2
sent=$(value load2 sent) answered=$(value load2 answered_total) count=$(value after2 count)
ok200=$(om json-get answered.200 "$E2E_TMP/load2.json")
echo "fcgi-metrics: 2. SIGHUP + $kills kills: $sent sent, $answered answered ($ok200 200s); histogram count $after -> $count; $(cat "$E2E_TMP/scrapes2") scrapes"
# Each answered request was counted, but one whose worker was killed between its
# answer and its count (one per kill at most); none that was not sent.
[ $((count - after)) -ge $((answered - kills)) ] && [ $((count - after)) -le "$sent" ] && e2e_pass ||
	e2e_fail "histogram count grew by $((count - after)) for $answered answered, $sent sent, $kills kills"
om openmetrics-monotonic "$E2E_TMP/pages2" >/dev/null 2>"$E2E_TMP/mono.err" && e2e_pass ||
	e2e_fail "a counter went backwards across SIGHUP and kills: $(tail -n 1 "$E2E_TMP/mono.err")"
holds after2 "restarts by cause" "e['restarts']['reload'] >= 3 and e['restarts']['crash'] == $kills and e['restarts']['max_requests'] == 0"
# The rows name the live workers once the pool has settled: a worker replaced a
# moment ago shows up when it has taken its slot (it writes its own pid), so
# the page and the process list are compared again for up to 5 s.
_i=0
while :; do
	summary rows2
	pids_json "$MANAGER_PID" >"$E2E_TMP/pids2.json"
	om json-assert "$E2E_TMP/rows2.json" "e['pids'] == $(cat "$E2E_TMP/pids2.json")" >/dev/null 2>&1 && break
	[ $_i -ge 50 ] && break
	_i=$((_i + 1))
	sleep 0.1
done
holds rows2 "per-worker rows after restarts" "e['pids'] == $(cat "$E2E_TMP/pids2.json")"

# 4. 1000 random paths and methods: a few series more at most (unmatched x a fixed method list).
summary before4
om metrics-load "$NGINX_BASE" 1000 4 "$E2E_TMP/load4.json" random
summary after4
series0=$(value before4 series) series1=$(value after4 series)
echo "fcgi-metrics: 4. 1000 random paths and methods: $series0 -> $series1 series"
holds after4 "cardinality bounded" "e['series'] <= $series0 + 8 and set(e['routes']) <= set($ROUTES) and set(e['methods']) <= {'GET','HEAD','POST','PUT','PATCH','DELETE','OPTIONS','CONNECT','TRACE','_OTHER'} and '_OTHER' in e['methods']"
echo "fcgi-metrics: 4. answers: $(cat "$E2E_TMP/load4.json"); histogram $(value after2 count) -> $(value after4 count)"
holds after4 "histogram counted the random requests" "e['count'] == $(value after2 count) + $(value load4 answered_total)"

# 5. The listen queue: told on TCP.
holds after4 "listen queue gauge on TCP" "e.get('listen_queue', -1) >= 0 and 'app_pool_listen_queue' in e['families']"
kill -TERM "$MANAGER_PID" "$NGINX_PID"
wait "$MANAGER_PID" "$NGINX_PID"

# 3. A worker restart in the middle of a scrape (Unix socket: no queue gauge). The
# test-hooks build holds every scrape 1.5 s before it reads the board.
sock=$E2E_TMP/mid.sock
FCGI_TEST_DELAY_MS=1500 FCGI_TEST_DELAY_PATH=/-/status FCGI_BIN=$HOOKS_BIN manager_start "$sock" 2 --status-path /-/status
wait_fcgi "$sock" || exit 1
round=1
while [ $round -le 3 ]; do
	fcgi_request "$sock" "$E2E_TMP/mid.out" REQUEST_METHOD=GET "REQUEST_URI=/-/status?openmetrics" QUERY_STRING=openmetrics \
		REMOTE_ADDR=127.0.0.1 </dev/null &
	scrape=$!
	# The worker holding the scrape sleeps (clock_nanosleep: 230 on x86-64, 115 on arm64).
	held="" other="" deadline=$(( $(date +%s) + 10 ))
	while [ -z "$held" ] && [ "$(date +%s)" -lt "$deadline" ]; do
		for p in $(worker_pids "$MANAGER_PID"); do
			case $(cut -d ' ' -f 1 "/proc/$p/syscall" 2>/dev/null) in
			230 | 115) held=$p ;;
			*) other=$p ;;
			esac
		done
		[ -z "$held" ] && sleep 0.02
	done
	kill -KILL "$other"
	until ! worker_pids "$MANAGER_PID" | grep -qw "$other" && [ "$(echo $(worker_pids "$MANAGER_PID") | wc -w)" -eq 2 ]; do
		sleep 0.02
	done
	wait "$scrape"
	sed '1,/^\r*$/d' "$E2E_TMP/mid.out" >"$E2E_TMP/mid.txt"
	om openmetrics-summary "$E2E_TMP/mid.txt" >"$E2E_TMP/mid.json" 2>"$E2E_TMP/summary.err" ||
		e2e_fail "round $round: page does not parse: $(tail -n 1 "$E2E_TMP/summary.err")"
	pids_json "$MANAGER_PID" >"$E2E_TMP/pids3.json"
	holds mid "round $round: the restart mid-scrape (killed $other beside $held)" \
		"e['pids'] == $(cat "$E2E_TMP/pids3.json") and $other not in e['pids'] and e['restarts']['crash'] == $round and 'listen_queue' not in e"
	round=$((round + 1))
done
kill -TERM "$MANAGER_PID"
wait "$MANAGER_PID"

e2e_finish
