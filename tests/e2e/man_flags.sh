#!/bin/sh
# --help and the man pages agree: for app.cgi(1), app.fcgi(8) and bootstrap(1),
# the flags the binary's --help names are exactly the flags (.Fl) its page
# documents; app.fcgi's environment variables (FCGI_*, FORWARDED_ALLOW_IPS)
# are each on its page (.Ev). A page with one flag dropped must be caught.
. "$(dirname "$0")/lib.sh"
e2e_start man-flags

# help_flags BINARY: the flags its --help names, sorted, one a line.
help_flags() {
	"$1" --help | grep -oE '(^|[^A-Za-z0-9_-])--?[A-Za-z][A-Za-z0-9-]*' | grep -oE -- '--?[A-Za-z][A-Za-z0-9-]*' | sort -u
}

# page_flags PAGE: the flags its .Fl macros name, sorted, one a line.
page_flags() {
	grep -oE '(^\.|[[:space:]])Fl -?[A-Za-z][A-Za-z0-9-]*' "$1" | sed 's/.*Fl /-/' | sort -u
}

# same WHAT A B: files A and B hold the same lines; else says which differ.
same() {
	if diff -u "$2" "$3" >"$E2E_TMP/diff"; then
		e2e_pass
	else
		e2e_fail "$1: --help (-) and the page (+) differ: $(grep '^[-+][^-+]' "$E2E_TMP/diff" | tr '\n' ' ')"
	fi
}

for pair in app.cgi:man/app.cgi.1 app.fcgi:man/app.fcgi.8 bootstrap:man/bootstrap.1; do
	bin=$BUILD/${pair%%:*} page=${pair#*:}
	help_flags "$bin" >"$E2E_TMP/help"
	page_flags "$page" >"$E2E_TMP/page"
	[ "$(wc -l <"$E2E_TMP/help")" -ge 3 ] && e2e_pass || e2e_fail "$bin --help: too few flags found: $(cat "$E2E_TMP/help")"
	same "$page" "$E2E_TMP/help" "$E2E_TMP/page"
done

# Every variable app.fcgi --help names is on the page.
for v in $("$BUILD/app.fcgi" --help | grep -oE '\b(FCGI|FORWARDED)_[A-Z_]+' | sort -u); do
	grep -qE "Ev $v( |$)" man/app.fcgi.8 && e2e_pass || e2e_fail "app.fcgi.8 does not document $v"
done

# The check can fail: the page without --max-requests-jitter differs.
grep -v 'Fl -max-requests-jitter' man/app.fcgi.8 >"$E2E_TMP/dropped.8"
help_flags "$BUILD/app.fcgi" >"$E2E_TMP/help"
page_flags "$E2E_TMP/dropped.8" >"$E2E_TMP/page"
cmp -s "$E2E_TMP/help" "$E2E_TMP/page" && e2e_fail "a page missing a flag passed the comparison" || e2e_pass
e2e_finish
