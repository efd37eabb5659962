/* API Gateway REST API events, and HTTP API events with payload format 1.0.
 *
 * "path" is the decoded resource path without the stage. When the client's path
 * ("requestContext.path": stage or custom-domain base path, then the resource path)
 * ends with it, the part before is the root path, so redirects keep the stage.
 * Query values arrive decoded: "multiValueQueryStringParameters" (every value) is
 * preferred over "queryStringParameters" (the last value of each name), and the
 * raw query is rebuilt by encoding them again. "multiValueHeaders" is preferred over
 * "headers" and, when present, the response answers with multiValueHeaders too. */
#include "lambda_events/adapter.h"

/* The part of the client's path before the resource path, or "" when they do not line up. */
static struct str root_path(const cJSON *context, struct str path)
{
	struct str full;
	if (lambda_field_string(context, "path", &full) != 1 || full.n <= path.n)
		return STR_LIT("");
	struct str tail = { full.p + full.n - path.n, path.n };
	if (!str_eq(tail, path) || full.p[0] != '/')
		return STR_LIT("");
	return (struct str){ full.p, full.n - path.n };
}

const char *lambda_apigw_v1_request(const cJSON *event, struct request *req, struct lambda_reply_style *style)
{
	const cJSON *context = lambda_field(event, "requestContext");
	if (context != NULL && !cJSON_IsObject(context))
		return "Malformed event: requestContext must be an object";
	struct str path;
	bool multi;
	const char *bad = lambda_field_v1_members(req, event, true, &path, &multi);
	if (bad != NULL)
		return bad;
	keep_reading(request_set_decoded_path(req, path));
	req->root_path = root_path(context, path);
	struct str source_ip = STR_NULL, domain = STR_NULL;
	(void)lambda_field_string(lambda_field(context, "identity"), "sourceIp", &source_ip);
	(void)lambda_field_string(context, "domainName", &domain);
	lambda_field_origin(req, source_ip, domain);
	*style = (struct lambda_reply_style){ .multi_value_headers = multi };
	return NULL;
}
