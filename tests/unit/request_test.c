/* The request model's checks on its input (app/http/request.c), as regression tests
 * from fuzzing (tests/fuzz/): no request input may add or split a response header (the
 * redirect's Location repeats host, root path and query). */
#include <criterion/criterion.h>

#include "harness.h"

Test(request, host_header_with_crlf_is_a_400_not_a_second_location_header)
{
	struct exchange x;
	exchange_run(&x, (char *const[]){ "REQUEST_METHOD=GET", "REQUEST_URI=/api/v1/users?x=1",
					 "HTTP_HOST=s\r\nSet-Cookie: stolen=1", NULL }, NULL, 0);
	cr_expect_eq(x.resp.status, 400);
	cr_expect_null(exchange_header(&x, "Location"));
	cr_expect_null(exchange_header(&x, "Set-Cookie"));
	exchange_free(&x);
}

Test(request, header_value_with_bare_lf_is_a_400)
{
	struct exchange x;
	exchange_run(&x, (char *const[]){ "REQUEST_METHOD=GET", "REQUEST_URI=/", "HTTP_X_TRACE=a\nb", NULL }, NULL, 0);
	cr_expect_eq(x.resp.status, 400);
	exchange_free(&x);
}

Test(request, query_with_lf_is_a_400_not_echoed_into_location)
{
	struct exchange x;
	GET(&x, "/api/v1/users?x\nSet-Cookie: a=1");
	cr_expect_eq(x.resp.status, 400);
	cr_expect_null(exchange_header(&x, "Location"));
	exchange_free(&x);
}

Test(request, script_name_with_crlf_is_percent_encoded_in_location)
{
	struct exchange x;
	exchange_run(&x, (char *const[]){ "REQUEST_METHOD=GET", "SCRIPT_NAME=/app\r\nX: 1", "PATH_INFO=/api/v1/users",
					 NULL }, NULL, 0);
	cr_expect_eq(x.resp.status, 307);
	cr_expect_str_eq(exchange_header(&x, "Location"), "/app%0D%0AX:%201/api/v1/users/");
	exchange_free(&x);
}

Test(request, server_name_with_crlf_gives_a_relative_location)
{
	struct exchange x;
	exchange_run(&x, (char *const[]){ "REQUEST_METHOD=GET", "SERVER_NAME=a\r\nX: 1", "SERVER_PORT=8080",
					 "REQUEST_URI=/api/v1/users", NULL }, NULL, 0);
	cr_expect_eq(x.resp.status, 307);
	cr_expect_str_eq(exchange_header(&x, "Location"), "/api/v1/users/");
	exchange_free(&x);
}

Test(request, refused_header_before_the_method_still_answers_head_without_body)
{
	struct exchange x;
	/* The bad header comes first in the environment: the method is still read (found by fuzzing). */
	exchange_run(&x, (char *const[]){ "HTTP_X_BAD=a\r\nb", "REQUEST_METHOD=HEAD", "REQUEST_URI=/ping", NULL }, NULL, 0);
	cr_assert_eq(x.resp.status, 400);
	cr_assert(x.resp.omit_body, "a HEAD answer has no body");
	exchange_free(&x);
}

/* The byte classes are switches now, not strchr over a list: every byte 0..255
 * (NUL and non-ASCII included) as the lists of RFC 9110 tchar and RFC 3986 say. */
static bool old_tchar(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       (c != '\0' && strchr("!#$%&'*+-.^_`|~", c) != NULL);
}

static bool old_host_byte(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       (c != '\0' && strchr("-._~!$&'()*+,;=:%[]", c) != NULL);
}

Test(request, byte_classes_of_tokens_and_hosts_for_every_byte)
{
	for (int c = 0; c < 256; c++) {
		char s[3] = { 'a', (char)c, 'b' };
		struct str one = { s + 1, 1 }, mid = { s, 3 };
		cr_assert_eq(is_http_token(one), old_tchar((unsigned char)c), "token byte %d", c);
		cr_assert_eq(is_http_token(mid), old_tchar((unsigned char)c), "token byte %d inside", c);
		cr_assert_eq(host_is_valid(one), old_host_byte((unsigned char)c), "host byte %d", c);
		cr_assert_eq(host_is_valid(mid), old_host_byte((unsigned char)c), "host byte %d inside", c);
	}
	cr_assert_not(is_http_token(STR_LIT("")));
	char host[302];
	memset(host, 'a', sizeof host);
	cr_assert(host_is_valid((struct str){ host, 300 }));
	cr_assert_not(host_is_valid((struct str){ host, 301 })); /* one past the limit */
}
