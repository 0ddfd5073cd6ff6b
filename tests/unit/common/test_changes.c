/* SPDX-License-Identifier: ISC */
/* test_changes.c: a build's changes file (changes.h, decision 0290). */
#include "test.h"

#include "common/buf.h"
#include "common/changes.h"

#define SHA "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
#define ID1 "00112233445566778899aabbccddeeff"
#define ID2 "ffeeddccbbaa99887766554433221100"

static struct manifest_entry
entry(const char *path)
{
	struct manifest_entry e = { .path = (char *)(uintptr_t)path,
	    .size = 5,
	    .content_type = (char *)(uintptr_t)"text/html; charset=utf-8",
	    .cache_control = (char *)(uintptr_t)"public, max-age=60",
	    .kind = MK_HTML };

	memcpy(e.sha256, SHA, sizeof(e.sha256));
	return e;
}

TEST(changes, round_trip)
{
	const char *removed[] = { "old/index.html", "z b.html" };
	struct manifest_entry files[2] = { entry("a/index.html"),
	    entry("b/index.html") };
	struct buf json = BUF_INIT, err = BUF_INIT;
	struct changes c;

	changes_to_json(&json, ID2, ID1, removed, 2, files, 2);
	CHECK_INT_EQ(changes_parse(json.buf, json.len, &c, &err), 0);
	CHECK_STR_EQ(c.id, ID2);
	CHECK_STR_EQ(c.base, ID1);
	CHECK_INT_EQ(c.files.nfiles, 2);
	CHECK_STR_EQ(c.files.files[1].path, "b/index.html");
	CHECK_STR_EQ(c.files.files[1].sha256, SHA);
	CHECK_INT_EQ(c.nremoved, 2);
	CHECK_STR_EQ(c.removed[1], "z b.html");
	changes_release(&c);
	buf_reset(&json);
	changes_to_json(&json, ID1, "", NULL, 0, NULL, 0);
	CHECK_INT_EQ(changes_parse(json.buf, json.len, &c, &err), 0);
	CHECK_STR_EQ(c.base, "");
	CHECK_INT_EQ(c.files.nfiles + c.nremoved, 0);
	changes_release(&c);
	buf_release(&json);
	buf_release(&err);
}

TEST(changes, bad_text_is_refused_by_field)
{
	static const struct {
		const char *text, *field;
	} bad[] = {
		{ "{", "line 1" },
		{ "{\"version\":1,\"id\":\"x\",\"base\":\"\",\"removed\":[],"
		  "\"files\":[]}", "id, base" },
		{ "{\"version\":1,\"id\":\"" ID1 "\",\"base\":\"" ID1 "0\","
		  "\"removed\":[],\"files\":[]}", "id, base" },
		{ "{\"version\":2,\"id\":\"" ID1 "\",\"base\":\"\","
		  "\"removed\":[],\"files\":[]}", "version" },
		{ "{\"version\":1,\"id\":\"" ID1 "\",\"base\":\"\","
		  "\"removed\":[\"../x\"],\"files\":[]}", "removed[0]" },
		{ "{\"version\":1,\"id\":\"" ID1 "\",\"base\":\"\","
		  "\"removed\":[\"b\",\"a\"],\"files\":[]}", "removed[1]" },
		{ "{\"version\":1,\"id\":\"" ID1 "\",\"base\":\"\","
		  "\"removed\":{},\"files\":[]}", "removed" },
		{ "{\"version\":1,\"id\":\"" ID1 "\",\"base\":\"\","
		  "\"removed\":[],\"files\":[{\"path\":\"/etc/x\"}]}",
		  "files[0].path" },
	};
	struct buf err = BUF_INIT;
	struct changes c;

	for (size_t i = 0; i < NELEM(bad); i++) {
		buf_reset(&err);
		CHECK_INT_EQ(changes_parse(bad[i].text, strlen(bad[i].text), &c,
		    &err), -1);
		CHECK(strstr(err.buf, bad[i].field) != NULL);
		CHECK_INT_EQ(c.files.nfiles + c.nremoved, 0);
	}
	buf_release(&err);
}

TEST(changes, a_path_both_changed_and_removed_is_refused)
{
	const char *removed[] = { "a/index.html" };
	struct manifest_entry files[1] = { entry("a/index.html") };
	struct buf json = BUF_INIT, err = BUF_INIT;
	struct changes c;

	changes_to_json(&json, ID2, ID1, removed, 1, files, 1);
	CHECK_INT_EQ(changes_parse(json.buf, json.len, &c, &err), -1);
	CHECK(strstr(err.buf, "removed[0]") != NULL);
	buf_release(&json);
	buf_release(&err);
}

TEST(changes, new_ids_are_hex_and_differ)
{
	char a[CHANGES_ID_LEN + 1], b[CHANGES_ID_LEN + 1];
	struct buf err = BUF_INIT;

	CHECK_INT_EQ(changes_new_id(a, &err), 0);
	CHECK_INT_EQ(changes_new_id(b, &err), 0);
	CHECK_INT_EQ(strlen(a), CHANGES_ID_LEN);
	CHECK(strcmp(a, b) != 0);
	buf_release(&err);
}
