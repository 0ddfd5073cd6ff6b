/* SPDX-License-Identifier: ISC */
/*
 * test_units.c: the unit build queue (store_unit.h) on both backends:
 * one row per (unit, version), never claimed twice while its lease
 * lives, taken over when it lapses, retried after its backoff, failed
 * for good, queued again when its marker is gone.
 */
#include "test.h"
#include "store_fixture.h"

#include <jansson.h>

#include "common/buf.h"
#include "store/store.h"
#include "store/store_unit.h"

#define T0 1795531855LL		/* 2026-11-24T14:50:55Z */

static const char *
enqueue(struct store *st, const char *unit, const char *version)
{
	struct buf err = BUF_INIT;
	const char *state = "?";

	CHECK(store_unit_enqueue(st, unit, version, "/src", &state,
	    &err) == 0);
	buf_release(&err);
	return state;
}

static int64_t
claim(struct store *st, const char *worker, struct unit_claim *u)
{
	struct buf err = BUF_INIT;

	CHECK(store_unit_claim(st, worker, 60, u, &err) == 0);
	buf_release(&err);
	return u->id;
}

TEST(units, claimed_once_taken_over_retried)
{
	struct store *a, *b;
	struct unit_claim u, v;
	struct buf err = BUF_INIT;
	json_t *stats = NULL;

	set_now(T0);
	a = open_store_at("units.db");
	b = open_store_at("units.db");
	CHECK_STR_EQ(enqueue(a, "book", "1"), "queued");
	CHECK_STR_EQ(enqueue(b, "book", "1"), "pending");
	/* two workers: one claims it, the other finds nothing */
	CHECK(claim(a, "w1", &u) != 0);
	CHECK_STR_EQ(u.unit, "book");
	CHECK_INT_EQ(u.attempt, 1);
	CHECK_INT_EQ(claim(b, "w2", &v), 0);
	CHECK_STR_EQ(enqueue(b, "book", "1"), "pending");
	/* the lease lapses (w1 died): w2 takes it over */
	set_now(T0 + 61);
	CHECK(claim(b, "w2", &v) == u.id);
	CHECK_INT_EQ(v.attempt, 2);
	/* w1 comes back: its claim (attempt 1) renews and records nothing */
	CHECK(store_unit_heartbeat(a, u.id, u.attempt, 60, &err) == -1);
	CHECK_INT_EQ(store_err_kind(a), ERR_CONFLICT);
	CHECK(strstr(err.buf, "lease lost to take-over") != NULL);
	buf_reset(&err);
	CHECK(store_unit_finish(a, u.id, u.attempt, true, NULL,
	    "{\"pages\":1}", NULL, 0, &err) == -1);
	CHECK_INT_EQ(store_err_kind(a), ERR_CONFLICT);
	buf_reset(&err);
	CHECK(store_unit_heartbeat(b, v.id, v.attempt, 60, &err) == 0);
	/* a failure with a retry time: not due before it */
	CHECK(store_unit_finish(b, v.id, v.attempt, false, "boom", NULL, NULL,
	    T0 + 100, &err) == 0);
	CHECK_INT_EQ(claim(a, "w1", &u), 0);
	set_now(T0 + 100);
	CHECK(claim(a, "w1", &u) == v.id);
	CHECK_INT_EQ(u.attempt, 3);
	/* failed for good: a tick does not queue it again */
	CHECK(store_unit_finish(a, u.id, u.attempt, false, "boom", NULL, NULL,
	    0, &err) == 0);
	CHECK_STR_EQ(enqueue(a, "book", "1"), "failed");
	CHECK_INT_EQ(claim(a, "w1", &u), 0);
	/* a succeeded one whose marker is gone is queued again */
	CHECK_STR_EQ(enqueue(a, "book", "2"), "queued");
	CHECK(claim(a, "w1", &u) != 0);
	CHECK(store_unit_finish(a, u.id, u.attempt, true, NULL,
	    "{\"pages\":2}", NULL, 0, &err) == 0);
	CHECK(store_unit_stats(a, T0, &stats, &err) == 0);
	CHECK_INT_EQ(json_integer_value(json_object_get(stats, "succeeded")),
	    1);
	CHECK_INT_EQ(json_integer_value(json_object_get(stats, "failed")), 1);
	json_decref(stats);
	CHECK_STR_EQ(enqueue(a, "book", "2"), "queued");
	store_close(a);
	store_close(b);
	buf_release(&err);
}

