/* Test-only hooks: compiled into build/test-hooks/app.fcgi (-DFCGI_TEST_HOOKS)
 * only, where each one does something when its environment variable is set;
 * in every other build they are nothing at all. Each holds one process inside
 * a race window until the test has acted, so a race test is deterministic. */
#ifndef FCGI_TEST_HOOKS_H
#define FCGI_TEST_HOOKS_H

#include <stddef.h>

struct scoreboard;

#ifdef FCGI_TEST_HOOKS
/* Manager, right after fork(), where it once wrote the new worker's slot:
 * FCGI_TEST_HOLD_FORK set: waits (at most 10 s) until that worker is inside
 * a request. */
void test_hook_after_fork(const struct scoreboard *sb, int slot);
/* Worker, first thing: FCGI_TEST_SCRIBBLE_BOARD set: scribbles over the
 * board's shared header (its slot count among it), as a worker gone wrong could. */
void test_hook_worker_start(struct scoreboard *sb);
/* Worker, done serving on a stop, its copy of the listening socket still open:
 * FCGI_TEST_STOP_HOLD=DIR set: creates DIR/held, then waits (at most 10 s)
 * until DIR/go exists. */
void test_hook_stop_hold(void);
/* Worker, before the handler: FCGI_TEST_DELAY_MS=N makes it N ms late, for
 * requests whose REQUEST_URI (uri, may be NULL) starts with
 * FCGI_TEST_DELAY_PATH (every request when unset). */
void test_hook_delay(const char *uri);
/* The size of each read while draining a closing connection's input:
 * FCGI_TEST_DRAIN_READ_BYTES when set (a slow reader), else n. */
size_t test_hook_drain_read_size(size_t n);
/* At start: registers the test-only routes (GET /__test/stream, tests/hooks/). */
void test_hook_routes(void);
#else
#define test_hook_routes() ((void)0)
#define test_hook_after_fork(sb, slot) ((void)(sb), (void)(slot))
#define test_hook_worker_start(sb) ((void)(sb))
#define test_hook_stop_hold() ((void)0)
#define test_hook_drain_read_size(n) (n)
#define test_hook_delay(uri) ((void)(uri))
#endif

#endif
