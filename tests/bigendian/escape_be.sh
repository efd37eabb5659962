#!/bin/sh
# The access line's escaper on a big-endian machine (s390x under qemu-user,
# Debian's cross compiler): tests/bigendian/escape_dump.c's output must be the
# same bytes as on this (little-endian) machine. Debian builds the package on
# every architecture (debian/control: Architecture: any), s390x among them.
. "$(dirname "$0")/../e2e/lib.sh"
E2E_TIMEOUT=${E2E_TIMEOUT:-300}
e2e_start escape-big-endian
src="tests/bigendian/escape_dump.c app/http/log_line.c app/core/utf8.c app/core/str.c app/core/arena.c"
flags="-std=c11 -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE -O2 -Wall -Wextra -Werror -iquote app"
# shellcheck disable=SC2086 # word lists
if ${CC:-cc} $flags $src -o "$E2E_TMP/dump-native" &&
	s390x-linux-gnu-gcc $flags $src -o "$E2E_TMP/dump-s390x"; then
	e2e_pass
else
	e2e_fail "could not build escape_dump (make deps installs gcc-s390x-linux-gnu, qemu-user)"
	e2e_finish
	exit 1
fi
"$E2E_TMP/dump-native" >"$E2E_TMP/native.txt"
QEMU_LD_PREFIX=/usr/s390x-linux-gnu qemu-s390x "$E2E_TMP/dump-s390x" >"$E2E_TMP/s390x.txt"
lines=$(wc -l <"$E2E_TMP/native.txt")
if [ "$lines" -eq 60000 ] && cmp -s "$E2E_TMP/native.txt" "$E2E_TMP/s390x.txt"; then
	echo "escape-big-endian: $lines escaped strings, the same bytes on s390x"
	e2e_pass
else
	differ=$(paste -d ' ' "$E2E_TMP/native.txt" "$E2E_TMP/s390x.txt" | awk '$1 != $2' | wc -l)
	echo "escape-big-endian: $differ of $lines escaped strings differ on s390x; the first:"
	paste -d '\n' "$E2E_TMP/native.txt" "$E2E_TMP/s390x.txt" | awk 'NR % 2 { a = $0; next } a != $0 { print "  le " a; print "  be " $0; exit }'
	e2e_fail "the escaper differs on a big-endian machine"
fi
e2e_finish
