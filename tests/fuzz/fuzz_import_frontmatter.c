/* SPDX-License-Identifier: ISC */
/*
 * fuzz_import_frontmatter.c: Hugo front matter from imported files, the
 * TOML reader above all (import_toml.c, our own code).  import_fm_split
 * must return 0 with a JSON object and a body inside the input, or -1
 * with a FILE:LINE message; never crash, hang or leak.  The input is
 * also read as a whole TOML document (the config's path).
 */
#include "common/compat.h"

#include "common/buf.h"
#include "import/import.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct buf err = BUF_INIT;
	const char *s = (const char *)data;
	json_t *meta = NULL, *lines = NULL;
	size_t off = 0;
	int line = 0;

	if (import_fm_split(s, size, "f.md", &meta, &lines, &off, &line,
	    &err) == 0) {
		if (!json_is_object(meta) || !json_is_object(lines) ||
		    off > size || line < 1)
			abort();
		json_decref(meta);
		json_decref(lines);
	} else if (strncmp(err.buf, "f.md:", 5) != 0)
		abort();
	buf_reset(&err);
	meta = NULL;
	if (import_toml_parse(s, size, "c.toml", 0, &meta, NULL, &err) == 0) {
		if (!json_is_object(meta))
			abort();
		json_decref(meta);
	} else if (strncmp(err.buf, "c.toml:", 7) != 0)
		abort();
	buf_release(&err);
	return 0;
}
