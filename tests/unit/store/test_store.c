/* SPDX-License-Identifier: ISC */
/*
 * test_store.c: publishing semantics (every status transition), scheduling
 * edge cases, concurrent scheduled runs, build requests in the same
 * transaction as their change, path validation, snapshots.
 */
#include "test.h"
#include "store_fixture.h"

#include <pthread.h>
#include <sys/wait.h>

#include <jansson.h>

#include "common/buf.h"
#include "common/fsutil.h"
#include "common/timeutil.h"
#include "store/store.h"

#define T0 1795531855LL		/* 2026-11-24T14:50:55Z */

static void
create(struct store *st, const char *path, const char *title)
{
	struct page_fields f = { 0 };
	struct buf err = BUF_INIT;

	f.title = title;
	f.body = "Hello *world*";
	if (store_page_create(st, path, &f, "test", NULL, &err) != 0)
		test_fail(__FILE__, __LINE__, "create %s: %s", path, err.buf);
	buf_release(&err);
}

static const char *
status(struct store *st, const char *path)
{
	static char s[64];
	struct page_info p;
	struct buf err = BUF_INIT;

	if (store_page_get(st, path, &p, &err) != 0)
		test_fail(__FILE__, __LINE__, "get %s: %s", path, err.buf);
	strlcpy(s, p.status, sizeof(s));
	page_info_release(&p);
	buf_release(&err);
	return s;
}

static int64_t
pending(struct store *st)
{
	json_t *a;
	struct buf err = BUF_INIT;
	int64_t n;

	CHECK_OK(store_pending_requests(st, &a, &err));
	n = (int64_t)json_array_size(a);
	json_decref(a);
	buf_release(&err);
	return n;
}

TEST(store, status_transitions)
{
	struct store *st;
	struct buf err = BUF_INIT;
	struct page_fields f = { 0 };

	set_now(T0);
	st = open_store_at("kiln.db");
	create(st, "news/a", "A");
	CHECK_STR_EQ(status(st, "news/a"), "draft");
	CHECK_INT_EQ(pending(st), 0);	/* a draft changes nothing live */
	CHECK_OK(store_page_publish(st, "news/a", 0, "t", &err));
	CHECK_STR_EQ(status(st, "news/a"), "live");
	CHECK_INT_EQ(pending(st), 1);
	f.title = "A2";
	CHECK_OK(store_page_edit(st, "news/a", &f, "t", &err));
	CHECK_STR_EQ(status(st, "news/a"), "live + draft");
	CHECK_INT_EQ(pending(st), 1);
	CHECK_OK(store_page_publish(st, "news/a", T0 + 3600, "t", &err));
	CHECK_STR_EQ(status(st, "news/a"), "live + scheduled");
	CHECK_OK(store_page_unpublish(st, "news/a", "t", &err));
	CHECK_STR_EQ(status(st, "news/a"), "scheduled");
	CHECK_INT_EQ(pending(st), 2);
	CHECK_INT_EQ(store_page_unpublish(st, "news/a", "t", &err), -1);
	CHECK(strstr(err.buf, "is not live") != NULL);
	/* expiry takes a live page down and marks it expired */
	create(st, "news/b", "B");
	CHECK_OK(store_page_publish(st, "news/b", 0, "t", &err));
	CHECK_OK(store_page_schedule(st, "news/b", 0, T0 + 60, "t", &err));
	CHECK_STR_EQ(status(st, "news/b"), "live");
	{
		struct sched_report rep;
		set_now(T0 + 61);
		CHECK_OK(store_run_scheduled(st, T0 + 61, false, "s", &rep,
		    &err));
		CHECK_INT_EQ(rep.expired, 1);
		json_decref(rep.changes);
	}
	CHECK_STR_EQ(status(st, "news/b"), "expired");
	store_close(st);
	buf_release(&err);
}

