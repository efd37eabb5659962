/* Reading the parts every Lambda HTTP event shares: headers, query, body, origin. */
#include "lambda_events/adapter.h"

#include "core/base64.h"
#include "core/urlencoding.h"
#include "http/limits.h"

const cJSON *lambda_field(const cJSON *obj, const char *name)
{
	const cJSON *item = cJSON_GetObjectItemCaseSensitive(obj, name);
	return cJSON_IsNull(item) ? NULL : item;
}

static struct str json_str(const cJSON *item)
{
	return str_c(item->valuestring);
}

enum app_err lambda_field_string(const cJSON *obj, const char *name, struct str *out)
{
	const cJSON *item = lambda_field(obj, name);
	if (item == NULL) {
		*out = STR_NULL;
		return APP_OK;
	}
	if (!cJSON_IsString(item))
		return APP_ERR_INVALID;
	*out = json_str(item);
	return APP_OK;
}

struct str lambda_field_optional(const cJSON *obj, const char *name)
{
	struct str s;
	return lambda_field_string(obj, name, &s) == APP_OK ? s : STR_NULL;
}

/* Calls add for each string value of an object of strings, or of arrays of strings.
 * Returns false when a value has another type. */
static bool each_pair(struct request *req, const cJSON *obj, bool multi,
		      void (*add)(struct request *, struct str, struct str, void *), void *ctx)
{
	const cJSON *item;
	cJSON_ArrayForEach(item, obj) {
		struct str name = str_c(item->string);
		if (!multi) {
			if (!cJSON_IsString(item))
				return false;
			add(req, name, json_str(item), ctx);
			continue;
		}
		if (!cJSON_IsArray(item))
			return false;
		const cJSON *value;
		cJSON_ArrayForEach(value, item) {
			if (!cJSON_IsString(value))
				return false;
			add(req, name, json_str(value), ctx);
		}
	}
	return true;
}

static void add_header(struct request *req, struct str name, struct str value, void *ctx)
{
	(void)ctx;
	keep_reading(request_add_header(req, name, value));
}

enum app_err lambda_field_headers(struct request *req, const cJSON *headers, bool multi, const char **why)
{
	if (headers == NULL)
		return APP_OK;
	if (cJSON_IsObject(headers) && each_pair(req, headers, multi, add_header, NULL))
		return APP_OK;
	*why = multi ? "Malformed event: multiValueHeaders must map names to arrays of strings"
		     : "Malformed event: headers must map names to strings";
	return APP_ERR_INVALID;
}

struct query_builder {
	struct buf raw;
	bool encode;
};

/* Appends name=value, encoded when asked. A query that cannot stay within
 * LIMIT_TARGET_BYTES (encoding never shortens) is built no further: it is cut
 * one byte past the limit, which request_set_query_string() answers with its
 * 414, so a huge event costs no copy, encoded or not, of its query values. */
static void add_query_pair(struct request *req, struct str name, struct str value, void *ctx)
{
	struct query_builder *q = ctx;
	if (q->raw.n > LIMIT_TARGET_BYTES)
		return;
	if (q->raw.n + 1 + name.n + 1 + value.n > LIMIT_TARGET_BYTES) {
		while (q->raw.n <= LIMIT_TARGET_BYTES)
			buf_append_byte(&q->raw, '&');
		return;
	}
	if (q->raw.n > 0)
		buf_append_byte(&q->raw, '&');
	buf_append_str(&q->raw, q->encode ? percent_encode_query(req->arena, name) : name);
	buf_append_byte(&q->raw, '=');
	buf_append_str(&q->raw, q->encode ? percent_encode_query(req->arena, value) : value);
}

enum app_err lambda_field_query(struct request *req, const cJSON *params, bool multi, bool encode,
				const char **why)
{
	if (params == NULL)
		return APP_OK;
	struct query_builder q = { .encode = encode };
	buf_init(&q.raw, req->arena);
	if (!cJSON_IsObject(params) || !each_pair(req, params, multi, add_query_pair, &q)) {
		*why = multi ? "Malformed event: multiValueQueryStringParameters must map names to arrays of strings"
			     : "Malformed event: queryStringParameters must map names to strings";
		return APP_ERR_INVALID;
	}
	keep_reading(request_set_query_string(req, q.raw.n > 0 ? buf_str(&q.raw) : STR_LIT("")));
	return APP_OK;
}

enum app_err lambda_field_body(struct request *req, const cJSON *event, const char **why)
{
	struct str body;
	if (lambda_field_string(event, "body", &body) != APP_OK) {
		*why = "Malformed event: body must be a string or null";
		return APP_ERR_INVALID;
	}
	return lambda_field_body_bytes(req, event, str_is_null(body) ? STR_LIT("") : body, why);
}

enum app_err lambda_field_body_bytes(struct request *req, const cJSON *event, struct str body, const char **why)
{
	const cJSON *b64 = lambda_field(event, "isBase64Encoded");
	if (b64 != NULL && !cJSON_IsBool(b64)) {
		*why = "Malformed event: isBase64Encoded must be true or false";
		return APP_ERR_INVALID;
	}
	struct str decoded;
	if (cJSON_IsTrue(b64) && base64_decode(req->arena, body, &decoded) != APP_OK)
		keep_reading(request_refuse(req, 400, "Invalid base64 in request body"));
	else
		keep_reading(request_set_body(req, cJSON_IsTrue(b64) ? decoded : body));
	return APP_OK;
}

enum app_err lambda_field_v1_members(struct request *req, const cJSON *event, bool encode_query, struct str *path,
				     bool *multi, const char **why)
{
	struct str method;
	if (lambda_field_string(event, "httpMethod", &method) != APP_OK || str_is_null(method)) {
		*why = "Malformed event: httpMethod must be a string";
		return APP_ERR_INVALID;
	}
	if (lambda_field_string(event, "path", path) != APP_OK || str_is_null(*path)) {
		*why = "Malformed event: path must be a string";
		return APP_ERR_INVALID;
	}
	keep_reading(request_set_method(req, method));
	const cJSON *multi_headers = lambda_field(event, "multiValueHeaders");
	const cJSON *multi_query = lambda_field(event, "multiValueQueryStringParameters");
	*multi = multi_headers != NULL;
	enum app_err err = multi_headers ? lambda_field_headers(req, multi_headers, true, why)
					 : lambda_field_headers(req, lambda_field(event, "headers"), false, why);
	if (err == APP_OK)
		err = multi_query ? lambda_field_query(req, multi_query, true, encode_query, why)
				  : lambda_field_query(req, lambda_field(event, "queryStringParameters"), false,
						       encode_query, why);
	return err != APP_OK ? err : lambda_field_body(req, event, why);
}

void lambda_field_origin(struct request *req, struct str source_ip, struct str domain_name)
{
	if (source_ip.n > 0)
		req->remote_addr = source_ip;
	struct str proto = request_header(req, "x-forwarded-proto");
	req->scheme = str_eq_nocase(proto, STR_LIT("http")) ? STR_LIT("http") : STR_LIT("https");
	struct str host = request_header(req, "host");
	if (host.n == 0)
		host = domain_name;
	if (host.n == 0) {
		req->host = STR_LIT("");
		return;
	}
	/* The host goes into a redirect's Location: the one check every target uses. */
	if (!host_is_valid(host)) {
		keep_reading(request_refuse(req, 400, "Invalid host"));
		req->host = STR_LIT("");
		return;
	}
	req->host = host;
}
