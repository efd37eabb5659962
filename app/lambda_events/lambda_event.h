/* app/lambda_events: AWS Lambda HTTP events, the way Mangum adapts them for Python: an event
 * document in, an event-shaped response document out, through app_handle().
 *
 * Supported events, recognised by their shape:
 *   - API Gateway REST API and HTTP API payload 1.0 ("httpMethod", "path"),
 *   - HTTP API payload 2.0 and Lambda Function URLs ("version": "2.0"),
 *   - ALB target groups ("requestContext.elb"), with or without multi-value headers.
 * A scheduled warm-up event (EventBridge "Scheduled Event" from "aws.events", or
 * serverless-plugin-warmup's {"source":"serverless-plugin-warmup"}) is answered
 * with a no-op document. A document that is not JSON, or none of these, is a
 * Lambda invocation error.
 * A well-formed HTTP event carrying a bad request (bad base64 body, body over the
 * limit, bad percent-encoding, a NUL byte in any string but the body) is answered
 * with an HTTP 4xx like any target.
 *
 * Environment, read once at start by lambda_settings_load() (never per invocation):
 *   API_BASE_PATH           a prefix ("/orders") taken off the path before routing
 *                           when the path starts with it (whole segments), and put
 *                           back in redirects (Mangum's api_gateway_base_path, LWA's
 *                           AWS_LWA_REMOVE_BASE_PATH)
 *   LAMBDA_TEXT_MIME_TYPES  comma-separated media types ("type/sub", or "type/" and a star)
 *                           sent as text on top of the built-in list (reply.c)
 *
 * Files here include core/, http/, service/ and lambda_events/ only, and no
 * libcurl (tests/check_layers.sh): moving bytes is lambda/'s job. Running out of
 * memory makes an invocation a "Runtime.OutOfMemory" error (core/arena.h). */
#ifndef APP_LAMBDA_EVENTS_LAMBDA_EVENT_H
#define APP_LAMBDA_EVENTS_LAMBDA_EVENT_H

#include <stdbool.h>

#include "core/arena.h"
#include "core/err.h"
#include "core/str.h"
#include "http/limits.h"
#include "http/log.h"
#include "http/request_context.h"
#include "http/stream.h"

/* API_BASE_PATH: at most this many characters after its leading '/' (API Gateway's
 * limit for the path of an API mapping). */
#define LAMBDA_BASE_PATH_MAX 300
/* An event holding more JSON values than this is refused (an invocation error)
 * before a document is built: cJSON spends about 100 bytes on each value, so
 * 5 MB of "[0,0,0,...]" took 150 MB. Twice LIMIT_TARGET_BYTES: every request
 * within the service's limits fits (a 64 KiB query of one-letter parameters is
 * 3 values per parameter in a REST event), and API Gateway's own limits are lower. */
#define LAMBDA_EVENT_VALUES_MAX (2 * LIMIT_TARGET_BYTES)
/* LAMBDA_TEXT_MIME_TYPES: at most this many media types. */
#define LAMBDA_TEXT_TYPES_MAX 64
/* A type or subtype name in LAMBDA_TEXT_MIME_TYPES: at most this long (RFC 6838 4.2). */
#define LAMBDA_MEDIA_NAME_MAX 127

/* Reads API_BASE_PATH and LAMBDA_TEXT_MIME_TYPES once, at start; every invocation
 * then uses what it read. Unset or empty means none.
 * API_BASE_PATH: "/" means none; otherwise '/' and segments of letters, digits and
 * $-_.+!*'() (API Gateway's characters for a base path), none empty, "." or "..",
 * at most LAMBDA_BASE_PATH_MAX characters after the '/'; trailing slashes are dropped.
 * LAMBDA_TEXT_MIME_TYPES: comma-separated "type/sub" or "type/" and a star (RFC 6838
 * names, no parameters), whitespace around entries and empty entries ignored, at
 * most LAMBDA_TEXT_TYPES_MAX of them.
 * Anything else is APP_ERR_INVALID with *why a sentence naming the variable and the
 * value (static), and both settings are none. Calling it again reads them again. */
enum app_err lambda_settings_load(const char **why) MUST_CHECK;

