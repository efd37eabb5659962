/* The bootstrap's test-only hooks, compiled in only with -DLAMBDA_TEST_HOOKS (make
 * test-hooks, build/testhooks/bootstrap); without it every one does nothing. */
#ifndef LAMBDA_TEST_HOOKS_H
#define LAMBDA_TEST_HOOKS_H

#include "deadline.h"
#include "lambda_events/lambda_event.h"

/* LAMBDA_TEST_SLOW_PATH=/ping LAMBDA_TEST_SLOW_MS=1000: the handler for that path is
 * that much later; it says so on stderr first, with its pid ("test hook: pid N slow"). */
void test_hook_slow_handler(const struct lambda_invocation *li);

/* LAMBDA_TEST_HOLD_PATH / LAMBDA_TEST_HOLD_UNTIL: 0 (no hold), 1 (hold until the
 * watchdog fired) or 2 (until it is held after its timeout). */
int test_hook_hold_wanted(const struct lambda_invocation *li);

/* Holds the finished handler as test_hook_hold_wanted said. */
void test_hook_hold_after_finish(struct deadline *watchdog, int hold);

/* At start: registers the test-only routes (GET /__test/stream, tests/hooks/). */
void test_hook_routes(void);

#endif
