/* RFC 3875 meta-variables into the request model. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>

#include "harness.h"
#include "http/limits.h"

static struct exchange x;

static void teardown(void)
{
	exchange_free(&x);
}

TestSuite(cgi_env, .fini = teardown);

#define RUN(...) exchange_run(&x, (char *const[]){ __VA_ARGS__, NULL }, NULL, 0)

static bool path_is(const char *p)
{
	return str_eq(x.req.path, str_c(p));
}

Test(cgi_env, path_info_wins_and_script_name_is_the_root)
{
	RUN("SCRIPT_NAME=/cgi-bin/app.cgi", "PATH_INFO=/math/add", "REQUEST_URI=/cgi-bin/app.cgi/math/add?i=1");
	cr_assert(path_is("/math/add"));
	cr_assert(str_eq(x.req.root_path, STR_LIT("/cgi-bin/app.cgi")));
}

/* lighttpd hands PATH_INFO over decoded its own way (%00 as '_', a bad escape
 * kept): the path the client sent decides, as it does without PATH_INFO. */
Test(cgi_env, bad_escape_in_request_uri_refuses_even_with_path_info)
{
	RUN("SCRIPT_NAME=", "PATH_INFO=/items/%g1", "REQUEST_URI=/items/%g1");
	cr_assert_eq(x.resp.status, 400);
	cr_assert(str_eq(x.resp.body, STR_LIT("{\"detail\":\"Invalid percent-encoding in path\"}")));
}

Test(cgi_env, nul_in_request_uri_refuses_even_with_path_info)
{
	RUN("SCRIPT_NAME=", "PATH_INFO=/items/1_", "REQUEST_URI=/items/1%00");
	cr_assert_eq(x.resp.status, 400);
	cr_assert(str_eq(x.resp.body, STR_LIT("{\"detail\":\"Invalid path: contains a NUL byte\"}")));
}

/* Found by tests/fuzz/fcgi_params: the method was read only after every header passed. */
Test(cgi_env, head_refused_for_a_header_has_no_body)
{
	RUN("REQUEST_METHOD=HEAD", "REQUEST_URI=/ping", "HTTP_COOKIE=s=\n");
	cr_assert_eq(x.resp.status, 400);
	cr_assert(x.resp.omit_body);
	exchange_free(&x);
	/* Whichever comes first. */
	RUN("HTTP_COOKIE=s=\n", "REQUEST_URI=/ping", "REMOTE_ADDR=192.0.2.1", "REQUEST_METHOD=HEAD");
	cr_assert_eq(x.resp.status, 400);
	cr_assert(x.resp.omit_body);
	cr_assert(str_eq(x.req.remote_addr, STR_LIT("192.0.2.1")));
}

Test(cgi_env, request_uri_path_is_decoded_when_no_path_info)
{
	RUN("REQUEST_URI=/items/%34%32?q=x");
	cr_assert(path_is("/items/42"));
	cr_assert(str_eq(x.req.raw_path, STR_LIT("/items/%34%32")));
	cr_assert(str_eq(x.req.raw_query, STR_LIT("q=x")));
}

Test(cgi_env, script_name_is_the_path_as_a_last_resort)
{
	RUN("SCRIPT_NAME=/ping");
	cr_assert(path_is("/ping"));
	cr_assert_eq(x.resp.status, 200);
}

Test(cgi_env, cgi_script_without_path_info_serves_root)
{
	struct arena a;
	arena_init(&a);
	struct request r;
	request_init(&r, &a, "cgi");
	size_t len;
	cr_assert_eq(cgi_env_parse(&r, (char *const[]){ "SCRIPT_NAME=/cgi-bin/app.cgi", "REQUEST_URI=/cgi-bin/app.cgi", NULL },
				   MOUNT_AT_SCRIPT, &len), APP_OK);
	cr_assert(str_eq(r.path, STR_LIT("/")));
	cr_assert(str_eq(r.root_path, STR_LIT("/cgi-bin/app.cgi")));
	arena_release(&a);
}

Test(cgi_env, query_string_wins_over_request_uri)
{
	RUN("REQUEST_URI=/math/add?i=1", "QUERY_STRING=i=2&i=3");
	cr_assert_str_eq(exchange_body(&x), "5");
}

Test(cgi_env, query_keeps_repeated_keys_in_order)
{
	RUN("REQUEST_URI=/x", "QUERY_STRING=a=1&b=2&a=3&&c&d=");
	cr_assert_eq(x.req.query.n, 5);
	const char *want[][2] = { { "a", "1" }, { "b", "2" }, { "a", "3" }, { "c", "" }, { "d", "" } };
	for (size_t i = 0; i < 5; i++) {
		cr_assert(str_eq(x.req.query.items[i].name, str_c(want[i][0])));
		cr_assert(str_eq(x.req.query.items[i].value, str_c(want[i][1])));
	}
}

