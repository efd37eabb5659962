/* Several invocations per execution environment (Lambda Managed Instances): when
 * AWS_LAMBDA_MAX_CONCURRENCY is above 1 the bootstrap runs that many /next loops as
 * processes, the pre-fork model of AWS's own Python runtime, supervised with
 * core/supervise.h: a loop that dies is replaced (it lost at most the one invocation
 * it was serving), SIGTERM or SIGINT drains all of them (each loop finishes the
 * invocation in hand and exits; the parent waits up to LAMBDA_SHUTDOWN_TIMEOUT_MS,
 * then kills what is left), a Runtime API that goes away ends them all.
 * docs/lambda.md has the details. */
#ifndef LAMBDA_LOOPS_H
#define LAMBDA_LOOPS_H

#include <stdbool.h>
#include <stddef.h>

/* The most loops one bootstrap runs: a larger AWS_LAMBDA_MAX_CONCURRENCY is clamped. */
#define LOOPS_MAX 64

/* How a loop process ends, for its parent. */
enum loop_exit {
	LOOP_EXIT_DRAINED = 0,      /* stopped by SIGTERM/SIGINT between invocations */
	LOOP_EXIT_API_GONE = 3,     /* /next failed after serving at least one invocation */
	LOOP_EXIT_API_AT_START = 4, /* /next failed before the first invocation */
};

/* The number of loops for the value of AWS_LAMBDA_MAX_CONCURRENCY (may be NULL):
 * unset or empty is 1; not a whole number, or below 1, is 1 like AWS's own runtimes
 * (aws-lambda-go) do, and above LOOPS_MAX is LOOPS_MAX; both with a sentence in
 * note (empty otherwise). */
int loops_wanted(const char *value, char *note, size_t n);

/* Runs `loops` processes, each calling loop(ctx) and exiting with its result (an
 * enum loop_exit, or 1 after a late handler's 504), until SIGTERM/SIGINT or until
 * the Runtime API goes away. init_error(ctx) is called once, in the parent, when a
 * loop could not get its first invocation. The parent's exit status: 0 after a
 * drain in which every loop finished in time, else 1. */
int loops_run(int loops, int (*loop)(void *ctx), void (*init_error)(void *ctx), void *ctx);

/* For the loop: the process is about to wait in /next (idle = true: SIGTERM ends
 * it at once) or has an invocation (false: SIGTERM ends it after the answer).
 * loops_idle(true) returns false when a stop was already asked for (do not call
 * /next). No-ops outside loops_run (one loop: SIGTERM keeps its default). */
bool loops_idle(bool idle);

/* For the loop: the answer to /next has begun to arrive, so the invocation is this
 * loop's already; from now on SIGTERM ends the loop only after its answer. */
void loops_answer_arriving(void);

/* For the loop: /next is asked again after a failed answer (a retry): idle again, and
 * a stop asked for meanwhile ends the loop now (LOOP_EXIT_DRAINED). No-op outside loops_run. */
void loops_retrying_next(void);

#endif
