/* http/cors.c, cors_settings.c, cors_join.c: settings checked at start, the
 * preflight answer and the headers of other answers, as Starlette's. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"

static struct exchange x;

/* Sets the CORS_* variables (NULL: unset) and loads them; the load's result. */
static enum app_err cors_with(const char *origins, const char *methods, const char *headers, const char *credentials,
			      const char **why)
{
	const char *names[] = { "CORS_ALLOW_ORIGINS", "CORS_ALLOW_METHODS", "CORS_ALLOW_HEADERS",
				"CORS_ALLOW_CREDENTIALS" };
	const char *values[] = { origins, methods, headers, credentials };
	for (int i = 0; i < 4; i++) {
		if (values[i] != NULL)
			setenv(names[i], values[i], 1);
		else
			unsetenv(names[i]);
	}
	*why = NULL;
	return cors_load(why);
}

static void cors_ok(const char *origins, const char *methods, const char *headers, const char *credentials)
{
	const char *why;
	cr_assert_eq(cors_with(origins, methods, headers, credentials, &why), APP_OK, "%s", why ? why : "");
}

#define PREFLIGHT(x, origin, method, headers)                                                                   \
	exchange_run((x),                                                                                       \
		     (char *const[]){ "REQUEST_METHOD=OPTIONS", "REQUEST_URI=/ping", "HTTP_ORIGIN=" origin,      \
				      "HTTP_ACCESS_CONTROL_REQUEST_METHOD=" method,                             \
				      "HTTP_ACCESS_CONTROL_REQUEST_HEADERS=" headers, NULL },                   \
		     NULL, 0)

Test(cors, off_by_default_changes_nothing)
{
	cors_ok(NULL, NULL, NULL, NULL);
	cr_assert_not(cors_enabled());
	exchange_run(&x, (char *const[]){ "REQUEST_METHOD=GET", "REQUEST_URI=/ping", "HTTP_ORIGIN=https://a.example",
					  NULL }, NULL, 0);
	cr_assert_null(exchange_header(&x, "Access-Control-Allow-Origin"));
	cr_assert_null(exchange_header(&x, "Vary"));
	exchange_free(&x);
	PREFLIGHT(&x, "https://a.example", "GET", "x");
	cr_assert_eq(x.resp.status, 405, "OPTIONS /ping goes to the router");
	exchange_free(&x);
}

Test(cors, bad_settings_are_refused_with_a_sentence)
{
	const char *why;
	cr_assert_eq(cors_with("https://a.example/path", NULL, NULL, NULL, &why), APP_ERR_INVALID);
	cr_assert(strstr(why, "CORS_ALLOW_ORIGINS") != NULL, "%s", why);
	cr_assert_eq(cors_with("a.example", NULL, NULL, NULL, &why), APP_ERR_INVALID);
	cr_assert_eq(cors_with("https://a.example", "GET POST", NULL, NULL, &why), APP_ERR_INVALID);
	cr_assert(strstr(why, "CORS_ALLOW_METHODS") != NULL, "%s", why);
	cr_assert_eq(cors_with("https://a.example", NULL, "X-A:b", NULL, &why), APP_ERR_INVALID);
	cr_assert_eq(cors_with("https://a.example", NULL, NULL, "yes", &why), APP_ERR_INVALID);
	cr_assert(strstr(why, "CORS_ALLOW_CREDENTIALS") != NULL, "%s", why);
	cr_assert_eq(cors_with(NULL, "GET", NULL, NULL, &why), APP_ERR_INVALID, "methods without origins");
	cr_assert(strstr(why, "CORS_ALLOW_ORIGINS is not") != NULL, "%s", why);
	setenv("CORS_MAX_AGE", "-1", 1);
	cr_assert_eq(cors_with("*", NULL, NULL, NULL, &why), APP_ERR_INVALID);
	setenv("CORS_MAX_AGE", "2147483648", 1);
	cr_assert_eq(cors_with("*", NULL, NULL, NULL, &why), APP_ERR_INVALID);
	unsetenv("CORS_MAX_AGE");
	setenv("CORS_EXPOSE_HEADERS", "*", 1);
	cr_assert_eq(cors_with("*", NULL, NULL, NULL, &why), APP_ERR_INVALID);
}

