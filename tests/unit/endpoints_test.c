/* Every endpoint of SPEC.md through the shared layer, byte for byte. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>

#include "harness.h"

static struct exchange x;

static void teardown(void)
{
	exchange_free(&x);
}

TestSuite(endpoints, .fini = teardown);

static void expect(int status, const char *type, const char *body)
{
	cr_assert_eq(x.resp.status, status, "status %d, want %d (body %s)", x.resp.status, status, exchange_body(&x));
	if (type != NULL)
		cr_assert_str_eq(exchange_header(&x, "Content-Type"), type);
	cr_assert_str_eq(exchange_body(&x), body);
}

Test(endpoints, health_is_status_ok)
{
	GET(&x, "/");
	expect(200, "application/json", "{\"status\":\"OK\"}");
}

Test(endpoints, math_add_sums_repeated_keys)
{
	GET(&x, "/math/add?i=5&i=10");
	expect(200, "text/plain; charset=utf-8", "15");
}

Test(endpoints, math_add_without_i_is_zero)
{
	GET(&x, "/math/add");
	expect(200, "text/plain; charset=utf-8", "0");
}

Test(endpoints, math_add_is_exact_past_64_bits)
{
	GET(&x, "/math/add?i=99999999999999999999&i=1");
	expect(200, NULL, "100000000000000000000");
}

Test(endpoints, math_add_handles_signs_and_whitespace)
{
	GET(&x, "/math/add?i=%20%2B7%09&i=-10&i=-0003");
	expect(200, NULL, "-6");
}

Test(endpoints, math_add_huge_negative_and_positive_cancel)
{
	GET(&x, "/math/add?i=-123456789012345678901234567890&i=123456789012345678901234567890");
	expect(200, NULL, "0");
}

Test(endpoints, math_add_carries_across_many_limbs)
{
	GET(&x, "/math/add?i=999999999999999999999999999999999999&i=1&i=-1000000000000000000000000000000000001");
	expect(200, NULL, "-1");
}

Test(endpoints, math_add_ignores_other_keys)
{
	GET(&x, "/math/add?j=x&i=2&i=3&k");
	expect(200, NULL, "5");
}

Test(endpoints, ping_pongs)
{
	GET(&x, "/ping");
	expect(200, "application/json", "{\"Success\":\"Pong!\"}");
}

Test(endpoints, users_answers_every_listed_method)
{
	const char *methods[] = { "GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "HEAD" };
	for (size_t i = 0; i < sizeof methods / sizeof methods[0]; i++) {
		char m[32];
		snprintf(m, sizeof m, "REQUEST_METHOD=%s", methods[i]);
		exchange_run(&x, (char *const[]){ m, "REQUEST_URI=/api/v1/users/", NULL }, NULL, 0);
		expect(200, "application/json", "{\"Success\":\"All users!\"}");
		exchange_free(&x);
		exchange_run(&x, (char *const[]){ m, "REQUEST_URI=/api/v1/users/abc", NULL }, NULL, 0);
		expect(200, "application/json", "{\"Success\":\"This is one user!\"}");
		if (i + 1 < sizeof methods / sizeof methods[0])
			exchange_free(&x);
	}
}

Test(endpoints, item_echoes_id_and_query)
{
	GET(&x, "/items/42?q=text");
	expect(200, "application/json", "{\"item_id\":42,\"q\":\"text\"}");
}

Test(endpoints, item_without_q_is_null)
{
	GET(&x, "/items/42");
	expect(200, NULL, "{\"item_id\":42,\"q\":null}");
}

Test(endpoints, item_q_last_value_wins)
{
	GET(&x, "/items/1?q=a&q=b");
	expect(200, NULL, "{\"item_id\":1,\"q\":\"b\"}");
}

Test(endpoints, item_q_is_decoded_and_escaped_in_json)
{
	GET(&x, "/items/1?q=%22a+b%22%5C%E2%82%AC");
	expect(200, NULL, "{\"item_id\":1,\"q\":\"\\\"a b\\\"\\\\\xE2\x82\xAC\"}");
}

Test(endpoints, item_q_invalid_utf8_is_replaced)
{
	GET(&x, "/items/1?q=%FFx");
	expect(200, NULL, "{\"item_id\":1,\"q\":\"\xEF\xBF\xBDx\"}");
}

Test(endpoints, item_id_is_canonicalised)
{
	GET(&x, "/items/+007");
	expect(200, NULL, "{\"item_id\":7,\"q\":null}");
}

Test(endpoints, item_id_is_exact_at_any_size)
{
	GET(&x, "/items/-123456789012345678901234567890");
	expect(200, NULL, "{\"item_id\":-123456789012345678901234567890,\"q\":null}");
}

Test(endpoints, hello_defaults_to_the_target)
{
	unsetenv("EXECUTION_ENVIRONMENT");
	service_settings_reload(); /* the service reads its settings once */
	GET(&x, "/hello");
	expect(200, "application/json", "\"Hello from test\"");
}

Test(endpoints, hello_names_execution_environment)
{
	setenv("EXECUTION_ENVIRONMENT", "ecs", 1);
	service_settings_reload();
	GET(&x, "/hello");
	unsetenv("EXECUTION_ENVIRONMENT");
	expect(200, NULL, "\"Hello from ecs\"");
}

Test(endpoints, docs_page_uses_local_assets)
{
	GET(&x, "/docs");
	cr_assert_eq(x.resp.status, 200);
	cr_assert_str_eq(exchange_header(&x, "Content-Type"), "text/html; charset=utf-8");
	const char *body = exchange_body(&x);
	cr_assert_not_null(strstr(body, "docs/swagger-ui-bundle.js"));
	cr_assert_not_null(strstr(body, "url: 'openapi.json'"));
	cr_assert_null(strstr(body, "http"), "no absolute (CDN) URLs");
}

Test(endpoints, docs_asset_outside_the_list_is_not_found)
{
	GET(&x, "/docs/..%2F..%2Fetc%2Fpasswd");
	expect(404, "application/json", "{\"detail\":\"Not Found\"}");
}
