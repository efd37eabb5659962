/* Per-request memory: one arena, released in one call when the request ends.
 * Long-running targets (FastCGI, Lambda) cannot leak request memory as long as
 * everything a request needs is allocated here. */
#ifndef APP_ARENA_H
#define APP_ARENA_H

#include <stddef.h>

struct arena_chunk;

struct arena {
	struct arena_chunk *head;  /* newest chunk first */
	size_t total;              /* bytes obtained from malloc, for limits and tests */
};

/* Zeroes the arena; no memory is taken until the first allocation. */
void arena_init(struct arena *a);

/* Returns n bytes aligned for any type, or NULL if malloc fails or n is absurd.
 * The memory lives until arena_release(). */
void *arena_alloc(struct arena *a, size_t n);

/* Like arena_alloc, but zero-filled. */
void *arena_calloc(struct arena *a, size_t count, size_t size);

/* Copies n bytes and appends a NUL (the copy may itself contain NULs). */
char *arena_strndup(struct arena *a, const char *s, size_t n);

/* Grows a previously returned block to new_size, copying old_size bytes. */
void *arena_realloc(struct arena *a, void *old, size_t old_size, size_t new_size);

/* Frees every chunk; the arena can be reused afterwards. */
void arena_release(struct arena *a);

#endif
