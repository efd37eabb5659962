#!/bin/sh
# deploy/lambda-zip.sh ZIP BOOTSTRAP DOCS_DIR
#
# Packages the Lambda bootstrap for the provided.al2023 runtime (x86_64):
#
#   bootstrap   the ELF executable itself, at the zip's root: no shell wrapper,
#               no bundled loader; it runs on the system's glibc (2.34 on
#               Amazon Linux 2023) and finds its other libraries in lib/
#               through its RUNPATH ($ORIGIN/lib)
#   lib/        the shared libraries it needs beyond glibc: libcjson (Debian
#               ships no static cJSON) and the compressors, libbrotlienc,
#               libbrotlicommon, libzstd, libz (docs/compression-cors.md); the
#               Runtime API client is lambda/http1.c, so no libcurl and its 30 libraries
#   docs/       the Swagger UI assets /docs serves (found beside the executable)
#
# Refuses to build a zip that would not start there: a binary or library
# asking for a glibc symbol newer than GLIBC_MAX (default 2.34), or a bootstrap
# without $ORIGIN/lib in its RUNPATH.
set -eu

if [ $# -ne 3 ]; then
	echo "usage: $0 ZIP BOOTSTRAP DOCS_DIR" >&2
	exit 2
fi
zip=$1 bin=$2 docs=$3
glibc_max=${GLIBC_MAX:-2.34}

stage=$(mktemp -d "${TMPDIR:-/tmp}/lambda-zip.XXXXXX")
trap 'rm -rf "$stage"' EXIT
mkdir -p "$stage/lib" "$stage/docs"

cp "$bin" "$stage/bootstrap"
strip --strip-unneeded "$stage/bootstrap"  # the debug info stays in the build
chmod 755 "$stage/bootstrap"
cp "$docs"/* "$stage/docs/"

if ! readelf -d "$bin" | grep -q 'R.*PATH.*\$ORIGIN/lib'; then
	echo "$0: $bin has no \$ORIGIN/lib RUNPATH: lib/ would not be searched" >&2
	exit 1
fi

# Every library ldd resolves ("name => /path (addr)") except glibc's own, which
# the target system provides.
ldd "$bin" | awk '$2 == "=>" && $3 ~ /^\// { print $3 }' |
	while IFS= read -r lib; do
		case ${lib##*/} in
		libc.so.* | libm.so.* | libpthread.so.* | libdl.so.* | librt.so.* | ld-linux*) ;;
		*) cp -L "$lib" "$stage/lib/" ;;
		esac
	done

# The newest glibc symbol version anything in the zip asks for.
newest=$(for f in "$stage/bootstrap" "$stage"/lib/*; do objdump -T "$f"; done |
	grep -o 'GLIBC_[0-9][0-9.]*' | sed 's/GLIBC_//' | sort -V | tail -n 1)
if [ "$(printf '%s\n%s\n' "$newest" "$glibc_max" | sort -V | tail -n 1)" != "$glibc_max" ]; then
	echo "$0: the zip needs GLIBC_$newest, newer than the target's $glibc_max" >&2
	exit 1
fi

rm -f "$zip"
mkdir -p "$(dirname "$zip")"
zip_abs=$(cd "$(dirname "$zip")" && pwd)/$(basename "$zip")
(cd "$stage" && zip -q -r -X "$zip_abs" bootstrap lib docs)
echo "$zip: $(du -k "$zip" | cut -f1) KiB; bootstrap $(du -k "$stage/bootstrap" | cut -f1) KiB," \
	"needs GLIBC_$newest; lib/: $(cd "$stage/lib" && ls | paste -sd ' ')"
