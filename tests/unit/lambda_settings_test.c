/* The Lambda settings read once at start: API_BASE_PATH and
 * LAMBDA_TEXT_MIME_TYPES, their limits, and refusals that stop the bootstrap (app/lambda_events/settings.c). */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lambda_support.h"

TestSuite(lambda_settings, .init = lambda_setup, .fini = lambda_teardown);

Test(lambda_settings, base_path_that_is_not_a_path_refuses_to_start)
{
	const char *why = load_setting("API_BASE_PATH", "orders");
	cr_assert_not_null(why);
	cr_assert(strstr(why, "API_BASE_PATH=\"orders\" does not start with '/'") != NULL, "%s", why);
	invoke(REST("/orders/ping", "/orders/ping"));
	unsetenv("API_BASE_PATH");
	cr_assert_eq(answer_status(), 404);
}

Test(lambda_settings, base_path_is_read_once_at_start_not_per_invocation)
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

Test(lambda_settings, base_path_empty_or_slashes_only_is_none)
{
	const char *none[] = { "", "/", "///" };
	for (size_t i = 0; i < sizeof none / sizeof none[0]; i++) {
		use_setting("API_BASE_PATH", none[i]);
		cr_assert(str_is_null(lambda_settings()->base_path), "API_BASE_PATH=\"%s\" set a prefix", none[i]);
	}
	invoke(REST("/ping", "/ping"));
	cr_assert_eq(answer_status(), 200);
}

Test(lambda_settings, base_path_keeps_api_gateways_characters_and_drops_trailing_slashes)
{
	use_setting("API_BASE_PATH", "/v1.2/$orders-_+!*'()//");
	cr_assert(is(lambda_settings()->base_path, "/v1.2/$orders-_+!*'()"));
}

Test(lambda_settings, base_path_outside_api_gateways_rule_refuses_to_start)
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

Test(lambda_settings, base_path_of_300_characters_loads_and_301_refuses_to_start)
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

Test(lambda_settings, a_refused_setting_leaves_none_of_them)
{
	setenv("API_BASE_PATH", "/orders", 1);
	cr_assert_not_null(load_setting("LAMBDA_TEXT_MIME_TYPES", "application"));
	cr_assert(str_is_null(lambda_settings()->base_path));
	cr_assert_eq(lambda_settings()->n_text_types, 0);
}

Test(lambda_settings, text_mime_types_list_extends_the_built_in_one)
{
	use_setting("LAMBDA_TEXT_MIME_TYPES", "application/x-ndjson, font/*,,");
	cr_assert_not(goes_base64("application/x-ndjson", NULL));
	cr_assert_not(goes_base64("font/woff2", NULL));
	cr_assert(goes_base64("application/octet-stream", NULL));
	cr_assert(goes_base64("application/x-ndjson", "gzip"));
	unsetenv("LAMBDA_TEXT_MIME_TYPES");
}

Test(lambda_settings, text_mime_types_are_read_once_at_start_not_per_invocation)
{
	use_setting("LAMBDA_TEXT_MIME_TYPES", "Application/X-NDJSON");
	setenv("LAMBDA_TEXT_MIME_TYPES", "font/*", 1);
	cr_assert_not(goes_base64("application/x-ndjson", NULL));
	cr_assert(goes_base64("font/woff2", NULL));
	unsetenv("LAMBDA_TEXT_MIME_TYPES");
	cr_assert_not(goes_base64("application/x-ndjson; charset=utf-8", NULL));
}

Test(lambda_settings, text_mime_types_empty_or_only_commas_is_none)
{
	const char *none[] = { "", " , ,,", "\t" };
	for (size_t i = 0; i < sizeof none / sizeof none[0]; i++) {
		use_setting("LAMBDA_TEXT_MIME_TYPES", none[i]);
		cr_assert_eq(lambda_settings()->n_text_types, 0, "\"%s\" listed a type", none[i]);
	}
	cr_assert(goes_base64("application/x-ndjson", NULL));
}

Test(lambda_settings, text_mime_types_that_are_not_media_types_refuse_to_start)
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

Test(lambda_settings, text_mime_types_64_load_and_65_refuse_to_start)
{
	use_setting("LAMBDA_TEXT_MIME_TYPES", many_types(LAMBDA_TEXT_TYPES_MAX));
	cr_assert_eq(lambda_settings()->n_text_types, LAMBDA_TEXT_TYPES_MAX);
	cr_assert_not(goes_base64("application/x-type63", NULL));
	const char *why = load_setting("LAMBDA_TEXT_MIME_TYPES", many_types(LAMBDA_TEXT_TYPES_MAX + 1));
	cr_assert_not_null(why, "65 media types accepted");
	cr_assert(strstr(why, "more than 64 media types") != NULL, "%s", why);
}

Test(lambda_settings, text_mime_type_names_of_127_load_and_128_refuse_to_start)
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
