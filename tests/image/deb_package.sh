#!/bin/sh
# The .deb in a throwaway root: a podman container from the debootstrapped
# Debian 12 base the image tests use (docker/podman-env ensure_base_image),
# with systemd added and running as its init (--systemd=always; host network,
# a unique name). `dpkg -i`, then:
# - the installed app.fcgi run by hand as the package's user on a free
#   loopback port: every SPEC request through a real nginx on the host;
# - under the real systemd: the socket and the Type=notify service active
#   with their STATUS= line, a request through the socket as www-data, the
#   sandbox in force (user, no capabilities, NoNewPrivs, seccomp, own network
#   namespace), reload (same pid), restart (same socket), stop (clean) and a
#   start on demand by the socket; systemd-analyze verify on the installed units;
# - `dpkg --purge`, and nothing left: the same files as before, /etc byte for
#   byte (passwd, group, shadow: the user and group gone), no dpkg record.
#   DEB=build/deb/math-service_VERSION_ARCH.deb tests/image/deb_package.sh
# shellcheck disable=SC2086 # PODMAN_*_FLAGS are word lists
. "$(dirname "$0")/lib.sh"
. "$ROOT/tests/e2e/spec_checks.sh"
. "$ROOT/tests/e2e/fcgi_lib.sh"
image_test_start deb-package 500
NAME=math-service-deb-$$
trap 'podman rm -f -t 0 "$NAME" >/dev/null 2>&1; e2e_cleanup' EXIT
DEB=${DEB:?DEB=path of the .deb (make test-deb)}
[ -f "$DEB" ] || { e2e_fail "no $DEB"; e2e_finish; exit 1; }

# What the package holds, seen from outside.
dpkg-deb -c "$DEB" >"$E2E_TMP/contents"
for f in ./usr/lib/math-service/app.fcgi ./usr/sbin/app.fcgi ./usr/bin/app.cgi ./usr/lib/math-service/bootstrap \
	./usr/share/math-service/docs/swagger-ui.css ./lib/systemd/system/math-service.service \
	./lib/systemd/system/math-service.socket ./usr/share/man/man8/app.fcgi.8.gz ./usr/share/man/man1/app.cgi.1.gz \
	./usr/share/man/man1/bootstrap.1.gz ./etc/math-service/nginx.conf ./etc/default/math-service \
	./etc/math-service/lighttpd.conf ./usr/lib/math-service/lighttpd-request-start.lua; do
	grep -q " $f\( ->.*\)\?$" "$E2E_TMP/contents" && e2e_pass || e2e_fail "the package has no $f"
done

# The base plus systemd, cgi-fcgi and the package's dependencies, made once
# per list of dependencies (the tag is its checksum).
deps=$(dpkg-deb -f "$DEB" Depends | tr ',' '\n' | sed 's/(.*//; s/|.*//; s/ //g' | sort | tr '\n' ' ')
image=localhost/math-service-deb-test:$(echo "$deps" | md5sum | cut -c1-12)
if ! podman image exists "$image"; then
	mkdir -p "$E2E_TMP/ctx"
	printf '%s\n' "FROM $BASE_IMAGE" "RUN apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q \
--no-install-recommends systemd systemd-sysv libfcgi-bin $deps && rm -rf /var/lib/apt/lists/*" \
		'CMD ["/lib/systemd/systemd"]' >"$E2E_TMP/ctx/Containerfile"
	timeout 400 podman build $PODMAN_BUILD_FLAGS -t "$image" "$E2E_TMP/ctx" >"$E2E_TMP/build.log" 2>&1 ||
		{ e2e_fail "podman build of $image: $(tail -n 5 "$E2E_TMP/build.log")"; e2e_finish; exit 1; }
fi
timeout 60 podman run -d --name "$NAME" --systemd=always $PODMAN_RUN_FLAGS --no-healthcheck \
	-v "$(cd "$(dirname "$DEB")" && pwd)/$(basename "$DEB"):/pkg/math-service.deb:ro" "$image" >/dev/null ||
	{ e2e_fail "podman run $image"; e2e_finish; exit 1; }
# inside SCRIPT: sh -c SCRIPT in the container, bounded.
inside() { timeout 60 podman exec "$NAME" sh -c "$1"; }
deadline=$(( $(date +%s) + 60 ))
until inside 'systemctl is-system-running' 2>/dev/null | grep -q 'running\|degraded'; do
	[ "$(date +%s)" -lt "$deadline" ] || { e2e_fail "systemd did not come up in the container"; e2e_finish; exit 1; }
	sleep 0.5
done

# The root before the package: every name, and /etc's bytes (not the backups
# the shadow tools keep of the file they change: /etc/shadow- ...).
snapshot='find / -xdev \( -path /proc -o -path /sys -o -path /dev -o -path /tmp -o -path /run -o -path /pkg \
	-o -path /var/log -o -path /var/cache -o -path /var/lib/apt -o -path /var/lib/dpkg -o -path "/etc/*-" \
	\) -prune -o -print | sort
	find /etc -xdev -type f ! -name "*-" -exec md5sum {} + | sort -k 2'
