/* SPDX-License-Identifier: ISC */
/*
 * store_sqlite.c: the content store on SQLite (see store.h).
 *
 * WAL mode and a busy timeout let the CLI, a daemon and its worker share
 * one database file.  Writes run in BEGIN IMMEDIATE transactions, so two
 * writers serialise instead of failing on upgrade; every write bumps the
 * change sequence (table meta) and, when the public site changes, inserts
 * its build request in the same transaction.  Schema changes are versioned
 * migrations per component (schema_migrations), applied on open.
 */
#include "common/compat.h"

#include <errno.h>
#include <stdarg.h>
#include <sys/stat.h>

#include <sqlite3.h>

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

static const struct store_migration store_migrations[] = {
	{ 1,
	"CREATE TABLE meta(key TEXT PRIMARY KEY, value INTEGER NOT NULL);"
	"INSERT INTO meta VALUES('change_seq', 0);"
	"CREATE TABLE pages("
	"  id INTEGER PRIMARY KEY,"
	"  parent_id INTEGER REFERENCES pages(id),"
	"  path TEXT NOT NULL UNIQUE,"
	"  slug TEXT NOT NULL,"
	"  section TEXT NOT NULL,"
	"  weight INTEGER NOT NULL DEFAULT 0,"
	"  template TEXT NOT NULL DEFAULT '',"
	"  live INTEGER NOT NULL DEFAULT 0,"
	"  has_unpublished_changes INTEGER NOT NULL DEFAULT 1,"
	"  expired INTEGER NOT NULL DEFAULT 0,"
	"  first_published_at INTEGER,"
	"  last_published_at INTEGER,"
	"  live_revision_id INTEGER,"
	"  latest_revision_id INTEGER,"
	"  scheduled_revision_id INTEGER,"
	"  go_live_at INTEGER,"
	"  expire_at INTEGER,"
	"  created_at INTEGER NOT NULL,"
	"  updated_at INTEGER NOT NULL);"
	"CREATE INDEX pages_parent ON pages(parent_id);"
	"CREATE INDEX pages_go_live ON pages(go_live_at) "
	"  WHERE scheduled_revision_id IS NOT NULL;"
	"CREATE INDEX pages_expire ON pages(expire_at) WHERE live = 1;"
	"CREATE TABLE revisions("
	"  id INTEGER PRIMARY KEY,"
	"  page_id INTEGER NOT NULL REFERENCES pages(id) ON DELETE CASCADE,"
	"  title TEXT NOT NULL,"
	"  body TEXT NOT NULL,"
	"  summary TEXT NOT NULL,"
	"  date INTEGER,"
	"  tags TEXT NOT NULL,"
	"  extra TEXT NOT NULL,"
	"  author TEXT NOT NULL,"
	"  created_at INTEGER NOT NULL);"
	"CREATE INDEX revisions_page ON revisions(page_id);"
	"CREATE TABLE media("
	"  sha256 TEXT PRIMARY KEY,"
	"  name TEXT NOT NULL,"
	"  content_type TEXT NOT NULL,"
	"  size INTEGER NOT NULL,"
	"  created_at INTEGER NOT NULL);"
	"CREATE TABLE audit_log("
	"  id INTEGER PRIMARY KEY,"
	"  at INTEGER NOT NULL,"
	"  actor TEXT NOT NULL,"
	"  action TEXT NOT NULL,"
	"  page_id INTEGER,"
	"  path TEXT,"
	"  detail TEXT);"
	"CREATE TABLE build_requests("
	"  id INTEGER PRIMARY KEY,"
	"  seq INTEGER NOT NULL,"
	"  reason TEXT NOT NULL,"
	"  page_id INTEGER,"
	"  path TEXT,"
	"  actor TEXT NOT NULL,"
	"  requested_at INTEGER NOT NULL,"
	"  build_id INTEGER,"
	"  satisfied_at INTEGER);"
	"CREATE INDEX build_requests_pending ON build_requests(seq) "
	"  WHERE build_id IS NULL;"
	"CREATE TABLE state("
	"  key TEXT PRIMARY KEY,"
	"  value BLOB NOT NULL,"
	"  updated_at INTEGER NOT NULL);" },
	{ 0, NULL }
};

