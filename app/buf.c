#include "buf.h"

#include <stdint.h>

void buf_init(struct buf *b, struct arena *a)
{
	*b = (struct buf){ .arena = a };
}

static bool buf_reserve(struct buf *b, size_t extra)
{
	if (b->failed)
		return false;
	/* +1 keeps room for the terminating NUL of buf_str(). */
	if (extra > SIZE_MAX / 2 - b->n - 1) {
		b->failed = true;
		return false;
	}
	size_t need = b->n + extra + 1;
	if (need <= b->cap)
		return true;
	size_t cap = b->cap ? b->cap : 64;
	while (cap < need)
		cap *= 2;
	char *p = arena_realloc(b->arena, b->p, b->n, cap);
	if (p == NULL) {
		b->failed = true;
		return false;
	}
	b->p = p;
	b->cap = cap;
	return true;
}

void buf_append(struct buf *b, const void *p, size_t n)
{
	if (n == 0 || !buf_reserve(b, n))
		return;
	memcpy(b->p + b->n, p, n);
	b->n += n;
}

void buf_append_str(struct buf *b, struct str s)
{
	buf_append(b, s.p, s.n);
}

void buf_append_cstr(struct buf *b, const char *s)
{
	buf_append(b, s, strlen(s));
}

void buf_append_byte(struct buf *b, char c)
{
	buf_append(b, &c, 1);
}

struct str buf_str(struct buf *b)
{
	if (!buf_reserve(b, 0))
		return STR_NULL;
	b->p[b->n] = '\0';
	return (struct str){ b->p, b->n };
}
