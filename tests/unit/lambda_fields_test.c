/* The parts every event shares: bodies (plain and base64, the limit), and the
 * host that reaches a redirect's Location (app/lambda_events/fields.c). */
#include <criterion/criterion.h>
#include <string.h>

#include "lambda_support.h"

TestSuite(lambda_fields, .init = lambda_setup, .fini = lambda_teardown);

Test(lambda_fields, base64_body_is_decoded_byte_for_byte)
{
	cr_assert_null(adapt(lambda_apigw_v1_request, V1(",\"body\":\"YQBi/w==\",\"isBase64Encoded\":true")));
	cr_assert_eq(req.body.n, 4);
	cr_assert_eq(memcmp(req.body.p, "a\0b\xff", 4), 0);
}

Test(lambda_fields, plain_body_is_taken_as_is)
{
	cr_assert_null(adapt(lambda_apigw_v1_request, V1(",\"body\":\"x=1\",\"isBase64Encoded\":false")));
	cr_assert(is(req.body, "x=1"));
}

Test(lambda_fields, bad_base64_body_is_a_400)
{
	invoke(V1(",\"body\":\"not base64!\",\"isBase64Encoded\":true"));
	cr_assert_eq(answer_status(), 400);
	cr_assert_str_eq(answer_string("body"), "{\"detail\":\"Invalid base64 in request body\"}");
}

Test(lambda_fields, body_over_the_limit_is_a_413)
{
	set_body_limit("4");
	invoke(V1(",\"body\":\"12345\""));
	cr_assert_eq(answer_status(), 413);
	cr_assert_str_eq(answer_string("body"), "{\"detail\":\"Request body too large (limit 4 bytes)\"}");
}

Test(lambda_fields, body_at_the_limit_after_decoding_is_accepted)
{
	set_body_limit("4");
	cr_assert_null(adapt(lambda_apigw_v1_request, V1(",\"body\":\"YWJjZA==\",\"isBase64Encoded\":true")));
	cr_assert_eq(req.error_status, 0);
	cr_assert(is(req.body, "abcd"));
}

#define V1_HOST(domain, headers) \
	"{\"httpMethod\":\"GET\",\"path\":\"/api/v1/users\",\"headers\":" headers "," \
	"\"requestContext\":{\"domainName\":\"" domain "\"}}"

Test(lambda_fields, domain_name_with_control_bytes_is_a_400_not_a_location)
{
	invoke(V1_HOST("evil.example\\r\\nSet-Cookie: a=1", "{}"));
	cr_assert_eq(answer_status(), 400);
	cr_assert_str_eq(answer_string("body"), "{\"detail\":\"Invalid host\"}");
}

Test(lambda_fields, domain_name_with_a_space_or_a_slash_is_a_400)
{
	invoke(V1_HOST("a b.example", "{}"));
	cr_assert_eq(answer_status(), 400);
	invoke(V1_HOST("evil.example/x", "{}"));
	cr_assert_eq(answer_status(), 400);
	invoke(V1_HOST("user@evil.example", "{}"));
	cr_assert_eq(answer_status(), 400);
}

Test(lambda_fields, host_header_gets_the_same_check)
{
	invoke(V1_HOST("api.example.com", "{\"Host\":\"evil.example\\tx\"}"));
	cr_assert_eq(answer_status(), 400);
}

Test(lambda_fields, good_domain_name_reaches_the_location)
{
	invoke(V1_HOST("api.example.com:8443", "{}"));
	cr_assert_eq(answer_status(), 307);
	const cJSON *loc = cJSON_GetObjectItem(cJSON_GetObjectItem(answer, "headers"), "Location");
	cr_assert(cJSON_IsString(loc));
	cr_assert_str_eq(loc->valuestring, "https://api.example.com:8443/api/v1/users/");
}

Test(lambda_fields, host_is_valid_takes_names_ports_and_ip_literals)
{
	cr_assert(host_is_valid(STR_LIT("example.com")));
	cr_assert(host_is_valid(STR_LIT("[2001:db8::1]:8080")));
	cr_assert_not(host_is_valid(STR_LIT("")));
	cr_assert_not(host_is_valid(STR_LIT("a\x7f")));
	cr_assert_not(host_is_valid(STR_LIT("exa\xc3\xa9mple.com")));
	cr_assert_not(host_is_valid(STR_LIT("a\\b")));
}
