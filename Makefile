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

# CFLAGS, CPPFLAGS and LDFLAGS are the user's (make CFLAGS=-O0 keeps everything
# below). What the code needs to build at all, and hardening, are kept apart.
CFLAGS   ?= -O2 -g
REQ_CFLAGS   := -std=c11 -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes
REQ_CPPFLAGS := -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE -iquote app
# _FORTIFY_SOURCE needs optimisation: glibc warns (an error here) without it.
HARDEN_CPPFLAGS := $(if $(filter -O0,$(CFLAGS)),,-D_FORTIFY_SOURCE=2)
HARDEN_CFLAGS   := -fstack-protector-strong -fPIE
HARDEN_LDFLAGS  := -pie -Wl,-z,relro,-z,now
ALL_CPPFLAGS := $(REQ_CPPFLAGS) $(HARDEN_CPPFLAGS) $(CPPFLAGS)
ALL_CFLAGS   := $(REQ_CFLAGS) $(HARDEN_CFLAGS) $(SAN_FLAGS) $(CFLAGS)
ALL_LDFLAGS  := $(HARDEN_LDFLAGS) $(SAN_FLAGS) $(LDFLAGS)

# Library flags from pkg-config (each of these ships a .pc file in Debian).
PKG_CONFIG ?= pkg-config
pkg_libs    = $(shell $(PKG_CONFIG) --libs $(1) 2>/dev/null || echo $(2))
CJSON_LIBS     := $(call pkg_libs,libcjson,-lcjson)
FCGI_LIBS      := $(call pkg_libs,fcgi,-lfcgi)
LAMBDA_LIBS    := $(call pkg_libs,libcurl,-lcurl)
CRITERION_LIBS := $(call pkg_libs,criterion,-lcriterion)

# Debian packages every target, test and tool needs (make deps).
DEPS_PKGS := gcc make pkg-config ca-certificates curl \
	libcjson-dev libfcgi-dev libcurl4-openssl-dev libcriterion-dev \
	lighttpd spawn-fcgi nginx-light libfcgi-bin procps iproute2 \
	valgrind clang libclang-rt-14-dev \
	wrk python3-fastapi python3-uvicorn \
	podman runc debootstrap uidmap zip \
	python3-yaml unzip

