# Issue 22 (overload): tests/unit/queue_wait_test.c tests fcgi/worker/queue_wait.c
# (the stamps of --max-queue-wait): linked into the unit tests; the test includes
# "worker/queue_wait.h" from fcgi/. tests/e2e/fcgi_overload.sh is in E2E_TESTS (mk/test.mk).
$(UNIT_BIN): $(BUILD)/obj/fcgi/worker/queue_wait.o
$(BUILD)/obj/tests/unit/queue_wait_test.o: ALL_CPPFLAGS += -iquote fcgi
