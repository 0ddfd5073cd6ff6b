/* SPDX-License-Identifier: ISC */
/* test_common.c: buf, path, time and hash helpers. */
#include "test.h"

#include <sys/uio.h>

#include "common/buf.h"
#include "common/fsutil.h"
#include "common/hash.h"
#include "common/path.h"
#include "common/timeutil.h"

TEST(buf, grow_and_cap)
{
	struct buf b = BUF_INIT;

	CHECK_STR_EQ(b.buf, "");
	CHECK_OK(buf_adds(&b, "hello"));
	CHECK_OK(buf_printf(&b, " %d", 42));
	CHECK_STR_EQ(b.buf, "hello 42");
	buf_release(&b);
	buf_init(&b, 4);
	CHECK_OK(buf_adds(&b, "abcd"));
	CHECK_INT_EQ(buf_adds(&b, "e"), -1);
	CHECK_INT_EQ(buf_error(&b), 1);
	CHECK_STR_EQ(b.buf, "abcd");
	buf_release(&b);
}

TEST(buf, reserve_allocates_exactly)
{
	struct buf b = BUF_INIT;

	/* buf_grow would round 1,000,000 up to 1,048,576 */
	CHECK_OK(buf_reserve(&b, 1000000));
	CHECK_INT_EQ(b.alloc, 1000001);
	CHECK_STR_EQ(b.buf, "");
	CHECK_OK(buf_adds(&b, "ab"));
	CHECK_OK(buf_reserve(&b, 10));	/* room enough: unchanged */
	CHECK_INT_EQ(b.alloc, 1000001);
	buf_release(&b);
	CHECK_OK(buf_adds(&b, "abc"));
	CHECK_OK(buf_reserve(&b, 100));	/* grows from its length */
	CHECK_INT_EQ(b.alloc, 104);
	CHECK_STR_EQ(b.buf, "abc");
	buf_release(&b);
	buf_init(&b, 10);
	CHECK_INT_EQ(buf_reserve(&b, 11), -1);	/* over the cap */
	CHECK_INT_EQ(buf_error(&b), 1);
	buf_release(&b);
	/* an estimate too large, given back */
	buf_init(&b, 0);
	CHECK_OK(buf_reserve(&b, 5000));
	CHECK_OK(buf_adds(&b, "abcd"));
	buf_fit(&b);
	CHECK_INT_EQ(b.alloc, 5);
	CHECK_STR_EQ(b.buf, "abcd");
	CHECK_OK(buf_adds(&b, "e"));
	CHECK_STR_EQ(b.buf, "abcde");
	buf_release(&b);
	buf_fit(&b);	/* nothing allocated: nothing to do */
	CHECK_INT_EQ(b.alloc, 0);
}

TEST(buf, html_and_json_escape)
{
	struct buf b = BUF_INIT;

	CHECK_OK(buf_add_html(&b, "<a href=\"x\">&'", 14));
	CHECK_STR_EQ(b.buf, "&lt;a href=&quot;x&quot;&gt;&amp;&#39;");
	buf_reset(&b);
	CHECK_OK(buf_add_json_str(&b, "a\"b\\\n\x01", 6));
	CHECK_STR_EQ(b.buf, "a\\\"b\\\\\\n\\u0001");
	buf_release(&b);
}

TEST(path, canonicalize)
{
	struct buf out = BUF_INIT, err = BUF_INIT;

	CHECK_OK(path_canonicalize("/news//2024/./hello/", &out, &err));
	CHECK_STR_EQ(out.buf, "news/2024/hello");
	CHECK_OK(path_canonicalize("/", &out, &err));
	CHECK_STR_EQ(out.buf, "");
	CHECK_INT_EQ(path_canonicalize("news/../../etc", &out, &err), -1);
	CHECK(strstr(err.buf, "'..'") != NULL);
	CHECK_INT_EQ(path_canonicalize("News", &out, &err), -1);
	CHECK_INT_EQ(path_canonicalize("a\\b", &out, &err), -1);
	CHECK_INT_EQ(path_canonicalize(".hidden", &out, &err), -1);
	CHECK_OK(path_clean_rel("css/Site Main.css", &out, &err));
	CHECK_STR_EQ(out.buf, "css/Site Main.css");
	CHECK_INT_EQ(path_clean_rel("../x", &out, &err), -1);
	buf_release(&out);
	buf_release(&err);
}

