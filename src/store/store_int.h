/* SPDX-License-Identifier: ISC */
/*
 * store_int.h: what the store's files share (store_sqlite.c, and
 * store_build.c, which holds the build queue's tables and SQL).
 */
#ifndef KILN_STORE_INT_H
#define KILN_STORE_INT_H

#include <sqlite3.h>

#include "common/error.h"

struct buf;

struct store {
	sqlite3 *db;
	char *path;
	int in_tx;		/* nesting depth of store_tx_begin */
	enum err_kind kind;	/* of the last error (store_err_kind) */
	char **reserved;	/* top-level names of static/ (store_paths.c) */
	size_t nreserved;
};

/* one schema step of a component; arrays end with { 0, NULL } */
struct store_migration {
	int version;
	const char *sql;
};

extern const struct store_migration store_build_migrations[];

sqlite3 *store_db(struct store *st);
int store_sqlerr(struct store *st, const char *what, struct buf *err);
int store_exec(struct store *st, const char *sql, struct buf *err);
int store_prepare(struct store *st, const char *sql, sqlite3_stmt **stmt,
    struct buf *err);
/* nestable BEGIN IMMEDIATE / COMMIT; rollback undoes the outermost */
int store_tx_begin(struct store *st, struct buf *err);
int store_tx_commit(struct store *st, struct buf *err);
void store_tx_rollback(struct store *st);
/* the names store_open_conf() reserves; freed by store_close() */
void store_reserve_static(struct store *st, const char *static_dir);
void store_reserved_free(struct store *st);
/* bump the change sequence inside a transaction */
int store_bump_seq(struct store *st, int64_t *seq, struct buf *err);

#endif
