#!/bin/sh
# Races between the manager and its workers, each held inside its window by a
# test-only hook of build/test-hooks/app.fcgi (fcgi/test_hooks.h) and looped
# $LOOPS (50) times in this one run (issue 20: defects 6, 8, 10, 12).
# HOOKS_BIN=path runs them against another test-hooks build (e.g. an older commit's).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/fcgi_lib.sh"
E2E_TIMEOUT=${E2E_TIMEOUT:-300}
e2e_start fcgi-races
FCGI_BIN=${HOOKS_BIN:-$BUILD/test-hooks/app.fcgi}
[ -x "$FCGI_BIN" ] || { e2e_fail "no $FCGI_BIN (make test-hooks)"; e2e_finish; exit 1; }
LOOPS=${LOOPS:-50}
HOSTILE="python3 $(dirname "$0")/fcgi_hostile.py"

# wait_workers PID N: until PID has N children (up to 10 s).
wait_workers() {
	_deadline=$(( $(date +%s) + 10 ))
	until [ "$(echo $(worker_pids "$1") | wc -w)" -eq "$2" ]; do
		[ "$(date +%s)" -ge "$_deadline" ] && return 1
		sleep 0.02
	done
}

# 8. The manager held between fork() and where it once wrote the new worker's
# slot, until that worker is inside a request (FCGI_TEST_HOLD_FORK): the slot
# must still count the worker's requests, and "max active workers" stay 1 with
# one worker. Each loop kills the worker, so the next fork is held again.
sock=$E2E_TMP/fork.sock
: >"$E2E_TMP/manager.log"
FCGI_TEST_HOLD_FORK=1 FCGI_TEST_DELAY_MS=100 FCGI_TEST_DELAY_PATH=/hello \
	manager_start "$sock" 1 --status-path /-/status
# The socket is bound before this line is written (no request may be spent on waiting).
until grep -q 'listening on' "$E2E_TMP/manager.log"; do sleep 0.02; done
bad=0
i=0
while [ $i -lt "$LOOPS" ]; do
	fcgi_request "$sock" "$E2E_TMP/slow.out" REQUEST_URI=/hello REQUEST_METHOD=GET </dev/null
	fcgi_request "$sock" "$E2E_TMP/quick.out" REQUEST_URI=/ping REQUEST_METHOD=GET </dev/null
	"$FCGI_BIN" --status "$sock" --status-path /-/status >"$E2E_TMP/status.txt" 2>&1
	# The worker's line: pid, state (running: it answers this page), requests.
	counted=$(awk '$2 == "running" {print $3}' "$E2E_TMP/status.txt")
	max=$(sed -n 's/^max active workers: *//p' "$E2E_TMP/status.txt")
	if [ "$(status_of "$E2E_TMP/slow.out")$(status_of "$E2E_TMP/quick.out")" != 200200 ] ||
		[ "$counted" != 2 ] || [ "$max" != 1 ]; then
		bad=$((bad + 1))
		[ $bad -eq 1 ] && echo "fork hold, loop $i: worker counted '$counted' of 2 requests, max active '$max': $(tr '\n' ' ' <"$E2E_TMP/status.txt" | head -c 400)" >&2
	fi
	kill -KILL $(worker_pids "$MANAGER_PID")
	i=$((i + 1))
done
echo "fcgi-races: manager held after fork while its worker serves: $bad of $LOOPS loops miscounted"
[ $bad -eq 0 ] && e2e_pass || e2e_fail "slot written by manager and worker at once: $bad of $LOOPS loops"
kill -TERM "$MANAGER_PID"
wait "$MANAGER_PID"

