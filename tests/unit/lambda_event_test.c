/* Lambda HTTP events into the request model, and responses into event-shaped documents:
 * each adapter (API Gateway REST/1.0, HTTP API 2.0 and Function URL, ALB) on its own,
 * then whole invocations through lambda_handle_event. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "harness.h"
#include "lambda_events/adapter.h"
#include "lambda_events/lambda_event.h"

static struct arena a;
static cJSON *event;     /* the event of the current test */
static cJSON *answer;    /* the parsed response document of the current test */
static struct request req;
static struct lambda_reply_style style;

static void setup(void)
{
	arena_init(&a);
	unsetenv("EXECUTION_ENVIRONMENT");
	set_body_limit(NULL);
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
	return adapter(event, &req, &style);
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

Test(lambda, v1_path_arrives_decoded)
{
	cr_assert_null(adapt(lambda_apigw_v1_request,
			     "{\"httpMethod\":\"GET\",\"path\":\"/items/a b%\",\"requestContext\":{}}"));
	cr_assert(is(req.path, "/items/a b%"));
	cr_assert(is(req.raw_path, "/items/a%20b%25"));
	cr_assert_eq(req.error_status, 0);
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

Test(lambda, v2_raw_path_is_decoded)
{
	cr_assert_null(adapt(lambda_apigw_v2_request, V2("$default", "/items/%34%32", "")));
	cr_assert(is(req.path, "/items/42"));
	cr_assert(is(req.raw_path, "/items/%34%32"));
}

Test(lambda, v2_bad_percent_in_raw_path_is_a_400)
{
	invoke(V2("$default", "/items/%zz", ""));
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
