/* SPDX-License-Identifier: ISC */
/*
 * test_preview.c: how a preview keeps its links inside the preview
 * (preview_rewrite): root-relative and base-URL links in href, src,
 * action and url() go to the prefix (as a query value or a path);
 * protocol-relative, external and fragment links are left alone; the
 * banner goes after <body>, or first when there is none.
 */
#include "test.h"

#include "common/buf.h"
#include "render/render.h"

static char *
rw(const char *in, const char *prefix, bool query, bool banner)
{
	struct buf out = BUF_INIT;

	preview_rewrite(in, strlen(in), "https://ex.org", prefix, query,
	    banner, &out);
	return buf_detach(&out, NULL);
}

TEST(preview, links_as_query)
{
	char *s = rw("<a href=\"/news/\">n</a> <img src='/media/a b.png'> "
	    "<a href=\"https://ex.org/x/#top\">x</a> <a href=\"//cdn.x/y\">"
	    "</a> <a href=\"https://other.org/\"></a> <a href=\"#main\"></a>",
	    "/admin/preview/7?path=", true, false);

	CHECK_STR_EQ(s, "<a href=\"/admin/preview/7?path=/news/\">n</a> "
	    "<img src='/admin/preview/7?path=/media/a%20b.png'> "
	    "<a href=\"/admin/preview/7?path=/x/#top\">x</a> "
	    "<a href=\"//cdn.x/y\"></a> <a href=\"https://other.org/\"></a> "
	    "<a href=\"#main\"></a>");
	free(s);
}

TEST(preview, links_as_path_and_css)
{
	char *s = rw("a{background:url(/img/a.png)} b{background:url('/b.png')}"
	    " <form action=\"/search?q=1\"></form> <a href=\"https://ex.org\">"
	    "</a>", "/preview/TOK", false, false);

	CHECK_STR_EQ(s, "a{background:url(/preview/TOK/img/a.png)} "
	    "b{background:url('/preview/TOK/b.png')} "
	    "<form action=\"/preview/TOK/search?q=1\"></form> "
	    "<a href=\"/preview/TOK/\"></a>");
	free(s);
}

TEST(preview, banner_after_body)
{
	char *s = rw("<html><body class=\"x\"><p>Hi</p></body></html>", "/p",
	    false, true);
	const char *b = strstr(s, "<body class=\"x\">");

	CHECK_NOT_NULL(b);
	CHECK(strncmp(b + 16, "<style>", 7) == 0);
	CHECK(strstr(s, "Preview \xe2\x80\x94 not published</div><p>Hi") !=
	    NULL);
	free(s);
	s = rw("<p>no body</p>", "/p", false, true);
	CHECK(strncmp(s, "<style>", 7) == 0);
	CHECK(strstr(s, "not published</div><p>no body</p>") != NULL);
	free(s);
}

/* text that merely looks like a link is not touched */
TEST(preview, only_attributes)
{
	char *s = rw("<p>the xhref=\"/a\" and data-src=\"/b\" stay</p>", "/p",
	    false, false);

	CHECK_STR_EQ(s, "<p>the xhref=\"/a\" and data-src=\"/b\" stay</p>");
	free(s);
}
