#!/bin/sh
# Compression (issue 23) on every target: what the service sends for each
# Accept-Encoding decompresses (brotli, zstd, gzip CLIs) to the identity bytes;
# ETag per coding and If-None-Match; HEAD; the threshold one byte either side;
# hostile Accept-Encoding values; every spec row with and without Accept-Encoding
# (decoded, the same bytes; encoded only over the threshold) through lighttpd and nginx
# (FastCGI), lighttpd (CGI) and as every Lambda event type, with no double encoding
# through the front servers (their own compression stays off); the Swagger bundle
# through an ALB Lambda event under 1 MB.
# make-test: asan
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/spec_checks.sh"
. "$(dirname "$0")/fcgi_lib.sh"
E2E_TIMEOUT=${E2E_TIMEOUT:-300} # CGI compresses the bundle in each process: slow under ASan
e2e_start compression
export COMPRESS_MIN_BYTES=

# cgi PATH OUT [VAR=value...]: the CGI binary's answer for GET PATH, headers in OUT.head, body in OUT.
cgi() {
	_path=$1 _out=$2
	shift 2
	env REQUEST_METHOD=GET REQUEST_URI="$_path" "$@" "$BUILD/app.cgi" 2>/dev/null >"$_out.raw"
	python3 -c 'import sys; d=open(sys.argv[1],"rb").read(); h,_,b=d.partition(b"\r\n\r\n"); open(sys.argv[2],"wb").write(h.replace(b"\r",b"")+b"\n"); open(sys.argv[3],"wb").write(b)' \
		"$_out.raw" "$_out.head" "$_out"
}

# unpack CODING IN OUT: decompress with the coding's own command-line tool.
unpack() {
	case $1 in
	br) brotli -d -c "$2" >"$3" ;;
	zstd) zstd -q -d -c "$2" >"$3" ;;
	gzip) gzip -d -c "$2" >"$3" ;;
	identity) cp "$2" "$3" ;;
	esac
}

has_line() { # has_line WHAT FILE LINE
	if grep -qixF -- "$3" "$2"; then e2e_pass; else e2e_fail "$1: no '$3' in $(tr '\n' '|' <"$2" | head -c 300)"; fi
}

# 1. The CGI binary: each coding of the fixed documents, byte for byte after decompression.
for path in /openapi.json /docs/swagger-ui-bundle.js /docs/swagger-ui.css /docs/redoc.standalone.js; do
	cgi "$path" "$E2E_TMP/plain"
	if grep -qi '^vary:\|^content-encoding:' "$E2E_TMP/plain.head"; then e2e_fail "$path without Accept-Encoding: $(cat "$E2E_TMP/plain.head")"; else e2e_pass; fi
	etag=$(sed -n 's/^ETag: "\(.*\)"$/\1/p' "$E2E_TMP/plain.head")
	for coding in br zstd gzip; do
		cgi "$path" "$E2E_TMP/c" HTTP_ACCEPT_ENCODING="$coding"
		has_line "$path $coding" "$E2E_TMP/c.head" "Content-Encoding: $coding"
		has_line "$path $coding" "$E2E_TMP/c.head" "Vary: Accept-Encoding"
		has_line "$path $coding" "$E2E_TMP/c.head" "ETag: \"$etag-$coding\""
		has_line "$path $coding" "$E2E_TMP/c.head" "Content-Length: $(wc -c <"$E2E_TMP/c" | tr -d ' ')"
		if unpack "$coding" "$E2E_TMP/c" "$E2E_TMP/back" && cmp -s "$E2E_TMP/back" "$E2E_TMP/plain"; then e2e_pass
		else e2e_fail "$path $coding does not decompress to the identity bytes"; fi
	done
done
# A PNG is never compressed, whatever is asked.
cgi /docs/favicon-32x32.png "$E2E_TMP/png" HTTP_ACCEPT_ENCODING="br, gzip"
if grep -qi '^content-encoding:\|^vary:' "$E2E_TMP/png.head"; then e2e_fail "the PNG was compressed"; else e2e_pass; fi