TEST(path, slug_from_title)
{
	struct buf out = BUF_INIT;

	slug_from_title("Hello, World!  2024", &out);
	CHECK_STR_EQ(out.buf, "hello-world-2024");
	slug_from_title("???", &out);
	CHECK_STR_EQ(out.buf, "page");
	buf_release(&out);
}

TEST(time, iso8601)
{
	int64_t t;
	char s[32];

	CHECK_OK(time_parse_iso8601("2026-11-24T14:50:55Z", &t));
	CHECK_INT_EQ(t, 1795531855);
	time_format_iso8601(t, s, sizeof(s));
	CHECK_STR_EQ(s, "2026-11-24T14:50:55Z");
	CHECK_OK(time_parse_iso8601("2026-11-24T16:50:55+02:00", &t));
	CHECK_INT_EQ(t, 1795531855);
	CHECK_OK(time_parse_iso8601("2026-11-24", &t));
	CHECK_INT_EQ(t, 1795478400);
	CHECK_INT_EQ(time_parse_iso8601("2026-02-31", &t), -1);
	CHECK_INT_EQ(time_parse_iso8601("yesterday", &t), -1);
	CHECK_INT_EQ(time_parse_iso8601("2026-11-24T14:50Zjunk", &t), -1);
}

/* time_utc and time_format_ymd agree with gmtime_r and strftime */
TEST(time, utc_fields_as_gmtime)
{
	static const int64_t fixed[] = { 0, -1, 86399, 86400, -86400,
	    -86401, 951782400 /* 2000-02-29 */, 4107542399 /* 2100-02-28 */,
	    -2203891200 /* 1900-03-01 */, -30610224000 /* 1000-01-01 */,
	    -30610224001, 253402300799 /* 9999-12-31T23:59:59 */,
	    253402300800, -62135596800 /* 0001-01-01 */, 1795531855 };
	uint64_t r = 88172645463325252ULL;
	char want[32], got[16];

	for (size_t k = 0; k < NELEM(fixed) + 20000; k++) {
		int64_t t;
		struct time_utc u;
		struct tm tm;
		time_t tt;
		if (k < NELEM(fixed))
			t = fixed[k];
		else {
			/* xorshift: times from about year -2000 to 6000 */
			r ^= r << 13;
			r ^= r >> 7;
			r ^= r << 17;
			t = (int64_t)(r % 252460800000ULL) - 126230400000LL;
		}
		tt = (time_t)t;
		CHECK(gmtime_r(&tt, &tm) != NULL);
		time_utc(t, &u);
		CHECK_INT_EQ(u.year, (int64_t)tm.tm_year + 1900);
		CHECK_INT_EQ(u.mon, tm.tm_mon + 1);
		CHECK_INT_EQ(u.mday, tm.tm_mday);
		CHECK_INT_EQ(u.hour, tm.tm_hour);
		CHECK_INT_EQ(u.min, tm.tm_min);
		CHECK_INT_EQ(u.sec, tm.tm_sec);
		time_format(t, "%Y-%m-%d", want, sizeof(want));
		time_format_ymd(t, got);
		CHECK_STR_EQ(got, want);
	}
}

TEST(time, duration)
{
	int64_t s;

	CHECK_OK(duration_parse("1h30m", &s));
	CHECK_INT_EQ(s, 5400);
	CHECK_OK(duration_parse("45", &s));
	CHECK_INT_EQ(s, 45);
	CHECK_INT_EQ(duration_parse("1x", &s), -1);
	CHECK_INT_EQ(duration_parse("", &s), -1);
}

TEST(hash, sha256_and_md5)
{
	char hex[65], b64[25];

	sha256_hex("abc", 3, hex);
	CHECK_STR_EQ(hex, "ba7816bf8f01cfea414140de5dae2223"
	    "b00361a396177a9cb410ff61f20015ad");
	md5_base64("", 0, b64);
	CHECK_STR_EQ(b64, "1B2M2Y8AsgTpgAmY7PhCfg==");
}

TEST(fsutil, atomic_write_and_read)
{
	struct buf data = BUF_INIT, err = BUF_INIT;

	CHECK_OK(mkdir_p("a/b/c", &err));
	CHECK_OK(file_write_atomic("a/b/c/f.txt", "xyz", 3, &err));
	CHECK_OK(file_read("a/b/c/f.txt", &data, 100, &err));
	CHECK_STR_EQ(data.buf, "xyz");
	CHECK_INT_EQ(file_read("a/b/c/f.txt", &data, 2, &err), -1);
	CHECK_INT_EQ(file_read("nope", &data, 2, &err), -1);
	CHECK(strstr(err.buf, "cannot open 'nope'") != NULL);
	CHECK_OK(rm_rf("a", &err));
	CHECK(!dir_exists("a"));
	buf_release(&data);
	buf_release(&err);
}

