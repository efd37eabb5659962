#!/bin/sh
# make-test: asan
# The standalone manager's life cycle under hostile timing, one regression test
# per defect found in review (issue 11). Signal races run $LOOPS times (50).
# FCGI_BIN=path runs them against another build (e.g. an older commit's).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/fcgi_lib.sh"
E2E_TIMEOUT=${E2E_TIMEOUT:-360}
e2e_start fcgi-lifecycle
LOOPS=${LOOPS:-50}

# wait_socket PATH: until a unix socket is at PATH (busy loop: the test races the bind).
wait_socket() {
	_deadline=$(( $(date +%s) + 10 ))
	until [ -S "$1" ]; do
		[ "$(date +%s)" -ge "$_deadline" ] && return 1
	done
}

# wait_workers PID N: until PID has N children (up to 10 s).
wait_workers() {
	_deadline=$(( $(date +%s) + 10 ))
	until [ "$(echo $(worker_pids "$1") | wc -w)" -eq "$2" ]; do
		[ "$(date +%s)" -ge "$_deadline" ] && return 1
		sleep 0.02
	done
}

# Reaps the manager started last; its exit status in $rc.
reap_manager() {
	wait "$MANAGER_PID"
	rc=$?
}

# 1. SIGHUP then SIGTERM at once: the 8 workers forked for the SIGHUP get the
# SIGTERM before they are set up, and must still stop cleanly (exit 0).
bad=0
i=0
while [ $i -lt "$LOOPS" ]; do
	: >"$E2E_TMP/manager.log"
	sock=$E2E_TMP/hup$i.sock
	manager_start "$sock" 8
	wait_workers "$MANAGER_PID" 8 || { bad=$((bad + 1)); e2e_fail "hup+term: workers did not start"; break; }
	kill -HUP "$MANAGER_PID"
	kill -TERM "$MANAGER_PID"
	reap_manager
	if [ "$rc" -ne 0 ] || grep -q 'killed by signal' "$E2E_TMP/manager.log" || [ -e "$sock" ]; then
		bad=$((bad + 1))
		[ $bad -eq 1 ] && echo "hup+term: exit $rc: $(tail -3 "$E2E_TMP/manager.log")" >&2
	fi
	i=$((i + 1))
done
echo "fcgi-lifecycle: SIGHUP+SIGTERM with 8 workers: $bad of $LOOPS runs not clean"
[ $bad -eq 0 ] && e2e_pass || e2e_fail "SIGHUP then SIGTERM: $bad of $LOOPS runs lost a worker or exited non-zero"

# 3. SIGTERM the moment the socket appears: exit 0 and no socket left behind.
bad=0
i=0
while [ $i -lt "$LOOPS" ]; do
	: >"$E2E_TMP/manager.log"
	sock=$E2E_TMP/early$i.sock
	manager_start "$sock" 2
	wait_socket "$sock"
	kill -TERM "$MANAGER_PID"
	reap_manager
	if [ "$rc" -ne 0 ] || [ -e "$sock" ]; then
		bad=$((bad + 1))
		[ $bad -eq 1 ] && echo "early stop: exit $rc, socket $(ls "$sock" 2>&1)" >&2
	fi
	i=$((i + 1))
done
echo "fcgi-lifecycle: SIGTERM as soon as the socket appears: $bad of $LOOPS runs not clean"
[ $bad -eq 0 ] && e2e_pass || e2e_fail "SIGTERM right after bind: $bad of $LOOPS runs exited non-zero or left the socket"