/* ---- plumbing ---- */

int
store_sqlerr(struct store *st, const char *what, struct buf *err)
{
	int code = sqlite3_errcode(st->db);

	st->base.kind = code == SQLITE_BUSY || code == SQLITE_LOCKED ?
	    ERR_UNAVAILABLE : ERR_INTERNAL;
	buf_setf(err, "store: %s: %s", what, sqlite3_errmsg(st->db));
	return -1;
}

int
store_exec(struct store *st, const char *sql, struct buf *err)
{
	char *msg = NULL;

	if (sqlite3_exec(st->db, sql, NULL, NULL, &msg) != SQLITE_OK) {
		buf_setf(err, "store: %s", msg ? msg : "error");
		sqlite3_free(msg);
		return -1;
	}
	return 0;
}

int
store_prepare(struct store *st, const char *sql, sqlite3_stmt **stmt,
    struct buf *err)
{
	if (sqlite3_prepare_v2(st->db, sql, -1, stmt, NULL) != SQLITE_OK)
		return store_sqlerr(st, "prepare", err);
	return 0;
}

static void
bind_text_or_null(sqlite3_stmt *s, int i, const char *v)
{
	if (v)
		sqlite3_bind_text(s, i, v, -1, SQLITE_TRANSIENT);
	else
		sqlite3_bind_null(s, i);
}

void
store_bind_time(sqlite3_stmt *s, int i, int64_t t)
{
	if (t)
		sqlite3_bind_int64(s, i, t);
	else
		sqlite3_bind_null(s, i);
}

char *
store_col_str(sqlite3_stmt *s, int i)
{
	const unsigned char *v = sqlite3_column_text(s, i);

	return v ? xstrdup((const char *)v) : NULL;
}

char *
store_col_str0(sqlite3_stmt *s, int i)
{
	const unsigned char *v = sqlite3_column_text(s, i);

	return xstrdup(v ? (const char *)v : "");
}

/* JSON text S as an array or object; an empty one if it is not */
json_t *
store_json_of(const char *s, bool array)
{
	json_t *j = s ? json_loads(s, 0, NULL) : NULL;

	if (!j || (array ? !json_is_array(j) : !json_is_object(j))) {
		json_decref(j);
		j = array ? json_array() : json_object();
	}
	return j;
}

json_t *
store_col_json(sqlite3_stmt *s, int i, bool array)
{
	return store_json_of((const char *)sqlite3_column_text(s, i), array);
}

int
store_tx_begin(struct store *st, struct buf *err)
{
	if (st->in_tx++ > 0)
		return 0;
	if (store_exec(st, "BEGIN IMMEDIATE", err) == -1) {
		st->in_tx = 0;
		return -1;
	}
	return 0;
}

int
store_tx_commit(struct store *st, struct buf *err)
{
	if (--st->in_tx > 0)
		return 0;
	if (store_exec(st, "COMMIT", err) == -1) {
		store_exec(st, "ROLLBACK", err);
		return -1;
	}
	return 0;
}

void
store_tx_rollback(struct store *st)
{
	struct buf ignored = BUF_INIT;

	if (st->in_tx == 0)
		return;
	st->in_tx = 0;
	store_exec(st, "ROLLBACK", &ignored);
	buf_release(&ignored);
}

/* is COMPONENT at the last version of M?  a read, never a lock */
static bool
schema_current(struct store *st, const char *component,
    const struct store_migration *m)
{
	sqlite3_stmt *s = NULL;
	int last = 0, have = -1;

	for (; m->sql; m++)
		last = m->version;
	if (sqlite3_prepare_v2(st->db, "SELECT COALESCE(MAX(version), 0) "
	    "FROM schema_migrations WHERE component = ?", -1, &s,
	    NULL) != SQLITE_OK) {
		sqlite3_finalize(s);
		return false;
	}
	sqlite3_bind_text(s, 1, component, -1, SQLITE_STATIC);
	if (sqlite3_step(s) == SQLITE_ROW)
		have = sqlite3_column_int(s, 0);
	sqlite3_finalize(s);
	return have == last;
}

