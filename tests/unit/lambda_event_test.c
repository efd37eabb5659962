/* Lambda HTTP events into the request model, and responses into event-shaped documents:
 * each adapter (API Gateway REST/1.0, HTTP API 2.0 and Function URL, ALB) on its own,
 * then whole invocations through lambda_handle_event. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#include "harness.h"
#include "lambda_events/adapter.h"
#include "lambda_events/lambda_event.h"

static struct arena a;
static cJSON *event;     /* the event of the current test */
static cJSON *answer;    /* the parsed response document of the current test */
static struct request req;
static struct lambda_reply_style style;

/* Sets name to value (NULL unsets it) and reads the Lambda settings again, as the
 * bootstrap does at start; returns the refusal's sentence, or NULL. */
static const char *load_setting(const char *name, const char *value)
{
	if (value != NULL)
		setenv(name, value, 1);
	else
		unsetenv(name);
	const char *why = NULL;
	return lambda_settings_load(&why) == APP_OK ? NULL : why;
}

/* The same for a value the test means to be accepted. */
static void use_setting(const char *name, const char *value)
{
	const char *why = load_setting(name, value);
	cr_assert_null(why, "%s=\"%s\" refused: %s", name, value ? value : "(unset)", why);
}

static void setup(void)
{
	arena_init(&a);
	unsetenv("EXECUTION_ENVIRONMENT");
	set_body_limit(NULL);
	unsetenv("API_BASE_PATH");
	use_setting("LAMBDA_TEXT_MIME_TYPES", NULL);
}

static void teardown(void)
{
	cJSON_Delete(event);
	cJSON_Delete(answer);
	event = answer = NULL;
	arena_release(&a);
}

TestSuite(lambda, .init = setup, .fini = teardown);

/* Parses json and runs one adapter on it; returns its malformed-event sentence or NULL. */
static const char *adapt(lambda_adapter_fn *adapter, const char *json)
{
	cJSON_Delete(event);
	event = cJSON_Parse(json);
	cr_assert_not_null(event, "test event is not JSON: %s", json);
	request_init(&req, &a, "lambda");
	style = (struct lambda_reply_style){ 0 };
	const char *why = NULL;
	return adapter(event, &req, &style, &why) == APP_OK ? NULL : why;
}

/* A whole invocation; the response document is parsed into `answer` (NULL for an error). */
static struct lambda_result invoke(const char *json)
{
	struct lambda_result res;
	lambda_handle_event(&a, str_c(json), "lambda", &res);
	cJSON_Delete(answer);
	answer = NULL;
	if (res.error_type == NULL) {
		answer = cJSON_Parse(res.response.p);
		cr_assert_not_null(answer, "response is not JSON: %s", res.response.p);
	}
	return res;
}

static char *read_event(const char *name)
{
	char path[256];
	snprintf(path, sizeof path, "tests/events/%s", name);
	FILE *f = fopen(path, "rb");
	cr_assert_not_null(f, "cannot open %s (run from the repository root)", path);
	char *text = arena_alloc(&a, 65536);
	size_t n = fread(text, 1, 65535, f);
	fclose(f);
	text[n] = '\0';
	return text;
}

static bool is(struct str s, const char *want)
{
	return str_eq(s, str_c(want));
}

static const char *answer_string(const char *name)
{
	const cJSON *item = cJSON_GetObjectItemCaseSensitive(answer, name);
	return cJSON_IsString(item) ? item->valuestring : NULL;
}

static int answer_status(void)
{
	return cJSON_GetObjectItemCaseSensitive(answer, "statusCode")->valueint;
}

static bool answer_is_base64(void)
{
	return cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(answer, "isBase64Encoded"));
}

/* ---- API Gateway REST (payload 1.0) ---- */

#define V1(extra) \
	"{\"resource\":\"/{proxy+}\",\"httpMethod\":\"GET\",\"path\":\"/math/add\"," \
	"\"requestContext\":{\"stage\":\"prod\",\"path\":\"/prod/math/add\",\"identity\":{\"sourceIp\":\"203.0.113.7\"}," \
	"\"domainName\":\"api.example.com\"}" extra "}"

Test(lambda, v1_multi_value_query_is_preferred_and_encoded_again)
{
	cr_assert_null(adapt(lambda_apigw_v1_request,
			     V1(",\"queryStringParameters\":{\"i\":\"10\",\"q\":\"a b&c\"},"
				"\"multiValueQueryStringParameters\":{\"i\":[\"5\",\"10\"],\"q\":[\"a b&c\"]}")));
	cr_assert(is(req.raw_query, "i=5&i=10&q=a+b%26c"));
	cr_assert_eq(req.query.n, 3);
	cr_assert(is(req.query.items[1].value, "10"));
	cr_assert(is(req.query.items[2].value, "a b&c"));
}

Test(lambda, v1_single_value_query_when_no_multi_value)
{
	cr_assert_null(adapt(lambda_apigw_v1_request,
			     V1(",\"queryStringParameters\":{\"i\":\"10\"},\"multiValueQueryStringParameters\":null")));
	cr_assert(is(req.raw_query, "i=10"));
}

Test(lambda, v1_multi_value_headers_keep_repeats)
{
	cr_assert_null(adapt(lambda_apigw_v1_request,
			     V1(",\"headers\":{\"Accept\":\"b\"},\"multiValueHeaders\":{\"Accept\":[\"a\",\"b\"],"
				"\"Cookie\":[\"s=1; t=2\"]}")));
	cr_assert_eq(kvlist_count(&req.headers, STR_LIT("accept")), 2);
	cr_assert(is(kvlist_get_last(&req.cookies, STR_LIT("t")), "2"));
	cr_assert(style.multi_value_headers);
}

Test(lambda, v1_single_value_headers_answer_with_headers)
{
	cr_assert_null(adapt(lambda_apigw_v1_request, V1(",\"headers\":{\"Accept\":\"a\"},\"multiValueHeaders\":null")));
	cr_assert(is(request_header(&req, "accept"), "a"));
	cr_assert_not(style.multi_value_headers);
}

Test(lambda, v1_stage_before_the_path_is_the_root_path)
{
	cr_assert_null(adapt(lambda_apigw_v1_request, V1("")));
	cr_assert(is(req.path, "/math/add"));
	cr_assert(is(req.root_path, "/prod"));
}

Test(lambda, v1_no_root_path_when_the_paths_do_not_line_up)
{
	cr_assert_null(adapt(lambda_apigw_v1_request,
			     "{\"httpMethod\":\"GET\",\"path\":\"/ping\",\"requestContext\":{\"path\":\"/prod/other\"}}"));
	cr_assert(is(req.root_path, ""));
}

Test(lambda, rest_path_arrives_encoded_and_is_decoded_once)
{
	cr_assert_null(adapt(lambda_apigw_v1_request,
			     "{\"httpMethod\":\"GET\",\"path\":\"/items/%2B42\",\"requestContext\":{}}"));
	cr_assert(is(req.path, "/items/+42"));
	cr_assert(is(req.raw_path, "/items/%2B42"));
	cr_assert_eq(req.error_status, 0);
}

Test(lambda, rest_bad_percent_in_path_is_a_400)
{
	invoke("{\"httpMethod\":\"GET\",\"path\":\"/users/literal%value\",\"requestContext\":{}}");
	cr_assert_eq(answer_status(), 400);
	cr_assert_str_eq(answer_string("body"), "{\"detail\":\"Invalid percent-encoding in path\"}");
}