# 12. SIGTERM under load (16 clients, one connection per request), on a unix
# socket and on TCP (issue 20, defect 6): every connection the socket took is
# answered; clients only ever find the socket gone or the port closed (refused),
# never a connection reset or closed unanswered.
stop_under_load() {
	_kind=$1
	bad=0
	lost_total=0
	answered_total=0
	i=0
	while [ $i -lt "$LOOPS" ]; do
		: >"$E2E_TMP/manager.log"
		if [ "$_kind" = tcp ]; then addr=127.0.0.1:$(free_port); else addr=$E2E_TMP/load$i.sock; fi
		manager_start "$addr" 2
		wait_workers "$MANAGER_PID" 2
		: >"$E2E_TMP/load.err"
		python3 "$(dirname "$0")/fcgi_stop_load.py" "$addr" 16 >"$E2E_TMP/load.out" 2>"$E2E_TMP/load.err" &
		loader=$!
		until grep -q running "$E2E_TMP/load.err" || ! kill -0 "$loader" 2>/dev/null; do sleep 0.01; done
		sleep 0.05
		kill -TERM "$MANAGER_PID"
		reap_manager
		wait "$loader"
		read -r _ answered _ _ _ lost <"$E2E_TMP/load.out"
		answered_total=$((answered_total + ${answered:-0}))
		lost_total=$((lost_total + ${lost:-0}))
		if [ "$rc" -ne 0 ] || [ "${lost:-1}" -ne 0 ] || [ "${answered:-0}" -eq 0 ]; then
			bad=$((bad + 1))
			[ $bad -eq 1 ] && echo "stop under load ($_kind): exit $rc, $(cat "$E2E_TMP/load.out")" >&2
		fi
		i=$((i + 1))
	done
	echo "fcgi-lifecycle: SIGTERM under load ($_kind): $answered_total answered, $lost_total lost in $LOOPS runs ($bad runs not clean)"
	[ $bad -eq 0 ] && e2e_pass || e2e_fail "SIGTERM under load ($_kind): $lost_total connections lost in $bad of $LOOPS runs"
}
stop_under_load unix
stop_under_load tcp

# 2. The log reader goes away (stderr is a pipe whose reader exits): the next
# worker death must not take the manager down with SIGPIPE.
sock=$E2E_TMP/pipe.sock
mkfifo "$E2E_TMP/log.fifo"
head -n 1 <"$E2E_TMP/log.fifo" >/dev/null &
reader=$!
"$FCGI_BIN" --listen "$sock" --workers 2 2>"$E2E_TMP/log.fifo" &
MANAGER_PID=$!
E2E_PIDS="$E2E_PIDS $MANAGER_PID"
wait "$reader"
wait_workers "$MANAGER_PID" 2
set -- $(worker_pids "$MANAGER_PID")
kill -KILL "$1"
sleep 0.5
if alive "$MANAGER_PID" && wait_workers "$MANAGER_PID" 2 &&
	fcgi_request "$sock" "$E2E_TMP/pipe.out" REQUEST_URI=/ping </dev/null &&
	[ "$(status_of "$E2E_TMP/pipe.out")" = 200 ]; then
	e2e_pass
else
	e2e_fail "log reader gone: the manager did not survive a worker death (alive: $(alive "$MANAGER_PID" && echo yes || echo no))"
fi
kill -TERM "$MANAGER_PID" 2>/dev/null
reap_manager
[ "$rc" -eq 0 ] && [ ! -e "$sock" ] && e2e_pass || e2e_fail "log reader gone: exit $rc, socket $(ls "$sock" 2>&1)"

