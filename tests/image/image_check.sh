#!/bin/sh
# make image-check: build the real image from the Dockerfile with podman (no
# Docker engine here) and run it the way ECS and Lambda do, with no entrypoint
# override: ECS mode checked with curl, Lambda mode against the test Runtime
# API emulator, `podman stop` ending it gracefully, the debugging subcommands,
# the deploy files against the image's config, and its size and packages.
# Everything binds 127.0.0.1 on free ports (host network); the containers and
# the image it makes are removed at exit (IMAGE_KEEP=1 keeps the image when all
# passed, for the fleet test of the same `make test`), the base image is kept as a cache.
# shellcheck disable=SC2086,SC2046 # PODMAN_*_FLAGS and the event list are word lists
. "$(dirname "$0")/lib.sh"
image_test_start image 570
IMAGE=
NAME=math-service-image-check-$$
# The image holds only what runs (Dockerfile, docker/assemble-rootfs): at most 30 MB.
MAX_IMAGE_BYTES=30000000

image_cleanup() {
	for c in "$NAME-ecs" "$NAME-lambda"; do
		podman rm -f -t 0 "$c" >/dev/null 2>&1
	done
	if [ -n "$IMAGE" ] && { [ "${IMAGE_KEEP:-}" != 1 ] || [ "$E2E_FAILS" != 0 ]; }; then
		podman rmi -f "$IMAGE" >/dev/null 2>&1
	fi
}
trap 'image_cleanup; e2e_cleanup' EXIT

step() {
	echo "== $E2E_NAME: $* ($(date -u +%H:%M:%S))"
}

# ---- build ------------------------------------------------------------------

step "podman build"
if ! image_build; then
	e2e_fail "podman build failed"
	exit 1
fi
if [ "$IMAGE_BUILT" = reused ]; then echo "$IMAGE: reused"; else echo "$IMAGE: built in $IMAGE_BUILT s"; fi
[ ! -f "$E2E_TMP/build.log" ] ||
	grep -E 'Synthesis|passed|failed' "$E2E_TMP/build.log" | sed 's/^/  build: /' | tail -n 3

# ---- size and contents --------------------------------------------------------

size=$(podman image inspect --format '{{.Size}}' "$IMAGE")
base_size=$(podman image inspect --format '{{.Size}}' "$BASE_IMAGE")
echo "image size: $size bytes ($(( size / 1000000 )) MB; limit $(( MAX_IMAGE_BYTES / 1000000 )) MB;" \
	"the build stage's base $BASE_IMAGE alone: $(( base_size / 1000000 )) MB)"
