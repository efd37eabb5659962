/* What docs/adding-an-endpoint.md promises a new route gets for free, checked
 * on a test-only route table: GET /greet/{name}?times=N. The answers of its
 * section 3 are rows in the format of tests/spec_cases.tsv (its section 4), run
 * by the same code as the spec table's rows. */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "spec_cases.h"

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

TestSuite(new_route);

/* The test table in place of app_handle(); the CGI environment parser must have taken the request. */
static void answer_greet(const struct request *req, struct response *resp)
{
	cr_assert_eq(req->error_status, 0, "the request was refused with %d", req->error_status);
	router_dispatch(greet_routes, sizeof greet_routes / sizeof greet_routes[0], req, resp);
}

/* Runs one row (tab-separated, as in tests/spec_cases.tsv); every check must hold. */
static void row(const char *line)
{
	char *copy = strdup(line);
	struct spec_case c;
	cr_assert_eq(spec_case_parse(copy, &c), 0, "malformed row: %s", line);
	struct exchange x;
	cr_assert_eq(spec_case_check(&c, &x, answer_greet), 0, "row failed: %s", line);
	free(c.req_body);
	free(copy);
}

Test(new_route, answers_with_validated_arguments)
{
	row("greet\tGET\t/greet/ab?times=+0002\t-\t-\t200\ttext/plain; charset=utf-8\thello ab x2\t-\t-\t*");
}

Test(new_route, head_comes_with_get)
{
	row("greet head\tHEAD\t/greet/ab?times=2\t-\t-\t200\ttext/plain; charset=utf-8\thello ab x2\t-\t-\t*");
}

Test(new_route, another_method_is_405_with_allow)
{
	row("greet post\tPOST\t/greet/ab?times=2\t-\t-\t405\tapplication/json\t{\"detail\":\"Method Not Allowed\"}"
	    "\tAllow: GET, HEAD\t-\t*");
}

Test(new_route, a_bad_or_missing_integer_is_422_in_fastapis_shape)
{
	row("greet bad times\tGET\t/greet/ab?times=x\t-\t-\t422\tapplication/json\t"
	    "{\"detail\":[{\"type\":\"int_parsing\",\"loc\":[\"query\",\"times\"],"
	    "\"msg\":\"Input should be a valid integer, unable to parse string as an integer\",\"input\":\"x\"}]}"
	    "\t-\t-\t*");
	row("greet no times\tGET\t/greet/ab\t-\t-\t422\tapplication/json\t"
	    "{\"detail\":[{\"type\":\"missing\",\"loc\":[\"query\",\"times\"],\"msg\":\"Field required\",\"input\":null}]}"
	    "\t-\t-\t*");
}

Test(new_route, a_trailing_slash_redirects)
{
	row("greet slash\tGET\t/greet/ab/?times=1\t-\t-\t307\t-\t(empty)\tLocation: {base}/greet/ab?times=1\t-\t*");
}

Test(new_route, an_unknown_path_is_404)
{
	row("greet none\tGET\t/greet\t-\t-\t404\t-\t*\t-\t-\t*");
}
