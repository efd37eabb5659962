# Debian and npm packages (included by the Makefile).

# Debian packages, in two lists. make deps-run: what building and `make run`
# need (and curl, to try it); npm then fetches the Swagger UI files. make deps:
# those, and what the tests, benchmarks, fuzzers and the container check add.
RUN_PKGS  := gcc libc6-dev make pkg-config ca-certificates curl iproute2 \
	libcjson-dev libfcgi-dev libsystemd-dev lighttpd libbrotli-dev libzstd-dev zlib1g-dev libmimalloc-dev
# make test-same-as-base builds SAME_AS_BASE_REV, whose bootstrap still used libcurl.
BASE_BUILD_PKGS := libcurl4-openssl-dev
TEST_PKGS := libcriterion-dev spawn-fcgi nginx-light apache2 libfcgi-bin procps lighttpd-modules-lua \
	valgrind strace clang libclang-rt-14-dev \
	wrk python3-fastapi python3-uvicorn \
	podman runc debootstrap uidmap zip haproxy \
	python3-yaml python3-botocore unzip chromium faketime time php8.2-fpm gnuplot-nox brotli zstd \
	debhelper lintian mandoc systemd python3-prometheus-client qemu-user gcc-s390x-linux-gnu libc6-dev-s390x-cross \
	$(BASE_BUILD_PKGS)

.PHONY: deps deps-run
deps-run:
	DEBIAN_FRONTEND=noninteractive apt-get update -q
	DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends $(RUN_PKGS) </dev/null
	command -v npm >/dev/null || DEBIAN_FRONTEND=noninteractive apt-get install -y -q npm </dev/null
	npm ci --ignore-scripts --no-audit --no-fund </dev/null

deps: deps-run
	DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends $(TEST_PKGS) </dev/null
	npm ci --prefix $(CDK_DIR) --ignore-scripts --no-audit --no-fund </dev/null