Test(cgi_env, http_variables_become_lowercase_headers)
{
	RUN("REQUEST_URI=/", "HTTP_X_FORWARDED_FOR=1.2.3.4", "HTTP_ACCEPT=a", "HTTP_ACCEPT=b");
	cr_assert(str_eq(request_header(&x.req, "X-Forwarded-For"), STR_LIT("1.2.3.4")));
	cr_assert(str_eq(x.req.headers.items[0].name, STR_LIT("x-forwarded-for")));
	cr_assert_eq(kvlist_count(&x.req.headers, STR_LIT("accept")), 2, "repeated headers are kept");
}

Test(cgi_env, http_proxy_is_not_a_header)
{
	RUN("REQUEST_URI=/", "HTTP_PROXY=evil:1");
	cr_assert(str_is_null(request_header(&x.req, "proxy")));
}

Test(cgi_env, content_type_and_length_are_headers)
{
	RUN("REQUEST_URI=/", "CONTENT_TYPE=text/plain", "CONTENT_LENGTH=3");
	cr_assert(str_eq(request_header(&x.req, "content-type"), STR_LIT("text/plain")));
	cr_assert(str_eq(request_header(&x.req, "content-length"), STR_LIT("3")));
	cr_assert_eq(x.body_length, 3);
}

Test(cgi_env, cookies_are_parsed_from_every_cookie_header)
{
	RUN("REQUEST_URI=/", "HTTP_COOKIE=a=1; b=\"two\" ;=x; c");
	cr_assert_eq(x.req.cookies.n, 4);
	cr_assert(str_eq(kvlist_get_last(&x.req.cookies, STR_LIT("a")), STR_LIT("1")));
	cr_assert(str_eq(kvlist_get_last(&x.req.cookies, STR_LIT("b")), STR_LIT("two")));
	cr_assert(str_eq(kvlist_get_last(&x.req.cookies, STR_LIT("")), STR_LIT("c")), "a bare value has an empty name");
}

Test(cgi_env, remote_addr_scheme_and_host)
{
	RUN("REQUEST_URI=/", "REMOTE_ADDR=10.0.0.1", "REQUEST_SCHEME=https", "SERVER_NAME=svc", "SERVER_PORT=8443");
	cr_assert(str_eq(x.req.remote_addr, STR_LIT("10.0.0.1")));
	cr_assert(str_eq(x.req.scheme, STR_LIT("https")));
	cr_assert(str_eq(x.req.host, STR_LIT("svc:8443")));
}

Test(cgi_env, default_port_is_left_out_of_host)
{
	RUN("REQUEST_URI=/", "SERVER_NAME=svc", "SERVER_PORT=80");
	cr_assert(str_eq(x.req.host, STR_LIT("svc")));
}

Test(cgi_env, non_numeric_content_length_is_400)
{
	RUN("REQUEST_METHOD=POST", "REQUEST_URI=/api/v1/users/", "CONTENT_LENGTH=12abc");
	cr_assert_eq(x.resp.status, 400);
	cr_assert_str_eq(exchange_body(&x), "{\"detail\":\"Invalid Content-Length: not a decimal number\"}");
	cr_assert_eq(x.body_length, 0);
}

Test(cgi_env, content_length_over_the_limit_is_413)
{
	RUN("REQUEST_METHOD=POST", "REQUEST_URI=/api/v1/users/", "CONTENT_LENGTH=1048577");
	cr_assert_eq(x.resp.status, 413);
	cr_assert_str_eq(exchange_body(&x), "{\"detail\":\"Request body too large (limit 1048576 bytes)\"}");
	cr_assert_eq(x.body_length, 0, "nothing is read");
}

Test(cgi_env, absurd_content_length_does_not_overflow)
{
	RUN("REQUEST_METHOD=POST", "REQUEST_URI=/", "CONTENT_LENGTH=340282366920938463463374607431768211457");
	cr_assert_eq(x.resp.status, 413);
}

Test(cgi_env, content_length_just_past_two_to_the_64_is_413_not_wrapped)
{
	/* 2^64 + 3 once wrapped to 3 (200, three body bytes read); 2^64 to 0. */
	char *values[] = { "CONTENT_LENGTH=18446744073709551619", "CONTENT_LENGTH=18446744073709551616",
				 "CONTENT_LENGTH=18446744073709551615", "CONTENT_LENGTH=000000000000000000000018446744073709551617" };
	for (size_t i = 0; i < sizeof values / sizeof values[0]; i++) {
		RUN("REQUEST_METHOD=POST", "REQUEST_URI=/api/v1/users/", values[i]);
		cr_assert_eq(x.resp.status, 413, "%s", values[i]);
		cr_assert_eq(x.body_length, 0, "%s: nothing is read", values[i]);
		exchange_free(&x);
	}
}

