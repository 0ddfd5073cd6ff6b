/* SPDX-License-Identifier: ISC */
/*
 * fuzz_store_frontmatter.c: Markdown files with front matter come from
 * editors and imports.  fm_parse must return 0 with a title and a body
 * inside the input, or -1 with a FILE:LINE message; never crash.
 */
#include "common/compat.h"

#include "common/buf.h"
#include "store/frontmatter.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct buf err = BUF_INIT;
	struct fm fm;
	const char *s = (const char *)data;

	if (fm_parse(s, size, "f.md", &fm, &err) == 0) {
		if (!fm.title || !json_is_array(fm.tags) ||
		    !json_is_object(fm.extra) || fm.body < s ||
		    fm.body + fm.body_len != s + size)
			abort();
		fm_release(&fm);
	} else if (strncmp(err.buf, "f.md:", 5) != 0)
		abort();
	buf_release(&err);
	return 0;
}
