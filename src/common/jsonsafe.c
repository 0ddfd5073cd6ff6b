/* SPDX-License-Identifier: ISC */
/*
 * jsonsafe.c: UTF-8 validation and the JSON strings that never fail (see
 * jsonsafe.h).  The decoder follows RFC 3629 table 3-7 (Unicode's
 * well-formed byte sequences): it rejects overlong forms, surrogates and
 * code points over U+10FFFF, as jansson does.
 */
#include "common/compat.h"

#include "common/buf.h"
#include "common/jsonsafe.h"
#include "common/timeutil.h"

/* the length of the valid sequence at S (at most N bytes), or 0 */
static size_t
seq_len(const unsigned char *s, size_t n)
{
	unsigned char c = s[0], lo = 0x80, hi = 0xBF;
	size_t len;

	if (c < 0x80)
		return 1;
	if (c >= 0xC2 && c <= 0xDF)
		len = 2;
	else if (c >= 0xE0 && c <= 0xEF) {
		len = 3;
		if (c == 0xE0)
			lo = 0xA0;
		else if (c == 0xED)
			hi = 0x9F;
	} else if (c >= 0xF0 && c <= 0xF4) {
		len = 4;
		if (c == 0xF0)
			lo = 0x90;
		else if (c == 0xF4)
			hi = 0x8F;
	} else
		return 0;
	if (n < len || s[1] < lo || s[1] > hi)
		return 0;
	for (size_t i = 2; i < len; i++)
		if (s[i] < 0x80 || s[i] > 0xBF)
			return 0;
	return len;
}

bool
jsafe_utf8_valid(const char *s, size_t len)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0, l;

	while (i < len) {
		if (!(l = seq_len(p + i, len - i)))
			return false;
		i += l;
	}
	return true;
}

void
jsafe_utf8_sanitize(struct buf *out, const char *s, size_t len)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0, l;

	while (i < len) {
		if ((l = seq_len(p + i, len - i))) {
			/* NUL would cut the string short: U+FFFD too */
			if (p[i] == 0)
				buf_adds(out, "\xEF\xBF\xBD");
			else
				buf_add(out, p + i, l);
			i += l;
		} else {
			buf_adds(out, "\xEF\xBF\xBD");
			i++;
		}
	}
}

json_t *
jsafe_string(const char *s)
{
	struct buf b = BUF_INIT;
	json_t *v;

	if (!s)
		s = "";
	if (jsafe_utf8_valid(s, strlen(s)) && (v = json_string(s)))
		return v;
	jsafe_utf8_sanitize(&b, s, strlen(s));
	v = json_string(b.buf);
	buf_release(&b);
	/* cannot happen (the text is valid now); never hand out NULL */
	return v ? v : json_string("");
}

json_t *
jsafe_string_or_null(const char *s)
{
	return s ? jsafe_string(s) : json_null();
}

json_t *
jsafe_time(int64_t t)
{
	char s[32];

	if (!t)
		return json_null();
	time_format_iso8601(t, s, sizeof(s));
	return json_string(s);
}
