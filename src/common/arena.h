/* SPDX-License-Identifier: ISC */
/*
 * arena.h: a bump allocator for memory that lives as long as one unit of
 * work (rendering one page).  Allocation is a pointer increment; nothing
 * is freed on its own; arena_reset() makes all of it reusable at once and
 * keeps the largest chunk, so a worker that renders thousands of pages
 * reaches a steady size and stops calling malloc.
 */
#ifndef KILN_ARENA_H
#define KILN_ARENA_H

#include "common/compat.h"

#include <stddef.h>

struct arena_chunk;

struct arena {
	struct arena_chunk *chunks;	/* newest first */
	size_t used;			/* bytes used in chunks[0] */
};

#define ARENA_INIT { NULL, 0 }

/* N bytes aligned for any type; never NULL (aborts like xmalloc) */
void *arena_alloc(struct arena *a, size_t n);
char *arena_strdup(struct arena *a, const char *s);
char *arena_printf(struct arena *a, const char *fmt, ...) PRINTF_LIKE(2, 3);
/* forget every allocation; keep one chunk as large as all of them */
void arena_reset(struct arena *a);
void arena_release(struct arena *a);

#endif
