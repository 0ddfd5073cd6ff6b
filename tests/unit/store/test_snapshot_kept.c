/* SPDX-License-Identifier: ISC */
/*
 * test_snapshot_kept.c: the snapshot a process keeps (decision 0240).
 * After the first (full) read, store_snapshot reads only the pages
 * changed since, and the result equals a full read: every snapshot here
 * runs with KILN_TEST_SNAPSHOT_VERIFY, which fails it on any difference,
 * and the tests check rows_read to prove the delta path was the one
 * taken.  Both backends (unit/store_pg).
 */
#include "test.h"
#include "store_fixture.h"

#include "common/buf.h"
#include "common/fsutil.h"
#include "common/testhook.h"
#include "store/store.h"

#define T0 1795531855LL		/* 2026-11-24T14:50:55Z */

static void
live_page(struct store *st, const char *path, const char *title,
    const char *summary)
{
	struct page_fields f = { 0 };
	struct buf err = BUF_INIT;

	f.title = title;
	f.body = "Body of the page";
	f.summary = summary;
	if (store_page_create(st, path, &f, "t", NULL, &err) != 0 ||
	    store_page_publish(st, path, 0, "t", &err) != 0)
		test_fail(__FILE__, __LINE__, "%s: %s", path, err.buf);
	buf_release(&err);
}

static const struct snap_page *
find(const struct snapshot *sn, const char *path)
{
	for (size_t i = 0; i < sn->npages; i++)
		if (!strcmp(sn->pages[i].path, path))
			return &sn->pages[i];
	return NULL;
}

/* the paths of SN, comma-separated, into OUT */
static const char *
paths(const struct snapshot *sn, struct buf *out)
{
	buf_reset(out);
	for (size_t i = 0; i < sn->npages; i++)
		buf_printf(out, "%s%s", i ? "," : "", sn->pages[i].path);
	return out->buf ? out->buf : "";
}

static void
verify_on(void)
{
	setenv(TESTHOOK_SNAPSHOT_VERIFY, "1", 1);
}

/* edit, publish, unpublish, delete, create: only those rows are read */
TEST(snapshot_kept, delta_equals_full_read)
{
	struct store *st;
	struct buf err = BUF_INIT, b = BUF_INIT;
	struct page_fields f = { 0 };
	struct snapshot sn;

	verify_on();
	set_now(T0);
	st = open_store_at("kiln.db");
	live_page(st, "news", "News", "");
	live_page(st, "news/a", "A", "A summary");
	live_page(st, "news/b", "B", "");
	live_page(st, "news/c", "C", "C summary");
	CHECK_OK(store_snapshot(st, "media", &sn, &err));
	CHECK_INT_EQ(sn.npages, 4);
	snapshot_release(&sn);

	/* nothing changed: no page row read */
	CHECK_OK(store_snapshot(st, "media", &sn, &err));
	CHECK_INT_EQ(sn.rows_read, 0);
	CHECK_STR_EQ(paths(&sn, &b), "news,news/a,news/b,news/c");
	snapshot_release(&sn);

	/* an edit not yet published changes nothing live, but is read */
	f.title = "A draft";
	CHECK_OK(store_page_edit(st, "news/a", &f, "t", &err));
	CHECK_OK(store_snapshot(st, "media", &sn, &err));
	CHECK_INT_EQ(sn.rows_read, 1);
	CHECK_STR_EQ(find(&sn, "news/a")->title, "A");
	snapshot_release(&sn);

	/* publish a, unpublish b, delete c, add d */
	CHECK_OK(store_page_publish(st, "news/a", 0, "t", &err));
	CHECK_OK(store_page_unpublish(st, "news/b", "t", &err));
	CHECK_OK(store_page_unpublish(st, "news/c", "t", &err));
	CHECK_OK(store_page_delete(st, "news/c", "t", &err));
	live_page(st, "news/d", "D", "");
	CHECK_OK(store_snapshot(st, "media", &sn, &err));
	CHECK_INT_EQ(sn.rows_read, 2);		/* a and d: live ones */
	CHECK_STR_EQ(paths(&sn, &b), "news,news/a,news/d");
	CHECK_STR_EQ(find(&sn, "news/a")->title, "A draft");
	CHECK_STR_EQ(snapshot_body(&sn, 1, &err), "Body of the page");
	snapshot_release(&sn);

	/* published again: back in its place */
	CHECK_OK(store_page_publish(st, "news/b", 0, "t", &err));
	CHECK_OK(store_snapshot(st, "media", &sn, &err));
	CHECK_INT_EQ(sn.rows_read, 1);
	CHECK_STR_EQ(paths(&sn, &b), "news,news/a,news/b,news/d");
	snapshot_release(&sn);
	store_close(st);
	buf_release(&err);
	buf_release(&b);
}

