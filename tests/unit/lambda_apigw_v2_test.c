/* HTTP API payload 2.0 and Function URL events into the request model: raw
 * query and path, cookies, stages, and their answers (app/lambda_events/apigw_v2.c). */
#include <criterion/criterion.h>

#include "lambda_support.h"

TestSuite(lambda_apigw_v2, .init = lambda_setup, .fini = lambda_teardown);

Test(lambda_apigw_v2, path_event_function_url_is_raw)
{
	check_path_event("path-function-url.json", lambda_apigw_v2_request, "/files/a+b c/d%e",
			 "/files/a%2Bb%20c%2Fd%25e");
}

Test(lambda_apigw_v2, path_event_http_api_v2_is_decoded)
{
	check_path_event("path-http-v2.json", lambda_apigw_v2_request, "/files/a%2Bb%20c%2Fd%e",
			 "/files/a%252Bb%2520c%252Fd%25e");
}

Test(lambda_apigw_v2, v2_raw_query_is_kept_and_decoded)
{
	cr_assert_null(adapt(lambda_apigw_v2_request, V2("$default", "/math/add", ",\"rawQueryString\":\"i=%35&i=1%30&q=a+b\"")));
	cr_assert(is(req.raw_query, "i=%35&i=1%30&q=a+b"));
	cr_assert_eq(req.query.n, 3);
	cr_assert(is(req.query.items[0].value, "5"));
	cr_assert(is(req.query.items[1].value, "10"));
	cr_assert(is(req.query.items[2].value, "a b"));
}

Test(lambda_apigw_v2, http_api_v2_raw_path_is_already_decoded)
{
	cr_assert_null(adapt(lambda_apigw_v2_request, V2("$default", "/users/literal%value", "")));
	cr_assert_eq(req.error_status, 0);
	cr_assert(is(req.path, "/users/literal%value"));
	cr_assert(is(req.raw_path, "/users/literal%25value"));
}

Test(lambda_apigw_v2, http_api_v2_item_with_encoded_text_is_not_decoded_twice)
{
	invoke(V2("$default", "/items/%34%32", ""));
	cr_assert_eq(answer_status(), 422);
	cr_assert(strstr(answer_string("body"), "\"input\":\"%34%32\"") != NULL, "%s", answer_string("body"));
}

#define FURL(path) \
	"{\"version\":\"2.0\",\"rawPath\":\"" path "\",\"requestContext\":{\"stage\":\"$default\"," \
	"\"domainName\":\"abc.lambda-url.eu-west-1.on.aws\",\"http\":{\"method\":\"GET\"}}}"

Test(lambda_apigw_v2, function_url_raw_path_is_decoded)
{
	invoke(FURL("/items/%34%32"));
	cr_assert_eq(answer_status(), 200);
	cr_assert_str_eq(answer_string("body"), "{\"item_id\":42,\"q\":null}");
}

Test(lambda_apigw_v2, function_url_bad_percent_in_raw_path_is_a_400)
{
	invoke(FURL("/items/%zz"));
	cr_assert_eq(answer_status(), 400);
	cr_assert_str_eq(answer_string("body"), "{\"detail\":\"Invalid percent-encoding in path\"}");
}

Test(lambda_apigw_v2, v2_cookies_become_one_cookie_header)
{
	cr_assert_null(adapt(lambda_apigw_v2_request, V2("$default", "/", ",\"cookies\":[\"a=1\",\"b=2\"]")));
	cr_assert(is(request_header(&req, "cookie"), "a=1; b=2"));
	cr_assert_eq(req.cookies.n, 2);
	cr_assert(is(kvlist_get_last(&req.cookies, STR_LIT("b")), "2"));
}

Test(lambda_apigw_v2, v2_headers_keep_joined_values)
{
	cr_assert_null(adapt(lambda_apigw_v2_request, V2("$default", "/", ",\"headers\":{\"accept\":\"a,b\"}")));
	cr_assert(is(request_header(&req, "accept"), "a,b"));
}

Test(lambda_apigw_v2, v2_named_stage_is_the_root_path)
{
	cr_assert_null(adapt(lambda_apigw_v2_request, V2("prod", "/prod/items/1", "")));
	cr_assert(is(req.root_path, "/prod"));
	cr_assert(is(req.path, "/items/1"));
	cr_assert_null(adapt(lambda_apigw_v2_request, V2("prod", "/prod", "")));
	cr_assert(is(req.path, "/"));
}

Test(lambda_apigw_v2, v2_default_stage_and_unrelated_prefix_are_no_root_path)
{
	cr_assert_null(adapt(lambda_apigw_v2_request, V2("$default", "/prod/items/1", "")));
	cr_assert(is(req.root_path, ""));
	cr_assert_null(adapt(lambda_apigw_v2_request, V2("prod", "/production/items/1", "")));
	cr_assert(is(req.root_path, ""));
	cr_assert(is(req.path, "/production/items/1"));
}

Test(lambda_apigw_v2, v2_source_ip_and_host)
{
	cr_assert_null(adapt(lambda_apigw_v2_request, V2("$default", "/", "")));
	cr_assert(is(req.remote_addr, "198.51.100.2"));
	cr_assert(is(req.host, "x.execute-api.example"));
	cr_assert(is(req.scheme, "https"));
	cr_assert(style.cookies);
}

Test(lambda_apigw_v2, v2_head_answer_has_no_body_and_the_get_length)
{
	invoke("{\"version\":\"2.0\",\"rawPath\":\"/ping\",\"requestContext\":{\"http\":{\"method\":\"HEAD\"}}}");
	cr_assert_eq(answer_status(), 200);
	cr_assert_str_eq(answer_string("body"), "");
	const cJSON *h = cJSON_GetObjectItemCaseSensitive(answer, "headers");
	cr_assert_str_eq(cJSON_GetObjectItemCaseSensitive(h, "Content-Length")->valuestring, "19");
}

Test(lambda_apigw_v2, function_url_event_file_answers_with_headers_and_cookies)
{
	invoke(read_event("function-url-add.json"));
	cr_assert_eq(answer_status(), 200);
	cr_assert_str_eq(answer_string("body"), "15");
	cr_assert(cJSON_IsObject(cJSON_GetObjectItemCaseSensitive(answer, "headers")));
	cr_assert(cJSON_IsArray(cJSON_GetObjectItemCaseSensitive(answer, "cookies")));
	cr_assert_null(cJSON_GetObjectItemCaseSensitive(answer, "multiValueHeaders"));
}
