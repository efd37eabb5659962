#!/bin/sh
# A refactoring check: build/app.cgi, build/app.fcgi and build/bootstrap answer
# the requests of same_requests.sh byte for byte as the binaries built from
# BASE_REV do (default: the last commit before app/ was split into layers).
# The base is exported with git archive into a temp dir and built there; the
# Lambda target gets each request as an HTTP API 2.0 event
# (cgi_request_to_event.py). When a change is meant to alter an answer, move
# BASE_REV forward past it (make test-same-as-base BASE_REV=...).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/fcgi_lib.sh"
E2E_TIMEOUT=${E2E_TIMEOUT:-300}
e2e_start same-as-base
BASE_REV=${BASE_REV:?set BASE_REV to the commit to compare against}

if ! git rev-parse -q --verify "$BASE_REV^{commit}" >/dev/null 2>&1; then
	e2e_fail "BASE_REV $BASE_REV is not a commit of this repository (a shallow clone?)"
	e2e_finish
	exit 1
fi
base=$E2E_TMP/base
mkdir -p "$base"
git archive "$BASE_REV" | tar -x -C "$base"
if ! make -C "$base" -j2 build/app.cgi build/app.fcgi build/bootstrap >"$E2E_TMP/base-build.log" 2>&1; then
	e2e_fail "building $BASE_REV failed: $(tail -5 "$E2E_TMP/base-build.log")"
	e2e_finish
	exit 1
fi
# Both read the same Swagger UI files, and say the same deployment in /hello.
DOCS_DIR=$(cd "$BUILD" && pwd)/docs
export DOCS_DIR EXECUTION_ENVIRONMENT=ecs

old_port=$(free_port)
new_port=$(free_port)
e2e_bg "$base/build/app.fcgi" --listen "127.0.0.1:$old_port" --workers 1 2>>"$E2E_TMP/manager.log"
e2e_bg "$BUILD/app.fcgi" --listen "127.0.0.1:$new_port" --workers 1 2>>"$E2E_TMP/manager.log"
for p in $old_port $new_port; do
	until timeout 5 env -i REQUEST_URI=/ping cgi-fcgi -bind -connect "127.0.0.1:$p" </dev/null >/dev/null 2>&1; do
		sleep 0.1
	done
done

# differ WHAT TARGET: compares $E2E_TMP/old.out and new.out, but for the headers
# the new binaries add on purpose: X-Request-Id (a random id per request; issue
# 12), and the security headers of /docs and /redoc (issue 27; their bodies stay
# the same bytes): each one's CGI/FastCGI line, or its member of a Lambda
# response document.
ADDED='X-Request-Id|Content-Security-Policy|X-Content-Type-Options|X-Frame-Options|Referrer-Policy'
differ() {
	sed -i -E "/^($ADDED): /d; s/\"($ADDED)\":(\\[\"[^\"]*\"\\]|\"[^\"]*\"),//g" "$E2E_TMP/new.out"
	if [ -s "$E2E_TMP/old.out" ] && cmp -s "$E2E_TMP/old.out" "$E2E_TMP/new.out"; then
		e2e_pass
	else
		e2e_fail "$1 ($2): answers differ from $BASE_REV:
--- $BASE_REV
$(head -c 300 "$E2E_TMP/old.out")
--- now
$(head -c 300 "$E2E_TMP/new.out")"
	fi
}

# same WHAT BODY_FILE VAR=value...: the request through the three targets, old and new.
same() {
	_what=$1 _body=$2
	shift 2
	for _bin in "$base/build" "$BUILD"; do
		_out=$E2E_TMP/new.out
		[ "$_bin" = "$base/build" ] && _out=$E2E_TMP/old.out
		timeout 10 env -i DOCS_DIR="$DOCS_DIR" EXECUTION_ENVIRONMENT=ecs APP_MAX_BODY_BYTES="$APP_MAX_BODY_BYTES" \
			"$@" "$_bin/app.cgi" <"$_body" >"$_out" 2>>"$E2E_TMP/cgi.log"
	done
	differ "$_what" cgi
	timeout 10 env -i "$@" cgi-fcgi -bind -connect "127.0.0.1:$old_port" <"$_body" >"$E2E_TMP/old.out"
	timeout 10 env -i "$@" cgi-fcgi -bind -connect "127.0.0.1:$new_port" <"$_body" >"$E2E_TMP/new.out"
	differ "$_what" fcgi
	python3 "$(dirname "$0")/cgi_request_to_event.py" "$@" <"$_body" >"$E2E_TMP/event.json"
	timeout 10 "$base/build/bootstrap" --event "$E2E_TMP/event.json" >"$E2E_TMP/old.out" 2>/dev/null
	timeout 10 "$BUILD/bootstrap" --event "$E2E_TMP/event.json" >"$E2E_TMP/new.out" 2>/dev/null
	differ "$_what" lambda
}

# /redoc came after BASE_REV (its 404 there is no regression).
SAME_SKIP=/redoc
. "$(dirname "$0")/same_requests.sh"
same_requests
e2e_finish