if [ "$size" -lt "$MAX_IMAGE_BYTES" ]; then e2e_pass; else e2e_fail "image is $size bytes"; fi
# The image has no package manager and no find: its files are read from `podman export`.
image_files() {
	_c=$(podman create $PODMAN_RUN_FLAGS --no-healthcheck "$1") || return 1
	podman export "$_c" | tar -tv
	podman rm "$_c" >/dev/null 2>&1
}
image_files "$IMAGE" >"$E2E_TMP/files"
echo "files: $(grep -c '^-' "$E2E_TMP/files") regular, $(grep -c '^l' "$E2E_TMP/files") symlinks; the largest:"
awk '/^-/ { print $3, $6 }' "$E2E_TMP/files" | sort -rn | head -n 8 | awk '{ printf "  %10s /%s\n", $1, $2 }'
# No package manager, shell beyond dash and bash, or compiler came along.
extra=$(awk '/^-/ { print "/" $6 }' "$E2E_TMP/files" | grep -E '/(dpkg|apt-get|perl|gcc|cc|ls|cat|python3[.0-9]*)$' | paste -sd ' ')
if [ -z "$extra" ]; then e2e_pass; else e2e_fail "the image holds what does not run: $extra"; fi

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
# As the ECS task definition runs it (issue 27): a read-only root, every Linux
# capability dropped, and a tmpfs at each writable mount point (/tmp), nothing
# else writable (podman's own tmpfs on /tmp, /var/tmp and /run is off).
ecs_flags=$(/usr/bin/python3 -c 'import json, sys
c = json.load(open(sys.argv[1]))["containerDefinitions"][0]
flags = ["--read-only", "--read-only-tmpfs=false"] if c.get("readonlyRootFilesystem") else []
flags += ["--cap-drop=" + cap for cap in c.get("linuxParameters", {}).get("capabilities", {}).get("drop", [])]
flags += ["--tmpfs=%s:rw,mode=1777" % m["containerPath"] for m in c.get("mountPoints", []) if not m.get("readOnly")]
print(" ".join(flags))' deploy/ecs-task-definition.json)
echo "ECS flags from deploy/ecs-task-definition.json: $ecs_flags"
port=$(free_port)
base=http://127.0.0.1:$port
# The health check is the image's own, run on demand: podman schedules
# periodic ones through systemd, which these machines do not run.
health=$(/usr/bin/python3 -c 'import json, sys
i = json.load(open(sys.argv[1]))[0]
print(" ".join((i["Config"].get("Healthcheck") or i.get("Healthcheck"))["Test"][1:]))' "$E2E_TMP/inspect.json")
# FCGI_MAX_QUEUE_WAIT (a minute: nothing is shed) turns on lighttpd.conf's
# REQUEST_START stamp: every request below goes through mod_magnet and
# lighttpd-request-start.lua, which must be in the image (a Lua error is a 500).
podman run -d --name "$NAME-ecs" $PODMAN_RUN_FLAGS $ecs_flags \
	--health-cmd "$health" --health-interval=disable \
	-e PORT="$port" -e BIND=127.0.0.1 -e FCGI_MAX_QUEUE_WAIT=60000 "$IMAGE" >/dev/null || exit 1
if ! wait_http "$base/" 20; then
	podman logs "$NAME-ecs" 2>&1 | tail -n 20 >&2
	exit 1
fi
check "ECS health" 200 '{"status":"OK"}' "$base/"
# lighttpd loaded mod_magnet and found the script (lighttpd.conf says when not).
if podman logs "$NAME-ecs" 2>&1 | grep -q 'mod_magnet\|lighttpd-request-start\|lua:'; then
	e2e_fail "the REQUEST_START stamp is not working in the image: $(podman logs "$NAME-ecs" 2>&1 | grep 'magnet\|request-start\|lua:' | head -3)"
elif podman exec "$NAME-ecs" sh -c '[ -r /usr/local/lib/math-service/lighttpd-request-start.lua ] && [ -r /usr/lib/lighttpd/mod_magnet.so ]'; then
	e2e_pass
else
	e2e_fail "the image lacks lighttpd-request-start.lua or mod_magnet.so"
fi
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
# The flags took: no capability even in the bounding set, the root read-only
# (/var/tmp is a link to /tmp in the image), /tmp writable; and a body at the
# 1 MiB limit, which lighttpd spools to /tmp, is served. Shell builtins only:
# the image has no sed or rm.
bounding=$(podman exec "$NAME-ecs" sh -c 'while read -r k v; do [ "$k" = CapBnd: ] && echo "$v"; done </proc/1/status')
if [ "$bounding" = 0000000000000000 ]; then e2e_pass; else e2e_fail "capability bounding set $bounding"; fi
for path in /usr/local/lib/math-service/x /etc/x /x; do
	if podman exec "$NAME-ecs" sh -c ": >$path" 2>/dev/null; then e2e_fail "$path is writable"; else e2e_pass; fi
done
if podman exec "$NAME-ecs" sh -c ': >/tmp/x'; then e2e_pass; else e2e_fail "/tmp is not writable"; fi
head -c 1048576 /dev/zero | tr '\0' a >"$E2E_TMP/limit-body"
check "ECS body at the limit, spooled to /tmp" 200 '{"Success":"This is one user!"}' \
	--data-binary @"$E2E_TMP/limit-body" "$base/api/v1/users/7"

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
# Each request logged once, by the service (a JSON line), not by lighttpd too.
if [ "$(podman logs "$NAME-ecs" 2>&1 | grep -c '"method":"POST","path":"/api/v1/users/"')" = 1 ]; then
	e2e_pass
else
	e2e_fail "not one access log line for the POST on the container's output: $(podman logs "$NAME-ecs" 2>&1 | grep -i 'post' | head -3)"
fi

# ---- Lambda mode: bootstrap against the test Runtime API emulator --------------------

step "Lambda mode"
# A /hello event (API Gateway REST), to see the entrypoint name the environment.
/usr/bin/python3 -c 'import json, sys
e = json.load(open(sys.argv[1]))
e.update(path="/hello", queryStringParameters=None, multiValueQueryStringParameters=None,
         pathParameters={"proxy": "hello"})
e["requestContext"]["path"] = "/prod/hello"
json.dump(e, open(sys.argv[2], "w"))' tests/events/apigw-v1-add.json "$E2E_TMP/apigw-v1-hello.json"
# event, then the answer expected: outcome, statusCode, body (ALB without
# multi-value headers passes only the last i).
cat >"$E2E_TMP/lambda-cases" <<EOF
tests/events/apigw-v1-add.json response 200 15
tests/events/apigw-v2-add.json response 200 15
tests/events/alb-add.json response 200 10
tests/events/alb-multi-value-add.json response 200 15
tests/events/malformed-sqs.json error - -
tests/events/function-url-add.json response 200 15
$E2E_TMP/apigw-v1-hello.json response 200 "Hello from lambda"
EOF
python3 tests/lambda_runtime_emulator.py --port 0 --port-file "$E2E_TMP/api-port" \
	--out "$E2E_TMP/lambda" --timeout 60 --events $(cut -d' ' -f1 "$E2E_TMP/lambda-cases") \
	>"$E2E_TMP/emulator.log" 2>&1 &
emulator=$!
E2E_PIDS="$E2E_PIDS $emulator"
until [ -s "$E2E_TMP/api-port" ] || ! kill -0 "$emulator" 2>/dev/null; do sleep 0.1; done
# Lambda's root filesystem is read-only too, /tmp writable: the same flags.
podman run -d --name "$NAME-lambda" $PODMAN_RUN_FLAGS $ecs_flags --no-healthcheck \
	-e AWS_LAMBDA_RUNTIME_API="127.0.0.1:$(cat "$E2E_TMP/api-port")" "$IMAGE" >/dev/null || exit 1
emulator_rc=0
wait "$emulator" || emulator_rc=$?
if [ "$emulator_rc" = 0 ]; then e2e_pass; else e2e_fail "emulator exit $emulator_rc: $(tail -n 3 "$E2E_TMP/emulator.log")"; fi
# The answers, in order, against the table above.
if /usr/bin/python3 -c 'import json, sys
report = json.load(open(sys.argv[1]))
fails = 0
for inv, line in zip(report["invocations"], open(sys.argv[2])):
    event, outcome, status, body = line.rstrip("\n").split(" ", 3)
    got = inv["body"] if isinstance(inv["body"], dict) else {}
    ok = inv["outcome"] == outcome and (outcome != "response" or
         (str(got.get("statusCode")) == status and got.get("body") == body))
    print("  %-4s %-28s %s %s" % ("ok" if ok else "FAIL", event.split("/")[-1], inv["outcome"],
          json.dumps(got.get("body"))[:60] if got else inv.get("error_type")))
    fails += not ok
sys.exit(1 if fails or len(report["invocations"]) != sum(1 for _ in open(sys.argv[2])) else 0)' \
	"$E2E_TMP/lambda/report.json" "$E2E_TMP/lambda-cases"; then
	e2e_pass
else
	e2e_fail "Lambda mode answers (above)"
fi
podman rm -f -t 0 "$NAME-lambda" >/dev/null 2>&1

# Between invocations the runtime waits in GET /next; `podman stop` then must
# end it by its SIGTERM, not by SIGKILL after the grace period. The Runtime API
# here accepts the connection and never answers, like Lambda with no event.
python3 -c 'import socket, sys, time
s = socket.socket(); s.bind(("127.0.0.1", 0)); s.listen(8)
open(sys.argv[1], "w").write(str(s.getsockname()[1]))
time.sleep(60)' "$E2E_TMP/idle-port" &
E2E_PIDS="$E2E_PIDS $!"
until [ -s "$E2E_TMP/idle-port" ]; do sleep 0.1; done
podman run -d --name "$NAME-lambda" $PODMAN_RUN_FLAGS --no-healthcheck \
	-e AWS_LAMBDA_RUNTIME_API="127.0.0.1:$(cat "$E2E_TMP/idle-port")" "$IMAGE" >/dev/null || exit 1
sleep 1
started=$(date +%s)
podman stop -t 10 "$NAME-lambda" >/dev/null
took=$(( $(date +%s) - started ))
exit_code=$(podman inspect --format '{{.State.ExitCode}}' "$NAME-lambda")
echo "Lambda mode: podman stop took ${took}s, exit code $exit_code (143 = SIGTERM)"
if [ "$took" -lt 10 ] && [ "$exit_code" != 137 ]; then
	e2e_pass
else
	e2e_fail "Lambda mode stop took ${took}s with exit code $exit_code (137 = SIGKILL)"
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

out=$(podman run --rm $PODMAN_RUN_FLAGS --no-healthcheck "$IMAGE" \
	cgi --request 'GET /items/42?q=x' | tr -d '\r')
case $out in
"Status: 200 OK"*'

{"item_id":42,"q":"x"}') e2e_pass ;;
*) e2e_fail "cgi --request subcommand: $out" ;;
esac

out=$(podman run --rm -i $PODMAN_RUN_FLAGS --no-healthcheck "$IMAGE" invoke - \
	<tests/events/alb-multi-value-add.json)
if printf '%s' "$out" | /usr/bin/python3 -c 'import json, sys
r = json.load(sys.stdin)
sys.exit(0 if r["statusCode"] == 200 and r["body"] == "15" and r["statusDescription"] == "200 OK" else 1)'; then
	e2e_pass
else
	e2e_fail "invoke subcommand: $out"
fi

# The health check is honest: with nothing serving on its port, it fails. The
# container shares the host's network, so the port is a free one, and 8080 (the
# default) answers 200 meanwhile, from a server started here when 8080 is free:
# another program on 8080 must not make this check pass or fail.
idle_port=$(free_port)
python3 -m http.server --bind 127.0.0.1 8080 >/dev/null 2>&1 &
held8080=$!
E2E_PIDS="$E2E_PIDS $held8080"
if wait_http http://127.0.0.1:8080/ 5 2>/dev/null; then
	kill -0 "$held8080" 2>/dev/null || echo "image: 8080 is held by another program; checking beside it"
else
	echo "image: nothing answers on 8080; checking without it"
fi
if podman run --rm $PODMAN_RUN_FLAGS --no-healthcheck -e PORT="$idle_port" --entrypoint "${health%% *}" "$IMAGE" \
	>/dev/null 2>&1; then
	e2e_fail "the health check passes with no server running on its port $idle_port"
else
	e2e_pass
fi
kill "$held8080" 2>/dev/null

e2e_finish
