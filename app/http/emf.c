#include "http/emf.h"

#include <cjson/cJSON.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "http/log.h"
#include "http/observe.h"

#define ROUTES 64

/* One route's part of a process's interval: the "routes" breakdown of its line. */
struct route_acc {
	const char *route; /* NULL: the unmatched row */
	uint64_t requests, errors;
	double sum, max; /* seconds */
};

/* A process's interval: the totals (the metrics of its one line), a uniform sample
 * of the durations of all its requests, and the rows per route. */
static struct {
	pthread_mutex_t lock;
	const char *target;
	uint64_t requests, errors;
	double values[EMF_MAX_VALUES];
	unsigned nvalues;
	struct route_acc rows[ROUTES + 1]; /* + the unmatched row when ROUTES are taken */
	int nrows;
	uint64_t seed;
} acc = { .lock = PTHREAD_MUTEX_INITIALIZER, .seed = 88172645463325252ull };

static long long wall_ms(void)
{
	struct timespec t;
	clock_gettime(CLOCK_REALTIME, &t);
	return (long long)t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

static const char *const metric_names[][2] = { { "http_server_request_duration_seconds", "Seconds" },
					       { "http_server_requests", "Count" },
					       { "http_server_errors", "Count" } };

/* A new EMF document with its _aws member: one directive whose one dimension set is
 * dims (ndims names) and whose metrics are the three above. NULL when out of memory
 * (cJSON calls on NULL do nothing, and printing NULL gives NULL). */
static cJSON *document(const char *const *dims, int ndims)
{
	cJSON *doc = cJSON_CreateObject();
	cJSON *aws = cJSON_AddObjectToObject(doc, "_aws");
	cJSON_AddNumberToObject(aws, "Timestamp", (double)wall_ms());
	cJSON *directive = cJSON_CreateObject();
	cJSON_AddItemToArray(cJSON_AddArrayToObject(aws, "CloudWatchMetrics"), directive);
	cJSON_AddStringToObject(directive, "Namespace", observe_namespace());
	cJSON_AddItemToArray(cJSON_AddArrayToObject(directive, "Dimensions"), cJSON_CreateStringArray(dims, ndims));
	cJSON *metrics = cJSON_AddArrayToObject(directive, "Metrics");
	for (size_t i = 0; i < 3; i++) {
		cJSON *m = cJSON_CreateObject();
		cJSON_AddStringToObject(m, "Name", metric_names[i][0]);
		cJSON_AddStringToObject(m, "Unit", metric_names[i][1]);
		cJSON_AddItemToArray(metrics, m);
	}
	return doc;
}

/* Adds the three metrics' values to doc: one duration as a number, more as an array. */
static void add_values(cJSON *doc, const double *values, unsigned n, uint64_t requests, uint64_t errors)
{
	if (n == 1)
		cJSON_AddNumberToObject(doc, metric_names[0][0], values[0]);
	else
		cJSON_AddItemToObject(doc, metric_names[0][0], cJSON_CreateDoubleArray(values, (int)n));
	cJSON_AddNumberToObject(doc, metric_names[1][0], (double)requests);
	cJSON_AddNumberToObject(doc, metric_names[2][0], (double)errors);
}

/* Prints doc on one line and deletes it; NULL when out of memory. */
static char *printed(cJSON *doc)
{
	char *text = cJSON_PrintUnformatted(doc);
	cJSON_Delete(doc);
	return text;
}

/* Hands text and a newline to the logger's writer (http/log.h
 * log_write_line(): one write, or held with the access lines by a FastCGI
 * worker, never a wait for a log reader that stalls); frees text. NULL
 * (out of memory): nothing. */
static void put_line(int fd, char *text)
{
	if (text == NULL)
		return;
	size_t n = strlen(text);
	char *line = malloc(n + 1);
	if (line != NULL) {
		memcpy(line, text, n);
		line[n] = '\n';
		(void)log_write_line(fd, line, n + 1);
		free(line);
	}
	cJSON_free(text);
}

void emf_write_one(int fd, const struct log_access *a)
{
	static const char *const dims[] = { "target", "route" };
	double v = (double)(a->duration_us > 0 ? a->duration_us : 0) / 1e6;
	cJSON *doc = document(dims, 2);
	cJSON_AddStringToObject(doc, "target", a->target != NULL ? a->target : "unknown");
	cJSON_AddStringToObject(doc, "route", a->route != NULL ? a->route : OBSERVE_UNMATCHED);
	add_values(doc, &v, 1, 1, a->status >= 500 ? 1 : 0);
	put_line(fd, printed(doc));
}

/* xorshift64: the reservoir's dice. */
static uint64_t next_random(void)
{
	acc.seed ^= acc.seed << 13;
	acc.seed ^= acc.seed >> 7;
	acc.seed ^= acc.seed << 17;
	return acc.seed;
}

/* The row of route (the same pointer, else the same text), or a new one; past
 * ROUTES routes, the unmatched row (made if need be in the one slot past them),
 * so no route's counts are ever relabelled. */
static struct route_acc *row_for(const char *route)
{
	for (int i = 0; i < acc.nrows; i++)
		if (acc.rows[i].route == route)
			return &acc.rows[i];
	for (int i = 0; route != NULL && i < acc.nrows; i++)
		if (acc.rows[i].route != NULL && strcmp(acc.rows[i].route, route) == 0)
			return &acc.rows[i];
	if (route != NULL && acc.nrows >= ROUTES)
		return row_for(NULL);
	acc.rows[acc.nrows] = (struct route_acc){ .route = route };
	return &acc.rows[acc.nrows++];
}

void emf_add(const struct log_access *a)
{
	double v = (double)(a->duration_us > 0 ? a->duration_us : 0) / 1e6;
	int error = a->status >= 500;
	pthread_mutex_lock(&acc.lock);
	if (acc.target == NULL)
		acc.target = a->target;
	struct route_acc *r = row_for(a->route);
	r->requests++;
	r->errors += (uint64_t)error;
	r->sum += v;
	if (v > r->max)
		r->max = v;
	acc.requests++;
	acc.errors += (uint64_t)error;
	if (acc.nvalues < EMF_MAX_VALUES)
		acc.values[acc.nvalues++] = v;
	else if (next_random() % acc.requests < EMF_MAX_VALUES)
		acc.values[next_random() % EMF_MAX_VALUES] = v;
	pthread_mutex_unlock(&acc.lock);
}

/* Adds r's numbers to into. */
static void merge(struct route_acc *into, const struct route_acc *r)
{
	into->requests += r->requests;
	into->errors += r->errors;
	into->sum += r->sum;
	if (r->max > into->max)
		into->max = r->max;
}

/* One object of the "routes" property; NULL when out of memory (cJSON then drops it). */
static cJSON *row_object(const char *route, const struct route_acc *r)
{
	cJSON *o = cJSON_CreateObject();
	cJSON_AddStringToObject(o, "route", route);
	cJSON_AddNumberToObject(o, "requests", (double)r->requests);
	cJSON_AddNumberToObject(o, "errors", (double)r->errors);
	cJSON_AddNumberToObject(o, "duration_seconds_sum", r->sum);
	cJSON_AddNumberToObject(o, "duration_seconds_max", r->max);
	return o;
}

/* The "routes" property: the first `named` rows with requests by name, the
 * rest added up in one row "other" (no route template is named so). */
static cJSON *routes_breakdown(int named)
{
	cJSON *list = cJSON_CreateArray();
	struct route_acc other = { 0 };
	for (int i = 0; i < acc.nrows; i++) {
		const struct route_acc *r = &acc.rows[i];
		if (r->requests == 0)
			continue;
		if (i < named)
			cJSON_AddItemToArray(list, row_object(r->route != NULL ? r->route : OBSERVE_UNMATCHED, r));
		else
			merge(&other, r);
	}
	if (other.requests > 0)
		cJSON_AddItemToArray(list, row_object(EMF_OTHER_ROUTES, &other));
	return list;
}

/* Busiest row first. */
static int busier(const void *a, const void *b)
{
	uint64_t x = ((const struct route_acc *)a)->requests, y = ((const struct route_acc *)b)->requests;
	return x < y ? 1 : x > y ? -1 : 0;
}

/* Moves a uniform sample of k of the n durations to the front (partial Fisher-Yates). */
static void sample_values(unsigned k, unsigned n)
{
	for (unsigned i = 0; i < k && i + 1 < n; i++) {
		unsigned j = i + (unsigned)(next_random() % (n - i));
		double t = acc.values[i];
		acc.values[i] = acc.values[j];
		acc.values[j] = t;
	}
}

/* The interval's line (the lock taken) with `named` routes by name and nvalues
 * durations; NULL when out of memory. */
static char *interval_text(int named, unsigned nvalues)
{
	static const char *const dims[] = { "target" };
	cJSON *doc = document(dims, 1);
	cJSON_AddStringToObject(doc, "target", acc.target != NULL ? acc.target : "unknown");
	/* not a dimension: tells one process's line from another's */
	cJSON_AddNumberToObject(doc, "pid", (double)getpid());
	add_values(doc, acc.values, nvalues, acc.requests, acc.errors);
	cJSON_AddItemToObject(doc, "routes", routes_breakdown(named));
	return printed(doc);
}

/* The interval's line within EMF_LINE_MAX (the lock taken): all of it when it
 * fits; else the busiest routes by name and the rest as "other", a quarter
 * fewer at a time, and then, with no route left by name, fewer durations (a
 * uniform sample of the sample). NULL when out of memory. */
static char *interval_line(void)
{
	qsort(acc.rows, (size_t)acc.nrows, sizeof acc.rows[0], busier);
	int named = acc.nrows;
	unsigned nvalues = acc.nvalues;
	for (;;) {
		char *text = interval_text(named, nvalues);
		if (text == NULL || strlen(text) < EMF_LINE_MAX || (named == 0 && nvalues <= 1))
			return text;
		cJSON_free(text);
		if (named > 0) {
			named = named * 3 / 4;
		} else {
			nvalues = nvalues * 3 / 4;
			sample_values(nvalues, acc.nvalues);
		}
	}
}

void emf_flush(int fd)
{
	char *text = NULL;
	pthread_mutex_lock(&acc.lock);
	if (acc.requests > 0)
		text = interval_line();
	acc.requests = acc.errors = 0;
	acc.nvalues = 0;
	acc.nrows = 0;
	pthread_mutex_unlock(&acc.lock);
	/* Written without the lock: requests go on adding up while a full log
	 * pipe keeps the writer (before, emf_add() waited for it for ever). */
	put_line(fd, text);
}
