# Issue 24 (structure): the unit tests' system-call shims, the FastCGI log
# gathering linked into the unit tests, and the call-cycle check.

# tests/unit/sysio_test.c makes interrupted and short reads and writes on purpose.
$(UNIT_BIN): ALL_LDFLAGS += -Wl,--wrap=write -Wl,--wrap=read
