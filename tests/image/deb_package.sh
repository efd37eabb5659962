#!/bin/sh
# The .deb in a throwaway root: a podman container from the debootstrapped
# Debian 12 base the image tests use (docker/podman-env ensure_base_image).
# Inside: the package's dependencies from Debian's mirror, a listing of the
# file system, `dpkg -i`, the installed app.fcgi run as the package's user on
# a free port (host network); outside: every SPEC request through a real
# nginx to it. Then `dpkg --purge`, and nothing may be left behind: the same
# files as before, /etc byte for byte (passwd, group, shadow: the user and
# group gone), no dpkg record, no systemd enablement links.
#   DEB=build/deb/math-service_VERSION_ARCH.deb tests/image/deb_package.sh
# shellcheck disable=SC2086 # PODMAN_RUN_FLAGS is a word list
. "$(dirname "$0")/lib.sh"
. "$ROOT/tests/e2e/spec_checks.sh"
. "$ROOT/tests/e2e/fcgi_lib.sh"
image_test_start deb-package 400
NAME=math-service-deb-$$
trap 'podman rm -f -t 0 "$NAME" >/dev/null 2>&1; e2e_cleanup' EXIT
DEB=${DEB:?DEB=path of the .deb (make test-deb)}
[ -f "$DEB" ] || { e2e_fail "no $DEB"; e2e_finish; exit 1; }

# What the package holds, seen from outside.
dpkg-deb -c "$DEB" >"$E2E_TMP/contents"
for f in ./usr/lib/math-service/app.fcgi ./usr/sbin/app.fcgi ./usr/bin/app.cgi ./usr/lib/math-service/bootstrap \
	./usr/share/math-service/docs/swagger-ui.css ./lib/systemd/system/math-service.service \
	./lib/systemd/system/math-service.socket ./usr/share/man/man8/app.fcgi.8.gz ./usr/share/man/man1/app.cgi.1.gz \
	./usr/share/man/man1/bootstrap.1.gz ./etc/math-service/nginx.conf ./etc/default/math-service; do
	grep -q " $f\( ->.*\)\?$" "$E2E_TMP/contents" && e2e_pass || e2e_fail "the package has no $f"
done
dpkg-deb -f "$DEB" Depends | grep -q adduser && e2e_pass || e2e_fail "no Depends: adduser"

mkdir -p "$E2E_TMP/shared"
port=$(free_port)
cat >"$E2E_TMP/inside.sh" <<'INSIDE'
set -u
export DEBIAN_FRONTEND=noninteractive
deps=$(dpkg-deb -f /pkg/math-service.deb Depends | tr ',' '\n' | sed 's/(.*//; s/|.*//; s/ //g')
apt-get update -q >/tmp/apt.log 2>&1 && apt-get install -y -q --no-install-recommends $deps </dev/null >>/tmp/apt.log 2>&1 ||
	{ tail -n 20 /tmp/apt.log; echo "STEP apt failed"; exit 1; }
echo "STEP apt ok"
# The root as it is before the package: every name, and /etc's bytes. Not the
# backups the shadow tools keep of the file they change (/etc/shadow- ...).
snapshot() {
	find / -xdev \( -path /proc -o -path /sys -o -path /dev -o -path /tmp -o -path /run -o -path /pkg \
		-o -path /shared -o -path /inside.sh -o -path /var/log -o -path /var/cache -o -path /var/lib/apt \
		-o -path /var/lib/dpkg -o -path '/etc/*-' \) -prune -o -print | sort
	find /etc -xdev -type f ! -name '*-' -exec md5sum {} + | sort -k 2
}
snapshot >/tmp/before
dpkg -i /pkg/math-service.deb >/tmp/dpkg.log 2>&1 || { cat /tmp/dpkg.log; echo "STEP dpkg -i failed"; exit 1; }
echo "STEP installed"
getent passwd math-service | grep -q ':/nonexistent:/usr/sbin/nologin$' && echo "STEP user ok"
getent group math-service >/dev/null && echo "STEP group ok"
[ -L /etc/systemd/system/sockets.target.wants/math-service.socket ] && echo "STEP socket enabled"
dpkg-query -W -f='${Conffiles}\n' math-service | grep -q '/etc/math-service/nginx.conf' && echo "STEP conffiles ok"
echo "STEP version $(app.fcgi --version)"
echo "STEP cgi $(app.cgi -r 'GET /math/add?i=5&i=10')" | tr '\r\n' '  '; echo
# The service from the installed files, as the unit runs it: its user, /etc/default.
set -a; . /etc/default/math-service; set +a
setpriv --reuid=math-service --regid=math-service --init-groups -- env APP_MAX_BODY_BYTES=200000 \
	EXECUTION_ENVIRONMENT= /usr/sbin/app.fcgi --listen "127.0.0.1:$PORT" --workers 2 2>/tmp/manager.log &
