# lambda/http1.c reads responses with lambda/http1_read.c: the runtime_http1 fuzz
# harness (and every harness, which share FUZZ_APP_OBJ) links both.
FUZZ_HTTP1_READ_OBJ := $(FUZZ_DIR)/obj/lambda/http1_read.o
$(FUZZ_BINS): $(FUZZ_HTTP1_READ_OBJ)
-include $(FUZZ_HTTP1_READ_OBJ:.o=.d)
