# Issue 22 (overload): tests/unit/queue_wait_test.c tests fcgi/worker/queue_wait.c
# (the stamps of --max-queue-wait): linked into the unit tests; the test includes
# "worker/queue_wait.h" from fcgi/. tests/e2e/fcgi_overload.sh is in E2E_TESTS (mk/test.mk).
$(UNIT_BIN): $(BUILD)/obj/fcgi/worker/queue_wait.o
$(BUILD)/obj/tests/unit/queue_wait_test.o: ALL_CPPFLAGS += -iquote fcgi

# lighttpd's REQUEST_START stamp for --max-queue-wait (mod_magnet), which
# lighttpd.conf runs from its APP_DIR when FCGI_MAX_QUEUE_WAIT is set
# (docs/fcgi-manager.md): copied into the build directories lighttpd.conf is run
# from (make run: $(BUILD); the tests: $(BUILD)/test-hooks too) and installed
# beside app.fcgi. What it costs lighttpd: make bench-lighttpd-stamp (callgrind).
all: $(BUILD)/lighttpd-request-start.lua
test-hooks: $(BUILD)/test-hooks/lighttpd-request-start.lua
$(BUILD)/lighttpd-request-start.lua $(BUILD)/test-hooks/lighttpd-request-start.lua: deploy/lighttpd-request-start.lua
	@mkdir -p $(@D)
	cp $< $@

.PHONY: bench-lighttpd-stamp
bench-lighttpd-stamp: all docs-assets
	BUILD=$(BUILD) bench/lighttpd_stamp_cost.sh

.PHONY: install-lighttpd-stamp
install: install-lighttpd-stamp
install-lighttpd-stamp:
	install -d $(DESTDIR)$(PREFIX)/lib/math-service
	install -m 644 deploy/lighttpd-request-start.lua $(DESTDIR)$(PREFIX)/lib/math-service/
