# Issue 24 (structure): the unit tests' system-call shims, the FastCGI log
# gathering linked into the unit tests, and the call-cycle check.

# tests/unit/sysio_test.c makes interrupted and short reads and writes on purpose.
$(UNIT_BIN): ALL_LDFLAGS += -Wl,--wrap=write -Wl,--wrap=read

# tests/unit/log_gather_test.c tests fcgi/worker/log_gather.c (no libfcgi in it):
# linked into the unit tests, before libapp.a once more for what it needs there.
UNIT_FCGI_OBJ := $(BUILD)/obj/fcgi/worker/log_gather.o
$(UNIT_BIN): $(UNIT_FCGI_OBJ)
$(UNIT_BIN): CJSON_LIBS := $(APP_LIB) $(CJSON_LIBS)
$(BUILD)/obj/tests/unit/log_gather_test.o: ALL_CPPFLAGS += -iquote fcgi

# No call cycles between the objects of app/ (nm; tests/check_cycles.sh), and
# the check's self-test (it must fail on a planted cycle). Part of test-layers.
.PHONY: test-cycles
test-layers: test-cycles
test-cycles: $(APP_OBJ)
	@echo "tests/check_cycles.sh $(BUILD)/obj/app (the objects of APP_OBJ)"
	@tests/check_cycles.sh $(BUILD)/obj/app $(APP_OBJ)
	tests/check_cycles_test.sh $(BUILD)/obj/app