# 2. If-None-Match names one coding's ETag; HEAD has the GET's headers.
cgi /openapi.json "$E2E_TMP/br" HTTP_ACCEPT_ENCODING=br
br_etag=$(sed -n 's/^ETag: //p' "$E2E_TMP/br.head")
cgi /openapi.json "$E2E_TMP/r" HTTP_ACCEPT_ENCODING=br HTTP_IF_NONE_MATCH="$br_etag"
has_line "304 for the br ETag" "$E2E_TMP/r.head" "Status: 304 Not Modified"
cgi /openapi.json "$E2E_TMP/r" HTTP_ACCEPT_ENCODING=gzip HTTP_IF_NONE_MATCH="$br_etag"
has_line "200 for gzip with the br ETag" "$E2E_TMP/r.head" "Status: 200 OK"
cgi /openapi.json "$E2E_TMP/r" HTTP_IF_NONE_MATCH="$br_etag"
has_line "200 for identity with the br ETag" "$E2E_TMP/r.head" "Status: 200 OK"
env REQUEST_METHOD=HEAD REQUEST_URI=/openapi.json HTTP_ACCEPT_ENCODING=br "$BUILD/app.cgi" 2>/dev/null | tr -d '\r' >"$E2E_TMP/head"
if [ "$(grep -v '^X-Request-Id' "$E2E_TMP/head")" = "$(grep -v '^X-Request-Id' "$E2E_TMP/br.head")" ]; then e2e_pass
else e2e_fail "HEAD with br: not the GET's headers, or a body: $(head -c 300 "$E2E_TMP/head")"; fi

# 3. The threshold, one byte either side, on an answer built per request (a 422).
cgi "/math/add?i=a&i=b&i=c" "$E2E_TMP/u"
size=$(wc -c <"$E2E_TMP/u" | tr -d ' ')
cgi "/math/add?i=a&i=b&i=c" "$E2E_TMP/u" HTTP_ACCEPT_ENCODING=gzip COMPRESS_MIN_BYTES=$((size + 1))
if grep -qi '^content-encoding:\|^vary:' "$E2E_TMP/u.head"; then e2e_fail "$size bytes under a threshold of $((size + 1)) compressed"; else e2e_pass; fi
cgi "/math/add?i=a&i=b&i=c" "$E2E_TMP/u" HTTP_ACCEPT_ENCODING=gzip COMPRESS_MIN_BYTES=$size
has_line "$size bytes at a threshold of $size" "$E2E_TMP/u.head" "Content-Encoding: gzip"
has_line "$size bytes at a threshold of $size" "$E2E_TMP/u.head" "Vary: Accept-Encoding"

# 4. Hostile Accept-Encoding values: ignored safely, bounded work (10 KB, 2000 entries).
cgi /openapi.json "$E2E_TMP/openapi"
for ae in "br;q=1.0001" "br;q=-1" "br;q=NaN" "br;q=0" "identity;q=0, *;q=0" ";;;,,,=q"; do
	cgi /openapi.json "$E2E_TMP/h" HTTP_ACCEPT_ENCODING="$ae"
	if grep -qi '^content-encoding:' "$E2E_TMP/h.head"; then e2e_fail "Accept-Encoding '$ae' gave $(grep -i '^content-encoding' "$E2E_TMP/h.head")"
	elif cmp -s "$E2E_TMP/h" "$E2E_TMP/openapi"; then e2e_pass
	else e2e_fail "Accept-Encoding '$ae': not the identity document"; fi
done
long=$(e2e_client repeat "x-unknown;q=0.5, " 600)zstd
start=$(date +%s%N)
cgi /openapi.json "$E2E_TMP/h" HTTP_ACCEPT_ENCODING="$long"
ms=$(( ($(date +%s%N) - start) / 1000000 ))
has_line "10 KB Accept-Encoding" "$E2E_TMP/h.head" "Content-Encoding: zstd"
[ "$ms" -lt 5000 ] && e2e_pass || e2e_fail "10 KB Accept-Encoding took $ms ms"

# 5. Through lighttpd + FastCGI: every spec row without Accept-Encoding, then with it
#    (spec_table_encoded: "br, zstd, gzip" and "gzip", each answer decoded and compared
#    with the plain one byte for byte), then the documents.
port=$(free_port)
base=http://127.0.0.1:$port
PORT=$port BIND=127.0.0.1 APP_DIR=$(cd "$BUILD" && pwd) FCGI_PROCS=1 SOCKET_DIR=$E2E_TMP ACCESS_LOG= \
	APP_MAX_BODY_BYTES=$SPEC_BODY_LIMIT EXECUTION_ENVIRONMENT= e2e_bg lighttpd -D -f lighttpd.conf 2>"$E2E_TMP/lighttpd.log"
wait_http "$base/ping" || exit 1
spec_table "$base" fcgi
spec_table_encoded "$base" fcgi

