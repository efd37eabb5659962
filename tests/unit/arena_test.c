/* Per-request memory: alignment, growth and release. */
#include <criterion/criterion.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "core/arena.h"
#include "core/kvlist.h"

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

/* Work for arena_run(): one allocation of the size in ctx, then a mark that it returned. */
static bool returned;
static void alloc_absurd(void *ctx)
{
	struct arena *a = ctx;
	char *p = arena_alloc(a, SIZE_MAX - 8);
	returned = p != NULL;
}

static void calloc_overflowing(void *ctx)
{
	struct arena *a = ctx;
	int *p = arena_calloc(a, SIZE_MAX / 2, 4);
	returned = p != NULL;
}

Test(arena, absurd_sizes_end_the_work_as_out_of_memory)
{
	struct arena a;
	arena_init(&a);
	returned = false;
	cr_assert_eq(arena_run(&a, alloc_absurd, &a), APP_ERR_NO_MEMORY);
	cr_assert_eq(arena_run(&a, calloc_overflowing, &a), APP_ERR_NO_MEMORY);
	cr_assert_not(returned, "the allocation came back");
	/* The arena is still usable afterwards. */
	cr_assert_str_eq(arena_strndup(&a, "ok", 2), "ok");
	arena_release(&a);
}

static void fill(void *ctx)
{
	struct arena *a = ctx;
	for (int i = 0; i < 1000; i++) {
		char *p = arena_alloc(a, 1024);
		p[0] = 1;
	}
}

Test(arena, a_limit_ends_the_work_when_crossed)
{
	struct arena a;
	arena_init(&a);
	a.limit = 64 * 1024;
	cr_assert_eq(arena_run(&a, fill, &a), APP_ERR_NO_MEMORY);
	cr_assert_leq(a.total, 64 * 1024);
	arena_release(&a);
	a.limit = 2 * 1024 * 1024;
	cr_assert_eq(arena_run(&a, fill, &a), APP_OK);
	arena_release(&a);
}