/* scheduled go-live and expiry are changes like any other */
TEST(snapshot_kept, schedule_and_expiry_are_seen)
{
	struct store *st;
	struct buf err = BUF_INIT, b = BUF_INIT;
	struct page_fields f = { 0 };
	struct sched_report rep;
	struct snapshot sn;

	verify_on();
	set_now(T0);
	st = open_store_at("kiln.db");
	live_page(st, "a", "A", "");
	live_page(st, "b", "B", "");
	f.title = "Later";
	f.body = "x";
	CHECK_OK(store_page_create(st, "c", &f, "t", NULL, &err));
	CHECK_OK(store_page_publish(st, "c", T0 + 600, "t", &err));
	CHECK_OK(store_page_schedule(st, "b", 0, T0 + 300, "t", &err));
	CHECK_OK(store_snapshot(st, "media", &sn, &err));
	CHECK_STR_EQ(paths(&sn, &b), "a,b");
	CHECK_INT_EQ(find(&sn, "b")->expire_at, T0 + 300);
	snapshot_release(&sn);

	set_now(T0 + 600);
	CHECK_OK(store_run_scheduled(st, T0 + 600, false, "s", &rep, &err));
	CHECK_INT_EQ(rep.published, 1);
	CHECK_INT_EQ(rep.expired, 1);
	json_decref(rep.changes);
	CHECK_OK(store_snapshot(st, "media", &sn, &err));
	CHECK_INT_EQ(sn.rows_read, 1);
	CHECK_STR_EQ(paths(&sn, &b), "a,c");
	CHECK_STR_EQ(find(&sn, "c")->title, "Later");
	snapshot_release(&sn);
	store_close(st);
	buf_release(&err);
	buf_release(&b);
}

/* a snapshot handed out is the caller's: later changes and drafts put
   into another one leave it, and the kept one, as they were */
TEST(snapshot_kept, copies_are_isolated)
{
	struct store *st, *st2;
	struct buf err = BUF_INIT, b = BUF_INIT;
	struct page_fields f = { 0 }, over = { 0 };
	struct snapshot old, sn;
	struct page_info pi;

	verify_on();
	set_now(T0);
	st = open_store_at("kiln.db");
	st2 = open_store_at("kiln.db");
	live_page(st, "a", "A", "");
	live_page(st, "b", "B", "");
	CHECK_OK(store_snapshot(st, "media", &sn, &err));
	snapshot_release(&sn);
	CHECK_OK(store_snapshot(st, "media", &old, &err));

	/* another handle changes b and takes its snapshot */
	f.title = "B2";
	CHECK_OK(store_page_edit(st2, "b", &f, "t", &err));
	CHECK_OK(store_page_publish(st2, "b", 0, "t", &err));
	CHECK_OK(store_snapshot(st2, "media", &sn, &err));
	CHECK_INT_EQ(sn.rows_read, 1);
	CHECK_STR_EQ(find(&sn, "b")->title, "B2");
	/* a preview's draft in that one */
	CHECK_INT_EQ(store_page_get(st2, "a", &pi, &err), 0);
	over.title = "Typed";
	CHECK_OK(snapshot_put_draft(&sn, pi.id, &over, &err));
	CHECK_STR_EQ(find(&sn, "a")->title, "Typed");
	snapshot_release(&sn);
	page_info_release(&pi);

	/* the old one is as it was */
	CHECK_STR_EQ(find(&old, "b")->title, "B");
	CHECK_STR_EQ(find(&old, "a")->title, "A");
	snapshot_release(&old);
	/* and the kept one has no draft in it */
	CHECK_OK(store_snapshot(st, "media", &sn, &err));
	CHECK_INT_EQ(sn.rows_read, 0);
	CHECK_STR_EQ(find(&sn, "a")->title, "A");
	CHECK_STR_EQ(find(&sn, "b")->title, "B2");
	snapshot_release(&sn);
	store_close(st2);
	store_close(st);
	buf_release(&err);
	buf_release(&b);
}

