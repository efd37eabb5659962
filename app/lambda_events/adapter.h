/* Internals shared by the Lambda event adapters (the files of app/lambda_events/); not for
 * targets. Request side: each adapter reads its event shape with the
 * lambda_field_* helpers into a struct request and says how its answer must be
 * shaped. Response side: lambda_reply_json() shapes a struct response that way.
 *
 * Errors, as everywhere in app/ (core/err.h): a malformed event (an invocation
 * error, not an HTTP answer) is APP_ERR_INVALID with a static sentence in *why;
 * a well-formed event carrying a bad request is APP_OK, with the 4xx recorded in
 * the request. */
#ifndef APP_LAMBDA_EVENTS_ADAPTER_H
#define APP_LAMBDA_EVENTS_ADAPTER_H

#include <cjson/cJSON.h>
#include <stdbool.h>

#include "http/request.h"
#include "http/response.h"

/* The adapters read the whole event even once the request is refused: a
 * malformed event is an invocation error whatever the request would get. The
 * refusal stays recorded in req (http/request.h); this drops the answer on purpose. */
static inline void keep_reading(enum app_err refused)
{
	(void)refused;
}

/* How the response document must look for the event it answers. */
struct lambda_reply_style {
	bool multi_value_headers;  /* "multiValueHeaders" instead of "headers" (v1, ALB) */
	bool cookies;              /* Set-Cookie values in a "cookies" array (payload 2.0) */
	bool status_description;   /* "statusDescription": "200 OK" (ALB) */
	bool function_url;         /* a Function URL's event: the only kind whose invoke mode can
	                            * be RESPONSE_STREAM (API Gateway invokes buffered) */
};

/* An adapter fills req from its event (strings may point into the cJSON document,
 * which outlives the request). APP_ERR_INVALID with *why for a malformed event. */
typedef enum app_err lambda_adapter_fn(const cJSON *event, struct request *req, struct lambda_reply_style *style,
				       const char **why);

lambda_adapter_fn lambda_apigw_v1_request;
lambda_adapter_fn lambda_apigw_v2_request;
lambda_adapter_fn lambda_alb_request;

/* Looks up a member; JSON null counts as absent. */
const cJSON *lambda_field(const cJSON *obj, const char *name);

/* A string member into *out; STR_NULL when absent or null. APP_ERR_INVALID for
 * another type (*out untouched). */
enum app_err lambda_field_string(const cJSON *obj, const char *name, struct str *out) MUST_CHECK;

/* An optional string member: its value, or STR_NULL when absent, null or of
 * another type (what the event says there is then as good as unsaid). */
struct str lambda_field_optional(const cJSON *obj, const char *name);

/* Adds headers from an object of strings, or of arrays of strings when multi.
 * APP_ERR_INVALID (with *why) for any other shape. */
enum app_err lambda_field_headers(struct request *req, const cJSON *headers, bool multi, const char **why) MUST_CHECK;

/* Rebuilds the raw query string from an object of strings (or of arrays of strings
 * when multi) and sets it. encode: the values arrived decoded (API Gateway), so they
 * are percent-encoded again; otherwise they are used as sent (ALB).
 * APP_ERR_INVALID (with *why) for any other shape. */
enum app_err lambda_field_query(struct request *req, const cJSON *params, bool multi, bool encode,
				const char **why) MUST_CHECK;

/* Sets the body from "body" and "isBase64Encoded": bad base64 is a 400, too big a 413.
 * APP_ERR_INVALID (with *why) when body is not a string or isBase64Encoded not a bool. */
enum app_err lambda_field_body(struct request *req, const cJSON *event, const char **why) MUST_CHECK;

/* The same for a body already read (the exact bytes of a body holding NUL). */
enum app_err lambda_field_body_bytes(struct request *req, const cJSON *event, struct str body,
				     const char **why) MUST_CHECK;

/* The members payload 1.0 and ALB events share: httpMethod (set on req), path
 * (left in *path: decoded or raw is the adapter's call), multiValueHeaders (preferred)
 * or headers, multiValueQueryStringParameters (preferred) or queryStringParameters
 * (encode_query as for lambda_field_query), and the body. *multi tells whether
 * multiValueHeaders came in. APP_ERR_INVALID (with *why) for a malformed member. */
enum app_err lambda_field_v1_members(struct request *req, const cJSON *event, bool encode_query, struct str *path,
				     bool *multi, const char **why) MUST_CHECK;

/* Where the request came from: source_ip (may be null) as remote address; the
 * scheme from X-Forwarded-Proto (default https); the host from the Host header,
 * else domain_name; a host that fails host_is_valid() refuses the request (400).
 * Call after the headers are set. */
void lambda_field_origin(struct request *req, struct str source_ip, struct str domain_name);

/* Strings holding a NUL byte, which cJSON cuts short (it keeps no length). */
struct lambda_json_nul {
	bool elsewhere;  /* a member name or a string other than the top-level "body" holds one */
	struct str body; /* the top-level "body" string as written (escapes and all) when it
			  * holds one, else STR_NULL */
};

/* Scans event text (which cJSON accepted) for strings that decode to a NUL byte:
 * "\u0000" escapes and raw NUL bytes. Never reads past text.n, whatever the text. */
void lambda_json_find_nul(struct str text, struct lambda_json_nul *out);

/* At least the number of values (objects, arrays, strings, numbers, literals)
 * in event text, without building anything: one more than its commas and
 * opening brackets outside strings. Any text, never past text.n. */
size_t lambda_json_count_values(struct str text);

/* Decodes the inside of a JSON string (escapes, surrogate pairs) into exact bytes,
 * NULs kept. APP_ERR_INVALID for a bad escape or an unpaired surrogate. */
enum app_err lambda_json_unescape(struct arena *a, struct str raw, struct str *out) MUST_CHECK;

/* Fills req->context from an event's requestContext: requestId, stage, and the
 * authorizer's claims (HTTP API jwt.claims and jwt.scopes, lambda; REST claims,
 * and the Lambda authorizer's own members such as principalId). Not an object:
 * nothing. */
void lambda_context_fill(struct request *req, const cJSON *context);

/* What lambda_settings_load() read (lambda_event.h); none before it is called. */
struct lambda_settings {
	struct str base_path;         /* "/orders", no trailing '/'; STR_NULL for none */
	const struct str *text_types; /* LAMBDA_TEXT_MIME_TYPES' entries, trimmed */
	size_t n_text_types;
};

const struct lambda_settings *lambda_settings(void);

/* API_BASE_PATH: when req->path is that prefix or starts with it and '/', the prefix
 * moves from path (and raw_path) to the end of root_path. No base path (unset, empty
 * or "/") changes nothing; neither does a refused request. Call after the adapter. */
void lambda_base_path_apply(struct request *req);

/* The response document (arena, NUL-terminated). Bodies that are binary (by media
 * type, or a Content-Encoding), hold NUL bytes or are not UTF-8 go base64. */
struct str lambda_reply_json(struct arena *a, const struct response *resp, struct lambda_reply_style style);

/* The HTTP integration prelude of a streamed answer (payload 2.0 shapes only):
 * {"statusCode":..,"headers":{..},"cookies":[..]}, no body (arena, NUL-terminated). */
struct str lambda_reply_prelude(struct arena *a, const struct response *resp, struct lambda_reply_style style);

#endif
