/* SPDX-License-Identifier: ISC */
/*
 * store_unit.c: unit builds (component "units", see store_unit.h).
 * SQL written once for SQLite and PostgreSQL (decision 0140); claims run
 * in a write transaction, which serialises claimers on both.
 */
#include "common/compat.h"

#include <jansson.h>

#include "common/buf.h"
#include "common/timeutil.h"
#include "store/store.h"
#include "store/store_int.h"
#include "store/store_unit.h"

const struct store_migration store_unit_migrations[] = {
	{ 1,
	"CREATE TABLE unit_builds("
	"  id INTEGER PRIMARY KEY,"
	"  unit_id TEXT NOT NULL,"
	"  version TEXT NOT NULL,"
	"  source TEXT NOT NULL,"
	"  status TEXT NOT NULL,"	/* queued running succeeded failed */
	"  attempt INTEGER NOT NULL DEFAULT 0,"
	"  worker TEXT,"
	"  lease_until INTEGER,"
	"  heartbeat_at INTEGER,"
	"  next_attempt_at INTEGER,"
	"  requested_at INTEGER NOT NULL,"
	"  started_at INTEGER,"
	"  finished_at INTEGER,"
	"  error TEXT,"
	"  counts TEXT,"
	"  log TEXT NOT NULL DEFAULT '',"
	"  UNIQUE(unit_id, version));"
	"CREATE INDEX unit_builds_status ON unit_builds(status);" },
	/*
	 * the site paths of the shared files each complete unit names: a
	 * site deploy never deletes them (decision 0270)
	 */
	{ 2,
	"CREATE TABLE unit_shared("
	"  unit_build INTEGER NOT NULL REFERENCES unit_builds(id) "
	"    ON DELETE CASCADE,"
	"  path TEXT NOT NULL,"
	"  PRIMARY KEY(unit_build, path));"
	"CREATE INDEX unit_shared_path ON unit_shared(path);" },
	{ 0, NULL }
};

static int
step_done(struct store *st, struct stmt *s, const char *what,
    struct buf *err)
{
	int rc = stmt_step(s) == STMT_DONE ? 0 : store_sqlerr(st, what, err);

	stmt_finalize(s);
	return rc;
}

/* the row of (UNIT, VERSION): *id 0 when absent, STATUS its status */
static int
unit_find(struct store *st, const char *unit, const char *version,
    int64_t *id, char *status, size_t len, struct buf *err)
{
	struct stmt *s = NULL;

	*id = 0;
	if (store_prepare(st, "SELECT id, status FROM unit_builds WHERE "
	    "unit_id = ? AND version = ?", &s, err) == -1)
		return -1;
	stmt_bind_text(s, 1, unit);
	stmt_bind_text(s, 2, version);
	if (stmt_step(s) == STMT_ROW) {
		*id = stmt_col_i64(s, 0);
		snprintf(status, len, "%s", stmt_col_text(s, 1));
	}
	stmt_finalize(s);
	return 0;
}

static int
enqueue_tx(struct store *st, const char *unit, const char *version,
    const char *source, const char **state, struct buf *err)
{
	struct stmt *s = NULL;
	char status[32] = "";
	int64_t id;

	if (unit_find(st, unit, version, &id, status, sizeof(status),
	    err) == -1)
		return -1;
	if (id && (!strcmp(status, "queued") || !strcmp(status, "running"))) {
		*state = "pending";
		return 0;
	}
	if (id && !strcmp(status, "failed")) {
		*state = "failed";
		return 0;
	}
	*state = "queued";
	if (id) {
		/* succeeded, yet its marker is gone: build it again */
		if (store_prepare(st, "UPDATE unit_builds SET status = "
		    "'queued', attempt = 0, next_attempt_at = NULL, source = ?, "
		    "requested_at = ?, error = NULL WHERE id = ?", &s,
		    err) == -1)
			return -1;
		stmt_bind_text(s, 1, source);
		stmt_bind_i64(s, 2, time_now());
		stmt_bind_i64(s, 3, id);
		return step_done(st, s, "queue unit", err);
	}
	if (store_prepare(st, "INSERT INTO unit_builds(unit_id, version, "
	    "source, status, requested_at) VALUES (?, ?, ?, 'queued', ?)", &s,
	    err) == -1)
		return -1;
	stmt_bind_text(s, 1, unit);
	stmt_bind_text(s, 2, version);
	stmt_bind_text(s, 3, source);
	stmt_bind_i64(s, 4, time_now());
	return step_done(st, s, "queue unit", err);
}

