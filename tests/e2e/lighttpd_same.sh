#!/bin/sh
# One answer per request whatever the target, with lighttpd in front: the same
# HTTP requests (malformed escapes, invalid UTF-8, NUL, long queries, bodiless
# methods, POST without Content-Length among them) through lighttpd.conf (FastCGI) and deploy/lighttpd-cgi.conf
# (CGI) give byte-identical responses (but for Date, and the script name in a
# Location), and the same status and body as build/app.cgi run directly with the
# request's REQUEST_URI: lighttpd neither rewrites the URL nor answers in the
# service's place (server.http-parseopts). /openapi.json is left out: under the
# CGI's prefix it names that prefix as its server, on purpose.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/fcgi_lib.sh"
e2e_start lighttpd-same

build=$(cd "$BUILD" && pwd)
export EXECUTION_ENVIRONMENT=ecs
fport=$(free_port)
cport=$(free_port)
mkdir -p "$E2E_TMP/www"
e2e_bg env PORT="$fport" BIND=127.0.0.1 APP_DIR="$build" FCGI_PROCS=1 SOCKET_DIR="$E2E_TMP" \
	ACCESS_LOG="$E2E_TMP/fcgi-access.log" lighttpd -D -f lighttpd.conf 2>>"$E2E_TMP/error.log"
e2e_bg env PORT="$cport" CGI_DIR="$build" DOC_ROOT="$E2E_TMP/www" ACCESS_LOG="$E2E_TMP/cgi-access.log" \
	lighttpd -D -f deploy/lighttpd-cgi.conf 2>>"$E2E_TMP/error.log"
fcgi=http://127.0.0.1:$fport
cgi=http://127.0.0.1:$cport/cgi-bin/app.cgi
wait_ok "$fcgi/ping" || exit 1
wait_ok "$cgi/ping" || exit 1

# response URL OUT curl-args...: status line, headers (Date, Server and the
# random X-Request-Id dropped, the CGI script name taken out of Location) and body.
response() {
	_url=$1 _out=$2
	shift 2
	curl -s --path-as-is --max-time 10 -D "$_out.h" -o "$_out.b" "$@" "$_url"
	# With -I, curl writes the headers where the body would go.
	case " $* " in *" -I "*) : >"$_out.b" ;; esac
	tr -d '\r' <"$_out.h" | grep -v -i '^Date:\|^Server:\|^X-Request-Id:' | sed 's|^Location: \(http://[^/]*\)/cgi-bin/app.cgi|Location: \1|' |
		sed "s|127.0.0.1:$cport|127.0.0.1:PORT|; s|127.0.0.1:$fport|127.0.0.1:PORT|" >"$_out"
	cat "$_out.b" >>"$_out"
}

# direct METHOD TARGET OUT: app.cgi on its own: "STATUS BODY".
direct() {
	env -i REQUEST_METHOD="$1" REQUEST_URI="$2" HTTP_HOST=x EXECUTION_ENVIRONMENT=ecs \
		APP_MAX_BODY_BYTES="$APP_MAX_BODY_BYTES" "$build/app.cgi" </dev/null >"$3.raw" 2>>"$E2E_TMP/direct.log"
	{
		sed -n '1s/^Status: \([0-9]*\).*/\1/p' "$3.raw"
		sed '1,/^\r$/d' "$3.raw"
	} >"$3"
}

# same METHOD TARGET curl-args...: both lighttpds agree byte for byte, and with app.cgi.
same() {
	_m=$1 _t=$2
	shift 2
	_how="-X $_m"
	[ "$_m" = HEAD ] && _how=-I
	response "$fcgi$_t" "$E2E_TMP/f" $_how "$@"
	response "$cgi$_t" "$E2E_TMP/c" $_how "$@"
	if ! [ -s "$E2E_TMP/f" ] || ! cmp -s "$E2E_TMP/f" "$E2E_TMP/c"; then
		e2e_fail "$_m $(printf %s "$_t" | head -c 80): FastCGI and CGI behind lighttpd differ:
--- fcgi
$(head -c 500 "$E2E_TMP/f")
--- cgi
$(head -c 500 "$E2E_TMP/c")"
		return
	fi
	direct "$_m" "$_t" "$E2E_TMP/d"
	{
		sed -n '1s/^HTTP\/1.1 \([0-9]*\).*/\1/p' "$E2E_TMP/f"
		cat "$E2E_TMP/f.b"
	} >"$E2E_TMP/fd"
	if cmp -s "$E2E_TMP/fd" "$E2E_TMP/d"; then
		e2e_pass
	else
		e2e_fail "$_m $(printf %s "$_t" | head -c 80): behind lighttpd '$(head -c 200 "$E2E_TMP/fd")', app.cgi alone '$(head -c 200 "$E2E_TMP/d")'"
	fi
}

long=$(head -c 32000 /dev/zero | tr '\0' a)
for t in / '/math/add?i=5&i=10' '/items/42?q=text' '/items/%34%32?q=%C3%A9' /hello /nope /api/v1/users \
	'/ping/?a=1' /docs /redoc \
	'/items/1?q=%ZZ' '/items/1?q=%ff%fe' '/items/1?q=%00' '/items/1?q=a%01b' '/items/1?q=%' '/items/1?q=%2' \
	'/items/%ff' '/items/1%00' '/items/%g1' '/items/%' '/api/v1/users/%e2%82%ac' '/api/v1/users/%C0%AF' \
	'/api/v1/users/a%2Fb' '/api/v1/users/a+b' "/items/1?q=$long"; do
	same GET "$t"
	same HEAD "$t"
done
# Bodiless methods with curl's defaults (-X METHOD, no data, so no
# Content-Length). A POST without Content-Length is refused by lighttpd itself
# (411) and reaches the service through server.error-handler, which answers
# it as the POST with an empty body: through both fronts, as app.cgi alone.
for m in POST PUT DELETE PATCH OPTIONS; do
	same "$m" /api/v1/users/
	same "$m" /api/v1/users/7
	same "$m" /ping
done
for t in / /api/v1/users '/api/v1/users/?a=1&a=2' '/math/add?i=1' /hello /nope /docs /docs/swagger-ui.css /_error \
	'/items/1?q=%ZZ' '/items/1?q=%ff%fe' '/items/1?q=%00' '/items/1%00' '/items/%ff' '/api/v1/users/%e2%82%ac' \
	'/api/v1/users/a%2Fb' "/items/1?q=$long"; do
	same POST "$t"
done

e2e_finish