# through FRONT BASE PATH CODING: one Content-Encoding, decompressing to the CGI binary's identity bytes.
through() {
	curl -s --max-time 30 -H "Accept-Encoding: $4" -D "$E2E_TMP/t.head" -o "$E2E_TMP/t" "$2$3"
	cgi "$3" "$E2E_TMP/want"
	n=$(grep -ci '^content-encoding:' "$E2E_TMP/t.head")
	if [ "$n" -eq 1 ] && grep -qi "^content-encoding: $4" "$E2E_TMP/t.head" && unpack "$4" "$E2E_TMP/t" "$E2E_TMP/back" &&
		cmp -s "$E2E_TMP/back" "$E2E_TMP/want"; then e2e_pass
	else e2e_fail "$1 $3 $4: $n Content-Encoding lines, or not the identity bytes once decompressed"; fi
}
through lighttpd "$base" /openapi.json br
through lighttpd "$base" /openapi.json gzip
# lighttpd serves /docs/ files itself, and does not compress them (no mod_deflate).
if curl -s -H 'Accept-Encoding: gzip, br' -D - -o /dev/null "$base/docs/swagger-ui-bundle.js" | grep -qi '^content-encoding:'; then
	e2e_fail "lighttpd compressed a static file"; else e2e_pass; fi

# 6. Through nginx (deploy/nginx.conf, no gzip), the /docs/ files going to the service too.
manager_start "$E2E_TMP/fcgi.sock" 1
NGINX_NO_STATIC=1 nginx_start "unix:$E2E_TMP/fcgi.sock" || exit 1
wait_ok "$NGINX_BASE/ping" || exit 1
spec_table_encoded "$NGINX_BASE" fcgi
through nginx "$NGINX_BASE" /openapi.json zstd
through nginx "$NGINX_BASE" /docs/swagger-ui-bundle.js br
through nginx "$NGINX_BASE" /docs/redoc.standalone.js gzip

# 7. lighttpd + CGI (deploy/lighttpd-cgi.conf): every spec row with and without Accept-Encoding.
port=$(free_port)
mkdir -p "$E2E_TMP/www"
cgi_base=http://127.0.0.1:$port/cgi-bin/app.cgi
PORT=$port CGI_DIR=$(cd "$BUILD" && pwd) DOC_ROOT=$E2E_TMP/www ACCESS_LOG=$E2E_TMP/access-cgi.log \
	APP_MAX_BODY_BYTES=$SPEC_BODY_LIMIT EXECUTION_ENVIRONMENT= \
	e2e_bg lighttpd -D -f deploy/lighttpd-cgi.conf 2>>"$E2E_TMP/lighttpd-cgi.log"
wait_http "$cgi_base/ping" || exit 1
spec_table_encoded "$cgi_base" cgi

# 8. Lambda: every spec row as every event type through the emulator, with and without
#    Accept-Encoding (lambda_accept_encoding.py: decoded, the same bytes).
if python3 "$(dirname "$0")/lambda_accept_encoding.py" "$BUILD/bootstrap" "br, zstd, gzip" gzip; then e2e_pass
else e2e_fail "lambda_accept_encoding.py: see the FAIL lines above"; fi

# 9. Lambda: the ALB event for the Swagger bundle with "br, gzip" fits the ALB's 1 MB.
alb_docs() { # alb_docs ACCEPT_ENCODING OUT
	sed -e 's|"path": "/math/add"|"path": "/docs/swagger-ui-bundle.js"|' -e 's|"i": "10"||' \
		-e "s|\"accept-encoding\": \"gzip\"|\"accept-encoding\": \"$1\"|" tests/events/alb-add.json >"$E2E_TMP/alb.json"
	timeout 60 ${LAMBDA_WRAPPER:-} "$BUILD/bootstrap" --event "$E2E_TMP/alb.json" >"$2" 2>/dev/null
}
alb_docs "br, gzip" "$E2E_TMP/alb.out"
size=$(wc -c <"$E2E_TMP/alb.out" | tr -d ' ')
[ "$size" -lt 1000000 ] && e2e_pass || e2e_fail "ALB answer for the bundle with br: $size bytes, over 1 MB"
coding=$(e2e_client lambda-body "$E2E_TMP/alb.out" "$E2E_TMP/alb.body")
if [ "$coding" = br ] && brotli -d -c "$E2E_TMP/alb.body" | cmp -s - "$BUILD/docs/swagger-ui-bundle.js"; then e2e_pass
else e2e_fail "ALB bundle: coding '$coding', or not the file byte for byte"; fi
alb_docs "gzip" "$E2E_TMP/alb.out"
coding=$(e2e_client lambda-body "$E2E_TMP/alb.out" "$E2E_TMP/alb.body")
if [ "$coding" = gzip ] && gzip -d -c "$E2E_TMP/alb.body" | cmp -s - "$BUILD/docs/swagger-ui-bundle.js"; then e2e_pass
else e2e_fail "ALB bundle with gzip: coding '$coding', or not the file byte for byte"; fi

e2e_finish
