#!/bin/sh
# Fails when a file in app/ includes a layer above its own, or a transport
# library. The layers, lowest first (docs/architecture.md):
#   core          <- http <- service <- cgi_env
#                                     <- lambda_events
# A file may include its own folder and the folders below it; cgi_env and
# lambda_events (the two adapters) never include each other. No file in app/
# includes libfcgi or libcurl: moving bytes is the job of fcgi/ and lambda/.
set -eu
root=${1:-app}

allowed() { # allowed LAYER: the folders LAYER may include
	case $1 in
	core) echo "core" ;;
	http) echo "core http" ;;
	service) echo "core http service" ;;
	cgi_env) echo "core http service cgi_env" ;;
	lambda_events) echo "core http service lambda_events" ;;
	*) return 1 ;;
	esac
}

bad=0 checked=0
for dir in "$root"/*/; do
	layer=$(basename "$dir")
	if ! ok=$(allowed "$layer"); then
		echo "check_layers: $dir is not a known layer (core http service cgi_env lambda_events)" >&2
		bad=$((bad + 1))
		continue
	fi
	for f in "$dir"*.c "$dir"*.h; do
		[ -e "$f" ] || continue
		checked=$((checked + 1))
		# Every quoted include names its folder: "core/str.h".
		grep -n '^[[:space:]]*#[[:space:]]*include[[:space:]]*"' "$f" | while IFS= read -r line; do
			target=$(printf '%s\n' "$line" | sed 's/.*include[[:space:]]*"\([^"]*\)".*/\1/')
			case $target in
			*/*) folder=${target%%/*} ;;
			*) echo "$f: ${line%%:*}: #include \"$target\" does not name its layer (write \"$layer/$target\")"; continue ;;
			esac
			case " $ok " in
			*" $folder "*) ;;
			*) echo "$f: ${line%%:*}: $layer may not include \"$target\" (allowed: $ok)" ;;
			esac
		done
		grep -n '^[[:space:]]*#[[:space:]]*include[[:space:]]*<\(fcgiapp\|fcgi_stdio\|fcgios\|curl/\)' "$f" |
			sed "s|^\([0-9]*\):.*|$f: \1: app/ may not include a transport library (fcgi/ and lambda/ do that)|"
	done
done >"${TMPDIR:-/tmp}/check_layers.$$"
if [ -s "${TMPDIR:-/tmp}/check_layers.$$" ]; then
	cat "${TMPDIR:-/tmp}/check_layers.$$" >&2
	bad=$((bad + $(wc -l <"${TMPDIR:-/tmp}/check_layers.$$")))
fi
rm -f "${TMPDIR:-/tmp}/check_layers.$$"
if [ "$checked" -eq 0 ]; then
	echo "check_layers: no source files under $root" >&2
	exit 1
fi
if [ "$bad" -ne 0 ]; then
	echo "check_layers: $bad problem(s) in $checked files" >&2
	exit 1
fi
echo "check_layers: $checked files in $root, no include goes up a layer"
