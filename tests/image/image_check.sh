#!/bin/sh
# make image-check: build the real image from the Dockerfile with podman (no
# Docker engine here) and run it the way ECS and Lambda do, with no entrypoint
# override: ECS mode checked with curl, Lambda mode against the test Runtime
# API emulator, `podman stop` ending it gracefully, the debugging subcommands,
# the deploy files against the image's config, and its size and packages.
# Everything binds 127.0.0.1 on free ports (host network); the containers and
# the image it makes are removed at exit, the base image is kept as a cache.
. "$(dirname "$0")/lib.sh"
image_test_start image 570
IMAGE=localhost/math-service:image-check-$$
NAME=math-service-image-check-$$
MAX_IMAGE_BYTES=100000000

image_cleanup() {
	for c in "$NAME-ecs" "$NAME-lambda"; do
		podman rm -f -t 0 "$c" >/dev/null 2>&1
	done
	podman rmi -f "$IMAGE" >/dev/null 2>&1
}
trap 'image_cleanup; e2e_cleanup' EXIT

step() {
	echo "== $E2E_NAME: $* ($(date -u +%H:%M:%S))"
}

# ---- build ------------------------------------------------------------------

# A build context cannot follow a symlink out of itself (git worktrees here
# share node_modules that way): then build from a copy with the real files.
context=$ROOT
if [ -L node_modules ]; then
	context=$E2E_TMP/context
	mkdir -p "$context/node_modules"
	tar -c --exclude=./build --exclude=./.git --exclude=./node_modules . | tar -x -C "$context"
	cp -RL node_modules/swagger-ui-dist "$context/node_modules/"
fi

step "podman build"
started=$(date +%s)
# --layers=false: no intermediate images are left behind to clean up.
# shellcheck disable=SC2086 # word lists
if ! timeout 480 podman build $PODMAN_BUILD_FLAGS --layers=false -t "$IMAGE" "$context" \
	>"$E2E_TMP/build.log" 2>&1; then
	tail -n 40 "$E2E_TMP/build.log" >&2
	e2e_fail "podman build failed"
	exit 1
fi
echo "built $IMAGE in $(( $(date +%s) - started )) s"
grep -E 'Synthesis|passed|failed' "$E2E_TMP/build.log" | sed 's/^/  build: /' | tail -n 3

# ---- size and contents --------------------------------------------------------

size=$(podman image inspect --format '{{.Size}}' "$IMAGE")
echo "image size: $size bytes ($(( size / 1000000 )) MB; limit $(( MAX_IMAGE_BYTES / 1000000 )) MB)"
if [ "$size" -lt "$MAX_IMAGE_BYTES" ]; then e2e_pass; else e2e_fail "image is $size bytes"; fi
podman history --format '{{.Size}}\t{{.CreatedBy}}' "$IMAGE" |
	awk -F'\t' '$1 != "0B" { printf "  layer %-9s %.100s\n", $1, $2 }'
echo "packages:"
# shellcheck disable=SC2016 # dpkg-query's format, not the shell's
podman run --rm $PODMAN_RUN_FLAGS --no-healthcheck --entrypoint dpkg-query "$IMAGE" \
	-W -f '${Package}=${Version}\n' | sort | paste -sd ' ' | fold -s -w 110 | sed 's/^/  /'
echo "our files:"
podman run --rm $PODMAN_RUN_FLAGS --no-healthcheck --entrypoint find "$IMAGE" \
	/usr/local/bin /usr/local/lib/math-service -type f -printf '  %10s %p\n'

step "deploy files against the image's config"
podman image inspect "$IMAGE" >"$E2E_TMP/inspect.json"
if /usr/bin/python3 tests/image/deploy_files.py "$E2E_TMP/inspect.json" | grep -v '^ok'; then :; fi
if /usr/bin/python3 tests/image/deploy_files.py "$E2E_TMP/inspect.json" >/dev/null; then
	e2e_pass
else
	e2e_fail "deploy files disagree with the image"
fi

# ---- ECS mode: lighttpd + FastCGI, as `docker run IMAGE` -------------------------

