/* SPDX-License-Identifier: ISC */
/*
 * fuzz_common_manifest.c: a manifest read back from a bucket is untrusted.
 * Parsing must fail cleanly or give entries with canonical paths that
 * serialise and parse again to the same thing.
 */
#include "common/compat.h"

#include "common/buf.h"
#include "common/manifest.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct manifest m, again;
	struct buf err = BUF_INIT, json = BUF_INIT, json2 = BUF_INIT;

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
