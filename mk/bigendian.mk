# The access line's escaper on a big-endian machine: s390x under qemu-user,
# built by Debian's cross compiler (TEST_PKGS), compared byte for byte with this
# machine's output (tests/bigendian/escape_be.sh). Part of make test.
.PHONY: test-bigendian
test: test-bigendian
test-bigendian:
	tests/bigendian/escape_be.sh
