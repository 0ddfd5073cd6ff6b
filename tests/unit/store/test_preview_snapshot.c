/* SPDX-License-Identifier: ISC */
/*
 * test_preview_snapshot.c: what a draft preview and a staging target
 * read: snapshot_put_draft (the latest revision in place of the live
 * one, or added; unsaved fields on top; bad fields refused) and
 * store_snapshot_latest (every page, each with its latest revision).
 */
#include "test.h"
#include "store_fixture.h"

#include "common/buf.h"
#include "store/store.h"

#define T0 1795531855LL		/* 2026-11-24T14:50:55Z */

static int64_t
page(struct store *st, const char *path, const char *title, bool live)
{
	struct page_fields f = { 0 };
	struct buf err = BUF_INIT;
	int64_t id = 0;

	f.title = title;
	f.body = "Live body";
	f.summary = "Live summary";
	if (store_page_create(st, path, &f, "t", &id, &err) != 0 || (live &&
	    store_page_publish(st, path, 0, "t", &err) != 0))
		test_fail(__FILE__, __LINE__, "%s: %s", path, err.buf);
	buf_release(&err);
	return id;
}

static const struct snap_page *
find(const struct snapshot *sn, const char *path)
{
	for (size_t i = 0; i < sn->npages; i++)
		if (!strcmp(sn->pages[i].path, path))
			return &sn->pages[i];
	return NULL;
}

/* a live page with a newer draft: its draft, merged with the overrides */
TEST(preview, draft_replaces_live_with_overrides)
{
	struct store *st;
	struct buf err = BUF_INIT;
	struct page_fields f = { 0 }, over = { 0 };
	struct snapshot sn;
	const struct snap_page *p;
	json_t *tags = json_pack("[s, s]", "x", "y");
	int64_t id;

	set_now(T0);
	st = open_store_at("kiln.db");
	page(st, "news", "News", true);
	id = page(st, "news/a", "Live title", true);
	f.title = "Draft title";
	f.body = "Draft body";
	CHECK_OK(store_page_edit(st, "news/a", &f, "t", &err));

	/* the draft alone: title and body from it, the rest kept */
	CHECK_OK(store_snapshot(st, "media", &sn, &err));
	CHECK_STR_EQ(find(&sn, "news/a")->title, "Live title");
	CHECK_OK(snapshot_put_draft(&sn, id, NULL, &err));
	CHECK_INT_EQ(sn.npages, 2);
	p = find(&sn, "news/a");
	CHECK_STR_EQ(p->title, "Draft title");
	CHECK_STR_EQ(p->body, "Draft body");
	CHECK_STR_EQ(p->summary, "Live summary");
	CHECK_INT_EQ(p->id, id);
	snapshot_release(&sn);

	/* the unsaved form on top: only the fields it sets */
	over.summary = "Typed summary";
	over.body = "Typed body";
	over.date = T0 - 86400;
	over.tags = tags;
	CHECK_OK(store_snapshot(st, "media", &sn, &err));
	CHECK_OK(snapshot_put_draft(&sn, id, &over, &err));
	p = find(&sn, "news/a");
	CHECK_STR_EQ(p->title, "Draft title");
	CHECK_STR_EQ(p->summary, "Typed summary");
	CHECK_STR_EQ(p->body, "Typed body");
	CHECK_STR_EQ(p->tags_json, "[\"x\",\"y\"]");
	CHECK_INT_EQ(p->date, T0 - 86400);
	CHECK_STR_EQ(p->path, "news/a");
	CHECK_STR_EQ(p->section, "news");
	CHECK_STR_EQ(p->slug, "a");
	snapshot_release(&sn);

	/* nothing was saved */
	CHECK_OK(store_snapshot(st, "media", &sn, &err));
	CHECK_STR_EQ(find(&sn, "news/a")->title, "Live title");
	snapshot_release(&sn);
	json_decref(tags);
	store_close(st);
	buf_release(&err);
}

/* a page never published is added in path order */
TEST(preview, draft_of_unpublished_page_is_added)
{
	struct store *st;
	struct buf err = BUF_INIT;
	struct snapshot sn;
	int64_t id;

	set_now(T0);
	st = open_store_at("kiln.db");
	page(st, "a", "A", true);
	id = page(st, "b", "B draft", false);
	page(st, "c", "C", true);
	CHECK_OK(store_snapshot(st, "media", &sn, &err));
	CHECK_INT_EQ(sn.npages, 2);
	CHECK_OK(snapshot_put_draft(&sn, id, NULL, &err));
	CHECK_INT_EQ(sn.npages, 3);
	CHECK_STR_EQ(sn.pages[1].path, "b");
	CHECK_STR_EQ(sn.pages[1].title, "B draft");
	CHECK_STR_EQ(sn.pages[2].path, "c");
	snapshot_release(&sn);
	store_close(st);
	buf_release(&err);
}

/* bad overrides and unknown pages: an error, the snapshot unchanged */
TEST(preview, bad_override_refused)
{
	struct store *st;
	struct buf err = BUF_INIT;
	struct page_fields over = { 0 };
	struct snapshot sn;
	int64_t id;

	set_now(T0);
	st = open_store_at("kiln.db");
	id = page(st, "a", "A", true);
	CHECK_OK(store_snapshot(st, "media", &sn, &err));
	over.body = "ok\n\xff\xfe";
	CHECK_INT_EQ(snapshot_put_draft(&sn, id, &over, &err), -1);
	CHECK(strstr(err.buf, "body: line 2") != NULL);
	over.body = NULL;
	over.title = "tab\there";
	buf_reset(&err);
	CHECK_INT_EQ(snapshot_put_draft(&sn, id, &over, &err), -1);
	CHECK(strstr(err.buf, "title") != NULL);
	buf_reset(&err);
	store_err_clear(st);
	CHECK_INT_EQ(snapshot_put_draft(&sn, id + 100, NULL, &err), -1);
	CHECK_INT_EQ(store_err_kind(st), ERR_NOT_FOUND);
	CHECK_INT_EQ(sn.npages, 1);
	CHECK_STR_EQ(sn.pages[0].title, "A");
	snapshot_release(&sn);
	store_close(st);
	buf_release(&err);
}

/* staging: every page with a revision, each at its latest */
TEST(preview, latest_snapshot_has_drafts)
{
	struct store *st;
	struct buf err = BUF_INIT;
	struct page_fields f = { 0 };
	struct snapshot sn;

	set_now(T0);
	st = open_store_at("kiln.db");
	page(st, "a", "A live", true);
	page(st, "b", "B draft", false);
	f.title = "A draft";
	CHECK_OK(store_page_edit(st, "a", &f, "t", &err));
	CHECK_OK(store_snapshot(st, "media", &sn, &err));
	CHECK_INT_EQ(sn.npages, 1);
	CHECK_STR_EQ(sn.pages[0].title, "A live");
	snapshot_release(&sn);
	CHECK_OK(store_snapshot_latest(st, "media", &sn, &err));
	CHECK_INT_EQ(sn.npages, 2);
	CHECK_STR_EQ(sn.pages[0].title, "A draft");
	CHECK_STR_EQ(sn.pages[1].title, "B draft");
	snapshot_release(&sn);
	store_close(st);
	buf_release(&err);
}
