/* The crash-loop limit (--max-consecutive-failures N; php-fpm's
 * emergency_restart_threshold, FrankenPHP's max_consecutive_failures): when N
 * workers in a row die abnormally without having served a request, the
 * manager stops and exits with CRASH_LOOP_EXIT, so that the orchestrator
 * (systemd, ECS, Kubernetes) replaces it instead of a pool that only restarts.
 * A worker that served at least one request resets the count. The count lives
 * in the scoreboard (consecutive_failures), where the status page reads it. */
#ifndef FCGI_CRASH_LOOP_H
#define FCGI_CRASH_LOOP_H

#include <stdbool.h>

/* The manager's exit status after the limit was reached. */
#define CRASH_LOOP_EXIT 3

/* Manager: a current worker ended. failed: it died or exited as a failure
 * (not retired by its own rules); served: it answered at least one request.
 * Updates *count (NULL: nothing is counted) and returns true, after saying so
 * on stderr, when *count reached limit (limit <= 0: never). */
bool crash_loop_worker_ended(long limit, unsigned long *count, bool failed, bool served);

#endif
