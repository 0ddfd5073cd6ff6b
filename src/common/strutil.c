/* SPDX-License-Identifier: ISC */
/*
 * strutil.c: strlcpy, strlcat and strtonum as OpenBSD defines them, for
 * glibc 2.36 which has none of them (OpenSMTPD's openbsd-compat does the
 * same), and BUG().
 */
#include "common/compat.h"

#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

size_t
strlcpy(char *dst, const char *src, size_t dsize)
{
	size_t srclen = strlen(src);

	if (dsize > 0) {
		size_t n = srclen < dsize - 1 ? srclen : dsize - 1;
		memcpy(dst, src, n);
		dst[n] = '\0';
	}
	return srclen;
}

size_t
strlcat(char *dst, const char *src, size_t dsize)
{
	size_t dlen = strnlen(dst, dsize);

	if (dlen == dsize)
		return dsize + strlen(src);
	return dlen + strlcpy(dst + dlen, src, dsize - dlen);
}

long long
strtonum(const char *numstr, long long minval, long long maxval,
    const char **errstrp)
{
	long long ll = 0;
	char *ep;
	const char *errstr = NULL;
	int saved = errno;

	if (minval > maxval) {
		errstr = "invalid";
	} else if (!numstr || *numstr == '\0') {
		errstr = "invalid";
	} else {
		errno = 0;
		ll = strtoll(numstr, &ep, 10);
		if (*ep != '\0')
			errstr = "invalid";
		else if ((ll == LLONG_MIN && errno == ERANGE) || ll < minval)
			errstr = "too small";
		else if ((ll == LLONG_MAX && errno == ERANGE) || ll > maxval)
			errstr = "too large";
	}
	if (errstrp)
		*errstrp = errstr;
	errno = saved;
	return errstr ? 0 : ll;
}

void
bug_fl(const char *file, int line, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "BUG: %s:%d: ", file, line);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	abort();
}
