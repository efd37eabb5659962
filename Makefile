# One service, three targets (CGI, FastCGI, Lambda) over one shared layer in app/.
# `make help` lists the targets.
#
# Where things live: this file builds (variables, the binaries, docs assets, error
# pages), installs, runs and prints help. The rest is included from mk/:
#   mk/test.mk    make test and its parts (unit, e2e with the E2E_TESTS list, asan,
#                 valgrind, same-as-base, layers) and the test-hooks binaries
#   mk/fuzz.mk    libFuzzer harnesses: fuzz, test-fuzz
#   mk/bench.mk   benchmarks: bench, bench-*
#   mk/deploy.mk  the Lambda zip, the container image, the AWS CDK app
#   mk/deps.mk    Debian and npm packages: deps-run, deps (RUN_PKGS, TEST_PKGS)

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
# The manager's socket activation and readiness (fcgi/manager/systemd.c).
SYSTEMD_LIBS   := $(call pkg_libs,libsystemd,-lsystemd)
CRITERION_LIBS := $(call pkg_libs,criterion,-lcriterion)

# What --version prints: VERSION, plus the commit when built from a git checkout
# (the commit of the last rebuild of the three files that print it).
APP_VERSION ?= $(shell cat VERSION)$(shell git rev-parse --short HEAD 2>/dev/null | sed 's/^/+/')
VERSION_OBJ := $(BUILD)/obj/cgi/main.o $(BUILD)/obj/fcgi/main.o $(BUILD)/obj/lambda/main.o

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

LAMBDA_SRC  := $(wildcard lambda/*.c)
LAMBDA_BIN  := $(BUILD)/bootstrap
LAMBDA_LIBS := -pthread
# The zip carries libcjson in lib/ beside the executable (deploy/lambda-zip.sh).
LAMBDA_LDFLAGS := -Wl,-rpath,'$$ORIGIN/lib' -Wl,--enable-new-dtags

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

PORT ?= 8080

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

# fcgi/ names its halves from its top.
$(BUILD)/obj/fcgi/%.o: ALL_CPPFLAGS += -iquote fcgi

$(VERSION_OBJ): ALL_CPPFLAGS += -DAPP_VERSION='"$(APP_VERSION)"'
$(VERSION_OBJ): VERSION

$(APP_LIB): $(APP_OBJ)
	@mkdir -p $(dir $@)
	rm -f $@
	$(AR) rcs $@ $^

$(CGI_BIN): $(CGI_SRC:%.c=$(BUILD)/obj/%.o) $(APP_LIB)
	$(CC) $(ALL_CFLAGS) $(ALL_LDFLAGS) $^ $(CJSON_LIBS) -o $@

$(FCGI_BIN): $(FCGI_SRC:%.c=$(BUILD)/obj/%.o) $(APP_LIB)
	$(CC) $(ALL_CFLAGS) $(ALL_LDFLAGS) $^ $(FCGI_LIBS) $(SYSTEMD_LIBS) $(CJSON_LIBS) -o $@

$(LAMBDA_BIN): $(LAMBDA_SRC:%.c=$(BUILD)/obj/%.o) $(APP_LIB)
	$(CC) $(ALL_CFLAGS) $(ALL_LDFLAGS) $(LAMBDA_LDFLAGS) $^ $(LAMBDA_LIBS) $(CJSON_LIBS) -o $@

$(ERROR_PAGES_STAMP): deploy/error-pages.sh app/cgi_env/front_errors.def
	deploy/error-pages.sh $(dir $@)
	@touch $@

$(BUILD)/docs/%: node_modules/swagger-ui-dist/%
	@mkdir -p $(dir $@)
	cp $< $@

$(BUILD)/docs/redoc.standalone.js: node_modules/redoc/bundles/redoc.standalone.js
	@mkdir -p $(dir $@)
	cp $< $@

node_modules/swagger-ui-dist/% node_modules/redoc/bundles/%: package-lock.json
	@test -f $@ || { echo "missing $@: run 'make deps' (npm ci)" >&2; exit 1; }

ALL_OBJ := $(APP_OBJ) $(CGI_SRC:%.c=$(BUILD)/obj/%.o) $(FCGI_SRC:%.c=$(BUILD)/obj/%.o) \
	$(LAMBDA_SRC:%.c=$(BUILD)/obj/%.o)
-include $(ALL_OBJ:.o=.d)

# ---- tests, fuzzing, benchmarks, deployment, packages (after `all`: `make` alone builds it) ----

# In this order: fuzz.mk uses test.mk's variables, bench.mk deploy.mk's.
include mk/test.mk
include mk/fuzz.mk
include mk/deploy.mk
include mk/bench.mk
include mk/deps.mk

# ---- commands -------------------------------------------------------------

.PHONY: help
help:
	@echo "make            build the targets into $(BUILD)/"
	@echo "make deps-run   install what building and make run need: Debian packages, Swagger UI (root)"
	@echo "make deps       deps-run, plus what make test and make bench need (root)"
	@echo "make test       unit tests, then end-to-end tests with real servers (mk/test.mk):"
	@echo "  make test-layers  no #include in app/ goes up a layer (tests/check_layers.sh)"
	@echo "  make test-unit    the Criterion unit tests (tests/unit/)"
	@echo "  make test-e2e     the end-to-end scripts of E2E_TESTS (tests/e2e/)"
	@echo "  make test-same-as-base  the binaries answer as those of SAME_AS_BASE_REV, byte for byte"
	@echo "  make test-asan    the unit tests and the e2e scripts marked 'asan', with ASan + UBSan"
	@echo "  make test-valgrind  the e2e scripts marked 'valgrind=...' with our binaries under valgrind"
	@echo "make docs-assets  copy the Swagger UI and ReDoc files /docs serves into $(BUILD)/docs/"
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
	@echo "make fuzz-NAME, test-fuzz-NAME  one harness (NAME: $(FUZZ_NAMES)); make fuzz-build builds them all"
	@echo "make cdk-synth  synthesize the AWS CDK app (deploy/cdk) offline into $(CDK_OUT)/"
	@echo "make test-cdk   cdk-synth, then type-check and test the stack and validate every template (part of make test)"

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

.PHONY: clean
clean:
	rm -rf build

# ---- pieces added by issues (each file says what it adds) ------------------
include mk/options-test.mk
include mk/structure.mk
include mk/lambda-http1.mk
include mk/fleet.mk
include mk/timer-races.mk
include mk/deb.mk
include mk/forwarded.mk
include mk/fcgi-hostile.mk
include mk/wire.mk
include mk/overload.mk
include mk/stream.mk
include mk/observability.mk
include mk/bigendian.mk
include mk/hotpath.mk
