/* Internals shared by the Lambda event adapters (app/lambda_*.c); not for targets.
 * Request side: each adapter reads its event shape with the lambda_field_* helpers
 * into a struct request and says how its answer must be shaped.
 * Response side: lambda_reply_json() shapes a struct response that way. */
#ifndef APP_LAMBDA_ADAPTER_H
#define APP_LAMBDA_ADAPTER_H

#include <cjson/cJSON.h>
#include <stdbool.h>

#include "request.h"
#include "response.h"

/* How the response document must look for the event it answers. */
struct lambda_reply_style {
	bool multi_value_headers;  /* "multiValueHeaders" instead of "headers" (v1, ALB) */
	bool cookies;              /* Set-Cookie values in a "cookies" array (payload 2.0) */
	bool status_description;   /* "statusDescription": "200 OK" (ALB) */
};

/* An adapter fills req from its event (strings may point into the cJSON document,
 * which outlives the request). Returns NULL, or a static sentence saying why the
 * event is malformed (a Lambda error, not an HTTP answer). */
typedef const char *lambda_adapter_fn(const cJSON *event, struct request *req, struct lambda_reply_style *style);

lambda_adapter_fn lambda_apigw_v1_request;
lambda_adapter_fn lambda_apigw_v2_request;
lambda_adapter_fn lambda_alb_request;

/* Looks up a member; JSON null counts as absent. */
const cJSON *lambda_field(const cJSON *obj, const char *name);

/* A string member: 1 and *out set when present, 0 when absent or null, -1 for another type. */
int lambda_field_string(const cJSON *obj, const char *name, struct str *out);

/* Adds headers from an object of strings, or of arrays of strings when multi.
 * Returns NULL or a malformed-event sentence. */
const char *lambda_field_headers(struct request *req, const cJSON *headers, bool multi);

/* Rebuilds the raw query string from an object of strings (or of arrays of strings
 * when multi) and sets it. encode: the values arrived decoded (API Gateway), so they
 * are percent-encoded again; otherwise they are used as sent (ALB).
 * Returns NULL or a malformed-event sentence. */
const char *lambda_field_query(struct request *req, const cJSON *params, bool multi, bool encode);

/* Sets the body from "body" and "isBase64Encoded": bad base64 is a 400, too big a 413.
 * Returns NULL or a malformed-event sentence. */
const char *lambda_field_body(struct request *req, const cJSON *event);

/* The same for a body already read (the exact bytes of a body holding NUL). */
const char *lambda_field_body_bytes(struct request *req, const cJSON *event, struct str body);

/* The members payload 1.0 and ALB events share: httpMethod (set on req), path
 * (left in *path: decoded or raw is the adapter's call), multiValueHeaders (preferred)
 * or headers, multiValueQueryStringParameters (preferred) or queryStringParameters
 * (encode_query as for lambda_field_query), and the body. *multi tells whether
 * multiValueHeaders came in. Returns NULL or a malformed-event sentence. */
const char *lambda_field_v1_members(struct request *req, const cJSON *event, bool encode_query, struct str *path,
				    bool *multi);

/* Where the request came from: source_ip (may be null) as remote address; the
 * scheme from X-Forwarded-Proto (default https); the host from the Host header,
 * else domain_name; a host that fails host_is_valid() is a 400. Call after the
 * headers are set. */
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

/* Decodes the inside of a JSON string (escapes, surrogate pairs) into exact bytes,
 * NULs kept. 0; -1 for a bad escape or an unpaired surrogate; -2 out of memory. */
int lambda_json_unescape(struct arena *a, struct str raw, struct str *out);

/* Fills req->context from an event's requestContext: requestId, stage, and the
 * authorizer's claims (HTTP API jwt.claims and jwt.scopes, lambda; REST claims,
 * and the Lambda authorizer's own members such as principalId). Not an object:
 * nothing. Out of memory: a 500. */
void lambda_context_fill(struct request *req, const cJSON *context);

/* API_BASE_PATH: when req->path is that prefix or starts with it and '/', the prefix
 * moves from path (and raw_path) to the end of root_path. Unset, empty, "/" or a value
 * not starting with '/' changes nothing. Call after the adapter. */
void lambda_base_path_apply(struct request *req);

/* The response document (arena, NUL-terminated); STR_NULL when out of memory.
 * Bodies that are binary, hold NUL bytes or are not UTF-8 go base64. */
struct str lambda_reply_json(struct arena *a, const struct response *resp, struct lambda_reply_style style);

#endif