int
store_unit_enqueue(struct store *st, const char *unit, const char *version,
    const char *source, const char **state, struct buf *err)
{
	if (store_tx_begin(st, err) == -1)
		return -1;
	if (enqueue_tx(st, unit, version, source, state, err) == -1) {
		store_tx_rollback(st);
		return -1;
	}
	return store_tx_commit(st, err);
}

static int
claim_pick(struct store *st, int64_t now, struct unit_claim *u,
    struct buf *err)
{
	struct stmt *s = NULL;

	if (store_prepare(st, "SELECT id, attempt, unit_id, version, source "
	    "FROM unit_builds WHERE (status = 'queued' AND (next_attempt_at "
	    "IS NULL OR next_attempt_at <= ?)) OR (status = 'running' AND "
	    "lease_until < ?) ORDER BY id LIMIT 1", &s, err) == -1)
		return -1;
	stmt_bind_i64(s, 1, now);
	stmt_bind_i64(s, 2, now);
	if (stmt_step(s) == STMT_ROW) {
		u->id = stmt_col_i64(s, 0);
		u->attempt = stmt_col_i64(s, 1) + 1;
		snprintf(u->unit, sizeof(u->unit), "%s", stmt_col_text(s, 2));
		snprintf(u->version, sizeof(u->version), "%s",
		    stmt_col_text(s, 3));
		snprintf(u->source, sizeof(u->source), "%s",
		    stmt_col_text(s, 4));
	}
	stmt_finalize(s);
	return 0;
}

int
store_unit_claim(struct store *st, const char *worker, int64_t lease,
    struct unit_claim *u, struct buf *err)
{
	struct stmt *s = NULL;
	int64_t now = time_now();

	memset(u, 0, sizeof(*u));
	if (store_tx_begin(st, err) == -1)
		return -1;
	if (claim_pick(st, now, u, err) == -1)
		goto fail;
	if (u->id) {
		if (store_prepare(st, "UPDATE unit_builds SET status = "
		    "'running', worker = ?, lease_until = ?, heartbeat_at = ?, "
		    "started_at = ?, attempt = attempt + 1 WHERE id = ?", &s,
		    err) == -1)
			goto fail;
		stmt_bind_text(s, 1, worker);
		stmt_bind_i64(s, 2, now + lease);
		stmt_bind_i64(s, 3, now);
		stmt_bind_i64(s, 4, now);
		stmt_bind_i64(s, 5, u->id);
		if (step_done(st, s, "claim unit", err) == -1)
			goto fail;
	}
	return store_tx_commit(st, err);
fail:
	store_tx_rollback(st);
	memset(u, 0, sizeof(*u));
	return -1;
}

/*
 * The claim's ATTEMPT is its fencing token (decision 0170): a row whose
 * attempt moved on was taken over, and the stale claimer changed nothing.
 */
static int
unit_changed(struct store *st, struct stmt *s, int64_t id, int64_t attempt,
    const char *what, struct buf *err)
{
	int rc = 0;

	if (stmt_step(s) != STMT_DONE)
		rc = store_sqlerr(st, what, err);
	else if (db_changes(st->db) == 0) {
		buf_setf(err, "unit build %lld: lease lost to take-over "
		    "(attempt %lld)", (long long)id, (long long)attempt);
		st->base.kind = ERR_CONFLICT;
		rc = -1;
	}
	stmt_finalize(s);
	return rc;
}

int
store_unit_heartbeat(struct store *st, int64_t id, int64_t attempt,
    int64_t lease, struct buf *err)
{
	struct stmt *s = NULL;
	int64_t now = time_now();

	/* the check and the renewal in one statement: atomic */
	if (store_prepare(st, "UPDATE unit_builds SET heartbeat_at = ?, "
	    "lease_until = ? WHERE id = ? AND attempt = ? AND status = "
	    "'running'", &s, err) == -1)
		return -1;
	stmt_bind_i64(s, 1, now);
	stmt_bind_i64(s, 2, now + lease);
	stmt_bind_i64(s, 3, id);
	stmt_bind_i64(s, 4, attempt);
	return unit_changed(st, s, id, attempt, "unit heartbeat", err);
}

