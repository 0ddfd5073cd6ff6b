/* SPDX-License-Identifier: ISC */
/*
 * test_store_import.c: an import's new pages written a batch at a time
 * (store_newpages, decision 0340) leave exactly the rows that
 * store_page_create() and store_page_publish() page by page leave: the
 * pages (parents, children adopted), revisions, the audit rows, build
 * requests, page changes and the change sequence, on both backends; a
 * batch that fails, after others were written, changes nothing once
 * the transaction is rolled back; a bad page is refused before it is
 * queued.
 */
#include "test.h"
#include "store_fixture.h"

#include "common/buf.h"
#include "common/error.h"
#include "common/testhook.h"
#include "store/db.h"
#include "store/store.h"
#include "store/store_import.h"
#include "store/store_int.h"

#define NPAGES	230	/* over one batch: the second has parents in the first */

/* every row a page write leaves, but the clock's columns, as text */
static char *
rows(struct store *st)
{
	static const char *q[] = {
		"SELECT id, parent_id, path, slug, section, weight, template, "
		"live, has_unpublished_changes, expired, first_published_at "
		"IS NULL, last_published_at IS NULL, live_revision_id, "
		"latest_revision_id, scheduled_revision_id, go_live_at, "
		"expire_at, latest_title FROM pages ORDER BY id",
		"SELECT id, page_id, title, body, summary, date, tags, extra, "
		"author, uses_media FROM revisions ORDER BY id",
		"SELECT id, actor, action, page_id, path, detail FROM "
		"audit_log ORDER BY id",
		"SELECT id, seq, reason, page_id, path, actor, staging, "
		"build_id FROM build_requests ORDER BY id",
		"SELECT page_id, seq FROM page_changes ORDER BY page_id",
		"SELECT value FROM meta WHERE key = 'change_seq'",
	};
	struct buf out = BUF_INIT, err = BUF_INIT;

	for (size_t i = 0; i < NELEM(q); i++) {
		struct stmt *s = NULL;
		if (store_prepare(st, q[i], &s, &err) == -1)
			test_fail(__FILE__, __LINE__, "%s", err.buf);
		while (stmt_step(s) == STMT_ROW) {
			for (int c = 0; c < stmt_col_count(s); c++) {
				const char *v = stmt_col_text(s, c);
				buf_printf(&out, "%s|", v ? v : "NULL");
			}
			buf_addch(&out, '\n');
		}
		stmt_finalize(s);
		buf_adds(&out, "--\n");
	}
	buf_release(&err);
	return buf_detach(&out, NULL);
}

/* the Ith page of the import: its path and whether it goes live */
static const char *
page_at(size_t i, char *path, size_t size, bool *publish)
{
	*publish = i % 7 != 3;	/* a few drafts */
	if (i == 0)
		snprintf(path, size, "%s", "");
	else if (i == 1)
		snprintf(path, size, "a");
	else if (i == 2)
		snprintf(path, size, "b/x");	/* no page b: no parent */
	else if (i < 150)
		snprintf(path, size, "c/p%03zu", i);
	else if (i == 150)
		snprintf(path, size, "o");	/* adopts o/kiln */
	else
		snprintf(path, size, "o/q%03zu", i);
	return path;
}

/* the fields of the Ith page */
static void
fields_at(size_t i, struct page_fields *f, char *title, size_t size)
{
	memset(f, 0, sizeof(*f));
	snprintf(title, size, "Page %zu", i);
	f->title = title;
	f->body = i % 5 ? "Body." : "An image: /media/x.png";
	f->summary = i % 3 ? "" : "Sum.";
	f->date = i % 2 ? 0 : 1700000000 + (int64_t)i;
	f->weight = (int)(i % 4);
	f->has_weight = true;
	f->template = i == 5 ? "special" : "";
}

/* what was there before the import: a page made in kiln, parentless */
static struct store *
site(const char *name)
{
	struct store *st = open_store_at(name);
	struct page_fields f = { .title = "Made in kiln" };
	struct buf err = BUF_INIT;

	if (store_page_create(st, "o/kiln", &f, "editor", NULL, &err) == -1)
		test_fail(__FILE__, __LINE__, "%s", err.buf);
	buf_release(&err);
	return st;
}

