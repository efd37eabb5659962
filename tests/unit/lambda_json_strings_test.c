/* NUL bytes in JSON strings (cJSON keeps no length): found and refused, never
 * cut short; the unescaper and the NUL finder on their own (app/lambda_events/json_strings.c). */
#include <criterion/criterion.h>
#include <string.h>

#include "lambda_support.h"

TestSuite(lambda_json_strings, .init = lambda_setup, .fini = lambda_teardown);

Test(lambda_json_strings, nul_in_the_path_is_a_400)
{
	invoke("{\"httpMethod\":\"GET\",\"path\":\"/ping\\u0000/x\",\"requestContext\":{}}");
	cr_assert_eq(answer_status(), 400);
	cr_assert_str_eq(answer_string("body"), "{\"detail\":\"Invalid request: contains a NUL byte\"}");
}

Test(lambda_json_strings, nul_in_a_query_value_is_a_400_not_a_shorter_number)
{
	invoke(V1(",\"multiValueQueryStringParameters\":{\"i\":[\"5\\u0000x\",\"10\"]}"));
	cr_assert_eq(answer_status(), 400);
}

Test(lambda_json_strings, nul_in_a_header_name_is_a_400)
{
	invoke(V1(",\"headers\":{\"x-a\\u0000b\":\"1\"}"));
	cr_assert_eq(answer_status(), 400);
}

Test(lambda_json_strings, nul_in_an_unread_context_string_is_still_a_400)
{
	invoke("{\"httpMethod\":\"GET\",\"path\":\"/ping\",\"requestContext\":{\"identity\":{\"userAgent\":\"a\\u0000b\"}}}");
	cr_assert_eq(answer_status(), 400);
}

Test(lambda_json_strings, nul_in_a_v2_cookie_is_a_400)
{
	invoke(V2("$default", "/ping", ",\"cookies\":[\"a=1\\u0000\"]"));
	cr_assert_eq(answer_status(), 400);
}

Test(lambda_json_strings, escaped_backslash_before_u0000_is_not_a_nul)
{
	/* The JSON text \\u0000 is a backslash and "u0000": six bytes, no NUL. */
	invoke("{\"httpMethod\":\"GET\",\"path\":\"/ping\\\\u0000\",\"requestContext\":{}}");
	cr_assert_eq(answer_status(), 404, "%s", answer_string("body"));
}

Test(lambda_json_strings, plain_body_holding_nul_is_carried_whole)
{
	/* "abc\0def" is 7 bytes: over a limit of 6 it is a 413, where a cut body (3) would pass. */
	set_body_limit("6");
	invoke("{\"httpMethod\":\"POST\",\"path\":\"/api/v1/users/\",\"requestContext\":{},\"body\":\"abc\\u0000def\"}");
	cr_assert_eq(answer_status(), 413);
	set_body_limit("7");
	invoke("{\"httpMethod\":\"POST\",\"path\":\"/api/v1/users/\",\"requestContext\":{},\"body\":\"abc\\u0000def\"}");
	cr_assert_eq(answer_status(), 200);
}

Test(lambda_json_strings, body_with_nul_keeps_surrogate_pairs_exact)
{
	/* U+1F600 is 4 bytes of UTF-8, then the NUL: 5 bytes. */
	set_body_limit("4");
	invoke(V2("$default", "/api/v1/users/", ",\"body\":\"\\ud83d\\ude00\\u0000\""));
	cr_assert_eq(answer_status(), 413);
	set_body_limit("5");
	invoke(V2("$default", "/api/v1/users/", ",\"body\":\"\\ud83d\\ude00\\u0000\""));
	cr_assert_eq(answer_status(), 200);
}

Test(lambda_json_strings, nul_in_a_base64_body_is_bad_base64)
{
	invoke(V1(",\"body\":\"YWJj\\u0000\",\"isBase64Encoded\":true"));
	cr_assert_eq(answer_status(), 400);
	cr_assert_str_eq(answer_string("body"), "{\"detail\":\"Invalid base64 in request body\"}");
}

Test(lambda_json_strings, only_the_first_top_level_body_counts)
{
	/* A nested "body" holding NUL is somewhere else: 400. */
	invoke(V1(",\"stageVariables\":{\"body\":\"x\\u0000\"}"));
	cr_assert_eq(answer_status(), 400);
}

Test(lambda_json_strings, unescape_rejects_unpaired_surrogates_and_bad_escapes)
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

Test(lambda_json_strings, find_nul_never_reads_past_a_truncated_text)
{
	struct lambda_json_nul nul;
	lambda_json_find_nul(STR_LIT("{\"body\":\"ab\\u00"), &nul);
	cr_assert_not(nul.elsewhere);
	lambda_json_find_nul(STR_LIT("{\"body\":\"\\"), &nul);
	cr_assert_not(nul.elsewhere);
	lambda_json_find_nul(STR_LIT("{\"body\":\"\\u0000"), &nul);
	cr_assert(is(nul.body, "\\u0000"));
}