# app/ in layers, lowest first: core, http, service, then the adapters
# cgi_env and lambda_events (docs/architecture.md; tests/check_layers.sh).
APP_SRC  := $(wildcard app/*/*.c)
APP_OBJ  := $(APP_SRC:%.c=$(BUILD)/obj/%.o)
APP_LIB  := $(BUILD)/libapp.a

CGI_BIN  := $(BUILD)/app.cgi

FCGI_SRC  := $(wildcard fcgi/*.c)
FCGI_BIN  := $(BUILD)/app.fcgi

LAMBDA_SRC  := $(wildcard lambda/*.c)
LAMBDA_BIN  := $(BUILD)/bootstrap

# The in-memory transport and request runner the unit tests and fuzz harnesses share.
TEST_SUPPORT_SRC := $(wildcard tests/support/*.c)
UNIT_SRC := $(wildcard tests/unit/*.c) $(TEST_SUPPORT_SRC)
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
E2E_TESTS += tests/e2e/fcgi_same_as_cgi.sh tests/e2e/fcgi_faults.sh tests/e2e/fcgi_soak.sh
E2E_TESTS += tests/e2e/fcgi_no_truncation.sh
E2E_TESTS += tests/e2e/lambda_local_invoke.sh tests/e2e/lambda_emulator.sh
E2E_TESTS += tests/e2e/lambda_init_error.sh tests/e2e/lambda_rss.sh

PORT ?= 8080

# The Lambda deployment package: bootstrap at the root, its libraries beside it.
LAMBDA_ZIP := $(BUILD)/lambda.zip

# ---- default target -------------------------------------------------------

# The binaries only: a fresh clone builds without npm. /docs needs docs-assets
# (make deps installs them); make run and make test depend on it.
.PHONY: all docs-assets
all: $(BINS)
docs-assets: $(DOCS_OUT)

# ---- artefacts ------------------------------------------------------------

$(BUILD)/obj/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CPPFLAGS) $(ALL_CFLAGS) -MMD -MP -c $< -o $@

# Tests and fuzz harnesses also include tests/support/.
$(BUILD)/obj/tests/%.o: ALL_CPPFLAGS += -iquote tests

$(APP_LIB): $(APP_OBJ)
	@mkdir -p $(dir $@)
	rm -f $@
	$(AR) rcs $@ $^

$(CGI_BIN): $(BUILD)/obj/cgi/main.o $(APP_LIB)
	$(CC) $(ALL_CFLAGS) $(ALL_LDFLAGS) $^ $(CJSON_LIBS) -o $@

$(FCGI_BIN): $(FCGI_SRC:%.c=$(BUILD)/obj/%.o) $(APP_LIB)
	$(CC) $(ALL_CFLAGS) $(ALL_LDFLAGS) $^ $(FCGI_LIBS) $(CJSON_LIBS) -o $@

$(LAMBDA_BIN): $(LAMBDA_SRC:%.c=$(BUILD)/obj/%.o) $(APP_LIB)
	$(CC) $(ALL_CFLAGS) $(ALL_LDFLAGS) $^ $(LAMBDA_LIBS) $(CJSON_LIBS) -o $@

$(UNIT_BIN): $(UNIT_SRC:%.c=$(BUILD)/obj/%.o) $(APP_LIB)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) $(ALL_LDFLAGS) $^ $(CJSON_LIBS) $(CRITERION_LIBS) -o $@

$(BUILD)/docs/%: node_modules/swagger-ui-dist/%
	@mkdir -p $(dir $@)
	cp $< $@

$(LAMBDA_ZIP): $(LAMBDA_BIN) $(DOCS_OUT) deploy/lambda-zip.sh
	deploy/lambda-zip.sh $@ $(LAMBDA_BIN) $(BUILD)/docs

node_modules/swagger-ui-dist/%: package-lock.json
	@test -f $@ || { echo "missing $@: run 'make deps' (npm ci)" >&2; exit 1; }

ALL_OBJ := $(APP_OBJ) $(BUILD)/obj/cgi/main.o $(FCGI_SRC:%.c=$(BUILD)/obj/%.o) \
	$(LAMBDA_SRC:%.c=$(BUILD)/obj/%.o) $(UNIT_SRC:%.c=$(BUILD)/obj/%.o)
-include $(ALL_OBJ:.o=.d)

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

FUZZ_SUPPORT_OBJ := $(TEST_SUPPORT_SRC:%.c=$(FUZZ_DIR)/obj/%.o)

$(FUZZ_DIR)/obj/%.o: %.c
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(REQ_CPPFLAGS) $(CPPFLAGS) -iquote tests -std=c11 -Wall -Wextra -Werror $(FUZZ_FLAGS) \
		-fsanitize=fuzzer-no-link -MMD -MP -c $< -o $@

$(FUZZ_BINS): $(FUZZ_DIR)/%: $(FUZZ_DIR)/obj/tests/fuzz/%.o $(FUZZ_APP_OBJ) $(FUZZ_SUPPORT_OBJ)
	$(FUZZ_CC) $(FUZZ_FLAGS) -fsanitize=fuzzer $^ $(CJSON_LIBS) -o $@

-include $(FUZZ_APP_OBJ:.o=.d) $(FUZZ_SUPPORT_OBJ:.o=.d) $(FUZZ_NAMES:%=$(FUZZ_DIR)/obj/tests/fuzz/%.d)

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
	$(CC) $(ALL_CPPFLAGS) $(ALL_CFLAGS) $(ALL_LDFLAGS) $< -o $@

# The FastCGI ceiling: a bare libfcgi responder with app.fcgi's way of ending requests.
BENCH_BARE_FCGI := $(BUILD)/bench/bare_fcgi
$(BENCH_BARE_FCGI): bench/bare_fcgi.c $(BUILD)/obj/fcgi/close.o
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CPPFLAGS) -iquote fcgi $(ALL_CFLAGS) $(ALL_LDFLAGS) $^ $(FCGI_LIBS) -o $@

.PHONY: bench
# The floor for a Lambda runtime's start: a bare Runtime API loop, no libcurl.
BENCH_LAMBDA_FLOOR := $(BUILD)/bench/lambda_floor
$(BENCH_LAMBDA_FLOOR): bench/lambda_floor.c
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CPPFLAGS) $(ALL_CFLAGS) $(ALL_LDFLAGS) $< -o $@

bench: all docs-assets $(BENCH_EXEC_LOOP) $(BENCH_BARE_FCGI) $(BENCH_LAMBDA_FLOOR)
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
	@echo "make bench-callgrind  instructions per request in a FastCGI worker (callgrind)"
	@echo "make install    install into \$$DESTDIR\$$PREFIX (default /usr/local)"
	@echo "make clean      remove build/"
	@echo "make lambda-zip $(LAMBDA_ZIP) for the provided.al2023 runtime"
	@echo "make image-check  build the Dockerfile with podman, run it in ECS and Lambda mode (part of make test)"
	@echo "SANITIZE=1      build (and test) with ASan + UBSan in build/asan/"
	@echo "make bench      FastCGI vs static vs CGI vs FastAPI (wrk), CGI exec cost, Lambda, RSS, sizes"
	@echo "make fuzz       run each libFuzzer harness for FUZZ_SECONDS (300) under ASan+UBSan (-j2 ok)"
	@echo "make test-fuzz  run each harness over its seed corpus plus FUZZ_TEST_SECONDS (part of make test)"

.PHONY: deps
deps:
	DEBIAN_FRONTEND=noninteractive apt-get update -q
	DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends $(DEPS_PKGS) </dev/null
	command -v npm >/dev/null || DEBIAN_FRONTEND=noninteractive apt-get install -y -q npm </dev/null
	npm ci --ignore-scripts --no-audit --no-fund </dev/null

.PHONY: test test-layers test-unit test-e2e test-same-as-base test-asan test-valgrind
test: test-layers test-unit test-e2e test-same-as-base test-asan test-valgrind test-fuzz image-check

# No file in app/ includes a layer above its own (docs/architecture.md).
test-layers:
	tests/check_layers.sh app
	tests/check_layers_test.sh

test-unit: $(UNIT_BIN)
	$(UNIT_BIN) --jobs 2

test-e2e: all docs-assets
	@set -e; for t in $(E2E_TESTS); do BUILD=$(BUILD) $$t; done

# The three binaries answer as those of SAME_AS_BASE_REV do, byte for byte: the
# commit that gave /openapi.json and the /docs files an ETag and Cache-Control
# (before it: the last commit before app/ was split into layers). Move it
# forward past a change that is meant to alter answers.
SAME_AS_BASE_REV ?= 4f1a3f37509e783c9f73d992611f4f7a27323c54
test-same-as-base: all docs-assets
	BUILD=$(BUILD) BASE_REV=$(SAME_AS_BASE_REV) tests/e2e/same_as_base.sh

# The unit tests and the CGI, FastCGI and Lambda tests that run our binaries directly, again with ASan + UBSan.
test-asan:
	$(MAKE) SANITIZE=1 test-unit
	$(MAKE) SANITIZE=1 all docs-assets
	BUILD=build/asan tests/e2e/cgi_shell.sh
	BUILD=build/asan tests/e2e/fcgi_standalone.sh
	BUILD=build/asan tests/e2e/fcgi_faults.sh
	BUILD=build/asan tests/e2e/fcgi_same_as_cgi.sh
	BUILD=build/asan tests/e2e/lambda_local_invoke.sh
	BUILD=build/asan tests/e2e/lambda_emulator.sh

# CGI runs, the FastCGI manager and workers, and the Lambda runtime under valgrind: no errors, no leaks.
test-valgrind: all docs-assets
	BUILD=$(BUILD) CGI_WRAPPER="valgrind -q --leak-check=full --errors-for-leak-kinds=all --error-exitcode=99" \
		tests/e2e/cgi_shell.sh
	BUILD=$(BUILD) FCGI_WRAPPER="valgrind -q --leak-check=full --errors-for-leak-kinds=all --error-exitcode=99" \
		tests/e2e/fcgi_standalone.sh
	BUILD=$(BUILD) LAMBDA_WRAPPER="valgrind -q --leak-check=full --errors-for-leak-kinds=all --error-exitcode=99" \
		tests/e2e/lambda_emulator.sh

# Instructions per request in a FastCGI worker under lighttpd (callgrind: repeatable under load).
.PHONY: bench-callgrind
bench-callgrind: all docs-assets
	BUILD=$(BUILD) bench/callgrind.sh

# Lambda runtime figures (bench/lambda.py --json for machine-readable output).
.PHONY: bench-lambda
bench-lambda: $(LAMBDA_BIN) $(BENCH_LAMBDA_FLOOR)
	python3 bench/lambda.py --bootstrap $(LAMBDA_BIN) --floor $(BENCH_LAMBDA_FLOOR)

.PHONY: run run-cgi
run: all docs-assets
	@echo "serving http://127.0.0.1:$(PORT)/ (lighttpd + FastCGI; try /docs); Ctrl-C stops"
	PORT=$(PORT) BIND=127.0.0.1 APP_DIR=$(abspath $(BUILD)) lighttpd -D -f lighttpd.conf

run-cgi: all docs-assets
	@mkdir -p $(BUILD)/run/www
	@echo "serving http://127.0.0.1:$(PORT)/cgi-bin/app.cgi/ (try /cgi-bin/app.cgi/docs); Ctrl-C stops"
	PORT=$(PORT) CGI_DIR=$(abspath $(BUILD)) DOC_ROOT=$(abspath $(BUILD))/run/www ACCESS_LOG=/dev/stderr \
		APP_MAX_BODY_BYTES=$${APP_MAX_BODY_BYTES-} EXECUTION_ENVIRONMENT=$${EXECUTION_ENVIRONMENT-} \
		lighttpd -D -f deploy/lighttpd-cgi.conf

.PHONY: install
install: all docs-assets
	install -d $(DESTDIR)$(PREFIX)/lib/math-service/docs
	install -m 755 $(BINS) $(DESTDIR)$(PREFIX)/lib/math-service/
	install -m 644 $(DOCS_OUT) $(DESTDIR)$(PREFIX)/lib/math-service/docs/
	install -m 644 lighttpd.conf $(DESTDIR)$(PREFIX)/lib/math-service/

.PHONY: lambda-zip image-check
lambda-zip: $(LAMBDA_ZIP)

# The real image, built and run with podman (tests/image/); make test runs it.
image-check: all docs-assets $(LAMBDA_ZIP)
	BUILD=$(BUILD) tests/image/image_check.sh
	BUILD=$(BUILD) tests/image/lambda_zip.sh


.PHONY: clean
clean:
	rm -rf build
