/* SPDX-License-Identifier: ISC */
/*
 * store_schema.c: the store's schema versions (decision 0142).  Each
 * component (store, queue, users, units, deployed) has its own list of versioned
 * migrations (schema_migrations): a fresh store is created at the
 * current version, a store newer than this binary is refused, and an
 * older one is migrated only when asked, after a backup (SQLite), under
 * the migration lock (PostgreSQL: an advisory lock, so two nodes
 * starting at once migrate once).
 */
#include "common/compat.h"


#include "common/buf.h"
#include "common/timeutil.h"
#include "common/xmalloc.h"
#include "store/store.h"
#include "store/store_int.h"

/* the "store" component: pages, revisions, media, audit, requests */
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
	/*
	 * The admin's screens read what they show (decision 0280): which
	 * revisions may name a media file (a superset of what the media
	 * library's check accepts, kept by every new revision), who
	 * uploaded each file, the page columns a status is made of, and
	 * the latest revision's title on the page (for the search).
	 */
	{ 2,
	"ALTER TABLE revisions ADD COLUMN uses_media INTEGER NOT NULL "
	"  DEFAULT 0;"
	"UPDATE revisions SET uses_media = 1 WHERE body LIKE '%/media/%';"
	"CREATE INDEX revisions_uses_media ON revisions(page_id) "
	"  WHERE uses_media = 1;"
	"ALTER TABLE media ADD COLUMN uploader TEXT NOT NULL DEFAULT '';"
	"UPDATE media SET uploader = COALESCE((SELECT a.actor FROM "
	"  audit_log a WHERE a.action = 'media add' AND a.detail = "
	"  media.sha256 ORDER BY a.id LIMIT 1), '');"
	"CREATE INDEX pages_status ON pages(live, expired, "
	"  has_unpublished_changes, scheduled_revision_id, go_live_at);"
	"ALTER TABLE pages ADD COLUMN latest_title TEXT NOT NULL "
	"  DEFAULT '';"
	"UPDATE pages SET latest_title = COALESCE((SELECT r.title FROM "
	"  revisions r WHERE r.id = pages.latest_revision_id), '');" },
	/* decision 0240: the change each page row last had, deletions
	   included (page_id 0: a change that may touch any page), so a
	   snapshot kept in memory reads only what changed since; complete
	   from changes_from on; store_uid tells one store from another */
	{ 3,
	"CREATE TABLE page_changes("
	"  page_id INTEGER NOT NULL,"
	"  seq INTEGER NOT NULL,"
	"  PRIMARY KEY(page_id));"
	"CREATE INDEX page_changes_seq ON page_changes(seq);"
	"INSERT INTO meta SELECT 'changes_from', value FROM meta "
	"  WHERE key = 'change_seq';"
	"INSERT INTO meta VALUES('store_uid', 0);" },
	{ 0, NULL }
};

static const struct {
	const char *name;
	const struct store_migration *m;
} components[] = {
	{ "store", store_migrations },
	{ "queue", store_build_migrations },
	{ "users", store_user_migrations },
	{ "units", store_unit_migrations },
	{ "deployed", store_deployed_migrations },
};

static int
last_version(const struct store_migration *m)
{
	int last = 0;

	for (; m->sql; m++)
		last = m->version;
	return last;
}

/*
 * The version of each component the store holds (0: none); -1 when the
 * store cannot be read.  A store without schema_migrations is empty.
 */
static int
read_versions(struct store *st, int have[], struct buf *err)
{
	struct stmt *s = NULL;
	const char *sql = db_dialect(st->db) == DB_PG ?
	    "SELECT count(*) FROM information_schema.tables WHERE "
	    "table_schema = current_schema() AND table_name = "
	    "'schema_migrations'" :
	    "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND "
	    "name = 'schema_migrations'";
	int r, exists;

	for (size_t i = 0; i < NELEM(components); i++)
		have[i] = 0;
	if (store_prepare(st, sql, &s, err) == -1)
		return -1;
	r = stmt_step(s);
	exists = r == STMT_ROW ? stmt_col_int(s, 0) : 0;
	stmt_finalize(s);
	if (r != STMT_ROW)
		return store_sqlerr(st, "schema versions", err);
	if (!exists)
		return 0;
	for (size_t i = 0; i < NELEM(components); i++) {
		if (store_prepare(st, "SELECT COALESCE(MAX(version), 0) FROM "
		    "schema_migrations WHERE component = ?", &s, err) == -1)
			return -1;
		stmt_bind_text(s, 1, components[i].name);
		r = stmt_step(s);
		if (r == STMT_ROW)
			have[i] = stmt_col_int(s, 0);
		stmt_finalize(s);
		if (r != STMT_ROW)
			return store_sqlerr(st, "schema versions", err);
	}
	return 0;
}

int
sql_schema(struct store *st, struct store_schema *out, size_t *n,
    struct buf *err)
{
	int have[NELEM(components)];

	if (read_versions(st, have, err) == -1)
		return -1;
	for (size_t i = 0; i < NELEM(components) && i < *n; i++) {
		out[i].component = components[i].name;
		out[i].version = have[i];
		out[i].latest = last_version(components[i].m);
	}
	if (*n > NELEM(components))
		*n = NELEM(components);
	return 0;
}