Test(cgi_env, body_limit_setting_must_be_plain_digits_that_fit)
{
	const char *bad[] = { " -1", "-1", "10k", "1e6", "0x10", " 10", "18446744073709551616", "+5" };
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		setenv("APP_MAX_BODY_BYTES", bad[i], 1);
		const char *why = NULL;
		cr_assert_eq(limits_load(&why), APP_ERR_INVALID, "APP_MAX_BODY_BYTES=\"%s\" accepted", bad[i]);
		cr_assert_not_null(strstr(why, "APP_MAX_BODY_BYTES"), "%s", why);
		cr_assert_eq(limit_body_bytes(), LIMIT_BODY_BYTES_DEFAULT);
	}
	set_body_limit("18446744073709551615");
	cr_assert_eq(limit_body_bytes(), (size_t)18446744073709551615u);
	set_body_limit(NULL);
	cr_assert_eq(limit_body_bytes(), LIMIT_BODY_BYTES_DEFAULT);
}

Test(cgi_env, body_limit_follows_the_environment)
{
	set_body_limit("10");
	RUN("REQUEST_METHOD=POST", "REQUEST_URI=/api/v1/users/", "CONTENT_LENGTH=11");
	set_body_limit(NULL);
	cr_assert_eq(x.resp.status, 413);
	cr_assert_str_eq(exchange_body(&x), "{\"detail\":\"Request body too large (limit 10 bytes)\"}");
}

Test(cgi_env, bad_percent_in_query_is_400)
{
	RUN("REQUEST_URI=/math/add?i=%2");
	cr_assert_eq(x.resp.status, 400);
	cr_assert_str_eq(exchange_body(&x), "{\"detail\":\"Invalid percent-encoding in query string\"}");
}

Test(cgi_env, bad_percent_in_path_is_400)
{
	RUN("REQUEST_URI=/items/%zz");
	cr_assert_eq(x.resp.status, 400);
	cr_assert_str_eq(exchange_body(&x), "{\"detail\":\"Invalid percent-encoding in path\"}");
}

Test(cgi_env, encoded_nul_in_query_is_400)
{
	RUN("REQUEST_URI=/items/1?q=%00");
	cr_assert_eq(x.resp.status, 400);
	cr_assert_str_eq(exchange_body(&x), "{\"detail\":\"Invalid query string: contains a NUL byte\"}");
}

Test(cgi_env, encoded_nul_in_path_is_400)
{
	RUN("REQUEST_URI=/items/%00");
	cr_assert_eq(x.resp.status, 400);
	cr_assert_str_eq(exchange_body(&x), "{\"detail\":\"Invalid path: contains a NUL byte\"}");
}

Test(cgi_env, invalid_method_is_400)
{
	RUN("REQUEST_METHOD=GE T", "REQUEST_URI=/");
	cr_assert_eq(x.resp.status, 400);
	cr_assert_str_eq(exchange_body(&x), "{\"detail\":\"Invalid request method\"}");
}

/* "QUERY_STRING=i=1&i=1&..." with n bytes of query (n a multiple of 4); caller frees. */
static char *query_of_ones(size_t n)
{
	char *var = malloc(n + 14);
	cr_assert_not_null(var);
	memcpy(var, "QUERY_STRING=", 13);
	for (size_t i = 0; i < n; i += 4)
		memcpy(var + 13 + i, "i=1&", 4);
	var[13 + n] = '\0';
	return var;
}

Test(cgi_env, ten_megabyte_query_is_414_without_parsing)
{
	char *var = query_of_ones(10 * 1024 * 1024);
	RUN("REQUEST_URI=/math/add", var);
	cr_assert_eq(x.resp.status, 414);
	cr_assert_str_eq(exchange_body(&x), "{\"detail\":\"Request URI too long (limit 65536 bytes)\"}");
	cr_assert_lt(x.arena.total, 64 * 1024, "the huge query is not copied");
	free(var);
}

Test(cgi_env, query_just_under_the_limit_is_served)
{
	char *var = query_of_ones(LIMIT_TARGET_BYTES - 4);
	RUN("REQUEST_URI=/math/add", var);
	cr_assert_eq(x.resp.status, 200);
	cr_assert_str_eq(exchange_body(&x), "16383");
	free(var);
}

