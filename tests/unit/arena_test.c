/* Per-request memory: alignment, growth and release. */
#include <criterion/criterion.h>
#include <stdint.h>

#include "arena.h"

Test(arena, allocations_are_aligned_and_distinct)
{
	struct arena a;
	arena_init(&a);
	char *p = arena_alloc(&a, 1);
	void *q = arena_alloc(&a, 8);
	cr_assert_not_null(p);
	cr_assert_eq((uintptr_t)q % _Alignof(max_align_t), 0);
	cr_assert_neq((void *)p, q);
	arena_release(&a);
}

Test(arena, large_blocks_get_their_own_chunk)
{
	struct arena a;
	arena_init(&a);
	char *big = arena_alloc(&a, 4 * 1024 * 1024);
	cr_assert_not_null(big);
	memset(big, 1, 4 * 1024 * 1024);
	cr_assert_geq(a.total, 4 * 1024 * 1024);
	arena_release(&a);
	cr_assert_eq(a.total, 0);
}

Test(arena, absurd_sizes_fail_cleanly)
{
	struct arena a;
	arena_init(&a);
	cr_assert_null(arena_alloc(&a, SIZE_MAX - 8));
	cr_assert_null(arena_calloc(&a, SIZE_MAX / 2, 4));
	arena_release(&a);
}

Test(arena, realloc_keeps_contents)
{
	struct arena a;
	arena_init(&a);
	char *p = arena_strndup(&a, "hello", 5);
	p = arena_realloc(&a, p, 6, 100000);
	cr_assert_str_eq(p, "hello");
	arena_release(&a);
}