Test(lambda, rest_encoded_stage_prefix_is_decoded_into_the_root_path)
{
	cr_assert_null(adapt(lambda_apigw_v1_request, "{\"httpMethod\":\"GET\",\"path\":\"/ping\","
						      "\"requestContext\":{\"path\":\"/my%20api/ping\"}}"));
	cr_assert(is(req.root_path, "/my api"));
}

Test(lambda, http_api_v1_path_arrives_decoded_with_a_literal_percent)
{
	cr_assert_null(adapt(lambda_apigw_v1_request, "{\"version\":\"1.0\",\"httpMethod\":\"GET\","
						      "\"path\":\"/users/literal%value\",\"requestContext\":{}}"));
	cr_assert(is(req.path, "/users/literal%value"));
	cr_assert(is(req.raw_path, "/users/literal%25value"));
	cr_assert_eq(req.error_status, 0);
}

/* tests/events/path-*.json: one per source, the same client path "/files/a%2Bb%20c%2Fd%25e"
 * as each source delivers it (raw for REST, Function URL and ALB; decoded by the HTTP API,
 * where "%2B" and friends are then literal text and '%' a literal percent sign). */
static void check_path_event(const char *file, lambda_adapter_fn *adapter, const char *path, const char *raw)
{
	cr_assert_null(adapt(adapter, read_event(file)));
	cr_assert_eq(req.error_status, 0, "%s: %d %s", file, req.error_status, req.error_detail);
	cr_assert(is(req.path, path), "%s: path %.*s", file, (int)req.path.n, req.path.p);
	cr_assert(is(req.raw_path, raw), "%s: raw_path %.*s", file, (int)req.raw_path.n, req.raw_path.p);
}

Test(lambda, path_event_rest_is_raw)
{
	check_path_event("path-rest.json", lambda_apigw_v1_request, "/files/a+b c/d%e", "/files/a%2Bb%20c%2Fd%25e");
	cr_assert(is(req.root_path, "/prod"));
}

Test(lambda, path_event_function_url_is_raw)
{
	check_path_event("path-function-url.json", lambda_apigw_v2_request, "/files/a+b c/d%e",
			 "/files/a%2Bb%20c%2Fd%25e");
}

Test(lambda, path_event_alb_is_raw)
{
	check_path_event("path-alb.json", lambda_alb_request, "/files/a+b c/d%e", "/files/a%2Bb%20c%2Fd%25e");
}

Test(lambda, path_event_http_api_v1_is_decoded)
{
	check_path_event("path-http-v1.json", lambda_apigw_v1_request, "/files/a%2Bb%20c%2Fd%e",
			 "/files/a%252Bb%2520c%252Fd%25e");
}

Test(lambda, path_event_http_api_v2_is_decoded)
{
	check_path_event("path-http-v2.json", lambda_apigw_v2_request, "/files/a%2Bb%20c%2Fd%e",
			 "/files/a%252Bb%2520c%252Fd%25e");
}

Test(lambda, v1_source_ip_scheme_and_host)
{
	cr_assert_null(adapt(lambda_apigw_v1_request, V1(",\"headers\":{\"X-Forwarded-Proto\":\"https\"}")));
	cr_assert(is(req.remote_addr, "203.0.113.7"));
	cr_assert(is(req.scheme, "https"));
	cr_assert(is(req.host, "api.example.com"), "no Host header: the domain name");
}

Test(lambda, v1_redirect_keeps_the_stage)
{
	invoke("{\"httpMethod\":\"GET\",\"path\":\"/api/v1/users\",\"headers\":{\"Host\":\"h.example\"},"
	       "\"requestContext\":{\"stage\":\"prod\",\"path\":\"/prod/api/v1/users\"}}");
	cr_assert_eq(answer_status(), 307);
	const cJSON *h = cJSON_GetObjectItemCaseSensitive(answer, "headers");
	cr_assert_str_eq(cJSON_GetObjectItemCaseSensitive(h, "Location")->valuestring,
			 "https://h.example/prod/api/v1/users/");
}

Test(lambda, v1_null_members_are_absent)
{
	cr_assert_null(adapt(lambda_apigw_v1_request,
			     V1(",\"headers\":null,\"multiValueHeaders\":null,\"queryStringParameters\":null,"
				"\"multiValueQueryStringParameters\":null,\"body\":null,\"isBase64Encoded\":null")));
	cr_assert_eq(req.headers.n, 0);
	cr_assert(is(req.raw_query, ""));
	cr_assert_eq(req.body.n, 0);
	cr_assert_eq(req.error_status, 0);
}

Test(lambda, v1_event_file_answers_with_multi_value_headers)
{
	invoke(read_event("apigw-v1-add.json"));
	cr_assert_eq(answer_status(), 200);
	cr_assert_str_eq(answer_string("body"), "15");
	cr_assert_not_null(cJSON_GetObjectItemCaseSensitive(answer, "multiValueHeaders"));
	cr_assert_null(cJSON_GetObjectItemCaseSensitive(answer, "headers"));
	cr_assert_null(cJSON_GetObjectItemCaseSensitive(answer, "cookies"));
	cr_assert_null(cJSON_GetObjectItemCaseSensitive(answer, "statusDescription"));
}

/* ---- bodies (shared by every event type) ---- */

Test(lambda, base64_body_is_decoded_byte_for_byte)
{
	cr_assert_null(adapt(lambda_apigw_v1_request, V1(",\"body\":\"YQBi/w==\",\"isBase64Encoded\":true")));
	cr_assert_eq(req.body.n, 4);
	cr_assert_eq(memcmp(req.body.p, "a\0b\xff", 4), 0);
}

Test(lambda, plain_body_is_taken_as_is)
{
	cr_assert_null(adapt(lambda_apigw_v1_request, V1(",\"body\":\"x=1\",\"isBase64Encoded\":false")));
	cr_assert(is(req.body, "x=1"));
}

Test(lambda, bad_base64_body_is_a_400)
{
	invoke(V1(",\"body\":\"not base64!\",\"isBase64Encoded\":true"));
	cr_assert_eq(answer_status(), 400);
	cr_assert_str_eq(answer_string("body"), "{\"detail\":\"Invalid base64 in request body\"}");
}

Test(lambda, body_over_the_limit_is_a_413)
{
	set_body_limit("4");
	invoke(V1(",\"body\":\"12345\""));
	cr_assert_eq(answer_status(), 413);
	cr_assert_str_eq(answer_string("body"), "{\"detail\":\"Request body too large (limit 4 bytes)\"}");
}

Test(lambda, body_at_the_limit_after_decoding_is_accepted)
{
	set_body_limit("4");
	cr_assert_null(adapt(lambda_apigw_v1_request, V1(",\"body\":\"YWJjZA==\",\"isBase64Encoded\":true")));
	cr_assert_eq(req.error_status, 0);
	cr_assert(is(req.body, "abcd"));
}

/* ---- HTTP API payload 2.0 and Function URLs ---- */

#define V2(stage, path, extra) \
	"{\"version\":\"2.0\",\"rawPath\":\"" path "\",\"requestContext\":{\"stage\":\"" stage "\"," \
	"\"domainName\":\"x.execute-api.example\",\"http\":{\"method\":\"GET\",\"sourceIp\":\"198.51.100.2\"}}" extra "}"

