# Shared helpers for the end-to-end tests (POSIX sh, sourced).
# Every server a test starts binds 127.0.0.1 on a free port, is killed on exit,
# and the whole test is bounded by E2E_TIMEOUT seconds (default 120).
#
#   . tests/e2e/lib.sh
#   e2e_start "name"                 temp dir in $E2E_TMP, watchdog, cleanup trap
#   port=$(free_port)
#   e2e_bg cmd args...               start a server in the background (killed at exit)
#   wait_http http://127.0.0.1:$port/ [seconds]
#   check "what" STATUS 'BODY' curl-args...      exact status and body
#   check_header "what" 'Header: value' curl-args...  a response header line is present
#   e2e_finish                       summary; exit 1 if anything failed
#   e2e_client SUBCOMMAND ARGS...    tests/e2e/e2e_client.py (raw HTTP, FastCGI, JSON, checks)

set -u
BUILD=${BUILD:-build}

# The Python helpers (tests/e2e/e2e_client.py; its subcommands: run it with none), found
# from the sourcing script's directory (tests/e2e, tests/image) or the top of the repository.
# In the background (... &) call python3 "$E2E_CLIENT" itself, so that $! is its process.
for _d in "$(dirname "$0")" "$(dirname "$0")/../e2e" tests/e2e; do
	if [ -f "$_d/e2e_client.py" ]; then
		E2E_CLIENT=$(cd "$_d" && pwd)/e2e_client.py
		break
	fi
done
e2e_client() {
	python3 "$E2E_CLIENT" "$@"
}
E2E_FAILS=0
E2E_PASSES=0
E2E_PIDS=""

e2e_cleanup() {
	for pid in $E2E_PIDS; do
		kill -TERM "$pid" 2>/dev/null
	done
	sleep 0.2
	for pid in $E2E_PIDS; do
		kill -KILL "$pid" 2>/dev/null
	done
	[ -n "${E2E_WATCHDOG:-}" ] && kill "$E2E_WATCHDOG" 2>/dev/null
	[ -n "${E2E_TMP:-}" ] && rm -rf "$E2E_TMP"
}

e2e_start() {
	E2E_NAME=$1
	E2E_TMP=$(mktemp -d "${TMPDIR:-/tmp}/e2e-$1.XXXXXX")
	trap 'e2e_cleanup' EXIT
	trap 'exit 2' INT TERM
	# Bound the whole test: a hang becomes a failure, not a stuck CI job.
	# Its sleep is killed with it, so no orphan holds the test's output open.
	(
		trap 'kill "$_sleep" 2>/dev/null; exit 0' TERM
		sleep "${E2E_TIMEOUT:-120}" &
		_sleep=$!
		wait "$_sleep" || exit 0
		echo "$E2E_NAME: timed out after ${E2E_TIMEOUT:-120}s" >&2
		kill -TERM $$
	) &
	E2E_WATCHDOG=$!
}

# A TCP port on 127.0.0.1 that nothing listens on right now.
free_port() {
	e2e_client free-port
}

e2e_bg() {
	"$@" &
	E2E_PIDS="$E2E_PIDS $!"
}

# Polls until URL answers (any status) or the time runs out.
wait_http() {
	_deadline=$(( $(date +%s) + ${2:-10} ))
	until curl -s -o /dev/null --max-time 1 "$1"; do
		if [ "$(date +%s)" -ge "$_deadline" ]; then
			echo "$E2E_NAME: $1 did not come up" >&2
			return 1
		fi
		sleep 0.1
	done
}

e2e_pass() {
	E2E_PASSES=$((E2E_PASSES + 1))
}

e2e_fail() {
	E2E_FAILS=$((E2E_FAILS + 1))
	echo "FAIL $E2E_NAME: $*" >&2
}

# Polls (at most 20 s) until FILE holds the fixed string TEXT.
wait_text() {
	_n=0
	until grep -qF -- "$2" "$1" 2>/dev/null; do
		_n=$((_n + 1))
		[ "$_n" -ge 400 ] && return 1
		sleep 0.05
	done
}

# Polls (at most 20 s) until process PID has ended.
wait_gone() {
	_n=0
	while kill -0 "$1" 2>/dev/null; do
		_n=$((_n + 1))
		[ "$_n" -ge 400 ] && return 1
		sleep 0.05
	done
}

# check WHAT STATUS BODY curl-args...: the response has exactly this status and body.
check() {
	_what=$1 _status=$2 _body=$3
	shift 3
	_out=$(curl -s --max-time 10 -o "$E2E_TMP/body" -w '%{http_code}' "$@")
	_got=$(cat "$E2E_TMP/body"; echo x)
	_got=${_got%x}
	if [ "$_out" != "$_status" ] || [ "$_got" != "$_body" ]; then
		e2e_fail "$_what: expected $_status '$_body', got $_out '$(printf %s "$_got" | head -c 300)'"
	else
		e2e_pass
	fi
}

# check_header WHAT 'Name: value' curl-args...: that header line is in the response (case-insensitive name).
check_header() {
	_what=$1 _line=$2
	shift 2
	if curl -s --max-time 10 -o /dev/null -D - "$@" | tr -d '\r' | grep -qiF -x -- "$_line"; then
		e2e_pass
	else
		e2e_fail "$_what: no header '$_line'"
	fi
}

e2e_finish() {
	echo "$E2E_NAME: $E2E_PASSES passed, $E2E_FAILS failed"
	[ "$E2E_FAILS" -eq 0 ]
}
