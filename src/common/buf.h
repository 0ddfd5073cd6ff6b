/* SPDX-License-Identifier: ISC */
/*
 * buf.h: the one growable byte buffer (git's strbuf, curl's dynbuf).
 *
 * Invariants: b->buf is never NULL and is always NUL-terminated, also after
 * BUF_INIT (it then points at a shared empty string).  Growth is capped by
 * b->max (0 = no cap, for internal strings only; anything sized by input
 * sets a cap from limits.h).  Going over the cap sets the sticky b->err
 * flag, leaves the contents as they were and makes the append return -1:
 * a long chain of appends may check buf_error() once at the end (SQLite's
 * sqlite3_str).
 *
 * Not thread-safe; a buf belongs to one thread at a time.
 */
#ifndef KILN_BUF_H
#define KILN_BUF_H

#include <stdarg.h>

struct buf {
	char *buf;
	size_t len;
	size_t alloc;
	size_t max;
	int err;
};

extern char buf_empty[];
#define BUF_INIT { buf_empty, 0, 0, 0, 0 }

void buf_init(struct buf *b, size_t max);
/* free the contents; b is then as after BUF_INIT (max kept). NULL ok. */
void buf_release(struct buf *b);
/* len = 0, keeps memory and the error flag cleared */
void buf_reset(struct buf *b);
/* hand the bytes (NUL-terminated, malloc'd) to the caller; b is reset */
char *buf_detach(struct buf *b, size_t *lenp);
int buf_grow(struct buf *b, size_t extra);
/* room for EXTRA more bytes, exactly (no rounding up) when it grows */
int buf_reserve(struct buf *b, size_t extra);
/* give back the room past the contents (a text made on an estimate) */
void buf_fit(struct buf *b);
int buf_add(struct buf *b, const void *data, size_t len);
int buf_adds(struct buf *b, const char *s);
/* V in decimal and a space: a cheap field separator for hash inputs */
int buf_add_i64(struct buf *b, int64_t v);
int buf_addch(struct buf *b, int c);
int buf_printf(struct buf *b, const char *fmt, ...) PRINTF_LIKE(2, 3);
int buf_vprintf(struct buf *b, const char *fmt, va_list ap) PRINTF_LIKE(2, 0);
/* replace the contents with a formatted string (for err buffers) */
int buf_setf(struct buf *b, const char *fmt, ...) PRINTF_LIKE(2, 3);
void buf_setlen(struct buf *b, size_t len);
/* append s with &<>"' escaped as HTML entities */
int buf_add_html(struct buf *b, const char *s, size_t len);
/* append s as the body of a JSON string (no quotes) */
int buf_add_json_str(struct buf *b, const char *s, size_t len);
static inline int
buf_error(const struct buf *b)
{
	return b->err;
}

#endif
