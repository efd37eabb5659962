/* API Gateway REST (payload 1.0) and HTTP API payload 1.0 events into the request model
 * and their multi-value answers (app/lambda_events/apigw_v1.c). */
#include <criterion/criterion.h>

#include "lambda_support.h"

TestSuite(lambda_apigw_v1, .init = lambda_setup, .fini = lambda_teardown);

Test(lambda_apigw_v1, v1_multi_value_query_is_preferred_and_encoded_again)
{
	cr_assert_null(adapt(lambda_apigw_v1_request,
			     V1(",\"queryStringParameters\":{\"i\":\"10\",\"q\":\"a b&c\"},"
				"\"multiValueQueryStringParameters\":{\"i\":[\"5\",\"10\"],\"q\":[\"a b&c\"]}")));
	cr_assert(is(req.raw_query, "i=5&i=10&q=a+b%26c"));
	cr_assert_eq(req.query.n, 3);
	cr_assert(is(req.query.items[1].value, "10"));
	cr_assert(is(req.query.items[2].value, "a b&c"));
}

Test(lambda_apigw_v1, v1_single_value_query_when_no_multi_value)
{
	cr_assert_null(adapt(lambda_apigw_v1_request,
			     V1(",\"queryStringParameters\":{\"i\":\"10\"},\"multiValueQueryStringParameters\":null")));
	cr_assert(is(req.raw_query, "i=10"));
}

Test(lambda_apigw_v1, v1_multi_value_headers_keep_repeats)
{
	cr_assert_null(adapt(lambda_apigw_v1_request,
			     V1(",\"headers\":{\"Accept\":\"b\"},\"multiValueHeaders\":{\"Accept\":[\"a\",\"b\"],"
				"\"Cookie\":[\"s=1; t=2\"]}")));
	cr_assert_eq(kvlist_count(&req.headers, STR_LIT("accept")), 2);
	cr_assert(is(kvlist_get_last(&req.cookies, STR_LIT("t")), "2"));
	cr_assert(style.multi_value_headers);
}

Test(lambda_apigw_v1, v1_single_value_headers_answer_with_headers)
{
	cr_assert_null(adapt(lambda_apigw_v1_request, V1(",\"headers\":{\"Accept\":\"a\"},\"multiValueHeaders\":null")));
	cr_assert(is(request_header(&req, "accept"), "a"));
	cr_assert_not(style.multi_value_headers);
}

Test(lambda_apigw_v1, v1_stage_before_the_path_is_the_root_path)
{
	cr_assert_null(adapt(lambda_apigw_v1_request, V1("")));
	cr_assert(is(req.path, "/math/add"));
	cr_assert(is(req.root_path, "/prod"));
}

Test(lambda_apigw_v1, v1_no_root_path_when_the_paths_do_not_line_up)
{
	cr_assert_null(adapt(lambda_apigw_v1_request,
			     "{\"httpMethod\":\"GET\",\"path\":\"/ping\",\"requestContext\":{\"path\":\"/prod/other\"}}"));
	cr_assert(is(req.root_path, ""));
}

Test(lambda_apigw_v1, rest_path_arrives_encoded_and_is_decoded_once)
{
	cr_assert_null(adapt(lambda_apigw_v1_request,
			     "{\"httpMethod\":\"GET\",\"path\":\"/items/%2B42\",\"requestContext\":{}}"));
	cr_assert(is(req.path, "/items/+42"));
	cr_assert(is(req.raw_path, "/items/%2B42"));
	cr_assert_eq(req.error_status, 0);
}

Test(lambda_apigw_v1, rest_bad_percent_in_path_is_a_400)
{
	invoke("{\"httpMethod\":\"GET\",\"path\":\"/users/literal%value\",\"requestContext\":{}}");
	cr_assert_eq(answer_status(), 400);
	cr_assert_str_eq(answer_string("body"), "{\"detail\":\"Invalid percent-encoding in path\"}");
}

