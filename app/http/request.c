#include "http/request.h"

#include <stdint.h>

#include "core/urlencoding.h"
#include "http/limits.h"

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
		.peer_addr = STR_LIT(""),
		.request_id = STR_LIT(""),
		.scheme = STR_LIT("http"),
		.host = STR_LIT(""),
	};
}

enum app_err request_refuse(struct request *r, int status, const char *detail)
{
	if (r->error_status == 0) {
		r->error_status = status;
		r->error_detail = detail;
	}
	return APP_ERR_REFUSED;
}

enum app_err request_set_front_error(struct request *r, int status, const char *detail)
{
	r->error_status = status;
	r->error_detail = detail;
	r->front_error = true;
	return APP_ERR_REFUSED;
}

/* Each byte's classes, a bit per class: BYTE_TCHAR RFC 9110 tchar (letters,
 * digits, "!#$%&'*+-.^_`|~"); BYTE_HOST RFC 3986 unreserved, sub-delims, ':',
 * '%', '[' and ']'. A table: one load per byte of a method or a host.
 * tests/unit/request_test.c checks every byte against the lists. */
enum { BYTE_TCHAR = 1, BYTE_HOST = 2 };
static const unsigned char byte_class[256] = {
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, /* 0x00 */
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, /* 0x10 */
	0, 3, 0, 1, 3, 3, 3, 3, 2, 2, 3, 3, 2, 3, 3, 0, /* 0x20 */
	3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 2, 2, 0, 2, 0, 0, /* 0x30 */
	0, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, /* 0x40 */
	3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 2, 0, 2, 1, 3, /* 0x50 */
	1, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, /* 0x60 */
	3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 0, 1, 0, 3, 0, /* 0x70 */
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, /* 0x80 */
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, /* 0x90 */
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, /* 0xa0 */
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, /* 0xb0 */
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, /* 0xc0 */
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, /* 0xd0 */
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, /* 0xe0 */
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, /* 0xf0 */
};

static bool is_tchar(unsigned char c)
{
	return byte_class[c] & BYTE_TCHAR;
}

bool is_http_token(struct str s)
{
	for (size_t i = 0; i < s.n; i++)
		if (!is_tchar((unsigned char)s.p[i]))
			return false;
	return s.n > 0;
}

enum app_err request_set_method(struct request *r, struct str method)
{
	if (method.n > 32 || !is_http_token(method))
		return request_refuse(r, 400, "Invalid request method");
	r->method = method;
	return APP_OK;
}

static enum app_err check_target_length(struct request *r, size_t n)
{
	if (n > LIMIT_TARGET_BYTES)
		return request_refuse(r, 414, "Request URI too long (limit 65536 bytes)");
	return APP_OK;
}

/* Validates a decoded path and stores it; raw_path is the caller's business. */
static enum app_err set_path(struct request *r, struct str path)
{
	if (check_target_length(r, path.n) != APP_OK)
		return APP_ERR_REFUSED;
	if (str_has_byte(path, '\0'))
		return request_refuse(r, 400, "Invalid path: contains a NUL byte");
	if (path.n == 0 || path.p[0] != '/')
		return request_refuse(r, 400, "Invalid path: must start with '/'");
	r->path = utf8_sanitize(r->arena, path);
	return APP_OK;
}

enum app_err request_set_decoded_path(struct request *r, struct str path)
{
	if (set_path(r, path) != APP_OK)
		return APP_ERR_REFUSED;
	r->raw_path = percent_encode_path(r->arena, r->path);
	return APP_OK;
}

enum app_err request_set_raw_path(struct request *r, struct str raw)
{
	if (check_target_length(r, raw.n) != APP_OK)
		return APP_ERR_REFUSED;
	struct str decoded;
	if (percent_decode(r->arena, raw, false, &decoded) != APP_OK)
		return request_refuse(r, 400, "Invalid percent-encoding in path");
	r->raw_path = raw;
	return set_path(r, decoded);
}