TEST(store, publish_keeps_live_revision_until_go_live)
{
	struct store *st;
	struct buf err = BUF_INIT;
	struct page_fields f = { 0 };
	struct snapshot snap;
	struct sched_report rep;

	set_now(T0);
	st = open_store_at("kiln.db");
	create(st, "about", "Old title");
	CHECK_OK(store_page_publish(st, "about", 0, "t", &err));
	f.title = "New title";
	CHECK_OK(store_page_edit(st, "about", &f, "t", &err));
	CHECK_OK(store_page_publish(st, "about", T0 + 600, "t", &err));
	CHECK_OK(store_snapshot(st, "media", &snap, &err));
	CHECK_INT_EQ(snap.npages, 1);
	CHECK_STR_EQ(snap.pages[0].title, "Old title");
	snapshot_release(&snap);
	/* not due yet: nothing happens */
	CHECK_OK(store_run_scheduled(st, T0 + 599, false, "s", &rep, &err));
	CHECK_INT_EQ(rep.published, 0);
	json_decref(rep.changes);
	CHECK_OK(store_run_scheduled(st, T0 + 600, false, "s", &rep, &err));
	CHECK_INT_EQ(rep.published, 1);
	json_decref(rep.changes);
	CHECK_STR_EQ(status(st, "about"), "live");
	CHECK_OK(store_snapshot(st, "media", &snap, &err));
	CHECK_STR_EQ(snap.pages[0].title, "New title");
	snapshot_release(&snap);
	/* idempotent: a second run does nothing */
	CHECK_OK(store_run_scheduled(st, T0 + 601, false, "s", &rep, &err));
	CHECK_INT_EQ(rep.published + rep.expired, 0);
	json_decref(rep.changes);
	store_close(st);
	buf_release(&err);
}

TEST(store, never_published_page_waits_for_its_time)
{
	struct store *st;
	struct buf err = BUF_INIT;
	struct snapshot snap;
	struct page_info p;
	struct sched_report rep;
	int64_t next;

	set_now(T0);
	st = open_store_at("kiln.db");
	create(st, "events/fair", "Fair");
	CHECK_OK(store_page_schedule(st, "events/fair", T0 + 100, T0 + 200,
	    "t", &err));
	CHECK_STR_EQ(status(st, "events/fair"), "scheduled");
	CHECK_OK(store_page_get(st, "events/fair", &p, &err));
	CHECK_INT_EQ(p.first_published_at, 0);
	CHECK(!p.live);
	page_info_release(&p);
	CHECK_OK(store_snapshot(st, "media", &snap, &err));
	CHECK_INT_EQ(snap.npages, 0);
	snapshot_release(&snap);
	CHECK_OK(store_next_scheduled(st, T0, &next, &err));
	CHECK_INT_EQ(next, T0 + 100);
	CHECK_OK(store_run_scheduled(st, T0 + 100, false, "s", &rep, &err));
	CHECK_INT_EQ(rep.published, 1);
	json_decref(rep.changes);
	CHECK_OK(store_next_scheduled(st, T0 + 100, &next, &err));
	CHECK_INT_EQ(next, T0 + 200);
	CHECK_OK(store_page_get(st, "events/fair", &p, &err));
	CHECK_INT_EQ(p.first_published_at, T0 + 100);
	page_info_release(&p);
	store_close(st);
	buf_release(&err);
}

TEST(store, expired_revision_is_not_published)
{
	struct store *st;
	struct buf err = BUF_INIT;
	struct sched_report rep;

	set_now(T0);
	st = open_store_at("kiln.db");
	create(st, "news/late", "Late");
	CHECK_OK(store_page_schedule(st, "news/late", T0 + 10, T0 + 20, "t",
	    &err));
	/* the scheduler was down past both times */
	CHECK_OK(store_run_scheduled(st, T0 + 30, false, "s", &rep, &err));
	CHECK_INT_EQ(rep.published, 0);
	CHECK_INT_EQ(rep.skipped, 1);
	json_decref(rep.changes);
	CHECK_STR_EQ(status(st, "news/late"), "expired");
	CHECK_INT_EQ(pending(st), 0);
	store_close(st);
	buf_release(&err);
}

