#!/bin/sh
# A long run: 100 000 requests (a mix of endpoints, errors and POST bodies) through
# nginx to one standalone worker, whose resident memory must not grow beyond noise.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/fcgi_lib.sh"
e2e_start fcgi-soak

REQUESTS=${SOAK_REQUESTS:-100000}
THREADS=2
# Growth allowed between the warm-up and the end: a leak of even 16 bytes per
# request would be 1.6 MB here; allocator noise is a few pages.
SLACK_KB=256

# wrk script: rotates through the requests and counts the answers, the 200s, and
# any status outside the mix's own (it has 404, 405, 422 and 307 on purpose).
cat > "$E2E_TMP/mix.lua" <<'LUA'
local expected = { [200] = true, [307] = true, [404] = true, [405] = true, [422] = true }
local threads = {}
function setup(thread)
	table.insert(threads, thread)
end
-- Built here, not at load time: wrk.format needs the Host header wrk sets after loading.
function init(args)
	local body = string.rep("x", 3000)
	mix = {
		wrk.format("GET", "/"),
		wrk.format("GET", "/math/add?i=5&i=10&i=99999999999999999999"),
		wrk.format("GET", "/items/42?q=some%20text"),
		wrk.format("POST", "/api/v1/users/7", { ["Content-Type"] = "text/plain" }, body),
		wrk.format("GET", "/math/add?i=1&i=x"),
		wrk.format("GET", "/nope"),
		wrk.format("POST", "/ping", nil, "a=1"),
		wrk.format("GET", "/api/v1/users"),
		wrk.format("GET", "/openapi.json"),
	}
	n, i, ok, fails = 0, 0, 0, 0
end
function request()
	i = i % #mix + 1
	return mix[i]
end
function response(status, headers, body)
	n = n + 1
	if status == 200 then ok = ok + 1 end
	if not expected[status] then fails = fails + 1 end
end
function done(summary, latency, requests)
	local answered, good, failed = 0, 0, 0
	for _, t in ipairs(threads) do
		answered = answered + t:get("n")
		good = good + t:get("ok")
		failed = failed + t:get("fails")
	end
	io.write(string.format("answered %d ok %d failed %d\n", answered, good, failed))
end
LUA

# run N: at least N requests, in wrk runs of a few seconds (wrk runs for a time, not
# a count); sets ANSWERED, OK (200s), FAILED (unexpected statuses) and RUNS.
run() {
	ANSWERED=0 OK=0 FAILED=0
	_runs=0
	while [ "$ANSWERED" -lt "$1" ] && [ "$_runs" -lt 30 ]; do
		wrk -t "$THREADS" -c 8 -d "${2:-4}s" -s "$E2E_TMP/mix.lua" "$NGINX_BASE" >"$E2E_TMP/wrk.txt" 2>&1
		set -- "$1" "${2:-4}" $(sed -n 's/^answered \([0-9]*\) ok \([0-9]*\) failed \([0-9]*\)$/\1 \2 \3/p' "$E2E_TMP/wrk.txt")
		[ $# -eq 5 ] || { e2e_fail "wrk: $(cat "$E2E_TMP/wrk.txt")"; return 1; }
		ANSWERED=$((ANSWERED + $3)) OK=$((OK + $4)) FAILED=$((FAILED + $5))
		_runs=$((_runs + 1))
	done
	RUNS=$_runs
}

fport=$(free_port)
manager_start "127.0.0.1:$fport" 1
nginx_start "127.0.0.1:$fport" || exit 1
wait_ok "$NGINX_BASE/ping" 20 || exit 1
worker=$(worker_pids "$MANAGER_PID")

run 5000 1 || exit 1 # warm-up: allocator pools and lazily loaded code settle
rss_before=$(rss_kb "$worker")
start=$(date +%s)
run "$REQUESTS" || exit 1
answered=$ANSWERED ok=$OK failed=$FAILED runs=$RUNS
secs=$(( $(date +%s) - start ))
rss_after=$(rss_kb "$worker")
echo "fcgi-soak: $answered requests in ${secs}s ($ok of them 200), $failed unexpected; worker RSS ${rss_before} KiB before, ${rss_after} KiB after ($((rss_after - rss_before)) KiB)"

# Five of the nine requests in the mix answer 200. Each wrk thread walks the mix
# in turn, and a run ends in the middle of a walk with up to 4 of its connections'
# requests unanswered: at most 9 + 9 answers off the mix's share per thread and run.
[ "$answered" -ge "$REQUESTS" ] && [ "$failed" -eq 0 ] && [ $((ok * 9)) -ge $((answered * 5 - 9 * 18 * THREADS * runs)) ] &&
	e2e_pass || e2e_fail "soak run ($runs wrk runs, $ok of $answered answers 200): $(cat "$E2E_TMP/wrk.txt")"
[ "$(worker_pids "$MANAGER_PID")" = "$worker" ] && e2e_pass || e2e_fail "the worker was replaced during the run"
[ $((rss_after - rss_before)) -le "$SLACK_KB" ] && e2e_pass ||
	e2e_fail "worker RSS grew by $((rss_after - rss_before)) KiB over $answered requests"

kill -TERM "$MANAGER_PID"
wait "$MANAGER_PID"
[ $? -eq 0 ] && e2e_pass || e2e_fail "manager exit status"
e2e_finish
