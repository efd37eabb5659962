/* AWS Lambda HTTP events, the way Mangum adapts them for Python: an event
 * document in, an event-shaped response document out, through app_handle().
 *
 * Supported events, recognised by their shape:
 *   - API Gateway REST API and HTTP API payload 1.0 ("httpMethod", "path"),
 *   - HTTP API payload 2.0 and Lambda Function URLs ("version": "2.0"),
 *   - ALB target groups ("requestContext.elb"), with or without multi-value headers.
 * A document that is not JSON, or not one of these, is a Lambda invocation error.
 * A well-formed HTTP event carrying a bad request (bad base64 body, body over the
 * limit, bad percent-encoding) is answered with an HTTP 4xx like any target. */
#ifndef APP_LAMBDA_EVENT_H
#define APP_LAMBDA_EVENT_H

#include <stdbool.h>

#include "core/arena.h"
#include "core/str.h"
#include "http/log.h"

struct lambda_result {
	/* The response document to post back (arena, NUL-terminated), when error_type is NULL. */
	struct str response;
	/* Set when the event is not an HTTP event we can answer: the Lambda errorType
	 * ("Runtime.MalformedEvent", "Runtime.UnsupportedEvent", "Runtime.OutOfMemory")
	 * and a sentence for errorMessage (static or arena). */
	const char *error_type;
	const char *error_message;
	/* The access log line for the answered request (arena strings), when has_access. */
	struct log_access access;
	bool has_access;
};

/* Answers one event. target names the deployment for /hello ("lambda").
 * Every allocation that outlives the call is in a; nothing else is kept. */
void lambda_handle_event(struct arena *a, struct str event, const char *target, struct lambda_result *out);

/* lambda_handle_event() for one invocation of the Runtime API: the request id
 * (X-Request-Id, log line) is the event's requestContext.requestId (API Gateway,
 * Function URL), else invocation_id (Lambda-Runtime-Aws-Request-Id; ALB events
 * carry none), else a generated one. invocation_id may be STR_NULL. */
void lambda_handle_invocation(struct arena *a, struct str event, const char *target, struct str invocation_id,
			      struct lambda_result *out);

/* The Runtime API's error document: {"errorMessage":...,"errorType":...,"stackTrace":[]}
 * (arena, NUL-terminated); STR_NULL when out of memory. */
struct str lambda_error_json(struct arena *a, const char *type, const char *message);

#endif