/* a change that may touch any page (media) is a full read; a store
   made again at the same place is another store */
TEST(snapshot_kept, doubt_is_a_full_read)
{
	struct store *st;
	struct buf err = BUF_INIT;
	struct media_info m;
	struct snapshot sn;

	verify_on();
	set_now(T0);
	st = open_store_at("again.db");
	live_page(st, "a", "A", "");
	live_page(st, "b", "B", "");
	CHECK_OK(store_snapshot(st, "media", &sn, &err));
	snapshot_release(&sn);
	CHECK_OK(file_write("logo.png", "PNGDATA", 7, &err));
	CHECK_OK(store_media_add(st, "media", "logo.png", NULL, "t", &m,
	    &err));
	free(m.name); free(m.content_type); free(m.file);
	CHECK_OK(store_snapshot(st, "media", &sn, &err));
	CHECK_INT_EQ(sn.rows_read, 2);
	CHECK_INT_EQ(sn.nmedia, 1);
	snapshot_release(&sn);
	CHECK_OK(store_snapshot(st, "media", &sn, &err));
	CHECK_INT_EQ(sn.rows_read, 0);
	snapshot_release(&sn);
	store_close(st);

	if (!test_store_pg()) {
		/* the same file made again, with more changes than before */
		CHECK_OK(unlink("again.db"));
		unlink("again.db-wal");
		unlink("again.db-shm");
		st = open_store_at("again.db");
		live_page(st, "x", "X", "");
		live_page(st, "y", "Y", "");
		live_page(st, "z", "Z", "");
		CHECK_OK(store_snapshot(st, "media", &sn, &err));
		CHECK_INT_EQ(sn.rows_read, 3);
		CHECK_INT_EQ(sn.npages, 3);
		snapshot_release(&sn);
		store_close(st);
	}
	buf_release(&err);
}

/* SQL run on the store NAME behind kiln's back (sqlite3 or psql) */
static void
raw_sql(const char *name, const char *sql)
{
	struct buf cmd = BUF_INIT;

	if (test_store_pg()) {
		char *url = test_pg_url(name);
		buf_printf(&cmd, "'%s/psql' -X -q -d '%s' -c \"%s\" >/dev/null",
		    getenv("KILN_TEST_PG_BIN"), url, sql);
		free(url);
	} else
		buf_printf(&cmd, "sqlite3 '%s' \"%s\"", name, sql);
	if (system(cmd.buf) != 0)
		test_fail(__FILE__, __LINE__, "%s failed", cmd.buf);
	buf_release(&cmd);
}

/* the store went back under the same store_uid (data restored by hand):
   the kept snapshot, newer than what the store says, is dropped, not
   brought "up to date" once the sequence passes it again */
TEST(snapshot_kept, store_going_back_is_a_full_read)
{
	struct store *st;
	struct buf err = BUF_INIT;
	struct page_fields f = { 0 };
	struct snapshot sn;
	char title[32];

	verify_on();
	set_now(T0);
	st = open_store_at("back.db");
	live_page(st, "a", "A", "");
	live_page(st, "b", "B", "");
	CHECK_OK(store_snapshot(st, "media", &sn, &err));
	snapshot_release(&sn);
	/* back by 10, and b changed meanwhile, out of the changes' sight */
	raw_sql("back.db", "UPDATE meta SET value = value - 10 WHERE key = "
	    "'change_seq'; UPDATE revisions SET title = 'B restored' WHERE "
	    "id = (SELECT live_revision_id FROM pages WHERE path = 'b')");
	CHECK_OK(store_snapshot(st, "media", &sn, &err));
	CHECK_INT_EQ(sn.rows_read, 2);
	snapshot_release(&sn);
	/* past the old kept sequence again: still right */
	for (int i = 0; i < 12; i++) {
		snprintf(title, sizeof(title), "A %d", i);
		f.title = title;
		CHECK_OK(store_page_edit(st, "a", &f, "t", &err));
	}
	CHECK_OK(store_page_publish(st, "a", 0, "t", &err));
	CHECK_OK(store_snapshot(st, "media", &sn, &err));
	/* a, and b: its change numbers are above the lowered sequence */
	CHECK_INT_EQ(sn.rows_read, 2);
	CHECK_STR_EQ(find(&sn, "a")->title, "A 11");
	CHECK_STR_EQ(find(&sn, "b")->title, "B restored");
	snapshot_release(&sn);
	store_close(st);
	buf_release(&err);
}

