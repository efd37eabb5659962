# Response streaming (issue 23): the test-only route GET /__test/stream
# (tests/hooks/stream_route.c), linked into the test-hooks builds only, and
# its end-to-end test (included by the Makefile).
STREAM_ROUTE_OBJ := $(BUILD)/obj/tests/hooks/stream_route.o

$(FCGI_TEST_BIN): $(STREAM_ROUTE_OBJ)
$(HOOKS_BIN): $(STREAM_ROUTE_OBJ)
$(BUILD)/test-hooks/obj/fcgi/test_hooks.o $(HOOKS_BUILD)/obj/lambda/test_hooks.o: ALL_CPPFLAGS += -iquote tests
-include $(STREAM_ROUTE_OBJ:.o=.d)
