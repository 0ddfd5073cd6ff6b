/* SPDX-License-Identifier: ISC */
/*
 * store_backup.c: backup and restore of a SQLite store with SQLite's
 * online backup API (store_backup.h).
 *
 * Backup: one sqlite3_backup_step(-1) copies every page inside one read
 * transaction of the source; in WAL mode writers go on meanwhile and the
 * copy is the store as of the moment the transaction began.  The copy is
 * switched to journal_mode=DELETE (one self-contained file), checked
 * with quick_check, synced and renamed into place.
 *
 * Restore: the file is checked (a SQLite file, kiln's tables, intact, no
 * schema newer than this binary's), then copied into the store with the
 * backup API the other way round: SQLite takes the store's write lock
 * for the copy, so connections of a running daemon see the whole old or
 * the whole restored store.  An older schema is migrated by the next
 * store_open(), as any store is.
 */
#include "common/compat.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <sqlite3.h>

#include "common/buf.h"
#include "common/xmalloc.h"
#include "store/store.h"
#include "store/store_backup.h"
#include "store/store_int.h"

#define BUSY_MS 30000

static int
open_db(const char *path, int flags, sqlite3 **db, struct buf *err)
{
	if (sqlite3_open_v2(path, db, flags, NULL) != SQLITE_OK) {
		buf_setf(err, "cannot open '%s': %s", path, *db ?
		    sqlite3_errmsg(*db) : "out of memory");
		sqlite3_close(*db);
		*db = NULL;
		return -1;
	}
	sqlite3_busy_timeout(*db, BUSY_MS);
	return 0;
}

/* the first column of the first row of SQL as an integer; -1 on error */
static int64_t
query_int(sqlite3 *db, const char *sql, const char *arg)
{
	sqlite3_stmt *s = NULL;
	int64_t v = -1;

	if (sqlite3_prepare_v2(db, sql, -1, &s, NULL) != SQLITE_OK)
		return -1;
	if (arg)
		sqlite3_bind_text(s, 1, arg, -1, SQLITE_STATIC);
	if (sqlite3_step(s) == SQLITE_ROW)
		v = sqlite3_column_int64(s, 0);
	sqlite3_finalize(s);
	return v;
}

static int
component_version(sqlite3 *db, const char *component)
{
	return (int)query_int(db, "SELECT COALESCE(MAX(version), 0) FROM "
	    "schema_migrations WHERE component = ?", component);
}

/* what a store at DB holds; -1 with ERR when it is not a kiln store */
static int
describe(sqlite3 *db, const char *name, struct store_backup_info *info,
    struct buf *err)
{
	memset(info, 0, sizeof(*info));
	if (query_int(db, "SELECT count(*) FROM sqlite_master", NULL) < 0) {
		buf_setf(err, "'%s' is not a SQLite database: %s", name,
		    sqlite3_errmsg(db));
		return -1;
	}
	if (query_int(db, "SELECT count(*) FROM sqlite_master WHERE type = "
	    "'table' AND name IN ('schema_migrations', 'meta', 'pages', "
	    "'builds')", NULL) != 4) {
		buf_setf(err, "'%s' is not a kiln store (no schema_migrations, "
		    "meta, pages and builds tables)", name);
		return -1;
	}
	info->store_version = component_version(db, "store");
	info->queue_version = component_version(db, "queue");
	info->pages = query_int(db, "SELECT count(*) FROM pages", NULL);
	info->builds = query_int(db, "SELECT count(*) FROM builds", NULL);
	info->change_seq = query_int(db, "SELECT value FROM meta WHERE key = "
	    "'change_seq'", NULL);
	if (info->store_version <= 0 || info->queue_version <= 0 ||
	    info->pages < 0 || info->builds < 0) {
		buf_setf(err, "'%s' is not a kiln store (its schema versions "
		    "cannot be read)", name);
		return -1;
	}
	return 0;
}

static int
quick_check(sqlite3 *db, const char *name, struct buf *err)
{
	sqlite3_stmt *s = NULL;
	const char *r;
	int rc = -1;

	if (sqlite3_prepare_v2(db, "PRAGMA quick_check", -1, &s, NULL) !=
	    SQLITE_OK || sqlite3_step(s) != SQLITE_ROW) {
		buf_setf(err, "'%s': integrity check failed: %s", name,
		    sqlite3_errmsg(db));
		goto out;
	}
	r = (const char *)sqlite3_column_text(s, 0);
	if (!r || strcmp(r, "ok") != 0) {
		buf_setf(err, "'%s' is damaged: %s", name, r ? r : "?");
		goto out;
	}
	rc = 0;
out:
	sqlite3_finalize(s);
	return rc;
}

