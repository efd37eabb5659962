#!/bin/sh
# lighttpd's body limit follows the service's (issue 27, item 5): lighttpd.conf
# (FastCGI) and deploy/lighttpd-cgi.conf (CGI) set server.max-request-size from
# APP_MAX_BODY_BYTES, floor(limit / 1024) + 1 KiB. It used to be 65536 KiB, so
# lighttpd read and spooled a 64 MiB body to its upload directory before the
# service answered 413 at its 1 MiB limit. Now, on both:
#   - a body at the limit, one byte over and at lighttpd's limit reach the
#     service as before (200, then the service's 413 naming the limit);
#   - one byte past lighttpd's limit is refused from the Content-Length alone:
#     the 413 (errors/413.html) comes back before any of the body is sent, and
#     with 150 KB of a 2 MiB body sent nothing lies in the upload directory;
#     a chunked body is refused once it grows past the limit;
#   - without APP_MAX_BODY_BYTES the limits are 1 MiB and 1025 KiB.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/fcgi_lib.sh"
e2e_start lighttpd-body-limit

build=$(cd "$BUILD" && pwd)
LIMIT=200000                      # APP_MAX_BODY_BYTES (fcgi_lib.sh)
FRONT=$(( (LIMIT / 1024 + 1) * 1024 ))   # lighttpd's limit in bytes: 200704

# start_front NAME CONF [VAR=value...]: lighttpd with CONF on a free port,
# spooling to $E2E_TMP/NAME.up; sets URL (the service's root) and UP.
start_front() {
	_name=$1 _conf=$2
	shift 2
	_port=$(free_port)
	UP=$E2E_TMP/$_name.up
	mkdir -p "$UP" "$E2E_TMP/www"
	e2e_bg env PORT="$_port" BIND=127.0.0.1 APP_DIR="$build" FCGI_PROCS=1 SOCKET_DIR="$E2E_TMP" \
		CGI_DIR="$build" DOC_ROOT="$E2E_TMP/www" ACCESS_LOG=/dev/null EXECUTION_ENVIRONMENT= \
		UPLOAD_DIR="$UP" "$@" lighttpd -D -f "$_conf" 2>>"$E2E_TMP/$_name.log"
	case $_conf in
	*cgi*) URL=http://127.0.0.1:$_port/cgi-bin/app.cgi ;;
	*) URL=http://127.0.0.1:$_port ;;
	esac
}

# posted WHAT N STATUS BODY: a POST of N bytes to /api/v1/users/ gets STATUS and BODY.
posted() {
	head -c "$2" /dev/zero | tr '\0' a >"$E2E_TMP/body"
	check "$1: body of $2 bytes" "$3" "$4" --data-binary @"$E2E_TMP/body" "$URL/api/v1/users/"
}

# early WHAT LENGTH SENT: a POST announcing LENGTH bytes, of which SENT are sent
# and no more, is answered 413 with errors/413.html within 20 s, with nothing in
# the upload directory at that moment.
early() {
	_out=$(timeout 30 python3 - "${URL#http://}" "$2" "$3" "$UP" <<'EOF'
import os, socket, sys
hostport, length, sent, up = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
host, _, rest = hostport.partition(":")
port, _, prefix = rest.partition("/")
path = ("/" + prefix if prefix else "") + "/api/v1/users/"
s = socket.create_connection((host, int(port)))
s.sendall(b"POST %s HTTP/1.1\r\nHost: x\r\nContent-Length: %d\r\n\r\n" % (path.encode(), length))
s.sendall(b"a" * sent)
s.settimeout(20)
data = b""
try:
    while b"\r\n\r\n" not in data or not data.split(b"\r\n\r\n", 1)[1].endswith(b"}"):
        chunk = s.recv(65536)
        if not chunk:
            break
        data += chunk
except socket.timeout:
    pass
spooled = sum(os.path.getsize(os.path.join(up, f)) for f in os.listdir(up))
head, _, body = data.partition(b"\r\n\r\n")
print(head.split(b" ")[1].decode() if head else "none", spooled, body.decode("latin-1"))
EOF
)
	_status=${_out%% *} _rest=${_out#* }
	_spooled=${_rest%% *} _body=${_rest#* }
	if [ "$_status" = 413 ] && [ "$_spooled" = 0 ] && [ "$_body" = "$(cat "$build/errors/413.html")" ]; then
		e2e_pass
	else
		e2e_fail "$1: Content-Length $2 with $3 bytes sent: status $_status, $_spooled bytes spooled, body '$_body'"
	fi
}

over="{\"detail\":\"Request body too large (limit $LIMIT bytes)\"}"
for conf in lighttpd.conf deploy/lighttpd-cgi.conf; do
	name=$(basename "$conf" .conf)
	start_front "$name" "$conf" APP_MAX_BODY_BYTES=$LIMIT
	wait_ok "$URL/ping" || continue
	posted "$name" "$LIMIT" 200 '{"Success":"All users!"}'
	posted "$name" $((LIMIT + 1)) 413 "$over"
	posted "$name" "$FRONT" 413 "$over"
	early "$name" $((FRONT + 1)) 0
	early "$name" $((2 * 1024 * 1024)) 150000
	# Chunked, no length to judge up front: refused once it grows past the limit.
	head -c $((FRONT + 1)) /dev/zero | tr '\0' a >"$E2E_TMP/body"
	check "$name: chunked body past lighttpd's limit" 413 "$(cat "$build/errors/413.html")" \
		-H 'Transfer-Encoding: chunked' --data-binary @"$E2E_TMP/body" "$URL/api/v1/users/"
	check "$name: served after the refusals" 200 '{"Success":"Pong!"}' "$URL/ping"

	# The default limit: 1 MiB in the service, 1025 KiB in lighttpd.
	start_front "$name-default" "$conf" APP_MAX_BODY_BYTES=
	wait_ok "$URL/ping" || continue
	posted "$name-default" 1048576 200 '{"Success":"All users!"}'
	posted "$name-default" $((1025 * 1024)) 413 '{"detail":"Request body too large (limit 1048576 bytes)"}'
	early "$name-default" $((1025 * 1024 + 1)) 0
done
e2e_finish
