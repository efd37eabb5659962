/* API Gateway REST API events, and HTTP API events with payload format 1.0.
 *
 * "path" is the resource path without the stage. A REST API passes it as the client
 * sent it, still percent-encoded ("/items/%2B42"), and it is decoded here; an HTTP
 * API (payload "version": "1.0") passes it decoded, so a '%' in it is a literal
 * percent sign ("/users/literal%value"). When the client's path ("requestContext.path":
 * stage or custom-domain base path, then the resource path, in the same form) ends
 * with it, the part before is the root path, so redirects keep the stage.
 * Query values arrive decoded: "multiValueQueryStringParameters" (every value) is
 * preferred over "queryStringParameters" (the last value of each name), and the
 * raw query is rebuilt by encoding them again. "multiValueHeaders" is preferred over
 * "headers" and, when present, the response answers with multiValueHeaders too. */
#include "lambda_events/adapter.h"

#include "core/urlencoding.h"

/* The part of the client's path before the resource path (decoded when encoded is
 * set), or "" when they do not line up or the prefix does not decode. */
static struct str root_path(struct arena *a, const cJSON *context, struct str path, bool encoded)
{
	struct str full;
	if (lambda_field_string(context, "path", &full) != APP_OK || full.n <= path.n)
		return STR_LIT("");
	struct str tail = { full.p + full.n - path.n, path.n };
	if (!str_eq(tail, path) || full.p[0] != '/')
		return STR_LIT("");
	struct str root = { full.p, full.n - path.n }, decoded;
	if (!encoded)
		return root;
	if (percent_decode(a, root, false, &decoded) != APP_OK || str_has_control(decoded))
		return STR_LIT("");
	return decoded;
}

/* HTTP APIs say "version": "1.0"; REST APIs have no version member. */
static bool is_http_api(const cJSON *event)
{
	struct str version;
	return lambda_field_string(event, "version", &version) == APP_OK && str_eq(version, STR_LIT("1.0"));
}

enum app_err lambda_apigw_v1_request(const cJSON *event, struct request *req, struct lambda_reply_style *style,
				     const char **why)
{
	const cJSON *context = lambda_field(event, "requestContext");
	if (context != NULL && !cJSON_IsObject(context)) {
		*why = "Malformed event: requestContext must be an object";
		return APP_ERR_INVALID;
	}
	struct str path;
	bool multi;
	if (lambda_field_v1_members(req, event, true, &path, &multi, why) != APP_OK)
		return APP_ERR_INVALID;
	bool encoded = !is_http_api(event);
	keep_reading(encoded ? request_set_raw_path(req, path) : request_set_decoded_path(req, path));
	req->root_path = root_path(req->arena, context, path, encoded);
	lambda_field_origin(req, lambda_field_optional(lambda_field(context, "identity"), "sourceIp"),
			    lambda_field_optional(context, "domainName"));
	lambda_context_fill(req, context);
	*style = (struct lambda_reply_style){ .multi_value_headers = multi };
	return APP_OK;
}
