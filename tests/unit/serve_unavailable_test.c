/* cgi_env_serve_unavailable(): the 503 of load shedding answered as any
 * request is (request id, CORS), only without the handler or the body. */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "http/cors.h"
#include "http/forwarded.h"
#include "http/log.h"
#include "http/trust.h"
#include "support/memory_transport.h"

#define DETAIL "Server overloaded: the request waited too long for a worker"
#define BODY "{\"detail\":\"" DETAIL "\"}"
/* A trusted proxy names the request (X-Request-Id), so that the answer is exact. */
#define PEER "REMOTE_ADDR=127.0.0.1", "HTTP_X_REQUEST_ID=rid-1"

static struct memory_transport io;

static void setup(void)
{
	const char *why;
	cr_assert_eq(forwarded_allow("127.0.0.1", &why), APP_OK);
	trust_configure((struct trust){ .request_id = true });
	log_configure(LOG_FORMAT_OFF, LOG_INFO);
}

static void teardown(void)
{
	free(io.out);
	cr_assert_eq(forwarded_allow(NULL, &(const char *){ NULL }), APP_OK);
	trust_configure((struct trust){ 0 });
	log_configure(LOG_FORMAT_JSON, LOG_INFO);
	unsetenv("CORS_ALLOW_ORIGINS");
	cr_assert_eq(cors_load(&(const char *){ NULL }), APP_OK);
}

TestSuite(serve_unavailable, .init = setup, .fini = teardown);

/* Serves env with body `in` through cgi_env_serve_unavailable(); io holds the output. */
static enum app_err shed(char *const *env, const char *in)
{
	io = (struct memory_transport){ .in = in, .in_n = strlen(in) };
	const struct transport t = memory_transport(&io);
	return cgi_env_serve_unavailable(env, "test", MOUNT_AT_ROOT, &t, DETAIL);
}

Test(serve_unavailable, a_503_with_retry_after_and_the_request_id_in_one_write)
{
	cr_assert_eq(shed((char *const[]){ "REQUEST_METHOD=GET", "REQUEST_URI=/ping", PEER, NULL }, ""), APP_OK);
	cr_assert_str_eq(io.out, "Status: 503 Service Unavailable\r\nContent-Type: application/json\r\n"
				 "X-Request-Id: rid-1\r\nRetry-After: 1\r\nContent-Length: 72\r\n\r\n" BODY);
	cr_assert_eq(io.writes, 1);
}

Test(serve_unavailable, the_body_is_left_unread_and_the_handler_not_run)
{
	cr_assert_eq(shed((char *const[]){ "REQUEST_METHOD=POST", "REQUEST_URI=/api/v1/users/", "CONTENT_LENGTH=3",
					   "CONTENT_TYPE=text/plain", PEER, NULL },
			  "abc"),
		     APP_OK);
	cr_assert_eq(io.in_pos, 0, "the body was read");
	cr_assert(strstr(io.out, "Status: 503 ") == io.out, "%s", io.out);
	cr_assert_null(strstr(io.out, "Success"), "%s", io.out);
}

/* Variables the parser refuses (a 400, a 413, a front server's error call)
 * are shed all the same: the 503 is the answer, with its body. */
Test(serve_unavailable, in_place_of_any_refusal)
{
	const char *bad[] = { "CONTENT_LENGTH=abc", "CONTENT_LENGTH=99999999999999999999999", "REDIRECT_STATUS=404" };
	for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
		cr_assert_eq(shed((char *const[]){ "REQUEST_METHOD=POST", "REQUEST_URI=/items", (char *)bad[i], PEER, NULL },
				  ""),
			     APP_OK);
		cr_assert(strstr(io.out, "Status: 503 ") == io.out, "%s: %s", bad[i], io.out);
		cr_assert(strstr(io.out, "\r\nRetry-After: 1\r\n") != NULL, "%s: %s", bad[i], io.out);
		cr_assert(strstr(io.out, "\r\n\r\n" BODY) != NULL, "%s: %s", bad[i], io.out);
		free(io.out);
		io.out = NULL;
	}
}

Test(serve_unavailable, head_keeps_the_length_drops_the_body)
{
	cr_assert_eq(shed((char *const[]){ "REQUEST_METHOD=HEAD", "REQUEST_URI=/ping", PEER, NULL }, ""), APP_OK);
	cr_assert(strstr(io.out, "Status: 503 ") == io.out, "%s", io.out);
	size_t n = strlen(io.out);
	cr_assert(n > 4 && strcmp(io.out + n - 4, "\r\n\r\n") == 0, "%s", io.out);
	cr_assert(strstr(io.out, "Content-Length: 72\r\n") != NULL, "%s", io.out);
}

Test(serve_unavailable, carries_cors_as_any_answer)
{
	setenv("CORS_ALLOW_ORIGINS", "https://a.example", 1);
	cr_assert_eq(cors_load(&(const char *){ NULL }), APP_OK);
	cr_assert_eq(shed((char *const[]){ "REQUEST_METHOD=GET", "REQUEST_URI=/ping", "HTTP_ORIGIN=https://a.example",
					   PEER, NULL },
			  ""),
		     APP_OK);
	cr_assert(strstr(io.out, "Access-Control-Allow-Origin: https://a.example\r\n") != NULL, "%s", io.out);
}

/* A transport whose write fails: APP_ERR_IO (the front server is gone). */
static int write_fails(void *ctx, const char *p, size_t n)
{
	(void)ctx, (void)p, (void)n;
	return -1;
}

Test(serve_unavailable, a_failed_write_is_an_io_error)
{
	io = (struct memory_transport){ 0 };
	struct transport t = memory_transport(&io);
	t.write = write_fails;
	cr_assert_eq(cgi_env_serve_unavailable((char *const[]){ "REQUEST_URI=/ping", NULL }, "test", MOUNT_AT_ROOT, &t,
					       DETAIL),
		     APP_ERR_IO);
}