Test(lambda, v2_raw_query_is_kept_and_decoded)
{
	cr_assert_null(adapt(lambda_apigw_v2_request, V2("$default", "/math/add", ",\"rawQueryString\":\"i=%35&i=1%30&q=a+b\"")));
	cr_assert(is(req.raw_query, "i=%35&i=1%30&q=a+b"));
	cr_assert_eq(req.query.n, 3);
	cr_assert(is(req.query.items[0].value, "5"));
	cr_assert(is(req.query.items[1].value, "10"));
	cr_assert(is(req.query.items[2].value, "a b"));
}

Test(lambda, http_api_v2_raw_path_is_already_decoded)
{
	cr_assert_null(adapt(lambda_apigw_v2_request, V2("$default", "/users/literal%value", "")));
	cr_assert_eq(req.error_status, 0);
	cr_assert(is(req.path, "/users/literal%value"));
	cr_assert(is(req.raw_path, "/users/literal%25value"));
}

Test(lambda, http_api_v2_item_with_encoded_text_is_not_decoded_twice)
{
	invoke(V2("$default", "/items/%34%32", ""));
	cr_assert_eq(answer_status(), 422);
	cr_assert(strstr(answer_string("body"), "\"input\":\"%34%32\"") != NULL, "%s", answer_string("body"));
}

#define FURL(path) \
	"{\"version\":\"2.0\",\"rawPath\":\"" path "\",\"requestContext\":{\"stage\":\"$default\"," \
	"\"domainName\":\"abc.lambda-url.eu-west-1.on.aws\",\"http\":{\"method\":\"GET\"}}}"

Test(lambda, function_url_raw_path_is_decoded)
{
	invoke(FURL("/items/%34%32"));
	cr_assert_eq(answer_status(), 200);
	cr_assert_str_eq(answer_string("body"), "{\"item_id\":42,\"q\":null}");
}

Test(lambda, function_url_bad_percent_in_raw_path_is_a_400)
{
	invoke(FURL("/items/%zz"));
	cr_assert_eq(answer_status(), 400);
	cr_assert_str_eq(answer_string("body"), "{\"detail\":\"Invalid percent-encoding in path\"}");
}

Test(lambda, v2_cookies_become_one_cookie_header)
{
	cr_assert_null(adapt(lambda_apigw_v2_request, V2("$default", "/", ",\"cookies\":[\"a=1\",\"b=2\"]")));
	cr_assert(is(request_header(&req, "cookie"), "a=1; b=2"));
	cr_assert_eq(req.cookies.n, 2);
	cr_assert(is(kvlist_get_last(&req.cookies, STR_LIT("b")), "2"));
}

Test(lambda, v2_headers_keep_joined_values)
{
	cr_assert_null(adapt(lambda_apigw_v2_request, V2("$default", "/", ",\"headers\":{\"accept\":\"a,b\"}")));
	cr_assert(is(request_header(&req, "accept"), "a,b"));
}

Test(lambda, v2_named_stage_is_the_root_path)
{
	cr_assert_null(adapt(lambda_apigw_v2_request, V2("prod", "/prod/items/1", "")));
	cr_assert(is(req.root_path, "/prod"));
	cr_assert(is(req.path, "/items/1"));
	cr_assert_null(adapt(lambda_apigw_v2_request, V2("prod", "/prod", "")));
	cr_assert(is(req.path, "/"));
}

Test(lambda, v2_default_stage_and_unrelated_prefix_are_no_root_path)
{
	cr_assert_null(adapt(lambda_apigw_v2_request, V2("$default", "/prod/items/1", "")));
	cr_assert(is(req.root_path, ""));
	cr_assert_null(adapt(lambda_apigw_v2_request, V2("prod", "/production/items/1", "")));
	cr_assert(is(req.root_path, ""));
	cr_assert(is(req.path, "/production/items/1"));
}

Test(lambda, v2_source_ip_and_host)
{
	cr_assert_null(adapt(lambda_apigw_v2_request, V2("$default", "/", "")));
	cr_assert(is(req.remote_addr, "198.51.100.2"));
	cr_assert(is(req.host, "x.execute-api.example"));
	cr_assert(is(req.scheme, "https"));
	cr_assert(style.cookies);
}

Test(lambda, v2_head_answer_has_no_body_and_the_get_length)
{
	invoke("{\"version\":\"2.0\",\"rawPath\":\"/ping\",\"requestContext\":{\"http\":{\"method\":\"HEAD\"}}}");
	cr_assert_eq(answer_status(), 200);
	cr_assert_str_eq(answer_string("body"), "");
	const cJSON *h = cJSON_GetObjectItemCaseSensitive(answer, "headers");
	cr_assert_str_eq(cJSON_GetObjectItemCaseSensitive(h, "Content-Length")->valuestring, "19");
}

Test(lambda, function_url_event_file_answers_with_headers_and_cookies)
{
	invoke(read_event("function-url-add.json"));
	cr_assert_eq(answer_status(), 200);
	cr_assert_str_eq(answer_string("body"), "15");
	cr_assert(cJSON_IsObject(cJSON_GetObjectItemCaseSensitive(answer, "headers")));
	cr_assert(cJSON_IsArray(cJSON_GetObjectItemCaseSensitive(answer, "cookies")));
	cr_assert_null(cJSON_GetObjectItemCaseSensitive(answer, "multiValueHeaders"));
}

Test(lambda, hello_names_lambda_unless_the_environment_says_otherwise)
{
	invoke("{\"version\":\"2.0\",\"rawPath\":\"/hello\",\"requestContext\":{\"http\":{\"method\":\"GET\"}}}");
	cr_assert_str_eq(answer_string("body"), "\"Hello from lambda\"");
	setenv("EXECUTION_ENVIRONMENT", "ecs", 1);
	service_settings_reload(); /* the service reads its settings once */
	invoke("{\"version\":\"2.0\",\"rawPath\":\"/hello\",\"requestContext\":{\"http\":{\"method\":\"GET\"}}}");
	cr_assert_str_eq(answer_string("body"), "\"Hello from ecs\"");
}

/* ---- ALB ---- */

#define ALB(extra) "{\"requestContext\":{\"elb\":{\"targetGroupArn\":\"arn\"}},\"httpMethod\":\"GET\"," extra "}"

Test(lambda, alb_query_values_arrive_encoded_and_are_decoded_once)
{
	cr_assert_null(adapt(lambda_alb_request,
			     ALB("\"path\":\"/items/1\",\"queryStringParameters\":{\"q\":\"a%20b%2525\"}")));
	cr_assert(is(req.raw_query, "q=a%20b%2525"));
	cr_assert(is(request_query(&req, "q"), "a b%25"));
}

Test(lambda, alb_bad_percent_in_query_is_a_400)
{
	invoke(ALB("\"path\":\"/items/1\",\"queryStringParameters\":{\"q\":\"%zz\"}"));
	cr_assert_eq(answer_status(), 400);
	cr_assert_str_eq(answer_string("statusDescription"), "400 Bad Request");
	cr_assert_str_eq(answer_string("body"), "{\"detail\":\"Invalid percent-encoding in query string\"}");
}

