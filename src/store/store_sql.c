/* SPDX-License-Identifier: ISC */
/*
 * store_sql.c: the content store's plumbing and change
 * bookkeeping over the statement layer (db.h): one SQL text for SQLite
 * and PostgreSQL (decision 0140).
 *
 * Writes run in write transactions (db_begin: BEGIN IMMEDIATE on SQLite,
 * an advisory lock on PostgreSQL), so two writers serialise instead of
 * failing; every write bumps the change sequence (table meta) and, when
 * the public site changes, inserts its build request in the same
 * transaction.  The schema and its versions: store_schema.c.
 */
#include "common/compat.h"

#include <errno.h>
#include <stdarg.h>
#include <sys/random.h>
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

/* ---- plumbing ---- */

void
store_sql_marks(struct buf *sql, size_t n)
{
	buf_addch(sql, '(');
	for (size_t i = 0; i < n; i++)
		buf_adds(sql, i ? ", ?" : "?");
	buf_addch(sql, ')');
}

int
store_sqlerr(struct store *st, const char *what, struct buf *err)
{
	store_err_set(st, db_errkind(st->db), NULL);
	buf_setf(err, "store: %s: %s", what, db_errmsg(st->db));
	return -1;
}

int
store_exec(struct store *st, const char *sql, struct buf *err)
{
	if (db_exec(st->db, sql, err) == -1) {
		store_err_set(st, db_errkind(st->db), NULL);
		return -1;
	}
	return 0;
}

int
store_prepare(struct store *st, const char *sql, struct stmt **stmt,
    struct buf *err)
{
	if (db_prepare(st->db, sql, stmt, err) == -1) {
		store_err_set(st, db_errkind(st->db), NULL);
		return -1;
	}
	return 0;
}

int
store_prepare_pg(struct store *st, const char *sql, const char *pg_sql,
    struct stmt **stmt, struct buf *err)
{
	return store_prepare(st, db_dialect(st->db) == DB_PG ? pg_sql : sql,
	    stmt, err);
}

/*
 * Run one statement that returns no rows: SQL with one parameter bound
 * per letter of TYPES, in order ('s' text, NULL binds NULL; 'i' an
 * int64_t; 't' a time, 0 binds NULL).  WHAT names it in the error;
 * *CHANGED, when not NULL, is set to the rows it changed.
 */
int
store_run(struct store *st, const char *what, size_t *changed,
    struct buf *err, const char *sql, const char *types, ...)
{
	struct stmt *s = NULL;
	va_list ap;
	int rc = 0;

	if (store_prepare(st, sql, &s, err) == -1)
		return -1;
	va_start(ap, types);
	for (int i = 0; types[i]; i++) {
		if (types[i] == 's')
			stmt_bind_text(s, i + 1, va_arg(ap, const char *));
		else if (types[i] == 't')
			store_bind_time(s, i + 1, va_arg(ap, int64_t));
		else
			stmt_bind_i64(s, i + 1, va_arg(ap, int64_t));
	}
	va_end(ap);
	if (stmt_step(s) != STMT_DONE)
		rc = store_sqlerr(st, what, err);
	else if (changed)
		*changed = (size_t)db_changes(st->db);
	stmt_finalize(s);
	return rc;
}

void
store_bind_time(struct stmt *s, int i, int64_t t)
{
	if (t)
		stmt_bind_i64(s, i, t);
	else
		stmt_bind_null(s, i);
}

char *
store_col_str(struct stmt *s, int i)
{
	const char *v = stmt_col_text(s, i);

	return v ? xstrdup(v) : NULL;
}