/* the schema versions of this binary (store_schema's latest) */
static int
binary_versions(int *store_v, int *queue_v, struct buf *err)
{
	struct store_schema sc[8];
	struct store *st = NULL;
	size_t n = sizeof(sc) / sizeof(sc[0]);

	*store_v = *queue_v = 0;
	if (store_open("sqlite", ":memory:", &st, err) == -1)
		return -1;
	if (store_schema(st, sc, &n, err) == -1) {
		store_close(st);
		return -1;
	}
	for (size_t i = 0; i < n; i++) {
		if (!strcmp(sc[i].component, "store"))
			*store_v = sc[i].latest;
		else if (!strcmp(sc[i].component, "queue"))
			*queue_v = sc[i].latest;
	}
	store_close(st);
	return 0;
}

/* copy every page of SRC into DST in one step */
static int
copy_db(sqlite3 *dst, sqlite3 *src, const char *what, struct buf *err)
{
	sqlite3_backup *b;
	int r;

	if (!(b = sqlite3_backup_init(dst, "main", src, "main"))) {
		buf_setf(err, "%s: %s", what, sqlite3_errmsg(dst));
		return -1;
	}
	/* BUSY/LOCKED: another connection holds a lock; the busy
	   handler does not cover the backup step, so wait here */
	for (int waited = 0; ; waited += 50) {
		r = sqlite3_backup_step(b, -1);
		if ((r != SQLITE_BUSY && r != SQLITE_LOCKED) ||
		    waited >= BUSY_MS)
			break;
		sqlite3_sleep(50);
	}
	sqlite3_backup_finish(b);
	if (r != SQLITE_DONE) {
		buf_setf(err, "%s: %s", what, sqlite3_errstr(r));
		return -1;
	}
	return 0;
}

int
store_backup_check(const char *file, struct store_backup_info *info,
    struct buf *err)
{
	sqlite3 *db = NULL;
	char head[16];
	int fd, store_v, queue_v, rc = -1;
	ssize_t n;

	/* a SQLite file at all: never let sqlite create or touch one */
	if ((fd = open(file, O_RDONLY | O_CLOEXEC)) == -1) {
		buf_setf(err, "cannot open '%s': %s", file, strerror(errno));
		return -1;
	}
	n = read(fd, head, sizeof(head));
	close(fd);
	if (n != (ssize_t)sizeof(head) ||
	    memcmp(head, "SQLite format 3", 16) != 0) {
		buf_setf(err, "'%s' is not a kiln store backup (not a SQLite "
		    "database file)", file);
		return -1;
	}
	if (open_db(file, SQLITE_OPEN_READONLY, &db, err) == -1)
		return -1;
	if (describe(db, file, info, err) == -1 ||
	    quick_check(db, file, err) == -1 ||
	    binary_versions(&store_v, &queue_v, err) == -1)
		goto out;
	if (info->store_version > store_v || info->queue_version > queue_v) {
		buf_setf(err, "'%s' was made by a newer kiln (schema store %d, "
		    "queue %d; this kiln knows store %d, queue %d)", file,
		    info->store_version, info->queue_version, store_v,
		    queue_v);
		goto out;
	}
	rc = 0;
out:
	sqlite3_close(db);
	return rc;
}

int
store_backup(const char *dbpath, const char *file, bool overwrite,
    struct store_backup_info *info, struct buf *err)
{
	sqlite3 *src = NULL, *dst = NULL;
	struct stat sb;
	char *tmp = NULL;
	int fd = -1, rc = -1;

