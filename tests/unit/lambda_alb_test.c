/* ALB target group events into the request model: encoded query and path, the
 * client from X-Forwarded-For, status descriptions (app/lambda_events/alb.c). */
#include <criterion/criterion.h>

#include "lambda_support.h"

TestSuite(lambda_alb, .init = lambda_setup, .fini = lambda_teardown);

Test(lambda_alb, path_event_alb_is_raw)
{
	check_path_event("path-alb.json", lambda_alb_request, "/files/a+b c/d%e", "/files/a%2Bb%20c%2Fd%25e");
}

Test(lambda_alb, alb_query_values_arrive_encoded_and_are_decoded_once)
{
	cr_assert_null(adapt(lambda_alb_request,
			     ALB("\"path\":\"/items/1\",\"queryStringParameters\":{\"q\":\"a%20b%2525\"}")));
	cr_assert(is(req.raw_query, "q=a%20b%2525"));
	cr_assert(is(request_query(&req, "q"), "a b%25"));
}

Test(lambda_alb, alb_bad_percent_in_query_is_a_400)
{
	invoke(ALB("\"path\":\"/items/1\",\"queryStringParameters\":{\"q\":\"%zz\"}"));
	cr_assert_eq(answer_status(), 400);
	cr_assert_str_eq(answer_string("statusDescription"), "400 Bad Request");
	cr_assert_str_eq(answer_string("body"), "{\"detail\":\"Invalid percent-encoding in query string\"}");
}

Test(lambda_alb, alb_multi_value_query_keeps_repeated_keys)
{
	cr_assert_null(adapt(lambda_alb_request,
			     ALB("\"path\":\"/math/add\",\"multiValueQueryStringParameters\":{\"i\":[\"5\",\"10\"]},"
				 "\"multiValueHeaders\":{\"x-forwarded-for\":[\"10.0.0.1, 203.0.113.9\"]}")));
	cr_assert(is(req.raw_query, "i=5&i=10"));
	cr_assert(style.multi_value_headers);
	cr_assert(style.status_description);
}

Test(lambda_alb, alb_client_is_the_last_forwarded_for_entry)
{
	cr_assert_null(adapt(lambda_alb_request,
			     ALB("\"path\":\"/\",\"headers\":{\"x-forwarded-for\":\"10.0.0.1, 203.0.113.9 \","
				 "\"x-forwarded-proto\":\"http\",\"host\":\"alb.example\"}")));
	cr_assert(is(req.remote_addr, "203.0.113.9"));
	cr_assert(is(req.scheme, "http"));
	cr_assert(is(req.host, "alb.example"));
}

Test(lambda_alb, alb_path_arrives_encoded)
{
	cr_assert_null(adapt(lambda_alb_request, ALB("\"path\":\"/items/%34%32\"")));
	cr_assert(is(req.path, "/items/42"));
}

Test(lambda_alb, alb_answers_with_a_status_description)
{
	invoke(read_event("alb-add.json"));
	cr_assert_str_eq(answer_string("statusDescription"), "200 OK");
	cr_assert_str_eq(answer_string("body"), "10", "single-value ALB passes the last value only");
	cr_assert(cJSON_IsObject(cJSON_GetObjectItemCaseSensitive(answer, "headers")));
	cr_assert_null(cJSON_GetObjectItemCaseSensitive(answer, "multiValueHeaders"));
}

Test(lambda_alb, alb_multi_value_answers_with_multi_value_headers)
{
	invoke(read_event("alb-multi-value-add.json"));
	cr_assert_str_eq(answer_string("body"), "15");
	const cJSON *h = cJSON_GetObjectItemCaseSensitive(answer, "multiValueHeaders");
	cr_assert(cJSON_IsArray(cJSON_GetObjectItemCaseSensitive(h, "Content-Type")));
	cr_assert_null(cJSON_GetObjectItemCaseSensitive(answer, "headers"));
}

Test(lambda_alb, alb_not_found_has_its_reason)
{
	invoke(ALB("\"path\":\"/nope\""));
	cr_assert_str_eq(answer_string("statusDescription"), "404 Not Found");
}
