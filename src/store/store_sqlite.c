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

	st->kind = code == SQLITE_BUSY || code == SQLITE_LOCKED ?
	    ERR_UNAVAILABLE : ERR_INTERNAL;
	buf_setf(err, "store: %s: %s", what, sqlite3_errmsg(st->db));
	return -1;
}

enum err_kind
store_err_kind(const struct store *st)
{
	return st->kind;
}

void
store_err_clear(struct store *st)
{
	st->kind = ERR_NONE;
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

static void
bind_time(sqlite3_stmt *s, int i, int64_t t)
{
	if (t)
		sqlite3_bind_int64(s, i, t);
	else
		sqlite3_bind_null(s, i);
}

static char *
col_str(sqlite3_stmt *s, int i)
{
	const unsigned char *v = sqlite3_column_text(s, i);

	return v ? xstrdup((const char *)v) : NULL;
}

static char *
col_str0(sqlite3_stmt *s, int i)
{
	const unsigned char *v = sqlite3_column_text(s, i);

	return xstrdup(v ? (const char *)v : "");
}

/* JSON text S as an array or object; an empty one if it is not */
static json_t *
json_of(const char *s, bool array)
{
	json_t *j = s ? json_loads(s, 0, NULL) : NULL;

	if (!j || (array ? !json_is_array(j) : !json_is_object(j))) {
		json_decref(j);
		j = array ? json_array() : json_object();
	}
	return j;
}

static json_t *
col_json(sqlite3_stmt *s, int i, bool array)
{
	return json_of((const char *)sqlite3_column_text(s, i), array);
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

int
store_begin(struct store *st, struct buf *err)
{
	return store_tx_begin(st, err);
}

int
store_commit(struct store *st, struct buf *err)
{
	return store_tx_commit(st, err);
}

void
store_rollback(struct store *st)
{
	store_tx_rollback(st);
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

int
store_open(const char *driver, const char *path, struct store **out,
    struct buf *err)
{
	struct store *st;

	*out = NULL;
	if (strcmp(driver, "postgres") == 0) {
		buf_setf(err, "store: the postgres driver is not available in "
		    "this build (use driver: sqlite)");
		return -1;
	}
	if (strcmp(driver, "sqlite") != 0) {
		buf_setf(err, "store: unknown driver '%s'", driver);
		return -1;
	}
	st = xcalloc(1, sizeof(*st));
	st->path = xstrdup(path);
	if (sqlite3_open_v2(path, &st->db, SQLITE_OPEN_READWRITE |
	    SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, NULL) != SQLITE_OK) {
		buf_setf(err, "store: cannot open '%s': %s", path,
		    st->db ? sqlite3_errmsg(st->db) : "out of memory");
		store_close(st);
		return -1;
	}
	sqlite3_busy_timeout(st->db, 30000);
	if (store_exec(st, "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;"
	    "PRAGMA foreign_keys=ON;", err) == -1)
		goto fail;
	/* up to date: no write lock (a daemon opens handles while a
	   writer may hold the lock for long) */
	if (schema_current(st, "store", store_migrations) &&
	    schema_current(st, "queue", store_build_migrations)) {
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
	    store_tx_commit(st, err) == -1) {
		store_tx_rollback(st);
		goto fail;
	}
	*out = st;
	return 0;
fail:
	store_close(st);
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

void
store_close(struct store *st)
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
store_change_seq(struct store *st, int64_t *seq, struct buf *err)
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
	bind_time(s, 4, page_id);
	bind_text_or_null(s, 5, path);
	bind_text_or_null(s, 6, detail);
	if (sqlite3_step(s) != SQLITE_DONE)
		rc = store_sqlerr(st, "audit", err);
	sqlite3_finalize(s);
	return rc;
}

int
store_audit(struct store *st, const char *actor, const char *action,
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
	bind_time(s, 3, page_id);
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
static int
changed(struct store *st, const char *actor, const char *action,
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
store_request_build(struct store *st, const char *reason, const char *actor,
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
store_pending_requests(struct store *st, json_t **out, struct buf *err)
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
store_audit_list(struct store *st, size_t limit, json_t **out,
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

/* ---- pages ---- */

#define PAGE_COLS							\
	"p.id, p.path, pp.path, p.section, p.slug, p.template, p.weight, "	\
	"r.title, p.live, p.has_unpublished_changes, p.expired, "	\
	"p.first_published_at, p.last_published_at, p.live_revision_id, " \
	"p.latest_revision_id, p.scheduled_revision_id, p.go_live_at, "	\
	"p.expire_at, p.created_at, p.updated_at, lr.title "		\
	"FROM pages p LEFT JOIN pages pp ON pp.id = p.parent_id "	\
	"LEFT JOIN revisions r ON r.id = p.latest_revision_id "		\
	"LEFT JOIN revisions lr ON lr.id = p.live_revision_id "

static const char *
status_of(const struct page_info *p)
{
	bool scheduled = p->scheduled_revision && p->go_live_at;

	if (p->live) {
		if (scheduled)
			return "live + scheduled";
		return p->has_unpublished_changes ? "live + draft" : "live";
	}
	if (p->expired)
		return "expired";
	return scheduled ? "scheduled" : "draft";
}

static void
read_page(sqlite3_stmt *s, struct page_info *p)
{
	memset(p, 0, sizeof(*p));
	p->id = sqlite3_column_int64(s, 0);
	p->path = col_str0(s, 1);
	p->parent_path = col_str(s, 2);
	p->section = col_str0(s, 3);
	p->slug = col_str0(s, 4);
	p->template = col_str0(s, 5);
	p->weight = sqlite3_column_int(s, 6);
	p->title = col_str0(s, 7);
	p->live = sqlite3_column_int(s, 8);
	p->has_unpublished_changes = sqlite3_column_int(s, 9);
	p->expired = sqlite3_column_int(s, 10);
	p->first_published_at = sqlite3_column_int64(s, 11);
	p->last_published_at = sqlite3_column_int64(s, 12);
	p->live_revision = sqlite3_column_int64(s, 13);
	p->latest_revision = sqlite3_column_int64(s, 14);
	p->scheduled_revision = sqlite3_column_int64(s, 15);
	p->go_live_at = sqlite3_column_int64(s, 16);
	p->expire_at = sqlite3_column_int64(s, 17);
	p->created_at = sqlite3_column_int64(s, 18);
	p->updated_at = sqlite3_column_int64(s, 19);
	p->live_title = col_str(s, 20);
	p->status = xstrdup(status_of(p));
}

void
page_info_release(struct page_info *p)
{
	if (!p)
		return;
	free(p->path);
	free(p->parent_path);
	free(p->section);
	free(p->slug);
	free(p->template);
	free(p->title);
	free(p->live_title);
	free(p->status);
	memset(p, 0, sizeof(*p));
}

static json_t *
time_json(int64_t t)
{
	char s[32];

	if (!t)
		return json_null();
	time_format_iso8601(t, s, sizeof(s));
	return json_string(s);
}

static json_t *
id_json(int64_t id)
{
	return id ? json_integer(id) : json_null();
}

/*
 * Total: every string goes through jsafe_string (a title stored before
 * input was validated may hold any bytes), so the result is never NULL.
 */
json_t *
page_info_json(const struct page_info *p)
{
	return json_pack("{s:I, s:o, s:o, s:s, s:o, s:o, s:b, s:b, s:b, s:o, "
	    "s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:i}",
	    "id", (json_int_t)p->id, "path", jsafe_string(p->path),
	    "title", jsafe_string(p->title),
	    "status", p->status ? p->status : "", "section",
	    jsafe_string(p->section),
	    "parent", jsafe_string_or_null(p->parent_path),
	    "live", p->live, "has_unpublished_changes",
	    p->has_unpublished_changes, "expired", p->expired,
	    "go_live_at", time_json(p->go_live_at),
	    "expire_at", time_json(p->expire_at),
	    "first_published_at", time_json(p->first_published_at),
	    "last_published_at", time_json(p->last_published_at),
	    "live_revision", id_json(p->live_revision),
	    "latest_revision", id_json(p->latest_revision),
	    "scheduled_revision", id_json(p->scheduled_revision),
	    "template", jsafe_string(p->template), "weight", p->weight);
}

json_t *
page_info_public_json(const struct page_info *p)
{
	return json_pack("{s:I, s:o, s:o, s:o, s:o, s:b, s:o, s:o}",
	    "id", (json_int_t)p->id, "path", jsafe_string(p->path),
	    "title", jsafe_string(p->live_title),
	    "section", jsafe_string(p->section),
	    "parent", jsafe_string_or_null(p->parent_path),
	    "live", 1,
	    "first_published_at", time_json(p->first_published_at),
	    "last_published_at", time_json(p->last_published_at));
}

void
revision_info_release(struct revision_info *r)
{
	if (!r)
		return;
	free(r->title);
	free(r->body);
	free(r->summary);
	free(r->author);
	json_decref(r->tags);
	json_decref(r->extra);
	memset(r, 0, sizeof(*r));
}

static int
canon(const char *path, struct buf *out, struct buf *err)
{
	struct buf why = BUF_INIT;
	int rc = path_canonicalize(path, out, &why);

	if (rc == -1)
		buf_setf(err, "%s", why.buf);
	buf_release(&why);
	return rc;
}

int
store_page_get(struct store *st, const char *path, struct page_info *p,
    struct buf *err)
{
	struct buf cp = BUF_INIT;
	sqlite3_stmt *s = NULL;
	int r, rc = -1;

	/* callers release P on every path: it must be empty when not found */
	memset(p, 0, sizeof(*p));
	if (canon(path, &cp, err) == -1)
		return -1;
	if (store_prepare(st, "SELECT " PAGE_COLS "WHERE p.path = ?", &s,
	    err) == -1)
		goto out;
	sqlite3_bind_text(s, 1, cp.buf, -1, SQLITE_STATIC);
	r = sqlite3_step(s);
	if (r == SQLITE_ROW) {
		read_page(s, p);
		rc = 0;
	} else if (r == SQLITE_DONE)
		rc = 1;
	else
		store_sqlerr(st, "read page", err);
out:
	sqlite3_finalize(s);
	buf_release(&cp);
	return rc;
}

int
store_page_get_id(struct store *st, int64_t id, struct page_info *p,
    struct buf *err)
{
	sqlite3_stmt *s = NULL;
	int r, rc = -1;

	memset(p, 0, sizeof(*p));
	if (store_prepare(st, "SELECT " PAGE_COLS "WHERE p.id = ?", &s,
	    err) == -1)
		return -1;
	sqlite3_bind_int64(s, 1, id);
	r = sqlite3_step(s);
	if (r == SQLITE_ROW) {
		read_page(s, p);
		rc = 0;
	} else if (r == SQLITE_DONE)
		rc = 1;
	else
		store_sqlerr(st, "read page", err);
	sqlite3_finalize(s);
	return rc;
}

/* like store_page_get, but a missing page is an error */
static int
page_must(struct store *st, const char *path, struct page_info *p,
    struct buf *err)
{
	int r = store_page_get(st, path, p, err);

	if (r == 1) {
		buf_setf(err, "no page at '%s'", path);
		st->kind = ERR_NOT_FOUND;
	}
	return r == 0 ? 0 : -1;
}

int
store_page_list(struct store *st, struct page_info **list, size_t *n,
    struct buf *err)
{
	sqlite3_stmt *s = NULL;
	struct page_info *l = NULL;
	size_t cnt = 0, cap = 0;
	int r;

	if (store_prepare(st, "SELECT " PAGE_COLS "ORDER BY p.path", &s,
	    err) == -1)
		return -1;
	while ((r = sqlite3_step(s)) == SQLITE_ROW) {
		if (cnt == cap) {
			cap = cap ? cap * 2 : 64;
			l = xreallocarray(l, cap, sizeof(*l));
		}
		read_page(s, &l[cnt++]);
	}
	sqlite3_finalize(s);
	if (r != SQLITE_DONE) {
		store_page_list_free(l, cnt);
		return store_sqlerr(st, "list pages", err);
	}
	*list = l;
	*n = cnt;
	return 0;
}

void
store_page_list_free(struct page_info *list, size_t n)
{
	for (size_t i = 0; i < n; i++)
		page_info_release(&list[i]);
	free(list);
}

int
store_revision_get(struct store *st, int64_t id, struct revision_info *r,
    struct buf *err)
{
	sqlite3_stmt *s = NULL;
	int rc = -1;

	memset(r, 0, sizeof(*r));
	if (store_prepare(st, "SELECT id, page_id, title, body, summary, date, "
	    "tags, extra, author, created_at FROM revisions WHERE id = ?", &s,
	    err) == -1)
		return -1;
	sqlite3_bind_int64(s, 1, id);
	if (sqlite3_step(s) == SQLITE_ROW) {
		r->id = sqlite3_column_int64(s, 0);
		r->page_id = sqlite3_column_int64(s, 1);
		r->title = col_str0(s, 2);
		r->body = col_str0(s, 3);
		r->summary = col_str0(s, 4);
		r->date = sqlite3_column_int64(s, 5);
		r->tags = col_json(s, 6, true);
		r->extra = col_json(s, 7, false);
		r->author = col_str0(s, 8);
		r->created_at = sqlite3_column_int64(s, 9);
		rc = 0;
	} else
		buf_setf(err, "no revision %lld", (long long)id);
	sqlite3_finalize(s);
	return rc;
}

static int
insert_revision(struct store *st, int64_t page_id, const char *title,
    const char *body, const char *summary, int64_t date, json_t *tags,
    json_t *extra, const char *actor, int64_t *id, struct buf *err)
{
	sqlite3_stmt *s = NULL;
	char *tj, *ej;
	int rc = 0;

	if (strlen(body) > LIMIT_PAGE_BODY) {
		buf_setf(err, "body: too large (over %d bytes)",
		    LIMIT_PAGE_BODY);
		return -1;
	}
	tj = tags ? json_dumps(tags, JSON_COMPACT) : xstrdup("[]");
	ej = extra ? json_dumps(extra, JSON_COMPACT | JSON_SORT_KEYS) :
	    xstrdup("{}");
	if (store_prepare(st, "INSERT INTO revisions(page_id, title, body, "
	    "summary, date, tags, extra, author, created_at) VALUES "
	    "(?, ?, ?, ?, ?, ?, ?, ?, ?)", &s, err) == -1) {
		rc = -1;
		goto out;
	}
	sqlite3_bind_int64(s, 1, page_id);
	sqlite3_bind_text(s, 2, title, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 3, body, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 4, summary, -1, SQLITE_STATIC);
	bind_time(s, 5, date);
	sqlite3_bind_text(s, 6, tj, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 7, ej, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 8, actor ? actor : "unknown", -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 9, time_now());
	if (sqlite3_step(s) != SQLITE_DONE)
		rc = store_sqlerr(st, "insert revision", err);
	else
		*id = sqlite3_last_insert_rowid(st->db);
out:
	sqlite3_finalize(s);
	free(tj);
	free(ej);
	return rc;
}

/* run one UPDATE/DELETE with int64 parameters (0 binds NULL if nullz) */
static int
exec_i64(struct store *st, const char *sql, struct buf *err, int n, ...)
{
	sqlite3_stmt *s = NULL;
	va_list ap;
	int rc = 0;

	if (store_prepare(st, sql, &s, err) == -1)
		return -1;
	va_start(ap, n);
	for (int i = 1; i <= n; i++)
		bind_time(s, i, va_arg(ap, int64_t));
	va_end(ap);
	if (sqlite3_step(s) != SQLITE_DONE)
		rc = store_sqlerr(st, "update", err);
	sqlite3_finalize(s);
	return rc;
}

static bool
tags_valid(json_t *tags, struct buf *err)
{
	size_t i;
	json_t *t;

	if (!tags)
		return true;
	if (!json_is_array(tags)) {
		buf_setf(err, "tags: expected a list of strings");
		return false;
	}
	json_array_foreach(tags, i, t) {
		if (!json_is_string(t)) {
			buf_setf(err, "tags[%zu]: expected a string", i);
			return false;
		}
	}
	return true;
}

int
store_page_create(struct store *st, const char *path,
    const struct page_fields *f, const char *actor, int64_t *idp,
    struct buf *err)
{
	struct buf cp = BUF_INIT, parent = BUF_INIT, slug = BUF_INIT,
	    section = BUF_INIT;
	struct page_info pi;
	sqlite3_stmt *s = NULL;
	const char *slash;
	int64_t id = 0, rev, parent_id = 0, now = time_now();
	int rc = -1;

	if (canon(path, &cp, err) == -1 ||
	    store_path_check_new(st, cp.buf, err) == -1) {
		buf_release(&cp);
		return -1;
	}
	if (!f->title || !*f->title) {
		buf_setf(err, "title: required");
		goto out;
	}
	if (page_fields_check(f, err) == -1 || !tags_valid(f->tags, err))
		goto out;
	if (f->extra && !json_is_object(f->extra)) {
		buf_setf(err, "extra: expected an object");
		goto out;
	}
	if (f->template && *f->template && !slug_valid(f->template,
	    strlen(f->template))) {
		buf_setf(err, "template: '%s' is not a valid template name",
		    f->template);
		goto out;
	}
	slash = strrchr(cp.buf, '/');
	if (slash) {
		buf_add(&parent, cp.buf, (size_t)(slash - cp.buf));
		buf_adds(&slug, slash + 1);
	} else
		buf_adds(&slug, cp.buf);
	buf_add(&section, cp.buf, strcspn(cp.buf, "/"));
	if (store_tx_begin(st, err) == -1)
		goto out;
	if (store_page_get(st, cp.buf, &pi, err) == 0) {
		page_info_release(&pi);
		buf_setf(err, "a page already exists at '%s'", cp.buf);
		st->kind = ERR_CONFLICT;
		goto fail;
	}
	if (cp.len > 0 && store_page_get(st, parent.buf, &pi, err) == 0) {
		parent_id = pi.id;
		page_info_release(&pi);
	}
	if (store_prepare(st, "INSERT INTO pages(parent_id, path, slug, "
	    "section, weight, template, created_at, updated_at) VALUES "
	    "(?, ?, ?, ?, ?, ?, ?, ?)", &s, err) == -1)
		goto fail;
	bind_time(s, 1, parent_id);
	sqlite3_bind_text(s, 2, cp.buf, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 3, slug.buf, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 4, section.buf, -1, SQLITE_STATIC);
	sqlite3_bind_int(s, 5, f->has_weight ? f->weight : 0);
	sqlite3_bind_text(s, 6, f->template ? f->template : "", -1,
	    SQLITE_STATIC);
	sqlite3_bind_int64(s, 7, now);
	sqlite3_bind_int64(s, 8, now);
	if (sqlite3_step(s) != SQLITE_DONE) {
		store_sqlerr(st, "insert page", err);
		goto fail;
	}
	id = sqlite3_last_insert_rowid(st->db);
	if (insert_revision(st, id, f->title, f->body ? f->body : "",
	    f->summary ? f->summary : "", f->date, f->tags, f->extra, actor,
	    &rev, err) == -1 ||
	    exec_i64(st, "UPDATE pages SET latest_revision_id = ? WHERE "
	    "id = ?", err, 2, rev, id) == -1)
		goto fail;
	/*
	 * Children created before their parent get adopted: a range on
	 * the path index ('/' + 1 == '0'), not a scan.
	 */
	if (cp.len > 0) {
		sqlite3_finalize(s);
		s = NULL;
		if (store_prepare(st, "UPDATE pages SET parent_id = ?1 WHERE "
		    "path > ?2 || '/' AND path < ?2 || '0' AND parent_id IS "
		    "NULL AND instr(substr(path, ?3), '/') = 0", &s,
		    err) == -1)
			goto fail;
		sqlite3_bind_int64(s, 1, id);
		sqlite3_bind_text(s, 2, cp.buf, -1, SQLITE_STATIC);
		sqlite3_bind_int64(s, 3, (sqlite3_int64)cp.len + 2);
		if (sqlite3_step(s) != SQLITE_DONE) {
			store_sqlerr(st, "adopt children", err);
			goto fail;
		}
	}
	if (changed(st, actor, "create", id, cp.buf, f->title, NULL,
	    err) == -1)
		goto fail;
	if (store_tx_commit(st, err) == -1)
		goto out;
	if (idp)
		*idp = id;
	rc = 0;
	goto out;
fail:
	store_tx_rollback(st);
out:
	sqlite3_finalize(s);
	buf_release(&cp);
	buf_release(&parent);
	buf_release(&slug);
	buf_release(&section);
	return rc;
}

int
store_page_edit(struct store *st, const char *path,
    const struct page_fields *f, const char *actor, struct buf *err)
{
	struct page_info p;
	struct revision_info r;
	int64_t rev;
	bool template_changed = false;
	int rc = -1;

	memset(&r, 0, sizeof(r));
	if (!tags_valid(f->tags, err))
		return -1;
	if (f->extra && !json_is_object(f->extra)) {
		buf_setf(err, "extra: expected an object");
		return -1;
	}
	if (f->title && !*f->title) {
		buf_setf(err, "title: must not be empty");
		return -1;
	}
	if (page_fields_check(f, err) == -1)
		return -1;
	if (store_tx_begin(st, err) == -1)
		return -1;
	if (page_must(st, path, &p, err) == -1)
		goto fail;
	if (store_revision_get(st, p.latest_revision, &r, err) == -1)
		goto fail;
	if (insert_revision(st, p.id, f->title ? f->title : r.title,
	    f->body ? f->body : r.body, f->summary ? f->summary : r.summary,
	    f->date ? f->date : r.date, f->tags ? f->tags : r.tags,
	    f->extra ? f->extra : r.extra, actor, &rev, err) == -1 ||
	    exec_i64(st, "UPDATE pages SET latest_revision_id = ?, "
	    "has_unpublished_changes = 1, updated_at = ? WHERE id = ?", err, 3,
	    rev, time_now(), p.id) == -1)
		goto fail;
	if (f->has_weight || f->template) {
		sqlite3_stmt *s = NULL;
		if (f->template && strcmp(f->template, p.template) != 0)
			template_changed = true;
		if (f->has_weight && f->weight != p.weight)
			template_changed = true;
		if (store_prepare(st, "UPDATE pages SET weight = ?, template = ? "
		    "WHERE id = ?", &s, err) == -1)
			goto fail;
		sqlite3_bind_int(s, 1, f->has_weight ? f->weight : p.weight);
		sqlite3_bind_text(s, 2, f->template ? f->template : p.template,
		    -1, SQLITE_STATIC);
		sqlite3_bind_int64(s, 3, p.id);
		if (sqlite3_step(s) != SQLITE_DONE) {
			sqlite3_finalize(s);
			store_sqlerr(st, "update page", err);
			goto fail;
		}
		sqlite3_finalize(s);
	}
	/* only settings of the page row reach the live site before publish */
	if (changed(st, actor, "edit", p.id, p.path, NULL,
	    p.live && template_changed ? "page edited" : NULL, err) == -1)
		goto fail;
	rc = store_tx_commit(st, err);
	goto out;
fail:
	store_tx_rollback(st);
out:
	page_info_release(&p);
	revision_info_release(&r);
	return rc;
}

/* make REV live now, inside a transaction */
static int
make_live(struct store *st, const struct page_info *p, int64_t rev,
    int64_t now, struct buf *err)
{
	return exec_i64(st, "UPDATE pages SET live = 1, expired = 0, "
	    "live_revision_id = ?1, has_unpublished_changes = "
	    "(latest_revision_id != ?1), first_published_at = "
	    "COALESCE(first_published_at, ?2), last_published_at = ?2, "
	    "scheduled_revision_id = NULL, go_live_at = NULL, updated_at = ?2 "
	    "WHERE id = ?3", err, 3, rev, now, p->id);
}

int
store_page_publish(struct store *st, const char *path, int64_t go_live,
    const char *actor, struct buf *err)
{
	struct page_info p;
	int64_t now = time_now();
	char when[32];
	int rc = -1;

	memset(&p, 0, sizeof(p));
	if (store_tx_begin(st, err) == -1)
		return -1;
	if (page_must(st, path, &p, err) == -1)
		goto fail;
	if (go_live > now) {
		if (p.expire_at && p.expire_at <= go_live) {
			buf_setf(err, "go_live: the page expires before it "
			    "would go live; change or clear the expiry first");
			goto fail;
		}
		time_format_iso8601(go_live, when, sizeof(when));
		if (exec_i64(st, "UPDATE pages SET scheduled_revision_id = "
		    "latest_revision_id, go_live_at = ?, updated_at = ? WHERE "
		    "id = ?", err, 3, go_live, now, p.id) == -1 ||
		    changed(st, actor, "schedule", p.id, p.path, when, NULL,
		    err) == -1)
			goto fail;
	} else {
		if (p.expire_at && p.expire_at <= now) {
			buf_setf(err, "expire_at: the page's expiry has "
			    "passed; change or clear it first");
			goto fail;
		}
		if (make_live(st, &p, p.latest_revision, now, err) == -1 ||
		    changed(st, actor, "publish", p.id, p.path, NULL,
		    "page published", err) == -1)
			goto fail;
	}
	rc = store_tx_commit(st, err);
	goto out;
fail:
	store_tx_rollback(st);
out:
	page_info_release(&p);
	return rc;
}

int
store_page_unpublish(struct store *st, const char *path, const char *actor,
    struct buf *err)
{
	struct page_info p;
	int rc = -1;

	memset(&p, 0, sizeof(p));
	if (store_tx_begin(st, err) == -1)
		return -1;
	if (page_must(st, path, &p, err) == -1)
		goto fail;
	if (!p.live) {
		buf_setf(err, "page '%s' is not live", p.path);
		st->kind = ERR_CONFLICT;
		goto fail;
	}
	if (exec_i64(st, "UPDATE pages SET live = 0, has_unpublished_changes "
	    "= 1, updated_at = ? WHERE id = ?", err, 2, time_now(),
	    p.id) == -1 ||
	    changed(st, actor, "unpublish", p.id, p.path, NULL,
	    "page unpublished", err) == -1)
		goto fail;
	rc = store_tx_commit(st, err);
	goto out;
fail:
	store_tx_rollback(st);
out:
	page_info_release(&p);
	return rc;
}

int
store_page_schedule(struct store *st, const char *path, int64_t go_live,
    int64_t expire, const char *actor, struct buf *err)
{
	struct page_info p;
	int64_t now = time_now(), eff_expire;
	struct buf detail = BUF_INIT;
	char a[32], b[32];
	int rc = -1;

	memset(&p, 0, sizeof(p));
	if (go_live == 0 && expire == 0) {
		buf_setf(err, "nothing to schedule: give a go-live or an "
		    "expiry");
		return -1;
	}
	if (expire > 0 && expire <= now) {
		buf_setf(err, "expire_at: must be in the future");
		return -1;
	}
	if (store_tx_begin(st, err) == -1)
		return -1;
	if (page_must(st, path, &p, err) == -1)
		goto fail;
	eff_expire = expire == -1 ? 0 : expire ? expire : p.expire_at;
	if (go_live > 0 && eff_expire && eff_expire <= go_live) {
		buf_setf(err, "expire_at: must be after the go-live time");
		goto fail;
	}
	if (expire != 0 && exec_i64(st, "UPDATE pages SET expire_at = ?, "
	    "updated_at = ? WHERE id = ?", err, 3, eff_expire, now,
	    p.id) == -1)
		goto fail;
	p.expire_at = eff_expire;
	if (go_live > now) {
		if (exec_i64(st, "UPDATE pages SET scheduled_revision_id = "
		    "latest_revision_id, go_live_at = ? WHERE id = ?", err, 2,
		    go_live, p.id) == -1)
			goto fail;
	} else if (go_live > 0) {
		if (make_live(st, &p, p.latest_revision, now, err) == -1)
			goto fail;
	}
	time_format_iso8601(go_live > 0 ? go_live : 0, a, sizeof(a));
	time_format_iso8601(eff_expire, b, sizeof(b));
	buf_printf(&detail, "go_live=%s expire=%s", go_live > 0 ? a : "-",
	    eff_expire ? b : "-");
	if (changed(st, actor, "schedule", p.id, p.path, detail.buf,
	    go_live > 0 && go_live <= now ? "page published" : NULL,
	    err) == -1)
		goto fail;
	rc = store_tx_commit(st, err);
	goto out;
fail:
	store_tx_rollback(st);
out:
	page_info_release(&p);
	buf_release(&detail);
	return rc;
}

int
store_page_delete(struct store *st, const char *path, const char *actor,
    struct buf *err)
{
	struct page_info p;
	sqlite3_stmt *s = NULL;
	int rc = -1;

	memset(&p, 0, sizeof(p));
	if (store_tx_begin(st, err) == -1)
		return -1;
	if (page_must(st, path, &p, err) == -1)
		goto fail;
	if (store_prepare(st, "SELECT count(*) FROM pages WHERE parent_id = ?",
	    &s, err) == -1)
		goto fail;
	sqlite3_bind_int64(s, 1, p.id);
	if (sqlite3_step(s) == SQLITE_ROW && sqlite3_column_int(s, 0) > 0) {
		buf_setf(err, "page '%s' has child pages; delete them first",
		    p.path);
		st->kind = ERR_CONFLICT;
		goto fail;
	}
	if (exec_i64(st, "UPDATE pages SET latest_revision_id = NULL, "
	    "live_revision_id = NULL, scheduled_revision_id = NULL WHERE "
	    "id = ?", err, 1, p.id) == -1 ||
	    exec_i64(st, "DELETE FROM revisions WHERE page_id = ?", err, 1,
	    p.id) == -1 ||
	    exec_i64(st, "DELETE FROM pages WHERE id = ?", err, 1,
	    p.id) == -1 ||
	    changed(st, actor, "delete", p.id, p.path, NULL,
	    p.live ? "page deleted" : NULL, err) == -1)
		goto fail;
	rc = store_tx_commit(st, err);
	goto out;
fail:
	store_tx_rollback(st);
out:
	sqlite3_finalize(s);
	page_info_release(&p);
	return rc;
}

/* ---- scheduling ---- */

int
store_run_scheduled(struct store *st, int64_t now, bool dry_run,
    const char *actor, struct sched_report *rep, struct buf *err)
{
	sqlite3_stmt *s = NULL;
	struct page_info *due = NULL;
	int64_t *revs = NULL;
	size_t n = 0, cap = 0;
	int r, rc = -1;

	memset(rep, 0, sizeof(*rep));
	rep->changes = json_array();
	if (store_tx_begin(st, err) == -1)
		return -1;
	/* 1. due go-lives, in path order */
	if (store_prepare(st, "SELECT " PAGE_COLS "WHERE "
	    "p.scheduled_revision_id IS NOT NULL AND p.go_live_at <= ? "
	    "ORDER BY p.path", &s, err) == -1)
		goto fail;
	sqlite3_bind_int64(s, 1, now);
	while ((r = sqlite3_step(s)) == SQLITE_ROW) {
		if (n == cap) {
			cap = cap ? cap * 2 : 16;
			due = xreallocarray(due, cap, sizeof(*due));
		}
		read_page(s, &due[n++]);
	}
	sqlite3_finalize(s);
	s = NULL;
	if (r != SQLITE_DONE) {
		store_sqlerr(st, "due pages", err);
		goto fail;
	}
	for (size_t i = 0; i < n; i++) {
		struct page_info *p = &due[i];
		if (p->expire_at && p->expire_at <= now) {
			/* its window has passed: never published */
			rep->skipped++;
			json_array_append_new(rep->changes, json_pack(
			    "{s:s, s:s}", "path", p->path, "action",
			    "skipped (expired)"));
			if (exec_i64(st, "UPDATE pages SET "
			    "scheduled_revision_id = NULL, go_live_at = NULL, "
			    "expired = CASE live WHEN 1 THEN expired ELSE 1 "
			    "END WHERE id = ? AND scheduled_revision_id = ?",
			    err, 2, p->id, p->scheduled_revision) == -1 ||
			    changed(st, actor, "schedule skipped", p->id,
			    p->path, "expired before its go-live", NULL,
			    err) == -1)
				goto fail;
			continue;
		}
		rep->published++;
		json_array_append_new(rep->changes, json_pack("{s:s, s:s}",
		    "path", p->path, "action", "published"));
		if (make_live(st, p, p->scheduled_revision, now, err) == -1 ||
		    changed(st, actor, "publish (scheduled)", p->id, p->path,
		    NULL, "scheduled", err) == -1)
			goto fail;
	}
	/* 2. expiries of live pages */
	if (store_prepare(st, "SELECT " PAGE_COLS "WHERE p.live = 1 AND "
	    "p.expire_at IS NOT NULL AND p.expire_at <= ? ORDER BY p.path",
	    &s, err) == -1)
		goto fail;
	sqlite3_bind_int64(s, 1, now);
	store_page_list_free(due, n);
	due = NULL;
	n = cap = 0;
	while ((r = sqlite3_step(s)) == SQLITE_ROW) {
		if (n == cap) {
			cap = cap ? cap * 2 : 16;
			due = xreallocarray(due, cap, sizeof(*due));
		}
		read_page(s, &due[n++]);
	}
	sqlite3_finalize(s);
	s = NULL;
	if (r != SQLITE_DONE) {
		store_sqlerr(st, "expired pages", err);
		goto fail;
	}
	for (size_t i = 0; i < n; i++) {
		rep->expired++;
		json_array_append_new(rep->changes, json_pack("{s:s, s:s}",
		    "path", due[i].path, "action", "expired"));
		if (exec_i64(st, "UPDATE pages SET live = 0, expired = 1, "
		    "has_unpublished_changes = 1, updated_at = ? WHERE id = ? "
		    "AND live = 1", err, 2, now, due[i].id) == -1 ||
		    changed(st, actor, "expire", due[i].id, due[i].path, NULL,
		    "scheduled", err) == -1)
			goto fail;
	}
	if (dry_run) {
		store_tx_rollback(st);
		rc = 0;
		goto out;
	}
	rc = store_tx_commit(st, err);
	goto out;
fail:
	store_tx_rollback(st);
out:
	store_page_list_free(due, n);
	free(revs);
	if (rc == -1) {
		json_decref(rep->changes);
		rep->changes = NULL;
	}
	return rc;
}

int
store_next_scheduled(struct store *st, int64_t now, int64_t *when,
    struct buf *err)
{
	sqlite3_stmt *s = NULL;
	int rc = 0;

	*when = 0;
	if (store_prepare(st, "SELECT MIN(t) FROM ("
	    "SELECT MIN(go_live_at) AS t FROM pages WHERE "
	    "scheduled_revision_id IS NOT NULL AND go_live_at > ?1 "
	    "UNION ALL SELECT MIN(expire_at) FROM pages WHERE live = 1 AND "
	    "expire_at > ?1)", &s, err) == -1)
		return -1;
	sqlite3_bind_int64(s, 1, now);
	if (sqlite3_step(s) == SQLITE_ROW)
		*when = sqlite3_column_int64(s, 0);
	else
		rc = store_sqlerr(st, "next scheduled", err);
	sqlite3_finalize(s);
	return rc;
}

/* ---- media ---- */

static char *
media_file(const char *dir, const char *sha)
{
	return xasprintf("%s/%.2s/%s", dir, sha, sha);
}

int
store_media_add(struct store *st, const char *media_dir, const char *file,
    const char *name, const char *actor, struct media_info *out,
    struct buf *err)
{
	struct buf data = BUF_INIT, clean = BUF_INIT;
	sqlite3_stmt *s = NULL;
	char sha[65], *dest = NULL;
	const char *base;
	int rc = -1;

	base = name ? name : (strrchr(file, '/') ? strrchr(file, '/') + 1 :
	    file);
	if (path_clean_rel(base, &clean, err) == -1 || strchr(clean.buf,
	    '/')) {
		buf_setf(err, "media name '%s': expected a plain file name",
		    base);
		goto out;
	}
	if (file_read(file, &data, LIMIT_MEDIA_FILE, err) == -1)
		goto out;
	sha256_hex(data.buf, data.len, sha);
	dest = media_file(media_dir, sha);
	if (!file_exists(dest) && (mkdir_parent(dest, err) == -1 ||
	    file_write_atomic(dest, data.buf, data.len, err) == -1))
		goto out;
	if (store_tx_begin(st, err) == -1)
		goto out;
	if (store_prepare(st, "INSERT INTO media(sha256, name, content_type, "
	    "size, created_at) VALUES (?, ?, ?, ?, ?) ON CONFLICT(sha256) DO "
	    "NOTHING", &s, err) == -1)
		goto fail;
	sqlite3_bind_text(s, 1, sha, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 2, clean.buf, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 3, mime_type_for(clean.buf), -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 4, (sqlite3_int64)data.len);
	sqlite3_bind_int64(s, 5, time_now());
	if (sqlite3_step(s) != SQLITE_DONE) {
		store_sqlerr(st, "add media", err);
		goto fail;
	}
	if (sqlite3_changes(st->db) > 0 && changed(st, actor, "media add", 0,
	    clean.buf, sha, "media added", err) == -1)
		goto fail;
	if (store_tx_commit(st, err) == -1)
		goto out;
	if (out) {
		memset(out, 0, sizeof(*out));
		strlcpy(out->sha256, sha, sizeof(out->sha256));
		out->name = xstrdup(clean.buf);
		out->content_type = xstrdup(mime_type_for(clean.buf));
		out->size = (int64_t)data.len;
		out->created_at = time_now();
		out->file = dest;
		dest = NULL;
	}
	rc = 0;
	goto out;
fail:
	store_tx_rollback(st);
out:
	sqlite3_finalize(s);
	buf_release(&data);
	buf_release(&clean);
	free(dest);
	return rc;
}

int
store_media_list(struct store *st, const char *media_dir,
    struct media_info **list, size_t *n, struct buf *err)
{
	sqlite3_stmt *s = NULL;
	struct media_info *l = NULL;
	size_t cnt = 0, cap = 0;
	int r;

	if (store_prepare(st, "SELECT sha256, name, content_type, size, "
	    "created_at FROM media ORDER BY sha256", &s, err) == -1)
		return -1;
	while ((r = sqlite3_step(s)) == SQLITE_ROW) {
		struct media_info *m;
		if (cnt == cap) {
			cap = cap ? cap * 2 : 16;
			l = xreallocarray(l, cap, sizeof(*l));
		}
		m = &l[cnt++];
		memset(m, 0, sizeof(*m));
		strlcpy(m->sha256, (const char *)sqlite3_column_text(s, 0),
		    sizeof(m->sha256));
		m->name = col_str0(s, 1);
		m->content_type = col_str0(s, 2);
		m->size = sqlite3_column_int64(s, 3);
		m->created_at = sqlite3_column_int64(s, 4);
		m->file = media_file(media_dir, m->sha256);
	}
	sqlite3_finalize(s);
	if (r != SQLITE_DONE) {
		store_media_list_free(l, cnt);
		return store_sqlerr(st, "list media", err);
	}
	*list = l;
	*n = cnt;
	return 0;
}

void
store_media_list_free(struct media_info *list, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(list[i].name);
		free(list[i].content_type);
		free(list[i].file);
	}
	free(list);
}

/* ---- snapshot ---- */

/*
 * The text columns of a snapshot row in one allocation (p->path owns it):
 * ten thousand pages would otherwise be eighty thousand small strings.
 */
static void
snap_strings(sqlite3_stmt *s, struct snap_page *p)
{
	static const int cols[] = { 1, 2, 3, 4, 7, 9, 11, 12 };
	char **dst[] = { &p->path, &p->section, &p->slug, &p->template,
	    &p->title, &p->summary, &p->tags_json, &p->extra_json };
	size_t len[NELEM(cols)], total = 0;
	char *block;

	for (size_t k = 0; k < NELEM(cols); k++) {
		sqlite3_column_text(s, cols[k]);
		len[k] = (size_t)sqlite3_column_bytes(s, cols[k]);
		total += len[k] + 1;
	}
	block = xmalloc(total);
	for (size_t k = 0; k < NELEM(cols); k++) {
		const unsigned char *v = sqlite3_column_text(s, cols[k]);
		if (len[k])
			memcpy(block, v, len[k]);
		block[len[k]] = '\0';
		*dst[k] = block;
		block += len[k] + 1;
	}
}

int
store_snapshot(struct store *st, const char *media_dir, struct snapshot *snap,
    struct buf *err)
{
	sqlite3_stmt *s = NULL;
	size_t cap = 0;
	int r, rc = -1;

	memset(snap, 0, sizeof(*snap));
	pthread_mutex_init(&snap->mu, NULL);
	/* one read transaction: WAL gives every read the same state */
	if (store_exec(st, "BEGIN", err) == -1) {
		pthread_mutex_destroy(&snap->mu);
		return -1;
	}
	snap->st = st;
	if (store_change_seq(st, &snap->seq, err) == -1)
		goto out;
	if (store_prepare(st, "SELECT p.id, p.path, p.section, "
	    "p.slug, p.template, p.weight, r.id, r.title, "
	    "CASE WHEN r.summary = '' THEN r.body END, r.summary, "
	    "r.date, r.tags, r.extra, p.first_published_at, "
	    "p.last_published_at, p.expire_at FROM pages p "
	    "JOIN revisions r ON r.id = p.live_revision_id "
	    "WHERE p.live = 1 ORDER BY p.path", &s, err) == -1)
		goto out;
	while ((r = sqlite3_step(s)) == SQLITE_ROW) {
		struct snap_page *p;
		if (snap->npages == cap) {
			cap = cap ? cap * 2 : 256;
			snap->pages = xreallocarray(snap->pages, cap,
			    sizeof(*p));
		}
		p = &snap->pages[snap->npages++];
		memset(p, 0, sizeof(*p));
		p->id = sqlite3_column_int64(s, 0);
		snap_strings(s, p);
		p->weight = sqlite3_column_int(s, 5);
		p->revision = sqlite3_column_int64(s, 6);
		p->body = col_str(s, 8);
		p->date = sqlite3_column_int64(s, 10);
		p->first_published_at = sqlite3_column_int64(s, 13);
		p->last_published_at = sqlite3_column_int64(s, 14);
		p->expire_at = sqlite3_column_int64(s, 15);
	}
	sqlite3_finalize(s);
	if (r != SQLITE_DONE) {
		store_sqlerr(st, "snapshot", err);
		goto out;
	}
	if (store_media_list(st, media_dir, &snap->media, &snap->nmedia,
	    err) == -1)
		goto out;
	rc = 0;
out:
	if (rc == -1)
		snapshot_release(snap);
	return rc;
}

static int
cmp_snap_path(const void *a, const void *b)
{
	return strcmp(((const struct snap_page *)a)->path,
	    ((const struct snap_page *)b)->path);
}

void
snapshot_add_virtual(struct snapshot *snap, const char *const *paths,
    const char *const *titles, size_t n)
{
	if (!n)
		return;
	snap->pages = xreallocarray(snap->pages, snap->npages + n,
	    sizeof(*snap->pages));
	for (size_t k = 0; k < n; k++) {
		struct snap_page *p = &snap->pages[snap->npages++];
		const char *path = paths[k], *slash = strrchr(path, '/');
		const char *v[8];
		size_t len[8], total = 0;
		char *block, **dst[] = { &p->path, &p->section, &p->slug,
		    &p->template, &p->title, &p->summary, &p->tags_json,
		    &p->extra_json };

		/* one block, path first, as snap_strings makes it */
		v[0] = path;
		v[1] = path;		/* cut at the first '/' below */
		v[2] = slash ? slash + 1 : path;
		v[3] = "";
		v[4] = titles[k];
		v[5] = "";
		v[6] = "[]";
		v[7] = "{}";
		for (size_t j = 0; j < NELEM(v); j++) {
			len[j] = strlen(v[j]);
			if (j == 1)
				len[j] = strcspn(path, "/");
			total += len[j] + 1;
		}
		memset(p, 0, sizeof(*p));
		block = xmalloc(total);
		for (size_t j = 0; j < NELEM(v); j++) {
			memcpy(block, v[j], len[j]);
			block[len[j]] = '\0';
			*dst[j] = block;
			block += len[j] + 1;
		}
		p->body = xstrdup("");
	}
	qsort(snap->pages, snap->npages, sizeof(*snap->pages), cmp_snap_path);
}

/* *V parsed from TEXT the first time it is asked for */
static json_t *
snapshot_json(struct snapshot *snap, json_t **v, const char *text,
    bool array)
{
	pthread_mutex_lock(&snap->mu);
	if (!*v)
		*v = json_of(text, array);
	pthread_mutex_unlock(&snap->mu);
	return *v;
}

json_t *
snapshot_tags(struct snapshot *snap, size_t i)
{
	struct snap_page *p = &snap->pages[i];

	return snapshot_json(snap, &p->tags, p->tags_json, true);
}

json_t *
snapshot_extra(struct snapshot *snap, size_t i)
{
	struct snap_page *p = &snap->pages[i];

	return snapshot_json(snap, &p->extra, p->extra_json, false);
}

const char *
snapshot_body(struct snapshot *snap, size_t i, struct buf *err)
{
	struct snap_page *p = &snap->pages[i];
	sqlite3_stmt *s = NULL;

	pthread_mutex_lock(&snap->mu);
	if (!p->body && snap->st && store_prepare(snap->st,
	    "SELECT body FROM revisions WHERE id = ?", &s, err) == 0) {
		sqlite3_bind_int64(s, 1, p->revision);
		if (sqlite3_step(s) == SQLITE_ROW)
			p->body = col_str0(s, 0);
		else
			buf_setf(err, "page '/%s': revision %lld cannot be "
			    "read", p->path, (long long)p->revision);
		sqlite3_finalize(s);
	}
	pthread_mutex_unlock(&snap->mu);
	return p->body;
}

void
snapshot_release(struct snapshot *snap)
{
	if (!snap)
		return;
	if (snap->st) {
		struct buf ignored = BUF_INIT;
		store_exec(snap->st, "COMMIT", &ignored);
		buf_release(&ignored);
		snap->st = NULL;
		pthread_mutex_destroy(&snap->mu);
	}
	for (size_t i = 0; i < snap->npages; i++) {
		struct snap_page *p = &snap->pages[i];
		free(p->path);		/* and the other strings: snap_strings */
		free(p->body);
		json_decref(p->tags);
		json_decref(p->extra);
	}
	free(snap->pages);
	store_media_list_free(snap->media, snap->nmedia);
	memset(snap, 0, sizeof(*snap));
}

/* ---- state ---- */

int
store_state_get(struct store *st, const char *key, struct buf *value,
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
store_state_set(struct store *st, const char *key, const void *value,
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
store_state_delete(struct store *st, const char *key, struct buf *err)
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
