#include "request.h"

#include <stdio.h>

#include "input_limits.h"
#include "urlencoding.h"

void request_init(struct request *r, struct arena *a, const char *target)
{
	*r = (struct request){
		.arena = a,
		.target = target,
		.method = STR_LIT("GET"),
		.raw_path = STR_LIT("/"),
		.path = STR_LIT("/"),
		.root_path = STR_LIT(""),
		.raw_query = STR_LIT(""),
		.body = STR_LIT(""),
		.remote_addr = STR_LIT(""),
		.scheme = STR_LIT("http"),
		.host = STR_LIT(""),
	};
}

void request_fail(struct request *r, int status, const char *detail)
{
	if (r->error_status == 0) {
		r->error_status = status;
		r->error_detail = detail;
	}
}

/* RFC 9110 token characters. */
static bool is_tchar(unsigned char c)
{
	if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'))
		return true;
	return c != '\0' && strchr("!#$%&'*+-.^_`|~", c) != NULL;
}

void request_set_method(struct request *r, struct str method)
{
	if (method.n == 0 || method.n > 32) {
		request_fail(r, 400, "Invalid request method");
		return;
	}
	for (size_t i = 0; i < method.n; i++) {
		if (!is_tchar((unsigned char)method.p[i])) {
			request_fail(r, 400, "Invalid request method");
			return;
		}
	}
	r->method = method;
}

static bool target_too_long(struct request *r, size_t n)
{
	if (n > LIMIT_TARGET_BYTES) {
		request_fail(r, 414, "Request URI too long (limit 65536 bytes)");
		return true;
	}
	return false;
}

/* Validates a decoded path and stores it; raw_path is the caller's business. */
static void set_path(struct request *r, struct str path)
{
	if (target_too_long(r, path.n))
		return;
	if (str_has_byte(path, '\0')) {
		request_fail(r, 400, "Invalid path: contains a NUL byte");
		return;
	}
	if (path.n == 0 || path.p[0] != '/') {
		request_fail(r, 400, "Invalid path: must start with '/'");
		return;
	}
	struct str clean = utf8_sanitize(r->arena, path);
	if (clean.p == NULL) {
		request_fail(r, 500, "Out of memory");
		return;
	}
	r->path = clean;
}

void request_set_decoded_path(struct request *r, struct str path)
{
	set_path(r, path);
	if (r->error_status == 0)
		r->raw_path = percent_encode_path(r->arena, r->path);
}

void request_set_raw_path(struct request *r, struct str raw)
{
	if (target_too_long(r, raw.n))
		return;
	struct str decoded;
	int rc = percent_decode(r->arena, raw, false, &decoded);
	if (rc == -1) {
		request_fail(r, 400, "Invalid percent-encoding in path");
		return;
	}
	if (rc != 0) {
		request_fail(r, 500, "Out of memory");
		return;
	}
	r->raw_path = raw;
	set_path(r, decoded);
}

void request_set_query_string(struct request *r, struct str raw)
{
	if (target_too_long(r, raw.n))
		return;
	if (str_has_byte(raw, '\0')) {
		request_fail(r, 400, "Invalid query string: contains a NUL byte");
		return;
	}
	/* No URL carries control bytes (RFC 3986); a raw CR or LF would also reach
	 * the Location of a redirect, which repeats the query as received. */
	if (str_has_control(raw)) {
		request_fail(r, 400, "Invalid query string: contains a control character");
		return;
	}
	r->raw_query = raw;
	r->query.n = 0;
	int rc = query_parse(r->arena, raw, &r->query);
	if (rc == -1)
		request_fail(r, 400, "Invalid percent-encoding in query string");
	else if (rc != 0)
		request_fail(r, 500, "Out of memory");
	/* %00 decodes to a NUL that no handler can echo faithfully: refuse it. */
	for (size_t i = 0; rc == 0 && i < r->query.n; i++) {
		if (str_has_byte(r->query.items[i].name, '\0') || str_has_byte(r->query.items[i].value, '\0')) {
			request_fail(r, 400, "Invalid query string: contains a NUL byte");
			break;
		}
	}
}

