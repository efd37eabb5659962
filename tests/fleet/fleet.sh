#!/bin/sh
# tests/fleet/fleet.sh (make test-fleet): a fleet on this machine. HAProxy
# plays the ALB (keep-alive to the targets, idle connections kept 60 s and
# reused, health checks on GET /, its runtime API for registering, draining and
# deregistering) in front of up to three targets: the real image, run with
# podman as ECS runs it (its entrypoint, lighttpd, FastCGI workers), each on a
# free port of its own. Under continuous load (tests/fleet/load.py: mixed GET
# and POST, every answer checked), one after the other: scale out 1 -> 3, a
# rolling deploy of all three, a crash (SIGKILL) of one and its replacement,
# scale in 3 -> 1. One line per step: sent, answered, failed, time to recover.
# 0 failed in every step but the crash, whose failures must all have been in
# flight on the killed target; a POST held in flight there must fail, not be
# sent again to another target. docs/fleet.md explains the settings.
# The image is built once per content (tests/image/lib.sh image_build; under
# make test, image-check built it) and removed at exit with every container
# (FLEET_KEEP_IMAGE=1 keeps the image, for running this test again).
# shellcheck disable=SC2086 # PODMAN_RUN_FLAGS is a word list
. "$(dirname "$0")/../image/lib.sh"
. "$(dirname "$0")/lib.sh"
image_test_start fleet 600
NAME=fleet-$$
IMAGE=
# The ALB's deregistration delay and lighttpd's graceful stop agree (as in
# deploy/cdk: 20 s and 20 s, ECS stop timeout 30 s), scaled down to keep the test short.
DEREG_DELAY=${DEREG_DELAY:-2}
STOP_TIMEOUT=30
# The counter-examples docs/fleet.md shows (the test then fails): FLEET_DRAIN=0
# stops a target while it is in service and takes it out of the balancer
# after; FLEET_RETRIES=0 retries no connection that could not be made.
FLEET_DRAIN=${FLEET_DRAIN:-1}
FLEET_RETRIES=${FLEET_RETRIES:-2}
MARKS=$E2E_TMP/marks
LOAD_LOG=$E2E_TMP/load.log

fleet_cleanup() {
	podman ps -a --format '{{.Names}}' --filter "name=^$NAME-" | while read -r c; do
		podman rm -f -t 0 "$c" >/dev/null 2>&1
	done
	[ -z "$IMAGE" ] || [ "${FLEET_KEEP_IMAGE:-}" = 1 ] || podman rmi "$IMAGE" >/dev/null 2>&1
}
trap 'fleet_cleanup; e2e_cleanup' EXIT

mark() {
	echo "$(now) $1 $2" >>"$MARKS"
}

# step_begin STEP, step_done STEP: the marks around a step, and HAProxy's
# retries, redispatches, connection and response errors during it: 0 in every
# step but the crash, so no retry hid a failure (draining did the work).
step_begin() {
	mark "$1" start
	hap counters targets >"$E2E_TMP/counters-$1"
}

step_done() {
	sleep 1
	mark "$1" end
	# shellcheck disable=SC2046 # two lists of four numbers
	set -- "$1" $(cat "$E2E_TMP/counters-$1") $(hap counters targets)
	retr=$(($6 - $2)) redis=$(($7 - $3)) econ=$(($8 - $4)) eresp=$(($9 - $5))
	echo "    HAProxy during the step: retries $retr, redispatches $redis, connection errors $econ, response errors $eresp"
	if [ "$1" = crash ]; then
		:
	elif [ $((retr + redis + econ + eresp)) = 0 ]; then
		e2e_pass
	else
		e2e_fail "$1: HAProxy retried or saw errors: a target got requests it could not take"
	fi
}

# ---- targets: ECS's side ------------------------------------------------------

GEN=0
# target_start SLOT: a new container for SLOT on a free port, as ECS runs the
# image: no entrypoint override, the port from the environment, its own health
# check (run on demand: podman schedules periodic ones through systemd).
target_start() {
	GEN=$((GEN + 1))
	port=$(free_port)
	podman run -d --name "$NAME-$1-$GEN" $PODMAN_RUN_FLAGS \
		--health-cmd /usr/local/bin/healthcheck --health-interval=disable \
		-e PORT="$port" -e BIND=127.0.0.1 -e FCGI_PROCS=2 -e LOG_FORMAT=off \
		-e GRACEFUL_SHUTDOWN_TIMEOUT="$DEREG_DELAY" "$IMAGE" >/dev/null || return 1
	echo "$NAME-$1-$GEN $port" >"$E2E_TMP/slot-$1"
}

