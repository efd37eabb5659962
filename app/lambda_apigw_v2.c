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
#include "lambda_adapter.h"

#include "buf.h"

/* "/prod/items/1" on stage "prod": root "/prod", path "/items/1". */
static void split_stage(const cJSON *context, struct str raw_path, struct str *root, struct str *path)
{
	struct str stage;
	*root = STR_LIT("");
	*path = raw_path;
	if (lambda_field_string(context, "stage", &stage) != 1 || stage.n == 0 || str_eq(stage, STR_LIT("$default")))
		return;
	if (raw_path.n < stage.n + 1 || raw_path.p[0] != '/' || memcmp(raw_path.p + 1, stage.p, stage.n) != 0)
		return;
	struct str rest = { raw_path.p + 1 + stage.n, raw_path.n - 1 - stage.n };
	if (rest.n > 0 && rest.p[0] != '/')
		return;
	*root = (struct str){ raw_path.p, stage.n + 1 };
	*path = rest.n > 0 ? rest : STR_LIT("/");
}

/* "cookies": ["a=1", "b=2"] -> "Cookie: a=1; b=2". */
static const char *add_cookie_header(struct request *req, const cJSON *cookies)
{
	if (cookies == NULL)
		return NULL;
	if (!cJSON_IsArray(cookies))
		return "Malformed event: cookies must be an array of strings";
	struct buf joined;
	buf_init(&joined, req->arena);
	const cJSON *c;
	cJSON_ArrayForEach(c, cookies) {
		if (!cJSON_IsString(c))
			return "Malformed event: cookies must be an array of strings";
		if (joined.n > 0)
			buf_append(&joined, "; ", 2);
		buf_append_cstr(&joined, c->valuestring);
	}
	if (joined.n > 0) {
		struct str value = buf_str(&joined);
		if (str_is_null(value))
			request_fail(req, 500, "Out of memory");
		else
			request_add_header(req, STR_LIT("cookie"), value);
	}
	return NULL;
}

/* Function URLs answer on {url-id}.lambda-url.{region}.on.aws. */
static bool is_function_url(const cJSON *context)
{
	struct str domain;
	if (lambda_field_string(context, "domainName", &domain) != 1)
		return false;
	static const char mark[] = ".lambda-url.";
	for (size_t i = 0; i + sizeof mark - 1 <= domain.n; i++)
		if (memcmp(domain.p + i, mark, sizeof mark - 1) == 0)
			return true;
	return false;
}

const char *lambda_apigw_v2_request(const cJSON *event, struct request *req, struct lambda_reply_style *style)
{
	const cJSON *context = lambda_field(event, "requestContext");
	const cJSON *http = lambda_field(context, "http");
	struct str method, raw_path, raw_query = STR_LIT("");
	if (!cJSON_IsObject(http) || lambda_field_string(http, "method", &method) != 1)
		return "Malformed event: requestContext.http.method must be a string";
	if (lambda_field_string(event, "rawPath", &raw_path) != 1)
		return "Malformed event: rawPath must be a string";
	if (lambda_field_string(event, "rawQueryString", &raw_query) < 0)
		return "Malformed event: rawQueryString must be a string";

	const char *bad = lambda_field_headers(req, lambda_field(event, "headers"), false);
	if (bad == NULL)
		bad = add_cookie_header(req, lambda_field(event, "cookies"));
	if (bad == NULL)
		bad = lambda_field_body(req, event);
	if (bad != NULL)
		return bad;

	request_set_method(req, method);
	struct str path;
	split_stage(context, raw_path, &req->root_path, &path);
	if (is_function_url(context))
		request_set_raw_path(req, path);
	else
		request_set_decoded_path(req, path);
	request_set_query_string(req, raw_query);
	struct str source_ip = STR_NULL, domain = STR_NULL;
	(void)lambda_field_string(http, "sourceIp", &source_ip);
	(void)lambda_field_string(context, "domainName", &domain);
	lambda_field_origin(req, source_ip, domain);
	lambda_context_fill(req, context);
	*style = (struct lambda_reply_style){ .cookies = true };
	return NULL;
}