void request_fail_body_too_large(struct request *r)
{
	char msg[96];
	snprintf(msg, sizeof msg, "Request body too large (limit %lu bytes)", limit_body_bytes());
	const char *copy = arena_strndup(r->arena, msg, strlen(msg));
	request_fail(r, 413, copy ? copy : "Request body too large");
}

void request_set_body(struct request *r, struct str body)
{
	if (body.n > limit_body_bytes()) {
		request_fail_body_too_large(r);
		return;
	}
	r->body = body;
}

static bool is_cookie_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f';
}

static struct str trim(struct str s)
{
	while (s.n > 0 && is_cookie_space(s.p[0])) {
		s.p++;
		s.n--;
	}
	while (s.n > 0 && is_cookie_space(s.p[s.n - 1]))
		s.n--;
	return s;
}

/* Starlette's cookie_parser: split on ';', then on the first '=', trim, drop empty chunks,
 * and take double quotes off a quoted value. */
static void parse_cookies(struct request *r, struct str header)
{
	size_t start = 0;
	while (start <= header.n) {
		const char *semi = start < header.n ? memchr(header.p + start, ';', header.n - start) : NULL;
		size_t end = semi ? (size_t)(semi - header.p) : header.n;
		struct str chunk = { header.p + start, end - start };
		const char *eq = chunk.n ? memchr(chunk.p, '=', chunk.n) : NULL;
		struct str name = eq ? (struct str){ chunk.p, (size_t)(eq - chunk.p) } : STR_LIT("");
		struct str value = eq ? (struct str){ eq + 1, chunk.n - name.n - 1 } : chunk;
		name = trim(name);
		value = trim(value);
		if (value.n >= 2 && value.p[0] == '"' && value.p[value.n - 1] == '"') {
			value.p++;
			value.n -= 2;
		}
		if ((name.n > 0 || value.n > 0) && kvlist_add(r->arena, &r->cookies, name, value) != 0)
			request_fail(r, 500, "Out of memory");
		start = end + 1;
	}
}

/* NUL, CR or LF: forbidden in a header field (HTAB is allowed in values). */
static bool breaks_field(struct str s)
{
	return str_has_byte(s, '\0') || str_has_byte(s, '\r') || str_has_byte(s, '\n');
}

void request_add_header(struct request *r, struct str name, struct str value)
{
	if (r->headers.n >= LIMIT_HEADER_COUNT) {
		request_fail(r, 431, "Too many request headers");
		return;
	}
	r->header_bytes += name.n + value.n;
	if (r->header_bytes > LIMIT_HEADER_BYTES) {
		request_fail(r, 431, "Request headers too large");
		return;
	}
	/* RFC 9110 5.5: no NUL, CR or LF in a field. A CR or LF could also end a
	 * header we echo (the Host in a redirect's Location) and start another. */
	if (name.n == 0 || breaks_field(name) || breaks_field(value)) {
		request_fail(r, 400, "Invalid request header");
		return;
	}
	char *lower = arena_strndup(r->arena, name.p, name.n);
	if (lower == NULL || kvlist_add(r->arena, &r->headers, (struct str){ lower, name.n }, value) != 0) {
		request_fail(r, 500, "Out of memory");
		return;
	}
	for (size_t i = 0; i < name.n; i++)
		if (lower[i] >= 'A' && lower[i] <= 'Z')
			lower[i] = (char)(lower[i] - 'A' + 'a');
	if (str_eq(STR_LIT("cookie"), (struct str){ lower, name.n }))
		parse_cookies(r, value);
}

struct str request_header(const struct request *r, const char *name)
{
	return kvlist_get_nocase(&r->headers, str_c(name));
}

struct str request_query(const struct request *r, const char *name)
{
	return kvlist_get_last(&r->query, str_c(name));
}
