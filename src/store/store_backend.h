/* SPDX-License-Identifier: ISC */
/*
 * store_backend.h: what a store backend provides.  store_open() picks a
 * backend's table of functions by store.driver and every function of
 * store.h, store_build.h and store_token.h forwards through it (store.c,
 * decision 0105).  SQLite and PostgreSQL share one implementation over
 * the statement layer (store_sql.c, db.h; decision 0140): their tables
 * differ only in open.  Nothing here names a database type: store_int.h
 * holds struct store, whose first member is a struct store_base.
 */
#ifndef KILN_STORE_BACKEND_H
#define KILN_STORE_BACKEND_H

#include <jansson.h>

#include "common/error.h"

struct buf;
struct build_metrics;
struct build_stalled;
struct media_info;
struct page_fields;
struct page_info;
struct revision_info;
struct sched_report;
struct snapshot;
struct store;
struct store_schema;
struct user_info;

struct store_ops {
	const char *driver;		/* store.driver: "sqlite", ... */
	/* NULL when the backend is built in; else why it is not */
	const char *missing;
	/* URL: a path for SQLite, a conninfo for PostgreSQL; PASSWORD
	   NULL unless store.password_env gave one; FLAGS STORE_OPEN_* */
	int (*open)(const char *url, const char *password, int flags,
	    struct store **out, struct buf *err);
	void (*close)(struct store *st);
	/* nestable BEGIN IMMEDIATE / COMMIT; rollback undoes the outermost */
	int (*begin)(struct store *st, struct buf *err);
	int (*commit)(struct store *st, struct buf *err);
	void (*rollback)(struct store *st);
	int (*schema)(struct store *st, struct store_schema *out, size_t *n,
	    struct buf *err);
	int (*migrate)(struct store *st, struct buf *err);
	/* one per function of store.h, store_build.h, store_token.h */
	/* one per function of store.h, store_build.h, store_token.h,
	   store_user.h */
	int (*page_create)(struct store *st, const char *path,
	    const struct page_fields *f, const char *actor, int64_t *id,
	    struct buf *err);
	int (*page_edit)(struct store *st, const char *path,
	    const struct page_fields *f, const char *actor, struct buf *err);
	int (*page_publish)(struct store *st, const char *path, int64_t go_live,
	    const char *actor, struct buf *err);
	int (*page_unpublish)(struct store *st, const char *path,
	    const char *actor, struct buf *err);
	int (*page_schedule)(struct store *st, const char *path,
	    int64_t go_live, int64_t expire, const char *actor,
	    struct buf *err);
	int (*page_delete)(struct store *st, const char *path,
	    const char *actor, struct buf *err);
	int (*page_get)(struct store *st, const char *path, struct page_info *p,
	    struct buf *err);
	int (*page_get_id)(struct store *st, int64_t id, struct page_info *p,
	    struct buf *err);
	int (*path_check_new)(struct store *st, const char *path,
	    struct buf *err);
	int (*page_list)(struct store *st, struct page_info **list, size_t *n,
	    struct buf *err);
	int (*revision_get)(struct store *st, int64_t id,
	    struct revision_info *r, struct buf *err);
	int (*run_scheduled)(struct store *st, int64_t now, bool dry_run,
	    const char *actor, struct sched_report *report, struct buf *err);
	int (*next_scheduled)(struct store *st, int64_t now, int64_t *when,
	    struct buf *err);
	int (*media_add)(struct store *st, const char *media_dir,
	    const char *file, const char *name, const char *actor,
	    struct media_info *out, struct buf *err);
	int (*media_list)(struct store *st, const char *media_dir,
	    struct media_info **list, size_t *n, struct buf *err);
	int (*change_seq)(struct store *st, int64_t *seq, struct buf *err);
	int (*request_build)(struct store *st, const char *reason,
	    const char *actor, int64_t *request_id, struct buf *err);
	int (*pending_requests)(struct store *st, json_t **out,
	    struct buf *err);
	int (*audit_list)(struct store *st, size_t limit, json_t **out,
	    struct buf *err);
	int (*audit)(struct store *st, const char *actor, const char *action,
	    const char *path, const char *detail, struct buf *err);
	int (*snapshot)(struct store *st, const char *media_dir, bool latest,
	    struct snapshot *snap, struct buf *err);
	int (*state_get)(struct store *st, const char *key, struct buf *value,
	    struct buf *err);
	int (*state_set)(struct store *st, const char *key, const void *value,
	    size_t len, struct buf *err);
	int (*state_delete)(struct store *st, const char *key, struct buf *err);
	int (*build_claim)(struct store *st, const char *worker,
	    int64_t lease_secs, int64_t *build_id, int64_t *token,
	    struct buf *err);
	int (*build_heartbeat)(struct store *st, int64_t id, int64_t token,
	    int64_t lease_secs, struct buf *err);
	int (*build_append_log)(struct store *st, int64_t id, const char *text,
	    struct buf *err);
	int (*build_set_seq)(struct store *st, int64_t id, int64_t seq,
	    struct buf *err);
	int (*build_finish)(struct store *st, int64_t id, int64_t token,
	    bool ok,
	    const char *error, const char *counts_json, const char *commit,
	    int64_t retry_at, struct buf *err);
	int (*build_record)(struct store *st, const char *reasons, bool ok,
	    const char *error, const char *counts_json, const char *worker,
	    int64_t *id, struct buf *err);
	int (*build_gc)(struct store *st, int keep_builds, int logs_days,
	    size_t *removed, size_t *logs_cleared, struct buf *err);
	int (*build_cancel)(struct store *st, int64_t id, struct buf *err);
	int (*build_rollback_request)(struct store *st, int64_t build,
	    struct buf *err);
	int (*build_rollback_take)(struct store *st, int64_t *build,
	    struct buf *err);
	int (*build_release)(struct store *st, int64_t id, struct buf *err);
	int (*build_list)(struct store *st, size_t limit, json_t **out,
	    struct buf *err);
	int (*build_get)(struct store *st, int64_t id, bool with_log,
	    json_t **out, struct buf *err);
	int (*build_stalled)(struct store *st, int64_t now, int64_t after,
	    struct build_stalled *b, struct buf *err);
	int (*build_stats)(struct store *st, json_t **out, struct buf *err);
	int (*build_metrics)(struct store *st, struct build_metrics *m,
	    struct buf *err);
	int (*token_create)(struct store *st, const char *name,
	    const char *role, int64_t expires_at, char token[65],
	    struct buf *err);
	int (*token_check)(struct store *st, const char *token, char *name,
	    size_t namesz, char *role, size_t rolesz, struct buf *err);
	int (*token_list)(struct store *st, json_t **out, struct buf *err);
	int (*token_revoke)(struct store *st, const char *name,
	    struct buf *err);
	/* store_user.h */
	int (*user_add)(struct store *st, const char *name, const char *role,
	    const char *hash, const char *actor, struct buf *err);
	int (*user_get)(struct store *st, const char *name,
	    struct user_info *u, struct buf *err);
	int (*user_passwd)(struct store *st, const char *name,
	    const char *hash, const char *actor, struct buf *err);
	int (*user_disable)(struct store *st, const char *name,
	    const char *actor, struct buf *err);
	int (*user_list)(struct store *st, json_t **out, struct buf *err);
	int (*session_create)(struct store *st, int64_t user_id,
	    const char *sid_hash, struct buf *err);
	int (*session_check)(struct store *st, const char *sid_hash,
	    int64_t now, int64_t idle, int64_t max, struct user_info *u,
	    struct buf *err);
	int (*session_delete)(struct store *st, const char *sid_hash,
	    struct buf *err);
	int (*revision_list)(struct store *st, int64_t page_id, json_t **out,
	    struct buf *err);
	int (*build_actors)(struct store *st, int64_t build_id,
	    struct buf *out, struct buf *err);
	int (*audit_query)(struct store *st, const char *actor,
	    const char *path, size_t offset, size_t limit, json_t **out,
	    struct buf *err);
	int (*review_submit)(struct store *st, int64_t page_id,
	    int64_t revision_id, int64_t go_live, const char *actor,
	    struct buf *err);
	int (*review_list)(struct store *st, int64_t page_id, json_t **out,
	    struct buf *err);
	int (*review_decide)(struct store *st, int64_t review_id,
	    bool approve, const char *comment, const char *actor,
	    struct buf *err);
};

/* the first member of every backend's struct store */
struct store_base {
	const struct store_ops *ops;
	enum err_kind kind;		/* of the last error (store_err_kind) */
	const char *field;		/* the input it names, or NULL (static) */
};

/* the kind of the error just written to err, and the field it names */
void store_err_set(struct store *st, enum err_kind kind, const char *field);
/*
 * Bad input in FIELD (the message is in err already): -1.  The kind
 * stays plain bad input (ERR_NONE, which every face treats as
 * ERR_INVALID: store.h promises it to callers).
 */
int store_invalid(struct store *st, const char *field);

extern const struct store_ops store_sqlite_ops;
extern const struct store_ops store_pg_ops;

#endif