int
store_unit_append_log(struct store *st, int64_t id, const char *text,
    struct buf *err)
{
	struct stmt *s = NULL;

	if (store_prepare(st, "UPDATE unit_builds SET log = log || ? WHERE "
	    "id = ?", &s, err) == -1)
		return -1;
	stmt_bind_text(s, 1, text);
	stmt_bind_i64(s, 2, id);
	return step_done(st, s, "unit log", err);
}

/* the unit's shared paths, replacing an earlier success's */
static int
shared_set(struct store *st, int64_t id, const json_t *shared,
    struct buf *err)
{
	struct stmt *s = NULL;
	size_t i;
	json_t *p;

	if (store_prepare(st, "DELETE FROM unit_shared WHERE unit_build = ?",
	    &s, err) == -1)
		return -1;
	stmt_bind_i64(s, 1, id);
	if (step_done(st, s, "unit shared paths", err) == -1)
		return -1;
	if (store_prepare(st, "INSERT INTO unit_shared(unit_build, path) "
	    "VALUES (?, ?)", &s, err) == -1)
		return -1;
	json_array_foreach(shared, i, p) {
		const char *path = json_string_value(p);
		bool dup = false;
		/* a path named twice is recorded once */
		for (size_t k = 0; k < i && !dup; k++)
			dup = json_equal(json_array_get(shared, k), p);
		if (!path || dup)
			continue;
		stmt_reset(s);
		stmt_bind_i64(s, 1, id);
		stmt_bind_text(s, 2, path);
		if (stmt_step(s) != STMT_DONE) {
			stmt_finalize(s);
			return store_sqlerr(st, "unit shared paths", err);
		}
	}
	stmt_finalize(s);
	return 0;
}

static int
finish_tx(struct store *st, int64_t id, int64_t attempt, bool ok,
    const char *error, const char *counts, int64_t retry_at,
    struct buf *err)
{
	struct stmt *s = NULL;

	if (store_prepare(st, "UPDATE unit_builds SET status = ?, "
	    "finished_at = ?, error = ?, counts = ?, next_attempt_at = ?, "
	    "lease_until = NULL WHERE id = ? AND attempt = ? AND status = "
	    "'running'", &s, err) == -1)
		return -1;
	stmt_bind_text(s, 1, ok ? "succeeded" : retry_at ? "queued" :
	    "failed");
	stmt_bind_i64(s, 2, time_now());
	if (error)
		stmt_bind_text(s, 3, error);
	else
		stmt_bind_null(s, 3);
	if (counts)
		stmt_bind_text(s, 4, counts);
	else
		stmt_bind_null(s, 4);
	if (retry_at)
		stmt_bind_i64(s, 5, retry_at);
	else
		stmt_bind_null(s, 5);
	stmt_bind_i64(s, 6, id);
	stmt_bind_i64(s, 7, attempt);
	return unit_changed(st, s, id, attempt, "finish unit", err);
}

int
store_unit_finish(struct store *st, int64_t id, int64_t attempt, bool ok,
    const char *error, const char *counts, const json_t *shared,
    int64_t retry_at, struct buf *err)
{
	int rc;

	if (store_tx_begin(st, err) == -1)
		return -1;
	rc = finish_tx(st, id, attempt, ok, error, counts, retry_at, err);
	if (rc == 0 && ok)
		rc = shared_set(st, id, shared, err);
	if (rc == -1) {
		/* keep the error kind (ERR_CONFLICT: taken over) */
		enum err_kind k = st->base.kind;
		store_tx_rollback(st);
		st->base.kind = k;
		return -1;
	}
	return store_tx_commit(st, err);
}

int
store_unit_shared(struct store *st, json_t **out, struct buf *err)
{
	struct stmt *s = NULL;
	int r;

	*out = NULL;
	if (store_prepare(st, "SELECT DISTINCT path FROM unit_shared", &s,
	    err) == -1)
		return -1;
	*out = json_object();
	while ((r = stmt_step(s)) == STMT_ROW)
		json_object_set_new(*out, stmt_col_text(s, 0), json_true());
	stmt_finalize(s);
	if (r != STMT_DONE) {
		json_decref(*out);
		*out = NULL;
		return store_sqlerr(st, "unit shared paths", err);
	}
	return 0;
}