Test(cors, more_than_64_origins_are_refused)
{
	char list[65 * 32] = "";
	for (int i = 0; i < 65; i++)
		sprintf(list + strlen(list), "%shttps://h%d.example", i ? "," : "", i);
	const char *why;
	cr_assert_eq(cors_with(list, NULL, NULL, NULL, &why), APP_ERR_INVALID);
	cr_assert(strstr(why, "64") != NULL, "%s", why);
}

Test(cors, preflight_allowed_is_200_with_the_allowed_set)
{
	cors_ok("https://a.example", "GET,POST", "X-Custom", NULL);
	PREFLIGHT(&x, "https://a.example", "POST", "x-custom, Content-Type");
	cr_assert_eq(x.resp.status, 200);
	cr_assert_str_eq(exchange_body(&x), "OK");
	cr_assert_str_eq(exchange_header(&x, "Access-Control-Allow-Origin"), "https://a.example");
	cr_assert_str_eq(exchange_header(&x, "Vary"), "Origin");
	cr_assert_str_eq(exchange_header(&x, "Access-Control-Allow-Methods"), "GET, POST");
	cr_assert_str_eq(exchange_header(&x, "Access-Control-Allow-Headers"),
			 "Accept, Accept-Language, Content-Language, Content-Type, X-Custom");
	cr_assert_str_eq(exchange_header(&x, "Access-Control-Max-Age"), "600");
	cr_assert_null(exchange_header(&x, "Access-Control-Allow-Credentials"));
	exchange_free(&x);
}

Test(cors, preflight_refused_is_400_naming_the_failures_without_cors_headers)
{
	cors_ok("https://a.example", NULL, NULL, NULL);
	PREFLIGHT(&x, "https://evil.example", "DELETE", "X-Other");
	cr_assert_eq(x.resp.status, 400);
	cr_assert_str_eq(exchange_body(&x), "Disallowed CORS origin, method, headers");
	for (size_t i = 0; i < x.resp.headers.n; i++)
		cr_assert_not(x.resp.headers.items[i].name.n > 14 &&
				      strncasecmp(x.resp.headers.items[i].name.p, "Access-Control", 14) == 0,
			      "no CORS header on a refused preflight");
	exchange_free(&x);
	PREFLIGHT(&x, "https://a.example", "get", "accept");
	cr_assert_str_eq(exchange_body(&x), "Disallowed CORS method", "methods compare case-sensitively");
	exchange_free(&x);
	PREFLIGHT(&x, "https://a.example", "GET", "accept,,");
	cr_assert_str_eq(exchange_body(&x), "Disallowed CORS headers", "an empty name is not allowed (Starlette)");
	exchange_free(&x);
}

Test(cors, simple_request_gets_the_origin_and_vary)
{
	cors_ok("https://a.example,https://b.example", NULL, NULL, "true");
	setenv("CORS_EXPOSE_HEADERS", "X-Request-Id", 1);
	cors_ok("https://a.example,https://b.example", NULL, NULL, "true");
	exchange_run(&x, (char *const[]){ "REQUEST_METHOD=GET", "REQUEST_URI=/nope", "HTTP_ORIGIN=https://b.example",
					  NULL }, NULL, 0);
	cr_assert_eq(x.resp.status, 404, "the error answers carry CORS too");
	cr_assert_str_eq(exchange_header(&x, "Access-Control-Allow-Origin"), "https://b.example");
	cr_assert_str_eq(exchange_header(&x, "Access-Control-Allow-Credentials"), "true");
	cr_assert_str_eq(exchange_header(&x, "Access-Control-Expose-Headers"), "X-Request-Id");
	cr_assert_str_eq(exchange_header(&x, "Vary"), "Origin");
	exchange_free(&x);
	exchange_run(&x, (char *const[]){ "REQUEST_METHOD=GET", "REQUEST_URI=/ping", "HTTP_ORIGIN=https://c.example",
					  NULL }, NULL, 0);
	cr_assert_null(exchange_header(&x, "Access-Control-Allow-Origin"));
	cr_assert_str_eq(exchange_header(&x, "Access-Control-Allow-Credentials"), "true", "as Starlette: always");
	cr_assert_null(exchange_header(&x, "Vary"));
	exchange_free(&x);
}

