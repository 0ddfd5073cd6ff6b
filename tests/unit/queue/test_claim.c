/* SPDX-License-Identifier: ISC */
/*
 * test_claim.c: the queue's rules, on a real store: coalescing (a burst
 * of requests is one build; a request made during a build waits for the
 * next), one live lease at a time, take-over of an expired lease, retry
 * after a backoff, no retry loop after the last attempt or a cancel, and
 * requests satisfied only by a success whose snapshot covers them.
 */
#include "test.h"
#include "store_fixture.h"

#include <jansson.h>

#include "common/buf.h"
#include "common/timeutil.h"
#include "store/store.h"
#include "store/store_build.h"

#define T0 1795531855LL		/* 2026-11-24T14:50:55Z */

static struct store *
open_store(void)
{
	unlink("q.db");
	unlink("q.db-wal");
	unlink("q.db-shm");
	return open_store_at("q.db");
}

static void
request(struct store *st, const char *reason)
{
	struct buf err = BUF_INIT;
	int64_t id;

	if (store_request_build(st, reason, "test", &id, &err) != 0)
		test_fail(__FILE__, __LINE__, "request: %s", err.buf);
	buf_release(&err);
}

/* the fencing token of the last successful claim (decision 0170) */
static int64_t last_token;

static int64_t
claim(struct store *st, const char *worker, int64_t lease)
{
	struct buf err = BUF_INIT;
	int64_t id = -1, token = -1;

	if (store_build_claim(st, worker, lease, &id, &token, &err) != 0)
		test_fail(__FILE__, __LINE__, "claim: %s", err.buf);
	if (id)
		last_token = token;
	buf_release(&err);
	return id;
}

static size_t
pending(struct store *st)
{
	struct buf err = BUF_INIT;
	json_t *a = NULL;
	size_t n;

	if (store_pending_requests(st, &a, &err) != 0)
		test_fail(__FILE__, __LINE__, "pending: %s", err.buf);
	n = json_array_size(a);
	json_decref(a);
	buf_release(&err);
	return n;
}

static json_int_t
field(struct store *st, int64_t id, const char *name)
{
	struct buf err = BUF_INIT;
	json_t *b = NULL;
	json_int_t v;

	if (store_build_get(st, id, false, &b, &err) != 0)
		test_fail(__FILE__, __LINE__, "get %lld", (long long)id);
	v = json_integer_value(json_object_get(b, name));
	json_decref(b);
	buf_release(&err);
	return v;
}

/* snapshot at the current sequence, then finish with the last claim */
static void
finish(struct store *st, int64_t id, bool ok, int64_t retry_at)
{
	struct buf err = BUF_INIT;
	int64_t seq;

	CHECK_OK(store_change_seq(st, &seq, &err));
	CHECK_OK(store_build_set_seq(st, id, seq, &err));
	CHECK_OK(store_build_finish(st, id, last_token, ok, ok ? NULL : "boom",
	    NULL, NULL, retry_at, &err));
	buf_release(&err);
}

TEST(queue, a_burst_is_one_build_and_one_pending)
{
	struct store *st;
	struct buf err = BUF_INIT;
	int64_t a, b, seq;

	set_now(T0);
	st = open_store();
	CHECK_INT_EQ((int)claim(st, "w1", 60), 0);	/* nothing to do */
	for (int i = 0; i < 5; i++)
		request(st, i % 2 ? "manual" : "webhook");
	a = claim(st, "w1", 60);
	CHECK(a > 0);
	/* the lease is the lock: nobody else builds meanwhile */
	CHECK_INT_EQ((int)claim(st, "w2", 60), 0);
	/* the build's snapshot is taken; more requests arrive */
	CHECK_OK(store_change_seq(st, &seq, &err));
	CHECK_OK(store_build_set_seq(st, a, seq, &err));
	request(st, "manual");
	request(st, "manual");
	CHECK_INT_EQ((int)claim(st, "w2", 60), 0);
	CHECK_OK(store_build_finish(st, a, 1, true, NULL, NULL, NULL, 0,
	    &err));
	/* only the two requests its snapshot missed are left: one build */
	CHECK_INT_EQ((int)pending(st), 2);
	b = claim(st, "w2", 60);
	CHECK(b > a);
	finish(st, b, true, 0);
	CHECK_INT_EQ((int)pending(st), 0);
	CHECK_INT_EQ((int)claim(st, "w1", 60), 0);
	store_close(st);
	buf_release(&err);
}