char *
store_col_str0(struct stmt *s, int i)
{
	const char *v = stmt_col_text(s, i);

	return xstrdup(v ? v : "");
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
store_col_json(struct stmt *s, int i, bool array)
{
	return store_json_of(stmt_col_text(s, i), array);
}

int
store_tx_begin(struct store *st, struct buf *err)
{
	if (st->in_tx++ > 0)
		return 0;
	if (db_begin(st->db, true, err) == -1) {
		store_err_set(st, db_errkind(st->db), NULL);
		st->in_tx = 0;
		return -1;
	}
	return 0;
}

int
store_tx_commit(struct store *st, struct buf *err)
{
	struct buf ignored = BUF_INIT;

	if (--st->in_tx > 0)
		return 0;
	if (store_exec(st, "COMMIT", err) == -1) {
		store_exec(st, "ROLLBACK", &ignored);
		buf_release(&ignored);
		return -1;
	}
	return 0;
}

int
store_tx_end(struct store *st, int rc, struct buf *err)
{
	if (rc == 0)
		return store_tx_commit(st, err);
	store_tx_rollback(st);
	return rc;
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

int
store_listen(struct store *st, struct buf *err)
{
	return db_listen(st->db, STORE_CHANNEL, err);
}

int
store_wait(struct store *st, int ms)
{
	return db_wait(st->db, ms);
}

int
store_state_swap(struct store *st, const char *key, const char *old,
    const char *value, struct buf *err)
{
	struct buf cur = BUF_INIT;
	int r, rc = -1;

	if (store_tx_begin(st, err) == -1)
		return -1;
	r = sql_state_get(st, key, &cur, err);
	if (r == -1)
		goto out;
	if (r == 1 ? old != NULL : (!old || strcmp(cur.buf, old) != 0)) {
		rc = 0;		/* another node was first */
		goto out;
	}
	if (sql_state_set(st, key, value, strlen(value), err) == -1)
		goto out;
	if (store_tx_commit(st, err) == -1) {
		buf_release(&cur);
		return -1;
	}
	buf_release(&cur);
	return 1;
out:
	store_tx_rollback(st);
	buf_release(&cur);
	return rc;
}

/* tests: every statement fails until called again with false */
void
store_test_fail(struct store *st, bool on)
{
	st->db->fail = on;
}

static void sql_close(struct store *);

static int
open_common(struct store *st, int flags, struct store **out, struct buf *err)
{
	if (store_schema_ready(st, flags, err) == -1) {
		sql_close(st);
		return -1;
	}
	*out = st;
	return 0;
}

static int
sql_open(const char *path, const char *password, int flags,
    struct store **out, struct buf *err)
{
	struct store *st;

	(void)password;
	*out = NULL;
	st = xcalloc(1, sizeof(*st));
	st->base.ops = &store_sqlite_ops;
	st->path = xstrdup(path);
	if (db_open_sqlite(path, &st->db, err) == -1) {
		sql_close(st);
		return -1;
	}
	return open_common(st, flags, out, err);
}

static int
pg_open(const char *url, const char *password, int flags,
    struct store **out, struct buf *err)
{
	struct store *st;

	*out = NULL;
	st = xcalloc(1, sizeof(*st));
	st->base.ops = &store_pg_ops;
	if (db_open_pg(url, password, flags & STORE_OPEN_URL_SECRET, &st->db,
	    err) == -1) {
		free(st);
		return -1;
	}
	return open_common(st, flags, out, err);
}

int
store_open_conf(const struct conf *c, struct store **out, struct buf *err)
{
	int flags = c->store.auto_migrate ?
	    STORE_OPEN_MIGRATE | STORE_OPEN_BACKUP : 0;

	return store_open_conf_flags(c, flags, out, err);
}

/* does the site have a staging target (content: latest)? */
static bool
has_staging(const struct conf *c)
{
	for (size_t i = 0; i < c->ntargets; i++)
		if (c->targets[i].content == CONF_CONTENT_LATEST)
			return true;
	return false;
}

int
store_open_conf_flags(const struct conf *c, int flags, struct store **out,
    struct buf *err)
{
	char *path;
	int rc = -1;

	if (c->store.driver == CONF_STORE_POSTGRES) {
		const char *url = c->store.url;
		const char *pw = c->store.password_env ?
		    getenv(c->store.password_env) : NULL;
		if (!url && c->store.url_env) {
			url = getenv(c->store.url_env);
			flags |= STORE_OPEN_URL_SECRET;
		}
		if (c->store.password_env && !pw) {
			buf_setf(err, "store: store.password_env names %s, "
			    "which is not set", c->store.password_env);
			return -1;
		}
		rc = store_open_ex("postgres", url ? url : "", pw, flags, out,
		    err);
		if (rc == 0)
			(*out)->staging = has_staging(c);
		return rc;
	}
	path = conf_path(c, c->store.path);
	if (mkdir_parent(path, err) == 0)
		rc = store_open_ex("sqlite", path, NULL, flags, out, err);
	free(path);
	if (rc == 0) {
		path = conf_path(c, "static");
		store_reserve_static(*out, path);
		free(path);
		(*out)->staging = has_staging(c);
	}
	return rc;
}

static void
sql_close(struct store *st)
{
	if (!st)
		return;
	db_close(st->db);
	store_reserved_free(st);
	free(st->path);
	free(st);
}

/* ---- change sequence, audit, requests ---- */

/* the change sequence that SQL (one row, one column) answers */
static int
seq_query(struct store *st, const char *sql, int64_t *seq, struct buf *err)
{
	struct stmt *s = NULL;
	int rc = -1;

	if (store_prepare(st, sql, &s, err) == -1)
		return -1;
	if (stmt_step(s) == STMT_ROW) {
		*seq = stmt_col_i64(s, 0);
		rc = 0;
	} else
		store_sqlerr(st, "change sequence", err);
	stmt_finalize(s);
	return rc;
}

int
store_bump_seq(struct store *st, int64_t *seq, struct buf *err)
{
	return seq_query(st, "UPDATE meta SET value = value + 1 WHERE key = "
	    "'change_seq' RETURNING value", seq, err);
}

int
store_uid_new(struct store *st, bool always, struct buf *err)
{
	uint64_t r = 0;

	if (getrandom(&r, sizeof(r), 0) != (ssize_t)sizeof(r)) {
		buf_setf(err, "store: no random bytes: %s", strerror(errno));
		return -1;
	}
	/* positive and not 0 (0 is "not set yet") */
	r = (r >> 2) | 1;
	return store_exec_i64(st, always ? "UPDATE meta SET value = ? WHERE "
	    "key = 'store_uid'" : "UPDATE meta SET value = ? WHERE key = "
	    "'store_uid' AND value = 0", err, 1, (int64_t)r);
}

int
store_changes_restart(struct store *st, struct buf *err)
{
	if (store_exec(st, "DELETE FROM page_changes", err) == -1 ||
	    store_exec(st, "UPDATE meta SET value = (SELECT value FROM meta "
	    "WHERE key = 'change_seq') WHERE key = 'changes_from'",
	    err) == -1)
		return -1;
	return store_uid_new(st, true, err);
}

/*
 * The page PAGE_ID (0: any page) changed at SEQ: the one place that says
 * so (every change goes through store_changed), for the snapshot kept in
 * memory (store_snapshot.c).
 */
static int
page_changed(struct store *st, int64_t page_id, int64_t seq, struct buf *err)
{
	struct stmt *s = NULL;
	int rc = 0;

	if (store_prepare(st, "INSERT INTO page_changes(page_id, seq) VALUES "
	    "(?, ?) ON CONFLICT(page_id) DO UPDATE SET seq = excluded.seq",
	    &s, err) == -1)
		return -1;
	stmt_bind_i64(s, 1, page_id > 0 ? page_id : 0);
	stmt_bind_i64(s, 2, seq);
	if (stmt_step(s) != STMT_DONE)
		rc = store_sqlerr(st, "page change", err);
	stmt_finalize(s);
	return rc;
}

int
sql_change_seq(struct store *st, int64_t *seq, struct buf *err)
{
	return seq_query(st, "SELECT value FROM meta WHERE key = "
	    "'change_seq'", seq, err);
}

static int
audit_row(struct store *st, const char *actor, const char *action,
    int64_t page_id, const char *path, const char *detail, struct buf *err)
{
	return store_run(st, "audit", NULL, err, "INSERT INTO audit_log(at, "
	    "actor, action, page_id, path, detail) VALUES (?, ?, ?, ?, ?, ?)",
	    "isstss", time_now(), actor ? actor : "unknown", action, page_id,
	    path, detail);
}

/*
 * An audit_log row for the page p that FROM (a FROM clause naming it p,
 * with one ? for ID) selects; no row when it selects none.
 */
int
store_audit_of(struct store *st, const char *actor, const char *action,
    const char *detail, const char *from, int64_t id, struct buf *err)
{
	char *sql = xasprintf("INSERT INTO audit_log(at, actor, action, "
	    "page_id, path, detail) SELECT ?, ?, ?, p.id, p.path, ? FROM %s",
	    from);
	int rc;

	rc = store_run(st, "audit", NULL, err, sql, "isssi", time_now(),
	    actor, action, detail, id);
	free(sql);
	return rc;
}

/*
 * The end of a listing read with S: finalized; the list A in *out when
 * STEP is the end of the rows, else A dropped and -1 (WHAT failed).
 */
int
store_list_end(struct store *st, struct stmt *s, int step, json_t *a,
    json_t **out, const char *what, struct buf *err)
{
	stmt_finalize(s);
	if (step != STMT_DONE) {
		json_decref(a);
		return store_sqlerr(st, what, err);
	}
	*out = a;
	return 0;
}

/* a timestamp column as ISO 8601 text, or JSON null */
json_t *
store_col_time(struct stmt *s, int col)
{
	char t[32];

	if (stmt_col_null(s, col))
		return json_null();
	time_format_iso8601(stmt_col_i64(s, col), t, sizeof(t));
	return json_string(t);
}

int
sql_audit(struct store *st, const char *actor, const char *action,
    const char *path, const char *detail, struct buf *err)
{
	return audit_row(st, actor, action, 0, path, detail, err);
}

/* STAGING: a request only the staging targets need (decision 0281) */
static int
request_row(struct store *st, int64_t seq, const char *reason,
    int64_t page_id, const char *path, const char *actor, bool staging,
    int64_t *id, struct buf *err)
{
	struct stmt *s = NULL;
	int rc = 0;

	if (store_prepare(st, "INSERT INTO build_requests(seq, reason, "
	    "page_id, path, actor, requested_at, staging) VALUES (?, ?, ?, "
	    "?, ?, ?, ?) RETURNING id", &s, err) == -1)
		return -1;
	stmt_bind_i64(s, 1, seq);
	stmt_bind_text(s, 2, reason);
	store_bind_time(s, 3, page_id);
	stmt_bind_text(s, 4, path);
	stmt_bind_text(s, 5, actor ? actor : "unknown");
	stmt_bind_i64(s, 6, time_now());
	stmt_bind_int(s, 7, staging);
	if (stmt_step(s) != STMT_ROW)
		rc = store_sqlerr(st, "build request", err);
	else if (id)
		*id = stmt_col_i64(s, 0);
	stmt_finalize(s);
	/* PostgreSQL: wake every node's idle workers when this commits */
	if (rc == 0 && db_dialect(st->db) == DB_PG)
		rc = store_exec(st, "NOTIFY " STORE_CHANNEL, err);
	return rc;
}

/*
 * The bookkeeping of one change, inside the caller's transaction: bump
 * the sequence, audit, and (REASON non-NULL) request a build.
 */
static int
changed(struct store *st, const char *actor, const char *action,
    int64_t page_id, const char *path, const char *detail,
    const char *reason, bool staging, struct buf *err)
{
	int64_t seq;

	if (store_bump_seq(st, &seq, err) == -1 ||
	    page_changed(st, page_id, seq, err) == -1 ||
	    audit_row(st, actor, action, page_id, path, detail, err) == -1)
		return -1;
	if (reason && request_row(st, seq, reason, page_id, path, actor,
	    staging, NULL, err) == -1)
		return -1;
	/* a test hook: fail here to prove the change rolls back with it
	   (every change, or the one whose action it names) */
	if (testhook_on(TESTHOOK_FAIL_REQUEST) &&
	    (!strcmp(testhook(TESTHOOK_FAIL_REQUEST), "1") ||
	    !strcmp(testhook(TESTHOOK_FAIL_REQUEST), action))) {
		buf_setf(err, "store: injected failure after the change");
		return -1;
	}
	return 0;
}

int
store_changed(struct store *st, const char *actor, const char *action,
    int64_t page_id, const char *path, const char *detail,
    const char *reason, struct buf *err)
{
	return changed(st, actor, action, page_id, path, detail, reason,
	    false, err);
}

int
store_changed_draft(struct store *st, const char *actor, const char *action,
    int64_t page_id, const char *path, const char *detail,
    const char *reason, struct buf *err)
{
	return changed(st, actor, action, page_id, path, detail,
	    st->staging ? reason : NULL, true, err);
}

int
sql_request_build(struct store *st, const char *reason, const char *actor,
    int64_t *request_id, struct buf *err)
{
	int64_t seq;

	if (store_tx_begin(st, err) == -1)
		return -1;
	if (store_bump_seq(st, &seq, err) == -1 ||
	    audit_row(st, actor, "request build", 0, NULL, reason, err) == -1 ||
	    request_row(st, seq, reason, 0, NULL, actor, false, request_id,
	    err) == -1) {
		store_tx_rollback(st);
		return -1;
	}
	return store_tx_commit(st, err);
}

int
sql_pending_requests(struct store *st, json_t **out, struct buf *err)
{
	struct stmt *s = NULL;
	json_t *arr = json_array();
	int r;

	if (store_prepare(st, "SELECT id, seq, reason, path, actor, "
	    "requested_at FROM build_requests WHERE build_id IS NULL "
	    "ORDER BY id", &s, err) == -1) {
		json_decref(arr);
		return -1;
	}
	while ((r = stmt_step(s)) == STMT_ROW) {
		char when[32];
		time_format_iso8601(stmt_col_i64(s, 5), when,
		    sizeof(when));
		json_array_append_new(arr, json_pack("{s:I, s:I, s:s, s:s?, "
		    "s:s, s:s}", "id", (json_int_t)stmt_col_i64(s, 0),
		    "seq", (json_int_t)stmt_col_i64(s, 1), "reason",
		    (const char *)stmt_col_text(s, 2), "path",
		    (const char *)stmt_col_text(s, 3), "actor",
		    (const char *)stmt_col_text(s, 4), "requested_at",
		    when));
	}
	return store_list_end(st, s, r, arr, out, "build requests", err);
}

int
sql_audit_list(struct store *st, size_t limit, json_t **out,
    struct buf *err)
{
	struct stmt *s = NULL;
	json_t *arr = json_array();
	int r;

	if (store_prepare(st, "SELECT id, at, actor, action, path, detail "
	    "FROM audit_log ORDER BY id DESC LIMIT ?", &s, err) == -1) {
		json_decref(arr);
		return -1;
	}
	stmt_bind_i64(s, 1, (int64_t)limit);
	while ((r = stmt_step(s)) == STMT_ROW) {
		char when[32];
		time_format_iso8601(stmt_col_i64(s, 1), when,
		    sizeof(when));
		json_array_append_new(arr, json_pack("{s:I, s:s, s:s, s:s, "
		    "s:s?, s:s?}", "id", (json_int_t)stmt_col_i64(s, 0),
		    "at", when, "actor", (const char *)stmt_col_text(s,
		    2), "action", (const char *)stmt_col_text(s, 3),
		    "path", (const char *)stmt_col_text(s, 4), "detail",
		    (const char *)stmt_col_text(s, 5)));
	}
	return store_list_end(st, s, r, arr, out, "audit log", err);
}

/* ---- state ---- */

int
sql_state_get(struct store *st, const char *key, struct buf *value,
    struct buf *err)
{
	struct stmt *s = NULL;
	int r, rc = -1;

	if (store_prepare(st, "SELECT value FROM state WHERE key = ?", &s,
	    err) == -1)
		return -1;
	stmt_bind_text(s, 1, key);
	r = stmt_step(s);
	if (r == STMT_ROW) {
		buf_reset(value);
		size_t len;
		const void *v = stmt_col_blob(s, 0, &len);
		buf_add(value, v, len);
		rc = 0;
	} else if (r == STMT_DONE)
		rc = 1;
	else
		store_sqlerr(st, "read state", err);
	stmt_finalize(s);
	return rc;
}

int
sql_state_set(struct store *st, const char *key, const void *value,
    size_t len, struct buf *err)
{
	struct stmt *s = NULL;
	int rc = 0;

	if (store_prepare(st, "INSERT INTO state(key, value, updated_at) "
	    "VALUES (?, ?, ?) ON CONFLICT(key) DO UPDATE SET value = "
	    "excluded.value, updated_at = excluded.updated_at", &s, err) == -1)
		return -1;
	stmt_bind_text(s, 1, key);
	stmt_bind_blob(s, 2, value, len);
	stmt_bind_i64(s, 3, time_now());
	if (stmt_step(s) != STMT_DONE)
		rc = store_sqlerr(st, "write state", err);
	stmt_finalize(s);
	return rc;
}

int
sql_state_delete(struct store *st, const char *key, struct buf *err)
{
	struct stmt *s = NULL;
	int rc = 0;

	if (store_prepare(st, "DELETE FROM state WHERE key = ?", &s, err) == -1)
		return -1;
	stmt_bind_text(s, 1, key);
	if (stmt_step(s) != STMT_DONE)
		rc = store_sqlerr(st, "delete state", err);
	stmt_finalize(s);
	return rc;
}

#define SQL_OPS							\
	.close = sql_close,						\
	.begin = store_tx_begin,					\
	.commit = store_tx_commit,					\
	.rollback = store_tx_rollback,					\
	.schema = sql_schema,						\
	.migrate = sql_migrate,						\
	.page_create = sql_page_create,					\
	.page_edit = sql_page_edit,					\
	.page_publish = sql_page_publish,				\
	.page_unpublish = sql_page_unpublish,				\
	.page_schedule = sql_page_schedule,				\
	.page_delete = sql_page_delete,					\
	.page_get = sql_page_get,					\
	.page_get_id = sql_page_get_id,					\
	.path_check_new = sql_path_check_new,				\
	.page_list = sql_page_list,					\
	.revision_get = sql_revision_get,				\
	.run_scheduled = sql_run_scheduled,				\
	.next_scheduled = sql_next_scheduled,				\
	.media_add = sql_media_add,					\
	.media_list = sql_media_list,					\
	.change_seq = sql_change_seq,					\
	.request_build = sql_request_build,				\
	.pending_requests = sql_pending_requests,			\
	.audit_list = sql_audit_list,					\
	.audit = sql_audit,						\
	.snapshot = sql_snapshot,					\
	.state_get = sql_state_get,					\
	.state_set = sql_state_set,					\
	.state_delete = sql_state_delete,				\
	.build_claim = sql_build_claim,					\
	.build_heartbeat = sql_build_heartbeat,				\
	.build_append_log = sql_build_append_log,			\
	.build_set_seq = sql_build_set_seq,				\
	.build_finish = sql_build_finish,				\
	.build_record = sql_build_record,				\
	.build_gc = sql_build_gc,					\
	.build_cancel = sql_build_cancel,				\
	.build_rollback_request = sql_build_rollback_request,		\
	.build_rollback_take = sql_build_rollback_take,			\
	.build_release = sql_build_release,				\
	.build_list = sql_build_list,					\
	.build_get = sql_build_get,					\
	.build_stalled = sql_build_stalled,				\
	.build_stats = sql_build_stats,					\
	.build_metrics = sql_build_metrics,				\
	.token_create = sql_token_create,				\
	.token_check = sql_token_check,					\
	.token_list = sql_token_list,					\
	.token_revoke = sql_token_revoke,				\
	.user_add = sql_user_add,					\
	.user_get = sql_user_get,					\
	.user_passwd = sql_user_passwd,					\
	.user_disable = sql_user_disable,				\
	.user_list = sql_user_list,					\
	.session_create = sql_session_create,				\
	.session_check = sql_session_check,				\
	.session_delete = sql_session_delete,				\
	.revision_list = sql_revision_list,				\
	.build_actors = sql_build_actors,				\
	.audit_query = sql_audit_query,					\
	.review_submit = sql_review_submit,				\
	.review_list = sql_review_list,					\
	.review_decide = sql_review_decide

/* the same functions on both: only opening differs */
const struct store_ops store_pg_ops = {
	.driver = "postgres",
	.open = pg_open,
	SQL_OPS,
};

const struct store_ops store_sqlite_ops = {
	.driver = "sqlite",
	.open = sql_open,
	SQL_OPS,
};

