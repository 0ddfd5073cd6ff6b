/* SPDX-License-Identifier: ISC */
/*
 * path.c: path canonicalisation (after httpd's canonicalize_path), slugs.
 * Every path that comes from content, the API or a manifest passes here
 * before it names a file or an object key.
 */
#include "common/compat.h"

#include <ctype.h>
#include <string.h>

#include "common/buf.h"
#include "common/limits.h"
#include "common/path.h"

bool
slug_valid(const char *s, size_t len)
{
	size_t i;

	if (len == 0 || len > LIMIT_SLUG || s[0] == '.')
		return false;
	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];
		if (!(islower(c) || isdigit(c) || c == '-' || c == '_' ||
		    c == '.'))
			return false;
	}
	return true;
}

void
slug_from_title(const char *title, struct buf *out)
{
	int dash = 0;

	buf_reset(out);
	for (; *title && out->len < LIMIT_SLUG; title++) {
		unsigned char c = (unsigned char)*title;
		if (isalnum(c) && c < 0x80) {
			if (dash && out->len) {
				if (out->len + 2 > LIMIT_SLUG)
					break;
				buf_addch(out, '-');
			}
			dash = 0;
			buf_addch(out, tolower(c));
		} else
			dash = 1;
	}
	if (out->len == 0)
		buf_adds(out, "page");
}

static int
clean(const char *in, struct buf *out, struct buf *err, bool slugs)
{
	struct buf tmp = BUF_INIT;
	const char *p = in, *start;
	size_t n;

	if (strlen(in) > LIMIT_PATH) {
		buf_setf(err, "path too long (over %d bytes)", LIMIT_PATH);
		return -1;
	}
	while (*p) {
		while (*p == '/')
			p++;
		if (!*p)
			break;
		start = p;
		while (*p && *p != '/')
			p++;
		n = (size_t)(p - start);
		if (n == 1 && start[0] == '.')
			continue;
		if (n == 2 && start[0] == '.' && start[1] == '.') {
			buf_setf(err, "path '%s': '..' is not allowed", in);
			goto fail;
		}
		for (size_t i = 0; i < n; i++) {
			unsigned char c = (unsigned char)start[i];
			if (c < 0x20 || c == 0x7f || c == '\\') {
				buf_setf(err, "path '%s': control character "
				    "or backslash", in);
				goto fail;
			}
		}
		if (slugs && !slug_valid(start, n)) {
			buf_setf(err, "path '%s': '%.*s' is not a valid slug "
			    "(a-z, 0-9, '-', '_', '.')", in, (int)n, start);
			goto fail;
		}
		if (tmp.len)
			buf_addch(&tmp, '/');
		buf_add(&tmp, start, n);
	}
	buf_reset(out);
	buf_add(out, tmp.buf, tmp.len);
	buf_release(&tmp);
	return 0;
fail:
	buf_release(&tmp);
	return -1;
}

int
path_canonicalize(const char *in, struct buf *out, struct buf *err)
{
	return clean(in, out, err, true);
}

int
path_clean_rel(const char *in, struct buf *out, struct buf *err)
{
	if (clean(in, out, err, false) == -1)
		return -1;
	if (out->len == 0) {
		buf_setf(err, "path '%s' is empty", in);
		return -1;
	}
	return 0;
}

bool
path_is_clean_rel(const char *path)
{
	struct buf clean = BUF_INIT, e = BUF_INIT;
	bool ok = path_clean_rel(path, &clean, &e) == 0 &&
	    !strcmp(clean.buf, path);

	buf_release(&clean);
	buf_release(&e);
	return ok;
}
