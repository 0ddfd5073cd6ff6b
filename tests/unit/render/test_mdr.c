/* SPDX-License-Identifier: ISC */
/*
 * test_mdr.c: the md4c adapter's URL filter (unsafe_html: false): every
 * form of link md4c writes loses a dangerous URL, safe ones stay, and
 * raw HTML passes only without MDR_NO_HTML.
 */
#include "test.h"

#include "common/buf.h"
#include "render/mdr.h"

static const char *
md(const char *src, unsigned flags)
{
	static char res[4096];
	struct buf out = BUF_INIT, err = BUF_INIT;

	if (mdr_render(src, strlen(src), flags, &out, &err) == -1)
		test_fail(__FILE__, __LINE__, "%s", err.buf);
	strlcpy(res, out.buf ? out.buf : "", sizeof(res));
	buf_release(&out);
	buf_release(&err);
	return res;
}

TEST(mdr, dangerous_urls_are_emptied)
{
	CHECK_STR_EQ(md("[a](javascript:alert(1))", MDR_NO_HTML),
	    "<p><a href=\"\">a</a></p>\n");
	CHECK_STR_EQ(md("[a](JAVA&#x53;cript:x \"t\")", MDR_NO_HTML),
	    "<p><a href=\"\" title=\"t\">a</a></p>\n");
	CHECK_STR_EQ(md("<vbscript:x>", MDR_NO_HTML),
	    "<p><a href=\"\">vbscript:x</a></p>\n");
	CHECK_STR_EQ(md("[r]\n\n[r]: data:text/html,x", MDR_NO_HTML),
	    "<p><a href=\"\">r</a></p>\n");
	CHECK_STR_EQ(md("![i](data:image/svg+xml,x)", MDR_NO_HTML),
	    "<p><img src=\"\" alt=\"i\"></p>\n");
	CHECK_STR_EQ(md("![i](data:image/webp;base64,AA)", MDR_NO_HTML),
	    "<p><img src=\"data:image/webp;base64,AA\" alt=\"i\"></p>\n");
	CHECK_STR_EQ(md("[a](/x?a=1&b=javascript:)", MDR_NO_HTML),
	    "<p><a href=\"/x?a=1&amp;b=javascript:\">a</a></p>\n");
	CHECK_STR_EQ(md("`<a href=\"javascript:x\">`", MDR_NO_HTML),
	    "<p><code>&lt;a href=&quot;javascript:x&quot;&gt;</code></p>\n");
	/* unsafe_html: true lets everything through */
	CHECK_STR_EQ(md("[a](javascript:x) <b>b</b>", 0),
	    "<p><a href=\"javascript:x\">a</a> <b>b</b></p>\n");
}
