# Shared parts of the fleet tests (POSIX sh, sourced after tests/e2e/lib.sh or
# tests/image/lib.sh): HAProxy in the part of an AWS Application Load Balancer,
# driven through its runtime API (docs/fleet.md).
#   haproxy_defaults SOCKET        global and defaults sections: an ALB's timeouts,
#                                  one log line per request on haproxy's stderr
#   haproxy_start CONFIG LOG       check CONFIG, start haproxy (stopped at exit),
#                                  wait for its runtime API; sets HAP_SOCKET
#   hap VERB ARGS...               tests/fleet/hapctl.py on $HAP_SOCKET
#   now                            the wall clock, in seconds with decimals (the
#                                  load client's clock too)
FLEET_DIR=$(cd "$(dirname "$0")" && pwd)

# An ALB keeps idle connections for 60 s (its idle timeout, on both sides) and
# waits as long for a target's answer; HAProxy's idle connections to a server
# are kept as long (pool-purge-delay on each server line).
haproxy_defaults() {
	cat <<EOF
global
	maxconn 2000
	stats socket $1 mode 600 level admin
	log stderr format raw local0
defaults
	mode http
	log global
	log-format "%ST %tsc %s %HM %HU %Tr/%Tt"
	timeout connect 2s
	timeout client 60s
	timeout http-keep-alive 60s
	timeout server 60s
	timeout queue 10s
EOF
}

haproxy_start() {
	if ! haproxy -c -q -f "$1"; then
		e2e_fail "haproxy refuses $1"
		return 1
	fi
	HAP_SOCKET=$(sed -n 's/^[[:space:]]*stats socket \([^ ]*\) .*/\1/p' "$1")
	haproxy -db -f "$1" 2>"$2" &
	E2E_PIDS="$E2E_PIDS $!"
	_deadline=$(( $(date +%s) + 10 ))
	until hap cmd 'show info' >/dev/null 2>&1; do
		if [ "$(date +%s)" -ge "$_deadline" ]; then
			e2e_fail "haproxy did not start: $(tail -n 3 "$2")"
			return 1
		fi
		sleep 0.05
	done
}

hap() {
	python3 "$FLEET_DIR/hapctl.py" "$HAP_SOCKET" "$@"
}

now() {
	date +%s.%N | cut -c1-14
}