static int
migrate(struct store *st, const char *component,
    const struct store_migration *m, struct buf *err)
{
	sqlite3_stmt *s = NULL;
	int have = 0, rc = -1;

	if (store_prepare(st, "SELECT COALESCE(MAX(version), 0) FROM "
	    "schema_migrations WHERE component = ?", &s, err) == -1)
		return -1;
	sqlite3_bind_text(s, 1, component, -1, SQLITE_STATIC);
	if (sqlite3_step(s) == SQLITE_ROW)
		have = sqlite3_column_int(s, 0);
	sqlite3_finalize(s);
	s = NULL;
	for (; m->sql; m++) {
		if (m->version <= have)
			continue;
		if (store_exec(st, m->sql, err) == -1)
			goto out;
		if (store_prepare(st, "INSERT INTO schema_migrations VALUES "
		    "(?, ?, ?)", &s, err) == -1)
			goto out;
		sqlite3_bind_text(s, 1, component, -1, SQLITE_STATIC);
		sqlite3_bind_int(s, 2, m->version);
		sqlite3_bind_int64(s, 3, time_now());
		if (sqlite3_step(s) != SQLITE_DONE) {
			store_sqlerr(st, "record migration", err);
			goto out;
		}
		sqlite3_finalize(s);
		s = NULL;
	}
	rc = 0;
out:
	sqlite3_finalize(s);
	return rc;
}

static void sqlite_close(struct store *);

static int
sqlite_open(const char *path, struct store **out, struct buf *err)
{
	struct store *st;

	*out = NULL;
	st = xcalloc(1, sizeof(*st));
	st->base.ops = &store_sqlite_ops;
	st->path = xstrdup(path);
	if (sqlite3_open_v2(path, &st->db, SQLITE_OPEN_READWRITE |
	    SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, NULL) != SQLITE_OK) {
		buf_setf(err, "store: cannot open '%s': %s", path,
		    st->db ? sqlite3_errmsg(st->db) : "out of memory");
		sqlite_close(st);
		return -1;
	}
	sqlite3_busy_timeout(st->db, 30000);
	if (store_exec(st, "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;"
	    "PRAGMA foreign_keys=ON;", err) == -1)
		goto fail;
	/* up to date: no write lock (a daemon opens handles while a
	   writer may hold the lock for long) */
	if (schema_current(st, "store", store_migrations) &&
	    schema_current(st, "queue", store_build_migrations) &&
	    schema_current(st, "users", store_user_migrations)) {
		*out = st;
		return 0;
	}
	if (store_tx_begin(st, err) == -1)
		goto fail;
	if (store_exec(st, "CREATE TABLE IF NOT EXISTS schema_migrations("
	    "component TEXT NOT NULL, version INTEGER NOT NULL, "
	    "applied_at INTEGER NOT NULL, PRIMARY KEY(component, version))",
	    err) == -1 ||
	    migrate(st, "store", store_migrations, err) == -1 ||
	    migrate(st, "queue", store_build_migrations, err) == -1 ||
	    migrate(st, "users", store_user_migrations, err) == -1 ||
	    store_tx_commit(st, err) == -1) {
		store_tx_rollback(st);
		goto fail;
	}
	*out = st;
	return 0;
fail:
	sqlite_close(st);
	return -1;
}

int
store_open_conf(const struct conf *c, struct store **out, struct buf *err)
{
	char *path;
	int rc = -1;

	if (c->store.driver == CONF_STORE_POSTGRES)
		return store_open("postgres", c->store.url ? c->store.url : "",
		    out, err);
	path = conf_path(c, c->store.path);
	if (mkdir_parent(path, err) == 0)
		rc = store_open("sqlite", path, out, err);
	free(path);
	if (rc == 0) {
		path = conf_path(c, "static");
		store_reserve_static(*out, path);
		free(path);
	}
	return rc;
}

static void
sqlite_close(struct store *st)
{
	if (!st)
		return;
	if (st->db)
		sqlite3_close_v2(st->db);
	store_reserved_free(st);
	free(st->path);
	free(st);
}

sqlite3 *
store_db(struct store *st)
{
	return st->db;
}

/* ---- change sequence, audit, requests ---- */

