/* SPDX-License-Identifier: ISC */
/*
 * test_manifest_shard.c: the manifest in shards (manifest_shard.c,
 * decisions 0320 and 0370): read from the text without a parse, the
 * shards are those of the parsed manifest, byte for byte; any text not
 * exactly as kiln writes it is refused, for the caller to parse.
 */
#include "test.h"

#include "common/buf.h"
#include "common/manifest.h"
#include "common/xmalloc.h"

static void
sample(struct manifest *m, size_t n)
{
	struct buf err = BUF_INIT;
	char path[64];

	manifest_init(m);
	free(m->build);
	free(m->generated);
	m->build = xstrdup("42");
	m->generated = xstrdup("2026-12-03T00:00:00Z");
	for (size_t i = 0; i < n; i++) {
		snprintf(path, sizeof(path), "s%zu/page-%zu/index.html", i % 7,
		    i);
		manifest_add(m, path, "0123456789abcdef0123456789abcdef"
		    "0123456789abcdef0123456789abcdef", (int64_t)i,
		    "text/html; charset=utf-8", "public, max-age=60", false,
		    MK_HTML);
	}
	manifest_set_redirect(&m->files[0], "/elsewhere/");
	CHECK_OK(manifest_sort(m, &err));
	buf_release(&err);
}

TEST(manifest_shard, text_shards_are_the_parsed_ones)
{
	static struct buf out[MANIFEST_SHARDS];
	size_t count[MANIFEST_SHARDS], total = 0;
	bool want[MANIFEST_SHARDS];
	struct manifest m;
	struct manifest_shards sh;
	struct buf text = BUF_INIT, again = BUF_INIT;
	char *build, *generated;

	sample(&m, 1000);
	manifest_to_json(&m, &text);
	for (unsigned s = 0; s < MANIFEST_SHARDS; s++)
		want[s] = s % 3 == 0;
	CHECK_OK(manifest_text_shards(text.buf, text.len, want, out, count,
	    &build, &generated));
	CHECK_STR_EQ(build, "42");
	CHECK_STR_EQ(generated, "2026-12-03T00:00:00Z");
	manifest_shards_split(&m, &sh);
	for (unsigned s = 0; s < MANIFEST_SHARDS; s++) {
		if (!want[s]) {
			CHECK(out[s].len == 0);
			continue;
		}
		buf_reset(&again);
		manifest_shard_json(&again, sh.e + sh.at[s],
		    sh.at[s + 1] - sh.at[s]);
		CHECK_INT_EQ(count[s], sh.at[s + 1] - sh.at[s]);
		CHECK_STR_EQ(out[s].buf, again.buf);
		total += count[s];
		buf_release(&out[s]);
	}
	CHECK(total > 250 && total < 1000);
	free(build);
	free(generated);
	free(sh.e);
	manifest_release(&m);
	buf_release(&text);
	buf_release(&again);
}

TEST(manifest_shard, other_text_is_refused)
{
	static struct buf out[MANIFEST_SHARDS];
	size_t count[MANIFEST_SHARDS];
	bool want[MANIFEST_SHARDS];
	struct manifest m;
	struct buf text = BUF_INIT;
	char *build = NULL, *generated = NULL, *p;
	const char *bad[] = {
		/* spaces: valid JSON, not kiln's text */
		"{\"version\": 1, \"build\": \"\", \"generated\": \"\", "
		    "\"files\": []}\n",
		/* cut */
		"{\"version\":1,\"build\":\"\",\"generated\":\"\",\"files\":[\n"
		    "{\"path\":\"a.html\",\"sha256\":\"",
		/* an entry that is not one */
		"{\"version\":1,\"build\":\"\",\"generated\":\"\",\"files\":[\n"
		    "{\"path\":\"a.html\"}\n]}\n",
		/* an escape in a path */
		"{\"version\":1,\"build\":\"\",\"generated\":\"\",\"files\":[\n"
		    "{\"path\":\"a\\u0041.html\"}\n]}\n",
	};

	for (unsigned s = 0; s < MANIFEST_SHARDS; s++)
		want[s] = true;
	for (size_t i = 0; i < NELEM(bad); i++)
		CHECK_INT_EQ(manifest_text_shards(bad[i], strlen(bad[i]), want,
		    out, count, &build, &generated), -1);
	CHECK(build == NULL && generated == NULL);
	/* a line broken in the middle of the files */
	sample(&m, 10);
	manifest_to_json(&m, &text);
	p = strstr(text.buf, ",\"size\"");
	*p = '\n';
	CHECK_INT_EQ(manifest_text_shards(text.buf, text.len, want, out,
	    count, &build, &generated), -1);
	for (unsigned s = 0; s < MANIFEST_SHARDS; s++)
		CHECK(out[s].len == 0);
	manifest_release(&m);
	buf_release(&text);
	for (unsigned s = 0; s < MANIFEST_SHARDS; s++)
		buf_release(&out[s]);
}
