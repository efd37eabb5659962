#!/bin/sh
# tests/fleet/keepalive_race.sh (make test-fleet): lighttpd's keep-alive idle
# timeout against a balancer that keeps idle connections to it for 60 s.
#
# HAProxy plays the ALB (http-reuse always: any request may go over an idle
# connection; idle connections kept 60 s; no retries) in front of lighttpd +
# app.fcgi with lighttpd.conf, on the host. Each round: a request through
# HAProxy leaves one idle keep-alive connection between the two; 5.5 s later,
# just past lighttpd's own default idle timeout (5 s), the balancer sends the
# next request over it. Between two hosts the target's FIN and that request
# cross on the network and the client gets a 502. On loopback the FIN reaches
# HAProxy within microseconds, so the crossing is made deterministic: lighttpd
# is held still (SIGSTOP) from 1 s to 7 s, and the request sits unread in its
# socket when its idle timer runs on SIGCONT.
#   KEEP_ALIVE_IDLE=5 (lighttpd's default, the setting before): 502, every round.
#   lighttpd.conf's default (65 s, above the balancer's 60 s): 200 every round,
#   over the same connection.
# Both settings run side by side; ROUNDS (3) rounds each.
. "$(dirname "$0")/../e2e/lib.sh"
. "$(dirname "$0")/lib.sh"
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
cd "$ROOT" || exit 1
ROUNDS=${ROUNDS:-3}
E2E_TIMEOUT=${E2E_TIMEOUT:-$((ROUNDS * 20 + 40))}
e2e_start keepalive_race
APP_DIR=$(cd "$BUILD" && pwd)

# sleep_until T OFFSET: sleep until the wall clock (now) reads T + OFFSET seconds.
sleep_until() {
	sleep "$(awk -v t="$1" -v o="$2" -v n="$(now)" 'BEGIN { d = t + o - n; print (d > 0 ? d : 0) }')"
}

# backend_conn PORT: HAProxy's end of its established connections to PORT.
backend_conn() {
	ss -Htn state established "( dport = :$1 )" | awk '{ print $3 }' | paste -sd ' '
}

# request_unread PORT: lighttpd holds bytes it has not read on a connection.
request_unread() {
	ss -Htn state established "( sport = :$1 )" | awk '$1 > 0 { found = 1 } END { exit !found }'
}

# start_pair NAME [KEEP_ALIVE_IDLE]: lighttpd (idle setting given, or
# lighttpd.conf's default) and HAProxy in front; sets LP, LPID, HP.
start_pair() {
	LP=$(free_port)
	HP=$(free_port)
	idle="-u KEEP_ALIVE_IDLE"
	[ -z "${2-}" ] || idle="KEEP_ALIVE_IDLE=$2"
	# shellcheck disable=SC2086 # $idle is one or two words for env
	env $idle PORT="$LP" BIND=127.0.0.1 APP_DIR="$APP_DIR" FCGI_PROCS=1 SOCKET_DIR="$E2E_TMP" \
		lighttpd -D -f lighttpd.conf >"$E2E_TMP/$1-lighttpd.log" 2>&1 &
	LPID=$!
	E2E_PIDS="$E2E_PIDS $LPID"
	{
		haproxy_defaults "$E2E_TMP/$1.sock"
		cat <<EOF
frontend fe
	bind 127.0.0.1:$HP
	default_backend target
backend target
	http-reuse always
	retries 0
	server t1 127.0.0.1:$LP pool-purge-delay 60s
EOF
	} >"$E2E_TMP/$1.cfg"
	haproxy_start "$E2E_TMP/$1.cfg" "$E2E_TMP/$1-haproxy.log" || return 1
	wait_http "http://127.0.0.1:$HP/" 10
}

