/* Issue 27 item 9: the query a slash redirect repeats in its Location is made
 * fit for a URL (raw non-ASCII bytes and spaces percent-encoded, as Starlette's
 * RedirectResponse does), with the same Location on the FastCGI, CGI and Lambda
 * targets. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>

#include "core/urlencoding.h"
#include "harness.h"
#include "http/log.h"
#include "lambda_events/lambda_event.h"

/* A query with raw UTF-8, a raw 0xFF, a space, quotes and brackets; what Starlette sends. */
#define RAW_QUERY "q=caf\xc3\xa9&x=\xff&s=a b&t=\"<x>\"&u=%C3%A9&v=[1]#f"
#define ENCODED "q=caf%C3%A9&x=%FF&s=a%20b&t=%22%3Cx%3E%22&u=%C3%A9&v=[1]#f"

static void quiet(void)
{
	log_configure(LOG_FORMAT_OFF, LOG_INFO);
}

static void loud(void)
{
	log_configure(LOG_FORMAT_JSON, LOG_INFO);
}

TestSuite(redirect_query, .init = quiet, .fini = loud);

Test(redirect_query, encoding_keeps_what_a_url_may_hold)
{
	struct arena a;
	arena_init(&a);
	struct str got = percent_encode_url_query(&a, STR_LIT(RAW_QUERY));
	cr_assert(str_eq(got, STR_LIT(ENCODED)), "%.*s", (int)got.n, got.p);
	static const char plain[] = "i=5&i=10&a=%25&b=~._-:/?@!$&'()*+,;=";
	cr_assert(str_eq(percent_encode_url_query(&a, str_c(plain)), str_c(plain)), "a fit query is unchanged");
	arena_release(&a);
}

/* FastCGI: the request from its parameters (MOUNT_AT_ROOT). */
Test(redirect_query, fastcgi_location)
{
	struct exchange x;
	exchange_run(&x,
		     (char *const[]){ "REQUEST_METHOD=GET", "REQUEST_URI=/api/v1/users?" RAW_QUERY, "QUERY_STRING=" RAW_QUERY,
				      "HTTP_HOST=svc.test", NULL },
		     NULL, 0);
	cr_assert_eq(x.resp.status, 307);
	cr_assert_str_eq(exchange_header(&x, "Location"), "http://svc.test/api/v1/users/?" ENCODED);
	exchange_free(&x);
}

/* CGI: the whole output of the CGI program. */
Test(redirect_query, cgi_location)
{
	char *out;
	size_t n;
	serve_in_memory((char *const[]){ "REQUEST_METHOD=GET", "PATH_INFO=/api/v1/users", "QUERY_STRING=" RAW_QUERY,
					 "HTTP_HOST=svc.test", NULL },
			"", 0, &out, &n);
	cr_assert_not_null(strstr(out, "\r\nLocation: http://svc.test/api/v1/users/?" ENCODED "\r\n"), "%s", out);
	for (size_t i = 0; i < n; i++)
		cr_assert((unsigned char)out[i] < 0x80, "a raw byte 0x%02x in the answer", (unsigned char)out[i]);
	free(out);
}

/* Lambda: a Function URL event (rawQueryString as the client sent it; JSON holds
 * no 0xFF, so the UTF-8 and ASCII parts). */
Test(redirect_query, lambda_location)
{
	struct arena a;
	arena_init(&a);
	static const char event[] =
		"{\"version\":\"2.0\",\"rawPath\":\"/api/v1/users\",\"rawQueryString\":\"q=caf\xc3\xa9&s=a b&t=\\\"<x>\\\"\","
		"\"headers\":{\"host\":\"svc.test\",\"x-forwarded-proto\":\"http\"},"
		"\"requestContext\":{\"http\":{\"method\":\"GET\",\"path\":\"/api/v1/users\",\"sourceIp\":\"203.0.113.7\"},"
		"\"requestId\":\"r1\"},\"isBase64Encoded\":false}";
	struct lambda_result res;
	lambda_handle_event(&a, str_c(event), "lambda", &res);
	cr_assert_null(res.error_type);
	cJSON *doc = cJSON_Parse(res.response.p);
	cr_assert_not_null(doc);
	const cJSON *loc = cJSON_GetObjectItem(cJSON_GetObjectItem(doc, "headers"), "Location");
	cr_assert(cJSON_IsString(loc), "%s", res.response.p);
	cr_assert_str_eq(loc->valuestring, "http://svc.test/api/v1/users/?q=caf%C3%A9&s=a%20b&t=%22%3Cx%3E%22");
	cJSON_Delete(doc);
	arena_release(&a);
}
