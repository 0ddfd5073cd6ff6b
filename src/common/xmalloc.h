/* SPDX-License-Identifier: ISC */
/*
 * xmalloc.h: allocation that logs and aborts on out-of-memory (STYLE H20).
 * Every size that comes from input must be capped before it gets here.
 *
 * Fault injection: KILN_FAIL_ALLOC_AT=N makes the N-th allocation fail
 * (abort), so a test loop can check each allocation site in turn.
 */
#ifndef KILN_XMALLOC_H
#define KILN_XMALLOC_H

#include <stdarg.h>

void *xmalloc(size_t size);
void *xcalloc(size_t nmemb, size_t size);
void *xreallocarray(void *ptr, size_t nmemb, size_t size);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);
char *xasprintf(const char *fmt, ...) PRINTF_LIKE(1, 2);
char *xvasprintf(const char *fmt, va_list ap) PRINTF_LIKE(1, 0);
/* free after explicit_bzero of strlen(s) bytes; for secrets. NULL ok. */
void freezero_str(char *s);

#endif
