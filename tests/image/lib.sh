# Shared start of the image tests (POSIX sh, sourced from tests/image/*.sh):
# the e2e helpers, the repository root as the working directory, podman set
# up by docker/podman-env, and the local base image made if it is missing.
#   . "$(dirname "$0")/lib.sh"
#   image_test_start NAME DEFAULT_TIMEOUT_SECONDS
# IMAGE_LIB_ROOT: the repository, for a script elsewhere than tests/image/ (bench/image.sh).
ROOT=${IMAGE_LIB_ROOT:-$(cd "$(dirname "$0")/../.." && pwd)}
. "$ROOT/tests/e2e/lib.sh"
cd "$ROOT" || exit 1
PODMAN_ENV_DIR=$ROOT/docker
. "$ROOT/docker/podman-env"

image_test_start() {
	E2E_TIMEOUT=${E2E_TIMEOUT:-$2}
	e2e_start "$1"
	timeout 300 "$ROOT/docker/podman-env" ensure_base_image || exit 1
}

# image_build: the image of this checkout, built once per content. The build
# context is what .dockerignore lets in, plus the Dockerfile, copied with
# symlinks followed into $E2E_TMP/context (a git worktree's node_modules is a
# symlink, which a build context cannot follow). The tag names a hash of those
# files and of this checkout's path, localhost/math-service:ctx-HASH; an image
# already there under it (left by an earlier test of the same `make test`, see
# IMAGE_KEEP in mk/fleet.mk) is used as it is. Sets IMAGE, and IMAGE_BUILT: the
# build's seconds, or "reused". Returns 1 when the build fails (its log's end on stderr).
# shellcheck disable=SC2086,SC2034 # PODMAN_BUILD_FLAGS is a word list; IMAGE* are the callers'
image_build() {
	{ echo Dockerfile; echo .dockerignore; sed -n 's|^!\(.*[^/]\)/*$|\1|p' .dockerignore; } |
		tar -c -h --sort=name --mtime=@0 --owner=0 --group=0 --numeric-owner \
			-f "$E2E_TMP/context.tar" -T - || return 1
	IMAGE=localhost/math-service:ctx-$({ echo "$ROOT"; cat "$E2E_TMP/context.tar"; } | sha256sum | cut -c1-16)
	if podman image exists "$IMAGE"; then
		IMAGE_BUILT=reused
		return 0
	fi
	mkdir -p "$E2E_TMP/context"
	tar -x -C "$E2E_TMP/context" -f "$E2E_TMP/context.tar" || return 1
	_ib_start=$(date +%s)
	# --layers=false: no intermediate images are left behind to clean up.
	if ! timeout 480 podman build $PODMAN_BUILD_FLAGS --layers=false -t "$IMAGE" "$E2E_TMP/context" \
		>"$E2E_TMP/build.log" 2>&1; then
		tail -n 40 "$E2E_TMP/build.log" >&2
		return 1
	fi
	IMAGE_BUILT=$(( $(date +%s) - _ib_start ))
}