inside "$snapshot" >"$E2E_TMP/before"
inside 'dpkg -i /pkg/math-service.deb' >"$E2E_TMP/dpkg.log" 2>&1 && e2e_pass || e2e_fail "dpkg -i: $(tail -n 5 "$E2E_TMP/dpkg.log")"
inside 'getent passwd math-service' | grep -q ':/nonexistent:/usr/sbin/nologin$' && e2e_pass || e2e_fail "no system user math-service"
inside 'dpkg-query -W -f="\${Conffiles}\n" math-service' | grep -q /etc/math-service/nginx.conf && e2e_pass ||
	e2e_fail "/etc/math-service/nginx.conf is not a conffile"
[ "$(inside 'app.fcgi --version')" = "app.fcgi (math-service) $(dpkg-deb -f "$DEB" Version)" ] && e2e_pass ||
	e2e_fail "app.fcgi --version is not the package's version"
inside "app.cgi -r 'GET /math/add?i=5&i=10'" | tail -n 1 | grep -qx 15 && e2e_pass || e2e_fail "installed app.cgi"

# By hand: the installed files as the unit runs them, on a free TCP port.
port=$(free_port)
timeout 30 podman exec -d "$NAME" sh -c "echo \$\$ >/tmp/hand.pid; set -a; . /etc/default/math-service; exec setpriv --reuid=math-service \
	--regid=math-service --init-groups -- env APP_MAX_BODY_BYTES=200000 EXECUTION_ENVIRONMENT= \
	/usr/sbin/app.fcgi --listen 127.0.0.1:$port --workers 2 2>/tmp/manager.log" >/dev/null
NGINX_NO_STATIC=1 nginx_start "127.0.0.1:$port" && wait_ok "$NGINX_BASE/ping" 20 && spec_checks "$NGINX_BASE" fcgi
check "docs from /usr/share/math-service" 200 "$(cat "$BUILD/docs/swagger-ui.css")" "$NGINX_BASE/docs/swagger-ui.css"
kill -TERM "$NGINX_PID"
wait "$NGINX_PID"
inside 'p=$(cat /tmp/hand.pid); kill -TERM $p; i=0; while [ -e /proc/$p ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
	[ ! -e /proc/$p ]' && e2e_pass || e2e_fail "the hand-run manager did not stop: $(inside 'tail -n 3 /tmp/manager.log')"

# Under systemd. fcgi_get PATH: the body of a GET through the unit's socket, as www-data.
fcgi_get() {
	inside "runuser -u www-data -- env REQUEST_METHOD=GET REQUEST_URI='$1' QUERY_STRING='${1#*\?}' SERVER_PROTOCOL=HTTP/1.1 \
		cgi-fcgi -bind -connect /run/math-service/fcgi.sock" | tail -n 1
}
prop() { inside "systemctl show -P $1 math-service"; }
inside 'systemctl is-active math-service.socket math-service.service' | tr '\n' ' ' | grep -qx 'active active ' && e2e_pass ||
	e2e_fail "socket and service not both active after install: $(inside 'systemctl status --no-pager math-service.socket math-service' 2>&1 | tail -n 5)"
[ "$(fcgi_get '/math/add?i=5&i=10')" = 15 ] && e2e_pass || e2e_fail "GET through /run/math-service/fcgi.sock"
# The manager updates STATUS= within a second of a change.
i=0
until prop StatusText | grep -qE '^0 busy, [0-9]+ idle, [0-9]+ workers .* [1-9][0-9]* requests served$' || [ $i -ge 50 ]; do
	sleep 0.1
	i=$((i + 1))
done
[ $i -lt 50 ] && e2e_pass || e2e_fail "STATUS= with the request served not seen by systemd: '$(prop StatusText)'"
pid=$(prop MainPID)
inside "grep -E '^(Uid|CapEff|CapBnd|NoNewPrivs|Seccomp):' /proc/$pid/status | tr -s '\t' ' '" >"$E2E_TMP/sandbox"
uid=$(inside 'id -u math-service')
for want in "Uid: $uid $uid $uid $uid" "CapEff: 0000000000000000" "CapBnd: 0000000000000000" "NoNewPrivs: 1" "Seccomp: 2"; do
	grep -qx "$want" "$E2E_TMP/sandbox" && e2e_pass || e2e_fail "sandbox: no '$want' in $(tr '\n' ' ' <"$E2E_TMP/sandbox")"
done
[ "$(inside "readlink /proc/$pid/ns/net")" != "$(inside 'readlink /proc/1/ns/net')" ] && e2e_pass || e2e_fail "PrivateNetwork: same network namespace"
inode=$(inside 'stat -c %i /run/math-service/fcgi.sock')
inside 'systemctl reload math-service' && [ "$(prop MainPID)" = "$pid" ] && [ "$(fcgi_get /ping)" = '{"Success":"Pong!"}' ] &&
	e2e_pass || e2e_fail "systemctl reload: pid $pid -> $(prop MainPID)"
