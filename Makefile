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
REQ_CFLAGS   := -std=c11 -pthread -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes
REQ_CPPFLAGS := -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE -iquote app
# _FORTIFY_SOURCE needs optimisation: glibc warns (an error here) without it.
HARDEN_CPPFLAGS := $(if $(filter -O0,$(CFLAGS)),,-D_FORTIFY_SOURCE=2)
HARDEN_CFLAGS   := -fstack-protector-strong -fPIE
HARDEN_LDFLAGS  := -pie -Wl,-z,relro,-z,now
ALL_CPPFLAGS := $(REQ_CPPFLAGS) $(HARDEN_CPPFLAGS) $(CPPFLAGS)
ALL_CFLAGS   := $(REQ_CFLAGS) $(HARDEN_CFLAGS) $(SAN_FLAGS) $(CFLAGS)
ALL_LDFLAGS  := -pthread $(HARDEN_LDFLAGS) $(SAN_FLAGS) $(LDFLAGS)

# Library flags from pkg-config (each of these ships a .pc file in Debian).
PKG_CONFIG ?= pkg-config
pkg_libs    = $(shell $(PKG_CONFIG) --libs $(1) 2>/dev/null || echo $(2))
CJSON_LIBS     := $(call pkg_libs,libcjson,-lcjson)
FCGI_LIBS      := $(call pkg_libs,fcgi,-lfcgi)
CRITERION_LIBS := $(call pkg_libs,criterion,-lcriterion)

# What --version prints: VERSION, plus the commit when built from a git checkout
# (the commit of the last rebuild of the three files that print it).
APP_VERSION ?= $(shell cat VERSION)$(shell git rev-parse --short HEAD 2>/dev/null | sed 's/^/+/')
VERSION_OBJ := $(BUILD)/obj/cgi/main.o $(BUILD)/obj/fcgi/main.o $(BUILD)/obj/lambda/main.o

# Debian packages, in two lists. make deps-run: what building and `make run`
# need (and curl, to try it); npm then fetches the Swagger UI files. make deps:
# those, and what the tests, benchmarks, fuzzers and the container check add.
RUN_PKGS  := gcc libc6-dev make pkg-config ca-certificates curl iproute2 \
	libcjson-dev libfcgi-dev lighttpd
# make test-same-as-base builds SAME_AS_BASE_REV, whose bootstrap still used libcurl.
BASE_BUILD_PKGS := libcurl4-openssl-dev
TEST_PKGS := libcriterion-dev spawn-fcgi nginx-light libfcgi-bin procps \
	valgrind strace clang libclang-rt-14-dev \
	wrk python3-fastapi python3-uvicorn \
	podman runc debootstrap uidmap zip \
	python3-yaml python3-botocore unzip chromium faketime time \
	$(BASE_BUILD_PKGS)

# app/ in layers, lowest first: core, http, service, then the adapters
# cgi_env and lambda_events (docs/architecture.md; tests/check_layers.sh).
APP_SRC  := $(wildcard app/*/*.c)
APP_OBJ  := $(APP_SRC:%.c=$(BUILD)/obj/%.o)
APP_LIB  := $(BUILD)/libapp.a

CGI_SRC  := $(wildcard cgi/*.c)
CGI_BIN  := $(BUILD)/app.cgi

# fcgi/: main and options at the top, worker/ (one process serving requests) and
# manager/ (the pre-fork pool around them).
FCGI_SRC  := $(wildcard fcgi/*.c fcgi/*/*.c)
FCGI_BIN  := $(BUILD)/app.fcgi

# The same FastCGI binary with its test hooks (-DFCGI_TEST_HOOKS: FCGI_TEST_DELAY_MS
# makes the handler late); the tests run it, make install never ships it.
FCGI_TEST_BIN := $(BUILD)/test-hooks/app.fcgi

