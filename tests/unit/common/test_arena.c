/* SPDX-License-Identifier: ISC */
/* test_arena.c: the per-page bump allocator. */
#include "test.h"

#include <stdint.h>

#include "common/arena.h"

TEST(arena, aligned_and_distinct)
{
	struct arena a = ARENA_INIT;
	char *p = arena_alloc(&a, 3), *q = arena_alloc(&a, 5);

	CHECK(((uintptr_t)p & 15) == 0);
	CHECK(((uintptr_t)q & 15) == 0);
	CHECK(q >= p + 3);
	memset(p, 'x', 3);
	memset(q, 'y', 5);
	CHECK(p[2] == 'x');
	CHECK_STR_EQ(arena_printf(&a, "%s/page/%d/", "news", 12),
	    "news/page/12/");
	CHECK_STR_EQ(arena_strdup(&a, "kiln"), "kiln");
	arena_release(&a);
	CHECK(a.chunks == NULL);
}

TEST(arena, large_and_long)
{
	struct arena a = ARENA_INIT;
	char *big = arena_alloc(&a, 1 << 20);
	char fmt[600];

	memset(big, 1, 1 << 20);
	memset(fmt, 'a', sizeof(fmt) - 1);
	fmt[sizeof(fmt) - 1] = '\0';
	CHECK_INT_EQ(strlen(arena_printf(&a, "%s%s", fmt, fmt)), 2 * 599);
	arena_release(&a);
}

TEST(arena, reset_keeps_one_chunk_big_enough_for_the_next_page)
{
	struct arena a = ARENA_INIT;
	const void *chunk;

	for (int i = 0; i < 10; i++)
		memset(arena_alloc(&a, 40000), i, 40000);
	arena_reset(&a);
	chunk = a.chunks;
	CHECK(chunk != NULL);
	for (int i = 0; i < 10; i++)
		memset(arena_alloc(&a, 40000), i, 40000);
	/* the second page fit in the kept chunk: no new allocation */
	CHECK(a.chunks == chunk);
	arena_reset(&a);
	CHECK(a.chunks == chunk);
	arena_release(&a);
}