int
store_bump_seq(struct store *st, int64_t *seq, struct buf *err)
{
	sqlite3_stmt *s = NULL;
	int rc = -1;

	if (store_prepare(st, "UPDATE meta SET value = value + 1 WHERE key = "
	    "'change_seq' RETURNING value", &s, err) == -1)
		return -1;
	if (sqlite3_step(s) == SQLITE_ROW) {
		*seq = sqlite3_column_int64(s, 0);
		rc = 0;
	} else
		store_sqlerr(st, "change sequence", err);
	sqlite3_finalize(s);
	return rc;
}

int
sqlite_change_seq(struct store *st, int64_t *seq, struct buf *err)
{
	sqlite3_stmt *s = NULL;
	int rc = -1;

	if (store_prepare(st, "SELECT value FROM meta WHERE key = "
	    "'change_seq'", &s, err) == -1)
		return -1;
	if (sqlite3_step(s) == SQLITE_ROW) {
		*seq = sqlite3_column_int64(s, 0);
		rc = 0;
	} else
		store_sqlerr(st, "change sequence", err);
	sqlite3_finalize(s);
	return rc;
}

static int
audit_row(struct store *st, const char *actor, const char *action,
    int64_t page_id, const char *path, const char *detail, struct buf *err)
{
	sqlite3_stmt *s = NULL;
	int rc = 0;

	if (store_prepare(st, "INSERT INTO audit_log(at, actor, action, "
	    "page_id, path, detail) VALUES (?, ?, ?, ?, ?, ?)", &s, err) == -1)
		return -1;
	sqlite3_bind_int64(s, 1, time_now());
	sqlite3_bind_text(s, 2, actor ? actor : "unknown", -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 3, action, -1, SQLITE_STATIC);
	store_bind_time(s, 4, page_id);
	bind_text_or_null(s, 5, path);
	bind_text_or_null(s, 6, detail);
	if (sqlite3_step(s) != SQLITE_DONE)
		rc = store_sqlerr(st, "audit", err);
	sqlite3_finalize(s);
	return rc;
}

int
sqlite_audit(struct store *st, const char *actor, const char *action,
    const char *path, const char *detail, struct buf *err)
{
	return audit_row(st, actor, action, 0, path, detail, err);
}

static int
request_row(struct store *st, int64_t seq, const char *reason,
    int64_t page_id, const char *path, const char *actor, int64_t *id,
    struct buf *err)
{
	sqlite3_stmt *s = NULL;
	int rc = 0;

	if (store_prepare(st, "INSERT INTO build_requests(seq, reason, "
	    "page_id, path, actor, requested_at) VALUES (?, ?, ?, ?, ?, ?)",
	    &s, err) == -1)
		return -1;
	sqlite3_bind_int64(s, 1, seq);
	sqlite3_bind_text(s, 2, reason, -1, SQLITE_STATIC);
	store_bind_time(s, 3, page_id);
	bind_text_or_null(s, 4, path);
	sqlite3_bind_text(s, 5, actor ? actor : "unknown", -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 6, time_now());
	if (sqlite3_step(s) != SQLITE_DONE)
		rc = store_sqlerr(st, "build request", err);
	else if (id)
		*id = sqlite3_last_insert_rowid(st->db);
	sqlite3_finalize(s);
	return rc;
}

/*
 * The bookkeeping of one change, inside the caller's transaction: bump
 * the sequence, audit, and (REASON non-NULL) request a build.
 */
int
store_changed(struct store *st, const char *actor, const char *action,
    int64_t page_id, const char *path, const char *detail,
    const char *reason, struct buf *err)
{
	int64_t seq;

	if (store_bump_seq(st, &seq, err) == -1 ||
	    audit_row(st, actor, action, page_id, path, detail, err) == -1)
		return -1;
	if (reason && request_row(st, seq, reason, page_id, path, actor,
	    NULL, err) == -1)
		return -1;
	/* a test hook: fail here to prove the change rolls back with it */
	if (testhook_on(TESTHOOK_FAIL_REQUEST)) {
		buf_setf(err, "store: injected failure after the change");
		return -1;
	}
	return 0;
}

