/* SPDX-License-Identifier: ISC */
/*
 * utf8.c: a strict UTF-8 decoder (RFC 3629): the shortest form only, no
 * surrogates, nothing past U+10FFFF.  Used before libfyaml sees bytes
 * (it loops on some invalid input) and by the store's page checks.
 */
#include "common/compat.h"

#include "common/utf8.h"

size_t
utf8_decode(const char *str, size_t n, uint32_t *cpp)
{
	const unsigned char *s = (const unsigned char *)str;
	uint32_t cp;
	size_t len, i;

	if (s[0] < 0x80) {
		*cpp = s[0];
		return 1;
	}
	if (s[0] >= 0xc2 && s[0] <= 0xdf) {
		len = 2;
		cp = s[0] & 0x1f;
	} else if (s[0] >= 0xe0 && s[0] <= 0xef) {
		len = 3;
		cp = s[0] & 0x0f;
	} else if (s[0] >= 0xf0 && s[0] <= 0xf4) {
		len = 4;
		cp = s[0] & 0x07;
	} else {
		return 0;
	}
	if (len > n)
		return 0;
	for (i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (s[i] & 0x3f);
	}
	if ((len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000) ||
	    (cp >= 0xd800 && cp <= 0xdfff) || cp > 0x10ffff)
		return 0;
	*cpp = cp;
	return len;
}

size_t
utf8_count(const char *s, size_t len)
{
	size_t n = 0;

	for (size_t i = 0; i < len; i++)
		if (((unsigned char)s[i] & 0xc0) != 0x80)
			n++;
	return n;
}
