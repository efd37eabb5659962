#!/bin/sh
# The manager as a systemd Type=notify service, without systemd: a NOTIFY_SOCKET
# the test reads (tests/e2e/systemd_notify.py: READY, STATUS, RELOADING,
# READY, STOPPING in order; a NOTIFY_SOCKET that is gone).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/fcgi_lib.sh"
e2e_start systemd-notify
python3 "$(dirname "$0")/systemd_notify.py" "$FCGI_BIN" "$E2E_TMP" "$(free_port)"
rc=$?
e2e_cleanup
trap - EXIT
exit $rc