enum app_err request_check_raw_path(struct request *r, struct str raw)
{
	if (check_target_length(r, raw.n) != APP_OK)
		return APP_ERR_REFUSED;
	struct str decoded = raw; /* without a '%' decoding changes nothing: no copy */
	if (raw.n > 0 && memchr(raw.p, '%', raw.n) != NULL && percent_decode(r->arena, raw, false, &decoded) != APP_OK)
		return request_refuse(r, 400, "Invalid percent-encoding in path");
	if (str_has_byte(decoded, '\0'))
		return request_refuse(r, 400, "Invalid path: contains a NUL byte");
	return APP_OK;
}

enum app_err request_set_query_string(struct request *r, struct str raw)
{
	if (check_target_length(r, raw.n) != APP_OK)
		return APP_ERR_REFUSED;
	/* No URL carries control bytes (RFC 3986); a raw CR or LF would also reach
	 * the Location of a redirect, which repeats the query as received. A NUL
	 * (a control byte too) has its own message. */
	if (str_has_control(raw))
		return request_refuse(r, 400, str_has_byte(raw, '\0') ? "Invalid query string: contains a NUL byte"
								: "Invalid query string: contains a control character");
	r->raw_query = raw;
	r->query.n = 0;
	if (query_parse(r->arena, raw, &r->query) != APP_OK)
		return request_refuse(r, 400, "Invalid percent-encoding in query string");
	/* %00 decodes to a NUL that no handler can echo faithfully: refuse it.
	 * Without a '%' no decoded byte is a NUL (the raw ones were refused above). */
	size_t checked = str_has_byte(raw, '%') ? r->query.n : 0;
	for (size_t i = 0; i < checked; i++)
		if (str_has_byte(r->query.items[i].name, '\0') || str_has_byte(r->query.items[i].value, '\0'))
			return request_refuse(r, 400, "Invalid query string: contains a NUL byte");
	return APP_OK;
}

enum app_err request_refuse_body_too_large(struct request *r)
{
	return request_refuse(r, 413,
			      arena_printf(r->arena, "Request body too large (limit %zu bytes)", limit_body_bytes()));
}

enum app_err request_set_body(struct request *r, struct str body)
{
	if (body.n > limit_body_bytes())
		return request_refuse_body_too_large(r);
	r->body = body;
	return APP_OK;
}

/* Starlette's cookie_parser: split on ';', then on the first '=', trim, drop empty chunks,
 * and take double quotes off a quoted value. */
static void parse_cookies(struct request *r, struct str header)
{
	for (struct str rest = header; !str_is_null(rest);) {
		struct str chunk = str_split(&rest, ';');
		struct str value = chunk;
		struct str name = str_split(&value, '=');
		if (str_is_null(value)) {
			value = chunk;
			name = STR_LIT("");
		}
		name = str_trim(name);
		value = str_trim(value);
		if (value.n >= 2 && value.p[0] == '"' && value.p[value.n - 1] == '"') {
			value.p++;
			value.n -= 2;
		}
		if (name.n > 0 || value.n > 0)
			kvlist_add(r->arena, &r->cookies, name, value);
	}
}

/* NUL, CR or LF: forbidden in a header field (HTAB is allowed in values). One
 * pass: fields are short, and three memchr calls cost more than the bytes.
 * All three are below 0x0e: eight bytes at a time are cleared by one test for
 * a byte below 0x0e (the classic "has less" word trick), and only a word that
 * has one, and the last bytes, are looked at byte by byte. */
static bool breaks_field(struct str s)
{
	const uint64_t ones = 0x0101010101010101u, highs = 0x8080808080808080u;
	size_t i = 0;
	for (; i + 8 <= s.n; i += 8) {
		uint64_t w;
		memcpy(&w, s.p + i, 8);
		if (((w - ones * 0x0e) & ~w & highs) == 0)
			continue; /* no byte below 0x0e in these eight */
		for (size_t k = i; k < i + 8; k++)
			if (s.p[k] == '\0' || s.p[k] == '\r' || s.p[k] == '\n')
				return true;
	}
	for (; i < s.n; i++)
		if (s.p[i] == '\0' || s.p[i] == '\r' || s.p[i] == '\n')
			return true;
	return false;
}

