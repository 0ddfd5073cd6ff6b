/* SPDX-License-Identifier: ISC */
/*
 * test_incident.c: notify's incident rules on a real store: a build is
 * stalled by its start time or a missed heartbeat (never by its request
 * time), one report per incident, a reminder only every remind_every,
 * and a success closes the incident.  No channel is configured, so
 * nothing is sent; the incident record is what is checked.
 */
#include "test.h"
#include "store_fixture.h"

#include <jansson.h>

#include "common/buf.h"
#include "common/timeutil.h"
#include "conf/conf.h"
#include "notify/notify.h"
#include "store/store.h"
#include "store/store_build.h"

#define T0 1795531855LL		/* 2026-11-24T14:50:55Z */

static struct store *
open_store(const char *name)
{
	unlink(name);
	return open_store_at(name);
}

static size_t
check(const struct notify_conf *nc, struct store *st)
{
	struct buf err = BUF_INIT;
	size_t n = 99;

	if (notify_check(nc, "Site", st, 1800, &n, &err) != 0)
		test_fail(__FILE__, __LINE__, "check: %s", err.buf);
	buf_release(&err);
	return n;
}

/* the open incident's field NAME, or -1 when there is none */
static json_int_t
incident(struct store *st, const char *name)
{
	struct buf v = BUF_INIT, err = BUF_INIT;
	json_int_t r = -1;
	json_t *j;

	if (store_state_get(st, "notify.incident", &v, &err) == 0 &&
	    (j = json_loadb(v.buf, v.len, 0, NULL)) != NULL) {
		r = json_integer_value(json_object_get(j, name));
		json_decref(j);
	}
	buf_release(&v);
	buf_release(&err);
	return r;
}

static int64_t
start_build(struct store *st, int64_t lease)
{
	struct buf err = BUF_INIT;
	int64_t req, id = 0, token = 0;

	CHECK_OK(store_request_build(st, "manual", "test", &req, &err));
	CHECK_OK(store_build_claim(st, "w1", lease, &id, &token, &err));
	CHECK_INT_EQ((int)token, 1);
	CHECK(id > 0);
	buf_release(&err);
	return id;
}

TEST(notify, stall_by_start_time_one_report_then_reminders)
{
	struct notify_conf nc = { NULL, NULL, 600, 3600 };
	struct buf err = BUF_INIT;
	struct store *st;
	int64_t id;

	/* requested long ago, started now: not stalled */
	set_now(T0 - 86400);
	st = open_store("n1.db");
	set_now(T0);
	id = start_build(st, 100000);
	CHECK_INT_EQ((int)check(&nc, st), 0);
	CHECK_INT_EQ((int)incident(st, "build"), -1);
	/* running past stalled_after by its start: one report */
	set_now(T0 + 601);
	CHECK_INT_EQ((int)check(&nc, st), 1);
	CHECK_INT_EQ((int)incident(st, "build"), (int)id);
	CHECK_INT_EQ((int)(incident(st, "opened") - T0), 601);
	CHECK_INT_EQ((int)check(&nc, st), 0);
	set_now(T0 + 601 + 3599);
	CHECK_INT_EQ((int)check(&nc, st), 0);
	/* a reminder every remind_every; the incident keeps its start */
	set_now(T0 + 601 + 3600);
	CHECK_INT_EQ((int)check(&nc, st), 1);
	CHECK_INT_EQ((int)(incident(st, "opened") - T0), 601);
	CHECK_INT_EQ((int)(incident(st, "sent") - T0), 601 + 3600);
	/* a success closes it */
	CHECK_OK(store_build_finish(st, id, 1, true, NULL, NULL, NULL, 0,
	    &err));
	CHECK_OK(notify_build_succeeded(&nc, "Site", st, id, &err));
	CHECK_INT_EQ((int)incident(st, "build"), -1);
	CHECK_INT_EQ((int)check(&nc, st), 0);
	store_close(st);
	buf_release(&err);
}

TEST(notify, a_missed_heartbeat_is_a_stall)
{
	struct notify_conf nc = { NULL, NULL, 600, 3600 };
	struct store *st;
	int64_t id;

	set_now(T0);
	st = open_store("n2.db");
	id = start_build(st, 30);
	set_now(T0 + 30);
	CHECK_INT_EQ((int)check(&nc, st), 0);	/* lease still valid */
	set_now(T0 + 31);
	CHECK_INT_EQ((int)check(&nc, st), 1);	/* well before 600 s */
	CHECK_INT_EQ((int)incident(st, "build"), (int)id);
	store_close(st);
}
