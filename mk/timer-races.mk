# Issue 20 items 2, 9 and 13b (the FastCGI worker's timer thread, the held log
# lines, the log's timestamp cache).

# tests/unit/log_test.c sets the realtime clock per thread and holds a thread
# inside strftime() (the timestamp cache's update) on purpose.
$(UNIT_BIN): ALL_LDFLAGS += -Wl,--wrap=clock_gettime -Wl,--wrap=strftime

# The timer races under ASan/UBSan too (fewer rounds: the hooks hold the same
# windows; the sanitizers watch the lock and buffer paths). Run by test-asan.
.PHONY: test-asan-timer-races
test-asan: test-asan-timer-races
test-asan-timer-races:
	$(MAKE) SANITIZE=1 all test-hooks
	BUILD=build/asan IDLE_ROUNDS=10 PIPE_ROUNDS=3 LOCK_ROUNDS=3 tests/e2e/fcgi_timer_races.sh