Test(lambda, alb_multi_value_query_keeps_repeated_keys)
{
	cr_assert_null(adapt(lambda_alb_request,
			     ALB("\"path\":\"/math/add\",\"multiValueQueryStringParameters\":{\"i\":[\"5\",\"10\"]},"
				 "\"multiValueHeaders\":{\"x-forwarded-for\":[\"10.0.0.1, 203.0.113.9\"]}")));
	cr_assert(is(req.raw_query, "i=5&i=10"));
	cr_assert(style.multi_value_headers);
	cr_assert(style.status_description);
}

Test(lambda, alb_client_is_the_last_forwarded_for_entry)
{
	cr_assert_null(adapt(lambda_alb_request,
			     ALB("\"path\":\"/\",\"headers\":{\"x-forwarded-for\":\"10.0.0.1, 203.0.113.9 \","
				 "\"x-forwarded-proto\":\"http\",\"host\":\"alb.example\"}")));
	cr_assert(is(req.remote_addr, "203.0.113.9"));
	cr_assert(is(req.scheme, "http"));
	cr_assert(is(req.host, "alb.example"));
}

Test(lambda, alb_path_arrives_encoded)
{
	cr_assert_null(adapt(lambda_alb_request, ALB("\"path\":\"/items/%34%32\"")));
	cr_assert(is(req.path, "/items/42"));
}

Test(lambda, alb_answers_with_a_status_description)
{
	invoke(read_event("alb-add.json"));
	cr_assert_str_eq(answer_string("statusDescription"), "200 OK");
	cr_assert_str_eq(answer_string("body"), "10", "single-value ALB passes the last value only");
	cr_assert(cJSON_IsObject(cJSON_GetObjectItemCaseSensitive(answer, "headers")));
	cr_assert_null(cJSON_GetObjectItemCaseSensitive(answer, "multiValueHeaders"));
}

Test(lambda, alb_multi_value_answers_with_multi_value_headers)
{
	invoke(read_event("alb-multi-value-add.json"));
	cr_assert_str_eq(answer_string("body"), "15");
	const cJSON *h = cJSON_GetObjectItemCaseSensitive(answer, "multiValueHeaders");
	cr_assert(cJSON_IsArray(cJSON_GetObjectItemCaseSensitive(h, "Content-Type")));
	cr_assert_null(cJSON_GetObjectItemCaseSensitive(answer, "headers"));
}

Test(lambda, alb_not_found_has_its_reason)
{
	invoke(ALB("\"path\":\"/nope\""));
	cr_assert_str_eq(answer_string("statusDescription"), "404 Not Found");
}

/* ---- events that are not HTTP events we can answer: Lambda errors ---- */

Test(lambda, not_json_is_a_malformed_event)
{
	struct lambda_result res = invoke("{\"version\":\"2.0\",");
	cr_assert_str_eq(res.error_type, "Runtime.MalformedEvent");
}

Test(lambda, other_services_events_are_unsupported)
{
	cr_assert_str_eq(invoke(read_event("malformed-sqs.json")).error_type, "Runtime.UnsupportedEvent");
	cr_assert_str_eq(invoke("[1,2]").error_type, "Runtime.UnsupportedEvent");
	cr_assert_str_eq(invoke("\"GET /\"").error_type, "Runtime.UnsupportedEvent");
	cr_assert_str_eq(invoke("{}").error_type, "Runtime.UnsupportedEvent");
}

Test(lambda, members_of_the_wrong_type_are_malformed_events)
{
	const char *bad[] = {
		V1(",\"headers\":[\"a\"]"),
		V1(",\"multiValueHeaders\":{\"a\":\"b\"}"),
		V1(",\"multiValueQueryStringParameters\":{\"i\":[1]}"),
		V1(",\"queryStringParameters\":{\"i\":5}"),
		V1(",\"body\":5"),
		V1(",\"isBase64Encoded\":\"yes\""),
		"{\"httpMethod\":7,\"path\":\"/\",\"requestContext\":{}}",
		"{\"httpMethod\":\"GET\",\"requestContext\":{}}",
		"{\"httpMethod\":\"GET\",\"path\":\"/\",\"requestContext\":5}",
		V2("$default", "/", ",\"cookies\":\"a=1\""),
		V2("$default", "/", ",\"cookies\":[1]"),
		V2("$default", "/", ",\"rawQueryString\":5"),
		"{\"version\":\"2.0\",\"rawPath\":\"/\",\"requestContext\":{}}",
		"{\"version\":\"2.0\",\"requestContext\":{\"http\":{\"method\":\"GET\"}}}",
		ALB("\"path\":5"),
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		struct lambda_result res = invoke(bad[i]);
		cr_assert_str_eq(res.error_type ? res.error_type : "(none)", "Runtime.MalformedEvent", "%s", bad[i]);
		cr_assert_not_null(res.error_message);
	}
}

Test(lambda, a_bad_method_is_an_http_400_not_a_lambda_error)
{
	struct lambda_result res = invoke("{\"httpMethod\":\"G T\",\"path\":\"/\",\"requestContext\":{}}");
	cr_assert_null(res.error_type);
	cr_assert_eq(answer_status(), 400);
	cr_assert_str_eq(answer_string("body"), "{\"detail\":\"Invalid request method\"}");
}

Test(lambda, error_document_has_the_documented_shape)
{
	struct str doc = lambda_error_json(&a, "Runtime.MalformedEvent", "bad \"event\"");
	cr_assert_str_eq(doc.p, "{\"errorMessage\":\"bad \\\"event\\\"\",\"errorType\":\"Runtime.MalformedEvent\","
				"\"stackTrace\":[]}");
}

/* ---- response documents ---- */

static void reply(struct response *resp, struct lambda_reply_style st)
{
	struct str json = lambda_reply_json(&a, resp, st);
	cr_assert_not_null(json.p);
	cJSON_Delete(answer);
	answer = cJSON_Parse(json.p);
	cr_assert_not_null(answer);
}

static void two_cookies(struct response *resp)
{
	response_init(resp, &a);
	response_set_body(resp, 200, "application/json", STR_LIT("{}"));
	response_add_header(resp, "Set-Cookie", STR_LIT("a=1; Path=/"));
	response_add_header(resp, "Vary", STR_LIT("Accept"));
	response_add_header(resp, "set-cookie", STR_LIT("b=2"));
	response_add_header(resp, "Vary", STR_LIT("Origin"));
}

Test(lambda, v2_set_cookie_goes_in_the_cookies_array)
{
	struct response resp;
	two_cookies(&resp);
	reply(&resp, (struct lambda_reply_style){ .cookies = true });
	const cJSON *cookies = cJSON_GetObjectItemCaseSensitive(answer, "cookies");
	cr_assert_eq(cJSON_GetArraySize(cookies), 2);
	cr_assert_str_eq(cJSON_GetArrayItem(cookies, 0)->valuestring, "a=1; Path=/");
	cr_assert_str_eq(cJSON_GetArrayItem(cookies, 1)->valuestring, "b=2");
	const cJSON *h = cJSON_GetObjectItemCaseSensitive(answer, "headers");
	cr_assert_null(cJSON_GetObjectItemCaseSensitive(h, "Set-Cookie"));
	cr_assert_str_eq(cJSON_GetObjectItemCaseSensitive(h, "Vary")->valuestring, "Accept, Origin");
}

