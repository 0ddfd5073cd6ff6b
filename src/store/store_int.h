/* SPDX-License-Identifier: ISC */
/*
 * store_int.h: what the store's files share (store_sqlite.c, and
 * store_build.c, which holds the build queue's tables and SQL).
 */
#ifndef KILN_STORE_INT_H
#define KILN_STORE_INT_H

#include <sqlite3.h>

#include <jansson.h>

#include "common/error.h"
#include "store/store_backend.h"

struct buf;
struct page_info;

struct store {
	struct store_base base;	/* first: ops and error kind */
	sqlite3 *db;
	char *path;
	int in_tx;		/* nesting depth of store_tx_begin */
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
/*
 * The bookkeeping of one change, inside the caller's transaction: bump
 * the sequence, audit, and (REASON non-NULL) request a build.
 */
int store_changed(struct store *st, const char *actor, const char *action,
    int64_t page_id, const char *path, const char *detail,
    const char *reason, struct buf *err);

/* column helpers (store_sqlite.c); strings and JSON returned are owned */
void store_bind_time(sqlite3_stmt *s, int i, int64_t t);
char *store_col_str(sqlite3_stmt *s, int i);	/* NULL for NULL */
char *store_col_str0(sqlite3_stmt *s, int i);	/* "" for NULL */
/* JSON text S as an array or object; an empty one if it is not */
json_t *store_json_of(const char *s, bool array);
json_t *store_col_json(sqlite3_stmt *s, int i, bool array);

/* pages (store_page.c), for the scheduler's queries */
#define PAGE_COLS							\
	"p.id, p.path, pp.path, p.section, p.slug, p.template, p.weight, "	\
	"r.title, p.live, p.has_unpublished_changes, p.expired, "	\
	"p.first_published_at, p.last_published_at, p.live_revision_id, " \
	"p.latest_revision_id, p.scheduled_revision_id, p.go_live_at, "	\
	"p.expire_at, p.created_at, p.updated_at, lr.title "		\
	"FROM pages p LEFT JOIN pages pp ON pp.id = p.parent_id "	\
	"LEFT JOIN revisions r ON r.id = p.latest_revision_id "		\
	"LEFT JOIN revisions lr ON lr.id = p.live_revision_id "
void store_read_page(sqlite3_stmt *s, struct page_info *p);
/* run one UPDATE/DELETE with int64 parameters (0 binds NULL if nullz) */
int store_exec_i64(struct store *st, const char *sql, struct buf *err,
    int n, ...);
/* make REV live now, inside a transaction */
int store_make_live(struct store *st, const struct page_info *p,
    int64_t rev, int64_t now, struct buf *err);

#endif