TEST(store, schedule_validation)
{
	struct store *st;
	struct buf err = BUF_INIT;

	set_now(T0);
	st = open_store_at("kiln.db");
	create(st, "a", "A");
	CHECK_INT_EQ(store_page_schedule(st, "a", T0 + 100, T0 + 50, "t",
	    &err), -1);
	CHECK(strstr(err.buf, "expire_at") != NULL);
	CHECK_INT_EQ(store_page_schedule(st, "a", 0, T0 - 1, "t", &err), -1);
	CHECK_INT_EQ(store_page_schedule(st, "a", 0, 0, "t", &err), -1);
	CHECK_STR_EQ(status(st, "a"), "draft");
	/* a past go-live publishes now */
	CHECK_OK(store_page_schedule(st, "a", T0 - 10, 0, "t", &err));
	CHECK_STR_EQ(status(st, "a"), "live");
	/* rescheduling moves the time */
	CHECK_OK(store_page_schedule(st, "a", T0 + 500, 0, "t", &err));
	CHECK_OK(store_page_schedule(st, "a", T0 + 900, 0, "t", &err));
	{
		int64_t next;
		CHECK_OK(store_next_scheduled(st, T0, &next, &err));
		CHECK_INT_EQ(next, T0 + 900);
	}
	store_close(st);
	buf_release(&err);
}

TEST(store, paths_are_canonical_and_contained)
{
	struct store *st;
	struct buf err = BUF_INIT;
	struct page_fields f = { 0 };
	struct page_info p;

	set_now(T0);
	st = open_store_at("kiln.db");
	f.title = "x";
	CHECK_INT_EQ(store_page_create(st, "../etc/passwd", &f, "t", NULL,
	    &err), -1);
	CHECK_INT_EQ(store_page_create(st, "News/Item", &f, "t", NULL, &err),
	    -1);
	CHECK_INT_EQ(store_page_create(st, "a\\b", &f, "t", NULL, &err), -1);
	CHECK_OK(store_page_create(st, "/news//x/", &f, "t", NULL, &err));
	CHECK_OK(store_page_get(st, "news/x", &p, &err));
	CHECK_STR_EQ(p.path, "news/x");
	CHECK_STR_EQ(p.section, "news");
	CHECK_STR_EQ(p.slug, "x");
	page_info_release(&p);
	CHECK_INT_EQ(store_page_create(st, "news/x", &f, "t", NULL, &err), -1);
	CHECK(strstr(err.buf, "already exists") != NULL);
	/* the parent created later adopts its child */
	CHECK_OK(store_page_create(st, "news", &f, "t", NULL, &err));
	CHECK_OK(store_page_get(st, "news/x", &p, &err));
	CHECK_STR_EQ(p.parent_path, "news");
	page_info_release(&p);
	CHECK_INT_EQ(store_page_delete(st, "news", "t", &err), -1);
	CHECK(strstr(err.buf, "child pages") != NULL);
	store_close(st);
	buf_release(&err);
}

TEST(store, request_and_change_share_a_transaction)
{
	struct store *st;
	struct buf err = BUF_INIT;
	int64_t seq0, seq1;

	set_now(T0);
	st = open_store_at("kiln.db");
	create(st, "a", "A");
	CHECK_OK(store_change_seq(st, &seq0, &err));
	setenv("KILN_TEST_FAIL_REQUEST", "1", 1);
	CHECK_INT_EQ(store_page_publish(st, "a", 0, "t", &err), -1);
	unsetenv("KILN_TEST_FAIL_REQUEST");
	/* neither the publish nor its request nor the sequence happened */
	CHECK_STR_EQ(status(st, "a"), "draft");
	CHECK_INT_EQ(pending(st), 0);
	CHECK_OK(store_change_seq(st, &seq1, &err));
	CHECK_INT_EQ(seq1, seq0);
	CHECK_OK(store_page_publish(st, "a", 0, "t", &err));
	CHECK_INT_EQ(pending(st), 1);
	CHECK_OK(store_change_seq(st, &seq1, &err));
	CHECK_INT_EQ(seq1, seq0 + 1);
	store_close(st);
	buf_release(&err);
}

