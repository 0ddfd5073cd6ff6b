/* SPDX-License-Identifier: ISC */
/*
 * db.h: the store's statement layer (decision 0140), private to
 * src/store/.  One connection (struct db) and its statements (struct
 * stmt) over SQLite (db_sqlite.c) or PostgreSQL (db_pg.c); no sqlite3 or
 * libpq type leaves those two files.  The store's SQL is written once,
 * with `?` or `?N` placeholders; for PostgreSQL db_prepare() rewrites
 * them to `$N` and maps the few words that differ (group_concat,
 * instr).  DDL goes through db_exec_ddl(), which maps INTEGER to BIGINT,
 * INTEGER PRIMARY KEY to an identity column and BLOB to BYTEA.
 *
 *	stmt_step()	STMT_ROW, STMT_DONE, or -1 (db_errmsg, db_errkind)
 *	stmt_col_text()	NULL for NULL; valid until the next step
 *	stmt_bind_*()	1-based; the value is copied
 */
#ifndef KILN_STORE_DB_H
#define KILN_STORE_DB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/error.h"

struct buf;

enum db_dialect {
	DB_SQLITE,
	DB_PG,
};

#define STMT_DONE	0
#define STMT_ROW	1

struct db;
struct stmt;

/* what a backend of the statement layer provides (db_sqlite.c, db_pg.c) */
struct db_ops {
	enum db_dialect dialect;
	void (*close)(struct db *db);
	int (*exec)(struct db *db, const char *sql);
	int (*prepare)(struct db *db, const char *sql, struct stmt **out);
	void (*bind_i64)(struct stmt *s, int i, int64_t v);
	void (*bind_text)(struct stmt *s, int i, const char *v);
	void (*bind_blob)(struct stmt *s, int i, const void *v, size_t len);
	void (*bind_null)(struct stmt *s, int i);
	int (*step)(struct stmt *s);
	bool (*col_null)(struct stmt *s, int i);
	int (*col_count)(struct stmt *s);
	int64_t (*col_i64)(struct stmt *s, int i);
	double (*col_double)(struct stmt *s, int i);
	const char *(*col_text)(struct stmt *s, int i);
	const void *(*col_blob)(struct stmt *s, int i, size_t *len);
	void (*reset)(struct stmt *s);
	void (*finalize)(struct stmt *s);
	int64_t (*changes)(struct db *db);
	bool (*in_tx)(struct db *db);
	/* NULL where the backend has no notifications (SQLite) */
	int (*listen)(struct db *db, const char *channel);
	int (*wait)(struct db *db, int ms);
};

/* the first member of every backend's connection */
struct db {
	const struct db_ops *ops;
	enum err_kind kind;	/* of the last error */
	char *errmsg;		/* of the last error, owned */
	bool fail;		/* tests: every statement fails */
};

/* the first member of every backend's statement */
struct stmt {
	struct db *db;
};

int db_open_sqlite(const char *path, struct db **out, struct buf *err);
/* CONNINFO: a libpq URL or key=value string; PASSWORD may be NULL */
int db_open_pg(const char *conninfo, const char *password,
    bool allow_password, struct db **out, struct buf *err);
void db_close(struct db *db);
/* SQLite: a consistent copy of SRC in the file DEST (online backup) */
int db_sqlite_backup(struct db *src, const char *dest, struct buf *err);
enum db_dialect db_dialect(const struct db *db);
const char *db_errmsg(const struct db *db);
enum err_kind db_errkind(const struct db *db);
/* set the last error (backends) */
void db_seterr(struct db *db, enum err_kind kind, const char *msg);

/* one or more statements without parameters or rows */
int db_exec(struct db *db, const char *sql, struct buf *err);
/* schema SQL written for SQLite, mapped for the dialect */
int db_exec_ddl(struct db *db, const char *sql, struct buf *err);
int db_prepare(struct db *db, const char *sql, struct stmt **out,
    struct buf *err);
/* rows changed by the last statement that finished */
int64_t db_changes(struct db *db);
/*
 * Notifications (PostgreSQL LISTEN/NOTIFY): db_listen() 1 when the
 * backend has none; db_wait() 1 when one arrived within MS (all pending
 * are consumed), 0 when not, -1 on a broken connection.
 */
int db_listen(struct db *db, const char *channel, struct buf *err);
int db_wait(struct db *db, int ms);
/* inside an explicit transaction? (a retry after reconnect is not safe) */
bool db_in_tx(struct db *db);
/*
 * BEGIN for writing: SQLite's BEGIN IMMEDIATE; on PostgreSQL BEGIN and
 * a transaction-scoped advisory lock, so writers serialise as they do on
 * SQLite (decision 0141).  For reading: one snapshot (REPEATABLE READ).
 */
int db_begin(struct db *db, bool write, struct buf *err);

void stmt_bind_i64(struct stmt *s, int i, int64_t v);
void stmt_bind_int(struct stmt *s, int i, int v);
void stmt_bind_text(struct stmt *s, int i, const char *v);
void stmt_bind_blob(struct stmt *s, int i, const void *v, size_t len);
void stmt_bind_null(struct stmt *s, int i);
int stmt_step(struct stmt *s);
bool stmt_col_null(struct stmt *s, int i);
/* columns of the current row's statement */
int stmt_col_count(struct stmt *s);
int64_t stmt_col_i64(struct stmt *s, int i);
int stmt_col_int(struct stmt *s, int i);
double stmt_col_double(struct stmt *s, int i);
const char *stmt_col_text(struct stmt *s, int i);
const void *stmt_col_blob(struct stmt *s, int i, size_t *len);
/* run again with new bindings */
void stmt_reset(struct stmt *s);
void stmt_finalize(struct stmt *s);

/* the advisory lock key every writer takes on PostgreSQL */
#define DB_PG_WRITE_LOCK	0x6b696c6eLL	/* "kiln" */
/* the one the migrations take */
#define DB_PG_MIGRATE_LOCK	0x6b696c6dLL

#endif