# 4. The wall clock steps back a day right after two quick worker deaths (the
# crash-loop guard holds the restart for a second): the worker is replaced in
# about that second all the same. libfaketime moves the wall clock only.
faketime_lib=$(ls /usr/lib/*/faketime/libfaketime.so.1 2>/dev/null | head -n 1)
if [ -n "$faketime_lib" ] && [ -z "${FCGI_WRAPPER:-}" ] && [ "${BUILD#*asan}" = "$BUILD" ]; then
	: >"$E2E_TMP/manager.log"
	echo "+0" >"$E2E_TMP/faketime"
	sock=$E2E_TMP/clock.sock
	LD_PRELOAD=$faketime_lib FAKETIME_TIMESTAMP_FILE=$E2E_TMP/faketime FAKETIME_NO_CACHE=1 \
		FAKETIME_DONT_FAKE_MONOTONIC=1 manager_start "$sock" 1
	wait_workers "$MANAGER_PID" 1
	w1=$(worker_pids "$MANAGER_PID")
	kill -KILL "$w1"
	until w2=$(worker_pids "$MANAGER_PID") && [ -n "$w2" ] && [ "$w2" != "$w1" ]; do sleep 0.01; done
	kill -KILL "$w2"
	sleep 0.1
	echo "-1d" >"$E2E_TMP/faketime"
	if wait_workers "$MANAGER_PID" 1 && [ "$(worker_pids "$MANAGER_PID")" != "$w2" ]; then
		e2e_pass
	else
		e2e_fail "clock stepped back: the dead worker was not replaced: $(tail -3 "$E2E_TMP/manager.log")"
	fi
	kill -TERM "$MANAGER_PID"
	reap_manager
else
	echo "fcgi-lifecycle: no libfaketime (or a sanitizer/valgrind build): clock step not checked"
fi

# 5. A poll error other than EINTR (here EINVAL: the worker's descriptor limit
# dropped to 0 under it) ends the worker with a message instead of spinning;
# the manager replaces it and the waiting request is served.
: >"$E2E_TMP/manager.log"
sock=$E2E_TMP/poll.sock
manager_start "$sock" 1
wait_workers "$MANAGER_PID" 1
w1=$(worker_pids "$MANAGER_PID")
prlimit --pid "$w1" --nofile=0:
fcgi_request "$sock" "$E2E_TMP/poll.out" REQUEST_URI=/ping </dev/null
if [ "$(status_of "$E2E_TMP/poll.out")" = 200 ] && ! alive "$w1" && grep -q "poll" "$E2E_TMP/manager.log"; then
	e2e_pass
else
	e2e_fail "poll error: request '$(head -c 200 "$E2E_TMP/poll.out")', worker $w1 $(alive "$w1" && echo still running), log: $(tail -3 "$E2E_TMP/manager.log")"
fi
kill -TERM "$MANAGER_PID"
reap_manager

# 8. A second manager on the path of a live socket refuses to start and leaves
# it alone; a stale socket file is replaced; a manager whose socket file was
# replaced by someone else's does not remove that one when it stops.
: >"$E2E_TMP/manager.log"
sock=$E2E_TMP/live.sock
manager_start "$sock" 1
first=$MANAGER_PID
wait_workers "$first" 1
"$FCGI_BIN" --listen "$sock" --workers 1 2>"$E2E_TMP/second.log" &
second=$!
E2E_PIDS="$E2E_PIDS $second"
sleep 0.5
if alive "$second"; then
	e2e_fail "a second manager started on the live socket $sock"
	kill -TERM "$second"
	wait "$second"
else
	wait "$second"
	rc=$?
	[ "$rc" -eq 1 ] && grep -q "in use" "$E2E_TMP/second.log" && e2e_pass ||
		e2e_fail "second manager: exit $rc, '$(cat "$E2E_TMP/second.log")'"
fi
fcgi_request "$sock" "$E2E_TMP/live.out" REQUEST_URI=/ping </dev/null
[ "$(status_of "$E2E_TMP/live.out")" = 200 ] && e2e_pass || e2e_fail "the first manager lost its socket"
# Someone removes the file and starts another manager there: stopping the first
# must leave the new one's socket in place.
rm -f "$sock"
manager_start "$sock" 1
third=$MANAGER_PID
wait_workers "$third" 1
kill -TERM "$first"
wait "$first"
fcgi_request "$sock" "$E2E_TMP/third.out" REQUEST_URI=/ping </dev/null
[ -S "$sock" ] && [ "$(status_of "$E2E_TMP/third.out")" = 200 ] && e2e_pass ||
	e2e_fail "the old manager removed the new one's socket"
kill -TERM "$third"
wait "$third"
# A stale socket (nobody listening) is replaced.
e2e_client unix-bind "$sock"
manager_start "$sock" 1
wait_workers "$MANAGER_PID" 1
fcgi_request "$sock" "$E2E_TMP/stale.out" REQUEST_URI=/ping </dev/null
[ "$(status_of "$E2E_TMP/stale.out")" = 200 ] && e2e_pass || e2e_fail "stale socket not replaced: $(tail -2 "$E2E_TMP/manager.log")"
kill -TERM "$MANAGER_PID"
reap_manager

e2e_finish
