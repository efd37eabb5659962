/* A front server's error-document call (REDIRECT_STATUS, lighttpd's
 * server.error-handler): lighttpd's 411 for a POST without Content-Length is
 * answered as that POST with an empty body, any other status as the status with
 * the detail of its static page. The variables are the ones lighttpd 1.4.69
 * passes the handler (seen with a FastCGI responder that prints them). */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>

#include "harness.h"
#include "http/log.h"
#include "support/memory_transport.h"

static struct exchange x;

/* Access lines of the tests that serve a whole request are not wanted on stderr. */
static void setup(void)
{
	log_configure(LOG_FORMAT_OFF, LOG_INFO);
}

static void teardown(void)
{
	exchange_free(&x);
	log_configure(LOG_FORMAT_JSON, LOG_INFO);
}

TestSuite(front_errors, .init = setup, .fini = teardown);

/* What lighttpd.conf's FastCGI handler gets, then the call's own variables. */
#define LIGHTTPD "REQUEST_METHOD=GET", "SCRIPT_NAME=", "PATH_INFO=/_error", "QUERY_STRING=", "CONTENT_LENGTH=0", \
		 "REDIRECT_URI=/_error", "REMOTE_ADDR=127.0.0.1", "HTTP_HOST=127.0.0.1:8080"
#define RUN(...) exchange_run(&x, (char *const[]){ LIGHTTPD, __VA_ARGS__, NULL }, NULL, 0)

static void expect(int status, const char *body)
{
	cr_assert_eq(x.resp.status, status, "status %d, want %d", x.resp.status, status);
	cr_assert_str_eq(exchange_body(&x), body);
}

static bool is(struct str s, const char *want)
{
	return str_eq(s, str_c(want));
}

Test(front_errors, lighttpd_411_is_the_post_answered_as_sent_with_an_empty_body)
{
	RUN("REQUEST_URI=/ping?x=1", "REDIRECT_STATUS=411");
	expect(405, "{\"detail\":\"Method Not Allowed\"}");
	cr_assert_str_eq(exchange_header(&x, "Allow"), "GET, HEAD");
	cr_assert(is(x.req.method, "POST"));
	cr_assert(is(x.req.path, "/ping"));
	cr_assert(is(x.req.raw_query, "x=1"));
	cr_assert_eq(x.body_length, 0);
	cr_assert_eq(x.req.body.n, 0);
}

Test(front_errors, rebuilt_post_to_users_is_their_200)
{
	RUN("REQUEST_URI=/api/v1/users/", "REDIRECT_STATUS=411");
	expect(200, "{\"Success\":\"All users!\"}");
	exchange_free(&x);
	RUN("REQUEST_URI=/api/v1/users/7", "REDIRECT_STATUS=411");
	expect(200, "{\"Success\":\"This is one user!\"}");
}

Test(front_errors, rebuilt_post_keeps_the_clients_content_type_and_declares_no_length)
{
	RUN("REQUEST_URI=/api/v1/users/", "REDIRECT_STATUS=411", "CONTENT_TYPE=application/json");
	cr_assert(is(request_header(&x.req, "content-type"), "application/json"));
	cr_assert(str_is_null(request_header(&x.req, "content-length")));
}

Test(front_errors, rebuilt_post_with_a_bad_escape_or_nul_is_the_services_400)
{
	RUN("REQUEST_URI=/ping?q=%ZZ", "REDIRECT_STATUS=411");
	expect(400, "{\"detail\":\"Invalid percent-encoding in query string\"}");
	exchange_free(&x);
	RUN("REQUEST_URI=/items/1%00", "REDIRECT_STATUS=411");
	expect(400, "{\"detail\":\"Invalid path: contains a NUL byte\"}");
	exchange_free(&x);
	RUN("REQUEST_URI=/items/%g1", "REDIRECT_STATUS=411");
	expect(400, "{\"detail\":\"Invalid percent-encoding in path\"}");
	cr_assert(is(x.req.method, "POST"));
}