TEST(store, save_and_publish_are_one_transaction)
{
	struct store *st;
	struct page_fields f = { 0 };
	struct page_info p;
	struct buf err = BUF_INIT;
	int64_t seq0, seq1;

	set_now(T0);
	st = open_store_at("kiln.db");
	create(st, "a", "A");
	CHECK_OK(store_change_seq(st, &seq0, &err));
	/* the publish fails after the create (or edit) was written */
	setenv("KILN_TEST_FAIL_REQUEST", "publish", 1);
	f.title = "B";
	f.body = "b";
	CHECK_INT_EQ(store_page_save(st, "b", &f, true, true, "t", NULL,
	    &err), -1);
	f.title = "A2";
	CHECK_INT_EQ(store_page_save(st, "a", &f, false, true, "t", NULL,
	    &err), -1);
	/* without a publish the hook is not met */
	f.title = "C";
	CHECK_OK(store_page_save(st, "c", &f, true, false, "t", NULL, &err));
	unsetenv("KILN_TEST_FAIL_REQUEST");
	/* neither the create nor the edit stayed without its publish */
	CHECK_INT_EQ(store_page_get(st, "b", &p, &err), 1);
	CHECK_OK(store_page_get(st, "a", &p, &err));
	CHECK_STR_EQ(p.title, "A");
	CHECK_STR_EQ(p.status, "draft");
	page_info_release(&p);
	CHECK_OK(store_change_seq(st, &seq1, &err));
	CHECK_INT_EQ(seq1, seq0 + 1);		/* the create of c alone */
	CHECK_OK(store_page_save(st, "b", &f, true, true, "t", NULL, &err));
	CHECK_STR_EQ(status(st, "b"), "live");
	store_close(st);
	buf_release(&err);
}

TEST(store, concurrent_scheduled_runs_publish_once)
{
	struct store *st;
	struct buf err = BUF_INIT;
	char path[32];
	pid_t kids[2];
	json_t *audit;
	size_t i, publishes = 0;
	json_t *row;

	set_now(T0);
	st = open_store_at("kiln.db");
	for (int n = 0; n < 50; n++) {
		snprintf(path, sizeof(path), "news/p%d", n);
		create(st, path, "P");
		CHECK_OK(store_page_publish(st, path, T0 + 10, "t", &err));
	}
	store_close(st);
	/* two processes, two connections, the same due pages */
	for (int k = 0; k < 2; k++) {
		if ((kids[k] = fork()) == 0) {
			struct sched_report rep;
			struct store *s2 = open_store_at("kiln.db");
			int rc = store_run_scheduled(s2, T0 + 10, false, "s",
			    &rep, &err);
			json_decref(rep.changes);
			store_close(s2);
			_exit(rc == 0 ? 0 : 1);
		}
	}
	for (int k = 0; k < 2; k++) {
		int stt;
		waitpid(kids[k], &stt, 0);
		CHECK(WIFEXITED(stt) && WEXITSTATUS(stt) == 0);
	}
	st = open_store_at("kiln.db");
	CHECK_OK(store_audit_list(st, 1000, &audit, &err));
	json_array_foreach(audit, i, row)
		if (strcmp(json_string_value(json_object_get(row, "action")),
		    "publish (scheduled)") == 0)
			publishes++;
	CHECK_INT_EQ(publishes, 50);
	CHECK_INT_EQ(pending(st), 50);
	json_decref(audit);
	store_close(st);
	buf_release(&err);
}

