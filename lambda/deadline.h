/* The invocation deadline (Lambda-Runtime-Deadline-Ms): a watchdog thread that,
 * when the handler is still running `margin` ms before the deadline, calls a
 * function that answers for it (and ends the process). One watchdog serves every
 * invocation; arming and disarming cost a mutex and a condition variable. */
#ifndef LAMBDA_DEADLINE_H
#define LAMBDA_DEADLINE_H

#include <stdbool.h>

#include "core/str.h"

struct deadline;

/* Called on the watchdog thread when an armed deadline comes; must not return
 * (it posts the timeout answer and exits the process). */
typedef void deadline_fn(void *ctx);

/* Starts the watchdog thread. margin_ms from LAMBDA_DEADLINE_MARGIN_MS (default 200;
 * whole numbers from 0 to 60000, anything else is the default). NULL when no thread. */
struct deadline *deadline_start(void);

/* Milliseconds left before "margin before the deadline", for an epoch-ms header value;
 * LONG_MAX when the value is empty or not a positive number (no deadline). */
long deadline_remaining_ms(const struct deadline *d, struct str epoch_ms);

/* Calls fn(ctx) on the watchdog thread after remaining_ms unless disarmed first. */
void deadline_arm(struct deadline *d, long remaining_ms, deadline_fn *fn, void *ctx);

/* Cancels the armed call. False when it already started: the caller must then
 * leave the Runtime API alone (the watchdog answers and exits). */
bool deadline_disarm(struct deadline *d);

/* Stops and joins the thread (nothing may be armed). */
void deadline_stop(struct deadline *d);

#ifdef LAMBDA_TEST_HOOKS
/* Test builds only: block until the watchdog is held after a timeout
 * (LAMBDA_TEST_HOLD_TIMEOUT=1), or until it has fired. */
void deadline_test_wait_held(struct deadline *d);
void deadline_test_wait_fired(struct deadline *d);
#endif

#endif