struct lambda_result {
	/* The response document to post back (arena, NUL-terminated), when error_type is NULL. */
	struct str response;
	/* Instead of response, for an invocation asked to stream whose event takes a
	 * streamed answer (payload 2.0: Function URLs, HTTP APIs): the HTTP integration
	 * prelude (JSON, NUL-terminated) and the body as raw bytes (empty for HEAD). */
	struct str stream_prelude;
	struct str stream_body;
	/* Instead of all three: the handler makes its body in pieces (http/stream.h)
	 * and the invocation streams; lambda_invocation_stream() sends it. */
	bool stream_pending;
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

/* The same in steps, for a runtime that must answer by itself when the handler is
 * late (lambda/main.c's deadline): start, then finish; timeout_reply may be called
 * from another thread between the two, with its own arena. */
struct lambda_invocation;

/* Parses and adapts the event. Returns NULL when *out is already the whole answer
 * (an error, or a warm-up no-op); else the invocation to finish, in a. */
struct lambda_invocation *lambda_invocation_start(struct arena *a, struct str event, const char *target,
						  struct lambda_result *out);

/* Runs the service on the request and shapes its answer, and its access line,
 * into *out (the request id as lambda_handle_invocation() says). Call once. */
void lambda_invocation_finish(struct lambda_invocation *inv, struct lambda_result *out);

/* 504 {"detail":"Request timed out"} in the shape the event expects (arena b,
 * NUL-terminated); STR_NULL when b runs out of memory. Reads only what start wrote
 * and nothing of the request, so it may run before, during or after finish (which
 * frees the event document the request points into). */
struct str lambda_invocation_timeout_reply(struct arena *b, const struct lambda_invocation *inv);

/* The same 504 for an invocation that streams (lambda_invocation_set_streaming took):
 * true with *prelude and *body (*prelude STR_NULL when b ran out of memory); false,
 * and nothing built, when it does not stream. Same thread rules as timeout_reply. */
bool lambda_invocation_timeout_stream(struct arena *b, const struct lambda_invocation *inv, struct str *prelude,
				      struct str *body);

/* What the Runtime API said about the invocation, for the handler's request context
 * (http/request_context.h): call between start and finish. The strings must live
 * until finish; deadline_ms is the header's text (not a number: no deadline). */
void lambda_invocation_set_runtime(struct lambda_invocation *inv, struct str request_id, struct str trace_id,
				   struct str function_arn, struct str deadline_ms);

/* The request context the handler will see. */
const struct request_context *lambda_invocation_context(const struct lambda_invocation *inv);

/* Asks finish for a streamed answer (lambda_result's stream_prelude and stream_body)
 * when the event comes from a Function URL (the only caller with a RESPONSE_STREAM invoke
 * mode: API Gateway and ALB invoke buffered); other events keep response. */
void lambda_invocation_set_streaming(struct lambda_invocation *inv);

/* How lambda/ sends a streamed answer as it is made: begin(prelude) once,
 * before the first byte of the body (the HTTP integration prelude; the 8 NUL
 * bytes are the sink's), then piece(bytes) for each piece; 0, or -1 when the
 * Runtime API is gone. */
struct lambda_stream_sink {
	int (*begin)(void *ctx, struct str prelude);
	int (*piece)(void *ctx, struct str bytes);
	void *ctx;
};

/* For out->stream_pending: runs the handler's producer into sink, then frees
 * the event document (call once, after finish). STREAM_UNSENT: nothing went
 * out, and out holds the whole answer to post instead (stream_prelude and
 * stream_body: the 500 of a producer that failed at once), or error_type
 * (Runtime.OutOfMemory). STREAM_CUT: the producer failed after the first
 * byte; *error_type and *error_message say why, for the Runtime API's error
 * trailers. The access line in out gets the bytes sent and the time taken. */
enum stream_end lambda_invocation_stream(struct lambda_invocation *inv, const struct lambda_stream_sink *sink,
					 struct lambda_result *out, const char **error_type, const char **error_message);

/* The decoded path the service routes on (for logs and test hooks). */
struct str lambda_invocation_path(const struct lambda_invocation *inv);

/* The Runtime API's error document: {"errorMessage":...,"errorType":...,"stackTrace":[]}
 * (arena, NUL-terminated). Out of memory outside an invocation aborts (core/arena.h). */
struct str lambda_error_json(struct arena *a, const char *type, const char *message);

#endif
