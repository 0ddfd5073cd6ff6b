/* SPDX-License-Identifier: ISC */
/*
 * xmalloc.c: allocation wrappers that die on out-of-memory, with a
 * fault-injection hook (KILN_FAIL_ALLOC_AT) for tests.
 */
#include "common/compat.h"

#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/xmalloc.h"

static atomic_long alloc_count;
static long fail_at = -1;

static void
oom(size_t size)
{
	fprintf(stderr, "kiln: out of memory allocating %zu bytes\n", size);
	abort();
}

static void
fault_check(size_t size)
{
	if (fail_at == -1) {
		const char *s = getenv("KILN_FAIL_ALLOC_AT");
		fail_at = s ? strtonum(s, 1, 1LL << 40, NULL) : 0;
	}
	if (fail_at > 0 && atomic_fetch_add(&alloc_count, 1) + 1 == fail_at)
		oom(size);
}

void *
xmalloc(size_t size)
{
	void *p;

	fault_check(size);
	if (!(p = malloc(size ? size : 1)))
		oom(size);
	return p;
}

void *
xcalloc(size_t nmemb, size_t size)
{
	void *p;

	fault_check(size);
	if (!(p = calloc(nmemb ? nmemb : 1, size ? size : 1)))
		oom(nmemb * size);
	return p;
}

void *
xreallocarray(void *ptr, size_t nmemb, size_t size)
{
	void *p;

	fault_check(size);
	if (!(p = reallocarray(ptr, nmemb ? nmemb : 1, size ? size : 1)))
		oom(nmemb * size);
	return p;
}

char *
xstrdup(const char *s)
{
	return xstrndup(s, strlen(s));
}

char *
xstrndup(const char *s, size_t n)
{
	char *p = xmalloc(n + 1);

	memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

char *
xvasprintf(const char *fmt, va_list ap)
{
	char *s;

	fault_check(0);
	if (vasprintf(&s, fmt, ap) == -1)
		oom(0);
	return s;
}

char *
xasprintf(const char *fmt, ...)
{
	va_list ap;
	char *s;

	va_start(ap, fmt);
	s = xvasprintf(fmt, ap);
	va_end(ap);
	return s;
}

void
freezero_str(char *s)
{
	if (!s)
		return;
	explicit_bzero(s, strlen(s));
	free(s);
}
