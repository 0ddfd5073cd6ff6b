/* SPDX-License-Identifier: ISC */
/*
 * jsonsafe.h: JSON values that cannot fail.  jansson refuses strings that
 * are not valid UTF-8 (json_string() and json_pack("s") return NULL), and
 * a NULL that reaches a reply crashes the daemon.  Anything read from the
 * store, a build log or an error message goes through these: invalid
 * bytes become U+FFFD, NULL becomes "" (or null).  Pure; thread-safe.
 */
#ifndef KILN_JSONSAFE_H
#define KILN_JSONSAFE_H

#include <jansson.h>

struct buf;

/* LEN bytes of S are valid UTF-8 (no overlongs, no surrogates) */
bool jsafe_utf8_valid(const char *s, size_t len);
/* append S with every invalid UTF-8 sequence replaced by U+FFFD */
void jsafe_utf8_sanitize(struct buf *out, const char *s, size_t len);
/* a JSON string of S, sanitized; S NULL gives "" */
json_t *jsafe_string(const char *s);
/* a JSON string of S, sanitized; S NULL gives null */
json_t *jsafe_string_or_null(const char *s);
/* a UTC time T as an ISO 8601 JSON string, T 0 as null; new reference */
json_t *jsafe_time(int64_t t);

#endif