container() { cut -d' ' -f1 "$E2E_TMP/slot-$1"; }
port_of() { cut -d' ' -f2 "$E2E_TMP/slot-$1"; }

# target_healthy SLOT: the container's health check passes (ECS's view), within 30 s.
target_healthy() {
	deadline=$(( $(date +%s) + 30 ))
	until podman healthcheck run "$(container "$1")" >/dev/null 2>&1; do
		if [ "$(date +%s)" -ge "$deadline" ]; then
			e2e_fail "$1: $(container "$1") not healthy after 30 s"
			podman logs "$(container "$1")" 2>&1 | tail -n 5 >&2
			return 1
		fi
		sleep 0.2
	done
}

# target_stop SLOT: podman stop with ECS's stop timeout; lighttpd's graceful
# stop must end it (exit 0), well before SIGKILL. (FLEET_DRAIN=0: then out of
# the balancer.)
target_stop() {
	c=$(container "$1")
	started=$(now)
	podman stop -t "$STOP_TIMEOUT" "$c" >/dev/null
	took=$(awk -v a="$started" -v b="$(now)" 'BEGIN { printf "%.1f", b - a }')
	code=$(podman inspect --format '{{.State.ExitCode}}' "$c")
	podman rm "$c" >/dev/null
	[ "$FLEET_DRAIN" = 1 ] || hap cmd "set server targets/$1 state maint" >/dev/null
	echo "    $1: podman stop took $took s, exit code $code"
	if [ "$code" = 0 ]; then e2e_pass; else e2e_fail "$1: stop ended with exit code $code"; fi
}

# ---- the balancer's side: register and deregister -------------------------------

# register SLOT: like an ALB target: registered at the container's address,
# routed to only once HAProxy's own health checks passed (rise 2).
register() {
	s=targets/$1
	hap cmd "set server $s addr 127.0.0.1 port $(port_of "$1")" >/dev/null
	# Out of maintenance into drain (no traffic), then down until checked.
	hap cmd "set server $s state drain; set server $s health down" >/dev/null
	if ! up=$(hap wait-op "$s" 2 30); then
		e2e_fail "$1: HAProxy's health checks did not pass"
		return 1
	fi
	hap cmd "set server $s state ready" >/dev/null
	echo "    $1: registered at port $(port_of "$1"), healthy after $up s"
}

# deregister SLOT...: drain (no new requests; those in flight finish), wait the
# deregistration delay, then out of the balancer (maintenance).
deregister() {
	[ "$FLEET_DRAIN" = 1 ] || return 0
	for t; do hap cmd "set server targets/$t state drain" >/dev/null; done
	sleep "$DEREG_DELAY"
	for t; do
		echo "    $t: drained for $DEREG_DELAY s, sessions left: $(hap sessions "targets/$t")"
		hap cmd "set server targets/$t state maint" >/dev/null
	done
}

# scale_out SLOT...: new targets, started side by side, then each registered.
scale_out() {
	for t; do target_start "$t" || return 1; done
	for t; do target_healthy "$t" && register "$t" || return 1; done
}

# replace SLOT: one target of a rolling deploy.
replace() {
	deregister "$1"
	target_stop "$1"
	scale_out "$1"
}

# ---- the balancer -----------------------------------------------------------------

HP=$(free_port)
{
	haproxy_defaults "$E2E_TMP/haproxy.sock"
	cat <<EOF
frontend fe
	bind 127.0.0.1:$HP
	default_backend targets
backend targets
	balance roundrobin
	# Keep-alive to the targets; any request may go over an idle connection.
	http-reuse always
	option httpchk GET /
	http-check expect status 200
	timeout check 2s
	# A connection that could not be made (nothing sent yet) is tried once
	# more, on another target; a request sent is never sent again.
	retries $FLEET_RETRIES
	option redispatch 1
	retry-on conn-failure
	# The test pins one slow POST to the target it crashes.
	use-server t1 if { req.hdr(x-fleet-target) -m str t1 }
	use-server t2 if { req.hdr(x-fleet-target) -m str t2 }
	use-server t3 if { req.hdr(x-fleet-target) -m str t3 }
	default-server check inter 500ms downinter 250ms rise 2 fall 2 pool-purge-delay 60s
	server t1 127.0.0.1:9 disabled
	server t2 127.0.0.1:9 disabled
	server t3 127.0.0.1:9 disabled
EOF
} >"$E2E_TMP/haproxy.cfg"

