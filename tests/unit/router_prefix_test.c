/* The router's quick look at the byte after the leading '/' (may_match in
 * app/http/router.c) before a template is tried in full: hostile paths that
 * share that byte, or a prefix, or differ only in case, get the answers the
 * full match gives (404, 405, 307, 200), on the service's table and on a
 * test-only table whose first segment is a parameter. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

#include "harness.h"

static struct exchange x;

static void teardown(void)
{
	exchange_free(&x);
}

TestSuite(router_prefix, .fini = teardown);

/* GET (or method) uri without a host; checks the status and, for a 307, the Location. */
static void check(const char *method, const char *uri, int status, const char *location)
{
	static char m[64], u[256];
	snprintf(m, sizeof m, "REQUEST_METHOD=%s", method);
	snprintf(u, sizeof u, "REQUEST_URI=%s", uri);
	exchange_free(&x);
	exchange_run(&x, (char *const[]){ m, u, NULL }, NULL, 0);
	cr_assert_eq(x.resp.status, status, "%s %s: status %d, want %d", method, uri, x.resp.status, status);
	if (location != NULL)
		cr_assert_str_eq(exchange_header(&x, "Location"), location, "%s %s", method, uri);
}

Test(router_prefix, a_prefix_of_a_route_is_not_found)
{
	check("GET", "/i", 404, NULL);
	check("GET", "/item", 404, NULL);
	check("GET", "/items", 404, NULL);
	check("GET", "/m", 404, NULL);
	check("GET", "/math", 404, NULL);
	check("GET", "/math/ad", 404, NULL);
	check("GET", "/math/addx", 404, NULL);
	check("GET", "/p", 404, NULL);
	check("GET", "/pin", 404, NULL);
	check("GET", "/pingg", 404, NULL);
	check("GET", "/a", 404, NULL);
	check("GET", "/api/v1/user", 404, NULL);
}

Test(router_prefix, case_differs_is_not_found)
{
	check("GET", "/Items/42", 404, NULL);
	check("GET", "/ITEMS/42", 404, NULL);
	check("GET", "/Math/add?i=1", 404, NULL);
	check("GET", "/math/Add?i=1", 404, NULL);
	check("GET", "/PING", 404, NULL);
	check("GET", "/Ping/", 404, NULL);
}

Test(router_prefix, empty_segments_are_not_matched)
{
	check("GET", "/items//", 404, NULL);
	check("GET", "/items//42", 404, NULL);
	check("GET", "//items/42", 404, NULL);
	check("GET", "/api/v1/users//", 404, NULL); /* every trailing slash stripped: "/api/v1/users" */
	check("GET", "/api/v1//users/", 404, NULL);
}

Test(router_prefix, trailing_slash_toggles_to_the_matching_route)
{
	check("GET", "/items/42/", 307, "/items/42");
	check("GET", "/items/42//", 307, "/items/42");
	check("GET", "/math/add/?i=1", 307, "/math/add?i=1");
	check("GET", "/ping/", 307, "/ping");
	check("GET", "/api/v1/users", 307, "/api/v1/users/");
	check("GET", "/api/v1/users/7/", 307, "/api/v1/users/7");
	check("GET", "/items/", 404, NULL);
}

Test(router_prefix, the_routes_still_match)
{
	check("GET", "/", 200, NULL);
	check("GET", "/ping", 200, NULL);
	check("GET", "/items/42?q=x", 200, NULL);
	check("GET", "/items/x", 422, NULL);
	check("GET", "/math/add?i=5&i=10", 200, NULL);
	check("POST", "/items/42", 405, NULL);
	check("POST", "/", 405, NULL);
	check("DELETE", "/api/v1/users/7", 200, NULL);
	check("GET", "/docs/nope", 404, NULL);
}

static void handle_name(const struct request *req, const struct arg *args, struct response *resp)
{
	response_set_body(resp, 200, "text/plain; charset=utf-8", args[0].text[0]);
	(void)req;
}

static void handle_x(const struct request *req, const struct arg *args, struct response *resp)
{
	response_set_body(resp, 200, "text/plain; charset=utf-8", STR_LIT("x"));
	(void)req;
	(void)args;
}

static const struct param_spec one_name[] = {
	{ "name", PARAM_PATH, PARAM_STR },
};

/* A first segment that is a parameter: no byte to look at, the full match decides. */
static const struct route name_routes[] = {
	{ .path = "/x", .methods = M_POST, .handler = handle_x, .function = "x" },
	{ .path = "/{name}", .methods = M_GET, .handler = handle_name, .function = "name", PARAMS(one_name) },
};

static void answer_names(const struct request *req, struct response *resp)
{
	router_dispatch(name_routes, sizeof name_routes / sizeof name_routes[0], req, resp);
}

static void check_names_by(const char *method, const char *uri, int status, const char *body)
{
	static char m[64], u[256];
	snprintf(m, sizeof m, "REQUEST_METHOD=%s", method);
	snprintf(u, sizeof u, "REQUEST_URI=%s", uri);
	exchange_free(&x);
	exchange_run_by(&x, (char *const[]){ m, u, NULL }, NULL, 0, answer_names);
	cr_assert_eq(x.resp.status, status, "%s: status %d, want %d", uri, x.resp.status, status);
	if (body != NULL)
		cr_assert_str_eq(exchange_body(&x), body, "%s", uri);
}

static void check_names(const char *uri, int status, const char *body)
{
	check_names_by("GET", uri, status, body);
}

Test(router_prefix, a_parameter_first_segment_is_matched_in_full)
{
	check_names("/abc", 200, "abc");
	check_names("/x", 200, "x"); /* /x takes POST only: /{name} takes GET */
	check_names("/", 404, NULL);
	check_names("/abc/", 307, NULL);
	check_names("/a/b", 404, NULL);
	check_names_by("POST", "/x", 200, "x"); /* a two-byte path: "/x" is tried */
	check_names_by("POST", "/y", 405, NULL);
}
