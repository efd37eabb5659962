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

# 1. A kept connection (FCGI_KEEP_CONN) whose 5 MB body is refused (413) while
# the client trickles it a byte every 0.5 s: the 413 reaches the client at
# once, and a second client is answered within the read timeout (2 s, plus a
# second for the timer's tick and a busy machine), with one worker. 3 rounds.
sock=$E2E_TMP/trickle.sock
: >"$E2E_TMP/manager.log"
manager_start "$sock" 1 --read-timeout 2 --request-timeout 3
wait_fcgi "$sock"
bad=0
for round in 1 2 3; do
	set -- $($HOSTILE trickle "$sock" 10)
	if [ "${2:--1}" -lt 0 ] || [ "$2" -gt 1000 ] || [ "${4:--1}" -lt 0 ] || [ "$4" -gt 3000 ]; then
		bad=$((bad + 1))
		echo "trickled keep-conn body, round $round: 413 after ${2:-?} ms, second client after ${4:-?} ms" >&2
	fi
done
echo "fcgi-peers: a kept connection trickling a refused body: 413 after $2 ms, the next client answered after $4 ms ($bad of 3 rounds late)"
[ $bad -eq 0 ] && e2e_pass || e2e_fail "trickled keep-conn body held the worker: $bad of 3 rounds; log: $(tail -3 "$E2E_TMP/manager.log")"
stop_manager

# 13. A closing connection whose refused body never stops coming (the client
# floods STDIN records and reads nothing; the worker reads a byte at a time,
# FCGI_TEST_DRAIN_READ_BYTES=1, so the socket is never empty): the drain ends
# at its deadline (FCGI_DRAIN_MS, 5 s; no read timeout here), not when the
# client tires (20 s), and the next client is served.
sock=$E2E_TMP/flood.sock
: >"$E2E_TMP/manager.log"
FCGI_TEST_DRAIN_READ_BYTES=1 manager_start "$sock" 1 --read-timeout 0
wait_fcgi "$sock"
set -- $($HOSTILE flood "$sock" 20)
echo "fcgi-peers: a refused body flooding a closing connection: cut after ${2:-?} ms, the next client answered after ${4:-?} ms"
[ "${2:--1}" -ge 0 ] && [ "$2" -le 8000 ] && [ "${4:--1}" -ge 0 ] && e2e_pass ||
	e2e_fail "flooding peer: cut after ${2:-?} ms (wanted about 5000), next client ${4:-?} ms"
stop_manager

# 11. Six clients send part of a request head and stop (1 byte, a whole
# BEGIN_REQUEST, half the PARAMS), against 2 workers (--read-timeout 10), on
# a unix socket and on TCP: a normal request is still answered within a second
# (they cost a slot each, not a worker), and when they send the rest after
# 3 s, all six are answered (kept, not dropped).
for kind in unix tcp; do
	if [ "$kind" = tcp ]; then addr=127.0.0.1:$(free_port); else addr=$E2E_TMP/partial.sock; fi
	: >"$E2E_TMP/manager.log"
	manager_start "$addr" 2 --read-timeout 10
	wait_fcgi "$addr"
	set -- $($HOSTILE partial "$addr" 6 3)
	echo "fcgi-peers: 6 partial request heads against 2 workers ($kind): a normal request answered after ${2:-?} ms, ${4:-?} of 6 completed later"
	[ "${2:--1}" -ge 0 ] && [ "$2" -le 1000 ] && [ "${4:-0}" -eq 6 ] && e2e_pass ||
		e2e_fail "partial heads ($kind): normal request after ${2:-?} ms, ${4:-?} of 6 completed; log: $(tail -2 "$E2E_TMP/manager.log")"
	# A client that sends part of a head and then shuts down its side is
	# closed at once (poll's hang-up), not looked at until the read timeout.
	set -- $($HOSTILE halfclose "$addr")
	echo "fcgi-peers: a partial head, then the client's end shut down ($kind): closed after ${2:-?} ms"
	[ "${2:--1}" -ge 0 ] && [ "$2" -le 1000 ] && e2e_pass || e2e_fail "partial head then hang-up ($kind): closed after ${2:-?} ms"
	stop_manager
done

e2e_finish