TEST(fsutil, a_file_is_read_into_exactly_its_size)
{
	struct buf data = BUF_INIT, err = BUF_INIT, want = BUF_INIT;

	/* more than one 64 KB read, not a power of two */
	for (int i = 0; i < 100000; i++)
		buf_addch(&want, 'a' + i % 26);
	CHECK_OK(file_write_atomic("r.txt", want.buf, want.len, &err));
	CHECK_OK(file_read("r.txt", &data, 1 << 20, &err));
	CHECK_INT_EQ(data.len, 100000);
	CHECK_INT_EQ(data.alloc, 100001);	/* not 131,072 */
	CHECK(memcmp(data.buf, want.buf, want.len) == 0);
	CHECK_INT_EQ(data.buf[data.len], '\0');
	/* a read into a buffer that holds more keeps it */
	CHECK_OK(file_read("r.txt", &data, 1 << 20, &err));
	CHECK_INT_EQ(data.len, 100000);
	CHECK_INT_EQ(file_read("r.txt", &data, 99999, &err), -1);
	CHECK(strstr(err.buf, "too large") != NULL);
	/* what has no size comes by chunks */
	CHECK_OK(file_read("/proc/self/status", &data, 1 << 20, &err));
	CHECK(data.len > 0 && strlen(data.buf) == data.len);
	buf_release(&data);
	buf_release(&want);
	buf_release(&err);
}

TEST(fsutil, writev_of_more_pieces_than_one_call_takes)
{
	struct buf data = BUF_INIT, err = BUF_INIT, want = BUF_INIT;
	struct iovec iov[3000];
	char bytes[3000];

	/* empty pieces among them, more than IOV_MAX (1024) in all */
	for (int i = 0; i < 3000; i++) {
		bytes[i] = (char)('a' + i % 26);
		iov[i].iov_base = &bytes[i];
		iov[i].iov_len = i % 7 == 3 ? 0 : 1;
		if (iov[i].iov_len)
			buf_addch(&want, bytes[i]);
	}
	CHECK_OK(file_writev("v.txt", iov, 3000, &err));
	CHECK_OK(file_read("v.txt", &data, 1 << 20, &err));
	CHECK_INT_EQ(data.len, want.len);
	CHECK(memcmp(data.buf, want.buf, want.len) == 0);
	/* nothing at all: an empty file */
	CHECK_OK(file_writev("v.txt", iov, 0, &err));
	CHECK_OK(file_read("v.txt", &data, 1 << 20, &err));
	CHECK_INT_EQ(data.len, 0);
	buf_release(&data);
	buf_release(&want);
	buf_release(&err);
}

#include "common/manifest.h"
#include "common/xmalloc.h"

TEST(manifest, roundtrip_and_validation)
{
	struct manifest m, back;
	struct buf json = BUF_INIT, err = BUF_INIT;
	const char *sha = "ba7816bf8f01cfea414140de5dae2223"
	    "b00361a396177a9cb410ff61f20015ad";

	manifest_init(&m);
	manifest_add(&m, "index.html", sha, 3, "text/html; charset=utf-8",
	    "public, max-age=60", false, MK_HTML);
	manifest_add(&m, "css/a.1234.css", sha, 3, "text/css", "immutable",
	    true, MK_ASSET);
	CHECK_OK(manifest_sort(&m, &err));
	CHECK_STR_EQ(m.files[0].path, "css/a.1234.css");
	manifest_to_json(&m, &json);
	CHECK_OK(manifest_parse(json.buf, json.len, &back, &err));
	CHECK_INT_EQ(back.nfiles, 2);
	CHECK_NOT_NULL(manifest_find(&back, "index.html"));
	CHECK_NULL(manifest_find(&back, "nope.html"));
	CHECK(manifest_find(&back, "css/a.1234.css")->immutable);
	manifest_release(&back);
	{
		const char *bad = "{\"version\":1,\"files\":[{\"path\":"
		    "\"../x\"}]}";
		CHECK_INT_EQ(manifest_parse(bad, strlen(bad), &back, &err), -1);
	}
	CHECK(strstr(err.buf, "files[0].path") != NULL);
	CHECK_STR_EQ(mime_type_for("a/b.CSS"), "text/css; charset=utf-8");
	CHECK_STR_EQ(mime_type_for("a.d/b"), "application/octet-stream");
	manifest_release(&m);
	buf_release(&json);
	buf_release(&err);
}

