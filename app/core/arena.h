/* Per-request memory: one arena, released in one call when the request ends.
 * Long-running targets (FastCGI, Lambda) cannot leak request memory as long as
 * everything a request needs is allocated here.
 *
 * Allocation never returns NULL. When malloc fails, or the arena would grow past
 * its limit, the work running under arena_run() is abandoned at once and
 * arena_run() returns APP_ERR_NO_MEMORY: the one place a request turns "out of
 * memory" into its 500. Outside arena_run() the process aborts with a message. */
#ifndef APP_CORE_ARENA_H
#define APP_CORE_ARENA_H

#include <setjmp.h>
#include <stddef.h>
#include <stdint.h>

#include "core/err.h"

struct arena_chunk;

struct arena {
	struct arena_chunk *head;  /* newest chunk first */
	char *next, *end;          /* the head chunk's free bytes (both NULL: none) */
	size_t total;              /* bytes obtained from malloc, for limits and tests */
	size_t limit;              /* 0: none; else total may not grow past it */
	jmp_buf *on_exhausted;     /* set by arena_run() */
};

/* Every allocation's alignment; chunk sizes and offsets are multiples of it. */
#define ARENA_ALIGN (sizeof(max_align_t))

#define ARENA_ALLOC __attribute__((malloc, returns_nonnull, warn_unused_result))

/* Zeroes the arena (no limit); no memory is taken until the first allocation. */
void arena_init(struct arena *a);

/* Calls work(ctx). If an allocation in a fails meanwhile, work is abandoned where
 * it stands (no cleanup runs; memory it took outside the arena, such as a cJSON
 * document under construction, is lost) and APP_ERR_NO_MEMORY is returned;
 * otherwise APP_OK. The arena itself stays valid either way. */
enum app_err arena_run(struct arena *a, void (*work)(void *ctx), void *ctx) MUST_CHECK;

/* Out of memory outside the arena (cJSON's malloc failed): ends the work under
 * arena_run() exactly as a failed arena allocation does. */
_Noreturn void arena_exhausted(struct arena *a);

/* arena_alloc's path for a new chunk (and for n == 0 or absurd n). */
void *arena_alloc_slow(struct arena *a, size_t n) ARENA_ALLOC;

/* n bytes aligned for any type, living until arena_release(). Inline: nearly
 * every allocation fits in the head chunk, a bump of a pointer. n from 1 to
 * the free bytes: the free bytes are a multiple of ARENA_ALIGN, so n rounded up
 * still fits; n == 0 and anything larger go the slow way. */
static inline ARENA_ALLOC void *arena_alloc(struct arena *a, size_t n)
{
	if (n - 1 < (size_t)((uintptr_t)a->end - (uintptr_t)a->next)) {
		char *p = a->next;
		a->next += (n + ARENA_ALIGN - 1) & ~(ARENA_ALIGN - 1);
		return p;
	}
	return arena_alloc_slow(a, n);
}

/* Like arena_alloc, but zero-filled; count * size overflowing is out of memory. */
void *arena_calloc(struct arena *a, size_t count, size_t size) ARENA_ALLOC;

/* Copies n bytes and appends a NUL (the copy may itself contain NULs). */
char *arena_strndup(struct arena *a, const char *s, size_t n) ARENA_ALLOC;

/* A block of new_size bytes holding the first old_size bytes of old (old may be NULL). */
void *arena_realloc(struct arena *a, void *old, size_t old_size, size_t new_size) ARENA_ALLOC;

/* printf into the arena: the formatted text, NUL-terminated. */
char *arena_printf(struct arena *a, const char *fmt, ...) __attribute__((format(printf, 2, 3))) ARENA_ALLOC;

/* Frees every chunk; the arena can be reused afterwards (its limit is kept). */
void arena_release(struct arena *a);

/* Empties the arena for the next request but keeps one standard-size chunk
 * (the usual request fits in it), so a long-running process does not malloc
 * and free it every time; larger chunks are freed. Everything allocated
 * before is invalid afterwards. arena_release() still frees all. */
void arena_reset(struct arena *a);

#endif