Test(lambda_apigw_v1, rest_encoded_stage_prefix_is_decoded_into_the_root_path)
{
	cr_assert_null(adapt(lambda_apigw_v1_request, "{\"httpMethod\":\"GET\",\"path\":\"/ping\","
						      "\"requestContext\":{\"path\":\"/my%20api/ping\"}}"));
	cr_assert(is(req.root_path, "/my api"));
}

Test(lambda_apigw_v1, http_api_v1_path_arrives_decoded_with_a_literal_percent)
{
	cr_assert_null(adapt(lambda_apigw_v1_request, "{\"version\":\"1.0\",\"httpMethod\":\"GET\","
						      "\"path\":\"/users/literal%value\",\"requestContext\":{}}"));
	cr_assert(is(req.path, "/users/literal%value"));
	cr_assert(is(req.raw_path, "/users/literal%25value"));
	cr_assert_eq(req.error_status, 0);
}

Test(lambda_apigw_v1, path_event_rest_is_raw)
{
	check_path_event("path-rest.json", lambda_apigw_v1_request, "/files/a+b c/d%e", "/files/a%2Bb%20c%2Fd%25e");
	cr_assert(is(req.root_path, "/prod"));
}

Test(lambda_apigw_v1, path_event_http_api_v1_is_decoded)
{
	check_path_event("path-http-v1.json", lambda_apigw_v1_request, "/files/a%2Bb%20c%2Fd%e",
			 "/files/a%252Bb%2520c%252Fd%25e");
}

Test(lambda_apigw_v1, v1_source_ip_scheme_and_host)
{
	cr_assert_null(adapt(lambda_apigw_v1_request, V1(",\"headers\":{\"X-Forwarded-Proto\":\"https\"}")));
	cr_assert(is(req.remote_addr, "203.0.113.7"));
	cr_assert(is(req.scheme, "https"));
	cr_assert(is(req.host, "api.example.com"), "no Host header: the domain name");
}

Test(lambda_apigw_v1, v1_redirect_keeps_the_stage)
{
	invoke("{\"httpMethod\":\"GET\",\"path\":\"/api/v1/users\",\"headers\":{\"Host\":\"h.example\"},"
	       "\"requestContext\":{\"stage\":\"prod\",\"path\":\"/prod/api/v1/users\"}}");
	cr_assert_eq(answer_status(), 307);
	const cJSON *h = cJSON_GetObjectItemCaseSensitive(answer, "headers");
	cr_assert_str_eq(cJSON_GetObjectItemCaseSensitive(h, "Location")->valuestring,
			 "https://h.example/prod/api/v1/users/");
}

Test(lambda_apigw_v1, v1_null_members_are_absent)
{
	cr_assert_null(adapt(lambda_apigw_v1_request,
			     V1(",\"headers\":null,\"multiValueHeaders\":null,\"queryStringParameters\":null,"
				"\"multiValueQueryStringParameters\":null,\"body\":null,\"isBase64Encoded\":null")));
	cr_assert_eq(req.headers.n, 0);
	cr_assert(is(req.raw_query, ""));
	cr_assert_eq(req.body.n, 0);
	cr_assert_eq(req.error_status, 0);
}

Test(lambda_apigw_v1, v1_event_file_answers_with_multi_value_headers)
{
	invoke(read_event("apigw-v1-add.json"));
	cr_assert_eq(answer_status(), 200);
	cr_assert_str_eq(answer_string("body"), "15");
	cr_assert_not_null(cJSON_GetObjectItemCaseSensitive(answer, "multiValueHeaders"));
	cr_assert_null(cJSON_GetObjectItemCaseSensitive(answer, "headers"));
	cr_assert_null(cJSON_GetObjectItemCaseSensitive(answer, "cookies"));
	cr_assert_null(cJSON_GetObjectItemCaseSensitive(answer, "statusDescription"));
}
