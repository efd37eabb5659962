/* HTTP API events with payload format 2.0, and Lambda Function URL events (same shape).
 *
 * "rawQueryString" is as the client sent it and is decoded here. "rawPath" is not
 * raw on an HTTP API: API Gateway has decoded it already, so a '%' in it is a
 * literal percent sign ("/users/literal%value"). A Function URL (domain
 * "*.lambda-url.*") passes rawPath as sent, percent-encoded, and it is decoded here.
 * On a named stage rawPath starts with "/{stage}": that prefix
 * becomes the root path (redirects keep it) and the rest is the path; the
 * "$default" stage and Function URLs have no prefix. Headers arrive one per name,
 * repeated values already comma-joined; "cookies" becomes one Cookie header.
 * The response carries Set-Cookie values in "cookies", everything else in "headers". */
#include "lambda_events/adapter.h"

/* "/prod/items/1" on stage "prod": root "/prod", path "/items/1". */
static void split_stage(const cJSON *context, struct str raw_path, struct str *root, struct str *path)
{
	struct str stage;
	*root = STR_LIT("");
	*path = raw_path;
	if (lambda_field_string(context, "stage", &stage) != APP_OK || stage.n == 0 ||
	    str_eq(stage, STR_LIT("$default")))
		return;
	if (raw_path.n < stage.n + 1 || raw_path.p[0] != '/' || memcmp(raw_path.p + 1, stage.p, stage.n) != 0)
		return;
	struct str rest = { raw_path.p + 1 + stage.n, raw_path.n - 1 - stage.n };
	if (rest.n > 0 && rest.p[0] != '/')
		return;
	*root = (struct str){ raw_path.p, stage.n + 1 };
	*path = rest.n > 0 ? rest : STR_LIT("/");
}

/* "cookies": ["a=1", "b=2"] -> "Cookie: a=1; b=2". APP_ERR_INVALID (with *why)
 * for anything but an array of strings. */
static enum app_err add_cookie_header(struct request *req, const cJSON *cookies, const char **why)
{
	if (cookies == NULL)
		return APP_OK;
	*why = "Malformed event: cookies must be an array of strings";
	if (!cJSON_IsArray(cookies))
		return APP_ERR_INVALID;
	struct buf joined;
	buf_init(&joined, req->arena);
	const cJSON *c;
	cJSON_ArrayForEach(c, cookies) {
		if (!cJSON_IsString(c))
			return APP_ERR_INVALID;
		if (joined.n > 0)
			buf_append(&joined, "; ", 2);
		buf_append_cstr(&joined, c->valuestring);
	}
	if (joined.n > 0)
		keep_reading(request_add_header(req, STR_LIT("cookie"), buf_str(&joined)));
	return APP_OK;
}

/* Function URLs answer on {url-id}.lambda-url.{region}.on.aws. */
static bool is_function_url(const cJSON *context)
{
	struct str domain;
	if (lambda_field_string(context, "domainName", &domain) != APP_OK)
		return false;
	static const char mark[] = ".lambda-url.";
	for (size_t i = 0; i + sizeof mark - 1 <= domain.n; i++)
		if (memcmp(domain.p + i, mark, sizeof mark - 1) == 0)
			return true;
	return false;
}

enum app_err lambda_apigw_v2_request(const cJSON *event, struct request *req, struct lambda_reply_style *style,
				     const char **why)
{
	const cJSON *context = lambda_field(event, "requestContext");
	const cJSON *http = lambda_field(context, "http");
	struct str method, raw_path, raw_query;
	if (!cJSON_IsObject(http) || lambda_field_string(http, "method", &method) != APP_OK || str_is_null(method)) {
		*why = "Malformed event: requestContext.http.method must be a string";
		return APP_ERR_INVALID;
	}
	if (lambda_field_string(event, "rawPath", &raw_path) != APP_OK || str_is_null(raw_path)) {
		*why = "Malformed event: rawPath must be a string";
		return APP_ERR_INVALID;
	}
	if (lambda_field_string(event, "rawQueryString", &raw_query) != APP_OK) {
		*why = "Malformed event: rawQueryString must be a string";
		return APP_ERR_INVALID;
	}
	if (lambda_field_headers(req, lambda_field(event, "headers"), false, why) != APP_OK ||
	    add_cookie_header(req, lambda_field(event, "cookies"), why) != APP_OK ||
	    lambda_field_body(req, event, why) != APP_OK)
		return APP_ERR_INVALID;

	keep_reading(request_set_method(req, method));
	struct str path;
	split_stage(context, raw_path, &req->root_path, &path);
	bool function_url = is_function_url(context);
	keep_reading(function_url ? request_set_raw_path(req, path) : request_set_decoded_path(req, path));
	keep_reading(request_set_query_string(req, str_is_null(raw_query) ? STR_LIT("") : raw_query));
	lambda_field_origin(req, lambda_field_optional(http, "sourceIp"), lambda_field_optional(context, "domainName"));
	lambda_context_fill(req, context);
	*style = (struct lambda_reply_style){ .cookies = true, .function_url = function_url };
	return APP_OK;
}