Test(lambda, multi_value_headers_keep_every_value_under_one_name)
{
	struct response resp;
	two_cookies(&resp);
	reply(&resp, (struct lambda_reply_style){ .multi_value_headers = true });
	const cJSON *h = cJSON_GetObjectItemCaseSensitive(answer, "multiValueHeaders");
	const cJSON *set_cookie = cJSON_GetObjectItemCaseSensitive(h, "Set-Cookie");
	cr_assert_eq(cJSON_GetArraySize(set_cookie), 2, "Set-Cookie and set-cookie are one header");
	cr_assert_str_eq(cJSON_GetArrayItem(set_cookie, 1)->valuestring, "b=2");
	cr_assert_eq(cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(h, "Vary")), 2);
}

Test(lambda, binary_body_goes_base64)
{
	struct response resp;
	response_init(&resp, &a);
	response_set_body(&resp, 200, "image/png", (struct str){ "\x89PNG\0", 5 });
	reply(&resp, (struct lambda_reply_style){ 0 });
	cr_assert(answer_is_base64());
	cr_assert_str_eq(answer_string("body"), "iVBORwA=");
}

Test(lambda, text_that_is_not_utf8_goes_base64)
{
	struct response resp;
	response_init(&resp, &a);
	response_set_body(&resp, 200, "text/plain", STR_LIT("caf\xe9"));
	reply(&resp, (struct lambda_reply_style){ 0 });
	cr_assert(answer_is_base64());
	cr_assert_str_eq(answer_string("body"), "Y2Fm6Q==");
}

Test(lambda, utf8_text_stays_text)
{
	struct response resp;
	response_init(&resp, &a);
	response_set_body(&resp, 200, "application/json", STR_LIT("\"caf\xc3\xa9\""));
	reply(&resp, (struct lambda_reply_style){ .status_description = true });
	cr_assert_not(answer_is_base64());
	cr_assert_str_eq(answer_string("body"), "\"caf\xc3\xa9\"");
	cr_assert_str_eq(answer_string("statusDescription"), "200 OK");
}

Test(lambda, png_asset_through_an_event_is_base64)
{
	/* The Swagger UI assets live in docs/ beside the binaries: build/tests/unit -> build/docs. */
	char exe[4096];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
	cr_assert_gt(n, 0);
	exe[n] = '\0';
	*strrchr(exe, '/') = '\0';
	*strrchr(exe, '/') = '\0';
	char dir[sizeof exe + 8];
	snprintf(dir, sizeof dir, "%s/docs", exe);
	setenv("DOCS_DIR", dir, 1);
	service_settings_reload();
	invoke("{\"version\":\"2.0\",\"rawPath\":\"/docs/favicon-32x32.png\",\"requestContext\":{\"http\":{\"method\":\"GET\"}}}");
	if (answer_status() == 404)
		cr_skip_test("docs assets not found beside the test binary (DOCS_DIR)");
	cr_assert(answer_is_base64());
}

/* ---- NUL bytes in JSON strings (cJSON keeps no length: never cut short) ---- */

Test(lambda, nul_in_the_path_is_a_400)
{
	invoke("{\"httpMethod\":\"GET\",\"path\":\"/ping\\u0000/x\",\"requestContext\":{}}");
	cr_assert_eq(answer_status(), 400);
	cr_assert_str_eq(answer_string("body"), "{\"detail\":\"Invalid request: contains a NUL byte\"}");
}

Test(lambda, nul_in_a_query_value_is_a_400_not_a_shorter_number)
{
	invoke(V1(",\"multiValueQueryStringParameters\":{\"i\":[\"5\\u0000x\",\"10\"]}"));
	cr_assert_eq(answer_status(), 400);
}

Test(lambda, nul_in_a_header_name_is_a_400)
{
	invoke(V1(",\"headers\":{\"x-a\\u0000b\":\"1\"}"));
	cr_assert_eq(answer_status(), 400);
}

Test(lambda, nul_in_an_unread_context_string_is_still_a_400)
{
	invoke("{\"httpMethod\":\"GET\",\"path\":\"/ping\",\"requestContext\":{\"identity\":{\"userAgent\":\"a\\u0000b\"}}}");
	cr_assert_eq(answer_status(), 400);
}

Test(lambda, nul_in_a_v2_cookie_is_a_400)
{
	invoke(V2("$default", "/ping", ",\"cookies\":[\"a=1\\u0000\"]"));
	cr_assert_eq(answer_status(), 400);
}

Test(lambda, escaped_backslash_before_u0000_is_not_a_nul)
{
	/* The JSON text \\u0000 is a backslash and "u0000": six bytes, no NUL. */
	invoke("{\"httpMethod\":\"GET\",\"path\":\"/ping\\\\u0000\",\"requestContext\":{}}");
	cr_assert_eq(answer_status(), 404, "%s", answer_string("body"));
}

Test(lambda, plain_body_holding_nul_is_carried_whole)
{
	/* "abc\0def" is 7 bytes: over a limit of 6 it is a 413, where a cut body (3) would pass. */
	set_body_limit("6");
	invoke("{\"httpMethod\":\"POST\",\"path\":\"/api/v1/users/\",\"requestContext\":{},\"body\":\"abc\\u0000def\"}");
	cr_assert_eq(answer_status(), 413);
	set_body_limit("7");
	invoke("{\"httpMethod\":\"POST\",\"path\":\"/api/v1/users/\",\"requestContext\":{},\"body\":\"abc\\u0000def\"}");
	cr_assert_eq(answer_status(), 200);
}

Test(lambda, body_with_nul_keeps_surrogate_pairs_exact)
{
	/* U+1F600 is 4 bytes of UTF-8, then the NUL: 5 bytes. */
	set_body_limit("4");
	invoke(V2("$default", "/api/v1/users/", ",\"body\":\"\\ud83d\\ude00\\u0000\""));
	cr_assert_eq(answer_status(), 413);
	set_body_limit("5");
	invoke(V2("$default", "/api/v1/users/", ",\"body\":\"\\ud83d\\ude00\\u0000\""));
	cr_assert_eq(answer_status(), 200);
}

Test(lambda, nul_in_a_base64_body_is_bad_base64)
{
	invoke(V1(",\"body\":\"YWJj\\u0000\",\"isBase64Encoded\":true"));
	cr_assert_eq(answer_status(), 400);
	cr_assert_str_eq(answer_string("body"), "{\"detail\":\"Invalid base64 in request body\"}");
}

Test(lambda, only_the_first_top_level_body_counts)
{
	/* A nested "body" holding NUL is somewhere else: 400. */
	invoke(V1(",\"stageVariables\":{\"body\":\"x\\u0000\"}"));
	cr_assert_eq(answer_status(), 400);
}

Test(lambda, unescape_rejects_unpaired_surrogates_and_bad_escapes)
{
	struct str out;
	cr_assert_eq(lambda_json_unescape(&a, STR_LIT("\\ud83d"), &out), APP_ERR_INVALID);
	cr_assert_eq(lambda_json_unescape(&a, STR_LIT("\\ude00"), &out), APP_ERR_INVALID);
	cr_assert_eq(lambda_json_unescape(&a, STR_LIT("\\x"), &out), APP_ERR_INVALID);
	cr_assert_eq(lambda_json_unescape(&a, STR_LIT("\\"), &out), APP_ERR_INVALID);
	cr_assert_eq(lambda_json_unescape(&a, STR_LIT("a\\u00e9\\n\\u0000"), &out), APP_OK);
	cr_assert_eq(out.n, 5);
	cr_assert(memcmp(out.p, "a\xc3\xa9\n\0", 5) == 0);
}

