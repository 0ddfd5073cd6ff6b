/* SPDX-License-Identifier: ISC */
/*
 * test_store_paths.c: page paths that collide with a file the build
 * writes itself are refused when created (issue #12), with the path and
 * the reason; existing pages elsewhere are unaffected; the store's error
 * kinds (not found, conflict) are set beside the text.
 */
#include "test.h"
#include "store_fixture.h"

#include <sys/stat.h>

#include "common/buf.h"
#include "common/error.h"
#include "store/store.h"
#include "store/store_int.h"

static int
create(struct store *st, const char *path, struct buf *err)
{
	struct page_fields f = { .title = "T" };

	buf_reset(err);
	return store_page_create(st, path, &f, "test", NULL, err);
}

TEST(store_paths, generated_files_are_refused)
{
	static const char *refused[] = { "index.html", "robots.txt",
		"sitemap.xml", "404.html", "feeds", "feeds/news.xml", "media",
		"media/x", "index.json", "news/index.html", "a/b/index.json",
		"news/page/2", "a/b/page/10" };
	static const char *fine[] = { "news", "news/page", "page/2",
		"news/pages/2", "news/page/two", "robots", "feed",
		"about/robots.txt", "sitemap" };
	struct store *st = open_store_at("kiln.db");
	struct buf err = BUF_INIT;

	for (size_t i = 0; i < NELEM(refused); i++) {
		CHECK_INT_EQ(create(st, refused[i], &err), -1);
		CHECK(strstr(err.buf, "path: ") == err.buf);
		CHECK(strstr(err.buf, "choose another path") != NULL);
	}
	for (size_t i = 0; i < NELEM(fine); i++) {
		if (create(st, fine[i], &err) != 0)
			test_fail(__FILE__, __LINE__, "%s: %s", fine[i],
			    err.buf);
	}
	buf_release(&err);
	store_close(st);
}

TEST(store_paths, asset_folders_are_refused)
{
	struct store *st = open_store_at("kiln.db");
	struct buf err = BUF_INIT;

	CHECK_INT_EQ(mkdir("static", 0755), 0);
	CHECK_INT_EQ(mkdir("static/css", 0755), 0);
	store_reserve_static(st, "static");
	CHECK_INT_EQ(create(st, "css", &err), -1);
	CHECK(strstr(err.buf, "static/css/") != NULL);
	CHECK_INT_EQ(create(st, "css/x", &err), -1);
	CHECK_INT_EQ(create(st, "cssx", &err), 0);
	buf_release(&err);
	store_close(st);
}

TEST(store_paths, error_kinds)
{
	struct store *st = open_store_at("kiln.db");
	struct buf err = BUF_INIT;

	CHECK_INT_EQ(create(st, "about", &err), 0);
	store_err_clear(st);
	CHECK_INT_EQ(create(st, "about", &err), -1);
	CHECK_INT_EQ(store_err_kind(st), ERR_CONFLICT);
	store_err_clear(st);
	CHECK_INT_EQ(store_page_unpublish(st, "nope", "t", &err), -1);
	CHECK_INT_EQ(store_err_kind(st), ERR_NOT_FOUND);
	store_err_clear(st);
	CHECK_INT_EQ(store_page_unpublish(st, "about", "t", &err), -1);
	CHECK_INT_EQ(store_err_kind(st), ERR_CONFLICT);
	store_err_clear(st);
	CHECK_INT_EQ(create(st, "../x", &err), -1);
	CHECK_INT_EQ(store_err_kind(st), ERR_NONE);
	buf_release(&err);
	store_close(st);
}