int
sqlite_request_build(struct store *st, const char *reason, const char *actor,
    int64_t *request_id, struct buf *err)
{
	int64_t seq;

	if (store_tx_begin(st, err) == -1)
		return -1;
	if (store_bump_seq(st, &seq, err) == -1 ||
	    audit_row(st, actor, "request build", 0, NULL, reason, err) == -1 ||
	    request_row(st, seq, reason, 0, NULL, actor, request_id,
	    err) == -1) {
		store_tx_rollback(st);
		return -1;
	}
	return store_tx_commit(st, err);
}

int
sqlite_pending_requests(struct store *st, json_t **out, struct buf *err)
{
	sqlite3_stmt *s = NULL;
	json_t *arr = json_array();
	int r;

	if (store_prepare(st, "SELECT id, seq, reason, path, actor, "
	    "requested_at FROM build_requests WHERE build_id IS NULL "
	    "ORDER BY id", &s, err) == -1) {
		json_decref(arr);
		return -1;
	}
	while ((r = sqlite3_step(s)) == SQLITE_ROW) {
		char when[32];
		time_format_iso8601(sqlite3_column_int64(s, 5), when,
		    sizeof(when));
		json_array_append_new(arr, json_pack("{s:I, s:I, s:s, s:s?, "
		    "s:s, s:s}", "id", (json_int_t)sqlite3_column_int64(s, 0),
		    "seq", (json_int_t)sqlite3_column_int64(s, 1), "reason",
		    (const char *)sqlite3_column_text(s, 2), "path",
		    (const char *)sqlite3_column_text(s, 3), "actor",
		    (const char *)sqlite3_column_text(s, 4), "requested_at",
		    when));
	}
	sqlite3_finalize(s);
	if (r != SQLITE_DONE) {
		json_decref(arr);
		return store_sqlerr(st, "build requests", err);
	}
	*out = arr;
	return 0;
}

int
sqlite_audit_list(struct store *st, size_t limit, json_t **out,
    struct buf *err)
{
	sqlite3_stmt *s = NULL;
	json_t *arr = json_array();
	int r;

	if (store_prepare(st, "SELECT id, at, actor, action, path, detail "
	    "FROM audit_log ORDER BY id DESC LIMIT ?", &s, err) == -1) {
		json_decref(arr);
		return -1;
	}
	sqlite3_bind_int64(s, 1, (sqlite3_int64)limit);
	while ((r = sqlite3_step(s)) == SQLITE_ROW) {
		char when[32];
		time_format_iso8601(sqlite3_column_int64(s, 1), when,
		    sizeof(when));
		json_array_append_new(arr, json_pack("{s:I, s:s, s:s, s:s, "
		    "s:s?, s:s?}", "id", (json_int_t)sqlite3_column_int64(s, 0),
		    "at", when, "actor", (const char *)sqlite3_column_text(s,
		    2), "action", (const char *)sqlite3_column_text(s, 3),
		    "path", (const char *)sqlite3_column_text(s, 4), "detail",
		    (const char *)sqlite3_column_text(s, 5)));
	}
	sqlite3_finalize(s);
	if (r != SQLITE_DONE) {
		json_decref(arr);
		return store_sqlerr(st, "audit log", err);
	}
	*out = arr;
	return 0;
}

/* ---- state ---- */

int
sqlite_state_get(struct store *st, const char *key, struct buf *value,
    struct buf *err)
{
	sqlite3_stmt *s = NULL;
	int r, rc = -1;

	if (store_prepare(st, "SELECT value FROM state WHERE key = ?", &s,
	    err) == -1)
		return -1;
	sqlite3_bind_text(s, 1, key, -1, SQLITE_STATIC);
	r = sqlite3_step(s);
	if (r == SQLITE_ROW) {
		buf_reset(value);
		buf_add(value, sqlite3_column_blob(s, 0),
		    (size_t)sqlite3_column_bytes(s, 0));
		rc = 0;
	} else if (r == SQLITE_DONE)
		rc = 1;
	else
		store_sqlerr(st, "read state", err);
	sqlite3_finalize(s);
	return rc;
}

