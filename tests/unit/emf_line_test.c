/* The FastCGI EMF line (app/http/emf.c emf_flush) at its worst: every line
 * must stay within PIPE_BUF bytes, written whole into a pipe that all workers
 * share, and stay one valid EMF document whose numbers add up. */
#include <criterion/criterion.h>
#include <cjson/cJSON.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "http/emf.h"
#include "http/observe.h"
#include "service/service.h"

static void teardown(void)
{
	unsetenv("METRICS_NAMESPACE");
	const char *why;
	cr_assert_eq(observe_load(&why), APP_OK);
}

TestSuite(emf_line, .fini = teardown);

/* The longest namespace METRICS_NAMESPACE takes (255 bytes). */
static void longest_namespace(void)
{
	char ns[256];
	memset(ns, 'N', 255);
	ns[255] = '\0';
	setenv("METRICS_NAMESPACE", ns, 1);
	const char *why;
	cr_assert_eq(observe_load(&why), APP_OK);
}

/* emf_flush()'s output (static): the whole of what it wrote to a pipe. */
static const char *flushed(void)
{
	static char text[65536];
	int p[2];
	cr_assert_eq(pipe(p), 0);
	emf_flush(p[1]);
	close(p[1]);
	ssize_t n, got = 0;
	while ((n = read(p[0], text + got, sizeof text - 1 - (size_t)got)) > 0)
		got += n;
	close(p[0]);
	text[got] = '\0';
	return text;
}

/* Adds `per` requests on route (NULL: unmatched), durations of many digits
 * (about a day, microseconds), every third a 5xx; returns their seconds' sum. */
static double add_route(const char *route, int per, long long base)
{
	double sum = 0;
	for (int k = 0; k < per; k++) {
		long long us = 86399123457LL + base * 104729 + k * 7919LL;
		struct log_access a = { .target = "fcgi", .route = route, .status = k % 3 == 0 ? 503 : 200, .duration_us = us };
		emf_add(&a);
		sum += (double)us / 1e6;
	}
	return sum;
}

/* Parses text as one line of one EMF document within PIPE_BUF; checks that the
 * routes add up to requests/errors and sum; returns the document. */
static cJSON *checked_line(const char *text, double requests, double errors, double sum)
{
	size_t n = strlen(text);
	cr_assert(n > 0 && strchr(text, '\n') == text + n - 1, "one line");
	cr_assert_leq(n, (size_t)PIPE_BUF, "a line of %zu bytes: a pipe does not keep it whole", n);
	cJSON *d = cJSON_Parse(text);
	cr_assert_not_null(d, "not JSON: %.200s", text);
	cr_assert_float_eq(cJSON_GetObjectItem(d, "http_server_requests")->valuedouble, requests, 0.5);
	cr_assert_float_eq(cJSON_GetObjectItem(d, "http_server_errors")->valuedouble, errors, 0.5);
	double r = 0, e = 0, s = 0;
	cJSON *row;
	cJSON_ArrayForEach(row, cJSON_GetObjectItem(d, "routes"))
	{
		r += cJSON_GetObjectItem(row, "requests")->valuedouble;
		e += cJSON_GetObjectItem(row, "errors")->valuedouble;
		s += cJSON_GetObjectItem(row, "duration_seconds_sum")->valuedouble;
	}
	cr_assert_float_eq(r, requests, 0.5, "the routes' requests add up to the line's");
	cr_assert_float_eq(e, errors, 0.5, "the routes' errors add up to the line's");
	cr_assert(fabs(s - sum) <= sum * 1e-9, "the routes' duration sums %.17g add up to %.17g", s, sum);
	cJSON *values = cJSON_GetObjectItem(d, "http_server_request_duration_seconds");
	cr_assert(cJSON_IsNumber(values) || cJSON_GetArraySize(values) >= 1, "at least one duration");
	return d;
}

Test(emf_line, sixty_four_long_routes_stay_within_pipe_buf)
{
	longest_namespace();
	static char names[64][80];
	double sum = 0, requests = 0, errors = 0;
	for (int i = 0; i < 64; i++) {
		snprintf(names[i], sizeof names[i], "/shop/v1/categories/{category_id}/products/{product_id}/variant%02d", i);
		int per = 10 + i; /* the busiest route is the last */
		sum += add_route(names[i], per, i);
		requests += per;
		errors += (per + 2) / 3;
	}
	sum += add_route(NULL, 5, 99); /* past 64 routes: counted, under a name of its own */
	requests += 5;
	errors += 2;
	cJSON *d = checked_line(flushed(), requests, errors, sum);
	/* The busiest routes keep their names. */
	cJSON *first = cJSON_GetArrayItem(cJSON_GetObjectItem(d, "routes"), 0);
	cr_assert_str_eq(cJSON_GetObjectItem(first, "route")->valuestring, names[63]);
	cJSON_Delete(d);
}

Test(emf_line, every_route_of_the_service_by_name)
{
	longest_namespace();
	double sum = 0, requests = 0, errors = 0;
	for (size_t i = 0; i <= app_route_count; i++) {
		sum += add_route(i < app_route_count ? app_routes[i].path : NULL, 300, (long long)i);
		requests += 300;
		errors += 100;
	}
	cJSON *d = checked_line(flushed(), requests, errors, sum);
	cr_assert_eq(cJSON_GetArraySize(cJSON_GetObjectItem(d, "routes")), (int)app_route_count + 1,
		     "every route and unmatched by name: nothing summed away");
	cr_assert_eq(cJSON_GetArraySize(cJSON_GetObjectItem(d, "http_server_request_duration_seconds")), EMF_MAX_VALUES);
	cJSON_Delete(d);
}
