# Shared start of the image tests (POSIX sh, sourced from tests/image/*.sh):
# the e2e helpers, the repository root as the working directory, podman set
# up by docker/podman-env, and the local base image made if it is missing.
#   . "$(dirname "$0")/lib.sh"
#   image_test_start NAME DEFAULT_TIMEOUT_SECONDS
. "$(dirname "$0")/../e2e/lib.sh"
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
cd "$ROOT" || exit 1
PODMAN_ENV_DIR=$ROOT/docker
. "$ROOT/docker/podman-env"

image_test_start() {
	E2E_TIMEOUT=${E2E_TIMEOUT:-$2}
	e2e_start "$1"
	timeout 300 "$ROOT/docker/podman-env" ensure_base_image || exit 1
}