int
sqlite_state_set(struct store *st, const char *key, const void *value,
    size_t len, struct buf *err)
{
	sqlite3_stmt *s = NULL;
	int rc = 0;

	if (store_prepare(st, "INSERT INTO state(key, value, updated_at) "
	    "VALUES (?, ?, ?) ON CONFLICT(key) DO UPDATE SET value = "
	    "excluded.value, updated_at = excluded.updated_at", &s, err) == -1)
		return -1;
	sqlite3_bind_text(s, 1, key, -1, SQLITE_STATIC);
	sqlite3_bind_blob(s, 2, value, (int)len, SQLITE_STATIC);
	sqlite3_bind_int64(s, 3, time_now());
	if (sqlite3_step(s) != SQLITE_DONE)
		rc = store_sqlerr(st, "write state", err);
	sqlite3_finalize(s);
	return rc;
}

int
sqlite_state_delete(struct store *st, const char *key, struct buf *err)
{
	sqlite3_stmt *s = NULL;
	int rc = 0;

	if (store_prepare(st, "DELETE FROM state WHERE key = ?", &s, err) == -1)
		return -1;
	sqlite3_bind_text(s, 1, key, -1, SQLITE_STATIC);
	if (sqlite3_step(s) != SQLITE_DONE)
		rc = store_sqlerr(st, "delete state", err);
	sqlite3_finalize(s);
	return rc;
}

const struct store_ops store_sqlite_ops = {
	.driver = "sqlite",
	.open = sqlite_open,
	.close = sqlite_close,
	.begin = store_tx_begin,
	.commit = store_tx_commit,
	.rollback = store_tx_rollback,
	.page_create = sqlite_page_create,
	.page_edit = sqlite_page_edit,
	.page_publish = sqlite_page_publish,
	.page_unpublish = sqlite_page_unpublish,
	.page_schedule = sqlite_page_schedule,
	.page_delete = sqlite_page_delete,
	.page_get = sqlite_page_get,
	.page_get_id = sqlite_page_get_id,
	.path_check_new = sqlite_path_check_new,
	.page_list = sqlite_page_list,
	.revision_get = sqlite_revision_get,
	.run_scheduled = sqlite_run_scheduled,
	.next_scheduled = sqlite_next_scheduled,
	.media_add = sqlite_media_add,
	.media_list = sqlite_media_list,
	.change_seq = sqlite_change_seq,
	.request_build = sqlite_request_build,
	.pending_requests = sqlite_pending_requests,
	.audit_list = sqlite_audit_list,
	.audit = sqlite_audit,
	.snapshot = sqlite_snapshot,
	.state_get = sqlite_state_get,
	.state_set = sqlite_state_set,
	.state_delete = sqlite_state_delete,
	.build_claim = sqlite_build_claim,
	.build_heartbeat = sqlite_build_heartbeat,
	.build_append_log = sqlite_build_append_log,
	.build_set_seq = sqlite_build_set_seq,
	.build_finish = sqlite_build_finish,
	.build_record = sqlite_build_record,
	.build_gc = sqlite_build_gc,
	.build_cancel = sqlite_build_cancel,
	.build_rollback_request = sqlite_build_rollback_request,
	.build_rollback_take = sqlite_build_rollback_take,
	.build_release = sqlite_build_release,
	.build_list = sqlite_build_list,
	.build_get = sqlite_build_get,
	.build_stalled = sqlite_build_stalled,
	.build_stats = sqlite_build_stats,
	.build_metrics = sqlite_build_metrics,
	.token_create = sqlite_token_create,
	.token_check = sqlite_token_check,
	.token_list = sqlite_token_list,
	.token_revoke = sqlite_token_revoke,
	.user_add = sqlite_user_add,
	.user_get = sqlite_user_get,
	.user_passwd = sqlite_user_passwd,
	.user_disable = sqlite_user_disable,
	.user_list = sqlite_user_list,
	.session_create = sqlite_session_create,
	.session_check = sqlite_session_check,
	.session_delete = sqlite_session_delete,
	.revision_list = sqlite_revision_list,
	.build_actors = sqlite_build_actors,
	.audit_query = sqlite_audit_query,
	.review_submit = sqlite_review_submit,
	.review_list = sqlite_review_list,
	.review_decide = sqlite_review_decide,
};
