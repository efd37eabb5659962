#!/bin/sh
# make image-check, part 2: build/lambda.zip is a provided.al2023 deployment
# package that needs nothing from the machine it lands on but glibc 2.34. Its
# bootstrap is the ELF executable itself (no wrapper, no bundled loader), loads
# its one other library from its own lib/, and answers every event in
# tests/events/ exactly as build/bootstrap does: in an empty environment, and
# inside the bare Debian base image, which has no libcjson.
. "$(dirname "$0")/lib.sh"
image_test_start lambda-zip 300
zip=$BUILD/lambda.zip
task=$E2E_TMP/task

unzip -q "$zip" -d "$task" || exit 1
echo "$zip: $(du -k "$zip" | cut -f1) KiB zipped, $(du -sk "$task" | cut -f1) KiB unzipped"
if zipinfo "$zip" bootstrap | grep -q '^-rwx'; then e2e_pass; else e2e_fail "no executable bootstrap at the zip's root"; fi
if [ "$(head -c 4 "$task/bootstrap" | od -An -c | tr -d ' ')" = '177ELF' ]; then
	e2e_pass
else
	e2e_fail "the zip's bootstrap is not an ELF executable"
fi
interp=$(readelf -l "$task/bootstrap" | sed -n 's/.*Requesting program interpreter: \(.*\)]/\1/p')
if [ "$interp" = /lib64/ld-linux-x86-64.so.2 ]; then e2e_pass; else e2e_fail "interpreter '$interp'"; fi

# What the system loader resolves: glibc from the system, everything else from lib/.
ldd "$task/bootstrap" >"$E2E_TMP/ldd"
echo "  libraries: $(sed -n 's/^[[:space:]]*\([^ ]*\) =>.*/\1/p' "$E2E_TMP/ldd" | paste -sd ' ')"
# libm is glibc's too (libbrotlienc needs it): Amazon Linux 2023 has it.
outside=$(grep -v -e 'linux-vdso' -e "=> $task/lib/" -e 'libc\.so\.6 =>' -e 'libm\.so\.6 =>' -e 'ld-linux-x86-64' "$E2E_TMP/ldd")
if [ -z "$outside" ]; then e2e_pass; else e2e_fail "libraries from outside the zip: $outside"; fi
newest=$(for f in "$task/bootstrap" "$task"/lib/*; do objdump -T "$f"; done | grep -o 'GLIBC_[0-9][0-9.]*' |
	sed 's/GLIBC_//' | sort -V | tail -n 1)
if [ "$(printf '%s\n2.34\n' "$newest" | sort -V | tail -n 1)" = 2.34 ]; then
	e2e_pass
else
	e2e_fail "needs GLIBC_$newest, Amazon Linux 2023 has 2.34"
fi

# The same loop over the events, here and in a container; its output compared
# but for X-Request-Id, random for events that carry no request id (ALB).
run_events='for f in "$0"/*.json; do echo "== ${f##*/}"; "$1" --event "$f"; echo "rc=$?"; done'
no_request_id() {
	sed -i -E 's/"X-Request-Id":(\["[^"]*"\]|"[^"]*"),//' "$@"
}
env -i sh -c "$run_events" "$ROOT/tests/events" "$ROOT/$BUILD/bootstrap" >"$E2E_TMP/expected" 2>/dev/null
no_request_id "$E2E_TMP/expected"
events=$(grep -c '^== ' "$E2E_TMP/expected")
if [ "$events" -gt 0 ]; then e2e_pass; else e2e_fail "no events in tests/events/"; fi

env -i sh -c "$run_events" "$ROOT/tests/events" "$task/bootstrap" >"$E2E_TMP/got-env" 2>/dev/null
no_request_id "$E2E_TMP/got-env"
if cmp -s "$E2E_TMP/expected" "$E2E_TMP/got-env"; then
	e2e_pass
else
	e2e_fail "the unzipped bootstrap answers differently in an empty environment"
	diff "$E2E_TMP/expected" "$E2E_TMP/got-env" | head -n 20 >&2
fi

# shellcheck disable=SC2086 # word lists
timeout 120 podman run --rm $PODMAN_RUN_FLAGS --no-healthcheck \
	-v "$task:/var/task:ro" -v "$ROOT/tests/events:/events:ro" "$BASE_IMAGE" \
	sh -c "$run_events" /events /var/task/bootstrap >"$E2E_TMP/got-base" 2>/dev/null
no_request_id "$E2E_TMP/got-base"
if cmp -s "$E2E_TMP/expected" "$E2E_TMP/got-base"; then
	e2e_pass
else
	e2e_fail "the unzipped bootstrap answers differently in the bare base image"
	diff "$E2E_TMP/expected" "$E2E_TMP/got-base" | head -n 20 >&2
fi
echo "$events events answered alike by build/bootstrap and the zip's, on the host and in $BASE_IMAGE"

e2e_finish
