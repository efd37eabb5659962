#include "core/urlencoding.h"

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

static struct str percent_encode(struct arena *a, struct str s, const char *keep, bool space_as_plus)
{
	static const char hex[] = "0123456789ABCDEF";
	struct buf b;
	buf_init(&b, a);
	for (size_t i = 0; i < s.n; i++) {
		unsigned char c = (unsigned char)s.p[i];
		bool unreserved = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
				  c == '-' || c == '.' || c == '_' || c == '~';
		if (unreserved || (c != '\0' && strchr(keep, c) != NULL)) {
			buf_append_byte(&b, (char)c);
		} else if (c == ' ' && space_as_plus) {
			buf_append_byte(&b, '+');
		} else {
			char esc[3] = { '%', hex[c >> 4], hex[c & 15] };
			buf_append(&b, esc, 3);
		}
	}
	return buf_str(&b);
}

struct str percent_encode_path(struct arena *a, struct str path)
{
	return percent_encode(a, path, "/!$&'()*+,;=:@", false);
}

struct str percent_encode_url_query(struct arena *a, struct str raw)
{
	return percent_encode(a, raw, ":/%#?=@[]!$&'()*+,;", false);
}

struct str percent_encode_query(struct arena *a, struct str s)
{
	return percent_encode(a, s, "", true);
}