TEST(store, dry_run_changes_nothing)
{
	struct store *st;
	struct buf err = BUF_INIT;
	struct sched_report rep;

	set_now(T0);
	st = open_store_at("kiln.db");
	create(st, "a", "A");
	CHECK_OK(store_page_publish(st, "a", T0 + 5, "t", &err));
	CHECK_OK(store_run_scheduled(st, T0 + 5, true, "s", &rep, &err));
	CHECK_INT_EQ(rep.published, 1);
	json_decref(rep.changes);
	CHECK_STR_EQ(status(st, "a"), "scheduled");
	store_close(st);
	buf_release(&err);
}

TEST(store, media_is_content_addressed)
{
	struct store *st;
	struct buf err = BUF_INIT;
	struct media_info m1, m2;
	struct media_info *list;
	size_t n;

	set_now(T0);
	st = open_store_at("kiln.db");
	CHECK_OK(file_write("logo.png", "PNGDATA", 7, &err));
	CHECK_OK(store_media_add(st, "media", "logo.png", NULL, "t", &m1,
	    &err));
	CHECK_OK(store_media_add(st, "media", "logo.png", "copy.png", "t", &m2,
	    &err));
	CHECK_STR_EQ(m1.sha256, m2.sha256);
	CHECK(file_exists(m1.file));
	CHECK_STR_EQ(m1.content_type, "image/png");
	CHECK_OK(store_media_list(st, "media", &list, &n, &err));
	CHECK_INT_EQ(n, 1);
	store_media_list_free(list, n);
	CHECK_INT_EQ(store_media_add(st, "media", "logo.png", "../x.png", "t",
	    NULL, &err), -1);
	free(m1.name); free(m1.content_type); free(m1.file);
	free(m2.name); free(m2.content_type); free(m2.file);
	store_close(st);
	buf_release(&err);
}

/* the paths of store_page_find's answer, space-separated */
static const char *
found(struct store *st, const char *q, const char *status, size_t offset,
    size_t limit)
{
	static char out[512];
	struct page_filter f = { q, status, offset, limit };
	struct page_info *l;
	struct buf err = BUF_INIT;
	size_t n;

	out[0] = '\0';
	if (store_page_find(st, &f, &l, &n, &err) != 0)
		test_fail(__FILE__, __LINE__, "find: %s", err.buf);
	for (size_t i = 0; i < n; i++) {
		strlcat(out, i ? " " : "", sizeof(out));
		strlcat(out, l[i].path, sizeof(out));
	}
	store_page_list_free(l, n);
	buf_release(&err);
	return out;
}

