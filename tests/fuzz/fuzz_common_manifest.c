/* SPDX-License-Identifier: ISC */
/*
 * fuzz_common_manifest.c: a manifest read back from a bucket is untrusted.
 * Parsing must fail cleanly or give entries with canonical paths that
 * serialise and parse again to the same thing.  Whatever the fast path
 * (decision 0220) accepts, jansson's parser accepts as the same manifest.
 */
#include "common/compat.h"

#include "common/buf.h"
#include "common/manifest.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* the fast path agrees with the full parser where it answers */
static void
check_fast(const uint8_t *data, size_t size)
{
	struct manifest fast, full;
	struct buf err = BUF_INIT, a = BUF_INIT, b = BUF_INIT;

	if (manifest_parse_fast((const char *)data, size, &fast) == 0) {
		if (manifest_parse_json((const char *)data, size, &full,
		    &err) != 0)
			abort();
		manifest_to_json(&fast, &a);
		manifest_to_json(&full, &b);
		if (a.len != b.len || memcmp(a.buf, b.buf, a.len) != 0 ||
		    strcmp(fast.build, full.build) != 0 ||
		    strcmp(fast.generated, full.generated) != 0)
			abort();
		manifest_release(&full);
		manifest_release(&fast);
	}
	buf_release(&err);
	buf_release(&a);
	buf_release(&b);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct manifest m, again;
	struct buf err = BUF_INIT, json = BUF_INIT, json2 = BUF_INIT;

	check_fast(data, size);
	if (manifest_parse((const char *)data, size, &m, &err) == 0) {
		manifest_to_json(&m, &json);
		if (manifest_parse(json.buf, json.len, &again, &err) != 0)
			abort();
		manifest_to_json(&again, &json2);
		if (strcmp(json.buf, json2.buf) != 0)
			abort();
		manifest_release(&again);
		manifest_release(&m);
	}
	buf_release(&err);
	buf_release(&json);
	buf_release(&json2);
	return 0;
}