static int
migrate_one(struct store *st, const char *component, int have,
    const struct store_migration *m, struct buf *err)
{
	struct stmt *s = NULL;

	for (; m->sql; m++) {
		if (m->version <= have)
			continue;
		if (db_exec_ddl(st->db, m->sql, err) == -1)
			return -1;
		if (store_prepare(st, "INSERT INTO schema_migrations VALUES "
		    "(?, ?, ?)", &s, err) == -1)
			return -1;
		stmt_bind_text(s, 1, component);
		stmt_bind_int(s, 2, m->version);
		stmt_bind_i64(s, 3, time_now());
		if (stmt_step(s) != STMT_DONE) {
			stmt_finalize(s);
			return store_sqlerr(st, "record migration", err);
		}
		stmt_finalize(s);
	}
	return 0;
}

/* newer than this binary: refused; 1 if migrations are pending */
static int
check_versions(struct store *st, const int have[], struct buf *err)
{
	int pending = 0;

	for (size_t i = 0; i < NELEM(components); i++) {
		int last = last_version(components[i].m);
		if (have[i] > last) {
			store_err_set(st, ERR_CONFLICT, NULL);
			buf_setf(err, "store: the store's schema is newer than "
			    "this kiln (%s version %d, this kiln knows up to "
			    "%d): use a newer kiln", components[i].name,
			    have[i], last);
			return -1;
		}
		if (have[i] < last)
			pending = 1;
	}
	return pending;
}

static bool
fresh(const int have[])
{
	for (size_t i = 0; i < NELEM(components); i++)
		if (have[i] != 0)
			return false;
	return true;
}

/* SQLite, before migrating: a copy beside the store named with the
   versions it holds (KILN.db.store-1.queue-2.bak) */
static int
backup_before(struct store *st, const int have[], struct buf *err)
{
	struct buf name = BUF_INIT;
	int rc;

	buf_adds(&name, st->path);
	for (size_t i = 0; i < NELEM(components); i++)
		buf_printf(&name, ".%s-%d", components[i].name, have[i]);
	buf_adds(&name, ".bak");
	rc = db_sqlite_backup(st->db, name.buf, err);
	buf_release(&name);
	return rc;
}

/*
 * Under the write transaction (and, on PostgreSQL, the migration lock):
 * read the versions again, then apply what is pending.
 */
static int
migrate_locked(struct store *st, int flags, struct buf *err)
{
	int have[NELEM(components)];
	int r;

	/* SQLite's backup reads outside the write transaction (it cannot
	   copy from a connection that is writing) */
	if (st->path && (flags & STORE_OPEN_BACKUP)) {
		if (read_versions(st, have, err) == -1)
			return -1;
		r = check_versions(st, have, err);
		if (r <= 0)
			return r;
		if (!fresh(have) && (flags & STORE_OPEN_MIGRATE) &&
		    backup_before(st, have, err) == -1)
			return -1;
	}
	if (store_tx_begin(st, err) == -1)
		return -1;
	if (read_versions(st, have, err) == -1)
		goto fail;
	r = check_versions(st, have, err);
	if (r <= 0) {
		store_tx_rollback(st);
		return r;
	}
	if (!fresh(have) && !(flags & STORE_OPEN_MIGRATE)) {
		store_err_set(st, ERR_CONFLICT, NULL);
		buf_setf(err, "store: the store's schema is older than this "
		    "kiln (migrations pending): run `kiln store migrate` "
		    "(or set store.auto_migrate: true)");
		goto fail;
	}
	if (store_exec(st, "CREATE TABLE IF NOT EXISTS schema_migrations("
	    "component TEXT NOT NULL, version INTEGER NOT NULL, "
	    "applied_at BIGINT NOT NULL, PRIMARY KEY(component, version))",
	    err) == -1)
		goto fail;
	for (size_t i = 0; i < NELEM(components); i++)
		if (migrate_one(st, components[i].name, have[i],
		    components[i].m, err) == -1)
			goto fail;
	if (store_uid_new(st, false, err) == -1)
		goto fail;
	return store_tx_commit(st, err);
fail:
	store_tx_rollback(st);
	return -1;
}

static int
migrate(struct store *st, int flags, struct buf *err)
{
	char sql[96];
	struct buf ignored = BUF_INIT;
	int rc;

	if (db_dialect(st->db) == DB_SQLITE)
		return migrate_locked(st, flags, err);
	/* two nodes starting at once: the second waits, then finds the
	   schema current */
	snprintf(sql, sizeof(sql), "SELECT pg_advisory_lock(%lld)",
	    (long long)DB_PG_MIGRATE_LOCK);
	if (store_exec(st, sql, err) == -1)
		return -1;
	rc = migrate_locked(st, flags, err);
	snprintf(sql, sizeof(sql), "SELECT pg_advisory_unlock(%lld)",
	    (long long)DB_PG_MIGRATE_LOCK);
	store_exec(st, sql, &ignored);
	buf_release(&ignored);
	return rc;
}

int
sql_migrate(struct store *st, struct buf *err)
{
	return migrate(st, STORE_OPEN_MIGRATE |
	    (st->path ? STORE_OPEN_BACKUP : 0), err);
}

/*
 * The schema check of every open: read the versions (a read, no write
 * lock: a daemon opens handles while a writer may hold the lock for
 * long); a fresh store is created, an older one migrated only with
 * STORE_OPEN_MIGRATE or refused, a newer one refused.
 */
int
store_schema_ready(struct store *st, int flags, struct buf *err)
{
	int have[NELEM(components)];
	int r;

	if (read_versions(st, have, err) == -1)
		return -1;
	if (flags & STORE_OPEN_NO_MIGRATE)
		return 0;	/* kiln store status: whatever is there */
	if ((r = check_versions(st, have, err)) == -1)
		return -1;
	if ((r == 1 || fresh(have)) && migrate(st, flags, err) == -1)
		return -1;
	return 0;
}
