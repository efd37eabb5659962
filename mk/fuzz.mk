# Fuzzing (included by the Makefile): libFuzzer + ASan + UBSan; harnesses in tests/fuzz/,
# seeds in tests/fuzz/corpus/ (docs/fuzzing.md).

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