LAMBDA_SRC  := $(wildcard lambda/*.c)
LAMBDA_BIN  := $(BUILD)/bootstrap
LAMBDA_LIBS := -pthread
# The zip carries libcjson in lib/ beside the executable (deploy/lambda-zip.sh).
LAMBDA_LDFLAGS := -Wl,-rpath,'$$ORIGIN/lib' -Wl,--enable-new-dtags

# The bootstrap with test-only hooks (-DLAMBDA_TEST_HOOKS: a slow handler on demand),
# for the deadline test; built apart, never installed or zipped.
HOOKS_BUILD := $(BUILD)/testhooks
HOOKS_BIN   := $(HOOKS_BUILD)/bootstrap

# The in-memory transport and request runner the unit tests and fuzz harnesses share.
TEST_SUPPORT_SRC := $(wildcard tests/support/*.c)
UNIT_SRC := $(wildcard tests/unit/*.c) $(TEST_SUPPORT_SRC)
UNIT_BIN := $(BUILD)/tests/unit

# Swagger UI files /docs serves, from the npm package swagger-ui-dist, and
# ReDoc's standalone bundle for /redoc, from the npm package redoc.
DOCS_ASSETS := swagger-ui.css swagger-ui-bundle.js favicon-32x32.png
DOCS_OUT    := $(addprefix $(BUILD)/docs/,$(DOCS_ASSETS)) $(BUILD)/docs/redoc.standalone.js

# lighttpd's own error answers as JSON files (deploy/error-pages.sh), for
# server.errorfile-prefix in lighttpd.conf and deploy/lighttpd-cgi.conf, from
# the list the service answers server.error-handler calls with.
ERROR_PAGES_STAMP := $(BUILD)/errors/.stamp

BINS := $(CGI_BIN)
BINS += $(FCGI_BIN)
BINS += $(LAMBDA_BIN)

# End-to-end tests: shell scripts that start real servers on loopback (tests/e2e/lib.sh).
E2E_TESTS := tests/e2e/cgi_shell.sh tests/e2e/cgi_tool.sh tests/e2e/cgi_lighttpd.sh
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
E2E_TESTS += tests/e2e/fcgi_peers.sh tests/e2e/fcgi_races.sh

PORT ?= 8080

# The Lambda deployment package: the bootstrap ELF at the root, libcjson in lib/.
LAMBDA_ZIP := $(BUILD)/lambda.zip

# The CDK app (deploy/cdk/, its own npm packages) and where `make cdk-synth` writes.
CDK_DIR   := deploy/cdk
CDK_OUT   := build/cdk.out
CDK_TESTS := $(wildcard $(CDK_DIR)/test/*.test.ts)
# cdk synth with no AWS credentials (none in the environment, no config files), no
# instance metadata, no notices, telemetry or version check; inside a network
# namespace with no network at all when unshare may make one (as root, or in a user
# namespace). Evaluated only where used.
CDK_NO_NET = $(shell if unshare --net true 2>/dev/null; then echo unshare --net; \
	elif unshare --user --map-root-user --net true 2>/dev/null; then echo unshare --user --map-root-user --net; fi)
CDK_OFFLINE = env -u AWS_PROFILE -u AWS_DEFAULT_PROFILE -u AWS_ACCESS_KEY_ID -u AWS_SECRET_ACCESS_KEY \
	-u AWS_SESSION_TOKEN -u AWS_CONTAINER_CREDENTIALS_FULL_URI -u AWS_CONTAINER_CREDENTIALS_RELATIVE_URI \
	-u AWS_WEB_IDENTITY_TOKEN_FILE AWS_CONFIG_FILE=/dev/null AWS_SHARED_CREDENTIALS_FILE=/dev/null \
	AWS_EC2_METADATA_DISABLED=true CDK_DISABLE_VERSION_CHECK=1 CDK_DISABLE_CLI_TELEMETRY=true $(CDK_NO_NET)

# ---- default target -------------------------------------------------------

# The binaries only: a fresh clone builds without npm. /docs needs docs-assets
# (make deps installs them); make run and make test depend on it.
.PHONY: all docs-assets
all: $(BINS) $(ERROR_PAGES_STAMP)
docs-assets: $(DOCS_OUT)

# ---- artefacts ------------------------------------------------------------

$(BUILD)/obj/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CPPFLAGS) $(ALL_CFLAGS) -MMD -MP -c $< -o $@

# Tests and fuzz harnesses also include tests/support/; fcgi/ names its halves from its top.
$(BUILD)/obj/tests/%.o: ALL_CPPFLAGS += -iquote tests
$(BUILD)/obj/fcgi/%.o $(BUILD)/test-hooks/obj/fcgi/%.o: ALL_CPPFLAGS += -iquote fcgi

$(VERSION_OBJ): ALL_CPPFLAGS += -DAPP_VERSION='"$(APP_VERSION)"'
$(VERSION_OBJ): VERSION

$(APP_LIB): $(APP_OBJ)
	@mkdir -p $(dir $@)
	rm -f $@
	$(AR) rcs $@ $^

$(CGI_BIN): $(CGI_SRC:%.c=$(BUILD)/obj/%.o) $(APP_LIB)
	$(CC) $(ALL_CFLAGS) $(ALL_LDFLAGS) $^ $(CJSON_LIBS) -o $@

$(FCGI_BIN): $(FCGI_SRC:%.c=$(BUILD)/obj/%.o) $(APP_LIB)
	$(CC) $(ALL_CFLAGS) $(ALL_LDFLAGS) $^ $(FCGI_LIBS) $(CJSON_LIBS) -o $@

$(BUILD)/test-hooks/obj/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CPPFLAGS) -DFCGI_TEST_HOOKS $(ALL_CFLAGS) -MMD -MP -c $< -o $@

$(FCGI_TEST_BIN): $(FCGI_SRC:%.c=$(BUILD)/test-hooks/obj/%.o) $(APP_LIB)
	$(CC) $(ALL_CFLAGS) $(ALL_LDFLAGS) $^ $(FCGI_LIBS) $(CJSON_LIBS) -o $@

$(LAMBDA_BIN): $(LAMBDA_SRC:%.c=$(BUILD)/obj/%.o) $(APP_LIB)
	$(CC) $(ALL_CFLAGS) $(ALL_LDFLAGS) $(LAMBDA_LDFLAGS) $^ $(LAMBDA_LIBS) $(CJSON_LIBS) -o $@

$(HOOKS_BUILD)/obj/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CPPFLAGS) -DLAMBDA_TEST_HOOKS $(ALL_CFLAGS) -MMD -MP -c $< -o $@

$(HOOKS_BIN): $(LAMBDA_SRC:%.c=$(HOOKS_BUILD)/obj/%.o) $(APP_LIB)
	$(CC) $(ALL_CFLAGS) $(ALL_LDFLAGS) $^ $(LAMBDA_LIBS) $(CJSON_LIBS) -o $@

$(UNIT_BIN): $(UNIT_SRC:%.c=$(BUILD)/obj/%.o) $(APP_LIB)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) $(ALL_LDFLAGS) $^ $(CJSON_LIBS) $(CRITERION_LIBS) -o $@

$(ERROR_PAGES_STAMP): deploy/error-pages.sh app/cgi_env/front_errors.def
	deploy/error-pages.sh $(dir $@)
	@touch $@

$(BUILD)/docs/%: node_modules/swagger-ui-dist/%
	@mkdir -p $(dir $@)
	cp $< $@

$(BUILD)/docs/redoc.standalone.js: node_modules/redoc/bundles/redoc.standalone.js
	@mkdir -p $(dir $@)
	cp $< $@

$(LAMBDA_ZIP): $(LAMBDA_BIN) $(DOCS_OUT) deploy/lambda-zip.sh
	deploy/lambda-zip.sh $@ $(LAMBDA_BIN) $(BUILD)/docs

node_modules/swagger-ui-dist/% node_modules/redoc/bundles/%: package-lock.json
	@test -f $@ || { echo "missing $@: run 'make deps' (npm ci)" >&2; exit 1; }

ALL_OBJ := $(APP_OBJ) $(CGI_SRC:%.c=$(BUILD)/obj/%.o) $(FCGI_SRC:%.c=$(BUILD)/obj/%.o) \
	$(LAMBDA_SRC:%.c=$(BUILD)/obj/%.o) $(UNIT_SRC:%.c=$(BUILD)/obj/%.o)
-include $(ALL_OBJ:.o=.d) $(LAMBDA_SRC:%.c=$(HOOKS_BUILD)/obj/%.d) \
	$(FCGI_SRC:%.c=$(BUILD)/test-hooks/obj/%.d)

# ---- fuzzing (libFuzzer + ASan + UBSan; harnesses in tests/fuzz/, seeds in tests/fuzz/corpus/) ----

FUZZ_CC       ?= clang
FUZZ_SECONDS  ?= 300
# make test runs each harness over its seed corpus, then mutates for this long.
FUZZ_TEST_SECONDS ?= 5
FUZZ_DIR      := build/fuzz
FUZZ_FLAGS    := -g -O1 -fno-omit-frame-pointer -fsanitize=address,undefined -fno-sanitize-recover=all
FUZZ_NAMES    := $(basename $(notdir $(wildcard tests/fuzz/*.c)))
FUZZ_BINS     := $(addprefix $(FUZZ_DIR)/,$(FUZZ_NAMES))
# lambda/http1.c too: the runtime_http1 harness reads Runtime API answers with it.
FUZZ_APP_OBJ  := $(APP_SRC:%.c=$(FUZZ_DIR)/obj/%.o) $(FUZZ_DIR)/obj/lambda/http1.o
# Seeds: tests/fuzz/corpus/NAME, plus the real event documents for the Lambda harness.
FUZZ_SEEDS_lambda_event := tests/events
fuzz_seeds = tests/fuzz/corpus/$(1) $(FUZZ_SEEDS_$(1))
fuzz_dict  = $(if $(wildcard tests/fuzz/$(1).dict),-dict=tests/fuzz/$(1).dict)

FUZZ_SUPPORT_OBJ := $(TEST_SUPPORT_SRC:%.c=$(FUZZ_DIR)/obj/%.o)

$(FUZZ_DIR)/obj/%.o: %.c
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(REQ_CPPFLAGS) $(CPPFLAGS) -iquote tests -iquote lambda -std=c11 -Wall -Wextra -Werror $(FUZZ_FLAGS) \
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

# The FastAPI app measured beside ours: bench/peer_fastapi.py, or with
# SHARED_DIR=DIR the one in DIR/reference/main.py.
SHARED_DIR ?=
BENCH_EXEC_LOOP := $(BUILD)/bench/exec_loop
# exec -> first GET /next: the harness (bench/first_next.sh).
BENCH_FIRST_NEXT := $(BUILD)/bench/first_next
FIRST_NEXT_RUNS  ?= 30
# The floor for a Lambda runtime's start, in both Lambda benchmarks: a bare Runtime
# API loop in C (GET /next, POST the answer), no libcurl, no JSON.
BENCH_LAMBDA_FLOOR := $(BUILD)/bench/lambda_floor

$(BENCH_EXEC_LOOP) $(BENCH_FIRST_NEXT) $(BENCH_LAMBDA_FLOOR): $(BUILD)/bench/%: bench/%.c
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CPPFLAGS) $(ALL_CFLAGS) $(ALL_LDFLAGS) $< -o $@

# The FastCGI ceiling: a bare libfcgi responder with app.fcgi's way of ending requests.
BENCH_BARE_FCGI := $(BUILD)/bench/bare_fcgi
$(BENCH_BARE_FCGI): bench/bare_fcgi.c $(BUILD)/obj/fcgi/worker/close.o
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CPPFLAGS) -iquote fcgi/worker $(ALL_CFLAGS) $(ALL_LDFLAGS) $^ $(FCGI_LIBS) -o $@

.PHONY: bench bench-first-next
bench: all docs-assets $(BENCH_EXEC_LOOP) $(BENCH_BARE_FCGI) $(BENCH_LAMBDA_FLOOR) $(BENCH_FIRST_NEXT) $(LAMBDA_ZIP)
	BUILD=$(BUILD) SHARED_DIR=$(SHARED_DIR) bench/run.sh

# Just the exec -> first /next figures (bench/first_next.sh; part of make bench).
bench-first-next: $(BENCH_FIRST_NEXT) $(BENCH_LAMBDA_FLOOR) $(LAMBDA_ZIP)
	BUILD=$(BUILD) SHARED_DIR=$(SHARED_DIR) RUNS=$(FIRST_NEXT_RUNS) bench/first_next.sh

# ---- commands -------------------------------------------------------------

.PHONY: help
help:
	@echo "make            build the targets into $(BUILD)/"
	@echo "make deps-run   install what building and make run need: Debian packages, Swagger UI (root)"
	@echo "make deps       deps-run, plus what make test and make bench need (root)"
	@echo "make test       unit tests, then end-to-end tests with real servers"
	@echo "make run        start the service on http://127.0.0.1:$${PORT:-8080}/"
	@echo "                (lighttpd + FastCGI with lighttpd.conf)"
	@echo "make run-cgi    the same port, lighttpd + CGI (deploy/lighttpd-cgi.conf)"
	@echo "make bench-lambda  Lambda bootstrap: adapter cost per invocation, start to first /next"
	@echo "make bench-first-next  exec -> first GET /next: the zip's bootstrap, a bare C loop, Python+FastAPI"
	@echo "make bench-callgrind  instructions per request in a FastCGI worker (callgrind)"
	@echo "make bench-syscalls   system calls per request in a FastCGI worker and the bare responder (strace)"
	@echo "make test-hooks bootstrap and app.fcgi with test-only hooks (build/testhooks/, build/test-hooks/)"
	@echo "make install    install into \$$DESTDIR\$$PREFIX/lib/math-service (PREFIX: /usr/local)"
	@echo "make clean      remove build/"
	@echo "make lambda-zip $(LAMBDA_ZIP) for the provided.al2023 runtime"
	@echo "make image      build the container image $(IMAGE) with docker, else podman"
	@echo "make image-check  build the Dockerfile with podman, run it in ECS and Lambda mode (part of make test)"
	@echo "SANITIZE=1      build (and test) with ASan + UBSan in build/asan/"
	@echo "make bench      FastCGI vs static vs CGI vs FastAPI (wrk), CGI exec cost, Lambda, RSS, sizes"
	@echo "make fuzz       run each libFuzzer harness for FUZZ_SECONDS (300) under ASan+UBSan (-j2 ok)"
	@echo "make test-fuzz  run each harness over its seed corpus plus FUZZ_TEST_SECONDS (part of make test)"
	@echo "make cdk-synth  synthesize the AWS CDK app (deploy/cdk) offline into $(CDK_OUT)/"
	@echo "make test-cdk   cdk-synth, then type-check and test the stack and validate every template (part of make test)"

.PHONY: deps deps-run
deps-run:
	DEBIAN_FRONTEND=noninteractive apt-get update -q
	DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends $(RUN_PKGS) </dev/null
	command -v npm >/dev/null || DEBIAN_FRONTEND=noninteractive apt-get install -y -q npm </dev/null
	npm ci --ignore-scripts --no-audit --no-fund </dev/null

deps: deps-run
	DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends $(TEST_PKGS) </dev/null
	npm ci --prefix $(CDK_DIR) --ignore-scripts --no-audit --no-fund </dev/null

.PHONY: test test-layers test-unit test-e2e test-same-as-base test-asan test-valgrind test-hooks
# The binaries with test-only hooks (a late handler on demand), never installed.
test-hooks: $(HOOKS_BIN) $(FCGI_TEST_BIN)

test: test-layers test-unit test-e2e test-same-as-base test-asan test-valgrind test-fuzz test-cdk image-check

# No file in app/ includes a layer above its own (docs/architecture.md).
test-layers:
	tests/check_layers.sh app
	tests/check_layers_test.sh

test-unit: $(UNIT_BIN)
	$(UNIT_BIN) --jobs 2

test-e2e: all docs-assets test-hooks
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
	$(MAKE) SANITIZE=1 all docs-assets test-hooks
	BUILD=build/asan tests/e2e/cgi_shell.sh
	BUILD=build/asan tests/e2e/cgi_tool.sh
	BUILD=build/asan tests/e2e/fcgi_standalone.sh
	BUILD=build/asan tests/e2e/fcgi_faults.sh
	BUILD=build/asan tests/e2e/fcgi_lifecycle.sh
	BUILD=build/asan tests/e2e/fcgi_controls.sh
	BUILD=build/asan tests/e2e/fcgi_pool.sh
	BUILD=build/asan tests/e2e/fcgi_same_as_cgi.sh
	BUILD=build/asan tests/e2e/lambda_local_invoke.sh
	BUILD=build/asan tests/e2e/lambda_emulator.sh
	BUILD=build/asan tests/e2e/lambda_faults.sh
	BUILD=build/asan tests/e2e/lambda_http1.sh
	BUILD=build/asan tests/e2e/lambda_deadline.sh
	BUILD=build/asan tests/e2e/lambda_settings.sh
	BUILD=build/asan tests/e2e/lambda_differential.sh
	BUILD=build/asan tests/e2e/access_log.sh
	BUILD=build/asan tests/e2e/fcgi_log_buffer.sh

# CGI runs, the FastCGI manager and workers, and the Lambda runtime under valgrind: no errors, no leaks.
test-valgrind: all docs-assets
	BUILD=$(BUILD) CGI_WRAPPER="valgrind -q --leak-check=full --errors-for-leak-kinds=all --error-exitcode=99" \
		tests/e2e/cgi_shell.sh
	BUILD=$(BUILD) CGI_WRAPPER="valgrind -q --leak-check=full --errors-for-leak-kinds=all --error-exitcode=99" \
		tests/e2e/cgi_tool.sh
	BUILD=$(BUILD) FCGI_WRAPPER="valgrind -q --leak-check=full --errors-for-leak-kinds=all --error-exitcode=99" \
		tests/e2e/fcgi_standalone.sh
	BUILD=$(BUILD) LAMBDA_WRAPPER="valgrind -q --leak-check=full --errors-for-leak-kinds=all --error-exitcode=99" \
		tests/e2e/lambda_emulator.sh
	BUILD=$(BUILD) LAMBDA_WRAPPER="valgrind -q --leak-check=full --errors-for-leak-kinds=all --error-exitcode=99" \
		tests/e2e/lambda_faults.sh
	BUILD=$(BUILD) LAMBDA_WRAPPER="valgrind -q --leak-check=full --errors-for-leak-kinds=all --error-exitcode=99" \
		tests/e2e/lambda_settings.sh

# Instructions per request in a FastCGI worker under lighttpd (callgrind: repeatable under load).
.PHONY: bench-callgrind
bench-callgrind: all docs-assets
	BUILD=$(BUILD) bench/callgrind.sh

# System calls per request in a FastCGI worker and the bare responder under lighttpd (strace -c).
.PHONY: bench-syscalls
bench-syscalls: all $(BENCH_BARE_FCGI)
	BUILD=$(BUILD) bench/syscalls.sh

# Lambda runtime figures (bench/lambda.py --json for machine-readable output).
.PHONY: bench-lambda
bench-lambda: $(LAMBDA_BIN) $(BENCH_LAMBDA_FLOOR)
	python3 bench/lambda.py --bootstrap $(LAMBDA_BIN) --floor $(BENCH_LAMBDA_FLOOR)

.PHONY: run run-cgi
run: all docs-assets
	@PORT=$(PORT) BIND=127.0.0.1 APP_DIR=$(abspath $(BUILD)) MAKE_TARGET=run \
		tools/serve-dev lighttpd.conf "" "lighttpd + FastCGI; try /docs"

run-cgi: all docs-assets
	@mkdir -p $(BUILD)/run/www
	@PORT=$(PORT) CGI_DIR=$(abspath $(BUILD)) DOC_ROOT=$(abspath $(BUILD))/run/www ACCESS_LOG=/dev/stderr \
		APP_MAX_BODY_BYTES=$${APP_MAX_BODY_BYTES-} EXECUTION_ENVIRONMENT=$${EXECUTION_ENVIRONMENT-} MAKE_TARGET=run-cgi \
		tools/serve-dev deploy/lighttpd-cgi.conf cgi-bin/app.cgi/ "lighttpd + CGI; try /cgi-bin/app.cgi/docs"

# Where the installed nginx.conf expects the socket, pid and temporary files.
RUNDIR ?= /run/math-service

.PHONY: install
install: all docs-assets
	install -d $(DESTDIR)$(PREFIX)/lib/math-service/docs
	install -m 755 $(BINS) $(DESTDIR)$(PREFIX)/lib/math-service/
	install -m 644 $(DOCS_OUT) $(DESTDIR)$(PREFIX)/lib/math-service/docs/
	install -d $(DESTDIR)$(PREFIX)/lib/math-service/errors
	install -m 644 $(BUILD)/errors/*.html $(DESTDIR)$(PREFIX)/lib/math-service/errors/
	install -m 644 lighttpd.conf $(DESTDIR)$(PREFIX)/lib/math-service/
	sed -e 's|/usr/local/lib/math-service|$(PREFIX)/lib/math-service|g' -e 's|/run/math-service|$(RUNDIR)|g' \
		deploy/nginx.conf >$(DESTDIR)$(PREFIX)/lib/math-service/nginx.conf
	chmod 644 $(DESTDIR)$(PREFIX)/lib/math-service/nginx.conf

.PHONY: lambda-zip image image-check
lambda-zip: $(LAMBDA_ZIP)

# The container image, with docker when its daemon answers, else podman (docker format: it keeps
# HEALTHCHECK). With podman, docker/podman-env adds the flags that machines
# like this one need (ulimits, host network) and, when no registry can be
# reached, makes the Debian base image locally with debootstrap.
IMAGE ?= math-service
image: $(addprefix node_modules/swagger-ui-dist/,$(DOCS_ASSETS))
	@if command -v docker >/dev/null 2>&1 && docker info >/dev/null 2>&1; then \
		echo "docker build -t $(IMAGE) ."; docker build -t $(IMAGE) .; \
	elif command -v podman >/dev/null 2>&1; then \
		podman image exists docker.io/library/debian:bookworm-slim || \
			timeout 120 podman pull -q docker.io/library/debian:bookworm-slim || \
			docker/podman-env ensure_base_image || exit 1; \
		echo "podman build --format docker -t $(IMAGE) ."; docker/podman-env build -t $(IMAGE) .; \
	else \
		echo "make image: no docker daemon answers and podman is not installed (apt-get install podman)" >&2; exit 1; \
	fi

# The real image, built and run with podman (tests/image/); make test runs it.
image-check: all docs-assets $(LAMBDA_ZIP)
	BUILD=$(BUILD) tests/image/image_check.sh
	BUILD=$(BUILD) tests/image/lambda_zip.sh
	BUILD=$(BUILD) tests/image/deps_run.sh


# ---- AWS CDK (deploy/cdk; docs/deploy-aws.md) ------------------------------

.PHONY: cdk-synth test-cdk
cdk-synth:
	@test -x $(CDK_DIR)/node_modules/.bin/cdk || { echo "missing $(CDK_DIR)/node_modules: run 'make deps'" >&2; exit 1; }
	rm -rf $(CDK_OUT)
	cd $(CDK_DIR) && $(CDK_OFFLINE) node_modules/.bin/cdk synth --no-notices --quiet --output $(abspath $(CDK_OUT)) </dev/null

# The tests read $(CDK_OUT) (the CLI's own output) and synthesize other settings in-process.
test-cdk: cdk-synth
	cd $(CDK_DIR) && node_modules/.bin/tsc -p .
	cd $(CDK_DIR) && CDK_OUT=$(abspath $(CDK_OUT)) $(CDK_OFFLINE) node --import tsx --test \
		--test-concurrency=1 $(CDK_TESTS:$(CDK_DIR)/%=%) </dev/null

.PHONY: clean
clean:
	rm -rf build
include mk/fcgi-hostile.mk
