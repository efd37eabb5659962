#include "core/utf8.h"

size_t utf8_sequence(const unsigned char *s, size_t n, size_t *bad)
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
		if (p[i] < 0x80) { /* ASCII, nearly every byte: one comparison */
			i++;
			continue;
		}
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
