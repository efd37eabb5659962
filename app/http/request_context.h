/* What a handler may know about the invocation beyond HTTP: under which ids it
 * runs, how long it has left, through which API stage it came, and what the
 * authorizer said about the caller. Lambda fills it from the Runtime API's
 * headers and the event's requestContext; CGI and FastCGI leave it empty (every
 * string empty, no deadline, no claims), so a handler reads it the same way on
 * every target. The client's address is req->remote_addr on every target. */
#ifndef APP_HTTP_REQUEST_CONTEXT_H
#define APP_HTTP_REQUEST_CONTEXT_H

#include "core/kvlist.h"
#include "core/str.h"

struct request_context {
	struct str request_id;      /* Lambda-Runtime-Aws-Request-Id; n == 0 when unknown */
	struct str trace_id;        /* Lambda-Runtime-Trace-Id (X-Ray) */
	struct str function_arn;    /* Lambda-Runtime-Invoked-Function-Arn */
	long long deadline_ms;      /* Lambda-Runtime-Deadline-Ms (epoch ms); 0: none */
	struct str api_request_id;  /* requestContext.requestId: API Gateway's id for the request */
	struct str stage;           /* requestContext.stage: "prod", "$default" */
	struct kvlist claims;       /* what the authorizer vouched for: JWT claims (HTTP API jwt.claims,
				     * REST Cognito claims) or a Lambda authorizer's context; values that
				     * are not strings as compact JSON text */
};

/* Milliseconds left before the deadline, 0 once it has passed; -1 without a deadline. */
long long request_context_remaining_ms(const struct request_context *c);

/* The value of a claim, or STR_NULL when the authorizer did not give it. */
struct str request_context_claim(const struct request_context *c, const char *name);

#endif