Test(lambda, find_nul_never_reads_past_a_truncated_text)
{
	struct lambda_json_nul nul;
	lambda_json_find_nul(STR_LIT("{\"body\":\"ab\\u00"), &nul);
	cr_assert_not(nul.elsewhere);
	lambda_json_find_nul(STR_LIT("{\"body\":\"\\"), &nul);
	cr_assert_not(nul.elsewhere);
	lambda_json_find_nul(STR_LIT("{\"body\":\"\\u0000"), &nul);
	cr_assert(is(nul.body, "\\u0000"));
}

/* ---- the host that reaches a redirect's Location ---- */

#define V1_HOST(domain, headers) \
	"{\"httpMethod\":\"GET\",\"path\":\"/api/v1/users\",\"headers\":" headers "," \
	"\"requestContext\":{\"domainName\":\"" domain "\"}}"

Test(lambda, domain_name_with_control_bytes_is_a_400_not_a_location)
{
	invoke(V1_HOST("evil.example\\r\\nSet-Cookie: a=1", "{}"));
	cr_assert_eq(answer_status(), 400);
	cr_assert_str_eq(answer_string("body"), "{\"detail\":\"Invalid host\"}");
}

Test(lambda, domain_name_with_a_space_or_a_slash_is_a_400)
{
	invoke(V1_HOST("a b.example", "{}"));
	cr_assert_eq(answer_status(), 400);
	invoke(V1_HOST("evil.example/x", "{}"));
	cr_assert_eq(answer_status(), 400);
	invoke(V1_HOST("user@evil.example", "{}"));
	cr_assert_eq(answer_status(), 400);
}

Test(lambda, host_header_gets_the_same_check)
{
	invoke(V1_HOST("api.example.com", "{\"Host\":\"evil.example\\tx\"}"));
	cr_assert_eq(answer_status(), 400);
}

Test(lambda, good_domain_name_reaches_the_location)
{
	invoke(V1_HOST("api.example.com:8443", "{}"));
	cr_assert_eq(answer_status(), 307);
	const cJSON *loc = cJSON_GetObjectItem(cJSON_GetObjectItem(answer, "headers"), "Location");
	cr_assert(cJSON_IsString(loc));
	cr_assert_str_eq(loc->valuestring, "https://api.example.com:8443/api/v1/users/");
}

Test(lambda, host_is_valid_takes_names_ports_and_ip_literals)
{
	cr_assert(host_is_valid(STR_LIT("example.com")));
	cr_assert(host_is_valid(STR_LIT("[2001:db8::1]:8080")));
	cr_assert_not(host_is_valid(STR_LIT("")));
	cr_assert_not(host_is_valid(STR_LIT("a\x7f")));
	cr_assert_not(host_is_valid(STR_LIT("exa\xc3\xa9mple.com")));
	cr_assert_not(host_is_valid(STR_LIT("a\\b")));
}

/* ---- scheduled warm-up events ---- */

Test(lambda, eventbridge_scheduled_event_is_a_no_op)
{
	struct lambda_result r = invoke(read_event("warmup-eventbridge.json"));
	cr_assert_null(r.error_type);
	cr_assert(cJSON_IsTrue(cJSON_GetObjectItem(answer, "warmup")));
}

Test(lambda, serverless_plugin_warmup_is_a_no_op)
{
	struct lambda_result r = invoke(read_event("warmup-serverless-plugin.json"));
	cr_assert_null(r.error_type);
	cr_assert(cJSON_IsTrue(cJSON_GetObjectItem(answer, "warmup")));
}

Test(lambda, other_eventbridge_events_stay_unsupported)
{
	cr_assert_str_eq(invoke(read_event("eventbridge-s3-object-created.json")).error_type, "Runtime.UnsupportedEvent");
	cr_assert_str_eq(invoke("{\"source\":\"aws.events\"}").error_type, "Runtime.UnsupportedEvent");
	cr_assert_str_eq(invoke("{\"source\":\"aws.events\",\"detail-type\":7}").error_type, "Runtime.UnsupportedEvent");
	cr_assert_str_eq(invoke("{\"source\":\"serverless-plugin-warmup-x\"}").error_type, "Runtime.UnsupportedEvent");
}

/* ---- API_BASE_PATH ---- */

#define REST(path, full) \
	"{\"httpMethod\":\"GET\",\"path\":\"" path "\",\"headers\":{\"Host\":\"api.example.com\"}," \
	"\"requestContext\":{\"path\":\"" full "\"}}"

Test(lambda, base_path_is_stripped_before_routing)
{
	use_setting("API_BASE_PATH", "/orders");
	invoke(REST("/orders/ping", "/prod/orders/ping"));
	unsetenv("API_BASE_PATH");
	cr_assert_eq(answer_status(), 200);
	cr_assert_str_eq(answer_string("body"), "{\"Success\":\"Pong!\"}");
}

Test(lambda, base_path_alone_is_the_root)
{
	use_setting("API_BASE_PATH", "/orders/");
	invoke(REST("/orders", "/orders"));
	unsetenv("API_BASE_PATH");
	cr_assert_eq(answer_status(), 200);
	cr_assert_str_eq(answer_string("body"), "{\"status\":\"OK\"}");
}

Test(lambda, base_path_matches_whole_segments_only)
{
	use_setting("API_BASE_PATH", "/orders");
	invoke(REST("/ordersping", "/ordersping"));
	unsetenv("API_BASE_PATH");
	cr_assert_eq(answer_status(), 404);
}

Test(lambda, base_path_is_put_back_in_redirects_after_the_stage)
{
	use_setting("API_BASE_PATH", "/orders");
	invoke(REST("/orders/api/v1/users", "/prod/orders/api/v1/users"));
	unsetenv("API_BASE_PATH");
	cr_assert_eq(answer_status(), 307);
	const cJSON *loc = cJSON_GetObjectItem(cJSON_GetObjectItem(answer, "headers"), "Location");
	cr_assert(cJSON_IsString(loc));
	cr_assert_str_eq(loc->valuestring, "https://api.example.com/prod/orders/api/v1/users/");
}

Test(lambda, base_path_that_is_not_a_path_refuses_to_start)
{
	const char *why = load_setting("API_BASE_PATH", "orders");
	cr_assert_not_null(why);
	cr_assert(strstr(why, "API_BASE_PATH=\"orders\" does not start with '/'") != NULL, "%s", why);
	invoke(REST("/orders/ping", "/orders/ping"));
	unsetenv("API_BASE_PATH");
	cr_assert_eq(answer_status(), 404);
}

Test(lambda, base_path_is_read_once_at_start_not_per_invocation)
{
	use_setting("API_BASE_PATH", "/orders");
	setenv("API_BASE_PATH", "/other", 1);
	invoke(REST("/orders/ping", "/prod/orders/ping"));
	cr_assert_eq(answer_status(), 200);
	unsetenv("API_BASE_PATH");
	invoke(REST("/orders/ping", "/prod/orders/ping"));
	cr_assert_eq(answer_status(), 200);
	cr_assert_str_eq(answer_string("body"), "{\"Success\":\"Pong!\"}");
}