	if (!overwrite && lstat(file, &sb) == 0) {
		buf_setf(err, "'%s' exists; give --force to replace it", file);
		return -1;
	}
	if (stat(dbpath, &sb) == -1) {
		buf_setf(err, "no store at '%s': %s", dbpath, strerror(errno));
		return -1;
	}
	if (open_db(dbpath, SQLITE_OPEN_READWRITE, &src, err) == -1)
		goto out;
	tmp = xasprintf("%s.tmp-XXXXXX", file);
	if ((fd = mkstemp(tmp)) == -1) {
		buf_setf(err, "cannot create '%s': %s", tmp, strerror(errno));
		free(tmp);
		tmp = NULL;
		goto out;
	}
	if (open_db(tmp, SQLITE_OPEN_READWRITE, &dst, err) == -1 ||
	    copy_db(dst, src, "backup", err) == -1)
		goto out;
	/* one self-contained file: no -wal beside it */
	if (sqlite3_exec(dst, "PRAGMA journal_mode=DELETE", NULL, NULL,
	    NULL) != SQLITE_OK) {
		buf_setf(err, "backup: %s", sqlite3_errmsg(dst));
		goto out;
	}
	if (describe(dst, file, info, err) == -1 ||
	    quick_check(dst, file, err) == -1)
		goto out;
	sqlite3_close(dst);
	dst = NULL;
	if (fsync(fd) == -1 || rename(tmp, file) == -1) {
		buf_setf(err, "cannot write '%s': %s", file, strerror(errno));
		goto out;
	}
	free(tmp);
	tmp = NULL;
	rc = 0;
out:
	sqlite3_close(dst);
	sqlite3_close(src);
	if (fd != -1)
		close(fd);
	if (tmp) {
		unlink(tmp);
		free(tmp);
	}
	return rc;
}

/*
 * *SRC (the backup) copied into memory with a store_uid of its own: a
 * running daemon's kept snapshot of the store (decision 0240) sees
 * another store, not older content with the same name, and reads it all.
 */
static int
fresh_uid(sqlite3 **src, struct buf *err)
{
	sqlite3 *mem = NULL;
	uint64_t r = 0;
	char sql[96];

	if (open_db(":memory:", SQLITE_OPEN_READWRITE, &mem, err) == -1)
		return -1;
	if (copy_db(mem, *src, "restore", err) == -1) {
		sqlite3_close(mem);
		return -1;
	}
	if (getrandom(&r, sizeof(r), 0) != (ssize_t)sizeof(r))
		r = (uint64_t)time(NULL) ^ (uint64_t)getpid() << 32;
	snprintf(sql, sizeof(sql), "UPDATE meta SET value = %lld WHERE key = "
	    "'store_uid'", (long long)((r >> 2) | 1));
	if (sqlite3_exec(mem, sql, NULL, NULL, NULL) != SQLITE_OK) {
		buf_setf(err, "restore: %s", sqlite3_errmsg(mem));
		sqlite3_close(mem);
		return -1;
	}
	sqlite3_close(*src);
	*src = mem;
	return 0;
}

int
store_restore(const char *file, const char *dbpath, bool force,
    struct store_backup_info *info, struct buf *err)
{
	struct store_backup_info cur;
	sqlite3 *src = NULL, *dst = NULL;
	struct buf e2 = BUF_INIT;
	struct store *st = NULL;
	struct stat sb;
	int rc = -1;

	if (store_backup_check(file, info, err) == -1)
		return -1;
	if (stat(dbpath, &sb) == 0) {
		if (open_db(dbpath, SQLITE_OPEN_READWRITE, &dst, err) == -1)
			goto out;
		if (describe(dst, dbpath, &cur, &e2) == 0 && !force &&
		    (cur.pages > 0 || cur.builds > 0)) {
			buf_setf(err, "the store '%s' holds %lld pages and "
			    "%lld builds; give --force to replace it with "
			    "'%s'", dbpath, (long long)cur.pages,
			    (long long)cur.builds, file);
			goto out;
		}
		if (!force && sb.st_size > 0 && describe(dst, dbpath, &cur,
		    &e2) == -1 && query_int(dst, "SELECT count(*) FROM "
		    "sqlite_master", NULL) != 0) {
			buf_setf(err, "'%s' is not an empty kiln store (%s); "
			    "give --force to replace it", dbpath, e2.buf);
			goto out;
		}
	} else if (open_db(dbpath, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE,
	    &dst, err) == -1)
		goto out;
	if (open_db(file, SQLITE_OPEN_READONLY, &src, err) == -1 ||
	    fresh_uid(&src, err) == -1 ||
	    copy_db(dst, src, "restore", err) == -1)
		goto out;
	sqlite3_close(dst);
	dst = NULL;
	/* open it as kiln does: WAL again, an older schema migrated */
	if (store_open("sqlite", dbpath, &st, err) == -1)
		goto out;
	rc = 0;
out:
	store_close(st);
	sqlite3_close(src);
	sqlite3_close(dst);
	buf_release(&e2);
	return rc;
}