step "ECS mode"
port=$(free_port)
base=http://127.0.0.1:$port
# The health check is the image's own, run on demand: podman schedules
# periodic ones through systemd, which these machines do not run.
health=$(/usr/bin/python3 -c 'import json, sys
i = json.load(open(sys.argv[1]))[0]
print(" ".join((i["Config"].get("Healthcheck") or i.get("Healthcheck"))["Test"][1:]))' "$E2E_TMP/inspect.json")
podman run -d --name "$NAME-ecs" $PODMAN_RUN_FLAGS \
	--health-cmd "$health" --health-interval=disable \
	-e PORT="$port" -e BIND=127.0.0.1 "$IMAGE" >/dev/null || exit 1
if ! wait_http "$base/" 20; then
	podman logs "$NAME-ecs" 2>&1 | tail -n 20 >&2
	exit 1
fi
check "ECS health" 200 '{"status":"OK"}' "$base/"
check "ECS math add" 200 '15' "$base/math/add?i=5&i=10"
check "ECS hello names ecs" 200 '"Hello from ecs"' "$base/hello"
check "ECS items" 200 '{"item_id":42,"q":"x"}' "$base/items/42?q=x"
check "ECS unknown path" 404 '{"detail":"Not Found"}' "$base/nope"
check_header "ECS docs is HTML" 'Content-Type: text/html; charset=utf-8' "$base/docs"
if curl -s --max-time 10 "$base/docs" | grep -q 'swagger-ui'; then e2e_pass; else e2e_fail "/docs has no Swagger UI"; fi
for asset in swagger-ui.css swagger-ui-bundle.js; do
	code=$(curl -s -o /dev/null -w '%{http_code}' --max-time 10 "$base/docs/$asset")
	if [ "$code" = 200 ]; then e2e_pass; else e2e_fail "/docs/$asset: $code"; fi
done
if podman healthcheck run "$NAME-ecs" >/dev/null 2>&1; then
	e2e_pass
else
	e2e_fail "the image's health check failed on a serving container"
fi
users=$(podman top "$NAME-ecs" user comm | awk 'NR > 1 { print $1 }' | sort -u | paste -sd ,)
echo "ECS processes run as: $users"
if [ "$users" = app ]; then e2e_pass; else e2e_fail "processes run as '$users', not only app"; fi

# A request in flight when the container is stopped completes: a POST whose
# body trickles in over ~3 s, and `podman stop` (SIGTERM) 1 s into it.
step "podman stop during a slow request"
head -c 49152 /dev/zero | tr '\0' x >"$E2E_TMP/slow-body"
curl -s --max-time 20 -o "$E2E_TMP/slow-out" -w '%{http_code}' --limit-rate 16K \
	-H 'Content-Type: text/plain' --data-binary @"$E2E_TMP/slow-body" \
	"$base/api/v1/users/" >"$E2E_TMP/slow-status" 2>/dev/null &
slow=$!
sleep 1
started=$(date +%s)
podman stop -t 10 "$NAME-ecs" >/dev/null
took=$(( $(date +%s) - started ))
wait "$slow"
exit_code=$(podman inspect --format '{{.State.ExitCode}}' "$NAME-ecs")
echo "podman stop took ${took}s, exit code $exit_code; slow request: $(cat "$E2E_TMP/slow-status") $(cat "$E2E_TMP/slow-out")"
if [ "$took" -lt 10 ] && [ "$exit_code" = 0 ]; then
	e2e_pass
else
	e2e_fail "stop took ${took}s with exit code $exit_code (137 = SIGKILL)"
fi
if [ "$(cat "$E2E_TMP/slow-status")" = 200 ] && [ "$(cat "$E2E_TMP/slow-out")" = '{"Success":"All users!"}' ]; then
	e2e_pass
else
	e2e_fail "the request in flight did not complete during the graceful stop"
fi
if podman logs "$NAME-ecs" 2>&1 | grep -q 'POST /api/v1/users/'; then
	e2e_pass
else
	e2e_fail "no access log line on the container's output"
fi

# ---- debugging subcommands ----------------------------------------------------------

step "cgi and invoke subcommands"
out=$(podman run --rm $PODMAN_RUN_FLAGS --no-healthcheck "$IMAGE" \
	cgi REQUEST_METHOD=GET PATH_INFO=/math/add 'QUERY_STRING=i=5&i=10' | tr -d '\r')
case $out in
"Status: 200 OK"*"

15") e2e_pass ;;
*) e2e_fail "cgi subcommand: $out" ;;
esac

# The health check is honest: with nothing serving, it fails.
if podman run --rm $PODMAN_RUN_FLAGS --no-healthcheck --entrypoint "${health%% *}" "$IMAGE" >/dev/null 2>&1; then
	e2e_fail "the health check passes with no server running"
else
	e2e_pass
fi

e2e_finish
