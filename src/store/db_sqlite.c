/* SPDX-License-Identifier: ISC */
/*
 * db_sqlite.c: the statement layer on SQLite (db.h).  WAL mode and a
 * busy timeout let the CLI, a daemon and its worker share one file.
 *
 * Prepared statements are kept (issue #19): a finalized statement is
 * reset and parked in a small table keyed by its SQL text, and the next
 * db_prepare() of the same text takes it back instead of parsing and
 * planning it again, which was over half of an import's CPU time.  One
 * statement per slot; a statement in use is never shared (a second
 * prepare of the same text while the first is out gets a fresh one).
 * Parked statements are reset, so they hold no lock or read snapshot.
 */
#include "common/compat.h"

#include <sqlite3.h>

#include "common/buf.h"
#include "common/xmalloc.h"
#include "store/db.h"

#define STMT_CACHE	128	/* slots of parked statements */

struct db_sqlite {
	struct db base;
	sqlite3 *h;
	sqlite3_stmt *cache[STMT_CACHE];	/* parked, reset; or NULL */
};

struct stmt_sqlite {
	struct stmt base;
	sqlite3_stmt *h;
};

static sqlite3 *
H(struct db *db)
{
	return ((struct db_sqlite *)db)->h;
}

static sqlite3_stmt *
S(struct stmt *s)
{
	return ((struct stmt_sqlite *)s)->h;
}

static enum err_kind
kind_of(sqlite3 *h)
{
	int code = sqlite3_errcode(h), ext = sqlite3_extended_errcode(h);

	if (code == SQLITE_BUSY || code == SQLITE_LOCKED)
		return ERR_UNAVAILABLE;
	if (ext == SQLITE_CONSTRAINT_UNIQUE ||
	    ext == SQLITE_CONSTRAINT_PRIMARYKEY)
		return ERR_CONFLICT;
	return ERR_INTERNAL;
}

static void
seterr(struct db *db)
{
	db_seterr(db, kind_of(H(db)), sqlite3_errmsg(H(db)));
}

/*
 * The cache slot of SQL text S: a hash of it eight bytes at a time
 * (FNV-1a byte by byte cost 4% of a large import: the texts are long,
 * and a slot is looked up for every statement run).
 */
static sqlite3_stmt **
slot_of(struct db *db, const char *s)
{
	size_t n = strlen(s), i;
	uint64_t h = 0x9e3779b97f4a7c15u ^ n, w;

	for (i = 0; i + 8 <= n; i += 8) {
		memcpy(&w, s + i, 8);
		h = (h ^ w) * 0x100000001b3u;
		h ^= h >> 29;
	}
	for (; i < n; i++)
		h = (h ^ (unsigned char)s[i]) * 0x100000001b3u;
	h ^= h >> 32;
	return &((struct db_sqlite *)db)->cache[h % STMT_CACHE];
}

static void
cache_clear(struct db *db)
{
	struct db_sqlite *d = (struct db_sqlite *)db;

	for (size_t i = 0; i < STMT_CACHE; i++) {
		sqlite3_finalize(d->cache[i]);
		d->cache[i] = NULL;
	}
}

static void
s_close(struct db *db)
{
	cache_clear(db);
	if (H(db))
		sqlite3_close_v2(H(db));
	free(db->errmsg);
	free(db);
}

static int
s_exec(struct db *db, const char *sql)
{
	char *msg = NULL;

	if (sqlite3_exec(H(db), sql, NULL, NULL, &msg) != SQLITE_OK) {
		db_seterr(db, kind_of(H(db)), msg);
		sqlite3_free(msg);
		return -1;
	}
	return 0;
}

static int
s_prepare(struct db *db, const char *sql, struct stmt **out)
{
	struct stmt_sqlite *s = xcalloc(1, sizeof(*s));
	sqlite3_stmt **slot = slot_of(db, sql);

	s->base.db = db;
	if (*slot && !strcmp(sqlite3_sql(*slot), sql)) {
		s->h = *slot;
		*slot = NULL;
		*out = &s->base;
		return 0;
	}
	if (sqlite3_prepare_v2(H(db), sql, -1, &s->h, NULL) != SQLITE_OK) {
		seterr(db);
		sqlite3_finalize(s->h);
		free(s);
		return -1;
	}
	*out = &s->base;
	return 0;
}

static void
s_bind_i64(struct stmt *s, int i, int64_t v)
{
	sqlite3_bind_int64(S(s), i, v);
}

static void
s_bind_text(struct stmt *s, int i, const char *v)
{
	sqlite3_bind_text(S(s), i, v, -1, SQLITE_TRANSIENT);
}

static void
s_bind_blob(struct stmt *s, int i, const void *v, size_t len)
{
	sqlite3_bind_blob64(S(s), i, v, len, SQLITE_TRANSIENT);
}

