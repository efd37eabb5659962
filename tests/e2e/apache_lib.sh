# Helpers of fcgi_apache.sh (POSIX sh, sourced after lib.sh, fcgi_lib.sh and
# front_same.sh). They use $app (the APP_DIR Apache is given), $APACHE_CONF and
# $E2E_TMP/manager.log (the managers' stderr).
#
#   apache_start NAME FCGI_ADDRESS [CONF [APACHE2-ARG...]]  Apache on a free port
#   log_line REQUEST_ID            the service's access line of that request
#   client_seen WHAT WANT curl-args...  the "client" the service logged
#   status_counts URL              "ACCEPTED REQUESTS" from the status page
#   codes N URL                    the status codes of N requests, counted
#   apache_own TARGET              the status Apache answers TARGET with itself
#   apache_same METHOD TARGET      Apache answers as app.cgi alone does
#   env_params WHAT PYTHON-CHECK curl-args...  fcgi_misbehave.py's /env answer checked

# apache_start NAME FCGI_ADDRESS [CONF [APACHE2-ARG...]]: apache2 -DFOREGROUND with
# CONF ($APACHE_CONF) on a free port, RUN_DIR $E2E_TMP/NAME (its logs there too);
# sets BASE and APORT.
apache_start() {
	_run=$E2E_TMP/$1 _addr=$2 _conf=${3:-$APACHE_CONF}
	shift 2
	[ $# -gt 0 ] && shift
	mkdir -p "$_run"
	APORT=$(free_port)
	# shellcheck disable=SC2154 # app: set by fcgi_apache.sh
	e2e_bg env PORT="$APORT" FCGI_ADDRESS="$_addr" RUN_DIR="$_run" APP_DIR="$app" \
		apache2 -DFOREGROUND -f "$_conf" "$@" >"$_run/access.log" 2>"$_run/error.log"
	BASE=http://127.0.0.1:$APORT
}

# log_line REQUEST_ID: the service's access line of that request (JSON), waiting up to 5 s.
log_line() {
	_tries=0
	until grep -q "\"request_id\":\"$1\"" "$E2E_TMP/manager.log" || [ "$_tries" -ge 50 ]; do
		sleep 0.1
		_tries=$((_tries + 1))
	done
	grep "\"request_id\":\"$1\"" "$E2E_TMP/manager.log"
}

# client_seen WHAT WANT curl-args...: the "client" the service logged for the request is WANT.
client_seen() {
	_what=$1 _want=$2
	shift 2
	_rid=$(curl -s --max-time 10 -D - -o /dev/null "$@" | tr -d '\r' | sed -n 's/^X-Request-Id: //p')
	_got=$(log_line "$_rid" | sed -n 's/.*"client":"\([^"]*\)".*/\1/p')
	[ "$_got" = "$_want" ] && e2e_pass || e2e_fail "$_what: the service logged client '$_got', not '$_want'"
}

# status_counts URL: "ACCEPTED REQUESTS" from the manager's status page.
status_counts() {
	curl -s --max-time 10 "$1" >"$E2E_TMP/status.json"
	echo "$(e2e_client json-get pool.accepted_connections "$E2E_TMP/status.json")" \
		"$(e2e_client json-get pool.requests "$E2E_TMP/status.json")"
}

# codes N URL: the status codes of N requests, each on a new connection, counted.
codes() {
	_i=0
	while [ "$_i" -lt "$1" ]; do
		curl -s -o /dev/null --max-time 10 -w '%{http_code}\n' "$2"
		_i=$((_i + 1))
	done | sort | uniq -c | awk '{printf "%s:%s ", $2, $1}'
}

# apache_own TARGET: the status Apache answers TARGET with itself, if any.
apache_own() {
	case ${1%%\?*} in *%[!0-9A-Fa-f]* | *%[0-9A-Fa-f][!0-9A-Fa-f]* | *% | *%[0-9A-Fa-f]) echo 400 && return ;; esac
	[ ${#1} -gt 15980 ] && echo 414
}

# apache_same METHOD TARGET: Apache answers as app.cgi alone does: status and body byte
# for byte, and the same headers (but for those only Apache adds); or, where
# Apache answers itself, its JSON page.
apache_same() {
	_m=$1 _t=$2 _how="-X $1"
	[ "$_m" = HEAD ] && _how=-I
	_own=$(apache_own "$_t")
	if [ -n "$_own" ] && [ "$_m" != HEAD ]; then
		json_error "$_m $(printf %s "$_t" | head -c 80): Apache's own" "$_own" $_how "$BASE$_t" --path-as-is
		return
	fi
	front_response "$BASE$_t" "$E2E_TMP/a" $_how
	front_status_body "$E2E_TMP/a" "$E2E_TMP/as"
	front_direct "$_m" "$_t" "$E2E_TMP/d" HTTP_HOST="127.0.0.1:PORT"
	[ -n "$_own" ] && printf '%s\n' "$_own" >"$E2E_TMP/d"
	# Apache leaves a zero Content-Length out of a HEAD answer (as RFC 9110 allows).
	_drop='^$\|^Connection:\|^Keep-Alive:\|^X-Request-Id:'
	[ "$_m" = HEAD ] && _drop="$_drop\\|^Content-Length: 0$"
	sed -n '2,/^$/p' "$E2E_TMP/a" | grep -v -i "$_drop" | sort >"$E2E_TMP/ah"
	sed -n '2,/^\r$/p' "$E2E_TMP/d.raw" | tr -d '\r' | grep -v -i "$_drop" | sort >"$E2E_TMP/dh"
	case $_t in /docs/*) cp "$E2E_TMP/ah" "$E2E_TMP/dh" ;; esac # Apache's own files
	if [ -n "$_own" ]; then
		cmp -s "$E2E_TMP/as" "$E2E_TMP/d" && e2e_pass || e2e_fail "HEAD $(printf %s "$_t" | head -c 80): not Apache's $_own"
	elif ! cmp -s "$E2E_TMP/as" "$E2E_TMP/d"; then
		e2e_fail "$_m $(printf %s "$_t" | head -c 80): through Apache '$(head -c 200 "$E2E_TMP/as")', app.cgi alone '$(head -c 200 "$E2E_TMP/d")'"
	elif ! cmp -s "$E2E_TMP/ah" "$E2E_TMP/dh"; then
		e2e_fail "$_m $(printf %s "$_t" | head -c 80): headers differ: Apache '$(cat "$E2E_TMP/ah")', app.cgi '$(cat "$E2E_TMP/dh")'"
	else
		e2e_pass
	fi
}

# env_params WHAT PYTHON-CHECK curl-args...: the /env answer (the parameters) passes the check.
env_params() {
	_what=$1 _py=$2
	shift 2
	curl -s --max-time 10 "$@" >"$E2E_TMP/env.json"
	e2e_client json-assert "$E2E_TMP/env.json" "$_py" 2>"$E2E_TMP/py.err" &&
		e2e_pass || e2e_fail "$_what: $(tail -c 600 "$E2E_TMP/py.err")"
}
