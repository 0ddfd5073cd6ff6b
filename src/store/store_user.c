/* SPDX-License-Identifier: ISC */
/*
 * store_user.c: admin accounts and browser sessions on SQLite (component
 * "users" of schema_migrations; decision 0120).
 *
 * A user row holds the encoded Argon2id hash (parameters inside it, so
 * they can be raised later without a migration) and never the password.
 * A session row holds the SHA-256 of the 256-bit session id, so a copy
 * of the database does not let anyone in; it ends when idle too long,
 * when too old, at logout, and with every session of the user when the
 * password changes or the account is disabled.  Every change is in the
 * audit log with the name of who made it.
 */
#include "common/compat.h"

#include <jansson.h>

#include "common/buf.h"
#include "common/timeutil.h"
#include "store/store.h"
#include "store/store_int.h"
#include "store/store_user.h"

const struct store_migration store_user_migrations[] = {
	{ 1,
	"CREATE TABLE users("
	"  id INTEGER PRIMARY KEY,"
	"  name TEXT NOT NULL UNIQUE,"
	"  role TEXT NOT NULL,"
	"  hash TEXT NOT NULL,"
	"  disabled INTEGER NOT NULL DEFAULT 0,"
	"  created_at INTEGER NOT NULL,"
	"  updated_at INTEGER NOT NULL,"
	"  last_login_at INTEGER);"
	"CREATE TABLE sessions("
	"  id INTEGER PRIMARY KEY,"
	"  hash TEXT NOT NULL UNIQUE,"
	"  user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,"
	"  created_at INTEGER NOT NULL,"
	"  last_seen_at INTEGER NOT NULL);"
	"CREATE INDEX sessions_user ON sessions(user_id);" },
	/* the review workflow (store_admin.c): one row per submission */
	{ 2,
	"CREATE TABLE reviews("
	"  id INTEGER PRIMARY KEY,"
	"  page_id INTEGER NOT NULL REFERENCES pages(id) ON DELETE CASCADE,"
	"  revision_id INTEGER NOT NULL,"
	"  go_live_at INTEGER,"
	"  submitted_by TEXT NOT NULL,"
	"  submitted_at INTEGER NOT NULL,"
	"  state TEXT NOT NULL DEFAULT 'pending',"
	"  comment TEXT NOT NULL DEFAULT '',"
	"  decided_by TEXT,"
	"  decided_at INTEGER);"
	"CREATE INDEX reviews_pending ON reviews(page_id) "
	"  WHERE state = 'pending';" },
	{ 0, NULL }
};

/* a session's last use is written at most once a minute */
#define SESSION_USE_GRAIN 60

int
user_name_check(const char *name, struct buf *err)
{
	size_t n = strlen(name);

	if (n == 0 || n > USER_NAME_MAX || strspn(name, "abcdefghijklmnopqrstu"
	    "vwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._@-") != n) {
		buf_setf(err, "name: expected 1 to %d letters, digits or "
		    "._@-", USER_NAME_MAX);
		return -1;
	}
	return 0;
}

static bool
role_ok(const char *role)
{
	return !strcmp(role, "editor") || !strcmp(role, "publisher") ||
	    !strcmp(role, "admin");
}

int
sql_user_add(struct store *st, const char *name, const char *role,
    const char *hash, const char *actor, struct buf *err)
{
	int64_t now = time_now();
	int rc = -1;

	if (user_name_check(name, err) == -1) {
		store_err_set(st, ERR_INVALID, "name");
		return -1;
	}
	if (!role_ok(role)) {
		buf_setf(err, "role: expected editor, publisher or admin");
		store_err_set(st, ERR_INVALID, "role");
		return -1;
	}
	if (store_tx_begin(st, err) == -1)
		return -1;
	if (store_run(st, "add user", NULL, err, "INSERT INTO users(name, "
	    "role, hash, created_at, updated_at) VALUES (?, ?, ?, ?, ?)",
	    "sssii", name, role, hash, now, now) == -1) {
		if (store_err_kind(st) == ERR_CONFLICT)
			buf_setf(err, "a user named '%s' exists", name);
	} else
		rc = sql_audit(st, actor, "user.add", NULL, name, err);
	return store_tx_end(st, rc, err);
}

int
sql_user_get(struct store *st, const char *name, struct user_info *u,
    struct buf *err)
{
	struct stmt *s = NULL;
	int rc = 1, step;

	memset(u, 0, sizeof(*u));
	if (store_prepare(st, "SELECT id, name, role, hash, disabled FROM "
	    "users WHERE name = ?", &s, err) == -1)
		return -1;
	stmt_bind_text(s, 1, name);
	if ((step = stmt_step(s)) == STMT_ROW) {
		u->id = stmt_col_i64(s, 0);
		snprintf(u->name, sizeof(u->name), "%s",
		    stmt_col_text(s, 1));
		snprintf(u->role, sizeof(u->role), "%s",
		    stmt_col_text(s, 2));
		snprintf(u->hash, sizeof(u->hash), "%s",
		    stmt_col_text(s, 3));
		u->disabled = stmt_col_int(s, 4) != 0;
		rc = 0;
	} else if (step == STMT_DONE) {
		buf_setf(err, "no user named '%s'", name);
		store_err_set(st, ERR_NOT_FOUND, NULL);
	} else
		rc = store_sqlerr(st, "get user", err);
	stmt_finalize(s);
	return rc;
}

