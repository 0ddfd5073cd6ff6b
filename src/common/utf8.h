/* SPDX-License-Identifier: ISC */
/*
 * utf8.h: UTF-8 checks for text that comes from files and editors
 * (kiln.yaml, front matter, page titles and bodies).
 */
#ifndef KILN_UTF8_H
#define KILN_UTF8_H

#include <stddef.h>
#include <stdint.h>

/*
 * Length of the valid UTF-8 sequence at s (at most n bytes, n > 0) and
 * its code point in *cp, or 0 if it is not one: overlong forms,
 * surrogates and values past U+10FFFF are invalid.
 */
size_t utf8_decode(const char *s, size_t n, uint32_t *cp);
/* code points in the valid UTF-8 text s of len bytes */
size_t utf8_count(const char *s, size_t len);

#endif
