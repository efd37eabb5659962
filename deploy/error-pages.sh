#!/bin/sh
# deploy/error-pages.sh DIR: the bodies lighttpd answers its own errors with
# (server.errorfile-prefix in lighttpd.conf and deploy/lighttpd-cgi.conf), in
# the service's shape: {"detail":"..."}. lighttpd names them STATUS.html and takes
# their Content-Type from mimetype.assign, which maps .html to application/json.
# Every status lighttpd 1.4 can answer by itself, before or instead of the service.
set -eu
dir=${1:?usage: error-pages.sh DIR}
mkdir -p "$dir"
while IFS='|' read -r status detail; do
	printf '{"detail":"%s"}' "$detail" >"$dir/$status.html"
done <<'LIST'
400|Bad Request: malformed request line or headers
403|Forbidden
404|Not Found
405|Method Not Allowed
408|Request Timeout
411|Length Required: a POST needs a Content-Length header (Content-Length: 0 for no body)
413|Request body too large
414|Request URI too long
416|Range Not Satisfiable
417|Expectation Failed
431|Request header fields too large (limit 32768 bytes in all)
500|Internal Server Error
501|Not Implemented
502|Bad Gateway: the service sent an invalid response
503|Service Unavailable: no service process could take the request
504|Gateway Timeout: the service did not answer in time
505|HTTP Version Not Supported
LIST
