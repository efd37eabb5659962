/* Request metrics in the shared layer: the route template the router hands over
 * (http_route), the METRICS settings (bad values refused), and the EMF lines
 * (app/http/emf.c): one per invocation, one per process and interval when added up. */
#include <criterion/criterion.h>
#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "harness.h"
#include "http/emf.h"
#include "http/observe.h"

static struct exchange x;

static void teardown(void)
{
	exchange_free(&x);
	unsetenv("METRICS");
	unsetenv("METRICS_NAMESPACE");
	unsetenv("METRICS_INTERVAL");
	const char *why;
	cr_assert_eq(observe_load(&why), APP_OK);
}

TestSuite(metrics, .fini = teardown);

static const char *route_of(const char *method, const char *uri)
{
	static char m[64], u[256];
	snprintf(m, sizeof m, "REQUEST_METHOD=%s", method);
	snprintf(u, sizeof u, "REQUEST_URI=%s", uri);
	exchange_free(&x);
	exchange_run(&x, (char *const[]){ m, u, NULL }, NULL, 0);
	return x.resp.route;
}

Test(metrics, route_is_the_template_never_the_path)
{
	cr_assert_str_eq(route_of("GET", "/items/7?q=1"), "/items/{item_id}");
	cr_assert_str_eq(route_of("GET", "/items/x"), "/items/{item_id}", "422: the route matched");
	cr_assert_str_eq(route_of("POST", "/ping"), "/ping", "405: the path's route");
	cr_assert_null(route_of("GET", "/no/such/page"), "404: no route");
	cr_assert_null(route_of("GET", "/ping/"), "307 to the other slash: no route");
}

/* observe_load() with METRICS_INTERVAL=value: refused or not. */
static enum app_err interval(const char *value)
{
	const char *why = NULL;
	setenv("METRICS_INTERVAL", value, 1);
	enum app_err err = observe_load(&why);
	if (err != APP_OK)
		cr_assert(why != NULL && strstr(why, "METRICS_INTERVAL=") != NULL);
	return err;
}

Test(metrics, settings_refused_at_start)
{
	const char *why;
	cr_assert_eq(observe_load(&why), APP_OK);
	cr_assert_eq(observe_mode(), METRICS_NONE);
	cr_assert_str_eq(observe_namespace(), "MathService");
	cr_assert_eq(observe_interval(), 60);
	for (const char *bad = "0\0-1\0" "86401\0" "99999999999999\0" "1.5\0 5\0" "5 \0abc\0+5\0"; *bad; bad += strlen(bad) + 1)
		cr_assert_eq(interval(bad), APP_ERR_INVALID, "METRICS_INTERVAL=\"%s\" taken", bad);
	cr_assert_eq(interval("1"), APP_OK);
	cr_assert_eq(interval("86400"), APP_OK);
	cr_assert_eq(observe_interval(), 86400);
	setenv("METRICS", "prometheus", 1);
	cr_assert_eq(observe_load(&why), APP_ERR_INVALID);
	cr_assert_eq(observe_mode(), METRICS_NONE);
	setenv("METRICS", "emf", 1);
	setenv("METRICS_NAMESPACE", "a\"b", 1);
	cr_assert_eq(observe_load(&why), APP_ERR_INVALID);
	setenv("METRICS_NAMESPACE", "Shop/Prod", 1);
	cr_assert_eq(observe_load(&why), APP_OK);
	cr_assert_eq(observe_mode(), METRICS_EMF);
	cr_assert_str_eq(observe_namespace(), "Shop/Prod");
}

/* Everything written to a pipe by fn, as a string (static). */
static const char *captured(void (*fn)(int fd))
{
	static char text[65536];
	int p[2];
	cr_assert_eq(pipe(p), 0);
	fn(p[1]);
	close(p[1]);
	ssize_t n, got = 0;
	while ((n = read(p[0], text + got, sizeof text - 1 - (size_t)got)) > 0)
		got += n;
	close(p[0]);
	text[got] = '\0';
	return text;
}

static struct log_access access_line(const char *route, int status, long long us)
{
	return (struct log_access){ .target = "fcgi", .route = route, .status = status, .duration_us = us };
}

static void write_one(int fd)
{
	struct log_access a = access_line("/ping", 503, 1500);
	emf_write_one(fd, &a);
}

Test(metrics, one_line_per_invocation_with_the_required_keys)
{
	const char *text = captured(write_one);
	cr_assert_eq(strchr(text, '\n'), text + strlen(text) - 1, "one line");
	cJSON *d = cJSON_Parse(text);
	cr_assert_not_null(d);
	cJSON *aws = cJSON_GetObjectItem(d, "_aws");
	cr_assert(cJSON_IsNumber(cJSON_GetObjectItem(aws, "Timestamp")));
	cJSON *directive = cJSON_GetArrayItem(cJSON_GetObjectItem(aws, "CloudWatchMetrics"), 0);
	cr_assert_str_eq(cJSON_GetObjectItem(directive, "Namespace")->valuestring, "MathService");
	cJSON *dims = cJSON_GetArrayItem(cJSON_GetObjectItem(directive, "Dimensions"), 0);
	cr_assert_str_eq(cJSON_GetArrayItem(dims, 0)->valuestring, "target");
	cr_assert_str_eq(cJSON_GetArrayItem(dims, 1)->valuestring, "route");
	cr_assert_str_eq(cJSON_GetObjectItem(d, "route")->valuestring, "/ping");
	cr_assert_float_eq(cJSON_GetObjectItem(d, "http_server_request_duration_seconds")->valuedouble, 0.0015, 1e-9);
	cr_assert_eq(cJSON_GetObjectItem(d, "http_server_errors")->valueint, 1);
	cJSON *m;
	cJSON_ArrayForEach(m, cJSON_GetObjectItem(directive, "Metrics"))
		cr_assert_not_null(cJSON_GetObjectItem(d, cJSON_GetObjectItem(m, "Name")->valuestring));
	cJSON_Delete(d);
}