TEST(queue, an_expired_lease_is_taken_over)
{
	struct store *st;
	struct buf err = BUF_INIT;
	int64_t a;

	set_now(T0);
	st = open_store();
	request(st, "manual");
	a = claim(st, "w1", 10);
	CHECK(a > 0);
	set_now(T0 + 5);
	CHECK_OK(store_build_heartbeat(st, a, last_token, 10, &err));
	set_now(T0 + 14);
	CHECK_INT_EQ((int)claim(st, "w2", 10), 0);	/* still held */
	set_now(T0 + 16);
	CHECK_INT_EQ((int)claim(st, "w2", 10), (int)a);
	CHECK_INT_EQ((int)field(st, a, "attempt"), 2);
	store_close(st);
	buf_release(&err);
}

static json_t *
record(struct store *st, int64_t id)
{
	struct buf err = BUF_INIT;
	json_t *b = NULL;

	CHECK_OK(store_build_get(st, id, true, &b, &err));
	buf_release(&err);
	return b;
}

/*
 * Fencing (decision 0170): the stale claim of a taken-over build can
 * neither renew the lease nor record a result; the new claim can.
 */
TEST(queue, a_stale_claim_renews_and_records_nothing)
{
	struct store *st;
	struct buf err = BUF_INIT;
	int64_t a, t1, t2, seq;
	json_t *b;

	set_now(T0);
	st = open_store();
	request(st, "manual");
	a = claim(st, "w1", 10);
	t1 = last_token;
	CHECK(a > 0);
	/* w1 stops; its lease lapses; w2 takes the build over */
	set_now(T0 + 11);
	CHECK_INT_EQ((int)claim(st, "w2", 10), (int)a);
	t2 = last_token;
	CHECK(t2 > t1);
	/* w1 resumes: its heartbeat is refused as a conflict */
	store_err_clear(st);
	CHECK_INT_EQ(store_build_heartbeat(st, a, t1, 10, &err), -1);
	CHECK_INT_EQ((int)store_err_kind(st), (int)ERR_CONFLICT);
	CHECK(strstr(err.buf, "lease lost to take-over") != NULL);
	/* nor does its finish change anything, success or failure */
	CHECK_OK(store_change_seq(st, &seq, &err));
	CHECK_OK(store_build_set_seq(st, a, seq, &err));
	buf_reset(&err);
	store_err_clear(st);
	CHECK_INT_EQ(store_build_finish(st, a, t1, true, NULL, "{}", NULL, 0,
	    &err), -1);
	CHECK_INT_EQ((int)store_err_kind(st), (int)ERR_CONFLICT);
	CHECK_INT_EQ(store_build_finish(st, a, t1, false, "stale", NULL, NULL,
	    0, &err), -1);
	b = record(st, a);
	CHECK_STR_EQ(json_string_value(json_object_get(b, "status")),
	    "running");
	CHECK_STR_EQ(json_string_value(json_object_get(b, "worker")), "w2");
	json_decref(b);
	CHECK_INT_EQ((int)pending(st), 1);
	/* the live claim renews, and its lease keeps others out */
	set_now(T0 + 15);
	buf_reset(&err);
	CHECK_OK(store_build_heartbeat(st, a, t2, 10, &err));
	set_now(T0 + 24);
	CHECK_INT_EQ((int)claim(st, "w1", 10), 0);
	/* and records the result */
	CHECK_OK(store_build_finish(st, a, t2, true, NULL, "{}", NULL, 0,
	    &err));
	b = record(st, a);
	CHECK_STR_EQ(json_string_value(json_object_get(b, "status")),
	    "succeeded");
	json_decref(b);
	CHECK_INT_EQ((int)pending(st), 0);
	/* a finished build: a late heartbeat of its holder is no error */
	CHECK_OK(store_build_heartbeat(st, a, t2, 10, &err));
	store_close(st);
	buf_release(&err);
}

TEST(queue, a_failure_is_retried_after_its_backoff)
{
	struct store *st;
	int64_t a, b;

	set_now(T0);
	st = open_store();
	request(st, "manual");
	a = claim(st, "w1", 60);
	finish(st, a, false, T0 + 100);
	/* the request stays pending: no lost publish */
	CHECK_INT_EQ((int)pending(st), 1);
	set_now(T0 + 99);
	CHECK_INT_EQ((int)claim(st, "w1", 60), 0);
	set_now(T0 + 100);
	b = claim(st, "w1", 60);
	CHECK(b > a);
	CHECK_INT_EQ((int)field(st, b, "attempt"), 2);
	store_close(st);
}

