/* CORS answers, as Starlette's CORSMiddleware gives them (0.26,
 * starlette/middleware/cors.py), from the settings cors_load() checked. */
#include "http/cors_settings.h"

#include "http/encoding.h"

static const char *const all_methods[] = { "DELETE", "GET", "HEAD", "OPTIONS", "PATCH", "POST", "PUT" };

bool cors_enabled(void)
{
	return cors_config.enabled;
}

/* An exact match in the list (Starlette: `origin in allow_origins`), or *. */
static bool origin_allowed(struct str origin)
{
	if (cors_config.origins.all)
		return true;
	for (size_t i = 0; i < cors_config.origins.n; i++)
		if (str_eq(origin, cors_config.origins.items[i]))
			return true;
	return false;
}

/* Case-sensitive, as Starlette's `requested_method not in allow_methods`. */
static bool method_allowed(struct str method)
{
	if (cors_config.methods.all) {
		for (size_t i = 0; i < sizeof all_methods / sizeof all_methods[0]; i++)
			if (str_eq(method, str_c(all_methods[i])))
				return true;
		return false;
	}
	for (size_t i = 0; i < cors_config.methods.n; i++)
		if (str_eq(method, cors_config.methods.items[i]))
			return true;
	return false;
}

/* Every comma-separated name (trimmed; an empty one too) must be allowed,
 * case-insensitively. Stops at the first refused one: at most
 * (names x CORS_LIST_MAX + 4) comparisons. */
static bool headers_allowed(struct str requested)
{
	if (str_is_null(requested) || cors_config.headers.all)
		return true;
	for (struct str rest = requested; !str_is_null(rest);) {
		struct str name = str_trim(str_split(&rest, ','));
		bool ok = false;
		for (size_t i = 0; i < cors_config.allowed_header_count && !ok; i++)
			ok = str_eq_nocase(name, cors_config.allowed_headers[i]);
		if (!ok)
			return false;
	}
	return true;
}

/* The 400 Starlette gives, naming the failures in its order; no CORS headers. */
static void refuse_preflight(struct response *resp, bool origin, bool method, bool headers)
{
	struct buf text;
	buf_init(&text, resp->arena);
	buf_append_cstr(&text, "Disallowed CORS");
	const char *sep = " ";
	if (!origin) {
		buf_append_cstr(&text, sep);
		buf_append_cstr(&text, "origin");
		sep = ", ";
	}
	if (!method) {
		buf_append_cstr(&text, sep);
		buf_append_cstr(&text, "method");
		sep = ", ";
	}
	if (!headers) {
		buf_append_cstr(&text, sep);
		buf_append_cstr(&text, "headers");
	}
	response_set_body(resp, 400, "text/plain; charset=utf-8", buf_str(&text));
}

bool cors_preflight(const struct request *req, struct response *resp)
{
	if (!cors_config.enabled) /* off (the default): no header looked up */
		return false;
	struct str origin = request_header(req, "origin");
	struct str method = request_header(req, "access-control-request-method");
	if (str_is_null(origin) || str_is_null(method) ||
	    !str_eq(req->method, STR_LIT("OPTIONS")))
		return false;
	struct str requested = request_header(req, "access-control-request-headers");
	bool origin_ok = origin_allowed(origin), method_ok = method_allowed(method);
	bool headers_ok = headers_allowed(requested);
	if (!origin_ok || !method_ok || !headers_ok) {
		refuse_preflight(resp, origin_ok, method_ok, headers_ok);
		return true;
	}
	response_set_body(resp, 200, "text/plain; charset=utf-8", STR_LIT("OK"));
	bool explicit = !cors_config.origins.all || cors_config.credentials;
	if (explicit)
		response_add_vary(resp, "Origin");
	response_add_header(resp, "Access-Control-Allow-Origin", explicit ? origin : STR_LIT("*"));
	response_add_header(resp, "Access-Control-Allow-Methods", str_c(cors_config.allow_methods));
	response_add_header(resp, "Access-Control-Max-Age", str_c(cors_config.max_age_text));
	if (cors_config.headers.all && !str_is_null(requested))
		response_add_header(resp, "Access-Control-Allow-Headers", requested);
	else if (!cors_config.headers.all)
		response_add_header(resp, "Access-Control-Allow-Headers", str_c(cors_config.allow_headers));
	if (cors_config.credentials)
		response_add_header(resp, "Access-Control-Allow-Credentials", STR_LIT("true"));
	return true;
}

void cors_finish(const struct request *req, struct response *resp)
{
	if (!cors_config.enabled)
		return;
	struct str origin = request_header(req, "origin");
	if (str_is_null(origin))
		return;
	bool all = cors_config.origins.all;
	bool echo = all ? !str_is_null(request_header(req, "cookie")) : origin_allowed(origin);
	if (echo)
		response_add_header(resp, "Access-Control-Allow-Origin", origin);
	else if (all)
		response_add_header(resp, "Access-Control-Allow-Origin", STR_LIT("*"));
	if (cors_config.credentials)
		response_add_header(resp, "Access-Control-Allow-Credentials", STR_LIT("true"));
	if (cors_config.expose_headers[0] != '\0')
		response_add_header(resp, "Access-Control-Expose-Headers", str_c(cors_config.expose_headers));
	if (echo)
		response_add_vary(resp, "Origin");
}
