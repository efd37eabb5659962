/* How many JSON values an event holds, counted before it is parsed, and the
 * bound on them (issue 27: 3.5 MB of small values took 150-220 MB of cJSON). */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "lambda_events/adapter.h"
#include "lambda_events/lambda_event.h"

Test(lambda_values, counts_every_value_and_nothing_inside_strings)
{
	cr_assert_eq(lambda_json_count_values(STR_LIT("1")), 1);
	cr_assert_eq(lambda_json_count_values(STR_LIT("[1,2,3]")), 4);
	cr_assert_eq(lambda_json_count_values(STR_LIT("{\"a\":1,\"b\":[true,null]}")), 5);
	/* Brackets, commas and escaped quotes inside strings are text. */
	cr_assert_eq(lambda_json_count_values(STR_LIT("{\"a,[{\":\"x\\\",y[,]{\"}")), 2);
	/* An upper bound: an empty container counts one more. */
	cr_assert_eq(lambda_json_count_values(STR_LIT("{\"a\":[],\"b\":{}}")), 5);
}

Test(lambda_values, never_reads_past_a_truncated_text)
{
	cr_assert_eq(lambda_json_count_values(STR_LIT("[\"abc")), 2);
	cr_assert_eq(lambda_json_count_values(STR_LIT("[\"a\\")), 2);
	cr_assert_eq(lambda_json_count_values((struct str){ "[1,2]", 2 }), 2);
	cr_assert_eq(lambda_json_count_values(STR_LIT("")), 1);
}

/* A REST event for GET /math/add whose requestContext holds an array of n zeros. */
static char *event_with_values(size_t n)
{
	static const char head[] = "{\"httpMethod\":\"GET\",\"path\":\"/math/add\",\"headers\":{},"
				   "\"requestContext\":{\"junk\":[0";
	size_t len = sizeof head - 1 + 2 * n + 8;
	char *e = malloc(len);
	cr_assert_not_null(e);
	char *p = e + sizeof head - 1;
	memcpy(e, head, sizeof head - 1);
	for (size_t i = 1; i < n; i++) {
		*p++ = ',';
		*p++ = '0';
	}
	strcpy(p, "]}}");
	return e;
}

Test(lambda_values, one_past_the_bound_is_refused_before_parsing)
{
	/* The document itself, its requestContext, the array: 3 values besides the zeros;
	 * and the five of httpMethod, path, headers, ... counted by their commas. */
	struct arena a;
	arena_init(&a);
	char *e = event_with_values(1);
	size_t overhead = lambda_json_count_values(str_c(e)) - 1;
	free(e);

	e = event_with_values(LAMBDA_EVENT_VALUES_MAX - overhead);
	cr_assert_eq(lambda_json_count_values(str_c(e)), LAMBDA_EVENT_VALUES_MAX);
	struct lambda_result res;
	lambda_handle_event(&a, str_c(e), "lambda", &res);
	cr_assert_null(res.error_type, "at the bound: %s", res.error_message);
	cr_assert_not_null(strstr(res.response.p, "\"statusCode\":200"), "%s", res.response.p);
	free(e);
	arena_release(&a);

	e = event_with_values(LAMBDA_EVENT_VALUES_MAX - overhead + 1);
	lambda_handle_event(&a, str_c(e), "lambda", &res);
	cr_assert_str_eq(res.error_type, "Runtime.MalformedEvent");
	cr_assert_not_null(strstr(res.error_message, "more JSON values"), "%s", res.error_message);
	free(e);
	arena_release(&a);
}
