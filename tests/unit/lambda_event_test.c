/* Whole invocations: which events are answered, which are Lambda errors
 * (malformed, unsupported), warm-up events, the target /hello names (app/lambda_events/event.c). */
#include <criterion/criterion.h>
#include <stdlib.h>

#include "lambda_support.h"

TestSuite(lambda_event, .init = lambda_setup, .fini = lambda_teardown);

Test(lambda_event, hello_names_lambda_unless_the_environment_says_otherwise)
{
	invoke("{\"version\":\"2.0\",\"rawPath\":\"/hello\",\"requestContext\":{\"http\":{\"method\":\"GET\"}}}");
	cr_assert_str_eq(answer_string("body"), "\"Hello from lambda\"");
	setenv("EXECUTION_ENVIRONMENT", "ecs", 1);
	service_settings_reload(); /* the service reads its settings once */
	invoke("{\"version\":\"2.0\",\"rawPath\":\"/hello\",\"requestContext\":{\"http\":{\"method\":\"GET\"}}}");
	cr_assert_str_eq(answer_string("body"), "\"Hello from ecs\"");
}

Test(lambda_event, not_json_is_a_malformed_event)
{
	struct lambda_result res = invoke("{\"version\":\"2.0\",");
	cr_assert_str_eq(res.error_type, "Runtime.MalformedEvent");
}

Test(lambda_event, other_services_events_are_unsupported)
{
	cr_assert_str_eq(invoke(read_event("malformed-sqs.json")).error_type, "Runtime.UnsupportedEvent");
	cr_assert_str_eq(invoke("[1,2]").error_type, "Runtime.UnsupportedEvent");
	cr_assert_str_eq(invoke("\"GET /\"").error_type, "Runtime.UnsupportedEvent");
	cr_assert_str_eq(invoke("{}").error_type, "Runtime.UnsupportedEvent");
}

Test(lambda_event, members_of_the_wrong_type_are_malformed_events)
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

Test(lambda_event, a_bad_method_is_an_http_400_not_a_lambda_error)
{
	struct lambda_result res = invoke("{\"httpMethod\":\"G T\",\"path\":\"/\",\"requestContext\":{}}");
	cr_assert_null(res.error_type);
	cr_assert_eq(answer_status(), 400);
	cr_assert_str_eq(answer_string("body"), "{\"detail\":\"Invalid request method\"}");
}

Test(lambda_event, error_document_has_the_documented_shape)
{
	struct str doc = lambda_error_json(&a, "Runtime.MalformedEvent", "bad \"event\"");
	cr_assert_str_eq(doc.p, "{\"errorMessage\":\"bad \\\"event\\\"\",\"errorType\":\"Runtime.MalformedEvent\","
				"\"stackTrace\":[]}");
}

Test(lambda_event, eventbridge_scheduled_event_is_a_no_op)
{
	struct lambda_result r = invoke(read_event("warmup-eventbridge.json"));
	cr_assert_null(r.error_type);
	cr_assert(cJSON_IsTrue(cJSON_GetObjectItem(answer, "warmup")));
}

Test(lambda_event, serverless_plugin_warmup_is_a_no_op)
{
	struct lambda_result r = invoke(read_event("warmup-serverless-plugin.json"));
	cr_assert_null(r.error_type);
	cr_assert(cJSON_IsTrue(cJSON_GetObjectItem(answer, "warmup")));
}

Test(lambda_event, other_eventbridge_events_stay_unsupported)
{
	cr_assert_str_eq(invoke(read_event("eventbridge-s3-object-created.json")).error_type, "Runtime.UnsupportedEvent");
	cr_assert_str_eq(invoke("{\"source\":\"aws.events\"}").error_type, "Runtime.UnsupportedEvent");
	cr_assert_str_eq(invoke("{\"source\":\"aws.events\",\"detail-type\":7}").error_type, "Runtime.UnsupportedEvent");
	cr_assert_str_eq(invoke("{\"source\":\"serverless-plugin-warmup-x\"}").error_type, "Runtime.UnsupportedEvent");
}