/* SQL (one text and the name bound) on user NAME, then end its sessions */
static int
user_change(struct store *st, const char *name, const char *sql,
    const char *text, const char *actor, const char *action,
    struct buf *err)
{
	size_t changed = 0;
	int rc = -1;

	if (store_tx_begin(st, err) == -1)
		return -1;
	if (store_run(st, action, &changed, err, sql, "sis", text,
	    time_now(), name) == -1)
		goto out;
	if (changed == 0) {
		buf_setf(err, "no user named '%s'", name);
		store_err_set(st, ERR_NOT_FOUND, NULL);
		rc = 1;
		goto out;
	}
	if (store_run(st, "end sessions", NULL, err, "DELETE FROM sessions "
	    "WHERE user_id = (SELECT id FROM users WHERE name = ?)", "s",
	    name) == -1)
		goto out;
	rc = sql_audit(st, actor, action, NULL, name, err);
out:
	return store_tx_end(st, rc, err);
}

int
sql_user_passwd(struct store *st, const char *name, const char *hash,
    const char *actor, struct buf *err)
{
	return user_change(st, name, "UPDATE users SET hash = ?, "
	    "updated_at = ? WHERE name = ?", hash, actor, "user.passwd", err);
}

int
sql_user_disable(struct store *st, const char *name, const char *actor,
    struct buf *err)
{
	/* portable SQL: plain ? placeholders (db.h), the text "1" cast */
	return user_change(st, name, "UPDATE users SET disabled = "
	    "CAST(? AS INTEGER), updated_at = ? WHERE name = ?", "1", actor,
	    "user.disable", err);
}

int
sql_user_list(struct store *st, json_t **out, struct buf *err)
{
	struct stmt *s = NULL;
	json_t *a;

	*out = NULL;
	if (store_prepare(st, "SELECT name, role, disabled, created_at, "
	    "last_login_at FROM users ORDER BY name", &s, err) == -1)
		return -1;
	a = json_array();
	while (stmt_step(s) == STMT_ROW)
		json_array_append_new(a, json_pack("{s:s, s:s, s:b, s:o, s:o}",
		    "name", (const char *)stmt_col_text(s, 0),
		    "role", (const char *)stmt_col_text(s, 1),
		    "disabled", stmt_col_int(s, 2) != 0,
		    "created", store_col_time(s, 3), "last_login", store_col_time(s, 4)));
	stmt_finalize(s);
	*out = a;
	return 0;
}

int
sql_session_create(struct store *st, int64_t user_id, const char *sid_hash,
    struct buf *err)
{
	int64_t now = time_now();
	int rc;

	if (store_tx_begin(st, err) == -1)
		return -1;
	rc = store_run(st, "create session", NULL, err, "INSERT INTO "
	    "sessions(hash, user_id, created_at, last_seen_at) VALUES "
	    "(?, ?, ?, ?)", "siii", sid_hash, user_id, now, now);
	if (rc == 0)
		rc = store_run(st, "note login", NULL, err, "UPDATE users SET "
		    "last_login_at = ? WHERE id = ?", "ii", now, user_id);
	return store_tx_end(st, rc, err);
}

int
sql_session_check(struct store *st, const char *sid_hash, int64_t now,
    int64_t idle, int64_t max, struct user_info *u, struct buf *err)
{
	struct stmt *s = NULL;
	int64_t sid = 0, created = 0, seen = 0;
	int rc = 1, step;

	memset(u, 0, sizeof(*u));
	if (store_prepare(st, "SELECT s.id, s.created_at, s.last_seen_at, "
	    "u.id, u.name, u.role, u.disabled FROM sessions s JOIN users u "
	    "ON u.id = s.user_id WHERE s.hash = ?", &s, err) == -1)
		return -1;
	stmt_bind_text(s, 1, sid_hash);
	if ((step = stmt_step(s)) == STMT_ROW) {
		sid = stmt_col_i64(s, 0);
		created = stmt_col_i64(s, 1);
		seen = stmt_col_i64(s, 2);
		u->id = stmt_col_i64(s, 3);
		snprintf(u->name, sizeof(u->name), "%s",
		    stmt_col_text(s, 4));
		snprintf(u->role, sizeof(u->role), "%s",
		    stmt_col_text(s, 5));
		u->disabled = stmt_col_int(s, 6) != 0;
		rc = 0;
	} else if (step != STMT_DONE)
		rc = store_sqlerr(st, "check session", err);
	stmt_finalize(s);
	if (rc != 0)
		goto out;
	if (u->disabled || now - seen > idle || now - created > max ||
	    now < created) {
		/* expired: gone for good (best effort) */
		store_exec_i64(st, "DELETE FROM sessions WHERE id = ?", err, 1,
		    sid);
		buf_reset(err);
		rc = 1;
		goto out;
	}
	if (now - seen >= SESSION_USE_GRAIN) {
		/* best effort: a busy store must not end a valid session */
		store_exec_i64(st, "UPDATE sessions SET last_seen_at = ? "
		    "WHERE id = ?", err, 2, now, sid);
		buf_reset(err);
	}
out:
	if (rc != 0)
		memset(u, 0, sizeof(*u));
	if (rc == 1)
		store_err_set(st, ERR_NOT_FOUND, NULL);
	return rc;
}

int
sql_session_delete(struct store *st, const char *sid_hash, struct buf *err)
{
	return store_run(st, "end session", NULL, err, "DELETE FROM sessions "
	    "WHERE hash = ?", "s", sid_hash);
}
