#include "core/urlencoding.h"

#include <stdint.h>

enum app_err percent_decode(struct arena *a, struct str in, bool plus_is_space, struct str *out)
{
	char *dst = arena_alloc(a, in.n + 1);
	size_t n = 0;
	for (size_t i = 0; i < in.n; i++) {
		unsigned char c = (unsigned char)in.p[i];
		if (c == '%') {
			if (in.n - i < 3)
				return APP_ERR_INVALID;
			int hi = hex_digit_value(in.p[i + 1]);
			int lo = hex_digit_value(in.p[i + 2]);
			if (hi < 0 || lo < 0)
				return APP_ERR_INVALID;
			dst[n++] = (char)(hi * 16 + lo);
			i += 2;
		} else if (c == '+' && plus_is_space) {
			dst[n++] = ' ';
		} else {
			dst[n++] = (char)c;
		}
	}
	dst[n] = '\0';
	*out = (struct str){ dst, n };
	return APP_OK;
}

static enum app_err decode_component(struct arena *a, struct str raw, struct str *out)
{
	struct str bytes;
	enum app_err err = percent_decode(a, raw, true, &bytes);
	if (err == APP_OK)
		*out = utf8_sanitize(a, bytes);
	return err;
}

enum app_err query_parse(struct arena *a, struct str qs, struct kvlist *out)
{
	for (struct str rest = qs; !str_is_null(rest);) {
		struct str pair = str_split(&rest, '&');
		if (pair.n == 0)
			continue;
		struct str raw_value = pair;
		struct str raw_name = str_split(&raw_value, '=');
		if (str_is_null(raw_value))
			raw_value = STR_LIT("");
		struct str name, value;
		enum app_err err = decode_component(a, raw_name, &name);
		if (err == APP_OK)
			err = decode_component(a, raw_value, &value);
		if (err != APP_OK)
			return err;
		kvlist_add(a, out, name, value);
	}
	return APP_OK;
}

/* RFC 3986 unreserved: never escaped. */
static bool unreserved(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '.' ||
	       c == '_' || c == '~';
}

/* What a path keeps besides unreserved: "/!$&'()*+,;=:@". */
static bool path_keeps(unsigned char c)
{
	switch (c) {
	case '/': case '!': case '$': case '&': case '\'': case '(': case ')': case '*': case '+':
	case ',': case ';': case '=': case ':': case '@':
		return true;
	default:
		return unreserved(c);
	}
}

/* What a URL's query keeps besides unreserved: ":/%#?=@[]!$&'()*+,;". */
static bool url_query_keeps(unsigned char c)
{
	switch (c) {
	case '%': case '#': case '?': case '[': case ']':
		return true;
	default:
		return path_keeps(c);
	}
}

/* Every byte but the unreserved escaped (a form's space as '+'). */
static bool query_keeps(unsigned char c)
{
	return unreserved(c);
}

/* s with the bytes keep() refuses written %XX (upper-case hex), a space as '+'
 * when space_as_plus; NUL-terminated in the arena. Two passes: the length
 * first, then the bytes into one allocation of exactly that size. */
static struct str percent_encode(struct arena *a, struct str s, bool (*keep)(unsigned char), bool space_as_plus)
{
	static const char hex[] = "0123456789ABCDEF";
	size_t escaped = 0;
	for (size_t i = 0; i < s.n; i++) {
		unsigned char c = (unsigned char)s.p[i];
		escaped += !keep(c) && !(c == ' ' && space_as_plus);
	}
	if (s.n > (SIZE_MAX - 1) / 3)
		arena_exhausted(a);
	size_t n = s.n + 2 * escaped;
	char *out = arena_alloc(a, n + 1), *o = out;
	for (size_t i = 0; i < s.n; i++) {
		unsigned char c = (unsigned char)s.p[i];
		if (keep(c)) {
			*o++ = (char)c;
		} else if (c == ' ' && space_as_plus) {
			*o++ = '+';
		} else {
			*o++ = '%';
			*o++ = hex[c >> 4];
			*o++ = hex[c & 15];
		}
	}
	*o = '\0';
	return (struct str){ out, n };
}

struct str percent_encode_path(struct arena *a, struct str path)
{
	return percent_encode(a, path, path_keeps, false);
}

struct str percent_encode_url_query(struct arena *a, struct str raw)
{
	return percent_encode(a, raw, url_query_keeps, false);
}

struct str percent_encode_query(struct arena *a, struct str s)
{
	return percent_encode(a, s, query_keeps, true);
}