TEST(queue, no_retry_loop_after_the_last_attempt_or_a_cancel)
{
	struct store *st;
	struct buf err = BUF_INIT;
	int64_t a, b, c;

	set_now(T0);
	st = open_store();
	request(st, "manual");
	a = claim(st, "w1", 60);
	finish(st, a, false, 0);		/* the last attempt */
	set_now(T0 + 3600);
	CHECK_INT_EQ((int)claim(st, "w1", 60), 0);
	CHECK_INT_EQ((int)pending(st), 1);
	request(st, "manual");			/* a new request: go */
	b = claim(st, "w1", 60);
	CHECK(b > a);
	CHECK_INT_EQ((int)field(st, b, "attempt"), 1);
	CHECK_INT_EQ(store_build_cancel(st, b, &err), 0);
	CHECK_INT_EQ(store_build_cancel(st, b, &err), 1);
	CHECK_INT_EQ((int)claim(st, "w1", 60), 0);
	request(st, "manual");
	c = claim(st, "w1", 60);
	CHECK(c > b);
	store_close(st);
	buf_release(&err);
}

/* two nodes (two handles on one store): one lease between them */
TEST(queue, two_nodes_share_one_lease)
{
	struct store *a, *b;
	int64_t id;

	set_now(T0);
	a = open_store();
	b = open_store_at("q.db");
	request(b, "manual");
	id = claim(a, "node-a", 60);
	CHECK(id > 0);
	CHECK_INT_EQ((int)claim(b, "node-b", 60), 0);
	finish(a, id, true, 0);
	CHECK_INT_EQ((int)pending(b), 0);
	CHECK_INT_EQ((int)claim(b, "node-b", 60), 0);
	store_close(a);
	store_close(b);
}

/*
 * A request committed on one node wakes a listener on another at once
 * (PostgreSQL LISTEN/NOTIFY); SQLite says it has no notifications, and
 * its workers poll.  Waits are bounded, never timed.
 */
TEST(queue, a_request_wakes_listeners_on_other_nodes)
{
	struct store *a, *b, *l;
	struct buf err = BUF_INIT;

	set_now(T0);
	a = open_store();
	b = open_store_at("q.db");
	l = open_store_at("q.db");
	if (!test_store_pg()) {
		CHECK_INT_EQ(store_listen(l, &err), 1);
		goto out;
	}
	CHECK_OK(store_listen(l, &err));
	CHECK_INT_EQ(store_wait(l, 0), 0);	/* nothing yet */
	/* a change inside a transaction notifies when it commits */
	CHECK_OK(store_begin(b, &err));
	request(b, "manual");
	CHECK_INT_EQ(store_wait(l, 0), 0);
	CHECK_OK(store_commit(b, &err));
	CHECK_INT_EQ(store_wait(l, 20000), 1);
	CHECK_INT_EQ(store_wait(l, 0), 0);	/* consumed */
	request(a, "webhook");
	CHECK_INT_EQ(store_wait(l, 20000), 1);
out:
	store_close(l);
	store_close(b);
	store_close(a);
	buf_release(&err);
}

/* a cron mark moves once: the node that loses the race skips the task */
TEST(queue, a_cron_mark_moves_once_across_nodes)
{
	struct store *a, *b;
	struct buf err = BUF_INIT, v = BUF_INIT;

	set_now(T0);
	a = open_store();
	b = open_store_at("q.db");
	CHECK_INT_EQ(store_state_swap(a, "sched.last.gc", NULL, "100", &err),
	    1);
	CHECK_INT_EQ(store_state_swap(b, "sched.last.gc", NULL, "101", &err),
	    0);
	/* both read 100; one wins */
	CHECK_INT_EQ(store_state_swap(b, "sched.last.gc", "100", "160", &err),
	    1);
	CHECK_INT_EQ(store_state_swap(a, "sched.last.gc", "100", "161", &err),
	    0);
	CHECK_OK(store_state_get(a, "sched.last.gc", &v, &err));
	CHECK_STR_EQ(v.buf, "160");
	store_close(a);
	store_close(b);
	buf_release(&err);
	buf_release(&v);
}
