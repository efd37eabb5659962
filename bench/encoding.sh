#!/bin/sh
# make bench-encoding: bench/encoding.py over the built binaries (see its docstring).
set -eu
BUILD=${BUILD:-build}
echo "== compression: bytes and CPU per request, identity vs br, zstd, gzip (bench/encoding.py)"
exec python3 "$(dirname "$0")/encoding.py" "$BUILD"
