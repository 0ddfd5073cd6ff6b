/* SPDX-License-Identifier: ISC */
/*
 * store_backend.h: what a store backend provides.  store_open() picks a
 * backend's table of functions by store.driver (decision 0105); SQLite
 * (store_sqlite.c) is the first, PostgreSQL the next.  Nothing here names
 * a database type: a backend's own header (store_int.h for SQLite) holds
 * its struct store, whose first member is a struct store_base.
 */
#ifndef KILN_STORE_BACKEND_H
#define KILN_STORE_BACKEND_H

#include "common/error.h"

struct buf;
struct store;

struct store_ops {
	const char *driver;		/* store.driver: "sqlite", ... */
	/* NULL when the backend is built in; else why it is not */
	const char *missing;
	/* URL: a path for SQLite, a conninfo for PostgreSQL */
	int (*open)(const char *url, struct store **out, struct buf *err);
	void (*close)(struct store *st);
	/* nestable BEGIN IMMEDIATE / COMMIT; rollback undoes the outermost */
	int (*begin)(struct store *st, struct buf *err);
	int (*commit)(struct store *st, struct buf *err);
	void (*rollback)(struct store *st);
};

/* the first member of every backend's struct store */
struct store_base {
	const struct store_ops *ops;
	enum err_kind kind;		/* of the last error (store_err_kind) */
};

extern const struct store_ops store_sqlite_ops;

#endif
