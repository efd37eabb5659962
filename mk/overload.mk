# Issue 22 (overload): tests/unit/queue_wait_test.c tests fcgi/worker/queue_wait.c
# (the stamps of --max-queue-wait): linked into the unit tests; the test includes
# "worker/queue_wait.h" from fcgi/. tests/e2e/fcgi_overload.sh is in E2E_TESTS (mk/test.mk).
$(UNIT_BIN): $(BUILD)/obj/fcgi/worker/queue_wait.o
$(BUILD)/obj/tests/unit/queue_wait_test.o: ALL_CPPFLAGS += -iquote fcgi

# lighttpd's REQUEST_START stamp for --max-queue-wait (mod_magnet; off unless
# lighttpd.conf attracts it: docs/fcgi-manager.md), installed beside lighttpd.conf.
.PHONY: install-lighttpd-stamp
install: install-lighttpd-stamp
install-lighttpd-stamp:
	install -d $(DESTDIR)$(PREFIX)/lib/math-service
	install -m 644 deploy/lighttpd-request-start.lua $(DESTDIR)$(PREFIX)/lib/math-service/
