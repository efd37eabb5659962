/* One whole gateway request: body reading and the CGI response format. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>

#include "harness.h"
#include "http/forwarded.h"
#include "http/log.h"
#include "http/trust.h"

static char *out;
static size_t out_n;

/* Requests come from a trusted proxy that names them (X-Request-Id, believed
 * with FORWARDED_REQUEST_ID on), so that answers are exact; access lines are not wanted on the test's stderr. */
#define PEER "REMOTE_ADDR=127.0.0.1", "HTTP_X_REQUEST_ID=rid-1"
#define RID "X-Request-Id: rid-1\r\n"

static void setup(void)
{
	const char *why;
	cr_assert_eq(forwarded_allow("127.0.0.1", &why), APP_OK);
	trust_configure((struct trust){ .request_id = true });
	/* Off also when a test reloads the settings (set_body_limit). */
	setenv("LOG_FORMAT", "off", 1);
	log_configure(LOG_FORMAT_OFF, LOG_INFO);
}

static void teardown(void)
{
	free(out);
	cr_assert_eq(forwarded_allow(NULL, &(const char *){ NULL }), APP_OK);
	trust_configure((struct trust){ 0 });
	unsetenv("LOG_FORMAT");
	log_configure(LOG_FORMAT_JSON, LOG_INFO);
}

TestSuite(serve, .init = setup, .fini = teardown);

Test(serve, writes_status_headers_length_and_body)
{
	int rc = serve_in_memory((char *const[]){ "PATH_INFO=/ping", PEER, NULL }, "", 0, &out, &out_n);
	cr_assert_eq(rc, 0);
	cr_assert_str_eq(out, "Status: 200 OK\r\nContent-Type: application/json\r\n" RID "Content-Length: 19\r\n\r\n"
			      "{\"Success\":\"Pong!\"}");
}

Test(serve, head_keeps_length_and_drops_body)
{
	serve_in_memory((char *const[]){ "REQUEST_METHOD=HEAD", "PATH_INFO=/ping", PEER, NULL }, "", 0, &out, &out_n);
	cr_assert_str_eq(out, "Status: 200 OK\r\nContent-Type: application/json\r\n" RID "Content-Length: 19\r\n\r\n");
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
	serve_in_memory((char *const[]){ "REQUEST_METHOD=POST", "PATH_INFO=/api/v1/users/", "CONTENT_LENGTH=10", PEER,
					 NULL },
			"abc", 3, &out, &out_n);
	cr_assert_str_eq(out, "Status: 400 Bad Request\r\nContent-Type: application/json\r\n" RID
			      "Content-Length: 82\r\n\r\n"
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
	serve_in_memory((char *const[]){ "PATH_INFO=/api/v1/users", "SCRIPT_NAME=/app", "HTTP_HOST=h", PEER, NULL }, "",
			0, &out, &out_n);
	cr_assert_str_eq(out, "Status: 307 Temporary Redirect\r\nLocation: http://h/app/api/v1/users/\r\n" RID
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

/* The X-Request-Id line of out, or "" (a static copy). */
static const char *request_id_of(void)
{
	static char id[200];
	id[0] = '\0';
	const char *p = strstr(out, "X-Request-Id: ");
	if (p != NULL)
		sscanf(p, "X-Request-Id: %199[^\r]", id);
	return id;
}

static bool is_generated_id(const char *id)
{
	if (strlen(id) != 32)
		return false;
	for (const char *p = id; *p; p++)
		if (!((*p >= '0' && *p <= '9') || (*p >= 'a' && *p <= 'f')))
			return false;
	return true;
}

Test(serve, request_id_is_generated_fresh_for_every_request)
{
	serve_in_memory((char *const[]){ "PATH_INFO=/ping", NULL }, "", 0, &out, &out_n);
	char first[200];
	strcpy(first, request_id_of());
	free(out);
	serve_in_memory((char *const[]){ "PATH_INFO=/ping", NULL }, "", 0, &out, &out_n);
	cr_assert(is_generated_id(first), "%s", first);
	cr_assert(is_generated_id(request_id_of()), "%s", request_id_of());
	cr_assert_str_neq(first, request_id_of());
}

Test(serve, request_id_from_an_untrusted_peer_is_replaced)
{
	serve_in_memory((char *const[]){ "PATH_INFO=/ping", "REMOTE_ADDR=198.51.100.9", "HTTP_X_REQUEST_ID=chosen", NULL },
			"", 0, &out, &out_n);
	cr_assert(is_generated_id(request_id_of()), "%s", request_id_of());
}

/* Issue 27 item 2: a trusted proxy's X-Request-Id only with FORWARDED_REQUEST_ID
 * on (an ALB passes a client's own through); by default every id is fresh. */
Test(serve, request_id_from_a_trusted_peer_needs_the_setting)
{
	trust_configure((struct trust){ 0 });
	serve_in_memory((char *const[]){ "PATH_INFO=/ping", PEER, NULL }, "", 0, &out, &out_n);
	cr_assert(is_generated_id(request_id_of()), "%s", request_id_of());
}

Test(serve, request_id_of_129_bytes_is_replaced_and_128_kept)
{
	char env[200];
	snprintf(env, sizeof env, "HTTP_X_REQUEST_ID=%0129d", 7);
	serve_in_memory((char *const[]){ "PATH_INFO=/ping", "REMOTE_ADDR=127.0.0.1", env, NULL }, "", 0, &out, &out_n);
	cr_assert(is_generated_id(request_id_of()), "%s", request_id_of());
	free(out);
	snprintf(env, sizeof env, "HTTP_X_REQUEST_ID=%0128d", 7);
	serve_in_memory((char *const[]){ "PATH_INFO=/ping", "REMOTE_ADDR=127.0.0.1", env, NULL }, "", 0, &out, &out_n);
	cr_assert_str_eq(request_id_of(), env + strlen("HTTP_X_REQUEST_ID="));
}

Test(serve, request_id_with_control_bytes_spaces_or_quotes_is_replaced)
{
	const char *bad[] = { "HTTP_X_REQUEST_ID=a\x01" "b", "HTTP_X_REQUEST_ID=a b", "HTTP_X_REQUEST_ID=a\"b",
			      "HTTP_X_REQUEST_ID=a\\b", "HTTP_X_REQUEST_ID=\xc3\xa9" };
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		serve_in_memory((char *const[]){ "PATH_INFO=/ping", "REMOTE_ADDR=127.0.0.1", (char *)bad[i], NULL }, "", 0,
				&out, &out_n);
		cr_assert(is_generated_id(request_id_of()), "%s gave %s", bad[i], request_id_of());
		free(out);
		out = NULL;
	}
}

Test(serve, five_xx_body_names_the_request_id)
{
	struct arena a;
	arena_init(&a);
	struct response r;
	response_init(&r, &a);
	response_set_body(&r, 200, "text/plain", STR_LIT("x"));
	response_error_id(&r, 503, "Service Unavailable", STR_LIT("rid-9"));
	cr_assert_eq(r.status, 503);
	cr_assert(str_eq(r.body, STR_LIT("{\"detail\":\"Service Unavailable\",\"request_id\":\"rid-9\"}")));
	cr_assert(str_eq(response_header(&r, "Content-Type"), STR_LIT("application/json")));
	cr_assert_eq(r.headers.n, 1);
	arena_release(&a);
}
