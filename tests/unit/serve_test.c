/* One whole gateway request: body reading and the CGI response format. */
#include <criterion/criterion.h>
#include <stdlib.h>

#include "harness.h"

static char *out;
static size_t out_n;

static void teardown(void)
{
	free(out);
}

TestSuite(serve, .fini = teardown);

Test(serve, writes_status_headers_length_and_body)
{
	int rc = serve_in_memory((char *const[]){ "PATH_INFO=/ping", NULL }, "", 0, &out, &out_n);
	cr_assert_eq(rc, 0);
	cr_assert_str_eq(out, "Status: 200 OK\r\nContent-Type: application/json\r\nContent-Length: 19\r\n\r\n"
			      "{\"Success\":\"Pong!\"}");
}

Test(serve, head_keeps_length_and_drops_body)
{
	serve_in_memory((char *const[]){ "REQUEST_METHOD=HEAD", "PATH_INFO=/ping", NULL }, "", 0, &out, &out_n);
	cr_assert_str_eq(out, "Status: 200 OK\r\nContent-Type: application/json\r\nContent-Length: 19\r\n\r\n");
}

Test(serve, reads_exactly_content_length_bytes)
{
	const char in[] = "a\0bEXTRA";
	serve_in_memory((char *const[]){ "REQUEST_METHOD=POST", "PATH_INFO=/api/v1/users/", "CONTENT_LENGTH=3", NULL },
			in, sizeof in - 1, &out, &out_n);
	cr_assert_not_null(strstr(out, "Status: 200 OK\r\n"));
	cr_assert_not_null(strstr(out, "{\"Success\":\"All users!\"}"));
}

Test(serve, short_body_is_400_truncated)
{
	serve_in_memory((char *const[]){ "REQUEST_METHOD=POST", "PATH_INFO=/api/v1/users/", "CONTENT_LENGTH=10", NULL },
			"abc", 3, &out, &out_n);
	cr_assert_str_eq(out, "Status: 400 Bad Request\r\nContent-Type: application/json\r\nContent-Length: 82\r\n\r\n"
			      "{\"detail\":\"Request body truncated: Content-Length is 10 but only 3 bytes arrived\"}");
}

Test(serve, body_over_limit_is_413_and_not_read)
{
	set_body_limit("4");
	serve_in_memory((char *const[]){ "REQUEST_METHOD=POST", "PATH_INFO=/api/v1/users/", "CONTENT_LENGTH=5", NULL },
			"12345", 5, &out, &out_n);
	set_body_limit(NULL);
	cr_assert_not_null(strstr(out, "Status: 413 Content Too Large\r\n"));
	cr_assert_not_null(strstr(out, "{\"detail\":\"Request body too large (limit 4 bytes)\"}"));
}

Test(serve, body_at_the_limit_is_accepted)
{
	set_body_limit("5");
	serve_in_memory((char *const[]){ "REQUEST_METHOD=PUT", "PATH_INFO=/api/v1/users/1", "CONTENT_LENGTH=5", NULL },
			"12345", 5, &out, &out_n);
	set_body_limit(NULL);
	cr_assert_not_null(strstr(out, "Status: 200 OK\r\n"));
}

Test(serve, redirect_has_location_and_empty_body)
{
	serve_in_memory((char *const[]){ "PATH_INFO=/api/v1/users", "SCRIPT_NAME=/app", "HTTP_HOST=h", NULL }, "", 0,
			&out, &out_n);
	cr_assert_str_eq(out, "Status: 307 Temporary Redirect\r\nLocation: http://h/app/api/v1/users/\r\n"
			      "Content-Length: 0\r\n\r\n");
}

Test(serve, head_with_a_refused_header_has_no_body)
{
	/* The header is refused before the method is read: the 400 still knows it is a HEAD. */
	serve_in_memory((char *const[]){ "HTTP_X_BAD=a\r\nb", "REQUEST_METHOD=HEAD", "REQUEST_URI=/ping", NULL }, "", 0,
			&out, &out_n);
	cr_assert_not_null(strstr(out, "Status: 400 Bad Request\r\n"));
	cr_assert_not_null(strstr(out, "Content-Length: 35\r\n"), "GET's length: %s", out);
	cr_assert(out_n >= 4 && memcmp(out + out_n - 4, "\r\n\r\n", 4) == 0, "a body follows the headers: %s", out);
}