static char *
shared_text(struct store *st)
{
	struct buf err = BUF_INIT;
	json_t *keep = NULL;
	char *t;

	CHECK(store_unit_shared(st, &keep, &err) == 0);
	t = json_dumps(keep, JSON_COMPACT | JSON_SORT_KEYS);
	json_decref(keep);
	buf_release(&err);
	return t;
}

/* decision 0270: the keep set is written with the success, and only then */
TEST(units, shared_paths_recorded_with_success)
{
	struct store *a, *b;
	struct unit_claim u, v;
	struct buf err = BUF_INIT;
	json_t *one = json_pack("[s, s, s]", "css/site.1.css",
	    "img/logo.2.svg", "css/site.1.css");
	json_t *two = json_pack("[s]", "css/site.9.css");
	char *t;

	set_now(T0);
	a = open_store_at("shared.db");
	b = open_store_at("shared.db");
	CHECK_STR_EQ((t = shared_text(a)), "{}");
	free(t);
	CHECK_STR_EQ(enqueue(a, "book", "1"), "queued");
	CHECK_STR_EQ(enqueue(a, "book", "2"), "queued");
	CHECK(claim(a, "w1", &u) != 0);
	/* a failure (retried) records no shared path */
	CHECK(store_unit_finish(a, u.id, u.attempt, false, "boom", NULL, one,
	    T0, &err) == 0);
	CHECK_STR_EQ((t = shared_text(a)), "{}");
	free(t);
	CHECK(claim(a, "w1", &u) != 0);
	/* taken over: the stale success records nothing, shared paths too */
	set_now(T0 + 61);
	CHECK(claim(b, "w2", &v) == u.id);
	CHECK(store_unit_finish(a, u.id, u.attempt, true, NULL, "{}", one, 0,
	    &err) == -1);
	CHECK_INT_EQ(store_err_kind(a), ERR_CONFLICT);
	CHECK_STR_EQ((t = shared_text(a)), "{}");
	free(t);
	buf_reset(&err);
	CHECK(store_unit_finish(b, v.id, v.attempt, true, NULL, "{}", one, 0,
	    &err) == 0);
	CHECK_STR_EQ((t = shared_text(b)),
	    "{\"css/site.1.css\":true,\"img/logo.2.svg\":true}");
	free(t);
	/* a second unit naming other files: the set is the union */
	CHECK(claim(a, "w1", &u) != 0);
	CHECK(store_unit_finish(a, u.id, u.attempt, true, NULL, "{}", two, 0,
	    &err) == 0);
	CHECK_STR_EQ((t = shared_text(a)), "{\"css/site.1.css\":true,"
	    "\"css/site.9.css\":true,\"img/logo.2.svg\":true}");
	free(t);
	/* the first rebuilt (its marker was lost): its paths are replaced */
	CHECK_STR_EQ(enqueue(a, "book", "1"), "queued");
	CHECK(claim(a, "w1", &u) == v.id);
	CHECK(store_unit_finish(a, u.id, u.attempt, true, NULL, "{}", two, 0,
	    &err) == 0);
	CHECK_STR_EQ((t = shared_text(a)), "{\"css/site.9.css\":true}");
	free(t);
	json_decref(one);
	json_decref(two);
	store_close(a);
	store_close(b);
	buf_release(&err);
}
