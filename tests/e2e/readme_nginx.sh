#!/bin/sh
# The README's spawn-fcgi + nginx steps, run as written (as root, the way the
# README says), with only these changes: /usr/local and /run/math-service move
# into this test's temporary directory (make install gets the matching PREFIX
# and RUNDIR), `sudo` is dropped (we are root already), the installed
# nginx.conf listens on a free loopback port instead of 8080, and nginx's
# foreground run goes to the background. nginx's workers and the FastCGI
# workers run as www-data, as documented; every spec row is checked with curl.
# The hostile case: the same set-up with nginx's `user` line taken out gives a
# 502 (its workers, as nobody, cannot open the 0660 socket).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/spec_checks.sh"
. "$(dirname "$0")/fcgi_lib.sh"
cd "$(dirname "$0")/../.." || exit 1
e2e_start readme-nginx

if [ "$(id -u)" != 0 ] || ! id www-data >/dev/null 2>&1; then
	echo "readme-nginx: skipped: needs root and the www-data user (nginx's user directive, spawn-fcgi -u)"
	exit 0
fi
# www-data must reach the installed files and the socket below the temp dir.
chmod 755 "$E2E_TMP"
T=$E2E_TMP
port=$(free_port)

# The block between the markers, fences dropped, continuation lines joined.
sed -n '/<!-- begin: tests\/e2e\/readme_nginx.sh -->/,/<!-- end: tests\/e2e\/readme_nginx.sh -->/p' README.md |
	grep -v '^<!--\|^```' | sed -e ':a' -e '/\\$/N; s/\\\n//; ta' >"$T/steps"
[ "$(grep -c . "$T/steps")" -ge 4 ] || { e2e_fail "README has no spawn-fcgi + nginx block between the markers"; exit 1; }
for want in 'make install' 'install -d /run/math-service' 'spawn-fcgi ' 'nginx '; do
	grep -q "$want" "$T/steps" || { e2e_fail "README's steps lack '$want'"; exit 1; }
done
sed -e 's/sudo //g' -e "s|/usr/local/|$T/usr/local/|g" -e "s|/run/math-service|$T/run/math-service|g" \
	-e "s|make install|make install PREFIX=$T/usr/local RUNDIR=$T/run/math-service|" "$T/steps" >"$T/steps.local"
echo "readme-nginx: running:"
sed 's/^/  /' "$T/steps.local"

while IFS= read -r step; do
	case $step in
	nginx\ *)
		# The installed nginx.conf, on a free loopback port.
		conf=$T/usr/local/lib/math-service/nginx.conf
		sed -i "s|listen 8080;|listen 127.0.0.1:$port;|" "$conf"
		grep -q "listen 127.0.0.1:$port;" "$conf" || { e2e_fail "installed nginx.conf has no 'listen 8080;'"; exit 1; }
		e2e_bg sh -c "exec $step" >"$T/nginx.out" 2>"$T/nginx.err"
		;;
	*)
		if ! sh -c "$step" >"$T/step.out" 2>&1; then
			e2e_fail "step failed: $step: $(tail -n 5 "$T/step.out")"
			exit 1
		fi
		case $step in
		*spawn-fcgi*) E2E_PIDS="$E2E_PIDS $(tr '\n' ' ' <"$T/run/math-service/spawn-fcgi.pid")" ;;
		esac
		;;
	esac
done <"$T/steps.local"

base=http://127.0.0.1:$port
wait_ok "$base/ping" 15 || { cat "$T/nginx.err" >&2; exit 1; }
spec_checks "$base" fcgi
grep -q 'Permission denied' "$T/nginx.err" && e2e_fail "nginx logged Permission denied: $(grep 'Permission denied' "$T/nginx.err" | head -n 2)"

# Who runs what, and the socket as documented.
sock=$T/run/math-service/fcgi.sock
[ "$(stat -c '%A %U %G' "$sock")" = "srw-rw---- www-data www-data" ] && e2e_pass ||
	e2e_fail "socket is $(stat -c '%A %U %G' "$sock"), not srw-rw---- www-data www-data"
nginx_master=$(cat "$T/run/math-service/nginx.pid")
nginx_users=$(ps -o user= --ppid "$nginx_master" | sort -u | paste -sd,)
[ "$nginx_users" = www-data ] && e2e_pass || e2e_fail "nginx workers run as '$nginx_users', not www-data"
fcgi_users=$(ps -o user= -p "$(paste -sd, "$T/run/math-service/spawn-fcgi.pid")" | sort -u | paste -sd,)
[ "$fcgi_users" = www-data ] && e2e_pass || e2e_fail "FastCGI workers run as '$fcgi_users', not www-data"

# Hostile: without the user line nginx's workers are nobody, and get a 502.
port2=$(free_port)
mkdir -p "$T/nouser"
sed -e '/^user /d' -e "s|listen 127.0.0.1:$port;|listen 127.0.0.1:$port2;|" \
	-e "s|pid $T/run/math-service/nginx.pid;|pid $T/nouser/nginx.pid;|" \
	"$T/usr/local/lib/math-service/nginx.conf" >"$T/nouser/nginx.conf"
e2e_bg nginx -e stderr -g 'daemon off;' -c "$T/nouser/nginx.conf" >/dev/null 2>"$T/nouser/err"
wait_http "http://127.0.0.1:$port2/ping" 15
code=$(curl -s -o /dev/null --max-time 10 -w '%{http_code}' "http://127.0.0.1:$port2/ping")
[ "$code" = 502 ] && e2e_pass || e2e_fail "without nginx's user line: expected 502, got $code"
grep -q '(13: Permission denied)' "$T/nouser/err" && e2e_pass || e2e_fail "no Permission denied in nginx's log without the user line"

e2e_finish
