/* SPDX-License-Identifier: ISC */
/*
 * store_int.h: what the store's files share (store_sql.c, store_page.c,
 * store_build.c, ...).  The store's SQL is written once over the
 * statement layer (db.h) and runs on SQLite or PostgreSQL; no database
 * library's type appears here (decision 0140).
 */
#ifndef KILN_STORE_INT_H
#define KILN_STORE_INT_H

#include <jansson.h>

#include "common/error.h"
#include "store/db.h"
#include "store/store_backend.h"

/* the forward declarations are store_backend.h's */

struct store {
	struct store_base base;	/* first: ops and error kind */
	struct db *db;		/* the connection (db.h) */
	char *path;		/* SQLite: the file; PostgreSQL: NULL */
	int in_tx;		/* nesting depth of store_tx_begin */
	char **reserved;	/* top-level names of static/ (store_paths.c) */
	size_t nreserved;
	/* the site has a staging target: a draft saved requests a
	   staging build (store_open_conf; decision 0281) */
	bool staging;
};

/* one schema step of a component; arrays end with { 0, NULL } */
struct store_migration {
	int version;
	const char *sql;
};

extern const struct store_migration store_build_migrations[];
extern const struct store_migration store_user_migrations[];
extern const struct store_migration store_unit_migrations[];
extern const struct store_migration store_deployed_migrations[];

/* the LISTEN/NOTIFY channel of build requests (PostgreSQL) */
#define STORE_CHANNEL	"kiln_queue"
int sql_migrate(struct store *st, struct buf *err);
/* the schema check of every open (store_schema.c) */
int store_schema_ready(struct store *st, int flags, struct buf *err);
int sql_schema(struct store *st, struct store_schema *out, size_t *n,
    struct buf *err);
int store_sqlerr(struct store *st, const char *what, struct buf *err);
/* "(?, ?, ...)" with N marks appended to SQL: a row or an IN list */
void store_sql_marks(struct buf *sql, size_t n);
/*
 * The one integer SQL (one "?" for PATH) selects of the page at PATH into
 * *V: 0, 1 when there is no such page (*V 0), -1 with err.
 */
int store_page_i64_at(struct store *st, const char *sql, const char *path,
    int64_t *v, struct buf *err);
/* the id of the page at canonical CP: store_page_i64_at() of its id */
int store_page_id_at(struct store *st, const char *cp, int64_t *id,
    struct buf *err);
int store_exec(struct store *st, const char *sql, struct buf *err);
int store_prepare(struct store *st, const char *sql, struct stmt **stmt,
    struct buf *err);
/*
 * The one way to give a statement a PostgreSQL-only text (decision 0171):
 * PG_SQL on PostgreSQL, SQL on SQLite, same placeholders and columns.
 * For words SQLite lacks and cannot map (FOR UPDATE SKIP LOCKED).
 */
int store_prepare_pg(struct store *st, const char *sql, const char *pg_sql,
    struct stmt **stmt, struct buf *err);
/* nestable BEGIN IMMEDIATE / COMMIT; rollback undoes the outermost */
int store_tx_begin(struct store *st, struct buf *err);
int store_tx_commit(struct store *st, struct buf *err);
void store_tx_rollback(struct store *st);
/* commit if RC is 0, else roll back: the commit's result, or RC */
int store_tx_end(struct store *st, int rc, struct buf *err);
/* the names store_open_conf() reserves; freed by store_close() */
void store_reserve_static(struct store *st, const char *static_dir);
void store_reserved_free(struct store *st);
/* bump the change sequence inside a transaction */
int store_bump_seq(struct store *st, int64_t *seq, struct buf *err);
/*
 * Inside a write transaction: a fresh random store_uid (ALWAYS, or only
 * where it is still 0), so that a snapshot kept in memory is never
 * brought up to date from another store's changes (decision 0240).
 */
int store_uid_new(struct store *st, bool always, struct buf *err);
/* the same, and the page changes complete from now on (a copied store) */
int store_changes_restart(struct store *st, struct buf *err);
/*
 * The bookkeeping of one change, inside the caller's transaction: bump
 * the sequence, audit, and (REASON non-NULL) request a build.
 */
int store_changed(struct store *st, const char *actor, const char *action,
    int64_t page_id, const char *path, const char *detail,
    const char *reason, struct buf *err);
/*
 * The same for a change only the latest revisions show (a draft saved):
 * REASON requests a staging build when the store's site has a staging
 * target, else none (decision 0281).
 */
int store_changed_draft(struct store *st, const char *actor,
    const char *action, int64_t page_id, const char *path,
    const char *detail, const char *reason, struct buf *err);

/* column helpers (store_sql.c); strings and JSON returned are owned */
void store_bind_time(struct stmt *s, int i, int64_t t);
char *store_col_str(struct stmt *s, int i);	/* NULL for NULL */
char *store_col_str0(struct stmt *s, int i);	/* "" for NULL */
/* JSON text S as an array or object; an empty one if it is not */
json_t *store_json_of(const char *s, bool array);
json_t *store_col_json(struct stmt *s, int i, bool array);

