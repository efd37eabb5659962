/* The router's answers (app/http/router.c) in FastAPI's error shapes: 404, 405 + Allow,
 * 422, 307 redirect_slashes. */
#include <criterion/criterion.h>
#include <stdio.h>

#include "harness.h"

static struct exchange x;

static void teardown(void)
{
	exchange_free(&x);
}

TestSuite(router, .fini = teardown);

static void run(const char *method, const char *uri, const char *host)
{
	static char m[64], u[256], h[128];
	snprintf(m, sizeof m, "REQUEST_METHOD=%s", method);
	snprintf(u, sizeof u, "REQUEST_URI=%s", uri);
	snprintf(h, sizeof h, "HTTP_HOST=%s", host ? host : "");
	exchange_run(&x, (char *const[]){ m, u, host ? h : NULL, NULL }, NULL, 0);
}

static void expect(int status, const char *body)
{
	cr_assert_eq(x.resp.status, status, "status %d, want %d", x.resp.status, status);
	cr_assert_str_eq(exchange_body(&x), body);
}

Test(router, unknown_path_is_404)
{
	run("GET", "/nope", NULL);
	expect(404, "{\"detail\":\"Not Found\"}");
	cr_assert_str_eq(exchange_header(&x, "Content-Type"), "application/json");
}

Test(router, wrong_method_is_405_with_allow)
{
	run("POST", "/ping", NULL);
	expect(405, "{\"detail\":\"Method Not Allowed\"}");
	cr_assert_str_eq(exchange_header(&x, "Allow"), "GET, HEAD");
}

Test(router, unknown_method_on_users_lists_all_allowed)
{
	run("TRACE", "/api/v1/users/", NULL);
	expect(405, "{\"detail\":\"Method Not Allowed\"}");
	cr_assert_str_eq(exchange_header(&x, "Allow"), "GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS");
}

Test(router, bad_integer_in_repeated_query_names_its_index)
{
	run("GET", "/math/add?i=5&i=x", NULL);
	expect(422, "{\"detail\":[{\"type\":\"int_parsing\",\"loc\":[\"query\",\"i\",1],"
		    "\"msg\":\"Input should be a valid integer, unable to parse string as an integer\",\"input\":\"x\"}]}");
}

Test(router, every_bad_integer_gets_an_entry)
{
	run("GET", "/math/add?i=a&i=1&i=1.5", NULL);
	expect(422, "{\"detail\":[{\"type\":\"int_parsing\",\"loc\":[\"query\",\"i\",0],"
		    "\"msg\":\"Input should be a valid integer, unable to parse string as an integer\",\"input\":\"a\"},"
		    "{\"type\":\"int_parsing\",\"loc\":[\"query\",\"i\",2],"
		    "\"msg\":\"Input should be a valid integer, unable to parse string as an integer\",\"input\":\"1.5\"}]}");
}

Test(router, empty_integer_is_invalid)
{
	run("GET", "/math/add?i=", NULL);
	expect(422, "{\"detail\":[{\"type\":\"int_parsing\",\"loc\":[\"query\",\"i\",0],"
		    "\"msg\":\"Input should be a valid integer, unable to parse string as an integer\",\"input\":\"\"}]}");
}

Test(router, bad_path_integer_has_no_index)
{
	run("GET", "/items/abc?q=1", NULL);
	expect(422, "{\"detail\":[{\"type\":\"int_parsing\",\"loc\":[\"path\",\"item_id\"],"
		    "\"msg\":\"Input should be a valid integer, unable to parse string as an integer\",\"input\":\"abc\"}]}");
}

Test(router, sign_without_digits_is_invalid)
{
	run("GET", "/items/-", NULL);
	cr_assert_eq(x.resp.status, 422);
}

Test(router, missing_trailing_slash_redirects_307)
{
	run("GET", "/api/v1/users", "example.com");
	cr_assert_eq(x.resp.status, 307);
	cr_assert_str_eq(exchange_body(&x), "");
	cr_assert_str_eq(exchange_header(&x, "Location"), "http://example.com/api/v1/users/");
}

Test(router, extra_trailing_slashes_redirect_without_them)
{
	run("GET", "/ping//?a=1&b", "h:8080");
	cr_assert_eq(x.resp.status, 307);
	cr_assert_str_eq(exchange_header(&x, "Location"), "http://h:8080/ping?a=1&b");
}

Test(router, redirect_without_host_is_relative)
{
	run("DELETE", "/api/v1/users", NULL);
	cr_assert_eq(x.resp.status, 307);
	cr_assert_str_eq(exchange_header(&x, "Location"), "/api/v1/users/");
}

Test(router, redirect_uses_https_when_the_gateway_says_so)
{
	exchange_run(&x, (char *const[]){ "REQUEST_URI=/ping/", "HTTPS=on", "HTTP_HOST=a.example", NULL }, NULL, 0);
	cr_assert_str_eq(exchange_header(&x, "Location"), "https://a.example/ping");
}

Test(router, redirect_reencodes_the_path)
{
	run("GET", "/api/v1/users/a%20b/", "h");
	cr_assert_eq(x.resp.status, 307);
	cr_assert_str_eq(exchange_header(&x, "Location"), "http://h/api/v1/users/a%20b");
}

Test(router, double_slash_root_is_not_found)
{
	/* Starlette strips every trailing '/', leaving "", which no route matches. */
	run("GET", "//", NULL);
	cr_assert_eq(x.resp.status, 404);
}

Test(router, head_answers_like_get_without_body)
{
	run("HEAD", "/ping", NULL);
	cr_assert_eq(x.resp.status, 200);
	cr_assert(x.resp.omit_body);
	cr_assert_eq(x.resp.body.n, 19, "HEAD keeps GET's Content-Length");
}

Test(router, head_on_unknown_path_is_404_without_body)
{
	run("HEAD", "/nope", NULL);
	cr_assert_eq(x.resp.status, 404);
	cr_assert(x.resp.omit_body);
}
