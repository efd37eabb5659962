# One service, three targets (CGI, FastCGI, Lambda) over one shared layer in app/.
# `make help` lists the targets.

# ---- variables ------------------------------------------------------------

CC       ?= cc
PREFIX   ?= /usr/local
DESTDIR  ?=
# SANITIZE=1 builds everything with ASan + UBSan into build/asan/.
SANITIZE ?=

BUILD    := build
SAN_FLAGS :=
ifeq ($(SANITIZE),1)
BUILD    := build/asan
SAN_FLAGS := -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all
endif

CFLAGS   ?= -O2 -g
CFLAGS   += -std=c11 -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes $(SAN_FLAGS)
CPPFLAGS += -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE -iquote app
LDFLAGS  += $(SAN_FLAGS)

CJSON_LIBS := -lcjson

# Debian packages every target, test and tool needs (make deps).
DEPS_PKGS := gcc make pkg-config ca-certificates curl \
	libcjson-dev libfcgi-dev libcurl4-openssl-dev libcriterion-dev \
	lighttpd spawn-fcgi nginx-light libfcgi-bin procps iproute2 \
	valgrind clang libclang-rt-14-dev \
	wrk python3-fastapi python3-uvicorn \
	podman runc debootstrap uidmap zip \
	python3-yaml unzip faketime

