/* The bootstrap's test-only hooks (lambda/test_hooks.h). */
#include "test_hooks.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "core/str.h"

#ifdef LAMBDA_TEST_HOOKS
#include "hooks/stream_route.h"

void test_hook_routes(void)
{
	stream_route_register();
}

/* Test builds only (make test-hooks, build/testhooks/): LAMBDA_TEST_SLOW_PATH=/ping
 * LAMBDA_TEST_SLOW_MS=1000 makes the handler for that path that much later. */
void test_hook_slow_handler(const struct lambda_invocation *li)
{
	const char *path = getenv("LAMBDA_TEST_SLOW_PATH"), *ms = getenv("LAMBDA_TEST_SLOW_MS");
	if (path == NULL || ms == NULL || !str_eq(lambda_invocation_path(li), str_c(path)))
		return;
	long n = atol(ms);
	fprintf(stderr, "bootstrap: test hook: pid %ld slow for %ld ms\n", (long)getpid(), n);
	struct timespec ts = { n / 1000, (n % 1000) * 1000000L };
	while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
		;
}

/* LAMBDA_TEST_HOLD_PATH=/ping: the handler for that path is held after it has finished
 * and before the deadline is disarmed, until the watchdog has fired
 * (LAMBDA_TEST_HOLD_UNTIL=fired) or is held after its timeout (=timeout, with
 * LAMBDA_TEST_HOLD_TIMEOUT=1). Decided before finish: the path dies with the event. */
int test_hook_hold_wanted(const struct lambda_invocation *li)
{
	const char *path = getenv("LAMBDA_TEST_HOLD_PATH"), *until = getenv("LAMBDA_TEST_HOLD_UNTIL");
	if (path == NULL || until == NULL || !str_eq(lambda_invocation_path(li), str_c(path)))
		return 0;
	return strcmp(until, "fired") == 0 ? 1 : strcmp(until, "timeout") == 0 ? 2 : 0;
}

void test_hook_hold_after_finish(struct deadline *watchdog, int hold)
{
	if (watchdog == NULL || hold == 0)
		return;
	fprintf(stderr, "bootstrap: test hook: finished, held until the watchdog %s\n",
		hold == 1 ? "fires" : "has timed out");
	if (hold == 1)
		deadline_test_wait_fired(watchdog);
	else
		deadline_test_wait_held(watchdog);
}
#else
void test_hook_routes(void)
{
}

void test_hook_slow_handler(const struct lambda_invocation *li)
{
	(void)li;
}

int test_hook_hold_wanted(const struct lambda_invocation *li)
{
	(void)li;
	return 0;
}

void test_hook_hold_after_finish(struct deadline *watchdog, int hold)
{
	(void)watchdog;
	(void)hold;
}
#endif
