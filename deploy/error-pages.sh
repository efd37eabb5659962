#!/bin/sh
# deploy/error-pages.sh DIR: the bodies lighttpd answers its own errors with
# when the service cannot (server.errorfile-prefix in lighttpd.conf and
# deploy/lighttpd-cgi.conf), in the service's shape: {"detail":"..."}. lighttpd
# names them STATUS.html and takes their Content-Type from mimetype.assign,
# which maps .html to application/json.
# The statuses and details are app/cgi_env/front_errors.def, the list the
# service answers lighttpd's server.error-handler calls from, so that both give
# the same bytes. A line of it this script cannot read stops it.
set -eu
dir=${1:?usage: error-pages.sh DIR}
list=$(dirname "$0")/../app/cgi_env/front_errors.def
mkdir -p "$dir"
pages=0
while IFS= read -r line; do
	case $line in
	FRONT_ERROR*) ;;
	*) continue ;;
	esac
	# FRONT_ERROR(NNN, "detail"): three digits, then a detail without '"', '\' or control bytes.
	entry=$(printf '%s\n' "$line" | LC_ALL=C sed -n 's/^FRONT_ERROR(\([1-5][0-9][0-9]\), "\([^"\\[:cntrl:]]*\)")$/\1|\2/p')
	if [ -z "$entry" ]; then
		echo "error-pages.sh: $list: cannot read: $line" >&2
		exit 1
	fi
	printf '{"detail":"%s"}' "${entry#*|}" >"$dir/${entry%%|*}.html"
	pages=$((pages + 1))
done <"$list"
if [ "$pages" -eq 0 ]; then
	echo "error-pages.sh: $list: no FRONT_ERROR line" >&2
	exit 1
fi
