/* SPDX-License-Identifier: ISC */
/*
 * fuzz_feed_list.c: the approved list of units is untrusted: whatever
 * the input, every entry kept has an id and a version that are single
 * safe path segments, and nothing crashes or leaks.
 */
#include "common/compat.h"

#include "common/buf.h"
#include "feed/feed.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct feed_list l;
	struct buf err = BUF_INIT;

	if (feed_list_parse((const char *)data, size, "/base", &l, &err) == 0)
		for (size_t i = 0; i < l.n; i++)
			if (!feed_name_ok(l.e[i].id) ||
			    !feed_name_ok(l.e[i].version) ||
			    strchr(l.e[i].id, '/') || strstr(l.e[i].version,
			    ".."))
				abort();
	feed_list_release(&l);
	buf_release(&err);
	return 0;
}