step() {
	echo "== $E2E_NAME: $* ($(date -u +%H:%M:%S))"
}

step "podman build"
if ! image_build; then
	e2e_fail "podman build failed"
	exit 1
fi
if [ "$IMAGE_BUILT" = reused ]; then echo "$IMAGE: reused"; else echo "$IMAGE: built in $IMAGE_BUILT s"; fi

step "one target, HAProxy, load"
haproxy_start "$E2E_TMP/haproxy.cfg" "$E2E_TMP/haproxy.log" || exit 1
scale_out t1 || exit 1
python3 "$FLEET_DIR/load.py" run "http://127.0.0.1:$HP" "$LOAD_LOG" --workers 4 --rate 25 \
	--max-seconds 240 --stop-file "$E2E_TMP/stop" &
LOAD=$!
E2E_PIDS="$E2E_PIDS $LOAD"
sleep 1
echo "    load: $(wc -l <"$LOAD_LOG") requests in the first second"

step "scale out 1 -> 3"
step_begin scale-out
scale_out t2 t3 || exit 1
mark scale-out recovered
step_done scale-out

step "rolling deploy"
step_begin rolling-deploy
for t in t1 t2 t3; do
	replace "$t" || exit 1
done
mark rolling-deploy recovered
step_done rolling-deploy

step "crash: podman kill -s KILL t2"
step_begin crash
# A POST whose body trickles in over ~3 s, pinned to t2: in flight at the kill.
head -c 49152 /dev/zero | tr '\0' x >"$E2E_TMP/slow-body"
curl -s -o /dev/null -w '%{http_code}' --max-time 20 --limit-rate 16K -H 'X-Fleet-Target: t2' \
	-H 'Content-Type: text/plain' --data-binary @"$E2E_TMP/slow-body" \
	"http://127.0.0.1:$HP/api/v1/users/?fleet=slow" >"$E2E_TMP/slow-status" &
slow=$!
sleep 1
mark crash kill
podman kill -s KILL "$(container t2)" >/dev/null
mark crash killed
if down=$(hap wait-op targets/t2 0 10); then
	echo "    t2: HAProxy marked it down after $down s"
	e2e_pass
else
	e2e_fail "t2: HAProxy did not mark the killed target down within 10 s"
fi
wait "$slow"
# The client gets a 502, or a reset when its body was still on the way (HAProxy
# then logs no status, -1), and HAProxy logs the server's abort: S as the first
# termination flag, for "t2". A 200 would mean the POST was sent again elsewhere.
slow_log=$(grep -h ' POST /api/v1/users/?fleet=slow ' "$E2E_TMP/haproxy.log")
echo "    the POST in flight on t2: client saw $(cat "$E2E_TMP/slow-status"); haproxy logged: $slow_log"
case "$(cat "$E2E_TMP/slow-status") $slow_log" in
"502 502 S"???" t2 "* | "000 -1 S"???" t2 "* | "000 502 S"???" t2 "*) e2e_pass ;;
*) e2e_fail "the POST in flight on the killed target: $(cat "$E2E_TMP/slow-status"), logged '$slow_log'" ;;
esac
# ECS replaces the task.
podman rm -f -t 0 "$(container t2)" >/dev/null
hap cmd "set server targets/t2 state maint" >/dev/null
scale_out t2 || exit 1
mark crash recovered
step_done crash

step "scale in 3 -> 1"
step_begin scale-in
deregister t2 t3
target_stop t2
target_stop t3
mark scale-in recovered
step_done scale-in

touch "$E2E_TMP/stop"
wait "$LOAD"
step "report"
if python3 "$FLEET_DIR/load.py" report "$LOAD_LOG" "$MARKS"; then
	e2e_pass
else
	e2e_fail "the load's failures above"
	grep -E '^5[0-9][0-9] ' "$E2E_TMP/haproxy.log" | head -n 10 | sed 's/^/  haproxy: /' >&2
fi
# Bounded recovery: the crash's replacement in service within 60 s of the kill.
if awk '$2 == "crash" { t[$3] = $1 } END { d = t["recovered"] - t["kill"]; exit !(d > 0 && d < 60) }' "$MARKS"; then
	e2e_pass
else
	e2e_fail "the crash took more than 60 s to recover"
fi
e2e_finish