static void
s_bind_null(struct stmt *s, int i)
{
	sqlite3_bind_null(S(s), i);
}

static int
s_step(struct stmt *s)
{
	int r = sqlite3_step(S(s));

	if (r == SQLITE_ROW)
		return STMT_ROW;
	if (r == SQLITE_DONE)
		return STMT_DONE;
	seterr(s->db);
	return -1;
}

static bool
s_col_null(struct stmt *s, int i)
{
	return sqlite3_column_type(S(s), i) == SQLITE_NULL;
}

static int
s_col_count(struct stmt *s)
{
	return sqlite3_column_count(S(s));
}

static int64_t
s_col_i64(struct stmt *s, int i)
{
	return sqlite3_column_int64(S(s), i);
}

static double
s_col_double(struct stmt *s, int i)
{
	return sqlite3_column_double(S(s), i);
}

static const char *
s_col_text(struct stmt *s, int i)
{
	return (const char *)sqlite3_column_text(S(s), i);
}

static const void *
s_col_blob(struct stmt *s, int i, size_t *len)
{
	const void *v = sqlite3_column_blob(S(s), i);

	*len = (size_t)sqlite3_column_bytes(S(s), i);
	return v;
}

static void
s_reset(struct stmt *s)
{
	sqlite3_reset(S(s));
	sqlite3_clear_bindings(S(s));
}

/* park S's statement in its slot (the one there before is finalized) */
static void
s_finalize(struct stmt *s)
{
	sqlite3_stmt *h = S(s), **slot;
	const char *sql = h ? sqlite3_sql(h) : NULL;
	struct db *db = s->db;

	free(s);
	if (!sql) {
		sqlite3_finalize(h);
		return;
	}
	sqlite3_reset(h);
	sqlite3_clear_bindings(h);
	slot = slot_of(db, sql);
	sqlite3_finalize(*slot);
	*slot = h;
}

static int64_t
s_changes(struct db *db)
{
	return sqlite3_changes(H(db));
}

static bool
s_in_tx(struct db *db)
{
	return !sqlite3_get_autocommit(H(db));
}

static const struct db_ops sqlite_db_ops = {
	.dialect = DB_SQLITE,
	.close = s_close,
	.exec = s_exec,
	.prepare = s_prepare,
	.bind_i64 = s_bind_i64,
	.bind_text = s_bind_text,
	.bind_blob = s_bind_blob,
	.bind_null = s_bind_null,
	.step = s_step,
	.col_null = s_col_null,
	.col_count = s_col_count,
	.col_i64 = s_col_i64,
	.col_double = s_col_double,
	.col_text = s_col_text,
	.col_blob = s_col_blob,
	.reset = s_reset,
	.finalize = s_finalize,
	.changes = s_changes,
	.in_tx = s_in_tx,
};

int
db_open_sqlite(const char *path, struct db **out, struct buf *err)
{
	struct db_sqlite *db = xcalloc(1, sizeof(*db));

	*out = NULL;
	db->base.ops = &sqlite_db_ops;
	if (sqlite3_open_v2(path, &db->h, SQLITE_OPEN_READWRITE |
	    SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, NULL) != SQLITE_OK) {
		buf_setf(err, "store: cannot open '%s': %s", path,
		    db->h ? sqlite3_errmsg(db->h) : "out of memory");
		s_close(&db->base);
		return -1;
	}
	sqlite3_busy_timeout(db->h, 30000);
	if (db_exec(&db->base, "PRAGMA journal_mode=WAL; "
	    "PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;", err) == -1) {
		s_close(&db->base);
		return -1;
	}
	*out = &db->base;
	return 0;
}

/*
 * Copy the database at SRC to DEST with SQLite's online backup API (a
 * consistent copy while others write).
 */
int
db_sqlite_backup(struct db *src, const char *dest, struct buf *err)
{
	sqlite3 *to = NULL;
	sqlite3_backup *b;
	int rc = -1;

	if (sqlite3_open(dest, &to) != SQLITE_OK) {
		buf_setf(err, "store: cannot create backup '%s': %s", dest,
		    to ? sqlite3_errmsg(to) : "out of memory");
		goto out;
	}
	b = sqlite3_backup_init(to, "main", H(src), "main");
	if (!b) {
		buf_setf(err, "store: backup '%s': %s", dest,
		    sqlite3_errmsg(to));
		goto out;
	}
	while (sqlite3_backup_step(b, -1) == SQLITE_OK)
		;
	if (sqlite3_backup_finish(b) != SQLITE_OK) {
		buf_setf(err, "store: backup '%s': %s", dest,
		    sqlite3_errmsg(to));
		goto out;
	}
	rc = 0;
out:
	sqlite3_close(to);
	return rc;
}
