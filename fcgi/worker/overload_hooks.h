/* Test-only hooks for the overload controls, compiled into the test-hooks
 * build only (-DFCGI_TEST_HOOKS, build/test-hooks/app.fcgi); a release build
 * has none of this. Environment variables:
 *   FCGI_TEST_CRASH_AT_START=FILE  FILE holds a number n: while n > 0 a
 *       starting worker writes n-1 there and kills itself (SIGKILL) before
 *       serving: n crashes in a row, one worker at a time.
 *   FCGI_TEST_CRASH_PATH=PREFIX    a request whose REQUEST_URI starts with it
 *       is answered, then its worker kills itself (a crash after serving).
 *   FCGI_TEST_ALLOC_MB=N, FCGI_TEST_ALLOC_PATH=PREFIX  a request under PREFIX
 *       makes the worker allocate and touch N MB it keeps (its RSS grows). */
#ifndef FCGI_OVERLOAD_HOOKS_H
#define FCGI_OVERLOAD_HOOKS_H

#ifdef FCGI_TEST_HOOKS
#include <stdbool.h>

/* The allocation hook's blocks. */
extern char *overload_hooks_kept[64];

/* Worker start: the crash-at-start hook. */
void overload_hooks_start(void);

/* Before the handler: the allocation hook. Returns whether the worker must
 * crash once this request is answered. uri may be NULL. */
bool overload_hooks_request(const char *uri);

/* After the answer, when overload_hooks_request said so: kills the worker. */
void overload_hooks_crash(void);
#endif

#endif
