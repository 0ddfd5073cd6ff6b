/* SPDX-License-Identifier: ISC */
/*
 * store_schedule.c: scheduled go-live and expiry on SQLite (see store.h).
 */
#include "common/compat.h"

#include <errno.h>
#include <stdarg.h>
#include <sys/stat.h>

#include "common/buf.h"
#include "common/fsutil.h"
#include "common/hash.h"
#include "common/jsonsafe.h"
#include "common/limits.h"
#include "common/manifest.h"
#include "common/path.h"
#include "common/testhook.h"
#include "common/timeutil.h"
#include "common/xmalloc.h"
#include "conf/conf.h"
#include "store/store.h"
#include "store/store_int.h"
/* ---- scheduling ---- */

/* one line of the run's report */
static void
report(struct sched_report *rep, const char *path, const char *action)
{
	json_array_append_new(rep->changes, json_pack("{s:s, s:s}", "path",
	    path, "action", action));
}

/* P's scheduled revision goes live at NOW, or is dropped if expired */
static int
golive_one(struct store *st, struct page_info *p, int64_t now,
    const char *actor, struct sched_report *rep, struct buf *err)
{
	if (p->expire_at && p->expire_at <= now) {
		/* its window has passed: never published */
		rep->skipped++;
		report(rep, p->path, "skipped (expired)");
		if (store_exec_i64(st, "UPDATE pages SET "
		    "scheduled_revision_id = NULL, go_live_at = NULL, "
		    "expired = CASE live WHEN 1 THEN expired ELSE 1 "
		    "END WHERE id = ? AND scheduled_revision_id = ?",
		    err, 2, p->id, p->scheduled_revision) == -1 ||
		    store_changed(st, actor, "schedule skipped", p->id,
		    p->path, "expired before its go-live", NULL, err) == -1)
			return -1;
		return 0;
	}
	rep->published++;
	report(rep, p->path, "published");
	if (store_make_live(st, p, p->scheduled_revision, now, err) == -1 ||
	    store_changed(st, actor, "publish (scheduled)", p->id, p->path,
	    NULL, "scheduled", err) == -1)
		return -1;
	return 0;
}

/* live page P's expiry has come: it goes offline */
static int
expire_one(struct store *st, struct page_info *p, int64_t now,
    const char *actor, struct sched_report *rep, struct buf *err)
{
	rep->expired++;
	report(rep, p->path, "expired");
	if (store_exec_i64(st, "UPDATE pages SET live = 0, expired = 1, "
	    "has_unpublished_changes = 1, updated_at = ? WHERE id = ? AND "
	    "live = 1", err, 2, now, p->id) == -1)
		return -1;
	return store_changed(st, actor, "expire", p->id, p->path, NULL,
	    "scheduled", err);
}

struct due_run {
	int64_t now;
	const char *actor;
	struct sched_report *rep;
};

/* FN on each page SQL selects at NOW (WHAT names it), in path order */
static int
run_due(struct store *st, const char *sql, const char *what,
    int (*fn)(struct store *, struct page_info *, int64_t, const char *,
    struct sched_report *, struct buf *), const struct due_run *r,
    struct buf *err)
{
	struct page_info *due;
	size_t n;
	int rc = 0;

	if (store_page_select(st, sql, true, r->now, what, &due, &n,
	    err) == -1)
		return -1;
	for (size_t i = 0; i < n && rc == 0; i++)
		rc = fn(st, &due[i], r->now, r->actor, r->rep, err);
	store_page_list_free(due, n);
	return rc;
}

int
sql_run_scheduled(struct store *st, int64_t now, bool dry_run,
    const char *actor, struct sched_report *rep, struct buf *err)
{
	struct due_run r = { now, actor, rep };
	int rc = -1;

	memset(rep, 0, sizeof(*rep));
	rep->changes = json_array();
	if (store_tx_begin(st, err) == -1)
		return -1;
	/* 1. the go-lives due, 2. the live pages whose expiry has come */
	if (run_due(st, "SELECT " PAGE_COLS "WHERE p.scheduled_revision_id "
	    "IS NOT NULL AND p.go_live_at <= ? ORDER BY p.path", "due pages",
	    golive_one, &r, err) == -1 ||
	    run_due(st, "SELECT " PAGE_COLS "WHERE p.live = 1 AND "
	    "p.expire_at IS NOT NULL AND p.expire_at <= ? ORDER BY p.path",
	    "expired pages", expire_one, &r, err) == -1)
		store_tx_rollback(st);
	else if (dry_run) {
		store_tx_rollback(st);
		rc = 0;
	} else
		rc = store_tx_commit(st, err);
	if (rc == -1) {
		json_decref(rep->changes);
		rep->changes = NULL;
	}
	return rc;
}

int
sql_next_scheduled(struct store *st, int64_t now, int64_t *when,
    struct buf *err)
{
	struct stmt *s = NULL;
	int rc = 0;

	*when = 0;
	if (store_prepare(st, "SELECT MIN(t) FROM ("
	    "SELECT MIN(go_live_at) AS t FROM pages WHERE "
	    "scheduled_revision_id IS NOT NULL AND go_live_at > ?1 "
	    "UNION ALL SELECT MIN(expire_at) FROM pages WHERE live = 1 AND "
	    "expire_at > ?1) AS n", &s, err) == -1)
		return -1;
	stmt_bind_i64(s, 1, now);
	if (stmt_step(s) == STMT_ROW)
		*when = stmt_col_i64(s, 0);
	else
		rc = store_sqlerr(st, "next scheduled", err);
	stmt_finalize(s);
	return rc;
}