static void flush(int fd)
{
	emf_flush(fd);
}

/* The one route object of d's "routes" named route; fails the test when there is not exactly one. */
static cJSON *route_row(cJSON *d, const char *route)
{
	cJSON *row, *found = NULL;
	cJSON_ArrayForEach(row, cJSON_GetObjectItem(d, "routes"))
		if (strcmp(cJSON_GetObjectItem(row, "route")->valuestring, route) == 0) {
			cr_assert_null(found, "%s twice in routes", route);
			found = row;
		}
	cr_assert_not_null(found, "no %s in routes", route);
	return found;
}

Test(metrics, added_up_one_line_per_interval_whatever_the_routes)
{
	/* 250 requests on three routes (one unmatched), the first 3 of them 5xx. */
	for (int i = 0; i < 250; i++) {
		const char *route = i % 5 == 0 ? NULL : i % 5 == 1 ? "/ping" : "/items/{item_id}";
		struct log_access a = access_line(route, i < 3 ? 500 : 200, 1000 + i);
		emf_add(&a);
	}
	const char *text = captured(flush);
	cr_assert_eq(strchr(text, '\n'), text + strlen(text) - 1, "one line for three routes: %s", text);
	cJSON *d = cJSON_Parse(text);
	cr_assert_not_null(d, "%s", text);
	cJSON *directive = cJSON_GetArrayItem(cJSON_GetObjectItem(cJSON_GetObjectItem(d, "_aws"), "CloudWatchMetrics"), 0);
	cJSON *dimsets = cJSON_GetObjectItem(directive, "Dimensions");
	cr_assert_eq(cJSON_GetArraySize(dimsets), 1);
	cJSON *dims = cJSON_GetArrayItem(dimsets, 0);
	cr_assert_eq(cJSON_GetArraySize(dims), 1, "the dimension is target alone");
	cr_assert_str_eq(cJSON_GetArrayItem(dims, 0)->valuestring, "target");
	cr_assert_str_eq(cJSON_GetObjectItem(d, "target")->valuestring, "fcgi");
	cr_assert_null(cJSON_GetObjectItem(d, "route"), "no route at the root: it is no dimension here");
	cr_assert_eq(cJSON_GetObjectItem(d, "http_server_requests")->valueint, 250);
	cr_assert_eq(cJSON_GetObjectItem(d, "http_server_errors")->valueint, 3);
	cr_assert_eq(cJSON_GetArraySize(cJSON_GetObjectItem(d, "http_server_request_duration_seconds")), EMF_MAX_VALUES);
	cr_assert_eq(cJSON_GetObjectItem(d, "pid")->valueint, (int)getpid());
	cr_assert_eq(cJSON_GetArraySize(cJSON_GetObjectItem(d, "routes")), 3);
	cJSON *items = route_row(d, "/items/{item_id}"), *ping = route_row(d, "/ping"), *none = route_row(d, "unmatched");
	cr_assert_eq(cJSON_GetObjectItem(items, "requests")->valueint, 150);
	cr_assert_eq(cJSON_GetObjectItem(ping, "requests")->valueint, 50);
	cr_assert_eq(cJSON_GetObjectItem(none, "requests")->valueint, 50);
	/* requests 0, 1, 2 were the 5xx: one on each route */
	cr_assert_eq(cJSON_GetObjectItem(items, "errors")->valueint, 1);
	cr_assert_eq(cJSON_GetObjectItem(ping, "errors")->valueint, 1);
	cr_assert_eq(cJSON_GetObjectItem(none, "errors")->valueint, 1);
	/* /ping had i = 1, 6, ... 246: durations 1001 ... 1246 us */
	cr_assert_float_eq(cJSON_GetObjectItem(ping, "duration_seconds_max")->valuedouble, 0.001246, 1e-9);
	cr_assert_float_eq(cJSON_GetObjectItem(ping, "duration_seconds_sum")->valuedouble, 50 * 0.0011235, 1e-9);
	cJSON_Delete(d);
	cr_assert_str_eq(captured(flush), "", "a new interval: nothing to say");
	struct log_access a = access_line("/ping", 200, 7);
	emf_add(&a);
	d = cJSON_Parse(captured(flush));
	cr_assert_eq(cJSON_GetObjectItem(d, "http_server_requests")->valueint, 1, "the totals start again");
	cr_assert_eq(cJSON_GetArraySize(cJSON_GetObjectItem(d, "routes")), 1, "so do the routes");
	cJSON_Delete(d);
}