Test(cors, star_with_credentials_echoes_the_origin)
{
	cors_ok("*", NULL, NULL, "true");
	PREFLIGHT(&x, "https://any.example", "GET", "accept");
	cr_assert_str_eq(exchange_header(&x, "Access-Control-Allow-Origin"), "https://any.example");
	cr_assert_str_eq(exchange_header(&x, "Vary"), "Origin");
	exchange_free(&x);
	exchange_run(&x, (char *const[]){ "REQUEST_METHOD=GET", "REQUEST_URI=/ping", "HTTP_ORIGIN=https://any.example",
					  "HTTP_COOKIE=a=b", NULL }, NULL, 0);
	cr_assert_str_eq(exchange_header(&x, "Access-Control-Allow-Origin"), "https://any.example");
	exchange_free(&x);
	exchange_run(&x, (char *const[]){ "REQUEST_METHOD=GET", "REQUEST_URI=/ping", "HTTP_ORIGIN=https://any.example",
					  NULL }, NULL, 0);
	cr_assert_str_eq(exchange_header(&x, "Access-Control-Allow-Origin"), "*", "no cookie: * (Starlette)");
	exchange_free(&x);
}

Test(cors, star_headers_mirror_a_thousand_requested_names)
{
	cors_ok("*", "*", "*", NULL);
	size_t n = 0;
	char *names = malloc(1000 * 12 + 64);
	n = (size_t)sprintf(names, "HTTP_ACCESS_CONTROL_REQUEST_HEADERS=");
	for (int i = 0; i < 1000; i++)
		n += (size_t)sprintf(names + n, "%sx-h%d", i ? "," : "", i);
	exchange_run(&x, (char *const[]){ "REQUEST_METHOD=OPTIONS", "REQUEST_URI=/ping", "HTTP_ORIGIN=https://a.example",
					  "HTTP_ACCESS_CONTROL_REQUEST_METHOD=PATCH", names, NULL }, NULL, 0);
	cr_assert_eq(x.resp.status, 200);
	cr_assert_str_eq(exchange_header(&x, "Access-Control-Allow-Headers"), strchr(names, '=') + 1);
	cr_assert_str_eq(exchange_header(&x, "Access-Control-Allow-Methods"),
			 "DELETE, GET, HEAD, OPTIONS, PATCH, POST, PUT");
	cr_assert_str_eq(exchange_header(&x, "Access-Control-Allow-Origin"), "*");
	exchange_free(&x);
	cors_ok("*", NULL, "X-A", NULL);
	exchange_run(&x, (char *const[]){ "REQUEST_METHOD=OPTIONS", "REQUEST_URI=/ping", "HTTP_ORIGIN=https://a.example",
					  "HTTP_ACCESS_CONTROL_REQUEST_METHOD=GET", names, NULL }, NULL, 0);
	cr_assert_eq(x.resp.status, 400);
	exchange_free(&x);
	free(names);
}

Test(cors, an_8k_origin_is_compared_and_refused)
{
	cors_ok("https://a.example", NULL, NULL, NULL);
	char *origin = malloc(8192 + 32);
	int n = sprintf(origin, "HTTP_ORIGIN=https://");
	memset(origin + n, 'a', 8192);
	origin[n + 8192] = '\0';
	exchange_run(&x, (char *const[]){ "REQUEST_METHOD=GET", "REQUEST_URI=/ping", origin, NULL }, NULL, 0);
	cr_assert_eq(x.resp.status, 200);
	cr_assert_null(exchange_header(&x, "Access-Control-Allow-Origin"));
	exchange_free(&x);
	free(origin);
}
