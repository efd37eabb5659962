# Issue 25's hot path: tests/unit/worker_params_test.c checks fcgi/worker/params.c
# (the one pass over the FastCGI parameters): the unit binary links it.
$(UNIT_BIN): $(BUILD)/obj/fcgi/worker/params.o
$(BUILD)/obj/tests/unit/worker_params_test.o: ALL_CPPFLAGS += -iquote fcgi
