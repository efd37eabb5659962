#include "arena.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define ARENA_MIN_CHUNK (16 * 1024)
#define ARENA_ALIGN (sizeof(max_align_t))

struct arena_chunk {
	struct arena_chunk *next;
	size_t size;  /* usable bytes after the header */
	size_t used;
	max_align_t data[];
};

void arena_init(struct arena *a)
{
	a->head = NULL;
	a->total = 0;
}

static size_t align_up(size_t n)
{
	return (n + ARENA_ALIGN - 1) & ~(ARENA_ALIGN - 1);
}

void *arena_alloc(struct arena *a, size_t n)
{
	if (n == 0)
		n = 1;
	if (n > SIZE_MAX / 2)
		return NULL;
	n = align_up(n);

	struct arena_chunk *c = a->head;
	if (c == NULL || c->size - c->used < n) {
		/* Big requests get a chunk of their own so small ones keep filling the current one. */
		size_t size = n > ARENA_MIN_CHUNK ? n : ARENA_MIN_CHUNK;
		struct arena_chunk *fresh = malloc(sizeof(*fresh) + size);
		if (fresh == NULL)
			return NULL;
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
	return p;
}

void *arena_calloc(struct arena *a, size_t count, size_t size)
{
	if (size != 0 && count > SIZE_MAX / size)
		return NULL;
	void *p = arena_alloc(a, count * size);
	if (p != NULL)
		memset(p, 0, count * size);
	return p;
}

char *arena_strndup(struct arena *a, const char *s, size_t n)
{
	if (n == SIZE_MAX)
		return NULL;
	char *p = arena_alloc(a, n + 1);
	if (p == NULL)
		return NULL;
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
	if (p != NULL && old != NULL && old_size > 0)
		memcpy(p, old, old_size);
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
	arena_init(a);
}