Test(arena, printf_formats_into_the_arena)
{
	struct arena a;
	arena_init(&a);
	cr_assert_str_eq(arena_printf(&a, "%s %d %zu", "a", -1, (size_t)7), "a -1 7");
	char *big = arena_printf(&a, "%5000d", 1);
	cr_assert_eq(strlen(big), 5000);
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

Test(arena, reset_keeps_one_chunk_and_reuses_it)
{
	struct arena a;
	arena_init(&a);
	char *first = arena_alloc(&a, 100);
	char *big = arena_alloc(&a, 4 * 1024 * 1024); /* a chunk of its own */
	for (int i = 0; i < 100; i++)
		memset(arena_alloc(&a, 1000), 0, 1000); /* several standard chunks */
	memset(big, 0, 4 * 1024 * 1024);
	size_t grown = a.total;
	arena_reset(&a);
	cr_assert_lt(a.total, grown);
	cr_assert_gt(a.total, 0, "the standard chunk is kept");
	cr_assert_lt(a.total, 1024 * 1024, "the large chunks are freed");
	size_t kept = a.total;
	/* The next request starts at the front of the kept chunk, without a malloc. */
	char *again = arena_alloc(&a, 100);
	cr_assert_eq(a.total, kept);
	memset(again, 'x', 100);
	(void)first;
	arena_reset(&a);
	cr_assert_eq(a.total, kept, "resetting again keeps the same chunk");
	arena_release(&a);
	cr_assert_eq(a.total, 0);
}

Test(arena, reset_of_an_unused_arena_is_empty)
{
	struct arena a;
	arena_init(&a);
	arena_reset(&a);
	cr_assert_eq(a.total, 0);
	cr_assert_null(a.head);
	char *p = arena_alloc(&a, 10);
	cr_assert_not_null(p);
	arena_release(&a);
}

/* The inline bump path: the head chunk filled to its last byte, one byte past
 * it (a new chunk), n == 0, a large block put behind the head (small ones go
 * on from the head, never into the large one), and reset, release and reuse:
 * every block stays inside the memory it was given (ASan: make SANITIZE=1). */
Test(arena, inline_path_fills_the_head_exactly_and_no_further)
{
	struct arena a;
	arena_init(&a);
	char *first = arena_alloc(&a, 1);
	size_t free_bytes = (size_t)(a.end - a.next);
	cr_assert_eq(free_bytes % ARENA_ALIGN, 0);
	size_t total = a.total;
	char *rest = arena_alloc(&a, free_bytes); /* exactly the rest */
	cr_assert_eq(rest, first + ARENA_ALIGN);
	memset(rest, 0xab, free_bytes);
	cr_assert_eq(a.next, a.end);
	cr_assert_eq(a.total, total, "no new chunk for the exact rest");
	char *past = arena_alloc(&a, 1); /* one past: a new chunk */
	cr_assert_gt(a.total, total);
	cr_assert(past < first || past >= rest + free_bytes);
	char *zero = arena_alloc(&a, 0); /* n == 0: a block of its own, distinct */
	cr_assert_neq(zero, past);
	total = a.total;
	char *big = arena_alloc(&a, 64 * 1024); /* behind the head */
	memset(big, 0xcd, 64 * 1024);
	char *small = arena_alloc(&a, 16);
	cr_assert(small < big || small >= big + 64 * 1024, "a small block inside the large one");
	cr_assert_eq(small, zero + ARENA_ALIGN, "small blocks go on from the head");
	arena_reset(&a);
	char *again = arena_alloc(&a, 1);
	cr_assert_not_null(again);
	cr_assert_eq((uintptr_t)again % _Alignof(max_align_t), 0);
	arena_release(&a);
	cr_assert_null(a.next);
	cr_assert_null(a.end);
	char *reused = arena_alloc(&a, 1); /* released, then used again */
	cr_assert_not_null(reused);
	arena_release(&a);
}

/* kvlist_add inline with kvlist_grow out of line: the first pair, the 8th and
 * 9th (the first growth), 1000 pairs in order, each value where it was put,
 * and an empty list's lookups. */
Test(arena, kvlist_grows_and_keeps_order)
{
	struct arena a;
	arena_init(&a);
	struct kvlist l = { 0 };
	cr_assert(str_is_null(kvlist_get_last(&l, STR_LIT("x"))));
	cr_assert_eq(kvlist_count(&l, STR_LIT("x")), 0);
	char *names = arena_alloc(&a, 1000 * 8);
	for (size_t i = 0; i < 1000; i++) {
		int n = snprintf(names + 8 * i, 8, "k%zu", i);
		kvlist_add(&a, &l, (struct str){ names + 8 * i, (size_t)n }, STR_LIT("v"));
		cr_assert_eq(l.n, i + 1);
		cr_assert_geq(l.cap, l.n);
		if (i == 7)
			cr_assert_eq(l.cap, 8);
		if (i == 8)
			cr_assert_eq(l.cap, 16);
	}
	for (size_t i = 0; i < 1000; i++) {
		char want[8];
		snprintf(want, sizeof want, "k%zu", i);
		cr_assert(str_eq(l.items[i].name, str_c(want)), "pair %zu", i);
	}
	kvlist_add(&a, &l, STR_LIT("k5"), STR_LIT("last"));
	cr_assert(str_eq(kvlist_get_last(&l, STR_LIT("k5")), STR_LIT("last")));
	cr_assert_eq(kvlist_count(&l, STR_LIT("k5")), 2);
	arena_release(&a);
}

/* Work for arena_run(): growing a list whose next size in bytes is at the
 * size_t limit (ctx's cap doubled times sizeof(struct kv)) or one past it. */
static void grow_huge(void *ctx)
{
	struct arena *a = ((void **)ctx)[0];
	struct kvlist *l = ((void **)ctx)[1];
	kvlist_grow(a, l);
	returned = true;
}

/* kvlist_grow does not zero its array, but still refuses a size whose byte
 * count wraps (2^59 pairs of 32 bytes is 2^64 bytes, 0 after the wrap) or is
 * absurd just below the wrap: out of memory, not a short array. */
Test(arena, kvlist_growth_past_size_max_is_out_of_memory)
{
	struct arena a;
	arena_init(&a);
	struct kv one[1];
	const size_t past = SIZE_MAX / sizeof(struct kv) / 2 + 1, at = SIZE_MAX / sizeof(struct kv) / 2;
	const size_t caps[] = { past, at };
	for (size_t i = 0; i < 2; i++) {
		struct kvlist l = { .items = one, .n = 0, .cap = caps[i] };
		void *ctx[2] = { &a, &l };
		returned = false;
		cr_assert_eq(arena_run(&a, grow_huge, ctx), APP_ERR_NO_MEMORY, "cap %zu", caps[i]);
		cr_assert_not(returned, "cap %zu: the growth came back", caps[i]);
	}
	struct kvlist ok = { 0 };
	kvlist_add(&a, &ok, STR_LIT("a"), STR_LIT("b"));
	cr_assert_eq(ok.cap, 8);
	arena_release(&a);
}
