# Issue 25's hot path: tests/unit/worker_params_test.c checks fcgi/worker/params.c
# (the one pass over the FastCGI parameters): the unit binary links it.
$(UNIT_BIN): $(BUILD)/obj/fcgi/worker/params.o
$(BUILD)/obj/tests/unit/worker_params_test.o: ALL_CPPFLAGS += -iquote fcgi

# app.fcgi allocates with mimalloc (Debian's libmimalloc-dev): libfcgi mallocs and
# frees its streams and every parameter per request, and glibc's malloc spent about
# 5 500 instructions a request on them (docs/benchmarks.md). Not under SANITIZE=1
# (ASan brings its own allocator). Under valgrind, memcheck's preloaded malloc
# comes first, as with glibc's: its leak checks see every allocation still.
FCGI_MALLOC_LIBS := $(if $(filter 1,$(SANITIZE)),,-Wl,--push-state,--no-as-needed -lmimalloc -Wl,--pop-state)
$(FCGI_BIN) $(FCGI_TEST_BIN): FCGI_LIBS += $(FCGI_MALLOC_LIBS)
