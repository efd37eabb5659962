# Issue 20 items 2, 9 and 13b (the FastCGI worker's timer thread, the held log
# lines, the log's timestamp cache).

# tests/unit/log_test.c sets the realtime clock per thread and holds a thread
# inside strftime() (the timestamp cache's update) on purpose.
$(UNIT_BIN): ALL_LDFLAGS += -Wl,--wrap=clock_gettime -Wl,--wrap=strftime
