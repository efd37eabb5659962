#include "core/base64.h"

#include <stdint.h>

static const char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/* The 6-bit value of an alphabet character, -1 for anything else. */
static int sextet(unsigned char c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	if (c == '+')
		return 62;
	if (c == '/')
		return 63;
	return -1;
}

enum app_err base64_decode(struct arena *a, struct str in, struct str *out)
{
	char *p = arena_alloc(a, in.n / 4 * 3 + 4);
	size_t n = 0, pending = 0, padding = 0;
	uint32_t acc = 0;
	for (size_t i = 0; i < in.n; i++) {
		unsigned char c = (unsigned char)in.p[i];
		if (is_ascii_space((char)c))
			continue;
		if (c == '=') {
			/* Padding only ends a group of 2 or 3 characters, and nothing but padding follows. */
			if (pending < 2 || pending + padding >= 4)
				return APP_ERR_INVALID;
			padding++;
			continue;
		}
		int v = sextet(c);
		if (v < 0 || padding > 0)
			return APP_ERR_INVALID;
		acc = acc << 6 | (uint32_t)v;
		if (++pending == 4) {
			p[n++] = (char)(acc >> 16);
			p[n++] = (char)(acc >> 8);
			p[n++] = (char)acc;
			pending = 0;
			acc = 0;
		}
	}
	if (pending == 1)
		return APP_ERR_INVALID;
	if (padding > 0 && pending + padding != 4)
		return APP_ERR_INVALID;
	if (pending == 2) {
		p[n++] = (char)(acc >> 4);
	} else if (pending == 3) {
		p[n++] = (char)(acc >> 10);
		p[n++] = (char)(acc >> 2);
	}
	p[n] = '\0';
	*out = (struct str){ p, n };
	return APP_OK;
}

struct str base64_encode(struct arena *a, struct str in)
{
	/* An input too long to encode asks for SIZE_MAX bytes: out of memory. */
	size_t len = in.n > (SIZE_MAX - 1) / 4 * 3 - 3 ? SIZE_MAX - 1 : (in.n + 2) / 3 * 4;
	char *p = arena_alloc(a, len + 1);
	const unsigned char *s = (const unsigned char *)in.p;
	size_t o = 0, i = 0;
	for (; i + 3 <= in.n; i += 3) {
		uint32_t v = (uint32_t)s[i] << 16 | (uint32_t)s[i + 1] << 8 | s[i + 2];
		p[o++] = alphabet[v >> 18];
		p[o++] = alphabet[(v >> 12) & 63];
		p[o++] = alphabet[(v >> 6) & 63];
		p[o++] = alphabet[v & 63];
	}
	if (i < in.n) {
		uint32_t v = (uint32_t)s[i] << 16;
		if (i + 1 < in.n)
			v |= (uint32_t)s[i + 1] << 8;
		p[o++] = alphabet[v >> 18];
		p[o++] = alphabet[(v >> 12) & 63];
		p[o++] = i + 1 < in.n ? alphabet[(v >> 6) & 63] : '=';
		p[o++] = '=';
	}
	p[o] = '\0';
	return (struct str){ p, o };
}
