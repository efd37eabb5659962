#include "http/log_line.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/utf8.h"

void line_init(struct line *l)
{
	l->p = l->small;
	l->n = 0;
	l->cap = sizeof l->small;
	l->failed = false;
}

void line_free(struct line *l)
{
	if (l->p != l->small)
		free(l->p);
}

void line_put(struct line *l, const char *p, size_t n)
{
	if (l->failed)
		return;
	if (l->n + n + 1 > l->cap) {
		size_t cap = l->cap * 2;
		while (cap < l->n + n + 1)
			cap *= 2;
		char *grown = l->p == l->small ? malloc(cap) : realloc(l->p, cap);
		if (grown == NULL) {
			l->failed = true;
			return;
		}
		if (l->p == l->small)
			memcpy(grown, l->small, l->n);
		l->p = grown;
		l->cap = cap;
	}
	memcpy(l->p + l->n, p, n);
	l->n += n;
}

void line_putc(struct line *l, char c)
{
	line_put(l, &c, 1);
}

void line_puts(struct line *l, const char *s)
{
	line_put(l, s, strlen(s));
}

void line_put_number(struct line *l, long long v)
{
	char tmp[24];
	size_t i = sizeof tmp;
	unsigned long long u = v > 0 ? (unsigned long long)v : 0;
	do
		tmp[--i] = (char)('0' + u % 10);
	while ((u /= 10) != 0);
	line_put(l, tmp + i, sizeof tmp - i);
}

/* Printable ASCII other than '"' and '\\': goes into a JSON string as it is. */
static bool plain(unsigned char c)
{
	return c >= 0x20 && c < 0x7f && c != '"' && c != '\\';
}

/* The escaped form of the character at p[0] (of n > 0 bytes, not plain) into
 * out; its length, and in *took the input bytes it stands for. */
static size_t escape_one(const unsigned char *p, size_t n, char out[8], size_t *took)
{
	static const char hex[] = "0123456789abcdef";
	*took = 1;
	if (p[0] == '"' || p[0] == '\\') {
		out[0] = '\\';
		out[1] = (char)p[0];
		return 2;
	}
	if (p[0] < 0x20 || p[0] == 0x7f) {
		memcpy(out, "\\u00", 4);
		out[4] = hex[p[0] >> 4];
		out[5] = hex[p[0] & 15];
		return 6;
	}
	size_t bad;
	size_t len = utf8_sequence(p, n, &bad);
	if (len == 0) { /* each byte of an invalid sequence: one U+FFFD */
		memcpy(out, "\\ufffd", 6);
		return 6;
	}
	memcpy(out, p, len);
	*took = len;
	return len;
}

/* True when p[0..n) escaped takes more than room bytes; stops as soon as it does. */
static bool exceeds(const unsigned char *p, size_t n, size_t room)
{
	size_t used = 0;
	for (size_t i = 0; i < n;) {
		char esc[8];
		size_t took = 1;
		used += plain(p[i]) ? 1 : escape_one(p + i, n - i, esc, &took);
		if (used > room)
			return true;
		i += took;
	}
	return false;
}

void line_put_quoted(struct line *l, struct str s, size_t max)
{
	const unsigned char *p = (const unsigned char *)s.p;
	size_t used = 0, i = 0, soft = max - LINE_CUT_MARK_MAX;
	bool fits = false; /* the rest is known to fit in max */
	line_putc(l, '"');
	while (i < s.n) {
		size_t run = i;
		while (run < s.n && plain(p[run]))
			run++;
		char esc[8];
		size_t took = run - i, len = took;
		const char *out = (const char *)p + i;
		if (took == 0) {
			len = escape_one(p + i, s.n - i, esc, &took);
			out = esc;
		}
		if (!fits && used + len > soft) {
			fits = !exceeds(p + i, s.n - i, max - used);
			if (!fits) {
				if (run > i) { /* a run of ASCII: cut inside it */
					line_put(l, out, soft - used);
					i += soft - used;
				}
				char mark[LINE_CUT_MARK_MAX + 1];
				snprintf(mark, sizeof mark, "...(+%zu bytes)", s.n - i);
				line_puts(l, mark);
				break;
			}
		}
		line_put(l, out, len);
		used += len;
		i += took;
	}
	line_putc(l, '"');
}
