#!/bin/sh
# The picture of docs/observability.md (docs/observability-run.png), from a real run here:
# the manager (build/app.fcgi --workers 4 --status-path /-/status) behind nginx
# (deploy/nginx.conf, its /docs/ passed to the service as on Lambda, where no front server
# serves files); wrk sends, with Accept-Encoding: gzip as a browser does, a mix of 40:
# 10 /items/42?q=x, 10 /math/add, 8 /ping, 6 /openapi.json, 5 /docs/swagger-ui.css and
# 1 /docs/swagger-ui-bundle.js (1.7 MB gzipped by the service on each request: tens of
# ms; the API routes answer in microseconds), in four phases of PHASE_SECONDS each (2, 4,
# 8, 16 connections), while bench/observability_picture.py scrapes /-/status?openmetrics
# once a second (as Prometheus would) and then draws request rate per route, latency
# quantiles from the histogram and workers by state.
#
#   bench/observability_picture.sh [BUILD_DIR] [OUT.png]    (make observability-picture)
set -u
cd "$(dirname "$0")/.."
BUILD=${1:-${BUILD:-build}}
OUT=${2:-docs/observability-run.png}
. tests/e2e/lib.sh
. tests/e2e/fcgi_lib.sh
PHASE_SECONDS=${PHASE_SECONDS:-10}
E2E_TIMEOUT=$((PHASE_SECONDS * 4 + 120))
e2e_start observability-picture
FCGI_BIN=$BUILD/app.fcgi
[ -x "$FCGI_BIN" ] || { echo "observability-picture: no $FCGI_BIN (make all)" >&2; exit 1; }

sock=$E2E_TMP/app.sock
manager_start "$sock" 4 --status-path /-/status
NGINX_NO_STATIC=1 nginx_start "unix:$sock" || exit 1
wait_ok "$NGINX_BASE/ping" 20 || exit 1

cat >"$E2E_TMP/mix.lua" <<'EOF'
local mix = { { "/items/42?q=x", 10 }, { "/math/add?i=1&i=2", 10 }, { "/ping", 8 }, { "/openapi.json", 6 },
	{ "/docs/swagger-ui.css", 5 }, { "/docs/swagger-ui-bundle.js", 1 } }
local paths = {}
for _, m in ipairs(mix) do
	for _ = 1, m[2] do paths[#paths + 1] = m[1] end
end
local n = 0
wrk.headers["Accept-Encoding"] = "gzip"
request = function()
	n = n + 1
	return wrk.format("GET", paths[n % #paths + 1])
end
EOF
total=$((PHASE_SECONDS * 4 + 4))
/usr/bin/python3 bench/observability_picture.py scrape "$NGINX_BASE/-/status?openmetrics" "$E2E_TMP/scrapes.jsonl" "$total" &
scraper=$!
sleep 2
at=2
: >"$E2E_TMP/phases"
for c in 2 4 8 16; do
	echo "$at $c connections" >>"$E2E_TMP/phases"
	wrk -t 2 -c "$c" -d "${PHASE_SECONDS}s" -s "$E2E_TMP/mix.lua" "$NGINX_BASE" >"$E2E_TMP/wrk-$c.txt" 2>&1 ||
		{ cat "$E2E_TMP/wrk-$c.txt" >&2; exit 1; }
	echo "observability-picture: $c connections: $(grep 'Requests/sec' "$E2E_TMP/wrk-$c.txt")"
	at=$((at + PHASE_SECONDS))
done
wait "$scraper" || { echo "observability-picture: the scrape failed" >&2; exit 1; }
kill -TERM "$MANAGER_PID" "$NGINX_PID"
wait "$MANAGER_PID" "$NGINX_PID" 2>/dev/null
caption="make observability-picture (bench/observability_picture.sh), $(git rev-parse --short HEAD 2>/dev/null || echo '?'), $(date -u +%Y-%m-%d): app.fcgi --workers 4 behind nginx, wrk with gzip, 2 shared cores"
/usr/bin/python3 bench/observability_picture.py plot "$E2E_TMP/scrapes.jsonl" "$E2E_TMP/phases" "$OUT" "$caption" || exit 1
echo "observability-picture: $OUT ($(wc -l <"$E2E_TMP/scrapes.jsonl") scrapes)"
