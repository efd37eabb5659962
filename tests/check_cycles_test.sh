#!/bin/sh
# tests/check_cycles.sh must pass on the objects of app/ and fail on a copy of
# them with one planted call that closes a cycle, one at a time: each plant is
# a source file of app/ with one function added, compiled over its object.
# usage: tests/check_cycles_test.sh [OBJDIR]   (default build/obj/app)
set -eu
here=$(cd "$(dirname "$0")" && pwd)
dir=${1:-build/obj/app}
CC=${CC:-cc}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT INT TERM
"$here/check_cycles.sh" "$dir" >/dev/null
passed=1 failed=0
# plant FILE DECLARATION CALL: FILE (under app/) gets a function making CALL.
plant() {
	rm -rf "$tmp/app" "$tmp/obj"
	cp -r app "$tmp/app"
	cp -r "$dir" "$tmp/obj"
	printf '%s\nvoid check_cycles_plant(void);\nvoid check_cycles_plant(void)\n{\n\t%s;\n}\n' "$2" "$3" \
		>>"$tmp/app/$1"
	o=$tmp/obj/${1%.c}.o
	if ! $CC -std=c11 -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE -iquote "$tmp/app" -c "$tmp/app/$1" -o "$o"; then
		echo "FAIL: the plant in app/$1 does not compile"
		failed=$((failed + 1))
	elif "$here/check_cycles.sh" "$tmp/obj" >/dev/null 2>&1; then
		echo "FAIL: check_cycles.sh accepted a call of $3 from app/$1"
		failed=$((failed + 1))
	else
		passed=$((passed + 1))
	fi
}
# The three cycles of issue 24, put back, and one across the layers.
plant http/limits.c '#include "http/log.h"' 'if (log_load(&(const char *){ 0 }) != APP_OK) return'
plant service/settings.c '' 'docs_forget()'
plant service/openapi.c '' 'openapi_describe(app_routes, app_route_count)'
plant core/arena.c '#include "service/service.h"' 'app_handle(0, 0)'
echo "check_cycles: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
