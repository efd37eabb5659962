#!/bin/sh
# Hostile FastCGI peers against the standalone manager (issue 20: defects 1,
# 7, 11 and the drain nit of 13), each a small client in fcgi_hostile.py.
# HOOKS_BIN=path runs them against another test-hooks build.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/fcgi_lib.sh"
E2E_TIMEOUT=${E2E_TIMEOUT:-240}
e2e_start fcgi-peers
FCGI_BIN=${HOOKS_BIN:-$BUILD/test-hooks/app.fcgi}
[ -x "$FCGI_BIN" ] || { e2e_fail "no $FCGI_BIN (make test-hooks)"; e2e_finish; exit 1; }
HOSTILE="python3 $(dirname "$0")/fcgi_hostile.py"

now_ms() {
	echo $(( $(date +%s%N) / 1000000 ))
}

stop_manager() {
	kill -TERM "$MANAGER_PID"
	wait "$MANAGER_PID"
}

# 7. FCGI_WEB_SERVER_ADDRS=127.0.0.1 on a dual-stack listener ([::]:PORT): an
# IPv4 client (seen as ::ffff:127.0.0.1) is served; with 127.0.0.2 listed it is
# refused, and 20 refusals in a row make at most two log lines, naming it. An
# IPv6 peer (::1) is refused by an IPv4-only list.
port=$(free_port)
: >"$E2E_TMP/manager.log"
FCGI_WEB_SERVER_ADDRS=127.0.0.1 manager_start "[::]:$port" 1
wait_fcgi "127.0.0.1:$port"
got=$($HOSTILE gets "127.0.0.1:$port" 20)
[ "$got" = "answered 20 refused 0 lost 0" ] && e2e_pass || e2e_fail "IPv4 peer on [::] with FCGI_WEB_SERVER_ADDRS=127.0.0.1: $got"
got=$($HOSTILE gets "[::1]:$port" 1)
[ "$got" = "answered 0 refused 0 lost 1" ] && grep -q 'connection from ::1 refused' "$E2E_TMP/manager.log" &&
	e2e_pass || e2e_fail "IPv6 peer ::1 with an IPv4-only list: $got; log: $(tail -2 "$E2E_TMP/manager.log")"
stop_manager
port=$(free_port)
: >"$E2E_TMP/manager.log"
FCGI_WEB_SERVER_ADDRS=127.0.0.2,::ffff:127.0.0.3 manager_start "[::]:$port" 1
until grep -q 'listening on' "$E2E_TMP/manager.log"; do sleep 0.02; done # every connection is refused: nothing else to wait for
got=$($HOSTILE gets "127.0.0.1:$port" 20)
lines=$(grep -c 'refused: not in FCGI_WEB_SERVER_ADDRS' "$E2E_TMP/manager.log")
if [ "$got" = "answered 0 refused 0 lost 20" ] && [ "$lines" -ge 1 ] && [ "$lines" -le 2 ] &&
	grep -q 'connection from 127.0.0.1 refused' "$E2E_TMP/manager.log"; then
	e2e_pass
else
	e2e_fail "IPv4 peer not listed: $got, $lines log lines: $(tail -2 "$E2E_TMP/manager.log")"
fi
stop_manager
echo "fcgi-peers: FCGI_WEB_SERVER_ADDRS on [::]: IPv4 peers compared as IPv4, refusals logged ($lines lines for 20)"

e2e_finish