# race_round: one round against the pair in LP/LPID/HP; prints
# "STATUS CONNECTION-BEFORE CONNECTION-AFTER", or "invalid REASON".
race_round() {
	code=$(curl -s -o /dev/null -w '%{http_code}' --max-time 10 "http://127.0.0.1:$HP/")
	t1=$(now)
	before=$(backend_conn "$LP")
	[ "$code" = 200 ] || { echo "invalid first request: $code"; return; }
	sleep_until "$t1" 1
	kill -STOP "$LPID"
	# Still open on both ends: lighttpd has not closed it before the hold.
	held=$(backend_conn "$LP")
	sleep_until "$t1" 5.5
	curl -s -o /dev/null -w '%{http_code}' --max-time 20 "http://127.0.0.1:$HP/" >"$E2E_TMP/r2.$LP" &
	client=$!
	deadline=$(( $(date +%s) + 10 ))
	until request_unread "$LP" || [ "$(date +%s)" -ge "$deadline" ]; do sleep 0.02; done
	sleep_until "$t1" 7
	kill -CONT "$LPID"
	wait "$client"
	if [ -z "$before" ] || [ "$held" != "$before" ]; then
		echo "invalid: connection '$before' was '$held' when lighttpd was held"
		return
	fi
	echo "$(cat "$E2E_TMP/r2.$LP") $before $(backend_conn "$LP")"
}

# run_rounds NAME LP LPID HP: ROUNDS rounds, one result line each into
# $E2E_TMP/NAME.out. A round the machine was too slow for (lighttpd not held
# before its idle timeout) is said so and run again, up to ROUNDS more times.
run_rounds() {
	LP=$2 LPID=$3 HP=$4
	: >"$E2E_TMP/$1.out"
	i=0 tries=0
	while [ "$i" -lt "$ROUNDS" ] && [ "$tries" -lt $((ROUNDS * 2)) ]; do
		tries=$((tries + 1))
		result=$(race_round)
		case $result in
		invalid*) echo "  $1: round again, $result" ;;
		*) echo "$result" >>"$E2E_TMP/$1.out"; i=$((i + 1)) ;;
		esac
	done
}

echo "== keepalive_race: $ROUNDS rounds per setting, request 5.5 s after the last, lighttpd held 1 s .. 7 s"
start_pair old 5 || exit 1
set -- "$LP" "$LPID" "$HP"
start_pair new || exit 1
run_rounds old "$@" &
old=$!
run_rounds new "$LP" "$LPID" "$HP" &
new=$!
wait "$old" "$new"

# report NAME LABEL EXPECTED: one line per round; each must have EXPECTED, and a
# 200 must have come over the connection the first request left idle.
report() {
	n=0
	while read -r status before after; do
		n=$((n + 1))
		case $status in
		200) how="answered over the same connection ($before)" ;;
		502) how="502 from the balancer: lighttpd closed $before with the request unread" ;;
		*) how="$before $after" ;;
		esac
		echo "  $2, round $n: $status, $how"
		if [ "$status" != "$3" ]; then
			e2e_fail "$2, round $n: expected $3, got: $status $before $after"
		elif [ "$status" = 200 ] && [ "$after" != "$before" ]; then
			e2e_fail "$2, round $n: answered over a new connection ($after, was $before)"
		else
			e2e_pass
		fi
	done <"$E2E_TMP/$1.out"
	[ "$n" = "$ROUNDS" ] || e2e_fail "$2: $n rounds of $ROUNDS"
}
report old "KEEP_ALIVE_IDLE=5 (lighttpd's default)" 502
idle=$(env -u KEEP_ALIVE_IDLE PORT=1 lighttpd -p -f lighttpd.conf | awk '/max-keep-alive-idle/ { print $3 }')
[ -n "$idle" ] || idle="unset: lighttpd's 5"
report new "lighttpd.conf's default ($idle s)" 200
grep -h '^502 ' "$E2E_TMP/old-haproxy.log" | head -n 1 | sed 's/^/  haproxy log (status, termination state, server, request, times): /'
e2e_finish