Test(front_errors, rebuilt_post_over_the_target_limit_is_414)
{
	size_t n = 70000;
	char *uri = malloc(n + 1);
	memcpy(uri, "REQUEST_URI=/ping?q=", 20);
	memset(uri + 20, 'a', n - 20);
	uri[n] = '\0';
	RUN(uri, "REDIRECT_STATUS=411");
	cr_assert_eq(x.resp.status, 414);
	free(uri);
}

Test(front_errors, the_handlers_path_info_and_query_string_are_not_the_request)
{
	exchange_run(&x,
		     (char *const[]){ "REQUEST_METHOD=GET", "SCRIPT_NAME=", "PATH_INFO=/ping", "QUERY_STRING=i=7",
				      "REQUEST_URI=/math/add?i=1&i=2", "REDIRECT_STATUS=411", NULL },
		     NULL, 0);
	cr_assert(is(x.req.path, "/math/add"));
	cr_assert(is(x.req.raw_query, "i=1&i=2"));
	expect(405, "{\"detail\":\"Method Not Allowed\"}");
}

/* Every status of front_errors.def is answered with exactly its static page's body. */
Test(front_errors, every_listed_status_is_answered_with_its_pages_detail)
{
	static const struct {
		int status;
		const char *detail;
	} list[] = {
#define FRONT_ERROR(code, detail) { code, detail },
#include "cgi_env/front_errors.def"
#undef FRONT_ERROR
	};
	cr_assert_geq(sizeof list / sizeof list[0], 17);
	for (size_t i = 0; i < sizeof list / sizeof list[0]; i++) {
		if (list[i].status == 411)
			continue; /* rebuilt, above */
		char status[32], body[256];
		snprintf(status, sizeof status, "REDIRECT_STATUS=%d", list[i].status);
		snprintf(body, sizeof body, "{\"detail\":\"%s\"}", list[i].detail);
		RUN("REQUEST_URI=/ping", status);
		expect(list[i].status, body);
		cr_assert_str_eq(exchange_header(&x, "Content-Type"), "application/json");
		exchange_free(&x);
	}
	RUN("REQUEST_URI=/ping", "REDIRECT_STATUS=411", "REQUEST_METHOD=PUT");
	expect(411, "{\"detail\":\"Length Required: a POST needs a Content-Length header (Content-Length: 0 for no body)\"}");
}

Test(front_errors, a_status_not_listed_gets_its_reason_phrase_or_error)
{
	RUN("REQUEST_URI=/ping", "REDIRECT_STATUS=422");
	expect(422, "{\"detail\":\"Unprocessable Entity\"}");
	exchange_free(&x);
	RUN("REQUEST_URI=/ping", "REDIRECT_STATUS=418");
	expect(418, "{\"detail\":\"Error\"}");
}

Test(front_errors, a_front_status_keeps_the_clients_path_and_query_for_the_log)
{
	RUN("REQUEST_URI=/docs/nope.js?v=1", "REDIRECT_STATUS=404");
	expect(404, "{\"detail\":\"Not Found\"}");
	cr_assert(is(x.req.path, "/docs/nope.js"));
	cr_assert(is(x.req.raw_query, "v=1"));
	cr_assert(is(x.req.method, "GET"), "lighttpd does not say the client's method");
}

/* The front server's verdict stands whatever the service would say of the request. */
Test(front_errors, a_front_status_wins_over_the_services_own_refusals)
{
	RUN("REQUEST_URI=/%ZZ?%00", "REDIRECT_STATUS=431", "HTTP_COOKIE=a\n", "HTTP_HOST=bad host");
	expect(431, "{\"detail\":\"Request header fields too large (limit 32768 bytes in all)\"}");
	exchange_free(&x);
	RUN("REDIRECT_STATUS=400");
	expect(400, "{\"detail\":\"Bad Request: malformed request line or headers\"}");
}

