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

/* One name or value of a query: percent-decoded ('+' a space) and made valid
 * UTF-8 when it has a '%', a '+' or a byte >= 0x80 (plain false), else copied
 * as it is, which is what decoding it would give. A malformed escape is
 * APP_ERR_INVALID. Either way NUL-terminated in the arena. */
static enum app_err decode_component(struct arena *a, struct str raw, bool plain, struct str *out)
{
	if (plain) {
		*out = (struct str){ arena_strndup(a, raw.p, raw.n), raw.n };
		return APP_OK;
	}
	struct str bytes;
	enum app_err err = percent_decode(a, raw, true, &bytes);
	if (err == APP_OK)
		*out = utf8_sanitize(a, bytes);
	return err;
}

/* One pass over the pairs: each byte is looked at once to find the '&', the
 * first '=' and whether the name or the value needs decoding. */
enum app_err query_parse(struct arena *a, struct str qs, struct kvlist *out)
{
	if (str_is_null(qs))
		return APP_OK;
	for (size_t start = 0; start <= qs.n;) {
		size_t i = start, eq = SIZE_MAX;
		bool plain[2] = { true, true }; /* the name's, the value's */
		for (; i < qs.n && qs.p[i] != '&'; i++) {
			unsigned char c = (unsigned char)qs.p[i];
			if (c == '=' && eq == SIZE_MAX)
				eq = i;
			else if (c == '%' || c == '+' || c >= 0x80)
				plain[eq != SIZE_MAX] = false;
		}
		if (i > start) { /* an empty pair is skipped */
			size_t name_end = eq == SIZE_MAX ? i : eq;
			struct str raw_name = { qs.p + start, name_end - start };
			struct str raw_value = eq == SIZE_MAX ? STR_LIT("") : (struct str){ qs.p + eq + 1, i - eq - 1 };
			struct str name, value;
			enum app_err err = decode_component(a, raw_name, plain[0], &name);
			if (err == APP_OK)
				err = decode_component(a, raw_value, plain[1], &value);
			if (err != APP_OK)
				return err;
			kvlist_add(a, out, name, value);
		}
		start = i + 1;
	}
	return APP_OK;
}

/* What each encoder keeps as it is, a bit per encoder and byte (the rest is
 * written %XX): KEEP_QUERY the RFC 3986 unreserved bytes (letters, digits,
 * "-._~"); KEEP_PATH those and "/!$&'()*+,;=:@"; KEEP_URL_QUERY those and
 * ":/%#?=@[]!$&'()*+,;". A table: the encoders look at every byte twice.
 * tests/unit/urlencoding_test.c checks every byte against the lists. */
enum { KEEP_PATH = 1, KEEP_URL_QUERY = 2, KEEP_QUERY = 4 };
static const unsigned char keeps[256] = {
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, /* 0x00 */
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, /* 0x10 */
	0, 3, 0, 2, 3, 2, 3, 3, 3, 3, 3, 3, 3, 7, 7, 3, /* 0x20 */
	7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 3, 3, 0, 3, 0, 2, /* 0x30 */
	3, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, /* 0x40 */
	7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 2, 0, 2, 0, 7, /* 0x50 */
	0, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, /* 0x60 */
	7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 0, 0, 0, 7, 0, /* 0x70 */
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, /* 0x80 */
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, /* 0x90 */
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, /* 0xa0 */
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, /* 0xb0 */
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, /* 0xc0 */
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, /* 0xd0 */
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, /* 0xe0 */
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, /* 0xf0 */
};

/* s with the bytes whose keeps[] entry lacks the bit keep written %XX
 * (upper-case hex), a space as '+' when space_as_plus; NUL-terminated in the
 * arena. Two passes: the length first, then the bytes into one allocation of
 * exactly that size (a plain copy when no byte needs escaping). */
static struct str percent_encode(struct arena *a, struct str s, unsigned keep, bool space_as_plus)
{
	static const char hex[] = "0123456789ABCDEF";
	size_t escaped = 0;
	for (size_t i = 0; i < s.n; i++) {
		unsigned char c = (unsigned char)s.p[i];
		escaped += !(keeps[c] & keep) && !(c == ' ' && space_as_plus);
	}
	/* nothing written %XX, no space to turn into '+': a copy (nearly every path) */
	if (escaped == 0 && !(space_as_plus && str_has_byte(s, ' ')))
		return (struct str){ arena_strndup(a, s.p, s.n), s.n };
	if (s.n > (SIZE_MAX - 1) / 3)
		arena_exhausted(a);
	size_t n = s.n + 2 * escaped;
	char *out = arena_alloc(a, n + 1), *o = out;
	for (size_t i = 0; i < s.n; i++) {
		unsigned char c = (unsigned char)s.p[i];
		if (keeps[c] & keep) {
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
	return percent_encode(a, path, KEEP_PATH, false);
}

struct str percent_encode_url_query(struct arena *a, struct str raw)
{
	return percent_encode(a, raw, KEEP_URL_QUERY, false);
}

struct str percent_encode_query(struct arena *a, struct str s)
{
	return percent_encode(a, s, KEEP_QUERY, true);
}