/* the admin's page tree: search, status, pages and counts in SQL (0280) */
TEST(store, page_tree_filters_in_sql)
{
	struct store *st;
	struct buf err = BUF_INIT;
	struct page_fields f = { 0 };
	struct page_info p;
	int64_t c[PAGE_NSTATUS];

	set_now(T0);
	st = open_store_at("kiln.db");
	create(st, "news/a", "Alpha NEWS");
	create(st, "news/b", "Beta 100% sure");
	create(st, "about", "About us");
	create(st, "zed", "Zed");
	CHECK_OK(store_page_publish(st, "news/a", 0, "t", &err));
	CHECK_OK(store_page_publish(st, "about", 0, "t", &err));
	f.title = "About them";
	CHECK_OK(store_page_edit(st, "about", &f, "editor2", &err));
	CHECK_STR_EQ(found(st, NULL, NULL, 0, 50), "about news/a news/b zed");
	CHECK_STR_EQ(found(st, "", "", 1, 2), "news/a news/b");
	CHECK_STR_EQ(found(st, "news", NULL, 0, 50), "news/a news/b");
	/* the title of the latest revision, case aside; % is literal */
	CHECK_STR_EQ(found(st, "ALPHA", NULL, 0, 50), "news/a");
	CHECK_STR_EQ(found(st, "them", NULL, 0, 50), "about");
	CHECK_STR_EQ(found(st, "us", NULL, 0, 50), "");
	CHECK_STR_EQ(found(st, "0%", NULL, 0, 50), "news/b");
	CHECK_STR_EQ(found(st, "a_p", NULL, 0, 50), "");
	CHECK_STR_EQ(found(st, NULL, "draft", 0, 50), "news/b zed");
	CHECK_STR_EQ(found(st, NULL, "live + draft", 0, 50), "about");
	CHECK_STR_EQ(found(st, "e", "draft", 0, 1), "news/b");
	CHECK_STR_EQ(found(st, NULL, "no such", 0, 50), "");
	CHECK_OK(store_page_counts(st, NULL, c, &err));
	CHECK_INT_EQ(c[0], 1);		/* live */
	CHECK_INT_EQ(c[1], 2);		/* draft */
	CHECK_INT_EQ(c[4], 1);		/* live + draft */
	CHECK_INT_EQ(c[2] + c[3] + c[5], 0);
	CHECK_OK(store_page_counts(st, "NEWS", c, &err));
	CHECK_INT_EQ(c[0], 1);
	CHECK_INT_EQ(c[1], 1);
	CHECK_INT_EQ(c[4], 0);
	/* the status and author read with the page */
	CHECK_INT_EQ(store_page_get(st, "about", &p, &err), 0);
	CHECK_STR_EQ(p.status, "live + draft");
	CHECK_STR_EQ(p.author, "editor2");
	CHECK_STR_EQ(p.title, "About them");
	page_info_release(&p);
	store_close(st);
	buf_release(&err);
}

/* only the latest and live revisions that name /media/ are walked */
static int
media_use(void *arg, int64_t id, const char *path, const char *body)
{
	struct buf *b = arg;

	(void)id;
	(void)body;
	buf_printf(b, "%s;", path);
	return 0;
}

TEST(store, media_refs_follow_the_revisions_that_use_media)
{
	struct store *st;
	struct buf err = BUF_INIT, got = BUF_INIT;
	struct page_fields f = { 0 };

	set_now(T0);
	st = open_store_at("kiln.db");
	create(st, "a", "A");
	create(st, "b", "B");
	f.body = "![x](/media/x.png)";
	CHECK_OK(store_page_edit(st, "a", &f, "t", &err));
	CHECK_OK(store_page_publish(st, "a", 0, "t", &err));
	f.body = "![y](/MEDIA/y.png)";
	CHECK_OK(store_page_edit(st, "b", &f, "t", &err));
	f.body = "no picture";
	CHECK_OK(store_page_edit(st, "b", &f, "t", &err));
	CHECK_OK(store_media_refs(st, media_use, &got, &err));
	/* a: its latest (and live) revision; b's old revision is not walked */
	CHECK_STR_EQ(got.buf, "a;");
	f.body = "now none";
	CHECK_OK(store_page_edit(st, "a", &f, "t", &err));
	buf_reset(&got);
	CHECK_OK(store_media_refs(st, media_use, &got, &err));
	CHECK_STR_EQ(got.buf, "a;");	/* the live revision still uses it */
	store_close(st);
	buf_release(&got);
	buf_release(&err);
}

TEST(store, state_roundtrip)
{
	struct store *st;
	struct buf err = BUF_INIT, v = BUF_INIT;

	st = open_store_at("kiln.db");
	CHECK_INT_EQ(store_state_get(st, "k", &v, &err), 1);
	CHECK_OK(store_state_set(st, "k", "value", 5, &err));
	CHECK_OK(store_state_get(st, "k", &v, &err));
	CHECK_STR_EQ(v.buf, "value");
	CHECK_OK(store_state_delete(st, "k", &err));
	CHECK_INT_EQ(store_state_get(st, "k", &v, &err), 1);
	store_close(st);
	buf_release(&err);
	buf_release(&v);
}

/* the home page (path "") and a child: each insert commits (a
   RETURNING statement left open made SQLite refuse the COMMIT) */
