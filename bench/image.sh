#!/bin/sh
# The container image against the one the Dockerfile of IMAGE_BASE_REV builds (the
# last one on debian:bookworm-slim), both from this checkout's sources: size, and
# start to first answer in ECS and Lambda mode (bench/image.py). make bench runs it
# (bench/run.sh); alone: BUILD=build bench/image.sh. Needs podman (make deps).
# Prints bench/image.py's "image LABEL ..." lines. The old image is kept as a cache
# (localhost/math-service:bench-base-REV), the new one removed.
# Settings: IMAGE_BASE_REV (82679d7), IMAGE_RUNS (5).
# shellcheck disable=SC2086 # PODMAN_BUILD_FLAGS is a word list
IMAGE_LIB_ROOT=$(cd "$(dirname "$0")/.." && pwd)
. "$IMAGE_LIB_ROOT/tests/image/lib.sh"
IMAGE_BASE_REV=${IMAGE_BASE_REV:-82679d7}
image_test_start bench-image 900 >&2
IMAGE=
trap '[ -z "$IMAGE" ] || podman rmi -f "$IMAGE" >/dev/null 2>&1; e2e_cleanup' EXIT

image_build >&2 || { echo "bench/image.sh: podman build failed" >&2; exit 1; }
old=localhost/math-service:bench-base-$(git rev-parse --short "$IMAGE_BASE_REV") || exit 1
if ! podman image exists "$old"; then
	mkdir -p "$E2E_TMP/old"
	tar -x -C "$E2E_TMP/old" -f "$E2E_TMP/context.tar" &&
		git show "$IMAGE_BASE_REV:Dockerfile" >"$E2E_TMP/old/Dockerfile" || exit 1
	timeout 600 podman build $PODMAN_BUILD_FLAGS --layers=false -t "$old" "$E2E_TMP/old" >"$E2E_TMP/old.log" 2>&1 ||
		{ tail -n 20 "$E2E_TMP/old.log" >&2; echo "bench/image.sh: podman build of $IMAGE_BASE_REV's Dockerfile failed" >&2; exit 1; }
fi
PODMAN_RUN_FLAGS=$PODMAN_RUN_FLAGS python3 bench/image.py --runs "${IMAGE_RUNS:-5}" new="$IMAGE" old="$old"
