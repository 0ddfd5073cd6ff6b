/* SPDX-License-Identifier: ISC */
/*
 * fuzz_history_head.c: the head of a build's manifest, read by history's
 * fast commit (decision 0320), comes from an output folder an external
 * build command may have written.  manifest_text_head must refuse
 * anything but the exact head manifest_to_json writes, and what it
 * accepts must write back to the same bytes.
 */
#include "common/compat.h"

#include <stdlib.h>
#include <string.h>

#include "common/buf.h"
#include "common/manifest.h"
#include "history/history_int.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct buf again = BUF_INIT;
	char *build, *generated;

	if (manifest_text_head((const char *)data, size, &build,
	    &generated) == 0) {
		manifest_json_head(&again, build, generated);
		if (again.len > size || memcmp(again.buf, data, again.len) != 0)
			abort();
		free(build);
		free(generated);
	}
	buf_release(&again);
	return 0;
}
