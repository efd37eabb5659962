# tests/unit/options_test.c checks fcgi/options.c (argv in, struct options out):
# the unit binary links it and the privileges.c it calls, and the test
# includes "options.h" from fcgi/.
$(UNIT_BIN): $(BUILD)/obj/fcgi/options.o $(BUILD)/obj/fcgi/manager/privileges.o
$(BUILD)/obj/tests/unit/options_test.o: ALL_CPPFLAGS += -iquote fcgi
