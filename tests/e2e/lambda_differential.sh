#!/bin/sh
# make-test: asan
# The differential test (lambda_differential.py): hand-written events per source,
# encoded paths as each source delivers them, stages, base paths, NUL bytes, cookies
# and warm-up events, through bootstrap --event against docs/spec.md's answers, and
# against the CGI binary answering the same HTTP request.
. "$(dirname "$0")/lib.sh"
e2e_start lambda-differential
unset EXECUTION_ENVIRONMENT AWS_LAMBDA_RUNTIME_API
if python3 "$(dirname "$0")/lambda_differential.py" "$BUILD/bootstrap" "$BUILD/app.cgi"; then
	e2e_pass
else
	e2e_fail "events against docs/spec.md and CGI (see FAIL lines above)"
fi
e2e_finish
