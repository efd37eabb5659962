# make test and its parts, and the binaries with test-only hooks (included by the Makefile).

# The same FastCGI binary with its test hooks (-DFCGI_TEST_HOOKS: FCGI_TEST_DELAY_MS
# makes the handler late); the tests run it, make install never ships it.
FCGI_TEST_BIN := $(BUILD)/test-hooks/app.fcgi

# The bootstrap with test-only hooks (-DLAMBDA_TEST_HOOKS: a slow handler on demand),
# for the deadline test; built apart, never installed or zipped.
HOOKS_BUILD := $(BUILD)/testhooks
HOOKS_BIN   := $(HOOKS_BUILD)/bootstrap

# The in-memory transport and request runner the unit tests and fuzz harnesses share.
TEST_SUPPORT_SRC := $(wildcard tests/support/*.c)
UNIT_SRC := $(wildcard tests/unit/*.c) $(TEST_SUPPORT_SRC)
UNIT_BIN := $(BUILD)/tests/unit

# End-to-end tests: shell scripts that start real servers on loopback (tests/e2e/lib.sh).
# A script that also runs under ASan + UBSan (test-asan) or valgrind (test-valgrind) says
# so in a line of its own: `# make-test: asan valgrind=CGI_WRAPPER` (the variable that
# prefixes our binary with valgrind: CGI_WRAPPER, FCGI_WRAPPER or LAMBDA_WRAPPER).
# Only `+=` here: an `E2E_TESTS += ...` line in the Makefile, before or after the
# include of this file, adds to the list too.
E2E_TESTS += tests/e2e/cgi_shell.sh tests/e2e/cgi_tool.sh tests/e2e/cgi_lighttpd.sh
E2E_TESTS += tests/e2e/fcgi_lighttpd.sh tests/e2e/fcgi_nginx.sh tests/e2e/readme_nginx.sh tests/e2e/fcgi_standalone.sh
E2E_TESTS += tests/e2e/fcgi_same_as_cgi.sh tests/e2e/fcgi_faults.sh tests/e2e/fcgi_soak.sh
E2E_TESTS += tests/e2e/lighttpd_errors.sh tests/e2e/lighttpd_same.sh tests/e2e/access_log.sh
E2E_TESTS += tests/e2e/balancer.sh tests/e2e/docs_browser.sh
E2E_TESTS += tests/e2e/input_limits.sh
E2E_TESTS += tests/e2e/fcgi_lifecycle.sh tests/e2e/fcgi_controls.sh tests/e2e/fcgi_pool.sh tests/e2e/fcgi_fault_suite.sh
E2E_TESTS += tests/e2e/fcgi_no_truncation.sh tests/e2e/fcgi_log_buffer.sh
E2E_TESTS += tests/e2e/lambda_local_invoke.sh tests/e2e/lambda_emulator.sh
E2E_TESTS += tests/e2e/lambda_init_error.sh tests/e2e/lambda_settings.sh tests/e2e/lambda_rss.sh
E2E_TESTS += tests/e2e/make_run.py tests/image/deploy_files.py tests/e2e/bench_peer.sh
E2E_TESTS += tests/e2e/lambda_faults.sh tests/e2e/lambda_deadline.sh tests/e2e/lambda_differential.sh
E2E_TESTS += tests/e2e/lambda_http1.sh
E2E_TESTS += tests/e2e/lambda_trace_id.sh
E2E_TESTS += tests/e2e/fcgi_apache.sh
E2E_TESTS += tests/e2e/fcgi_timer_races.sh
E2E_TESTS += tests/e2e/lighttpd_body_limit.sh tests/e2e/lambda_redirect_host.sh
E2E_TESTS += tests/e2e/log_atomic.sh
E2E_TESTS += tests/e2e/fcgi_peers.sh tests/e2e/fcgi_races.sh
E2E_TESTS += tests/e2e/compression.sh tests/e2e/cors.sh
E2E_TESTS += tests/e2e/lambda_concurrency.sh
E2E_TESTS += tests/e2e/lambda_stream.sh
E2E_TESTS += tests/e2e/fcgi_overload.sh
E2E_TESTS += tests/e2e/fcgi_metrics.sh tests/e2e/metrics_emf.sh
E2E_TESTS += tests/e2e/trace_ids.sh
E2E_TESTS += tests/e2e/fcgi_stream.sh
E2E_TESTS += tests/e2e/lambda_pieces.sh
E2E_TESTS += tests/e2e/fcgi_stream_hostile.sh
E2E_TESTS += tests/e2e/emf_stall.sh tests/e2e/lighttpd_stamp.sh

# Derived from the markers, in E2E_TESTS order (`=`: E2E_TESTS += lines after this file count too).
E2E_ASAN     = $(shell grep -l '^# make-test:.* asan' $(E2E_TESTS))
# SCRIPT:valgrind=VARIABLE pairs.
E2E_VALGRIND = $(shell grep -H -o '^# make-test:.* valgrind=[A-Z_]*' $(E2E_TESTS) | sed 's/:# make-test:.* valgrind=/:/')
VALGRIND := valgrind -q --leak-check=full --errors-for-leak-kinds=all --error-exitcode=99

# One recipe line per test (make -n shows each).
define newline


endef

# Tests also include tests/support/.
$(BUILD)/obj/tests/%.o: ALL_CPPFLAGS += -iquote tests
$(BUILD)/test-hooks/obj/fcgi/%.o: ALL_CPPFLAGS += -iquote fcgi

$(BUILD)/test-hooks/obj/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CPPFLAGS) -DFCGI_TEST_HOOKS $(ALL_CFLAGS) -MMD -MP -c $< -o $@

$(FCGI_TEST_BIN): $(FCGI_SRC:%.c=$(BUILD)/test-hooks/obj/%.o) $(APP_LIB)
	$(CC) $(ALL_CFLAGS) $(ALL_LDFLAGS) $^ $(FCGI_LIBS) $(SYSTEMD_LIBS) $(CJSON_LIBS) -o $@

$(HOOKS_BUILD)/obj/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CPPFLAGS) -DLAMBDA_TEST_HOOKS $(ALL_CFLAGS) -MMD -MP -c $< -o $@

$(HOOKS_BIN): $(LAMBDA_SRC:%.c=$(HOOKS_BUILD)/obj/%.o) $(APP_LIB)
	$(CC) $(ALL_CFLAGS) $(ALL_LDFLAGS) $^ $(LAMBDA_LIBS) $(CJSON_LIBS) -o $@

$(UNIT_BIN): $(UNIT_SRC:%.c=$(BUILD)/obj/%.o) $(APP_LIB)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) $(ALL_LDFLAGS) $^ $(CJSON_LIBS) $(CRITERION_LIBS) -o $@

-include $(UNIT_SRC:%.c=$(BUILD)/obj/%.d) $(LAMBDA_SRC:%.c=$(HOOKS_BUILD)/obj/%.d) \
	$(FCGI_SRC:%.c=$(BUILD)/test-hooks/obj/%.d)

.PHONY: test test-layers test-unit test-e2e test-same-as-base test-asan test-valgrind test-hooks
# The binaries with test-only hooks (a late handler on demand), never installed.
test-hooks: $(HOOKS_BIN) $(FCGI_TEST_BIN)

test: test-layers test-unit test-e2e test-same-as-base test-asan test-valgrind test-fuzz test-cdk image-check

# No file in app/ includes a layer above its own (docs/architecture.md).
test-layers:
	tests/check_layers.sh app
	tests/check_layers_test.sh

# The unit tests read tests/spec_cases.tsv from the top of the repository.
# Under ASan, leaks inside Criterion itself are not ours (tests/unit/lsan.supp).
test-unit: $(UNIT_BIN)
	LSAN_OPTIONS=suppressions=$(abspath tests/unit/lsan.supp) $(UNIT_BIN) --jobs 2

test-e2e: all docs-assets test-hooks
	@set -e; for t in $(E2E_TESTS); do BUILD=$(BUILD) $$t; done

# The three binaries answer as those of SAME_AS_BASE_REV do, byte for byte: the
# commit that gave /openapi.json and the /docs files an ETag and Cache-Control
# (before it: the last commit before app/ was split into layers). Move it
# forward past a change that is meant to alter answers.
SAME_AS_BASE_REV ?= 4f1a3f37509e783c9f73d992611f4f7a27323c54
test-same-as-base: all docs-assets
	BUILD=$(BUILD) BASE_REV=$(SAME_AS_BASE_REV) tests/e2e/same_as_base.sh

# The unit tests and the CGI, FastCGI and Lambda tests that run our binaries directly
# (marked `asan`), again with ASan + UBSan.
test-asan:
	$(MAKE) SANITIZE=1 test-unit
	$(MAKE) SANITIZE=1 all docs-assets test-hooks
	$(foreach t,$(E2E_ASAN),BUILD=build/asan $(t)$(newline))

# CGI runs, the FastCGI manager and workers, and the Lambda runtime under valgrind (the
# tests marked `valgrind=VARIABLE`): no errors, no leaks.
test-valgrind: all docs-assets
	$(foreach t,$(E2E_VALGRIND),BUILD=$(BUILD) $(lastword $(subst :, ,$(t)))="$(VALGRIND)" $(firstword $(subst :, ,$(t)))$(newline))
