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

/* The raw path check skips decoding without a '%': a NUL is still refused
 * either way, a bad escape still is, and a good one passes. */
Test(request, raw_path_check_with_and_without_escapes)
{
	struct arena ar;
	arena_init(&ar);
	struct request r;
	request_init(&r, &ar, "unit");
	cr_assert_eq(request_check_raw_path(&r, STR_LIT("/items/42")), APP_OK);
	cr_assert_eq(request_check_raw_path(&r, STR_LIT("/a%2Fb")), APP_OK);
	cr_assert_eq(request_check_raw_path(&r, STR_LIT("")), APP_OK);
	cr_assert_eq(request_check_raw_path(&r, (struct str){ "/a\0b", 4 }), APP_ERR_REFUSED);
	cr_assert_eq(r.error_status, 400);
	request_init(&r, &ar, "unit");
	cr_assert_eq(request_check_raw_path(&r, STR_LIT("/a%00b")), APP_ERR_REFUSED);
	request_init(&r, &ar, "unit");
	cr_assert_eq(request_check_raw_path(&r, STR_LIT("/a%zz")), APP_ERR_REFUSED);
	cr_assert_str_eq(r.error_detail, "Invalid percent-encoding in path");
	request_init(&r, &ar, "unit");
	cr_assert_eq(request_check_raw_path(&r, STR_LIT("/a%")), APP_ERR_REFUSED);
	arena_release(&ar);
}

/* A header field with NUL, CR or LF anywhere is refused; HTAB, DEL and bytes
 * above 0x7f in a value are kept (the one-comparison filter's edges). */
Test(request, header_field_bytes_at_the_filter_edges)
{
	struct arena ar;
	arena_init(&ar);
	struct request r;
	for (int c = 0; c < 256; c++) {
		request_init(&r, &ar, "unit");
		char v[3] = { 'a', (char)c, 'b' };
		enum app_err want = c == 0 || c == '\r' || c == '\n' ? APP_ERR_REFUSED : APP_OK;
		cr_assert_eq(request_add_header(&r, STR_LIT("x-v"), (struct str){ v, 3 }), want, "byte %d", c);
		request_init(&r, &ar, "unit");
		cr_assert_eq(request_add_header(&r, (struct str){ v, 3 }, STR_LIT("v")), want, "name byte %d", c);
		arena_reset(&ar);
	}
	request_init(&r, &ar, "unit");
	cr_assert_eq(request_add_header(&r, STR_LIT("Cookie"), STR_LIT("a=1; b=\"2\"")), APP_OK);
	cr_assert_eq(r.cookies.n, 2);
	cr_assert_eq(request_add_header(&r, STR_LIT("cookies"), STR_LIT("c=3")), APP_OK);
	cr_assert_eq(r.cookies.n, 2);
	arena_release(&ar);
}

/* The eight-at-a-time filter: every byte 0..255 at every position of a
 * 19-byte value (two words and a tail), among bytes near the filter's edge
 * (0x0e, 0x0b, 0x80, 0xff, HTAB) that must not be refused. */
Test(request, header_value_bytes_at_every_position_of_words_and_tail)
{
	struct arena ar;
	arena_init(&ar);
	static const char fill[] = "\x0e\x0b\x80\xff\t\x0e\x0b\x80\xff\t\x0e\x0b\x80\xff\t\x0e\x0b\x80\xff";
	for (size_t pos = 0; pos < 19; pos++) {
		for (int c = 0; c < 256; c++) {
			char v[19];
			memcpy(v, fill, 19);
			v[pos] = (char)c;
			struct request r;
			request_init(&r, &ar, "unit");
			enum app_err want = c == 0 || c == '\r' || c == '\n' ? APP_ERR_REFUSED : APP_OK;
			cr_assert_eq(request_add_header(&r, STR_LIT("x-v"), (struct str){ v, 19 }), want, "byte %d at %zu", c,
				     pos);
			arena_reset(&ar);
		}
	}
	arena_release(&ar);
}

/* The query's refusals with the NUL check folded into the control one and the
 * decoded NUL check only when there is a '%': each message as before. */
Test(request, query_string_refusals_keep_their_messages)
{
	struct arena ar;
	arena_init(&ar);
	struct request r;
	const struct { struct str q; const char *detail; } cases[] = {
		{ { "i=5\0", 4 }, "Invalid query string: contains a NUL byte" },
		{ { "\0\x01", 2 }, "Invalid query string: contains a NUL byte" },
		{ { "\x01\0", 2 }, "Invalid query string: contains a NUL byte" },
		{ STR_LIT("i=\x1f"), "Invalid query string: contains a control character" },
		{ STR_LIT("i=\x7f"), "Invalid query string: contains a control character" },
		{ STR_LIT("i=%00"), "Invalid query string: contains a NUL byte" },
		{ STR_LIT("%00=1"), "Invalid query string: contains a NUL byte" },
		{ STR_LIT("a=1&b=2&c=%2"), "Invalid percent-encoding in query string" },
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		request_init(&r, &ar, "unit");
		cr_assert_eq(request_set_query_string(&r, cases[i].q), APP_ERR_REFUSED, "case %zu", i);
		cr_assert_eq(r.error_status, 400, "case %zu", i);
		cr_assert_str_eq(r.error_detail, cases[i].detail, "case %zu", i);
	}
	request_init(&r, &ar, "unit");
	cr_assert_eq(request_set_query_string(&r, STR_LIT("i=%7E&j=+\x80")), APP_OK);
	cr_assert_eq(r.query.n, 2);
	cr_assert(str_eq(r.query.items[0].value, STR_LIT("~")));
	cr_assert(str_eq(r.query.items[1].value, STR_LIT(" \xEF\xBF\xBD")));
	arena_release(&ar);
}
