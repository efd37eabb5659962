#include "core/arena.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define ARENA_MIN_CHUNK (16 * 1024)

struct arena_chunk {
	struct arena_chunk *next;
	size_t size;  /* usable bytes after the header */
	size_t used;
	max_align_t data[];
};

const char *app_err_name(enum app_err e)
{
	switch (e) {
	case APP_OK: return "ok";
	case APP_ERR_INVALID: return "invalid input";
	case APP_ERR_TOO_LARGE: return "over a limit";
	case APP_ERR_IO: return "input/output error";
	case APP_ERR_REFUSED: return "request refused";
	case APP_ERR_NO_MEMORY: return "out of memory";
	}
	return "unknown error";
}

void arena_init(struct arena *a)
{
	*a = (struct arena){ 0 };
}

/* Where every failed allocation ends: back to arena_run(), or abort. */
_Noreturn void arena_exhausted(struct arena *a)
{
	if (a->on_exhausted != NULL)
		longjmp(*a->on_exhausted, 1);
	fputs("out of memory outside a request\n", stderr);
	abort();
}

enum app_err arena_run(struct arena *a, void (*work)(void *ctx), void *ctx)
{
	jmp_buf here;
	jmp_buf *volatile outer = a->on_exhausted;
	if (setjmp(here) != 0) {
		a->on_exhausted = outer;
		return APP_ERR_NO_MEMORY;
	}
	a->on_exhausted = &here;
	work(ctx);
	a->on_exhausted = outer;
	return APP_OK;
}

static size_t align_up(size_t n)
{
	return (n + ARENA_ALIGN - 1) & ~(ARENA_ALIGN - 1);
}

/* a->next/end from the head chunk (after it changed, or its used did). */
static void point_at_head(struct arena *a)
{
	struct arena_chunk *h = a->head;
	a->next = h != NULL ? (char *)h->data + h->used : NULL;
	a->end = h != NULL ? (char *)h->data + h->size : NULL;
}

void *arena_alloc_slow(struct arena *a, size_t n)
{
	if (a->head != NULL) /* the inline path moved next, not used */
		a->head->used = (size_t)(a->next - (char *)a->head->data);
	if (n == 0)
		n = 1;
	if (n > SIZE_MAX / 2)
		arena_exhausted(a);
	n = align_up(n);

	struct arena_chunk *c = a->head;
	if (c == NULL || c->size - c->used < n) {
		/* Big requests get a chunk of their own so small ones keep filling the current one. */
		size_t size = n > ARENA_MIN_CHUNK ? n : ARENA_MIN_CHUNK;
		if (a->limit != 0 && size > a->limit - (a->total < a->limit ? a->total : a->limit))
			arena_exhausted(a);
		struct arena_chunk *fresh = malloc(sizeof(*fresh) + size);
		if (fresh == NULL)
			arena_exhausted(a);
		fresh->size = size;
		fresh->used = 0;
		a->total += size;
		if (c != NULL && n > ARENA_MIN_CHUNK) {
			/* Keep the partly used chunk in front for later small allocations. */
			fresh->next = c->next;
			c->next = fresh;
		} else {
			fresh->next = c;
			a->head = fresh;
		}
		c = fresh;
	}
	void *p = (char *)c->data + c->used;
	c->used += n;
	point_at_head(a);
	return p;
}

void *arena_calloc(struct arena *a, size_t count, size_t size)
{
	if (size != 0 && count > SIZE_MAX / size)
		arena_exhausted(a);
	void *p = arena_alloc(a, count * size);
	memset(p, 0, count * size);
	return p;
}

char *arena_strndup(struct arena *a, const char *s, size_t n)
{
	if (n == SIZE_MAX)
		arena_exhausted(a);
	char *p = arena_alloc(a, n + 1);
	if (n > 0)
		memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

void *arena_realloc(struct arena *a, void *old, size_t old_size, size_t new_size)
{
	if (new_size <= old_size && old != NULL)
		return old;
	void *p = arena_alloc(a, new_size);
	if (old != NULL && old_size > 0)
		memcpy(p, old, old_size);
	return p;
}

char *arena_printf(struct arena *a, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0)
		arena_exhausted(a);
	char *p = arena_alloc(a, (size_t)n + 1);
	va_start(ap, fmt);
	vsnprintf(p, (size_t)n + 1, fmt, ap);
	va_end(ap);
	return p;
}

void arena_release(struct arena *a)
{
	struct arena_chunk *c = a->head;
	while (c != NULL) {
		struct arena_chunk *next = c->next;
		free(c);
		c = next;
	}
	a->head = NULL;
	a->total = 0;
	point_at_head(a);
}

void arena_reset(struct arena *a)
{
	struct arena_chunk *keep = NULL;
	for (struct arena_chunk *c = a->head, *next; c != NULL; c = next) {
		next = c->next;
		if (keep == NULL && c->size == ARENA_MIN_CHUNK)
			keep = c;
		else
			free(c);
	}
	a->head = keep;
	a->total = 0;
	if (keep != NULL) {
		keep->next = NULL;
		keep->used = 0;
		a->total = keep->size;
	}
	point_at_head(a);
}
