/* SPDX-License-Identifier: ISC */
/*
 * fuzz_common_path.c: path canonicalisation must never produce a path
 * with "..", a leading '/', an empty component or a control character,
 * whatever the input (STYLE H26).  First byte: 0 = page path, 1 = file path.
 */
#include "common/compat.h"

#include "common/buf.h"
#include "common/path.h"
#include "common/xmalloc.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
check(const char *p)
{
	const char *c;

	if (*p == '/')
		abort();
	for (c = p; *c; c++)
		if ((unsigned char)*c < 0x20 || *c == '\\')
			abort();
	if (strstr(p, "//") || strcmp(p, "..") == 0 ||
	    strncmp(p, "../", 3) == 0 || strstr(p, "/../") ||
	    (strlen(p) >= 3 && strcmp(p + strlen(p) - 3, "/..") == 0))
		abort();
	if (*p && p[strlen(p) - 1] == '/')
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct buf out = BUF_INIT, err = BUF_INIT;
	char *s;
	int rc;

	if (size < 1)
		return 0;
	s = xstrndup((const char *)data + 1, size - 1);
	if (data[0] & 1)
		rc = path_clean_rel(s, &out, &err);
	else
		rc = path_canonicalize(s, &out, &err);
	if (rc == 0)
		check(out.buf);
	slug_from_title(s, &out);
	if (!slug_valid(out.buf, out.len) && strcmp(out.buf, "page") != 0)
		abort();
	free(s);
	buf_release(&out);
	buf_release(&err);
	return 0;
}