APP_SRC  := $(wildcard app/*.c)
APP_OBJ  := $(APP_SRC:%.c=$(BUILD)/obj/%.o)
APP_LIB  := $(BUILD)/libapp.a

CGI_BIN  := $(BUILD)/app.cgi

FCGI_SRC  := $(wildcard fcgi/*.c)
FCGI_BIN  := $(BUILD)/app.fcgi
FCGI_LIBS := -lfcgi

# The same FastCGI binary with its test hooks (-DFCGI_TEST_HOOKS: FCGI_TEST_DELAY_MS
# makes the handler late); the tests run it, make install never ships it.
FCGI_TEST_BIN := $(BUILD)/test-hooks/app.fcgi

LAMBDA_SRC  := $(wildcard lambda/*.c)
LAMBDA_BIN  := $(BUILD)/bootstrap
LAMBDA_LIBS := -lcurl

UNIT_SRC := $(wildcard tests/unit/*.c)
UNIT_BIN := $(BUILD)/tests/unit

# Swagger UI files /docs serves, from the npm package swagger-ui-dist.
DOCS_ASSETS := swagger-ui.css swagger-ui-bundle.js favicon-32x32.png
DOCS_OUT    := $(addprefix $(BUILD)/docs/,$(DOCS_ASSETS))

BINS := $(CGI_BIN)
BINS += $(FCGI_BIN)
BINS += $(LAMBDA_BIN)

# End-to-end tests: shell scripts that start real servers on loopback (tests/e2e/lib.sh).
E2E_TESTS := tests/e2e/cgi_shell.sh tests/e2e/cgi_lighttpd.sh
E2E_TESTS += tests/e2e/fcgi_lighttpd.sh tests/e2e/fcgi_nginx.sh tests/e2e/fcgi_standalone.sh
E2E_TESTS += tests/e2e/fcgi_same_as_cgi.sh tests/e2e/fcgi_faults.sh tests/e2e/fcgi_lifecycle.sh
E2E_TESTS += tests/e2e/fcgi_controls.sh tests/e2e/fcgi_pool.sh tests/e2e/fcgi_fault_suite.sh
E2E_TESTS += tests/e2e/fcgi_soak.sh
E2E_TESTS += tests/e2e/lambda_local_invoke.sh tests/e2e/lambda_emulator.sh
E2E_TESTS += tests/e2e/lambda_init_error.sh tests/e2e/lambda_rss.sh

PORT ?= 8080

# The Lambda deployment package: bootstrap at the root, its libraries beside it.
LAMBDA_ZIP := $(BUILD)/lambda.zip

# ---- default target -------------------------------------------------------

.PHONY: all
all: $(BINS) $(DOCS_OUT)

# ---- artefacts ------------------------------------------------------------

$(BUILD)/obj/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(CFLAGS) -MMD -MP -c $< -o $@

$(APP_LIB): $(APP_OBJ)
	@mkdir -p $(dir $@)
	rm -f $@
	$(AR) rcs $@ $^

$(CGI_BIN): $(BUILD)/obj/cgi/main.o $(APP_LIB)
	$(CC) $(LDFLAGS) $^ $(CJSON_LIBS) -o $@

$(FCGI_BIN): $(FCGI_SRC:%.c=$(BUILD)/obj/%.o) $(APP_LIB)
	$(CC) $(LDFLAGS) $^ $(FCGI_LIBS) $(CJSON_LIBS) -o $@

$(BUILD)/test-hooks/obj/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) -DFCGI_TEST_HOOKS $(CFLAGS) -MMD -MP -c $< -o $@

$(FCGI_TEST_BIN): $(FCGI_SRC:%.c=$(BUILD)/test-hooks/obj/%.o) $(APP_LIB)
	$(CC) $(LDFLAGS) $^ $(FCGI_LIBS) $(CJSON_LIBS) -o $@

$(LAMBDA_BIN): $(LAMBDA_SRC:%.c=$(BUILD)/obj/%.o) $(APP_LIB)
	$(CC) $(LDFLAGS) $^ $(LAMBDA_LIBS) $(CJSON_LIBS) -o $@

$(UNIT_BIN): $(UNIT_SRC:%.c=$(BUILD)/obj/%.o) $(APP_LIB)
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) $^ $(CJSON_LIBS) -lcriterion -o $@

$(BUILD)/docs/%: node_modules/swagger-ui-dist/%
	@mkdir -p $(dir $@)
	cp $< $@

$(LAMBDA_ZIP): $(LAMBDA_BIN) $(DOCS_OUT) deploy/lambda-zip.sh
	deploy/lambda-zip.sh $@ $(LAMBDA_BIN) $(BUILD)/docs

node_modules/swagger-ui-dist/%: package-lock.json
	@test -f $@ || { echo "missing $@: run 'make deps' (npm ci)" >&2; exit 1; }

-include $(shell find $(BUILD)/obj $(BUILD)/test-hooks/obj -name '*.d' 2>/dev/null)

# ---- fuzzing (libFuzzer + ASan + UBSan; harnesses in tests/fuzz/, seeds in tests/fuzz/corpus/) ----

FUZZ_CC       ?= clang
FUZZ_SECONDS  ?= 300
# make test runs each harness over its seed corpus, then mutates for this long.
FUZZ_TEST_SECONDS ?= 5
FUZZ_DIR      := build/fuzz
FUZZ_FLAGS    := -g -O1 -fno-omit-frame-pointer -fsanitize=address,undefined -fno-sanitize-recover=all
FUZZ_NAMES    := $(basename $(notdir $(wildcard tests/fuzz/*.c)))
FUZZ_BINS     := $(addprefix $(FUZZ_DIR)/,$(FUZZ_NAMES))
FUZZ_APP_OBJ  := $(APP_SRC:%.c=$(FUZZ_DIR)/obj/%.o)
# Seeds: tests/fuzz/corpus/NAME, plus the real event documents for the Lambda harness.
FUZZ_SEEDS_lambda_event := tests/events
fuzz_seeds = tests/fuzz/corpus/$(1) $(FUZZ_SEEDS_$(1))
fuzz_dict  = $(if $(wildcard tests/fuzz/$(1).dict),-dict=tests/fuzz/$(1).dict)

$(FUZZ_DIR)/obj/%.o: %.c
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(CPPFLAGS) -iquote tests/fuzz -std=c11 -Wall -Wextra -Werror $(FUZZ_FLAGS) \
		-fsanitize=fuzzer-no-link -MMD -MP -c $< -o $@

$(FUZZ_BINS): $(FUZZ_DIR)/%: $(FUZZ_DIR)/obj/tests/fuzz/%.o $(FUZZ_APP_OBJ)
	$(FUZZ_CC) $(FUZZ_FLAGS) -fsanitize=fuzzer $^ $(CJSON_LIBS) -o $@

-include $(shell find $(FUZZ_DIR)/obj -name '*.d' 2>/dev/null)

.PHONY: fuzz-build fuzz test-fuzz
fuzz-build: $(FUZZ_BINS)

# Each harness for FUZZ_SECONDS; new inputs go to build/fuzz/corpus/, findings to build/fuzz/findings/.
# `make -j2 fuzz` runs two at a time.
fuzz: $(addprefix fuzz-,$(FUZZ_NAMES))
fuzz-%: $(FUZZ_DIR)/%
	@mkdir -p $(FUZZ_DIR)/corpus/$* $(FUZZ_DIR)/findings
	$< -max_total_time=$(FUZZ_SECONDS) -print_final_stats=1 -artifact_prefix=$(FUZZ_DIR)/findings/$*- \
		$(call fuzz_dict,$*) $(FUZZ_DIR)/corpus/$* $(call fuzz_seeds,$*)

# Every seed, then FUZZ_TEST_SECONDS of mutation, from a fresh corpus each time.
test-fuzz: $(addprefix test-fuzz-,$(FUZZ_NAMES))
test-fuzz-%: $(FUZZ_DIR)/%
	@rm -rf $(FUZZ_DIR)/test-corpus/$*; mkdir -p $(FUZZ_DIR)/test-corpus/$* $(FUZZ_DIR)/findings
	@echo "fuzz $*: seed corpus + $(FUZZ_TEST_SECONDS)s"
	@$< -max_total_time=$(FUZZ_TEST_SECONDS) -artifact_prefix=$(FUZZ_DIR)/findings/$*- $(call fuzz_dict,$*) \
		$(FUZZ_DIR)/test-corpus/$* $(call fuzz_seeds,$*) 2>$(FUZZ_DIR)/test-$*.log \
		|| { tail -40 $(FUZZ_DIR)/test-$*.log >&2; exit 1; }
	@grep -h 'INITED\|^Done' $(FUZZ_DIR)/test-$*.log

# ---- benchmarks (bench/run.sh: side by side on loopback; table + build/bench.json) ----

# Where the reference FastAPI app lives (SHARED_DIR/reference/main.py).
SHARED_DIR ?= ../shared
BENCH_EXEC_LOOP := $(BUILD)/bench/exec_loop

$(BENCH_EXEC_LOOP): bench/exec_loop.c
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(CFLAGS) $(LDFLAGS) $< -o $@

.PHONY: bench
bench: all $(BENCH_EXEC_LOOP)
	BUILD=$(BUILD) SHARED_DIR=$(SHARED_DIR) bench/run.sh

# ---- commands -------------------------------------------------------------

.PHONY: help
help:
	@echo "make            build the targets into $(BUILD)/"
	@echo "make deps       install the Debian packages and npm assets needed (root)"
	@echo "make test       unit tests, then end-to-end tests with real servers"
	@echo "make run        start the service on http://127.0.0.1:$${PORT:-8080}/"
	@echo "                (lighttpd + FastCGI with lighttpd.conf)"
	@echo "make run-cgi    the same port, lighttpd + CGI (deploy/lighttpd-cgi.conf)"
	@echo "make bench-lambda  Lambda bootstrap: adapter cost per invocation, start to first /next"
	@echo "make install    install into \$$DESTDIR\$$PREFIX (default /usr/local)"
	@echo "make clean      remove build/"
	@echo "make lambda-zip $(LAMBDA_ZIP) for the provided.al2023 runtime"
	@echo "make image-check  build the Dockerfile with podman, run it in ECS and Lambda mode (part of make test)"
	@echo "SANITIZE=1      build (and test) with ASan + UBSan in build/asan/"
	@echo "make bench      FastCGI vs static vs CGI vs FastAPI (wrk), CGI exec cost, Lambda, RSS, sizes"
	@echo "make fuzz       run each libFuzzer harness for FUZZ_SECONDS (300) under ASan+UBSan (-j2 ok)"
	@echo "make test-fuzz  run each harness over its seed corpus plus FUZZ_TEST_SECONDS (part of make test)"
	@echo "make test-hooks $(FCGI_TEST_BIN): app.fcgi with FCGI_TEST_DELAY_MS, for the tests only"

.PHONY: deps
deps:
	DEBIAN_FRONTEND=noninteractive apt-get update -q
	DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends $(DEPS_PKGS) </dev/null
	command -v npm >/dev/null || DEBIAN_FRONTEND=noninteractive apt-get install -y -q npm </dev/null
	npm ci --ignore-scripts --no-audit --no-fund </dev/null

.PHONY: test test-unit test-e2e test-asan test-valgrind
test: test-unit test-e2e test-asan test-valgrind test-fuzz

test-unit: $(UNIT_BIN)
	$(UNIT_BIN) --jobs 2

.PHONY: test-hooks
test-hooks: $(FCGI_TEST_BIN)

test-e2e: all test-hooks
	@set -e; for t in $(E2E_TESTS); do BUILD=$(BUILD) $$t; done

# The unit tests and the CGI, FastCGI and Lambda tests that run our binaries directly, again with ASan + UBSan.
test-asan:
	$(MAKE) SANITIZE=1 test-unit
	$(MAKE) SANITIZE=1 all test-hooks
	BUILD=build/asan tests/e2e/cgi_shell.sh
	BUILD=build/asan tests/e2e/fcgi_standalone.sh
	BUILD=build/asan tests/e2e/fcgi_faults.sh
	BUILD=build/asan tests/e2e/fcgi_lifecycle.sh
	BUILD=build/asan tests/e2e/fcgi_controls.sh
	BUILD=build/asan tests/e2e/fcgi_pool.sh
	BUILD=build/asan tests/e2e/fcgi_same_as_cgi.sh
	BUILD=build/asan tests/e2e/lambda_local_invoke.sh
	BUILD=build/asan tests/e2e/lambda_emulator.sh

# CGI runs, the FastCGI manager and workers, and the Lambda runtime under valgrind: no errors, no leaks.
test-valgrind: all
	BUILD=$(BUILD) CGI_WRAPPER="valgrind -q --leak-check=full --errors-for-leak-kinds=all --error-exitcode=99" \
		tests/e2e/cgi_shell.sh
	BUILD=$(BUILD) FCGI_WRAPPER="valgrind -q --leak-check=full --errors-for-leak-kinds=all --error-exitcode=99" \
		tests/e2e/fcgi_standalone.sh
	BUILD=$(BUILD) LAMBDA_WRAPPER="valgrind -q --leak-check=full --errors-for-leak-kinds=all --error-exitcode=99" \
		tests/e2e/lambda_emulator.sh

# Lambda runtime figures (bench/lambda.py --json for machine-readable output).
.PHONY: bench-lambda
bench-lambda: $(LAMBDA_BIN)
	python3 bench/lambda.py --bootstrap $(LAMBDA_BIN)

.PHONY: run run-cgi
run: all
	@echo "serving http://127.0.0.1:$(PORT)/ (lighttpd + FastCGI; try /docs); Ctrl-C stops"
	PORT=$(PORT) BIND=127.0.0.1 APP_DIR=$(abspath $(BUILD)) lighttpd -D -f lighttpd.conf

run-cgi: all
	@mkdir -p $(BUILD)/run/www
	@echo "serving http://127.0.0.1:$(PORT)/cgi-bin/app.cgi/ (try /cgi-bin/app.cgi/docs); Ctrl-C stops"
	PORT=$(PORT) CGI_DIR=$(abspath $(BUILD)) DOC_ROOT=$(abspath $(BUILD))/run/www ACCESS_LOG=/dev/stderr \
		APP_MAX_BODY_BYTES=$${APP_MAX_BODY_BYTES-} EXECUTION_ENVIRONMENT=$${EXECUTION_ENVIRONMENT-} \
		lighttpd -D -f deploy/lighttpd-cgi.conf

.PHONY: install
install: all
	install -d $(DESTDIR)$(PREFIX)/lib/math-service/docs
	install -m 755 $(BINS) $(DESTDIR)$(PREFIX)/lib/math-service/
	install -m 644 $(DOCS_OUT) $(DESTDIR)$(PREFIX)/lib/math-service/docs/
	install -m 644 lighttpd.conf $(DESTDIR)$(PREFIX)/lib/math-service/

.PHONY: lambda-zip image-check
lambda-zip: $(LAMBDA_ZIP)

# The real image, built and run with podman (tests/image/); make test runs it.
image-check: all $(LAMBDA_ZIP)
	BUILD=$(BUILD) tests/image/image_check.sh
	BUILD=$(BUILD) tests/image/lambda_zip.sh

test: image-check

.PHONY: clean
clean:
	rm -rf build
