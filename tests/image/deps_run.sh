#!/bin/sh
# make image-check, part 3: `make deps-run`'s short package list is enough to
# build and serve. In the bare Debian base image (what a fresh Debian 12 has),
# install make and RUN_PKGS (mk/deps.mk) only, then `make all docs-assets` and
# tools/serve-dev (what `make run` runs) on a free port, checked with curl.
# The hostile half: none of the test-only packages may be there (the build
# must not lean on them). npm is left out: the Swagger UI files come from this
# checkout's node_modules, as `npm ci` would fetch them.
# shellcheck disable=SC2086 # PODMAN_RUN_FLAGS is a word list
. "$(dirname "$0")/lib.sh"
image_test_start deps-run 400
NAME=math-service-deps-run-$$
trap 'podman rm -f -t 0 "$NAME" >/dev/null 2>&1; e2e_cleanup' EXIT

# The package lists as make sees them.
make_var() {
	printf 'print-var: ; @echo $(%s)\n' "$1" | make --no-print-directory -s -f Makefile -f - print-var
}
run_pkgs=$(make_var RUN_PKGS)
test_pkgs=$(make_var TEST_PKGS)
[ -n "$run_pkgs" ] && [ -n "$test_pkgs" ] || { e2e_fail "no RUN_PKGS/TEST_PKGS in the Makefile (mk/deps.mk)"; exit 1; }

# A clean copy of the sources (what git tracks) and the Swagger UI and ReDoc files.
src=$E2E_TMP/src
mkdir -p "$src/node_modules"
git ls-files -z | xargs -0 tar -c | tar -x -C "$src" || exit 1
cp -RL node_modules/swagger-ui-dist "$src/node_modules/"
mkdir -p "$src/node_modules/redoc/bundles"
cp -L node_modules/redoc/bundles/redoc.standalone.js "$src/node_modules/redoc/bundles/"
port=$(free_port)

cat >"$E2E_TMP/inside.sh" <<'INSIDE'
set -u
cd /src
export DEBIAN_FRONTEND=noninteractive
apt-get update -q >/tmp/apt.log 2>&1 &&
	apt-get install -y -q --no-install-recommends make $RUN_PKGS </dev/null >>/tmp/apt.log 2>&1 ||
	{ tail -n 20 /tmp/apt.log; echo "STEP apt failed"; exit 1; }
echo "STEP apt ok"
for p in $TEST_PKGS; do
	dpkg -s "$p" >/dev/null 2>&1 && echo "STEP test package installed: $p"
done
make -j2 all docs-assets >/tmp/make.log 2>&1 || { tail -n 30 /tmp/make.log; echo "STEP make failed"; exit 1; }
echo "STEP make ok"
tools/serve-dev lighttpd.conf >/tmp/serve.out 2>/tmp/serve.err &
i=0
until grep -q '^serving ' /tmp/serve.err || [ $i -ge 100 ]; do sleep 0.2; i=$((i + 1)); done
grep '^serving ' /tmp/serve.err || { cat /tmp/serve.err; echo "STEP serve failed"; exit 1; }
echo "STEP add $(curl -s --max-time 10 "http://127.0.0.1:$PORT/math/add?i=5&i=10")"
echo "STEP docs $(curl -s -o /dev/null --max-time 10 -w '%{http_code}' "http://127.0.0.1:$PORT/docs/swagger-ui.css")"
echo "STEP version $(build/app.cgi --version)"
INSIDE

step() { grep -q "^STEP $1\$" "$E2E_TMP/out"; }
timeout 360 podman run --name "$NAME" --rm $PODMAN_RUN_FLAGS --no-healthcheck \
	-e RUN_PKGS="$run_pkgs" -e TEST_PKGS="$test_pkgs" -e PORT="$port" \
	-v "$src:/src" -v "$E2E_TMP/inside.sh:/inside.sh:ro" "$BASE_IMAGE" sh /inside.sh >"$E2E_TMP/out" 2>&1
grep '^STEP\|^serving' "$E2E_TMP/out" | sed 's/^/  /'
step "apt ok" && e2e_pass || e2e_fail "apt-get install make RUN_PKGS: $(tail -n 5 "$E2E_TMP/out")"
if grep -q '^STEP test package installed' "$E2E_TMP/out"; then
	e2e_fail "test-only packages came with RUN_PKGS: $(sed -n 's/^STEP test package installed: //p' "$E2E_TMP/out" | paste -sd ' ')"
else
	e2e_pass
fi
step "make ok" && e2e_pass || e2e_fail "make all with RUN_PKGS only: $(tail -n 15 "$E2E_TMP/out")"
step "add 15" && e2e_pass || e2e_fail "tools/serve-dev did not answer /math/add: $(tail -n 5 "$E2E_TMP/out")"
step "docs 200" && e2e_pass || e2e_fail "tools/serve-dev did not serve /docs/swagger-ui.css"
e2e_finish
