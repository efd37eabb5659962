/* API_BASE_PATH stripped before routing and put back in redirects (app/lambda_events/base_path.c). */
#include <criterion/criterion.h>
#include <stdlib.h>

#include "lambda_support.h"

TestSuite(lambda_base_path, .init = lambda_setup, .fini = lambda_teardown);

Test(lambda_base_path, base_path_is_stripped_before_routing)
{
	use_setting("API_BASE_PATH", "/orders");
	invoke(REST("/orders/ping", "/prod/orders/ping"));
	unsetenv("API_BASE_PATH");
	cr_assert_eq(answer_status(), 200);
	cr_assert_str_eq(answer_string("body"), "{\"Success\":\"Pong!\"}");
}

Test(lambda_base_path, base_path_alone_is_the_root)
{
	use_setting("API_BASE_PATH", "/orders/");
	invoke(REST("/orders", "/orders"));
	unsetenv("API_BASE_PATH");
	cr_assert_eq(answer_status(), 200);
	cr_assert_str_eq(answer_string("body"), "{\"status\":\"OK\"}");
}

Test(lambda_base_path, base_path_matches_whole_segments_only)
{
	use_setting("API_BASE_PATH", "/orders");
	invoke(REST("/ordersping", "/ordersping"));
	unsetenv("API_BASE_PATH");
	cr_assert_eq(answer_status(), 404);
}

Test(lambda_base_path, base_path_is_put_back_in_redirects_after_the_stage)
{
	use_setting("API_BASE_PATH", "/orders");
	invoke(REST("/orders/api/v1/users", "/prod/orders/api/v1/users"));
	unsetenv("API_BASE_PATH");
	cr_assert_eq(answer_status(), 307);
	const cJSON *loc = cJSON_GetObjectItem(cJSON_GetObjectItem(answer, "headers"), "Location");
	cr_assert(cJSON_IsString(loc));
	cr_assert_str_eq(loc->valuestring, "https://api.example.com/prod/orders/api/v1/users/");
}
