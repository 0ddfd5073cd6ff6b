/* SPDX-License-Identifier: ISC */
/*
 * compat.h: the first include of every .c file in kiln.
 *
 * Defines _GNU_SOURCE, pulls in the C types every file uses, declares the
 * attribute macros and supplies what glibc 2.36 lacks (strlcpy, strlcat,
 * strtonum; see strutil.c).
 */
#ifndef KILN_COMPAT_H
#define KILN_COMPAT_H

#ifndef _GNU_SOURCE
# define _GNU_SOURCE 1
#endif

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#define PRINTF_LIKE(f, a) __attribute__((format(printf, f, a)))
#define WARN_UNUSED	  __attribute__((warn_unused_result))
#define NORETURN	  __attribute__((noreturn))
#define UNUSED		  __attribute__((unused))

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

/* strutil.c */
size_t strlcpy(char *dst, const char *src, size_t dsize);
size_t strlcat(char *dst, const char *src, size_t dsize);
long long strtonum(const char *numstr, long long minval, long long maxval,
    const char **errstrp);

/* BUG(): a broken invariant; never for bad input. */
NORETURN void bug_fl(const char *file, int line, const char *fmt, ...)
    PRINTF_LIKE(3, 4);
#define BUG(...) bug_fl(__FILE__, __LINE__, __VA_ARGS__)

/*
 * The headers that declare banned functions come first, so that their
 * (fortified) definitions are seen before banned.h renames the names.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include "common/banned.h"

#endif