pid=$!
echo "STEP serving"
i=0
until [ -e /shared/stop ] || [ $i -ge 1500 ]; do sleep 0.2; i=$((i + 1)); done
# (no procps in the base image: /proc)
for p in $pid $(cat /proc/$pid/task/*/children); do stat -c '%U' /proc/$p; done | sort -u >/tmp/users
[ "$(cat /tmp/users)" = math-service ] && [ "$(wc -w </proc/$pid/task/$pid/children)" -eq 2 ] &&
	echo "STEP manager and workers run as math-service"
kill -TERM $pid
wait $pid && echo "STEP manager stopped" || { tail -n 5 /tmp/manager.log; echo "STEP manager exit $?"; }
dpkg --purge math-service >>/tmp/dpkg.log 2>&1 || { cat /tmp/dpkg.log; echo "STEP purge failed"; }
echo "STEP purged"
dpkg-query -W math-service >/dev/null 2>&1 && echo "STEP dpkg still knows math-service"
snapshot >/tmp/after
if diff /tmp/before /tmp/after >/tmp/diff; then echo "STEP nothing left"; else sed 's/^/LEFT /' /tmp/diff; fi
INSIDE

timeout 380 podman run --name "$NAME" --rm $PODMAN_RUN_FLAGS --no-healthcheck -e PORT="$port" \
	-v "$(cd "$(dirname "$DEB")" && pwd)/$(basename "$DEB"):/pkg/math-service.deb:ro" \
	-v "$E2E_TMP/shared:/shared" -v "$E2E_TMP/inside.sh:/inside.sh:ro" "$BASE_IMAGE" sh /inside.sh \
	>"$E2E_TMP/out" 2>&1 &
podman_pid=$!
step() { grep -q "^STEP $1\$" "$E2E_TMP/out"; }

# Once it serves: every SPEC request through nginx (the /docs files from the
# service too: the installed /usr/share/math-service/docs).
deadline=$(( $(date +%s) + 300 ))
until step serving || ! kill -0 "$podman_pid" 2>/dev/null || [ "$(date +%s)" -ge "$deadline" ]; do sleep 0.5; done
if step serving; then
	NGINX_NO_STATIC=1 nginx_start "127.0.0.1:$port" && wait_ok "$NGINX_BASE/ping" 20 && spec_checks "$NGINX_BASE" fcgi
	check "docs from /usr/share/math-service" 200 "$(cat "$BUILD/docs/swagger-ui.css")" "$NGINX_BASE/docs/swagger-ui.css"
else
	e2e_fail "the installed service never served: $(tail -n 20 "$E2E_TMP/out")"
fi
touch "$E2E_TMP/shared/stop"
wait "$podman_pid"
grep '^STEP\|^LEFT' "$E2E_TMP/out" | sed 's/^/  /'
for s in "apt ok" installed "user ok" "group ok" "socket enabled" "conffiles ok" "manager and workers run as math-service" \
	"manager stopped" purged "nothing left"; do
	step "$s" && e2e_pass || e2e_fail "inside the container: no '$s'"
done
grep -q "^STEP version app.fcgi (math-service) $(dpkg-deb -f "$DEB" Version)\$" "$E2E_TMP/out" && e2e_pass ||
	e2e_fail "app.fcgi --version is not the package's version"
grep -q '^STEP cgi Status: 200 OK.* 15 *$' "$E2E_TMP/out" && e2e_pass || e2e_fail "installed app.cgi: $(grep '^STEP cgi' "$E2E_TMP/out")"
step "dpkg still knows math-service" && e2e_fail "dpkg still has a record of math-service after --purge"
e2e_finish
