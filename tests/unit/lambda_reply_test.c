/* Responses into event-shaped documents: headers and cookies per shape, text or
 * base64 by body and media type (app/lambda_events/reply.c). */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "lambda_support.h"

TestSuite(lambda_reply, .init = lambda_setup, .fini = lambda_teardown);

static void two_cookies(struct response *resp)
{
	response_init(resp, &a);
	response_set_body(resp, 200, "application/json", STR_LIT("{}"));
	response_add_header(resp, "Set-Cookie", STR_LIT("a=1; Path=/"));
	response_add_header(resp, "Vary", STR_LIT("Accept"));
	response_add_header(resp, "set-cookie", STR_LIT("b=2"));
	response_add_header(resp, "Vary", STR_LIT("Origin"));
}

Test(lambda_reply, v2_set_cookie_goes_in_the_cookies_array)
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

Test(lambda_reply, multi_value_headers_keep_every_value_under_one_name)
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

Test(lambda_reply, binary_body_goes_base64)
{
	struct response resp;
	response_init(&resp, &a);
	response_set_body(&resp, 200, "image/png", (struct str){ "\x89PNG\0", 5 });
	reply(&resp, (struct lambda_reply_style){ 0 });
	cr_assert(answer_is_base64());
	cr_assert_str_eq(answer_string("body"), "iVBORwA=");
}

Test(lambda_reply, text_that_is_not_utf8_goes_base64)
{
	struct response resp;
	response_init(&resp, &a);
	response_set_body(&resp, 200, "text/plain", STR_LIT("caf\xe9"));
	reply(&resp, (struct lambda_reply_style){ 0 });
	cr_assert(answer_is_base64());
	cr_assert_str_eq(answer_string("body"), "Y2Fm6Q==");
}

Test(lambda_reply, utf8_text_stays_text)
{
	struct response resp;
	response_init(&resp, &a);
	response_set_body(&resp, 200, "application/json", STR_LIT("\"caf\xc3\xa9\""));
	reply(&resp, (struct lambda_reply_style){ .status_description = true });
	cr_assert_not(answer_is_base64());
	cr_assert_str_eq(answer_string("body"), "\"caf\xc3\xa9\"");
	cr_assert_str_eq(answer_string("statusDescription"), "200 OK");
}

Test(lambda_reply, png_asset_through_an_event_is_base64)
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

Test(lambda_reply, text_media_types_stay_text)
{
	use_setting("LAMBDA_TEXT_MIME_TYPES", NULL);
	const char *text[] = { "text/csv", "text/html; charset=utf-8", "Application/JSON", "application/problem+json",
			       "image/svg+xml", "application/atom+xml; charset=utf-8", "application/xml",
			       "application/javascript", "application/yaml", " application/json ;q=1" };
	for (size_t i = 0; i < sizeof text / sizeof text[0]; i++)
		cr_assert_not(goes_base64(text[i], NULL), "%s went base64", text[i]);
}

Test(lambda_reply, other_media_types_and_none_go_base64)
{
	use_setting("LAMBDA_TEXT_MIME_TYPES", NULL);
	const char *binary[] = { "application/octet-stream", "image/png", "application/jsonx", "application/json+zip",
				 "application/x-ndjson", "font/woff2", "texts/plain" };
	for (size_t i = 0; i < sizeof binary / sizeof binary[0]; i++)
		cr_assert(goes_base64(binary[i], NULL), "%s stayed text", binary[i]);
	cr_assert(goes_base64(NULL, NULL));
}

Test(lambda_reply, compressed_bodies_are_binary_whatever_the_type)
{
	use_setting("LAMBDA_TEXT_MIME_TYPES", NULL);
	cr_assert(goes_base64("application/json", "gzip"));
	cr_assert(goes_base64("text/html", "br"));
	cr_assert_not(goes_base64("text/html", "identity"));
}

Test(lambda_reply, streaming_prelude_is_the_v2_document_without_its_body)
{
	struct response resp;
	two_cookies(&resp);
	struct lambda_reply_style v2 = { .cookies = true };
	struct str prelude = lambda_reply_prelude(&a, &resp, v2);
	cJSON *doc = cJSON_ParseWithLength(prelude.p, prelude.n);
	cr_assert_not_null(doc);
	cr_assert_eq(cJSON_GetObjectItemCaseSensitive(doc, "statusCode")->valueint, 200);
	cr_assert_null(cJSON_GetObjectItemCaseSensitive(doc, "body"), "the body goes raw after the prelude");
	cr_assert_null(cJSON_GetObjectItemCaseSensitive(doc, "isBase64Encoded"));
	cr_assert_eq(cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(doc, "cookies")), 2);
	const cJSON *h = cJSON_GetObjectItemCaseSensitive(doc, "headers");
	cr_assert_null(cJSON_GetObjectItemCaseSensitive(h, "Set-Cookie"));
	cr_assert_str_eq(cJSON_GetObjectItemCaseSensitive(h, "Vary")->valuestring, "Accept, Origin");
	cJSON_Delete(doc);
}
