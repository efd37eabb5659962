# Answers on the wire (issue 23): compression (app/http/encoding.c, compress.c)
# and CORS (app/http/cors.c); their tests and benchmark (included by the Makefile).

# libapp.a compresses with brotli, zstd and zlib: every line that links it
# names $(CJSON_LIBS) after it, so the libraries go there (lazily expanded).
# libbrotlicommon is named too, kept by --no-as-needed (libbrotlienc needs it,
# the executable does not): a direct need of the executable is looked up
# through its RUNPATH, so the Lambda zip's bootstrap finds it in its own lib/
# (deploy/lambda-zip.sh) and not on the system.
COMPRESS_LIBS := $(call pkg_libs,libbrotlienc,-lbrotlienc) \
	-Wl,--push-state,--no-as-needed $(call pkg_libs,libbrotlicommon,-lbrotlicommon) -Wl,--pop-state \
	$(call pkg_libs,libzstd,-lzstd) $(call pkg_libs,zlib,-lz)
CJSON_LIBS += $(COMPRESS_LIBS)
# mk/structure.mk gives the unit tests their own CJSON_LIBS (:=, before this file).
$(UNIT_BIN): CJSON_LIBS += $(COMPRESS_LIBS)
# The unit tests decompress what the service compressed.
$(UNIT_BIN): CJSON_LIBS += $(call pkg_libs,libbrotlidec,-lbrotlidec)

# Bytes on the wire and CPU per request, identity vs each coding (bench/encoding.py;
# part of make bench, figures in docs/benchmarks.md and docs/lambda.md).
.PHONY: bench-encoding
bench-encoding: all docs-assets
	BUILD=$(BUILD) bench/encoding.sh
bench: bench-encoding

# The e2e scripts of this topic alone.
.PHONY: test-wire
test-wire: all docs-assets
	BUILD=$(BUILD) tests/e2e/compression.sh
	BUILD=$(BUILD) tests/e2e/cors.sh

# The accept_encoding fuzz harness decompresses too.
$(FUZZ_DIR)/accept_encoding: CJSON_LIBS += $(call pkg_libs,libbrotlidec,-lbrotlidec)
