# The requests the byte-for-byte comparisons send (fcgi_same_as_cgi.sh,
# same_as_base.sh), sourced after lib.sh: every GET target of tests/spec_cases.tsv
# as GET and HEAD, and what only a CGI-style request can carry (a short body, a bad
# CONTENT_LENGTH or method, HTTPS, no Host). same_requests calls the sourcing
# script's own `same WHAT BODY_FILE VAR=value...` once per request; SAME_SKIP: targets
# (space-separated) to leave out.

same_requests() {
	none=/dev/null
	printf 'x=1&y=2' > "$E2E_TMP/form"
	head -c 150000 /dev/zero | tr '\0' 'b' > "$E2E_TMP/large"
	head -c 200001 /dev/zero > "$E2E_TMP/over"
	printf 'a\0b' > "$E2E_TMP/nul"
	host="HTTP_HOST=example.test:8080"

	# Every GET target of the spec table, then malformed ones and static files.
	spec_targets=$(awk -F'\t' '!/^#/ && $2 == "GET" && !seen[$3]++ { print $3 }' "$(dirname "$0")/../spec_cases.tsv")
	# shellcheck disable=SC2086 # one word per target (none has a space)
	for uri in $spec_targets /docs/swagger-ui.css /docs/index.html '/math/add?i=%zz' '/items/%g1' '/math/add?i=%00'; do
		case " ${SAME_SKIP:-} " in *" $uri "*) continue ;; esac
		same "GET $uri" $none REQUEST_METHOD=GET "REQUEST_URI=$uri" "$host"
		same "HEAD $uri" $none REQUEST_METHOD=HEAD "REQUEST_URI=$uri" "$host"
	done
	for m in POST PUT PATCH DELETE OPTIONS; do
		same "$m users" "$E2E_TMP/form" REQUEST_METHOD=$m REQUEST_URI=/api/v1/users/3 CONTENT_LENGTH=7 \
			CONTENT_TYPE=application/x-www-form-urlencoded "$host"
	done
	same "wrong method" $none REQUEST_METHOD=POST REQUEST_URI=/ping CONTENT_LENGTH=0 "$host"
	same "large body" "$E2E_TMP/large" REQUEST_METHOD=POST REQUEST_URI=/api/v1/users/ CONTENT_LENGTH=150000 "$host"
	same "body over the limit" "$E2E_TMP/over" REQUEST_METHOD=POST REQUEST_URI=/api/v1/users/ CONTENT_LENGTH=200001 "$host"
	same "binary body" "$E2E_TMP/nul" REQUEST_METHOD=POST REQUEST_URI=/api/v1/users/ CONTENT_LENGTH=3 "$host"
	same "short body" "$E2E_TMP/nul" REQUEST_METHOD=POST REQUEST_URI=/api/v1/users/ CONTENT_LENGTH=10 "$host"
	same "bad content length" $none REQUEST_METHOD=POST REQUEST_URI=/api/v1/users/ CONTENT_LENGTH=abc "$host"
	same "bad method" $none 'REQUEST_METHOD=G(T' REQUEST_URI=/ping "$host"
	same "no host, server name" $none REQUEST_METHOD=GET REQUEST_URI=/api/v1/users SERVER_NAME=svc SERVER_PORT=9000
	same "https redirect" $none REQUEST_METHOD=GET REQUEST_URI=/api/v1/users HTTPS=on "$host"
	same "cookies and headers" $none REQUEST_METHOD=GET 'REQUEST_URI=/items/1?q=%E2%82%AC' 'HTTP_COOKIE=a=1; b=2' \
		HTTP_X_FORWARDED_FOR=10.0.0.1 REMOTE_ADDR=127.0.0.1 "$host"
}
