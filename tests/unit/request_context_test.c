/* The request context on CGI and FastCGI: the same struct a Lambda handler reads,
 * left empty, so one handler reads it the same way on every target. */
#include <criterion/criterion.h>

#include "cgi_env/cgi_env.h"
#include "http/request.h"

Test(request_context, cgi_request_has_an_empty_context)
{
	struct arena a;
	arena_init(&a);
	char *envp[] = { "REQUEST_METHOD=GET", "PATH_INFO=/ping", "REMOTE_ADDR=198.51.100.9",
			 "HTTP_X_AMZN_TRACE_ID=Root=1-abc", NULL };
	struct request req;
	request_init(&req, &a, "cgi");
	size_t body_length = 0;
	cr_assert_eq(cgi_env_parse(&req, envp, MOUNT_AT_SCRIPT, &body_length), APP_OK);
	cr_assert_eq(req.error_status, 0);
	cr_assert_eq(req.context.request_id.n, 0);
	cr_assert_eq(req.context.trace_id.n, 0);
	cr_assert_eq(req.context.stage.n, 0);
	cr_assert_eq(req.context.claims.n, 0);
	cr_assert_eq(request_context_remaining_ms(&req.context), -1);
	cr_assert(str_is_null(request_context_claim(&req.context, "sub")));
	cr_assert(str_eq(req.remote_addr, STR_LIT("198.51.100.9")));
	arena_release(&a);
}
