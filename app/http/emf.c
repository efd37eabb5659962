#include "http/emf.h"

#include <cjson/cJSON.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "core/sysio.h"
#include "http/observe.h"

#define ROUTES 64

struct route_acc {
	const char *route;            /* NULL: the unmatched row */
	const char *target;
	uint64_t requests, errors;
	double values[EMF_MAX_VALUES];
	unsigned nvalues;
};

static struct {
	pthread_mutex_t lock;
	struct route_acc rows[ROUTES];
	int nrows;
	uint64_t seed;
} acc = { .lock = PTHREAD_MUTEX_INITIALIZER, .seed = 88172645463325252ull };

static long long wall_ms(void)
{
	struct timespec t;
	clock_gettime(CLOCK_REALTIME, &t);
	return (long long)t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

/* The line for one route's numbers; NULL when cJSON runs out of memory. */
static char *line_for(const char *target, const char *route, const double *values, unsigned n, uint64_t requests,
		      uint64_t errors, long pid)
{
	cJSON *doc = cJSON_CreateObject();
	cJSON *aws = cJSON_AddObjectToObject(doc, "_aws");
	cJSON_AddNumberToObject(aws, "Timestamp", (double)wall_ms());
	cJSON *directive = cJSON_CreateObject();
	cJSON_AddItemToArray(cJSON_AddArrayToObject(aws, "CloudWatchMetrics"), directive);
	cJSON_AddStringToObject(directive, "Namespace", observe_namespace());
	const char *dims[] = { "target", "route" };
	cJSON_AddItemToArray(cJSON_AddArrayToObject(directive, "Dimensions"), cJSON_CreateStringArray(dims, 2));
	cJSON *metrics = cJSON_AddArrayToObject(directive, "Metrics");
	static const char *const names[][2] = { { "http_server_request_duration_seconds", "Seconds" },
						{ "http_server_requests", "Count" },
						{ "http_server_errors", "Count" } };
	for (size_t i = 0; i < 3; i++) {
		cJSON *m = cJSON_CreateObject();
		cJSON_AddStringToObject(m, "Name", names[i][0]);
		cJSON_AddStringToObject(m, "Unit", names[i][1]);
		cJSON_AddItemToArray(metrics, m);
	}
	cJSON_AddStringToObject(doc, "target", target != NULL ? target : "unknown");
	cJSON_AddStringToObject(doc, "route", route != NULL ? route : OBSERVE_UNMATCHED);
	if (pid != 0) /* not a dimension: tells one process's lines from another's */
		cJSON_AddNumberToObject(doc, "pid", (double)pid);
	if (n == 1)
		cJSON_AddNumberToObject(doc, names[0][0], values[0]);
	else
		cJSON_AddItemToObject(doc, names[0][0], cJSON_CreateDoubleArray(values, (int)n));
	cJSON_AddNumberToObject(doc, names[1][0], (double)requests);
	cJSON_AddNumberToObject(doc, names[2][0], (double)errors);
	char *text = cJSON_PrintUnformatted(doc);
	cJSON_Delete(doc);
	return text;
}

/* Writes text and a newline as one write; frees text. */
static void put_line(int fd, char *text)
{
	if (text == NULL)
		return;
	size_t n = strlen(text);
	char *line = malloc(n + 1);
	if (line != NULL) {
		memcpy(line, text, n);
		line[n] = '\n';
		(void)write_all(fd, line, n + 1);
		free(line);
	}
	cJSON_free(text);
}

void emf_write_one(int fd, const struct log_access *a)
{
	double v = (double)(a->duration_us > 0 ? a->duration_us : 0) / 1e6;
	put_line(fd, line_for(a->target, a->route, &v, 1, 1, a->status >= 500 ? 1 : 0, 0));
}

/* xorshift64: the reservoir's dice. */
static uint64_t next_random(void)
{
	acc.seed ^= acc.seed << 13;
	acc.seed ^= acc.seed >> 7;
	acc.seed ^= acc.seed << 17;
	return acc.seed;
}

/* The row of route (the same pointer, else the same text), or a new one; when all
 * are taken, the unmatched row (made if need be in the last). */
static struct route_acc *row_for(const char *route, const char *target)
{
	for (int i = 0; i < acc.nrows; i++)
		if (acc.rows[i].route == route)
			return &acc.rows[i];
	for (int i = 0; route != NULL && i < acc.nrows; i++)
		if (acc.rows[i].route != NULL && strcmp(acc.rows[i].route, route) == 0)
			return &acc.rows[i];
	if (acc.nrows == ROUTES) {
		if (route == NULL) { /* reuse the last row as the unmatched one: its counts stay, under the new label */
			acc.rows[ROUTES - 1].route = NULL;
			return &acc.rows[ROUTES - 1];
		}
		return row_for(NULL, target);
	}
	acc.rows[acc.nrows] = (struct route_acc){ .route = route, .target = target };
	return &acc.rows[acc.nrows++];
}

void emf_add(const struct log_access *a)
{
	double v = (double)(a->duration_us > 0 ? a->duration_us : 0) / 1e6;
	pthread_mutex_lock(&acc.lock);
	struct route_acc *r = row_for(a->route, a->target);
	r->requests++;
	if (a->status >= 500)
		r->errors++;
	if (r->nvalues < EMF_MAX_VALUES)
		r->values[r->nvalues++] = v;
	else if (next_random() % r->requests < EMF_MAX_VALUES)
		r->values[next_random() % EMF_MAX_VALUES] = v;
	pthread_mutex_unlock(&acc.lock);
}

void emf_flush(int fd)
{
	pthread_mutex_lock(&acc.lock);
	for (int i = 0; i < acc.nrows; i++) {
		struct route_acc *r = &acc.rows[i];
		if (r->requests > 0)
			put_line(fd, line_for(r->target, r->route, r->values, r->nvalues, r->requests, r->errors,
					      (long)getpid()));
	}
	acc.nrows = 0;
	pthread_mutex_unlock(&acc.lock);
}