Test(front_errors, a_front_5xx_body_is_the_static_page_without_a_request_id)
{
	char *out;
	size_t n;
	serve_in_memory((char *const[]){ LIGHTTPD, "REQUEST_URI=/ping", "REDIRECT_STATUS=505", NULL }, "", 0, &out, &n);
	cr_assert_not_null(strstr(out, "Status: 505 HTTP Version Not Supported\r\n"), "%s", out);
	cr_assert_not_null(strstr(out, "\r\nX-Request-Id: "), "the id is still a header");
	const char body[] = "\r\n\r\n{\"detail\":\"HTTP Version Not Supported\"}";
	cr_assert(n >= sizeof body - 1 && strcmp(out + n - (sizeof body - 1), body) == 0, "%s", out);
	free(out);
}

/* lighttpd passes no body with the call (CONTENT_LENGTH=0); one that says
 * otherwise is not lighttpd's bodiless POST: the 411 stands, nothing is read. */
Test(front_errors, a_411_call_that_passes_a_body_stays_411_and_reads_nothing)
{
	struct memory_transport io = { .in = "hello", .in_n = 5 };
	const struct transport t = memory_transport(&io);
	cr_assert_eq(cgi_env_serve((char *const[]){ "REQUEST_METHOD=GET", "PATH_INFO=/_error", "CONTENT_LENGTH=5",
						    "REQUEST_URI=/api/v1/users/", "REDIRECT_STATUS=411", NULL },
				   "test", MOUNT_AT_ROOT, &t),
		     APP_OK);
	cr_assert_not_null(strstr(io.out, "Status: 411 Length Required\r\n"), "%s", io.out);
	cr_assert_eq(io.in_pos, 0);
	free(io.out);
}

/* The handler request's method stands for a front error (lighttpd does not pass
 * the client's on): a HEAD asked for gets no body, and only lighttpd's GET is
 * read as its bodiless POST. */
Test(front_errors, the_handler_requests_method_stands)
{
	RUN("REQUEST_URI=/ping", "REDIRECT_STATUS=404", "REQUEST_METHOD=HEAD");
	cr_assert_eq(x.resp.status, 404);
	cr_assert(x.resp.omit_body, "HEAD: no body");
	exchange_free(&x);
	RUN("REQUEST_URI=/api/v1/users/", "REDIRECT_STATUS=411", "REQUEST_METHOD=HEAD");
	cr_assert_eq(x.resp.status, 411);
	cr_assert(x.resp.omit_body, "HEAD: no body");
	exchange_free(&x);
	RUN("REQUEST_URI=/api/v1/users/", "REDIRECT_STATUS=411", "REQUEST_METHOD=POST");
	cr_assert_eq(x.resp.status, 411);
	exchange_free(&x);
	RUN("REQUEST_URI=/ping", "REDIRECT_STATUS=404", "REDIRECT_REQUEST_METHOD=PUT");
	cr_assert(is(x.req.method, "GET"), "Apache's REDIRECT_REQUEST_METHOD is not read");
}

Test(front_errors, a_411_without_request_uri_stays_411)
{
	exchange_run(&x, (char *const[]){ "REQUEST_METHOD=GET", "PATH_INFO=/_error", "REDIRECT_STATUS=411", NULL }, NULL,
		     0);
	cr_assert_eq(x.resp.status, 411);
}

/* lighttpd sends REDIRECT_STATUS=200 with every request, so the handler URL asked
 * for directly is an ordinary request: 404. */
Test(front_errors, redirect_status_200_is_an_ordinary_request)
{
	RUN("REQUEST_URI=/_error", "REDIRECT_STATUS=200");
	expect(404, "{\"detail\":\"Not Found\"}");
	exchange_free(&x);
	exchange_run(&x,
		     (char *const[]){ "REQUEST_METHOD=GET", "PATH_INFO=/ping", "REQUEST_URI=/ping", "REDIRECT_STATUS=200",
				      NULL },
		     NULL, 0);
	expect(200, "{\"Success\":\"Pong!\"}");
}

