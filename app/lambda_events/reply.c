/* A struct response as the document Lambda's HTTP integrations expect back. */
#include "lambda_events/adapter.h"

#include <stdio.h>

#include "core/base64.h"
#include "core/json.h"
#include "core/urlencoding.h"

/* Set-Cookie, in any case. */
static bool is_set_cookie(struct str name)
{
	return str_eq_nocase(name, STR_LIT("Set-Cookie"));
}

/* The headers to send, Content-Length last as the CGI serializer does (a HEAD
 * answer keeps GET's length while its body is empty); none for an answer sent
 * in pieces (http/stream.h: its head goes out before the body is known). */
static bool collect_headers(struct arena *a, const struct response *resp, struct kvlist *out)
{
	for (size_t i = 0; i < resp->headers.n; i++)
		kvlist_add(a, out, resp->headers.items[i].name, resp->headers.items[i].value);
	if (!resp->head_sent)
		kvlist_add(a, out, STR_LIT("Content-Length"), str_c(arena_printf(a, "%zu", resp->body.n)));
	return true;
}

/* True when item i is the first header of its name (names compare case-insensitively). */
static bool first_of_its_name(const struct kvlist *h, size_t i)
{
	for (size_t j = 0; j < i; j++)
		if (str_eq_nocase(h->items[j].name, h->items[i].name))
			return false;
	return true;
}

/* "headers": repeated names joined with ", " (one value per name is all this form holds). */
static bool add_single_headers(struct arena *a, cJSON *doc, const struct kvlist *h, bool skip_cookies)
{
	cJSON *obj = cJSON_AddObjectToObject(doc, "headers");
	if (obj == NULL)
		return false;
	for (size_t i = 0; i < h->n; i++) {
		struct str name = h->items[i].name;
		if ((skip_cookies && is_set_cookie(name)) || !first_of_its_name(h, i))
			continue;
		struct buf joined;
		buf_init(&joined, a);
		for (size_t j = i; j < h->n; j++) {
			if (!str_eq_nocase(h->items[j].name, name))
				continue;
			if (joined.n > 0)
				buf_append(&joined, ", ", 2);
			buf_append_str(&joined, h->items[j].value);
		}
		struct str value = joined.n > 0 ? buf_str(&joined) : STR_LIT("");
		if (cJSON_AddStringToObject(obj, str_dup(a, name), value.p) == NULL)
			return false;
	}
	return true;
}

/* Appends to arr the value of every header from item `from` on that is named `name`. */
static bool add_values(struct arena *a, cJSON *arr, const struct kvlist *h, size_t from, struct str name)
{
	for (size_t j = from; j < h->n; j++) {
		if (!str_eq_nocase(h->items[j].name, name))
			continue;
		const char *v = str_dup(a, h->items[j].value);
		cJSON *s = v ? cJSON_CreateString(v) : NULL;
		if (s == NULL || !cJSON_AddItemToArray(arr, s))
			return false;
	}
	return true;
}

/* "multiValueHeaders": every value of a name in one array, names in first-seen order. */
static bool add_multi_headers(struct arena *a, cJSON *doc, const struct kvlist *h)
{
	cJSON *obj = cJSON_AddObjectToObject(doc, "multiValueHeaders");
	if (obj == NULL)
		return false;
	for (size_t i = 0; i < h->n; i++) {
		if (!first_of_its_name(h, i))
			continue;
		const char *n = str_dup(a, h->items[i].name);
		cJSON *values = n ? cJSON_AddArrayToObject(obj, n) : NULL;
		if (values == NULL || !add_values(a, values, h, i, h->items[i].name))
			return false;
	}
	return true;
}

/* Payload 2.0: Set-Cookie values go in "cookies". */
static bool add_cookies(struct arena *a, cJSON *doc, const struct kvlist *h)
{
	cJSON *arr = cJSON_AddArrayToObject(doc, "cookies");
	return arr != NULL && add_values(a, arr, h, 0, STR_LIT("Set-Cookie"));
}

/* s ends with suffix, ASCII case-insensitively. */
static bool ends_with_nocase(struct str s, const char *suffix)
{
	size_t n = strlen(suffix);
	return s.n >= n && str_eq_nocase((struct str){ s.p + s.n - n, n }, (struct str){ suffix, n });
}

