# Benchmarks (included by the Makefile): bench/run.sh side by side on loopback; table +
# build/bench.json (docs/benchmarks.md).

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
$(BENCH_BARE_FCGI): bench/bare_fcgi.c $(BUILD)/obj/fcgi/worker/close.o $(APP_LIB)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CPPFLAGS) -iquote fcgi/worker $(ALL_CFLAGS) $(ALL_LDFLAGS) $^ $(FCGI_LIBS) -o $@

# The same responder ending requests with libfcgi's FCGX_Finish_r (make bench runs it
# with LIBFCGI_OS_CLOSE_POLL_TIMEOUT=0: it closes at once).
BENCH_BARE_LIBFCGI := $(BUILD)/bench/bare_libfcgi
$(BENCH_BARE_LIBFCGI): bench/bare_fcgi.c
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CPPFLAGS) -DBARE_LIBFCGI_FINISH $(ALL_CFLAGS) $(ALL_LDFLAGS) $^ $(FCGI_LIBS) -o $@

.PHONY: bench bench-first-next
bench: all docs-assets $(BENCH_EXEC_LOOP) $(BENCH_BARE_FCGI) $(BENCH_BARE_LIBFCGI) $(BENCH_LAMBDA_FLOOR) $(BENCH_FIRST_NEXT) $(LAMBDA_ZIP)
	BUILD=$(BUILD) SHARED_DIR=$(SHARED_DIR) bench/run.sh

# Just the exec -> first /next figures (bench/first_next.sh; part of make bench).
bench-first-next: $(BENCH_FIRST_NEXT) $(BENCH_LAMBDA_FLOOR) $(LAMBDA_ZIP)
	BUILD=$(BUILD) SHARED_DIR=$(SHARED_DIR) RUNS=$(FIRST_NEXT_RUNS) bench/first_next.sh

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

# The cost of metrics (off / on: the pool's histogram and METRICS=emf) in instructions
# per request of a FastCGI worker (bench/metrics_cost.sh; callgrind); fails at 3 % or more.
.PHONY: bench-metrics
bench-metrics: all
	BUILD=$(BUILD) bench/metrics_cost.sh
bench: bench-metrics