Test(lambda, base_path_empty_or_slashes_only_is_none)
{
	const char *none[] = { "", "/", "///" };
	for (size_t i = 0; i < sizeof none / sizeof none[0]; i++) {
		use_setting("API_BASE_PATH", none[i]);
		cr_assert(str_is_null(lambda_settings()->base_path), "API_BASE_PATH=\"%s\" set a prefix", none[i]);
	}
	invoke(REST("/ping", "/ping"));
	cr_assert_eq(answer_status(), 200);
}

Test(lambda, base_path_keeps_api_gateways_characters_and_drops_trailing_slashes)
{
	use_setting("API_BASE_PATH", "/v1.2/$orders-_+!*'()//");
	cr_assert(is(lambda_settings()->base_path, "/v1.2/$orders-_+!*'()"));
}

Test(lambda, base_path_outside_api_gateways_rule_refuses_to_start)
{
	const char *bad[] = { "/a b", "/a%20b", "/a//b", "//orders", "/a/./b", "/a/../b", "/..", "/caf\xc3\xa9",
			      "/a?b", "/a#b", "/{proxy+}", "/a\tb", "/a\\b", "/a~b", " /orders", "/orders " };
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		const char *why = load_setting("API_BASE_PATH", bad[i]);
		cr_assert_not_null(why, "API_BASE_PATH=\"%s\" accepted", bad[i]);
		cr_assert(strncmp(why, "API_BASE_PATH=\"", 15) == 0, "%s", why);
		cr_assert(str_is_null(lambda_settings()->base_path));
	}
}

Test(lambda, base_path_of_300_characters_loads_and_301_refuses_to_start)
{
	char value[1 + LAMBDA_BASE_PATH_MAX + 3];
	value[0] = '/';
	memset(value + 1, 'a', LAMBDA_BASE_PATH_MAX);
	strcpy(value + 1 + LAMBDA_BASE_PATH_MAX, "/");
	use_setting("API_BASE_PATH", value);
	cr_assert_eq(lambda_settings()->base_path.n, 1 + LAMBDA_BASE_PATH_MAX);
	strcpy(value + 1 + LAMBDA_BASE_PATH_MAX, "a");
	const char *why = load_setting("API_BASE_PATH", value);
	cr_assert_not_null(why, "a base path of 301 characters accepted");
	cr_assert(strstr(why, "longer than 300 characters") != NULL, "%s", why);
}

Test(lambda, a_refused_setting_leaves_none_of_them)
{
	setenv("API_BASE_PATH", "/orders", 1);
	cr_assert_not_null(load_setting("LAMBDA_TEXT_MIME_TYPES", "application"));
	cr_assert(str_is_null(lambda_settings()->base_path));
	cr_assert_eq(lambda_settings()->n_text_types, 0);
}

/* ---- text or base64, by media type and Content-Encoding ---- */

/* Whether a "hello" body with these headers goes base64. */
static bool goes_base64(const char *content_type, const char *encoding)
{
	struct response resp;
	response_init(&resp, &a);
	resp.status = 200;
	resp.body = STR_LIT("hello");
	if (content_type != NULL)
		response_add_header(&resp, "Content-Type", str_c(content_type));
	if (encoding != NULL)
		response_add_header(&resp, "Content-Encoding", str_c(encoding));
	reply(&resp, (struct lambda_reply_style){ 0 });
	return answer_is_base64();
}

Test(lambda, text_media_types_stay_text)
{
	use_setting("LAMBDA_TEXT_MIME_TYPES", NULL);
	const char *text[] = { "text/csv", "text/html; charset=utf-8", "Application/JSON", "application/problem+json",
			       "image/svg+xml", "application/atom+xml; charset=utf-8", "application/xml",
			       "application/javascript", "application/yaml", " application/json ;q=1" };
	for (size_t i = 0; i < sizeof text / sizeof text[0]; i++)
		cr_assert_not(goes_base64(text[i], NULL), "%s went base64", text[i]);
}

Test(lambda, other_media_types_and_none_go_base64)
{
	use_setting("LAMBDA_TEXT_MIME_TYPES", NULL);
	const char *binary[] = { "application/octet-stream", "image/png", "application/jsonx", "application/json+zip",
				 "application/x-ndjson", "font/woff2", "texts/plain" };
	for (size_t i = 0; i < sizeof binary / sizeof binary[0]; i++)
		cr_assert(goes_base64(binary[i], NULL), "%s stayed text", binary[i]);
	cr_assert(goes_base64(NULL, NULL));
}

Test(lambda, compressed_bodies_are_binary_whatever_the_type)
{
	use_setting("LAMBDA_TEXT_MIME_TYPES", NULL);
	cr_assert(goes_base64("application/json", "gzip"));
	cr_assert(goes_base64("text/html", "br"));
	cr_assert_not(goes_base64("text/html", "identity"));
}

Test(lambda, text_mime_types_list_extends_the_built_in_one)
{
	use_setting("LAMBDA_TEXT_MIME_TYPES", "application/x-ndjson, font/*,,");
	cr_assert_not(goes_base64("application/x-ndjson", NULL));
	cr_assert_not(goes_base64("font/woff2", NULL));
	cr_assert(goes_base64("application/octet-stream", NULL));
	cr_assert(goes_base64("application/x-ndjson", "gzip"));
	unsetenv("LAMBDA_TEXT_MIME_TYPES");
}

Test(lambda, text_mime_types_are_read_once_at_start_not_per_invocation)
{
	use_setting("LAMBDA_TEXT_MIME_TYPES", "Application/X-NDJSON");
	setenv("LAMBDA_TEXT_MIME_TYPES", "font/*", 1);
	cr_assert_not(goes_base64("application/x-ndjson", NULL));
	cr_assert(goes_base64("font/woff2", NULL));
	unsetenv("LAMBDA_TEXT_MIME_TYPES");
	cr_assert_not(goes_base64("application/x-ndjson; charset=utf-8", NULL));
}

Test(lambda, text_mime_types_empty_or_only_commas_is_none)
{
	const char *none[] = { "", " , ,,", "\t" };
	for (size_t i = 0; i < sizeof none / sizeof none[0]; i++) {
		use_setting("LAMBDA_TEXT_MIME_TYPES", none[i]);
		cr_assert_eq(lambda_settings()->n_text_types, 0, "\"%s\" listed a type", none[i]);
	}
	cr_assert(goes_base64("application/x-ndjson", NULL));
}

Test(lambda, text_mime_types_that_are_not_media_types_refuse_to_start)
{
	const char *bad[] = { "application", "*/*", "*", "/json", "text/", "text/plain; charset=utf-8", "text/ plain",
			      "a/b/c", "font/*x", "font/x*", "text/plain, image/png x", "text/pl\xc3\xa4in", "-a/b",
			      "a/.b", "text/plain\x01" };
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		const char *why = load_setting("LAMBDA_TEXT_MIME_TYPES", bad[i]);
		cr_assert_not_null(why, "LAMBDA_TEXT_MIME_TYPES=\"%s\" accepted", bad[i]);
		cr_assert(strstr(why, "LAMBDA_TEXT_MIME_TYPES") != NULL && strstr(why, "is not a media type") != NULL,
			  "%s", why);
		cr_assert_eq(lambda_settings()->n_text_types, 0);
	}
}