/*
 * A page's status (store.h) from the columns of pages p: the one
 * definition, read by every PAGE_COLS query and used by the admin's
 * filter and counts (decision 0280).
 */
#define PAGE_SCHEDULED_SQL						\
	"(COALESCE(p.scheduled_revision_id, 0) <> 0 AND "		\
	"COALESCE(p.go_live_at, 0) <> 0)"
#define PAGE_STATUS_SQL							\
	"CASE WHEN p.live <> 0 THEN CASE WHEN " PAGE_SCHEDULED_SQL	\
	" THEN 'live + scheduled' WHEN p.has_unpublished_changes <> 0 "	\
	"THEN 'live + draft' ELSE 'live' END WHEN p.expired <> 0 THEN "	\
	"'expired' WHEN " PAGE_SCHEDULED_SQL " THEN 'scheduled' ELSE "	\
	"'draft' END"

/* pages (store_page.c), for the scheduler's queries */
#define PAGE_COLS							\
	"p.id, p.path, pp.path, p.section, p.slug, p.template, p.weight, "	\
	"r.title, p.live, p.has_unpublished_changes, p.expired, "	\
	"p.first_published_at, p.last_published_at, p.live_revision_id, " \
	"p.latest_revision_id, p.scheduled_revision_id, p.go_live_at, "	\
	"p.expire_at, p.created_at, p.updated_at, lr.title, r.author, "	\
	PAGE_STATUS_SQL " "						\
	"FROM pages p LEFT JOIN pages pp ON pp.id = p.parent_id "	\
	"LEFT JOIN revisions r ON r.id = p.latest_revision_id "		\
	"LEFT JOIN revisions lr ON lr.id = p.live_revision_id "
void store_read_page(struct stmt *s, struct page_info *p);
/* the pages a PAGE_COLS query selects (store_page.c) */
int store_page_select(struct store *st, const char *sql, bool bind,
    int64_t arg, const char *what, struct page_info **list, size_t *n,
    struct buf *err);
/* run one statement without rows; TYPES: one letter per parameter */
int store_run(struct store *st, const char *what, size_t *changed,
    struct buf *err, const char *sql, const char *types, ...);
/* run one UPDATE/DELETE with int64 parameters (0 binds NULL if nullz) */
int store_exec_i64(struct store *st, const char *sql, struct buf *err,
    int n, ...);
/* PATH canonical into OUT, else -1 with an "invalid path" error */
int store_page_canon(struct store *st, const char *path, struct buf *out,
    struct buf *err);
/* a page's fields checked for a new page (CREATE) or an edit */
int store_fields_check(struct store *st, const struct page_fields *f,
    bool create, struct buf *err);
/* a revision's body within LIMIT_PAGE_BODY, else -1 (store_import_new.c) */
int store_body_check(struct store *st, const char *body, struct buf *err);
/* the pages below canonical CP without a parent adopted by page ID */
int store_page_adopt(struct store *st, int64_t id, const char *cp,
    struct buf *err);
/* make REV live now, inside a transaction */
int store_make_live(struct store *st, const struct page_info *p,
    int64_t rev, int64_t now, struct buf *err);

/* the functions behind both backends' tables (store_sql.c) */
int sql_page_create(struct store *st, const char *path,
    const struct page_fields *f, const char *actor, int64_t *id,
    struct buf *err);
int sql_page_edit(struct store *st, const char *path,
    const struct page_fields *f, const char *actor, struct buf *err);
int sql_page_publish(struct store *st, const char *path, int64_t go_live,
    const char *actor, struct buf *err);
int sql_page_unpublish(struct store *st, const char *path, const char *actor,
    struct buf *err);
int sql_page_schedule(struct store *st, const char *path, int64_t go_live,
    int64_t expire, const char *actor, struct buf *err);
int sql_page_delete(struct store *st, const char *path, const char *actor,
    struct buf *err);
int sql_page_get(struct store *st, const char *path, struct page_info *p,
    struct buf *err);
int sql_page_get_id(struct store *st, int64_t id, struct page_info *p,
    struct buf *err);
int sql_path_check_new(struct store *st, const char *path, struct buf *err);
int sql_page_list(struct store *st, struct page_info **list, size_t *n,
    struct buf *err);
int sql_revision_get(struct store *st, int64_t id, struct revision_info *r,
    struct buf *err);
int sql_run_scheduled(struct store *st, int64_t now, bool dry_run,
    const char *actor, struct sched_report *report, struct buf *err);
int sql_next_scheduled(struct store *st, int64_t now, int64_t *when,
    struct buf *err);
int sql_media_add(struct store *st, const char *media_dir, const char *file,
    const char *name, const char *actor, struct media_info *out,
    struct buf *err);
/* the media list without the uploader (no pass over the audit log): what
   a snapshot needs */
int store_media_files(struct store *st, const char *media_dir,
    struct media_info **list, size_t *n, struct buf *err);
int sql_media_list(struct store *st, const char *media_dir,
    struct media_info **list, size_t *n, struct buf *err);