/* the import page by page, as before decision 0340 */
static void
import_one_by_one(struct store *st)
{
	struct buf err = BUF_INIT;
	char path[32], title[32];
	struct page_fields f;
	bool publish;

	CHECK_OK(store_begin(st, &err));
	for (size_t i = 0; i < NPAGES; i++) {
		page_at(i, path, sizeof(path), &publish);
		fields_at(i, &f, title, sizeof(title));
		if (store_page_create(st, path, &f, "imp", NULL, &err) == -1 ||
		    (publish && store_page_publish(st, path, 0, "imp",
		    &err) == -1))
			test_fail(__FILE__, __LINE__, "%s: %s", path, err.buf);
	}
	CHECK_OK(store_commit(st, &err));
	buf_release(&err);
}

/*
 * The import a batch at a time: -1 when a write failed (rolled back).
 * CLASH: a last page at the path of the page made in kiln, which the
 * batch is not told of (an import is): its batch fails in the store.
 */
static int
import_batched(struct store *st, bool clash)
{
	struct store_newpages *b = NULL;
	struct buf err = BUF_INIT;
	char path[32], title[32];
	struct page_fields f;
	bool publish;
	int rc = -1;

	CHECK_OK(store_begin(st, &err));
	b = store_newpages_open(st, "imp");
	for (size_t i = 0; i < NPAGES + (size_t)clash; i++) {
		page_at(i, path, sizeof(path), &publish);
		if (i == NPAGES)
			snprintf(path, sizeof(path), "o/kiln");
		fields_at(i, &f, title, sizeof(title));
		if (store_newpages_add(b, path, &f, publish, &err) == -1)
			goto out;
	}
	if (store_newpages_flush(b, &err) == 0 && store_commit(st,
	    &err) == 0)
		rc = 0;
out:
	if (rc == -1) {
		CHECK(strstr(err.buf, "new pages from") != NULL);
		store_rollback(st);
	}
	store_newpages_free(b);
	buf_release(&err);
	return rc;
}

TEST(store_import, batched_rows_are_one_by_one_rows)
{
	struct store *a, *b;
	char *ra, *rb;

	set_now(1800000000);
	a = site("a.db");
	b = site("b.db");
	import_one_by_one(a);
	CHECK_INT_EQ(import_batched(b, false), 0);
	ra = rows(a);
	rb = rows(b);
	CHECK(strstr(ra, "|o/kiln|") != NULL);
	CHECK_STR_EQ(rb, ra);
	free(ra);
	free(rb);
	store_close(a);
	store_close(b);
}

TEST(store_import, a_failed_batch_changes_nothing)
{
	struct store *st;
	char *before, *after;

	set_now(1800000000);
	st = site("kiln.db");
	before = rows(st);
	/* the first batch written, the second fails */
	CHECK_INT_EQ(import_batched(st, true), -1);
	after = rows(st);
	CHECK_STR_EQ(after, before);
	free(after);
	/* the first batch fails as it fills */
	setenv(TESTHOOK_FAIL_REQUEST, "create", 1);
	CHECK_INT_EQ(import_batched(st, false), -1);
	unsetenv(TESTHOOK_FAIL_REQUEST);
	after = rows(st);
	CHECK_STR_EQ(after, before);
	free(after);
	/* and then the import goes through */
	CHECK_INT_EQ(import_batched(st, false), 0);
	after = rows(st);
	CHECK(strcmp(after, before) != 0);
	free(after);
	free(before);
	store_close(st);
}

TEST(store_import, a_bad_page_is_refused_unqueued)
{
	struct store *st = site("kiln.db");
	struct store_newpages *b = NULL;
	struct page_fields f = { .title = "T" }, bad = { .title = "" };
	struct buf err = BUF_INIT;
	char *before = rows(st), *after;

	CHECK_OK(store_begin(st, &err));
	b = store_newpages_open(st, "imp");
	CHECK_INT_EQ(store_newpages_add(b, "x", &bad, true, &err), -1);
	CHECK(strstr(err.buf, "title") != NULL);
	CHECK_INT_EQ(store_newpages_add(b, "index.html", &f, true, &err), -1);
	CHECK(strstr(err.buf, "path: ") != NULL);
	CHECK_OK(store_newpages_add(b, "y", &f, true, &err));
	CHECK_INT_EQ(store_newpages_add(b, "y", &f, true, &err), -1);
	CHECK_INT_EQ(store_err_kind(st), ERR_CONFLICT);
	CHECK_OK(store_newpages_flush(b, &err));
	CHECK_OK(store_commit(st, &err));
	after = rows(st);
	/* one page more: y, live */
	CHECK(strstr(after, "|y|y|y|") != NULL);
	CHECK(strstr(after, "|x|") == NULL);
	store_newpages_free(b);
	free(before);
	free(after);
	buf_release(&err);
	store_close(st);
}