TEST(store, home_page_and_child_are_created)
{
	struct store *st = open_store_at("kiln.db");
	struct page_fields f = { 0 };
	struct page_info p;
	struct buf err = BUF_INIT;
	int64_t home = 0, child = 0;

	f.title = "Home";
	CHECK_OK(store_page_create(st, "/", &f, "test", &home, &err));
	f.title = "About";
	CHECK_OK(store_page_create(st, "about", &f, "test", &child, &err));
	CHECK(home > 0 && child > home);
	CHECK_OK(store_page_get(st, "/", &p, &err));
	CHECK_STR_EQ(p.title, "Home");
	page_info_release(&p);
	store_close(st);
	buf_release(&err);
}

TEST(store, edits_of_a_missing_page_fail_cleanly)
{
	struct store *st = open_store_at("kiln.db");
	struct page_fields f = { 0 };
	struct page_info p;
	struct buf err = BUF_INIT;

	f.title = "New title";
	CHECK_INT_EQ(store_page_edit(st, "no/such-page", &f, "test", &err),
	    -1);
	CHECK(strstr(err.buf, "no page at 'no/such-page'") != NULL);
	CHECK_INT_EQ(store_page_get(st, "no/such-page", &p, &err), 1);
	CHECK(p.path == NULL);
	page_info_release(&p);
	store_close(st);
	buf_release(&err);
}

/* control characters, bad UTF-8 and long titles: refused, nothing stored */
TEST(store, page_text_is_checked)
{
	struct store *st = open_store_at("kiln.db");
	struct page_fields f = { 0 };
	struct buf err = BUF_INIT, why = BUF_INIT;
	char title[700];
	int line = 0;

	CHECK_INT_EQ(page_text_check("ok\ttab\r\nnext", 12, true, 0, &line,
	    &why), 0);
	CHECK_INT_EQ(page_text_check("a\nb\nc\x7f", 6, true, 0, &line, &why),
	    -1);
	CHECK_INT_EQ(line, 3);
	CHECK_STR_EQ(why.buf, "contains a control character (U+007F)");
	CHECK_INT_EQ(page_text_check("\xc2\x85", 2, true, 0, &line, &why), -1);
	CHECK_STR_EQ(why.buf, "contains a control character (U+0085)");
	CHECK_INT_EQ(page_text_check("a\tb", 3, false, 0, &line, &why), -1);
	CHECK_INT_EQ(page_text_check("\xed\xa0\x80", 3, true, 0, &line, &why),
	    -1);
	CHECK_STR_EQ(why.buf, "not valid UTF-8 (byte 0xed)");
	CHECK_INT_EQ(page_text_check("\xc0\xaf", 2, true, 0, &line, &why), -1);

	f.title = "Bell\a";
	CHECK_INT_EQ(store_page_create(st, "a", &f, "t", NULL, &err), -1);
	CHECK_STR_EQ(err.buf, "title: contains a control character (U+0007)");
	f.title = "Fine";
	f.body = "one\ntwo \xff";
	CHECK_INT_EQ(store_page_create(st, "a", &f, "t", NULL, &err), -1);
	CHECK_STR_EQ(err.buf, "body: line 2: not valid UTF-8 (byte 0xff)");
	/* 300 characters of two bytes each: fine; 301: too long */
	title[0] = '\0';
	for (int i = 0; i < 300; i++)
		strlcat(title, "\xc3\xa9", sizeof(title));
	f.body = NULL;
	f.title = title;
	CHECK_OK(store_page_create(st, "a", &f, "t", NULL, &err));
	strlcat(title, "x", sizeof(title));
	CHECK_INT_EQ(store_page_edit(st, "a", &f, "t", &err), -1);
	CHECK_STR_EQ(err.buf, "title: too long (301 characters, at most 300)");
	f.title = NULL;
	f.summary = "sum\x1b[2J";
	CHECK_INT_EQ(store_page_edit(st, "a", &f, "t", &err), -1);
	CHECK_STR_EQ(err.buf, "summary: line 1: contains a control character "
	    "(U+001B)");
	CHECK_STR_EQ(status(st, "a"), "draft");
	store_close(st);
	buf_release(&err);
	buf_release(&why);
}