inside 'journalctl -u math-service --no-pager' | grep -q 'SIGHUP: starting' && e2e_pass || e2e_fail "the reload's SIGHUP not in the journal"
inside 'systemctl restart math-service' && [ "$(inside 'stat -c %i /run/math-service/fcgi.sock')" = "$inode" ] &&
	[ "$(fcgi_get /ping)" = '{"Success":"Pong!"}' ] && e2e_pass || e2e_fail "restart: the socket changed or no answer"
inside 'systemctl stop math-service 2>/dev/null' && [ "$(prop Result)" = success ] && [ "$(prop ExecMainStatus)" = 0 ] && e2e_pass ||
	e2e_fail "systemctl stop: result $(prop Result), status $(prop ExecMainStatus)"
[ "$(fcgi_get /ping)" = '{"Success":"Pong!"}' ] && [ "$(inside 'systemctl is-active math-service')" = active ] && e2e_pass ||
	e2e_fail "a connection to the socket did not start the stopped service"
inside 'systemd-analyze verify --man=no /lib/systemd/system/math-service.socket /lib/systemd/system/math-service.service' \
	>"$E2E_TMP/verify" 2>&1 && [ ! -s "$E2E_TMP/verify" ] && e2e_pass || e2e_fail "verify installed units: $(cat "$E2E_TMP/verify")"

# TCP: drop-ins for ListenStream=127.0.0.1:PORT and the matching --listen,
# and every SPEC request through nginx on the host to the sandboxed service
# (its network namespace is its own: the socket is systemd's, passed in).
tport=$(free_port)
dropins=/etc/systemd/system/math-service.socket.d/tcp.conf
inside "mkdir -p /etc/systemd/system/math-service.socket.d /etc/systemd/system/math-service.service.d &&
	printf '[Socket]\nListenStream=\nListenStream=127.0.0.1:$tport\n' >$dropins &&
	printf '[Service]\nEnvironment=APP_MAX_BODY_BYTES=200000 EXECUTION_ENVIRONMENT=\nExecStart=\nExecStart=%s\n' \
		'/usr/sbin/app.fcgi --listen 127.0.0.1:$tport' >/etc/systemd/system/math-service.service.d/tcp.conf &&
	systemctl daemon-reload && systemctl stop math-service.service math-service.socket 2>/dev/null &&
	systemctl start math-service.socket" && e2e_pass || e2e_fail "the TCP drop-ins"
NGINX_NO_STATIC=1 nginx_start "127.0.0.1:$tport" && wait_ok "$NGINX_BASE/ping" 20 && spec_checks "$NGINX_BASE" fcgi
kill -TERM "$NGINX_PID"
wait "$NGINX_PID"
inside 'journalctl -u math-service --no-pager' | grep -q "using the socket systemd passed, not binding 127.0.0.1:$tport" &&
	e2e_pass || e2e_fail "the TCP socket was not the one systemd passed"
inside 'rm -r /etc/systemd/system/math-service.socket.d /etc/systemd/system/math-service.service.d &&
	systemctl daemon-reload && systemctl stop math-service.service math-service.socket 2>/dev/null &&
	systemctl start math-service.socket' && [ "$(fcgi_get /ping)" = '{"Success":"Pong!"}' ] && e2e_pass ||
	e2e_fail "back on the unix socket"

# Installed again over itself (the user already there): it still serves.
# Removed without purge: the user and the conffiles stay, the programs and the
# socket go. A conffile the admin changed goes with the purge all the same.
inside 'dpkg -i /pkg/math-service.deb' >>"$E2E_TMP/dpkg.log" 2>&1 && [ "$(fcgi_get /ping)" = '{"Success":"Pong!"}' ] &&
	e2e_pass || e2e_fail "dpkg -i over the installed package: $(tail -n 5 "$E2E_TMP/dpkg.log")"
inside 'echo FCGI_READ_TIMEOUT=30 >>/etc/default/math-service && dpkg -r math-service' >>"$E2E_TMP/dpkg.log" 2>&1 &&
	inside 'getent passwd math-service >/dev/null && [ -f /etc/math-service/nginx.conf ] && [ ! -e /usr/sbin/app.fcgi ] &&
	! systemctl -q is-active math-service.socket && [ ! -S /run/math-service/fcgi.sock ]' && e2e_pass ||
	e2e_fail "dpkg -r: $(inside 'getent passwd math-service; ls -l /etc/math-service/nginx.conf /usr/sbin/app.fcgi /run/math-service/; systemctl is-active math-service.socket' 2>&1)"

# Purge: nothing left.
inside 'dpkg --purge math-service' >>"$E2E_TMP/dpkg.log" 2>&1 && e2e_pass || e2e_fail "dpkg --purge: $(tail -n 5 "$E2E_TMP/dpkg.log")"
inside 'dpkg-query -W math-service' >/dev/null 2>&1 && e2e_fail "dpkg still has a record of math-service after --purge"
inside 'pgrep app.fcgi' >/dev/null && e2e_fail "app.fcgi still runs after --purge"
inside "$snapshot" >"$E2E_TMP/after"
diff "$E2E_TMP/before" "$E2E_TMP/after" >"$E2E_TMP/left" && e2e_pass || e2e_fail "left behind: $(cat "$E2E_TMP/left")"
e2e_finish