/* "type/sub" (with a star for any sub) matches the media type. */
static bool type_matches(struct str type, struct str pattern)
{
	if (pattern.n >= 2 && pattern.p[pattern.n - 1] == '*' && pattern.p[pattern.n - 2] == '/')
		return type.n >= pattern.n - 1 && str_eq_nocase((struct str){ type.p, pattern.n - 1 },
								(struct str){ pattern.p, pattern.n - 1 });
	return str_eq_nocase(type, pattern);
}

/* The media type of a Content-Type value: before any ';', without whitespace. */
static struct str media_type(struct str content_type)
{
	return str_trim(str_split(&content_type, ';'));
}

/* One of LAMBDA_TEXT_MIME_TYPES (as lambda_settings_load() read it at start). */
static bool listed_as_text(struct str type)
{
	const struct lambda_settings *s = lambda_settings();
	for (size_t i = 0; i < s->n_text_types; i++)
		if (type_matches(type, s->text_types[i]))
			return true;
	return false;
}

/* Text media types (Mangum's text_mime_types, widened): every text type, JSON and
 * XML of any kind (+json, +xml), JavaScript, YAML, and LAMBDA_TEXT_MIME_TYPES. */
static bool is_text_type(struct str content_type)
{
	struct str type = media_type(content_type);
	static const char *const text[] = { "text/*", "application/json", "application/xml",
					    "application/javascript", "application/yaml" };
	for (size_t i = 0; i < sizeof text / sizeof text[0]; i++)
		if (type_matches(type, str_c(text[i])))
			return true;
	return ends_with_nocase(type, "+json") || ends_with_nocase(type, "+xml") || listed_as_text(type);
}

/* Whether the body must go base64: no Content-Type, a media type that is not text,
 * or a Content-Encoding (gzip, br: compressed bytes are binary whatever the type). */
static bool is_binary(const struct response *resp)
{
	struct str encoding = response_header(resp, "Content-Encoding");
	if (encoding.n > 0 && !str_eq_nocase(media_type(encoding), STR_LIT("identity")))
		return true;
	struct str type = response_header(resp, "Content-Type");
	return str_is_null(type) || !is_text_type(type);
}

/* Text goes as a JSON string; anything a JSON string cannot carry byte for byte goes base64. */
static bool add_body(struct arena *a, cJSON *doc, const struct response *resp)
{
	struct str body = resp->omit_body ? STR_LIT("") : resp->body;
	bool base64 = body.n > 0 && (is_binary(resp) || str_has_byte(body, '\0') ||
				     utf8_sanitize(a, body).p != body.p);
	const char *text = base64 ? base64_encode(a, body).p : str_dup(a, body);
	return cJSON_AddStringToObject(doc, "body", text) != NULL &&
	       cJSON_AddBoolToObject(doc, "isBase64Encoded", base64) != NULL;
}

static bool add_status(struct arena *a, cJSON *doc, const struct response *resp, bool description)
{
	if (cJSON_AddNumberToObject(doc, "statusCode", resp->status) == NULL)
		return false;
	if (!description)
		return true;
	const char *reason = http_reason(resp->status);
	const char *line = arena_printf(a, "%d%s%s", resp->status, *reason ? " " : "", reason);
	return cJSON_AddStringToObject(doc, "statusDescription", line) != NULL;
}

struct str lambda_reply_json(struct arena *a, const struct response *resp, struct lambda_reply_style style)
{
	struct kvlist headers = { 0 };
	cJSON *doc = cJSON_CreateObject();
	bool ok = doc != NULL && collect_headers(a, resp, &headers) &&
		  add_status(a, doc, resp, style.status_description) &&
		  (style.multi_value_headers ? add_multi_headers(a, doc, &headers)
					     : add_single_headers(a, doc, &headers, style.cookies)) &&
		  (!style.cookies || add_cookies(a, doc, &headers)) && add_body(a, doc, resp);
	/* Anything cJSON could not build is out of memory: json_print ends the request. */
	struct str out = json_print(a, ok ? doc : NULL);
	cJSON_Delete(doc);
	return out;
}

/* The streaming prelude: the document without its body; the body goes raw after it. */
struct str lambda_reply_prelude(struct arena *a, const struct response *resp, struct lambda_reply_style style)
{
	struct kvlist headers = { 0 };
	cJSON *doc = cJSON_CreateObject();
	bool ok = doc != NULL && collect_headers(a, resp, &headers) && add_status(a, doc, resp, false) &&
		  add_single_headers(a, doc, &headers, style.cookies) && (!style.cookies || add_cookies(a, doc, &headers));
	struct str out = json_print(a, ok ? doc : NULL);
	cJSON_Delete(doc);
	return out;
}
