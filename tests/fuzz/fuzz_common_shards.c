/* SPDX-License-Identifier: ISC */
/*
 * fuzz_common_shards.c: a deploy reads a build's manifest into shards
 * without parsing it (manifest_text_shards, decision 0370); the output
 * folder may come from an external build command.  Whatever the reader
 * accepts, each shard is a manifest of its own entries only, and when
 * the whole text parses, the shards are byte for byte those of the
 * parsed manifest (manifest_shards_split, manifest_shard_json).
 */
#include "common/compat.h"

#include <stdlib.h>
#include <string.h>

#include "common/buf.h"
#include "common/manifest.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct buf out[MANIFEST_SHARDS];
	size_t count[MANIFEST_SHARDS];
	bool want[MANIFEST_SHARDS];
	struct buf err = BUF_INIT, again = BUF_INIT;
	struct manifest m, sh;
	struct manifest_shards split;
	char *build, *generated;

	for (unsigned s = 0; s < MANIFEST_SHARDS; s++) {
		want[s] = true;
		buf_reset(&out[s]);
	}
	if (manifest_text_shards((const char *)data, size, want, out, count,
	    &build, &generated) == -1)
		return 0;
	for (unsigned s = 0; s < MANIFEST_SHARDS; s++) {
		if (manifest_parse_fast(out[s].buf, out[s].len, &sh) == -1 ||
		    sh.nfiles != count[s] || *sh.build || *sh.generated)
			abort();
		for (size_t i = 0; i < sh.nfiles; i++)
			if (manifest_shard(sh.files[i].path) != s)
				abort();
		manifest_release(&sh);
	}
	if (manifest_parse((const char *)data, size, &m, &err) == 0) {
		if (strcmp(m.build, build) || strcmp(m.generated, generated))
			abort();
		manifest_shards_split(&m, &split);
		for (unsigned s = 0; s < MANIFEST_SHARDS; s++) {
			buf_reset(&again);
			manifest_shard_json(&again, split.e + split.at[s],
			    split.at[s + 1] - split.at[s]);
			if (again.len != out[s].len || memcmp(again.buf,
			    out[s].buf, again.len) != 0)
				abort();
		}
		free(split.e);
		manifest_release(&m);
	}
	free(build);
	free(generated);
	buf_release(&err);
	buf_release(&again);
	return 0;
}