# 10. A worker scribbles over the board's shared header (FCGI_TEST_SCRIBBLE_BOARD,
# its slot count among it): the manager must still stop cleanly (it unmaps the
# size it mapped, from its own memory), and the status page must not crash.
bad=0
i=0
while [ $i -lt "$LOOPS" ]; do
	: >"$E2E_TMP/manager.log"
	sock=$E2E_TMP/scribble$i.sock
	FCGI_TEST_SCRIBBLE_BOARD=1 manager_start "$sock" 1 --status-path /-/status
	wait_workers "$MANAGER_PID" 1
	wait_fcgi "$sock"
	fcgi_request "$sock" "$E2E_TMP/scribble.out" REQUEST_URI=/ping REQUEST_METHOD=GET </dev/null
	"$FCGI_BIN" --status "$sock" --status-path /-/status >"$E2E_TMP/status.txt" 2>&1
	st=$?
	kill -TERM "$MANAGER_PID"
	wait "$MANAGER_PID"
	rc=$?
	if [ "$rc" -ne 0 ] || [ "$st" -ne 0 ] || [ "$(status_of "$E2E_TMP/scribble.out")" != 200 ] ||
		grep -q 'killed by signal' "$E2E_TMP/manager.log"; then
		bad=$((bad + 1))
		[ $bad -eq 1 ] && echo "scribbled board, loop $i: manager exit $rc, status page exit $st, log: $(tail -3 "$E2E_TMP/manager.log")" >&2
	fi
	i=$((i + 1))
done
echo "fcgi-races: a worker scribbles the board's header: $bad of $LOOPS manager stops not clean"
[ $bad -eq 0 ] && e2e_pass || e2e_fail "scribbled board: $bad of $LOOPS stops crashed or failed"

# 6. TCP graceful stop: a worker done with its drain is held, its copy of the
# listening socket still open (FCGI_TEST_STOP_HOLD), while a client connects
# and sends a request; then it exits. The client must never be taken into the
# backlog only to be reset: it is answered, or not connected at all (refused).
bad=0
refused=0
i=0
while [ $i -lt "$LOOPS" ]; do
	: >"$E2E_TMP/manager.log"
	port=$(free_port)
	hold=$E2E_TMP/hold$i
	mkdir "$hold"
	FCGI_TEST_STOP_HOLD=$hold manager_start "127.0.0.1:$port" 1
	wait_fcgi "127.0.0.1:$port"
	kill -TERM "$MANAGER_PID"
	until [ -e "$hold/held" ] || ! kill -0 "$MANAGER_PID" 2>/dev/null; do sleep 0.01; done
	got=$($HOSTILE probe "127.0.0.1:$port" "$hold/go")
	wait "$MANAGER_PID"
	rc=$?
	[ "$got" = refused ] && refused=$((refused + 1))
	if [ "$rc" -ne 0 ] || [ "$got" = lost ] || [ ! -e "$hold/held" ]; then
		bad=$((bad + 1))
		[ $bad -eq 1 ] && echo "stop hold, loop $i: client $got, manager exit $rc: $(tail -2 "$E2E_TMP/manager.log")" >&2
	fi
	i=$((i + 1))
done
echo "fcgi-races: TCP stop, a client connecting while the last worker holds the socket: $bad of $LOOPS reset ($refused refused)"
[ $bad -eq 0 ] && e2e_pass || e2e_fail "TCP stop reset $bad of $LOOPS clients taken into the backlog"

# 12. SIGKILL of a random worker every 250 ms under load (2 workers, 4 clients,
# one request per connection), 50 kills: each kill may cost the request the
# worker was running, nothing more (lost <= kills). A worker holds no
# accepted connection it has not begun beside the one it serves
# (fcgi/worker/conns.h, FIRST_HEAD_MS).
: >"$E2E_TMP/manager.log"
sock=$E2E_TMP/kill.sock
manager_start "$sock" 2
wait_fcgi "$sock"
set -- $($HOSTILE killload "$sock" "$MANAGER_PID" 50)
echo "fcgi-races: SIGKILL a worker every 250 ms under load: ${2:-?} answered, ${4:-?} lost, ${6:-?} kills"
[ "${2:-0}" -gt 100 ] && [ "${4:-99999}" -le "${6:-0}" ] && e2e_pass ||
	e2e_fail "SIGKILL under load: ${4:-?} requests lost for ${6:-?} kills (${2:-?} answered)"
kill -TERM "$MANAGER_PID"
wait "$MANAGER_PID"

e2e_finish