/* bad input names its field beside the kind (store_err_field) */
TEST(store, errors_name_their_field)
{
	struct store *st = open_store_at("kiln.db");
	struct page_fields f = { 0 };
	struct buf err = BUF_INIT;
	json_t *tags = json_string("x"), *extra = json_array();

#define BAD(call, field) do { \
	store_err_clear(st); \
	CHECK_INT_EQ((call), -1); \
	CHECK(store_err_kind(st) == ERR_NONE || \
	    store_err_kind(st) == ERR_INVALID); \
	CHECK_STR_EQ(store_err_field(st), (field)); \
} while (0)
	BAD(store_page_create(st, "a", &f, "t", NULL, &err), "title");
	f.title = "A";
	BAD(store_page_create(st, "../a", &f, "t", NULL, &err), "path");
	f.summary = "sum\x1b";
	BAD(store_page_create(st, "a", &f, "t", NULL, &err), "summary");
	f.summary = NULL;
	f.tags = tags;
	BAD(store_page_create(st, "a", &f, "t", NULL, &err), "tags");
	f.tags = NULL;
	f.extra = extra;
	BAD(store_page_create(st, "a", &f, "t", NULL, &err), "extra");
	f.extra = NULL;
	f.template = "no/such";
	BAD(store_page_create(st, "a", &f, "t", NULL, &err), "template");
	f.template = NULL;
	CHECK_OK(store_page_create(st, "a", &f, "t", NULL, &err));
	f.title = "";
	BAD(store_page_edit(st, "a", &f, "t", &err), "title");
	BAD(store_page_schedule(st, "a", 0, T0, "t", &err), "expire_at");
#undef BAD
	/* other kinds name no field */
	store_err_clear(st);
	f.title = "B";
	CHECK_INT_EQ(store_page_edit(st, "nope", &f, "t", &err), -1);
	CHECK_INT_EQ(store_err_kind(st), ERR_NOT_FOUND);
	CHECK_NULL(store_err_field(st));
	store_err_clear(st);
	CHECK_INT_EQ(store_err_kind(st), ERR_NONE);
	CHECK_NULL(store_err_field(st));
	json_decref(tags);
	json_decref(extra);
	store_close(st);
	buf_release(&err);
}

/* store_open picks the backend by driver (store_backend.h) */
TEST(store, driver_chooses_the_backend)
{
	struct store *st = NULL;
	struct buf err = BUF_INIT;

	/* a password in the URL is refused, and not repeated */
	CHECK_INT_EQ(store_open("postgres",
	    "postgresql://kiln:s3cr3t@127.0.0.1:1/kiln", &st, &err), -1);
	CHECK_NULL(st);
	CHECK(strstr(err.buf, "contains a password") != NULL);
	CHECK(strstr(err.buf, "s3cr3t") == NULL);
	buf_reset(&err);
	CHECK_INT_EQ(store_open("postgres", "host=127.0.0.1 port=1 "
	    "password=s3cr3t", &st, &err), -1);
	CHECK(strstr(err.buf, "contains a password") != NULL);
	CHECK(strstr(err.buf, "s3cr3t") == NULL);
	buf_reset(&err);
	CHECK_INT_EQ(store_open("mysql", "x", &st, &err), -1);
	CHECK_STR_EQ(err.buf, "store: unknown driver 'mysql'");
	buf_reset(&err);
	CHECK_OK(store_open("sqlite", "drv.db", &st, &err));
	CHECK_OK(store_begin(st, &err));
	CHECK_OK(store_commit(st, &err));
	CHECK_INT_EQ(store_err_kind(st), ERR_NONE);
	store_close(st);
	buf_release(&err);
}