int sql_change_seq(struct store *st, int64_t *seq, struct buf *err);
int sql_request_build(struct store *st, const char *reason,
    const char *actor, int64_t *request_id, struct buf *err);
int sql_pending_requests(struct store *st, json_t **out, struct buf *err);
int sql_audit_list(struct store *st, size_t limit, json_t **out,
    struct buf *err);
/* an audit row for the page p that FROM selects by ID (store_sql.c) */
int store_audit_of(struct store *st, const char *actor, const char *action,
    const char *detail, const char *from, int64_t id, struct buf *err);
/* a time column as ISO 8601 text, or null: a new reference */
json_t *store_col_time(struct stmt *s, int col);
/* finalize S; *out takes A (-1 and A dropped if STEP is not the end) */
int store_list_end(struct store *st, struct stmt *s, int step, json_t *a,
    json_t **out, const char *what, struct buf *err);
int sql_audit(struct store *st, const char *actor, const char *action,
    const char *path, const char *detail, struct buf *err);
int sql_snapshot(struct store *st, const char *media_dir, bool latest,
    struct snapshot *snap, struct buf *err);
int sql_state_get(struct store *st, const char *key, struct buf *value,
    struct buf *err);
int sql_state_set(struct store *st, const char *key, const void *value,
    size_t len, struct buf *err);
int sql_state_delete(struct store *st, const char *key, struct buf *err);
int sql_build_claim(struct store *st, const char *worker, int64_t lease_secs,
    int64_t *build_id, int64_t *token, struct buf *err);
int sql_build_heartbeat(struct store *st, int64_t id, int64_t token,
    int64_t lease_secs, struct buf *err);
int sql_build_append_log(struct store *st, int64_t id, const char *text,
    struct buf *err);
int sql_build_set_seq(struct store *st, int64_t id, int64_t seq,
    struct buf *err);
int sql_build_finish(struct store *st, int64_t id, int64_t token, bool ok,
    const char *error, const char *counts_json, const char *commit,
    int64_t retry_at, struct buf *err);
int sql_build_record(struct store *st, const char *reasons, bool ok,
    const char *error, const char *counts_json, const char *worker,
    int64_t *id, struct buf *err);
int sql_build_gc(struct store *st, int keep_builds, int logs_days,
    size_t *removed, size_t *logs_cleared, struct buf *err);
int sql_build_cancel(struct store *st, int64_t id, struct buf *err);
int sql_build_rollback_request(struct store *st, int64_t build,
    struct buf *err);
int sql_build_rollback_take(struct store *st, int64_t *build,
    struct buf *err);
int sql_build_release(struct store *st, int64_t id, struct buf *err);
int sql_build_list(struct store *st, size_t limit, json_t **out,
    struct buf *err);
int sql_build_get(struct store *st, int64_t id, bool with_log, json_t **out,
    struct buf *err);
int sql_build_stalled(struct store *st, int64_t now, int64_t after,
    struct build_stalled *b, struct buf *err);
int sql_build_stats(struct store *st, json_t **out, struct buf *err);
int sql_build_metrics(struct store *st, struct build_metrics *m,
    struct buf *err);
int sql_token_create(struct store *st, const char *name, const char *role,
    int64_t expires_at, char token[65], struct buf *err);
int sql_token_check(struct store *st, const char *token, char *name,
    size_t namesz, char *role, size_t rolesz, struct buf *err);
int sql_token_list(struct store *st, json_t **out, struct buf *err);
int sql_token_revoke(struct store *st, const char *name, struct buf *err);
int sql_user_add(struct store *st, const char *name, const char *role,
    const char *hash, const char *actor, struct buf *err);
int sql_user_get(struct store *st, const char *name, struct user_info *u,
    struct buf *err);
int sql_user_passwd(struct store *st, const char *name, const char *hash,
    const char *actor, struct buf *err);
int sql_user_disable(struct store *st, const char *name, const char *actor,
    struct buf *err);
int sql_user_list(struct store *st, json_t **out, struct buf *err);
int sql_session_create(struct store *st, int64_t user_id,
    const char *sid_hash, struct buf *err);
int sql_session_check(struct store *st, const char *sid_hash, int64_t now,
    int64_t idle, int64_t max, struct user_info *u, struct buf *err);
int sql_session_delete(struct store *st, const char *sid_hash,
    struct buf *err);
int sql_revision_list(struct store *st, int64_t page_id, json_t **out,
    struct buf *err);
int sql_build_actors(struct store *st, int64_t build_id, struct buf *out,
    struct buf *err);
int sql_audit_query(struct store *st, const char *actor, const char *path,
    size_t offset, size_t limit, json_t **out, struct buf *err);
int sql_review_submit(struct store *st, int64_t page_id,
    int64_t revision_id, int64_t go_live, const char *actor,
    struct buf *err);
int sql_review_list(struct store *st, int64_t page_id, json_t **out,
    struct buf *err);
int sql_review_decide(struct store *st, int64_t review_id, bool approve,
    const char *comment, const char *actor, struct buf *err);

#endif
