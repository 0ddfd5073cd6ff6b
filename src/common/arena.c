/* SPDX-License-Identifier: ISC */
/* arena.c: see arena.h. */
#include "common/compat.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/arena.h"
#include "common/xmalloc.h"

#define ARENA_ALIGN	16
#define ARENA_CHUNK	(64 * 1024)

struct arena_chunk {
	struct arena_chunk *next;
	size_t size;			/* bytes of data[] */
	_Alignas(ARENA_ALIGN) unsigned char data[];
};

void *
arena_alloc(struct arena *a, size_t n)
{
	struct arena_chunk *c = a->chunks;
	size_t at = (a->used + ARENA_ALIGN - 1) & ~(size_t)(ARENA_ALIGN - 1);

	if (n == 0)
		n = 1;
	if (!c || at > c->size || n > c->size - at) {
		size_t size = n > ARENA_CHUNK / 2 ? n : ARENA_CHUNK;
		if (n > SIZE_MAX - sizeof(*c))
			abort();
		c = xmalloc(sizeof(*c) + size);
		c->size = size;
		c->next = a->chunks;
		a->chunks = c;
		at = 0;
	}
	a->used = at + n;
	return c->data + at;
}

char *
arena_strdup(struct arena *a, const char *s)
{
	size_t n = strlen(s) + 1;

	return memcpy(arena_alloc(a, n), s, n);
}

char *
arena_printf(struct arena *a, const char *fmt, ...)
{
	va_list ap;
	char small[256], *p;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(small, sizeof(small), fmt, ap);
	va_end(ap);
	if (n < 0)
		abort();
	p = arena_alloc(a, (size_t)n + 1);
	if ((size_t)n < sizeof(small))
		memcpy(p, small, (size_t)n + 1);
	else {
		va_start(ap, fmt);
		vsnprintf(p, (size_t)n + 1, fmt, ap);
		va_end(ap);
	}
	return p;
}

void
arena_reset(struct arena *a)
{
	struct arena_chunk *c, *next;
	size_t total = 0;

	if (!a->chunks)
		return;
	if (a->chunks->next) {
		/* this unit needed several chunks: the next gets one as big */
		for (c = a->chunks; c; c = next) {
			next = c->next;
			total += c->size;
			free(c);
		}
		c = xmalloc(sizeof(*c) + total);
		c->size = total;
		c->next = NULL;
		a->chunks = c;
	}
	a->used = 0;
}

void
arena_release(struct arena *a)
{
	struct arena_chunk *c, *next;

	for (c = a->chunks; c; c = next) {
		next = c->next;
		free(c);
	}
	a->chunks = NULL;
	a->used = 0;
}
