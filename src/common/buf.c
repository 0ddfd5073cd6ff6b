/* SPDX-License-Identifier: ISC */
/*
 * buf.c: the growable buffer of buf.h.  Size arithmetic is overflow-checked;
 * allocation failure aborts through xmalloc, going over b->max does not.
 */
#include "common/compat.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/buf.h"
#include "common/xmalloc.h"

char buf_empty[1];

void
buf_init(struct buf *b, size_t max)
{
	b->buf = buf_empty;
	b->len = b->alloc = 0;
	b->max = max;
	b->err = 0;
}

void
buf_release(struct buf *b)
{
	if (!b)
		return;
	if (b->alloc)
		free(b->buf);
	buf_init(b, b->max);
}

void
buf_reset(struct buf *b)
{
	b->err = 0;
	buf_setlen(b, 0);
}

char *
buf_detach(struct buf *b, size_t *lenp)
{
	char *s;

	if (!b->alloc)
		s = xstrdup("");
	else
		s = b->buf;
	if (lenp)
		*lenp = b->len;
	buf_init(b, b->max);
	return s;
}

/*
 * Room for EXTRA more bytes (and the NUL): grown to the next power of
 * two, or, EXACT, to exactly what is asked (buf_reserve).
 */
static int
buf_room(struct buf *b, size_t extra, bool exact)
{
	size_t want, n;

	if (b->len > SIZE_MAX - extra - 1) {
		b->err = 1;
		return -1;
	}
	want = b->len + extra + 1;
	if (b->max && want - 1 > b->max) {
		b->err = 1;
		return -1;
	}
	if (want <= b->alloc)
		return 0;
	n = exact ? want : b->alloc ? b->alloc : 64;
	while (n < want)
		n = n > SIZE_MAX / 2 ? want : n * 2;
	if (!b->alloc) {
		b->buf = xmalloc(n);
		b->buf[0] = '\0';
	} else
		b->buf = xreallocarray(b->buf, n, 1);
	b->alloc = n;
	return 0;
}

int
buf_grow(struct buf *b, size_t extra)
{
	return buf_room(b, extra, false);
}

/*
 * Room for EXTRA more bytes, allocated exactly when it must grow: for a
 * text whose total is known (a file of known size, a list of kept
 * texts), which buf_grow would round up to a power of two (a 10.5 MB
 * record in 16.8 MB).  Appends past it grow as buf_grow does.
 */
int
buf_reserve(struct buf *b, size_t extra)
{
	return buf_room(b, extra, true);
}

void
buf_fit(struct buf *b)
{
	if (b->alloc > b->len + 1) {
		b->buf = xreallocarray(b->buf, b->len + 1, 1);
		b->alloc = b->len + 1;
	}
}

void
buf_setlen(struct buf *b, size_t len)
{
	if (!b->alloc) {
		if (len != 0)
			BUG("buf_setlen on an empty buffer");
		return;
	}
	if (len >= b->alloc)
		BUG("buf_setlen beyond allocation");
	b->len = len;
	b->buf[len] = '\0';
}

int
buf_add(struct buf *b, const void *data, size_t len)
{
	if (len == 0)
		return b->err ? -1 : 0;
	if (buf_grow(b, len) == -1)
		return -1;
	memcpy(b->buf + b->len, data, len);
	b->len += len;
	b->buf[b->len] = '\0';
	return 0;
}

int
buf_adds(struct buf *b, const char *s)
{
	return buf_add(b, s, strlen(s));
}

int
buf_add_i64(struct buf *b, int64_t v)
{
	char tmp[24], *p = tmp + sizeof(tmp);
	uint64_t u = v < 0 ? -(uint64_t)v : (uint64_t)v;

	*--p = ' ';
	do
		*--p = (char)('0' + u % 10);
	while ((u /= 10) != 0);
	if (v < 0)
		*--p = '-';
	return buf_add(b, p, (size_t)(tmp + sizeof(tmp) - p));
}

int
buf_addch(struct buf *b, int c)
{
	char ch = (char)c;

	return buf_add(b, &ch, 1);
}

int
buf_vprintf(struct buf *b, const char *fmt, va_list ap)
{
	va_list cp;
	int n;

	va_copy(cp, ap);
	n = vsnprintf(NULL, 0, fmt, cp);
	va_end(cp);
	if (n < 0 || buf_grow(b, (size_t)n) == -1) {
		b->err = 1;
		return -1;
	}
	vsnprintf(b->buf + b->len, (size_t)n + 1, fmt, ap);
	b->len += (size_t)n;
	return 0;
}

int
buf_printf(struct buf *b, const char *fmt, ...)
{
	va_list ap;
	int rc;

	va_start(ap, fmt);
	rc = buf_vprintf(b, fmt, ap);
	va_end(ap);
	return rc;
}

int
buf_setf(struct buf *b, const char *fmt, ...)
{
	va_list ap;
	int rc;

	buf_reset(b);
	va_start(ap, fmt);
	rc = buf_vprintf(b, fmt, ap);
	va_end(ap);
	return rc;
}

int
buf_add_html(struct buf *b, const char *s, size_t len)
{
	size_t i, start = 0;
	const char *rep;

	for (i = 0; i < len; i++) {
		switch (s[i]) {
		case '&': rep = "&amp;"; break;
		case '<': rep = "&lt;"; break;
		case '>': rep = "&gt;"; break;
		case '"': rep = "&quot;"; break;
		case '\'': rep = "&#39;"; break;
		default: continue;
		}
		if (buf_add(b, s + start, i - start) == -1 ||
		    buf_adds(b, rep) == -1)
			return -1;
		start = i + 1;
	}
	return buf_add(b, s + start, len - start);
}

int
buf_add_json_str(struct buf *b, const char *s, size_t len)
{
	size_t i, start = 0;
	char esc[8];
	unsigned char c;

	for (i = 0; i < len; i++) {
		c = (unsigned char)s[i];
		if (c >= 0x20 && c != '"' && c != '\\')
			continue;
		if (buf_add(b, s + start, i - start) == -1)
			return -1;
		switch (c) {
		case '"': buf_adds(b, "\\\""); break;
		case '\\': buf_adds(b, "\\\\"); break;
		case '\n': buf_adds(b, "\\n"); break;
		case '\r': buf_adds(b, "\\r"); break;
		case '\t': buf_adds(b, "\\t"); break;
		default:
			snprintf(esc, sizeof(esc), "\\u%04x", c);
			buf_adds(b, esc);
		}
		start = i + 1;
	}
	buf_add(b, s + start, len - start);
	return b->err ? -1 : 0;
}
