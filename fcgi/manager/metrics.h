/* The pool's request metrics in shared memory (a second mapping beside the
 * scoreboard, made by the manager before it forks): the request-duration
 * histogram by method, route template and status code, worker restarts by
 * cause. Workers add with C11 atomics, never a lock; the
 * OpenMetrics page (worker/openmetrics.c) reads it in whichever worker answers.
 * A worker that dies loses nothing already counted: the counters live in the
 * manager's mapping. Without a manager (spawned by lighttpd or spawn-fcgi)
 * or with no status page to show them (no --status-path) there is no mapping
 * and every call here is a no-op. */
#ifndef FCGI_METRICS_H
#define FCGI_METRICS_H

#include <stdbool.h>
#include <stdint.h>

struct log_access;

/* The histogram's upper bounds in seconds (OpenTelemetry's HTTP defaults), +Inf last. */
#define METRICS_BOUNDS 14
extern const double metrics_bounds[METRICS_BOUNDS];
extern const char *const metrics_bound_text[METRICS_BOUNDS];

/* Methods are labelled from this fixed list, anything else "_OTHER". */
#define METRICS_METHODS 10
extern const char *const metrics_method_names[METRICS_METHODS];

enum restart_cause { RESTART_CRASH, RESTART_MAX_REQUESTS, RESTART_REQUEST_TIMEOUT, RESTART_RELOAD, RESTART_CAUSES };
extern const char *const metrics_restart_names[RESTART_CAUSES];

/* One series of the histogram as read: its labels and its counts per bucket
 * (not cumulative; the last is above 10 s) and the sum of durations. */
struct metrics_series {
	const char *method;
	const char *route;   /* a template of the route table, or "unmatched" */
	int status;
	uint64_t buckets[METRICS_BOUNDS + 1];
	uint64_t sum_us;
};

/* Manager, before forking, when there is a status page: maps the zeroed counters. -1 (after saying why)
 * when the memory cannot be had. */
int metrics_create(void);

/* Manager, at exit: unmaps them (nothing mapped: no-op). */
void metrics_destroy(void);

/* Whether there is a mapping (a manager's pool). */
bool metrics_shared(void);

/* Worker: counts one answered request. Unknown methods count as "_OTHER", a
 * route not in the table as "unmatched", a status outside 100..599 as 0; when
 * every series is taken (it cannot be with the fixed lists) the request counts
 * in metrics_dropped() instead. */
void metrics_record(const struct log_access *a);

/* Manager: a worker's exit (waitpid status) counted by cause, when it is
 * replaced: current (of this generation), not while stopping. Old-generation
 * workers retired by SIGHUP count as "reload". */
void metrics_worker_exit(int wait_status, bool current, bool stopping);

/* Readers. Series i (0 up to metrics_capacity()) into out; false when unused. */
int metrics_capacity(void);
bool metrics_series_at(int i, struct metrics_series *out);
uint64_t metrics_restarts(enum restart_cause cause);
uint64_t metrics_dropped(void);

#endif
