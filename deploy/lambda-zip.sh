#!/bin/sh
# deploy/lambda-zip.sh ZIP BOOTSTRAP DOCS_DIR
#
# Packages the Lambda bootstrap for the provided.al2023 runtime (or any
# x86_64 Linux with /bin/sh): Amazon Linux 2023 has an older glibc than
# Debian 12 and no libcjson, and Debian ships no static libcurl closure, so
# the binary travels with every shared library it loads, glibc's own loader
# included, and is started through that loader:
#
#   bootstrap       sh wrapper at the zip's root (what Lambda runs)
#   bin/bootstrap   the ELF executable, unchanged
#   lib/            its libraries, as resolved by ldd on the build machine
#   docs/           the Swagger UI assets /docs serves (DOCS_DIR)
set -eu

if [ $# -ne 3 ]; then
	echo "usage: $0 ZIP BOOTSTRAP DOCS_DIR" >&2
	exit 2
fi
zip=$1 bin=$2 docs=$3

stage=$(mktemp -d "${TMPDIR:-/tmp}/lambda-zip.XXXXXX")
trap 'rm -rf "$stage"' EXIT
mkdir -p "$stage/bin" "$stage/lib" "$stage/docs"

cp "$bin" "$stage/bin/bootstrap"
chmod 755 "$stage/bin/bootstrap"
cp "$docs"/* "$stage/docs/"

# Every library ldd resolves ("name => /path (addr)"), and the loader
# ("/lib64/ld-linux-x86-64.so.2 (addr)"); linux-vdso has no file.
ldd "$bin" | awk '$2 == "=>" && $3 ~ /^\// { print $3 } $1 ~ /^\// { print $1 }' |
	while IFS= read -r lib; do
		cp -L "$lib" "$stage/lib/"
	done
interp=$(basename "$(readelf -l "$bin" | sed -n 's/.*Requesting program interpreter: \(.*\)]/\1/p')")
if [ ! -x "$stage/lib/$interp" ]; then
	echo "$0: the program interpreter $interp was not found by ldd" >&2
	exit 1
fi

cat >"$stage/bootstrap" <<WRAPPER
#!/bin/sh
# Lambda runs this; it starts bin/bootstrap with the libraries shipped beside
# it (glibc's loader too), so the host needs nothing but a kernel and sh.
case \$0 in
*/*) here=\${0%/*} ;;
*) here=. ;;
esac
# The loader is the process image, so /docs cannot be found beside it.
export DOCS_DIR="\${DOCS_DIR:-\$here/docs}"
exec "\$here/lib/$interp" --library-path "\$here/lib" "\$here/bin/bootstrap" "\$@"
WRAPPER
chmod 755 "$stage/bootstrap"

rm -f "$zip"
mkdir -p "$(dirname "$zip")"
zip_abs=$(cd "$(dirname "$zip")" && pwd)/$(basename "$zip")
(cd "$stage" && zip -q -r -X "$zip_abs" bootstrap bin lib docs)
echo "$zip: $(du -k "$zip" | cut -f1) KiB, $(find "$stage/lib" -type f | wc -l) libraries"