/* decision 0220: the fast path reads what kiln writes, the rest falls back */
TEST(manifest, fast_path_agrees_with_jansson)
{
	struct manifest m, fast, full;
	struct buf json = BUF_INIT, a = BUF_INIT, b = BUF_INIT, err = BUF_INIT;
	const char *sha = "ba7816bf8f01cfea414140de5dae2223"
	    "b00361a396177a9cb410ff61f20015ad";
	static const char *const bad[] = {
		/* a path outside the folder, a duplicate, a leading zero,
		   trailing text: rejected by the fast path; jansson decides */
		"\"path\":\"index.html\"", "\"path\":\"../x.html\"",
		"\"path\":\"a/b.css\"", "\"path\":\"index.html\"",
		"\"size\":3,", "\"size\":03,",
		"\n]}\n", "\n]}\nx",
		/* a redirect to another host */
		"\"redirect\":\"/new/\"", "\"redirect\":\"//evil/\"",
	};

	manifest_init(&m);
	m.build = xstrdup("7");
	m.generated = xstrdup("");
	manifest_add(&m, "a/b.css", sha, 3, "text/css", "immutable", true,
	    MK_ASSET);
	manifest_add(&m, "index.html", sha, 0, "text/html", "", false,
	    MK_HTML);
	manifest_set_redirect(manifest_add(&m, "old/index.html", sha, 0,
	    "text/html", "", false, MK_HTML), "/new/");
	manifest_to_json(&m, &json);
	CHECK_OK(manifest_parse_fast(json.buf, json.len, &fast));
	CHECK_OK(manifest_parse_json(json.buf, json.len, &full, &err));
	manifest_to_json(&fast, &a);
	manifest_to_json(&full, &b);
	CHECK_STR_EQ(a.buf, b.buf);
	CHECK_STR_EQ(a.buf, json.buf);
	CHECK_STR_EQ(fast.build, "7");
	CHECK(manifest_find(&fast, "a/b.css")->immutable);
	CHECK_STR_EQ(manifest_find(&fast, "old/index.html")->redirect, "/new/");
	manifest_release(&fast);
	manifest_release(&full);
	for (size_t k = 0; k < NELEM(bad); k += 2) {
		struct buf t = BUF_INIT;
		const char *at = strstr(json.buf, bad[k]);
		CHECK_NOT_NULL(at);
		buf_add(&t, json.buf, (size_t)(at - json.buf));
		buf_adds(&t, bad[k + 1]);
		buf_adds(&t, at + strlen(bad[k]));
		CHECK_INT_EQ(manifest_parse_fast(t.buf, t.len, &fast), -1);
		CHECK_INT_EQ(manifest_parse(t.buf, t.len, &full, &err), -1);
		buf_release(&t);
	}
	/* an escaped string: not the fast path's, still a manifest */
	{
		struct buf t = BUF_INIT;
		const char *at = strstr(json.buf, "text/css");
		buf_add(&t, json.buf, (size_t)(at - json.buf));
		buf_adds(&t, "text\\/css");
		buf_adds(&t, at + strlen("text/css"));
		CHECK_INT_EQ(manifest_parse_fast(t.buf, t.len, &fast), -1);
		CHECK_OK(manifest_parse(t.buf, t.len, &full, &err));
		CHECK_STR_EQ(manifest_find(&full, "a/b.css")->content_type,
		    "text/css");
		manifest_release(&full);
		buf_release(&t);
	}
	manifest_release(&m);
	buf_release(&json);
	buf_release(&a);
	buf_release(&b);
	buf_release(&err);
}

TEST(path, slug_never_exceeds_limit)
{
	struct buf in = BUF_INIT, out = BUF_INIT;

	/* found by fuzz_common_path: a dash before the last character went
	 * one byte past LIMIT_SLUG */
	for (int i = 0; i < 150; i++)
		buf_adds(&in, "a ");
	slug_from_title(in.buf, &out);
	CHECK(out.len <= 200);
	CHECK(slug_valid(out.buf, out.len));
	buf_release(&in);
	buf_release(&out);
}
