#!/bin/sh
# Fails when the object files of app/ call each other in a cycle: a.o uses a
# symbol b.o defines, and b.o (directly or through others) one a.o defines.
# The include check (check_layers.sh) cannot see this; the symbols can: for
# each object, nm lists what it defines and what it needs. Every edge
# "a.o needs b.o" goes to tsort(1), which names each loop it finds.
# usage: tests/check_cycles.sh [OBJDIR [OBJECT...]]   (default build/obj/app: make
# builds it; OBJECTs under OBJDIR: only those, not a stale one left in OBJDIR)
set -eu
dir=${1:-build/obj/app}
[ $# -gt 0 ] && shift
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT INT TERM

if [ $# -gt 0 ]; then
	printf '%s\n' "$@" | sort >"$tmp/objects"
else
	find "$dir" -name '*.o' | sort >"$tmp/objects"
fi
count=$(wc -l <"$tmp/objects")
if [ "$count" -eq 0 ]; then
	echo "check_cycles: no object files under $dir (build them first: make)" >&2
	exit 1
fi
# "symbol object" for every global symbol defined, and for every one needed.
while IFS= read -r o; do
	name=${o#"$dir"/}
	nm -g --defined-only "$o" | awk -v o="$name" 'NF == 3 { print $3, o }' >>"$tmp/defined"
	nm -u "$o" | awk -v o="$name" '{ print $NF, o }' >>"$tmp/needed"
done <"$tmp/objects"
touch "$tmp/defined" "$tmp/needed"
# The edges between two different objects: "needing defining".
awk 'NR == FNR { def[$1] = $2; next } ($1 in def) && def[$1] != $2 { print $2, def[$1] }' \
	"$tmp/defined" "$tmp/needed" | sort -u >"$tmp/edges"
# Each object is a node even without edges; tsort reports loops on stderr.
awk '{ print $0, $0 }' "$tmp/objects" | sed "s|$dir/||g" >>"$tmp/edges"
if ! tsort "$tmp/edges" >/dev/null 2>"$tmp/loops" || [ -s "$tmp/loops" ]; then
	echo "check_cycles: the objects of $dir call each other in a cycle:" >&2
	sed -e 's/^tsort: .*input contains a loop:$/  a loop:/' -e 's/^tsort: /    /' "$tmp/loops" >&2
	echo "check_cycles: break it (a caller passes a value or a function down; docs/architecture.md)" >&2
	exit 1
fi
echo "check_cycles: $count objects in $dir, $(awk '$1 != $2' "$tmp/edges" | wc -l) calls between them, no cycle"
