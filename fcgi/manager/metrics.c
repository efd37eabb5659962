#include "metrics.h"

#include <errno.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>

#include "http/log.h"
#include "service/service.h"
#include "worker/timeouts.h"
#include "worker/worker.h"

const double metrics_bounds[METRICS_BOUNDS] = { 0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5,
						0.75,  1,    2.5,   5,    7.5,   10 };
const char *const metrics_bound_text[METRICS_BOUNDS] = { "0.005", "0.01", "0.025", "0.05", "0.075",
							  "0.1",   "0.25", "0.5",   "0.75", "1.0",
							  "2.5",   "5.0",  "7.5",   "10.0" };
const char *const metrics_method_names[METRICS_METHODS] = { "GET",     "HEAD",  "POST",    "PUT",  "PATCH",
							     "DELETE", "OPTIONS", "CONNECT", "TRACE", "_OTHER" };
const char *const metrics_restart_names[RESTART_CAUSES] = { "crash", "max_requests", "request_timeout", "reload" };

/* Room for every (method, route, status) a pool meets in practice: the
 * method and route lists are fixed, the statuses the service answers few. */
#define SERIES 512

struct series {
	atomic_uint_least32_t key; /* 0: free; else 1 + method | route << 4 | status << 12 */
	atomic_uint_least64_t buckets[METRICS_BOUNDS + 1];
	atomic_uint_least64_t sum_us;
};

struct shared {
	atomic_uint_least64_t restarts[RESTART_CAUSES];
	atomic_uint_least64_t dropped;
	struct series series[SERIES];
};

static struct shared *shared;

int metrics_create(void)
{
	void *p = mmap(NULL, sizeof *shared, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED) {
		fprintf(stderr, "app.fcgi: metrics: %s\n", strerror(errno));
		return -1;
	}
	shared = p; /* zeroed by mmap: every key free, every count 0 */
	return 0;
}

void metrics_destroy(void)
{
	if (shared != NULL)
		munmap(shared, sizeof *shared);
	shared = NULL;
}

bool metrics_shared(void)
{
	return shared != NULL;
}

/* The method's index in the fixed list; anything else (or none) is _OTHER. */
static unsigned method_index(struct str m)
{
	for (unsigned i = 0; i + 1 < METRICS_METHODS; i++)
		if (str_eq(m, str_c(metrics_method_names[i])))
			return i;
	return METRICS_METHODS - 1;
}

/* The route's index in the table; app_route_count for none (or one not in it).
 * The router hands over the table's own pointer: compared first, text only if none is it. */
static unsigned route_index(const char *route)
{
	size_t n = app_route_count < 255 ? app_route_count : 255;
	if (route == NULL)
		return (unsigned)n;
	for (size_t i = 0; i < n; i++)
		if (app_routes[i].path == route)
			return (unsigned)i;
	for (size_t i = 0; i < n; i++)
		if (strcmp(app_routes[i].path, route) == 0)
			return (unsigned)i;
	return (unsigned)n;
}

/* The series for key: found, or claimed (compare-and-swap on a free one), or NULL when all are taken. */
static struct series *series_for(uint_least32_t key)
{
	unsigned start = (key * 2654435761u) % SERIES;
	for (unsigned n = 0; n < SERIES; n++) {
		struct series *s = &shared->series[(start + n) % SERIES];
		uint_least32_t seen = atomic_load_explicit(&s->key, memory_order_relaxed);
		if (seen == key)
			return s;
		if (seen == 0) {
			if (atomic_compare_exchange_strong(&s->key, &seen, key) || seen == key)
				return s;
		}
	}
	return NULL;
}

void metrics_record(const struct log_access *a)
{
	if (shared == NULL)
		return;
	unsigned status = a->status >= 100 && a->status <= 599 ? (unsigned)a->status : 0;
	uint_least32_t key = 1 + (method_index(a->method) | route_index(a->route) << 4 | status << 12);
	struct series *s = series_for(key);
	if (s == NULL) {
		atomic_fetch_add_explicit(&shared->dropped, 1, memory_order_relaxed);
		return;
	}
	long long us = a->duration_us > 0 ? a->duration_us : 0;
	int b = 0;
	while (b < METRICS_BOUNDS && (double)us / 1e6 > metrics_bounds[b])
		b++;
	atomic_fetch_add_explicit(&s->sum_us, (uint_least64_t)us, memory_order_relaxed);
	atomic_fetch_add_explicit(&s->buckets[b], 1, memory_order_relaxed);
}

void metrics_worker_exit(int wait_status, bool current, bool stopping)
{
	if (shared == NULL || stopping)
		return;
	int code = WIFEXITED(wait_status) ? WEXITSTATUS(wait_status) : -1;
	enum restart_cause cause = !current			   ? RESTART_RELOAD
				   : code == WORKER_EXIT_MAX_REQUESTS ? RESTART_MAX_REQUESTS
				   : code == WORKER_EXIT_TIMEOUT	   ? RESTART_REQUEST_TIMEOUT
								   : RESTART_CRASH;
	atomic_fetch_add_explicit(&shared->restarts[cause], 1, memory_order_relaxed);
}

int metrics_capacity(void)
{
	return shared != NULL ? SERIES : 0;
}

bool metrics_series_at(int i, struct metrics_series *out)
{
	if (shared == NULL || i < 0 || i >= SERIES)
		return false;
	const struct series *s = &shared->series[i];
	uint_least32_t key = atomic_load_explicit(&s->key, memory_order_acquire);
	if (key == 0)
		return false;
	key--;
	unsigned route = key >> 4 & 0xff;
	out->method = metrics_method_names[key & 0xf];
	out->route = route < app_route_count ? app_routes[route].path : "unmatched";
	out->status = (int)(key >> 12);
	for (int b = 0; b <= METRICS_BOUNDS; b++)
		out->buckets[b] = atomic_load_explicit(&s->buckets[b], memory_order_relaxed);
	out->sum_us = atomic_load_explicit(&s->sum_us, memory_order_relaxed);
	return true;
}

uint64_t metrics_restarts(enum restart_cause cause)
{
	return shared != NULL ? atomic_load_explicit(&shared->restarts[cause], memory_order_relaxed) : 0;
}

uint64_t metrics_dropped(void)
{
	return shared != NULL ? atomic_load_explicit(&shared->dropped, memory_order_relaxed) : 0;
}
