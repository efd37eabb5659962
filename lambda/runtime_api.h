/* A client of the Lambda Runtime API (2018-06-01): fetch the next invocation,
 * post its response or error, report a failed start. One kept-alive HTTP/1.1
 * connection (lambda/http1.c) serves every call. */
#ifndef LAMBDA_RUNTIME_API_H
#define LAMBDA_RUNTIME_API_H

#include <stdbool.h>

#include "core/arena.h"
#include "core/err.h"
#include "core/str.h"

struct runtime_api;

/* One invocation as /next hands it out; every string is in the caller's arena. */
struct invocation {
	struct str request_id;    /* Lambda-Runtime-Aws-Request-Id */
	struct str deadline_ms;   /* Lambda-Runtime-Deadline-Ms (epoch ms), may be empty */
	struct str function_arn;  /* Lambda-Runtime-Invoked-Function-Arn, may be empty */
	struct str trace_id;      /* Lambda-Runtime-Trace-Id, may be empty */
	struct str event;         /* the event document */
};

/* A client for host:port (the value of AWS_LAMBDA_RUNTIME_API); nothing is sent yet.
 * NULL when the text is not host:port, or out of memory. Free with runtime_api_close().
 * Environment: LAMBDA_POST_TIMEOUT_MS (default 3000), the total time a POST may take;
 * LAMBDA_NEXT_RETRIES (default 5), how often a failed /next is tried again.
 * Values that are not whole numbers up to 3600000 (at least 1 for the timeout) are ignored. */
struct runtime_api *runtime_api_open(const char *host_port);
void runtime_api_close(struct runtime_api *api);

/* Blocks until the next invocation (no timeout). A transport error (refused, reset,
 * dropped) or a 5xx is logged and tried again after 50 ms, doubling up to 1 s, up to
 * LAMBDA_NEXT_RETRIES times. 0, or -1 (runtime_api_error() says why and after how
 * many attempts): still failing, another status than 200, or no request id. */
int runtime_api_next(struct runtime_api *api, struct arena *a, struct invocation *inv);

/* Posts the response document for request_id, within LAMBDA_POST_TIMEOUT_MS.
 * 0 when accepted (202), else -1 (not retried: the answer may have arrived). */
int runtime_api_respond(struct runtime_api *api, struct str request_id, struct str body);

/* Posts a streamed answer for request_id (Lambda-Runtime-Function-Response-Mode:
 * streaming, chunked, Content-Type application/vnd.awslambda.http-integration-response):
 * the HTTP integration prelude, 8 NUL bytes, the body. 0 when accepted, else -1. */
int runtime_api_respond_stream(struct runtime_api *api, struct str request_id, struct str prelude, struct str body);

/* The same answer sent as it is made: begin posts the head (the headers above,
 * and Trailer: naming the two error trailers), write sends bytes as one chunk
 * (the prelude and its 8 NUL bytes first, then each piece of the body), end
 * the last chunk and reads the 202. With error_type, end carries the Runtime
 * API's trailers for an error after the first byte:
 * Lambda-Runtime-Function-Error-Type and Lambda-Runtime-Function-Error-Body
 * (error_body, base64). Each call within LAMBDA_POST_TIMEOUT_MS; 0 or -1. */
int runtime_api_stream_begin(struct runtime_api *api, struct str request_id);
int runtime_api_stream_write(struct runtime_api *api, struct str bytes);
int runtime_api_stream_end(struct runtime_api *api, const char *error_type, struct str error_body);

/* Posts an error document for request_id, or for the start when request_id is
 * null (/init/error), with the Lambda-Runtime-Function-Error-Type header. 0 or -1. */
int runtime_api_report_error(struct runtime_api *api, struct str request_id, const char *type, struct str body);

/* LAMBDA_INVOKE_MODE, read once at start: BUFFERED (or unset, empty: the default) or
 * RESPONSE_STREAM (*streaming: answers to Function URL events go out with
 * runtime_api_respond_stream). Anything else is APP_ERR_INVALID with *why. */
MUST_CHECK enum app_err runtime_api_invoke_mode(bool *streaming, const char **why);

/* Why the last call failed (a sentence; valid until the next call). */
const char *runtime_api_error(const struct runtime_api *api);

#endif