Test(cgi_env, too_many_headers_is_431)
{
	static char names[LIMIT_HEADER_COUNT + 1][32];
	char *env[LIMIT_HEADER_COUNT + 3];
	size_t k = 0;
	env[k++] = "REQUEST_URI=/";
	for (size_t i = 0; i <= LIMIT_HEADER_COUNT; i++) {
		snprintf(names[i], sizeof names[i], "HTTP_X_H%zu=v", i);
		env[k++] = names[i];
	}
	env[k] = NULL;
	exchange_run(&x, env, NULL, 0);
	cr_assert_eq(x.resp.status, 431);
	cr_assert_str_eq(exchange_body(&x), "{\"detail\":\"Too many request headers\"}");
}

Test(cgi_env, oversized_header_is_431)
{
	size_t n = LIMIT_HEADER_BYTES + 1;
	char *var = malloc(n + 32);
	cr_assert_not_null(var);
	memcpy(var, "HTTP_X_BIG=", 11);
	memset(var + 11, 'a', n);
	var[11 + n] = '\0';
	RUN("REQUEST_URI=/", var);
	cr_assert_eq(x.resp.status, 431);
	free(var);
}

/* envp of `n` HTTP_X_<i>=v headers, then `extra` (may be NULL), REQUEST_METHOD
 * and REQUEST_URI; in static storage, for one RUN at a time. */
static char *const *many_headers(size_t n, const char *extra)
{
	static char names[LIMIT_HEADER_COUNT + 2][32];
	static char *env[LIMIT_HEADER_COUNT + 8];
	size_t k = 0;
	for (size_t i = 0; i < n; i++) {
		snprintf(names[i], sizeof names[i], "HTTP_X_%zu=v", i);
		env[k++] = names[i];
	}
	if (extra != NULL)
		env[k++] = (char *)extra;
	env[k++] = "REQUEST_METHOD=GET";
	env[k++] = "REQUEST_URI=/";
	env[k] = NULL;
	return env;
}

/* cgi_env's headers take request_add_lower_header (its names are mapped and
 * checked as they are copied), or request_add_header when a name has a CR or
 * LF: the limits at and one past, in the same order (the count before the
 * name), a bad name, cookies, names in mixed case, as before. */
Test(cgi_env, mapped_header_names_keep_limits_and_checks)
{
	exchange_run(&x, many_headers(LIMIT_HEADER_COUNT, NULL), NULL, 0);
	cr_assert_eq(x.resp.status, 200);
	cr_assert_eq(x.req.headers.n, LIMIT_HEADER_COUNT);
	exchange_free(&x);
	exchange_run(&x, many_headers(LIMIT_HEADER_COUNT + 1, NULL), NULL, 0);
	cr_assert_eq(x.resp.status, 431);
	cr_assert_str_eq(exchange_body(&x), "{\"detail\":\"Too many request headers\"}");
	exchange_free(&x);
	exchange_run(&x, many_headers(LIMIT_HEADER_COUNT, "HTTP_X\rY=1"), NULL, 0);
	cr_assert_eq(x.resp.status, 431, "the count is checked before the name");
	exchange_free(&x);
	const char *bad[] = { "HTTP_X\rY=1", "HTTP_X\nY=1", "HTTP_\r=1", "HTTP_OK=a\rb" };
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		exchange_run(&x, many_headers(1, bad[i]), NULL, 0);
		cr_assert_eq(x.resp.status, 400, "case %zu", i);
		cr_assert_str_eq(exchange_body(&x), "{\"detail\":\"Invalid request header\"}", "case %zu", i);
		exchange_free(&x);
	}
	/* "x-big" (5 bytes) and a value making 64 KiB exactly, then one byte more. */
	static char big[16 + LIMIT_HEADER_BYTES];
	for (size_t over = 0; over < 2; over++) {
		size_t value_n = LIMIT_HEADER_BYTES - 5 + over;
		memcpy(big, "HTTP_X_BIG=", 11);
		memset(big + 11, 'v', value_n);
		big[11 + value_n] = '\0';
		RUN("REQUEST_METHOD=GET", "REQUEST_URI=/", big);
		cr_assert_eq(x.resp.status, over ? 431 : 200, "value of %zu bytes", value_n);
		exchange_free(&x);
	}
	RUN("REQUEST_METHOD=GET", "REQUEST_URI=/", "HTTP_COOKIE=a=1; b=2", "HTTP_X_MiXed_Case=ok");
	cr_assert_eq(x.req.cookies.n, 2);
	cr_assert(str_eq(request_header(&x.req, "x-mixed-case"), STR_LIT("ok")));
	cr_assert(str_eq(x.req.headers.items[1].name, STR_LIT("x-mixed-case")));
}
