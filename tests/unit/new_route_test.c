/* What docs/adding-an-endpoint.md promises a new route gets for free, checked
 * on a test-only route table: GET /greet/{name}?times=N. */
#include <criterion/criterion.h>

#include "harness.h"

static void handle_greet(const struct request *req, const struct arg *args, struct response *resp)
{
	/* args[] follow name_and_times: the name as text, times as an exact integer. */
	struct str times = bigint_format(req->arena, &args[1].ints[0]);
	response_set_body(resp, 200, "text/plain; charset=utf-8",
			  str_c(arena_printf(req->arena, "hello %s x%s", str_dup(req->arena, args[0].text[0]), times.p)));
}

static const struct param_spec name_and_times[] = {
	{ "name", PARAM_PATH, PARAM_STR },
	{ "times", PARAM_QUERY, PARAM_INT },
};

static const struct route greet_routes[] = {
	{ .path = "/greet/{name}", .methods = M_GET, .handler = handle_greet, .function = "greet", .summary = "Greet",
	  PARAMS(name_and_times), .doc = DOC_TEXT },
};

static struct arena a;
static struct request req;
static struct response resp;

static void teardown(void)
{
	arena_release(&a);
}

TestSuite(new_route, .fini = teardown);

/* method + REQUEST_URI through the CGI environment parser, then the test table. */
static void dispatch(const char *method, const char *uri)
{
	arena_release(&a);
	arena_init(&a);
	request_init(&req, &a, "test");
	char *env[] = { arena_printf(&a, "REQUEST_METHOD=%s", method), arena_printf(&a, "REQUEST_URI=%s", uri),
			"HTTP_HOST=example.test", NULL };
	size_t body_length;
	cr_assert_eq(cgi_env_parse(&req, env, MOUNT_AT_ROOT, &body_length), APP_OK);
	response_init(&resp, &a);
	router_dispatch(greet_routes, sizeof greet_routes / sizeof greet_routes[0], &req, &resp);
}

static const char *body(void)
{
	return str_dup(&a, resp.body);
}

Test(new_route, answers_with_validated_arguments)
{
	dispatch("GET", "/greet/ab?times=+0002");
	cr_assert_eq(resp.status, 200);
	cr_assert_str_eq(body(), "hello ab x2");
}

Test(new_route, head_comes_with_get)
{
	dispatch("HEAD", "/greet/ab?times=2");
	cr_assert_eq(resp.status, 200);
}

Test(new_route, another_method_is_405_with_allow)
{
	dispatch("POST", "/greet/ab?times=2");
	cr_assert_eq(resp.status, 405);
	cr_assert(str_eq(response_header(&resp, "Allow"), STR_LIT("GET, HEAD")));
	cr_assert_str_eq(body(), "{\"detail\":\"Method Not Allowed\"}");
}

Test(new_route, a_bad_or_missing_integer_is_422_in_fastapis_shape)
{
	dispatch("GET", "/greet/ab?times=x");
	cr_assert_eq(resp.status, 422);
	cr_assert_str_eq(body(), "{\"detail\":[{\"type\":\"int_parsing\",\"loc\":[\"query\",\"times\"],"
				 "\"msg\":\"Input should be a valid integer, unable to parse string as an integer\","
				 "\"input\":\"x\"}]}");
	dispatch("GET", "/greet/ab");
	cr_assert_eq(resp.status, 422);
	cr_assert_str_eq(body(), "{\"detail\":[{\"type\":\"missing\",\"loc\":[\"query\",\"times\"],"
				 "\"msg\":\"Field required\",\"input\":null}]}");
}

Test(new_route, a_trailing_slash_redirects)
{
	dispatch("GET", "/greet/ab/?times=1");
	cr_assert_eq(resp.status, 307);
	cr_assert(str_eq(response_header(&resp, "Location"), STR_LIT("http://example.test/greet/ab?times=1")));
}

Test(new_route, an_unknown_path_is_404)
{
	dispatch("GET", "/greet");
	cr_assert_eq(resp.status, 404);
}
