/* The request context handlers read: authorizer claims, stage, request ids
 * and the deadline (app/lambda_events/context.c). */
#include <criterion/criterion.h>
#include <stdio.h>
#include <time.h>

#include "lambda_support.h"

TestSuite(lambda_context, .init = lambda_setup, .fini = lambda_teardown);

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

Test(lambda_context, context_has_the_http_api_jwt_claims_and_scopes)
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

Test(lambda_context, context_has_a_lambda_authorizers_values_as_text)
{
	struct lambda_invocation *inv;
	const struct request_context *c = context_of("apigw-v2-lambda-authorizer.json", &inv);
	cr_assert(is(request_context_claim(c, "tenant"), "acme"));
	cr_assert(is(request_context_claim(c, "tier"), "3"));
	cr_assert(is(request_context_claim(c, "beta"), "true"));
	finish(inv);
}

Test(lambda_context, context_has_rest_cognito_claims)
{
	struct lambda_invocation *inv;
	const struct request_context *c = context_of("apigw-v1-cognito.json", &inv);
	cr_assert(is(request_context_claim(c, "cognito:username"), "alice"));
	cr_assert(is(c->stage, "prod"));
	cr_assert(str_is_null(request_context_claim(c, "claims")));
	finish(inv);
}

Test(lambda_context, context_has_rest_lambda_authorizer_principal)
{
	struct lambda_invocation *inv;
	const struct request_context *c = context_of("apigw-v1-lambda-authorizer.json", &inv);
	cr_assert(is(request_context_claim(c, "principalId"), "user|a1b2c3"));
	cr_assert(is(request_context_claim(c, "tenant"), "acme"));
	finish(inv);
}

Test(lambda_context, context_without_authorizer_has_no_claims)
{
	struct lambda_invocation *inv;
	const struct request_context *c = context_of("alb-add.json", &inv);
	cr_assert_eq(c->claims.n, 0);
	cr_assert_eq(c->stage.n, 0);
	cr_assert_eq(request_context_remaining_ms(c), -1);
	finish(inv);
}

Test(lambda_context, context_carries_the_runtime_api_ids_and_deadline)
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

Test(lambda_context, context_ignores_a_deadline_that_is_not_a_number)
{
	struct lambda_invocation *inv;
	context_of("apigw-v2-add.json", &inv);
	lambda_invocation_set_runtime(inv, STR_LIT("id"), STR_LIT(""), STR_LIT(""), STR_LIT("12ab"));
	cr_assert_eq(request_context_remaining_ms(lambda_invocation_context(inv)), -1);
	lambda_invocation_set_runtime(inv, STR_LIT("id"), STR_LIT(""), STR_LIT(""), STR_LIT("1000"));
	cr_assert_eq(request_context_remaining_ms(lambda_invocation_context(inv)), 0);
	finish(inv);
}

Test(lambda_context, authorizer_that_is_not_an_object_gives_no_claims)
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
