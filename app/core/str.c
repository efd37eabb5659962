#include "core/str.h"

#include <stdint.h>

static unsigned char ascii_lower(unsigned char c)
{
	return c >= 'A' && c <= 'Z' ? (unsigned char)(c - 'A' + 'a') : c;
}

bool str_eq_nocase(struct str a, struct str b)
{
	if (a.n != b.n)
		return false;
	for (size_t i = 0; i < a.n; i++)
		if (ascii_lower((unsigned char)a.p[i]) != ascii_lower((unsigned char)b.p[i]))
			return false;
	return true;
}

bool str_starts_with(struct str s, struct str prefix)
{
	return s.n >= prefix.n && (prefix.n == 0 || memcmp(s.p, prefix.p, prefix.n) == 0);
}

bool str_has_byte(struct str s, char c)
{
	return s.n > 0 && memchr(s.p, c, s.n) != NULL;
}

bool str_has_control(struct str s)
{
	for (size_t i = 0; i < s.n; i++)
		if ((unsigned char)s.p[i] < 0x20 || s.p[i] == 0x7F)
			return true;
	return false;
}

int hex_digit_value(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

bool is_ascii_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\v' || c == '\f' || c == '\r';
}

struct str str_trim(struct str s)
{
	while (s.n > 0 && is_ascii_space(s.p[0])) {
		s.p++;
		s.n--;
	}
	while (s.n > 0 && is_ascii_space(s.p[s.n - 1]))
		s.n--;
	return s;
}

struct str str_split(struct str *rest, char sep)
{
	struct str s = *rest;
	const char *at = s.n > 0 ? memchr(s.p, sep, s.n) : NULL;
	if (at == NULL) {
		*rest = STR_NULL;
		return s;
	}
	size_t n = (size_t)(at - s.p);
	*rest = (struct str){ at + 1, s.n - n - 1 };
	return (struct str){ s.p, n };
}

char *str_dup(struct arena *a, struct str s)
{
	return arena_strndup(a, s.p ? s.p : "", s.n);
}

void buf_init(struct buf *b, struct arena *a)
{
	*b = (struct buf){ .arena = a };
}

void buf_grow(struct buf *b, size_t extra)
{
	/* +1 keeps room for the terminating NUL of buf_str(); an absurd size is
	 * left to arena_alloc, which treats it as out of memory. */
	size_t need = extra > SIZE_MAX / 2 - b->n - 1 ? SIZE_MAX : b->n + extra + 1;
	if (need <= b->cap)
		return;
	size_t cap = b->cap ? b->cap : 64;
	while (cap < need && cap <= SIZE_MAX / 4)
		cap *= 2;
	if (cap < need)
		cap = need;
	b->p = arena_realloc(b->arena, b->p, b->n, cap);
	b->cap = cap;
}

void buf_append_size(struct buf *b, size_t v)
{
	char digits[3 * sizeof v];
	size_t i = sizeof digits;
	do {
		digits[--i] = (char)('0' + v % 10);
		v /= 10;
	} while (v != 0);
	buf_append(b, digits + i, sizeof digits - i);
}

struct str buf_str(struct buf *b)
{
	buf_reserve(b, 0);
	b->p[b->n] = '\0';
	return (struct str){ b->p, b->n };
}