Test(front_errors, a_redirect_status_that_is_not_an_error_status_is_ignored)
{
	const char *values[] = { "REDIRECT_STATUS=", "REDIRECT_STATUS=411 ", "REDIRECT_STATUS=4110",
				 "REDIRECT_STATUS=+41", "REDIRECT_STATUS=abc", "REDIRECT_STATUS=399",
				 "REDIRECT_STATUS=600", "REDIRECT_STATUS=302" };
	for (size_t i = 0; i < sizeof values / sizeof values[0]; i++) {
		exchange_run(&x,
			     (char *const[]){ "REQUEST_METHOD=GET", "PATH_INFO=/ping", "REQUEST_URI=/ping",
					      (char *)values[i], NULL },
			     NULL, 0);
		cr_assert_eq(x.resp.status, 200, "%s", values[i]);
		exchange_free(&x);
	}
	RUN("REQUEST_URI=/ping");
	expect(404, "{\"detail\":\"Not Found\"}");
}

/* A client's "Redirect-Status: 411" header arrives as HTTP_REDIRECT_STATUS: a header. */
Test(front_errors, a_clients_redirect_status_header_is_only_a_header)
{
	exchange_run(&x,
		     (char *const[]){ "REQUEST_METHOD=POST", "PATH_INFO=/ping", "REQUEST_URI=/ping",
				      "HTTP_REDIRECT_STATUS=411", "REDIRECT_STATUS=200", NULL },
		     NULL, 0);
	expect(405, "{\"detail\":\"Method Not Allowed\"}");
	cr_assert(is(request_header(&x.req, "redirect-status"), "411"));
	exchange_free(&x);
	exchange_run(&x,
		     (char *const[]){ "REQUEST_METHOD=GET", "PATH_INFO=/ping", "REQUEST_URI=/ping",
				      "HTTP_REDIRECT_STATUS=404", NULL },
		     NULL, 0);
	expect(200, "{\"Success\":\"Pong!\"}");
}

/* ---- the CGI target (MOUNT_AT_SCRIPT), deploy/lighttpd-cgi.conf ---- */

static void run_script(const char *request_uri)
{
	static char uri[256];
	snprintf(uri, sizeof uri, "REQUEST_URI=%s", request_uri);
	arena_init(&x.arena);
	request_init(&x.req, &x.arena, "test");
	enum app_err err = cgi_env_parse(&x.req,
					 (char *const[]){ "REQUEST_METHOD=GET", "SCRIPT_NAME=/cgi-bin/app.cgi",
							  "PATH_INFO=/_error", "QUERY_STRING=", "REDIRECT_STATUS=411", uri,
							  NULL },
					 MOUNT_AT_SCRIPT, &x.body_length);
	(void)err; /* a refused request keeps its status in req, which app_handle() answers */
	response_init(&x.resp, &x.arena);
	app_handle(&x.req, &x.resp);
}

Test(front_errors, under_a_script_the_post_is_rebuilt_below_script_name)
{
	run_script("/cgi-bin/app.cgi/ping?x=1");
	expect(405, "{\"detail\":\"Method Not Allowed\"}");
	cr_assert(is(x.req.path, "/ping"));
	cr_assert(is(x.req.root_path, "/cgi-bin/app.cgi"));
	cr_assert(is(x.req.raw_query, "x=1"));
	exchange_free(&x);
	run_script("/cgi-bin/app.cgi/api/v1/users/");
	expect(200, "{\"Success\":\"All users!\"}");
	exchange_free(&x);
	run_script("/cgi-bin/app.cgi?x=1");
	cr_assert(is(x.req.path, "/"));
	expect(405, "{\"detail\":\"Method Not Allowed\"}");
}

/* The service cannot say what another URL would answer: the 411 stands. */
Test(front_errors, under_a_script_a_url_outside_it_keeps_the_411)
{
	const char *uris[] = { "/other/ping", "/cgi-bin/app.cgix/ping", "/cgi-bin/app%2Ecgi/ping", "/cgi-bin/app.cg" };
	for (size_t i = 0; i < sizeof uris / sizeof uris[0]; i++) {
		run_script(uris[i]);
		cr_assert_eq(x.resp.status, 411, "%s", uris[i]);
		exchange_free(&x);
	}
	run_script("/");
	cr_assert_eq(x.resp.status, 411);
}
