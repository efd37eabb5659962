#!/bin/sh
# deploy/systemd/ checked offline, without booting systemd:
# - systemd-analyze verify on both units (ExecStart pointed at $BUILD/app.fcgi,
#   which must exist for verify): exit 0 and not one line of complaint; a copy
#   with an unknown key must be caught (the check can fail);
# - the service's --listen is the socket's ListenStream=, Type=notify;
# - systemd-analyze security --offline=yes: exposure at most MAX_EXPOSURE.
. "$(dirname "$0")/lib.sh"
e2e_start systemd-units
MAX_EXPOSURE=${MAX_EXPOSURE:-0.5}
src=deploy/systemd
bin=$(cd "$BUILD" && pwd)/app.fcgi

# verify_clean DIR: systemd-analyze verify on DIR's two units says nothing and exits 0.
verify_clean() {
	systemd-analyze verify --man=no "$1/math-service.service" "$1/math-service.socket" >"$E2E_TMP/verify.out" 2>&1 &&
		[ ! -s "$E2E_TMP/verify.out" ]
}

mkdir -p "$E2E_TMP/good" "$E2E_TMP/bad"
sed "s|/usr/sbin/app.fcgi|$bin|" "$src/math-service.service" >"$E2E_TMP/good/math-service.service"
cp "$src/math-service.socket" "$E2E_TMP/good/"
grep -q "^ExecStart=$bin " "$E2E_TMP/good/math-service.service" && e2e_pass ||
	e2e_fail "ExecStart is no longer /usr/sbin/app.fcgi"
verify_clean "$E2E_TMP/good" && e2e_pass || e2e_fail "systemd-analyze verify: $(cat "$E2E_TMP/verify.out")"

cp "$E2E_TMP/good/"* "$E2E_TMP/bad/"
sed -i 's/^NoNewPrivileges=yes/NoNewPrivilege=yes/' "$E2E_TMP/bad/math-service.service"
verify_clean "$E2E_TMP/bad" && e2e_fail "a misspelt key passed the verify check" || e2e_pass

# The manager's --listen and the socket unit name the same socket.
listen=$(sed -n 's/^ExecStart=[^ ]* .*--listen \([^ ]*\).*/\1/p' "$src/math-service.service")
stream=$(sed -n 's/^ListenStream=//p' "$src/math-service.socket")
[ -n "$listen" ] && [ "$listen" = "$stream" ] && e2e_pass ||
	e2e_fail "--listen '$listen' is not the ListenStream= '$stream'"
grep -qx 'Type=notify' "$src/math-service.service" && e2e_pass || e2e_fail "the service is not Type=notify"
[ "$(grep -c '^ListenStream=' "$src/math-service.socket")" -eq 1 ] && e2e_pass ||
	e2e_fail "the manager takes exactly one socket: one ListenStream="

# The exposure score (docs/debian.md quotes it).
score=$(systemd-analyze security --offline=yes "$src/math-service.service" 2>/dev/null |
	sed -n 's/^→ Overall exposure level for [^:]*: \([0-9.]*\) .*/\1/p')
echo "systemd-analyze security: exposure $score"
[ -n "$score" ] && awk -v s="$score" -v m="$MAX_EXPOSURE" 'BEGIN { exit !(s <= m) }' && e2e_pass ||
	e2e_fail "exposure '$score' above $MAX_EXPOSURE"
e2e_finish
