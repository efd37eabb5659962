#include "urlencoding.h"

#include "buf.h"

static int hex_value(unsigned char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

int percent_decode(struct arena *a, struct str in, bool plus_is_space, struct str *out)
{
	char *dst = arena_alloc(a, in.n + 1);
	if (dst == NULL)
		return -2;
	size_t n = 0;
	for (size_t i = 0; i < in.n; i++) {
		unsigned char c = (unsigned char)in.p[i];
		if (c == '%') {
			if (in.n - i < 3)
				return -1;
			int hi = hex_value((unsigned char)in.p[i + 1]);
			int lo = hex_value((unsigned char)in.p[i + 2]);
			if (hi < 0 || lo < 0)
				return -1;
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
	return 0;
}

/* Length of the valid UTF-8 sequence at s[0..n), or 0 if invalid; *bad gets the
 * length of the maximal invalid subpart (at least 1) in that case. */
static size_t utf8_sequence(const unsigned char *s, size_t n, size_t *bad)
{
	unsigned char c = s[0];
	size_t len;
	unsigned char lo = 0x80, hi = 0xBF;  /* allowed range of the second byte */

	if (c < 0x80)
		return 1;
	if (c >= 0xC2 && c <= 0xDF) {
		len = 2;
	} else if (c >= 0xE0 && c <= 0xEF) {
		len = 3;
		if (c == 0xE0)
			lo = 0xA0;
		else if (c == 0xED)
			hi = 0x9F;  /* no surrogates */
	} else if (c >= 0xF0 && c <= 0xF4) {
		len = 4;
		if (c == 0xF0)
			lo = 0x90;
		else if (c == 0xF4)
			hi = 0x8F;  /* nothing above U+10FFFF */
	} else {
		*bad = 1;
		return 0;
	}
	for (size_t i = 1; i < len; i++) {
		if (i >= n) {
			*bad = i;
			return 0;
		}
		unsigned char min = i == 1 ? lo : 0x80, max = i == 1 ? hi : 0xBF;
		if (s[i] < min || s[i] > max) {
			*bad = i;
			return 0;
		}
	}
	return len;
}

struct str utf8_sanitize(struct arena *a, struct str s)
{
	const unsigned char *p = (const unsigned char *)s.p;
	size_t i = 0, bad = 0;
	while (i < s.n) {
		size_t len = utf8_sequence(p + i, s.n - i, &bad);
		if (len == 0)
			break;
		i += len;
	}
	if (i == s.n)
		return s;

	struct buf b;
	buf_init(&b, a);
	buf_append(&b, s.p, i);
	while (i < s.n) {
		size_t len = utf8_sequence(p + i, s.n - i, &bad);
		if (len == 0) {
			buf_append(&b, "\xEF\xBF\xBD", 3);
			i += bad;
		} else {
			buf_append(&b, s.p + i, len);
			i += len;
		}
	}
	return buf_str(&b);
}

static int decode_component(struct arena *a, struct str raw, struct str *out)
{
	struct str bytes;
	int rc = percent_decode(a, raw, true, &bytes);
	if (rc != 0)
		return rc;
	*out = utf8_sanitize(a, bytes);
	return out->p == NULL ? -2 : 0;
}

int query_parse(struct arena *a, struct str qs, struct kvlist *out)
{
	size_t start = 0;
	while (start <= qs.n) {
		const char *amp = start < qs.n ? memchr(qs.p + start, '&', qs.n - start) : NULL;
		size_t end = amp ? (size_t)(amp - qs.p) : qs.n;
		struct str pair = { qs.p + start, end - start };
		if (pair.n > 0) {
			const char *eq = memchr(pair.p, '=', pair.n);
			struct str raw_name = { pair.p, eq ? (size_t)(eq - pair.p) : pair.n };
			struct str raw_value = eq ? (struct str){ eq + 1, pair.n - raw_name.n - 1 } : STR_LIT("");
			struct str name, value;
			int rc = decode_component(a, raw_name, &name);
			if (rc == 0)
				rc = decode_component(a, raw_value, &value);
			if (rc != 0)
				return rc;
			if (kvlist_add(a, out, name, value) != 0)
				return -2;
		}
		start = end + 1;
	}
	return 0;
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

struct str percent_encode_query(struct arena *a, struct str s)
{
	return percent_encode(a, s, "", true);
}