/* "t/s, t/s, ..." with n entries. */
static const char *many_types(size_t n)
{
	struct buf b;
	buf_init(&b, &a);
	for (size_t i = 0; i < n; i++)
		buf_append_cstr(&b, arena_printf(&a, "%sapplication/x-type%zu", i > 0 ? ", " : "", i));
	return buf_str(&b).p;
}

Test(lambda, text_mime_types_64_load_and_65_refuse_to_start)
{
	use_setting("LAMBDA_TEXT_MIME_TYPES", many_types(LAMBDA_TEXT_TYPES_MAX));
	cr_assert_eq(lambda_settings()->n_text_types, LAMBDA_TEXT_TYPES_MAX);
	cr_assert_not(goes_base64("application/x-type63", NULL));
	const char *why = load_setting("LAMBDA_TEXT_MIME_TYPES", many_types(LAMBDA_TEXT_TYPES_MAX + 1));
	cr_assert_not_null(why, "65 media types accepted");
	cr_assert(strstr(why, "more than 64 media types") != NULL, "%s", why);
}

Test(lambda, text_mime_type_names_of_127_load_and_128_refuse_to_start)
{
	char name[LAMBDA_MEDIA_NAME_MAX + 2];
	memset(name, 'x', sizeof name - 1);
	name[LAMBDA_MEDIA_NAME_MAX] = '\0';
	use_setting("LAMBDA_TEXT_MIME_TYPES", arena_printf(&a, "%s/%s", name, name));
	cr_assert_eq(lambda_settings()->n_text_types, 1);
	cr_assert_eq(lambda_settings()->text_types[0].n, 2 * LAMBDA_MEDIA_NAME_MAX + 1);
	name[LAMBDA_MEDIA_NAME_MAX] = 'x';
	name[LAMBDA_MEDIA_NAME_MAX + 1] = '\0';
	cr_assert_not_null(load_setting("LAMBDA_TEXT_MIME_TYPES", arena_printf(&a, "%s/json", name)));
	cr_assert_not_null(load_setting("LAMBDA_TEXT_MIME_TYPES", arena_printf(&a, "application/%s", name)));
}

/* ---- the request context handlers read ---- */

/* Starts (not finishes) an invocation of a tests/events file and returns its context. */
static const struct request_context *context_of(const char *file, struct lambda_invocation **inv)
{
	struct lambda_result res;
	*inv = lambda_invocation_start(&a, str_c(read_event(file)), "lambda", &res);
	cr_assert_not_null(*inv, "%s: %s", file, res.error_message ? res.error_message : "answered at once");
	return lambda_invocation_context(*inv);
}

/* Finishes inv so its event document is freed. */
static void finish(struct lambda_invocation *inv)
{
	struct lambda_result res;
	lambda_invocation_finish(inv, &res);
	cr_assert_null(res.error_type);
}

Test(lambda, context_has_the_http_api_jwt_claims_and_scopes)
{
	struct lambda_invocation *inv;
	const struct request_context *c = context_of("apigw-v2-jwt.json", &inv);
	cr_assert(is(request_context_claim(c, "sub"), "8a6e2f6c-1b2d-4c3e-9f80-1234567890ab"));
	cr_assert(is(request_context_claim(c, "email_verified"), "true"));
	cr_assert(is(request_context_claim(c, "scopes"), "[\"orders/read\",\"orders/write\"]"));
	cr_assert(is(c->stage, "$default"));
	cr_assert(is(c->api_request_id, "JKJaXmPLvHcESHA="));
	finish(inv);
}

Test(lambda, context_has_a_lambda_authorizers_values_as_text)
{
	struct lambda_invocation *inv;
	const struct request_context *c = context_of("apigw-v2-lambda-authorizer.json", &inv);
	cr_assert(is(request_context_claim(c, "tenant"), "acme"));
	cr_assert(is(request_context_claim(c, "tier"), "3"));
	cr_assert(is(request_context_claim(c, "beta"), "true"));
	finish(inv);
}

Test(lambda, context_has_rest_cognito_claims)
{
	struct lambda_invocation *inv;
	const struct request_context *c = context_of("apigw-v1-cognito.json", &inv);
	cr_assert(is(request_context_claim(c, "cognito:username"), "alice"));
	cr_assert(is(c->stage, "prod"));
	cr_assert(str_is_null(request_context_claim(c, "claims")));
	finish(inv);
}

Test(lambda, context_has_rest_lambda_authorizer_principal)
{
	struct lambda_invocation *inv;
	const struct request_context *c = context_of("apigw-v1-lambda-authorizer.json", &inv);
	cr_assert(is(request_context_claim(c, "principalId"), "user|a1b2c3"));
	cr_assert(is(request_context_claim(c, "tenant"), "acme"));
	finish(inv);
}

Test(lambda, context_without_authorizer_has_no_claims)
{
	struct lambda_invocation *inv;
	const struct request_context *c = context_of("alb-add.json", &inv);
	cr_assert_eq(c->claims.n, 0);
	cr_assert_eq(c->stage.n, 0);
	cr_assert_eq(request_context_remaining_ms(c), -1);
	finish(inv);
}

Test(lambda, context_carries_the_runtime_api_ids_and_deadline)
{
	struct lambda_invocation *inv;
	context_of("apigw-v2-add.json", &inv);
	char deadline[32];
	snprintf(deadline, sizeof deadline, "%lld", (long long)time(NULL) * 1000 + 60000);
	lambda_invocation_set_runtime(inv, STR_LIT("8476a536-e9f4-11e8-9739-2dfe598c3fcd"), STR_LIT("Root=1-5bef4de7"),
				      STR_LIT("arn:aws:lambda:eu-west-1:123456789012:function:f"), str_c(deadline));
	const struct request_context *c = lambda_invocation_context(inv);
	cr_assert(is(c->request_id, "8476a536-e9f4-11e8-9739-2dfe598c3fcd"));
	cr_assert(is(c->function_arn, "arn:aws:lambda:eu-west-1:123456789012:function:f"));
	long long left = request_context_remaining_ms(c);
	cr_assert(left > 55000 && left <= 61000, "%lld ms left", left);
	finish(inv);
}

Test(lambda, context_ignores_a_deadline_that_is_not_a_number)
{
	struct lambda_invocation *inv;
	context_of("apigw-v2-add.json", &inv);
	lambda_invocation_set_runtime(inv, STR_LIT("id"), STR_LIT(""), STR_LIT(""), STR_LIT("12ab"));
	cr_assert_eq(request_context_remaining_ms(lambda_invocation_context(inv)), -1);
	lambda_invocation_set_runtime(inv, STR_LIT("id"), STR_LIT(""), STR_LIT(""), STR_LIT("1000"));
	cr_assert_eq(request_context_remaining_ms(lambda_invocation_context(inv)), 0);
	finish(inv);
}

Test(lambda, authorizer_that_is_not_an_object_gives_no_claims)
{
	struct lambda_result res;
	struct lambda_invocation *inv = lambda_invocation_start(
		&a, STR_LIT("{\"httpMethod\":\"GET\",\"path\":\"/\",\"requestContext\":{\"authorizer\":\"x\",\"stage\":7}}"),
		"lambda", &res);
	cr_assert_not_null(inv);
	cr_assert_eq(lambda_invocation_context(inv)->claims.n, 0);
	cr_assert_eq(lambda_invocation_context(inv)->stage.n, 0);
	finish(inv);
}