/* The limits, in request_add_header's order: the count, then the bytes. */
static enum app_err check_header_limits(struct request *r, struct str name, struct str value)
{
	if (r->headers.n >= LIMIT_HEADER_COUNT)
		return request_refuse(r, 431, "Too many request headers");
	r->header_bytes += name.n + value.n;
	if (r->header_bytes > LIMIT_HEADER_BYTES)
		return request_refuse(r, 431, "Request headers too large");
	return APP_OK;
}

/* Stores a checked header; a cookie header also fills r->cookies. */
static void keep_header(struct request *r, struct str lname, struct str value)
{
	kvlist_add(r->arena, &r->headers, lname, value);
	if (lname.n == 6 && memcmp(lname.p, "cookie", 6) == 0)
		parse_cookies(r, value);
}

enum app_err request_add_header(struct request *r, struct str name, struct str value)
{
	if (check_header_limits(r, name, value) != APP_OK)
		return APP_ERR_REFUSED;
	/* RFC 9110 5.5: no NUL, CR or LF in a field. A CR or LF could also end a
	 * header we echo (the Host in a redirect's Location) and start another. */
	if (name.n == 0 || breaks_field(name) || breaks_field(value))
		return request_refuse(r, 400, "Invalid request header");
	/* Names are kept lower-case; one already so is kept as it is, like the
	 * value: both must live as long as the request. */
	struct str lname = name;
	size_t first_upper = 0;
	while (first_upper < name.n && !(name.p[first_upper] >= 'A' && name.p[first_upper] <= 'Z'))
		first_upper++;
	if (first_upper < name.n) {
		char *lower = arena_strndup(r->arena, name.p, name.n);
		for (size_t i = first_upper; i < name.n; i++)
			if (lower[i] >= 'A' && lower[i] <= 'Z')
				lower[i] = (char)(lower[i] - 'A' + 'a');
		lname.p = lower;
	}
	keep_header(r, lname, value);
	return APP_OK;
}

enum app_err request_add_lower_header(struct request *r, struct str lname, struct str value)
{
	if (check_header_limits(r, lname, value) != APP_OK)
		return APP_ERR_REFUSED;
	if (breaks_field(value))
		return request_refuse(r, 400, "Invalid request header");
	keep_header(r, lname, value);
	return APP_OK;
}

bool host_is_valid(struct str host)
{
	if (host.n == 0 || host.n > 300)
		return false;
	for (size_t i = 0; i < host.n; i++)
		if (!(byte_class[(unsigned char)host.p[i]] & BYTE_HOST))
			return false;
	return true;
}

/* Whether s has an ASCII upper-case letter. */
static bool has_upper(struct str s)
{
	for (size_t i = 0; i < s.n; i++)
		if (s.p[i] >= 'A' && s.p[i] <= 'Z')
			return true;
	return false;
}

struct str request_header(const struct request *r, const char *name)
{
	struct str key = str_c(name);
	for (size_t i = 0; i < r->headers.n; i++) {
		const struct kv *h = &r->headers.items[i];
		/* The length first: no call for most. Stored names are lower-case
		 * (request_add_header): for a lower-case name (every caller's) the
		 * exact comparison decides, a name with capitals is compared ignoring case. */
		if (h->name.n == key.n &&
		    (memcmp(h->name.p, key.p, key.n) == 0 || (has_upper(key) && str_eq_nocase(h->name, key))))
			return h->value;
	}
	return STR_NULL;
}

struct str request_query(const struct request *r, const char *name)
{
	return kvlist_get_last(&r->query, str_c(name));
}
