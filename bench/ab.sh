#!/bin/sh
# Two builds of app.fcgi side by side: each under its own lighttpd with the
# top-level lighttpd.conf (one worker), wrk against them in turn, round after
# round, so both see the same machine. Prints, per run, requests/s and the
# worker's CPU time per request (user + system of the app.fcgi processes).
#
#   bench/ab.sh OLD_BUILD_DIR NEW_BUILD_DIR [PATH] [CONNECTIONS] [SECONDS] [ROUNDS]
#   bench/ab.sh /tmp/base/build build '/items/42?q=x' 16 2 3
# (build the old commit with: git archive REV | tar -x -C /tmp/base && make -C /tmp/base)
set -u
cd "$(dirname "$0")/.."
. tests/e2e/lib.sh
OLD=$(cd "$1" && pwd) NEW=$(cd "$2" && pwd)
P=${3:-/items/42?q=x} C=${4:-16} S=${5:-2} R=${6:-3}
E2E_TIMEOUT=$((R * 2 * (S + 3) + 30))
e2e_start ab
GROUPS_STARTED=""
trap 'for g in $GROUPS_STARTED; do kill -TERM "-$g" 2>/dev/null; done; sleep 0.3; e2e_cleanup' EXIT

# start NAME BUILD: sets ${NAME}_port and ${NAME}_pid (lighttpd, leader of its process group).
start() {
	mkdir -p "$E2E_TMP/$1/docs"
	ln -s "$2/app.fcgi" "$E2E_TMP/$1/app.fcgi"
	_port=$(free_port)
	PORT=$_port BIND=127.0.0.1 APP_DIR=$E2E_TMP/$1 FCGI_PROCS=1 SOCKET_DIR=$E2E_TMP ACCESS_LOG=/dev/null \
		EXECUTION_ENVIRONMENT= setsid lighttpd -D -f lighttpd.conf </dev/null >"$E2E_TMP/$1.log" 2>&1 &
	GROUPS_STARTED="$GROUPS_STARTED $!"
	eval "$1_port=$_port $1_pid=$!"
	wait_http "http://127.0.0.1:$_port/" 20 || exit 1
}
# worker_ticks PID: user + system clock ticks of lighttpd PID's children (the workers).
worker_ticks() {
	for _w in $(pgrep -P "$1"); do cat "/proc/$_w/stat"; done 2>/dev/null |
		awk '{ sub(/^.*\) /, ""); t += $12 + $13 } END { print t + 0 }'
}

start old "$OLD"
start new "$NEW"
hz=$(getconf CLK_TCK)
echo "$P, $C connection(s), $R rounds of $S s: old = $OLD, new = $NEW"
for r in $(seq "$R"); do
	for side in old new; do
		eval "port=\$${side}_port pid=\$${side}_pid"
		t0=$(worker_ticks "$pid")
		out=$(wrk -t1 -c"$C" -d"${S}s" "http://127.0.0.1:$port$P" 2>&1)
		t1=$(worker_ticks "$pid")
		echo "$out" | awk -v side="$side" -v d=$((t1 - t0)) -v hz="$hz" '
			/requests in/ { n = $1 } /Requests\/sec/ { rps = $2 } /Non-2xx/ { bad = $NF }
			END { printf "%s  %9.0f req/s  %6.2f us worker CPU per request%s\n", side, rps,
			      (n > 0 ? d * 1e6 / hz / n : 0), (bad ? "  NON-2XX " bad : "") }'
	done
done