/*
 * "targets" out of counts into the row (decision 0273, as 0230 for
 * site builds): always there, [] for older records
 */
static void
lift_targets(json_t *o)
{
	json_t *counts = json_object_get(o, "counts");
	json_t *t = json_object_get(counts, "targets");

	json_object_set_new(o, "targets", json_is_array(t) ?
	    json_incref(t) : json_array());
	if (t)
		json_object_del(counts, "targets");
}

static json_t *
list_row(struct stmt *s)
{
	json_t *o = json_object();
	static const char *const cols[] = { "id", "unit", "version", "status",
	    "attempt", "worker", "requested_at", "started_at", "finished_at",
	    "error", "counts", "source" };

	for (int i = 0; i < (int)NELEM(cols); i++) {
		if (stmt_col_null(s, i))
			json_object_set_new(o, cols[i], json_null());
		else if (i == 0 || i == 4 || (i >= 6 && i <= 8))
			json_object_set_new(o, cols[i],
			    json_integer(stmt_col_i64(s, i)));
		else if (i == 10)
			json_object_set_new(o, cols[i], store_json_of(
			    stmt_col_text(s, i), false));
		else
			json_object_set_new(o, cols[i],
			    json_string(stmt_col_text(s, i)));
	}
	lift_targets(o);
	return o;
}

int
store_unit_list(struct store *st, size_t limit, json_t **out,
    struct buf *err)
{
	struct stmt *s = NULL;

	*out = NULL;
	if (store_prepare(st, "SELECT id, unit_id, version, status, attempt, "
	    "worker, requested_at, started_at, finished_at, error, counts, "
	    "source FROM unit_builds ORDER BY id DESC LIMIT ?", &s, err) == -1)
		return -1;
	stmt_bind_i64(s, 1, (int64_t)limit);
	*out = json_array();
	while (stmt_step(s) == STMT_ROW)
		json_array_append_new(*out, list_row(s));
	stmt_finalize(s);
	return 0;
}

int
store_unit_versions(struct store *st, const char *unit, json_t **out,
    struct buf *err)
{
	struct stmt *s = NULL;

	*out = NULL;
	if (store_prepare(st, "SELECT version, finished_at FROM unit_builds "
	    "WHERE unit_id = ? AND status = 'succeeded' ORDER BY "
	    "finished_at, id", &s, err) == -1)
		return -1;
	stmt_bind_text(s, 1, unit);
	*out = json_array();
	while (stmt_step(s) == STMT_ROW)
		json_array_append_new(*out, json_pack("{s:s, s:I}", "version",
		    stmt_col_text(s, 0), "at", (json_int_t)stmt_col_i64(s,
		    1)));
	stmt_finalize(s);
	return 0;
}

int
store_unit_stats(struct store *st, int64_t since, json_t **out,
    struct buf *err)
{
	struct stmt *s = NULL;

	*out = NULL;
	if (store_prepare(st, "SELECT "
	    "SUM(CASE WHEN status = 'queued' THEN 1 ELSE 0 END), "
	    "SUM(CASE WHEN status = 'running' THEN 1 ELSE 0 END), "
	    "SUM(CASE WHEN status = 'succeeded' THEN 1 ELSE 0 END), "
	    "SUM(CASE WHEN status = 'failed' THEN 1 ELSE 0 END), "
	    "SUM(CASE WHEN status = 'succeeded' AND finished_at >= ? THEN 1 "
	    "ELSE 0 END) FROM unit_builds", &s, err) == -1)
		return -1;
	stmt_bind_i64(s, 1, since);
	if (stmt_step(s) != STMT_ROW) {
		stmt_finalize(s);
		return store_sqlerr(st, "unit stats", err);
	}
	*out = json_pack("{s:I, s:I, s:I, s:I, s:I}",
	    "queued", (json_int_t)stmt_col_i64(s, 0),
	    "running", (json_int_t)stmt_col_i64(s, 1),
	    "succeeded", (json_int_t)stmt_col_i64(s, 2),
	    "failed", (json_int_t)stmt_col_i64(s, 3),
	    "succeeded_since", (json_int_t)stmt_col_i64(s, 4));
	stmt_finalize(s);
	return 0;
}
