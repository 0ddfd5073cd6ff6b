/* SPDX-License-Identifier: ISC */
/* test_manifest_memo.c: parsed manifests remembered by their exact text. */
#include "test.h"

#include "common/buf.h"
#include "common/manifest.h"

#define SHA "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"

static void
sample(struct manifest *m, const char *build, int64_t size)
{
	manifest_init(m);
	m->build = strdup(build);
	m->generated = strdup("");
	manifest_add(m, "a/index.html", SHA, size, "text/html; charset=utf-8",
	    "public, max-age=60", false, MK_HTML);
	manifest_add(m, "css/site.01234567.css", SHA, 3, "text/css",
	    "public, max-age=31536000, immutable", true, MK_ASSET);
}

static int
same(const struct manifest *a, const struct manifest *b)
{
	struct buf x = BUF_INIT, y = BUF_INIT;
	int r;

	manifest_to_json(a, &x);
	manifest_to_json(b, &y);
	r = x.len == y.len && !memcmp(x.buf, y.buf, x.len);
	buf_release(&x);
	buf_release(&y);
	return r;
}

TEST(manifest_memo, remembered_text_gives_the_same_manifest)
{
	struct manifest m, got, parsed;
	struct buf json = BUF_INIT, err = BUF_INIT;

	sample(&m, "7", 10);
	manifest_to_json(&m, &json);
	manifest_remember(json.buf, json.len, &m);
	CHECK_INT_EQ(manifest_parse_memo(json.buf, json.len, &got, &err), 0);
	CHECK_INT_EQ(manifest_parse(json.buf, json.len, &parsed, &err), 0);
	CHECK(same(&got, &m));
	CHECK(same(&got, &parsed));
	CHECK_INT_EQ(got.nfiles, 2);
	CHECK_STR_EQ(got.build, "7");
	manifest_release(&m);
	manifest_release(&got);
	manifest_release(&parsed);
	buf_release(&json);
	buf_release(&err);
}

TEST(manifest_memo, other_text_is_parsed)
{
	struct manifest m, other, got;
	struct buf json = BUF_INIT, err = BUF_INIT;

	sample(&m, "8", 10);
	manifest_to_json(&m, &json);
	manifest_remember(json.buf, json.len, &m);
	/* the same length, one byte different: the size of a file */
	buf_reset(&json);
	sample(&other, "8", 11);
	manifest_to_json(&other, &json);
	CHECK_INT_EQ(manifest_parse_memo(json.buf, json.len, &got, &err), 0);
	CHECK_INT_EQ(got.files[0].size, 11);
	/* and bad text is still an error, never a remembered answer */
	CHECK_INT_EQ(manifest_parse_memo("{", 1, &got, &err), -1);
	manifest_release(&m);
	manifest_release(&other);
	manifest_release(&got);
	buf_release(&json);
	buf_release(&err);
}