/*
 * A process that exits after one build keeps no snapshot
 * (store_snapshot_keep(false), kiln build; decision 0440): every
 * snapshot is a full read, and nothing is parsed to be kept.
 */
TEST(snapshot_kept, none_kept_when_told)
{
	struct store *st;
	struct buf err = BUF_INIT;
	struct snapshot sn;

	verify_on();
	set_now(T0);
	st = open_store_at("none.db");
	live_page(st, "a", "A", "");
	live_page(st, "b", "B", "");
	store_snapshot_keep(false);
	for (int i = 0; i < 2; i++) {
		CHECK_OK(store_snapshot(st, "media", &sn, &err));
		CHECK_INT_EQ(sn.rows_read, 2);
		snapshot_release(&sn);
	}
	/* kept again: the next read is full, the one after it reads none */
	store_snapshot_keep(true);
	CHECK_OK(store_snapshot(st, "media", &sn, &err));
	CHECK_INT_EQ(sn.rows_read, 2);
	snapshot_release(&sn);
	CHECK_OK(store_snapshot(st, "media", &sn, &err));
	CHECK_INT_EQ(sn.rows_read, 0);
	snapshot_release(&sn);
	store_close(st);
	buf_release(&err);
}

/*
 * The kept pages are lent, not referenced one by one (decision 0370):
 * two snapshots borrow the same pages at once; what one reads lazily (a
 * body, parsed tags) is its own and goes with it; a change while both
 * are out leaves them as they were.
 */
TEST(snapshot_kept, borrowed_pages)
{
	struct store *st, *st2;
	struct buf err = BUF_INIT;
	struct page_fields f = { 0 };
	struct snapshot a, b, c;

	verify_on();
	set_now(T0);
	st = open_store_at("kiln.db");
	st2 = open_store_at("kiln.db");
	live_page(st, "x", "X", "X summary");
	live_page(st, "y", "Y", "");
	CHECK_OK(store_snapshot(st, "media", &a, &err));
	snapshot_release(&a);
	CHECK_OK(store_snapshot(st, "media", &a, &err));
	CHECK_OK(store_snapshot(st2, "media", &b, &err));
	CHECK(a.gen != NULL && a.gen == b.gen);
	CHECK(a.pages[0].borrowed && b.pages[1].borrowed);
	/* x has a summary: its body is read when asked, by each */
	CHECK(a.pages[0].body == NULL);
	CHECK_STR_EQ(snapshot_body(&a, 0, &err), "Body of the page");
	CHECK(a.pages[0].own_body);
	CHECK(b.pages[0].body == NULL);
	CHECK(json_is_array(snapshot_tags(&a, 0)));
	snapshot_release(&a);
	CHECK_STR_EQ(snapshot_body(&b, 0, &err), "Body of the page");
	/* a change while b is out: a new generation, b as it was */
	f.title = "Y2";
	CHECK_OK(store_page_edit(st, "y", &f, "t", &err));
	CHECK_OK(store_page_publish(st, "y", 0, "t", &err));
	CHECK_OK(store_snapshot(st, "media", &c, &err));
	CHECK_INT_EQ(c.rows_read, 1);
	CHECK(c.gen != b.gen);
	CHECK_STR_EQ(find(&c, "y")->title, "Y2");
	CHECK_STR_EQ(find(&b, "y")->title, "Y");
	snapshot_release(&b);
	snapshot_release(&c);
	/* nobody borrows it now: brought up to date in place */
	CHECK_OK(store_page_publish(st, "x", 0, "t", &err));
	CHECK_OK(store_snapshot(st, "media", &c, &err));
	CHECK_STR_EQ(find(&c, "x")->title, "X");
	snapshot_release(&c);
	store_close(st2);
	store_close(st);
	buf_release(&err);
}
