/* The router's parameter slots (validate_params in app/http/router.c): one
 * slot for a single-valued parameter however often it is repeated (the last
 * value wins), as many as the values for a list, slot 0 empty when absent. */
#include <criterion/criterion.h>
#include <stdio.h>

#include "harness.h"

static struct exchange x;

static void teardown(void)
{
	exchange_free(&x);
}

TestSuite(router_params, .fini = teardown);

static void get(const char *uri, int status, const char *body)
{
	static char u[512];
	snprintf(u, sizeof u, "REQUEST_URI=%s", uri);
	exchange_free(&x);
	exchange_run(&x, (char *const[]){ "REQUEST_METHOD=GET", u, NULL }, NULL, 0);
	cr_assert_eq(x.resp.status, status, "%s: status %d, want %d", uri, x.resp.status, status);
	cr_assert_str_eq(exchange_body(&x), body, "%s", uri);
}

Test(router_params, repeated_single_values_keep_the_last)
{
	get("/items/42?q=a&q=b&q=c", 200, "{\"item_id\":42,\"q\":\"c\"}");
	get("/items/42?q=a&q", 200, "{\"item_id\":42,\"q\":\"\"}");
	get("/items/42?item_id=7&q=z", 200, "{\"item_id\":42,\"q\":\"z\"}");
}

Test(router_params, absent_values)
{
	get("/items/42", 200, "{\"item_id\":42,\"q\":null}");
	get("/math/add", 200, "0");
	get("/math/add?j=1", 200, "0");
}

Test(router_params, every_list_value_has_its_slot)
{
	get("/math/add?i=1&i=2&i=3&i=4&i=5&i=6&i=7&i=8&i=9&i=10", 200, "55");
	get("/math/add?i=1&i=x&i=2", 422,
	    "{\"detail\":[{\"type\":\"int_parsing\",\"loc\":[\"query\",\"i\",1],"
	    "\"msg\":\"Input should be a valid integer, unable to parse string as an integer\",\"input\":\"x\"}]}");
}

/* What a handler sees: n, present and slot 0 of each argument. */
static void handle_look(const struct request *req, const struct arg *args, struct response *resp)
{
	const char *t = str_dup(req->arena, args[0].text[0]);
	response_set_body(resp, 200, "text/plain; charset=utf-8",
			  str_c(arena_printf(req->arena, "%zu %d [%s] %d %zu %zu|%zu %d", args[0].n, args[0].present, t,
					     args[0].ints[0].sign, args[0].ints[0].n, args[1].n, args[2].n, args[2].present)));
}

static const struct param_spec look_params[] = {
	{ "s", PARAM_QUERY, PARAM_OPTIONAL_STR },
	{ "k", PARAM_QUERY, PARAM_INT_LIST },
	{ "o", PARAM_QUERY, PARAM_OPTIONAL_STR },
};

static const struct route look_routes[] = {
	{ .path = "/look", .methods = M_GET, .handler = handle_look, .function = "look", PARAMS(look_params) },
};

static void answer_look(const struct request *req, struct response *resp)
{
	router_dispatch(look_routes, 1, req, resp);
}

static void look(const char *uri, const char *body)
{
	static char u[512];
	snprintf(u, sizeof u, "REQUEST_URI=%s", uri);
	exchange_free(&x);
	exchange_run_by(&x, (char *const[]){ "REQUEST_METHOD=GET", u, NULL }, NULL, 0, answer_look);
	cr_assert_eq(x.resp.status, 200, "%s", uri);
	cr_assert_str_eq(exchange_body(&x), body, "%s", uri);
}

Test(router_params, an_absent_argument_reads_as_empty)
{
	/* Dirty the arena first: the slots of the next request must not show it. */
	look("/look?s=abcdefgh&k=1&k=2&o=x", "1 1 [abcdefgh] 0 0 2|1 1");
	look("/look", "0 0 [] 0 0 0|0 0");
	look("/look?s=1&s=2&k=3", "1 1 [2] 0 0 1|0 0");
}
