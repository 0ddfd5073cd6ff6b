/* SPDX-License-Identifier: ISC */
/*
 * store.c: the backend-independent part of the store: store_open()
 * chooses a backend by driver (store_backend.h), and the calls that only
 * need the backend's table go through it.
 */
#include "common/compat.h"

#include "common/buf.h"
#include "common/path.h"
#include "store/store.h"
#include "store/store_backend.h"
#include "store/store_build.h"
#include "store/store_token.h"
#include "store/store_user.h"

static const struct store_ops *const backends[] = {
	&store_sqlite_ops,
	&store_pg_ops,
};

static struct store_base *
base(const struct store *st)
{
	return (struct store_base *)(uintptr_t)st;
}

int
store_open(const char *driver, const char *url, struct store **out,
    struct buf *err)
{
	return store_open_ex(driver, url, NULL, 0, out, err);
}

int
store_open_ex(const char *driver, const char *url, const char *password,
    int flags, struct store **out, struct buf *err)
{
	*out = NULL;
	for (size_t i = 0; i < NELEM(backends); i++) {
		if (strcmp(driver, backends[i]->driver) != 0)
			continue;
		if (backends[i]->missing) {
			buf_setf(err, "store: %s", backends[i]->missing);
			return -1;
		}
		return backends[i]->open(url, password, flags, out, err);
	}
	buf_setf(err, "store: unknown driver '%s'", driver);
	return -1;
}

void
store_close(struct store *st)
{
	if (st)
		base(st)->ops->close(st);
}

int
store_schema(struct store *st, struct store_schema *out, size_t *n,
    struct buf *err)
{
	return base(st)->ops->schema(st, out, n, err);
}

int
store_migrate(struct store *st, struct buf *err)
{
	return base(st)->ops->migrate(st, err);
}

enum err_kind
store_err_kind(const struct store *st)
{
	return base(st)->kind;
}

const char *
store_err_field(const struct store *st)
{
	return base(st)->field;
}

void
store_err_clear(struct store *st)
{
	base(st)->kind = ERR_NONE;
	base(st)->field = NULL;
}

void
store_err_set(struct store *st, enum err_kind kind, const char *field)
{
	if (!st)
		return;		/* a closed snapshot's */
	base(st)->kind = kind;
	base(st)->field = field;
}

int
store_invalid(struct store *st, const char *field)
{
	store_err_set(st, ERR_NONE, field);
	return -1;
}

int
store_begin(struct store *st, struct buf *err)
{
	return base(st)->ops->begin(st, err);
}

int
store_commit(struct store *st, struct buf *err)
{
	return base(st)->ops->commit(st, err);
}

void
store_rollback(struct store *st)
{
	base(st)->ops->rollback(st);
}

/* ---- forwarded to the backend ---- */

int
store_page_create(struct store *st, const char *path,
    const struct page_fields *f, const char *actor, int64_t *id,
    struct buf *err)
{
	return base(st)->ops->page_create(st, path, f, actor, id, err);
}

int
store_page_edit(struct store *st, const char *path, const struct page_fields *f,
    const char *actor, struct buf *err)
{
	return base(st)->ops->page_edit(st, path, f, actor, err);
}

int
store_page_publish(struct store *st, const char *path, int64_t go_live,
    const char *actor, struct buf *err)
{
	return base(st)->ops->page_publish(st, path, go_live, actor, err);
}

int
store_page_save(struct store *st, const char *path,
    const struct page_fields *f, bool create, bool publish,
    const char *actor, int64_t *id, struct buf *err)
{
	struct buf canon = BUF_INIT;
	int rc;

	if (store_begin(st, err) == -1)
		return -1;
	rc = create ? store_page_create(st, path, f, actor, id, err) :
	    store_page_edit(st, path, f, actor, err);
	if (rc == 0 && publish && ((rc = path_canonicalize(path, &canon,
	    err)) == 0))
		rc = store_page_publish(st, canon.buf, 0, actor, err);
	buf_release(&canon);
	if (rc == -1) {
		store_rollback(st);
		return -1;
	}
	return store_commit(st, err);
}

int
store_page_unpublish(struct store *st, const char *path, const char *actor,
    struct buf *err)
{
	return base(st)->ops->page_unpublish(st, path, actor, err);
}

int
store_page_schedule(struct store *st, const char *path, int64_t go_live,
    int64_t expire, const char *actor, struct buf *err)
{
	return base(st)->ops->page_schedule(st, path, go_live, expire, actor,
	    err);
}

int
store_page_delete(struct store *st, const char *path, const char *actor,
    struct buf *err)
{
	return base(st)->ops->page_delete(st, path, actor, err);
}

int
store_page_get(struct store *st, const char *path, struct page_info *p,
    struct buf *err)
{
	return base(st)->ops->page_get(st, path, p, err);
}

int
store_page_get_id(struct store *st, int64_t id, struct page_info *p,
    struct buf *err)
{
	return base(st)->ops->page_get_id(st, id, p, err);
}

int
store_path_check_new(struct store *st, const char *path, struct buf *err)
{
	return base(st)->ops->path_check_new(st, path, err);
}

int
store_page_list(struct store *st, struct page_info **list, size_t *n,
    struct buf *err)
{
	return base(st)->ops->page_list(st, list, n, err);
}

int
store_revision_get(struct store *st, int64_t id, struct revision_info *r,
    struct buf *err)
{
	return base(st)->ops->revision_get(st, id, r, err);
}

int
store_run_scheduled(struct store *st, int64_t now, bool dry_run,
    const char *actor, struct sched_report *report, struct buf *err)
{
	return base(st)->ops->run_scheduled(st, now, dry_run, actor, report,
	    err);
}

int
store_next_scheduled(struct store *st, int64_t now, int64_t *when,
    struct buf *err)
{
	return base(st)->ops->next_scheduled(st, now, when, err);
}

int
store_media_add(struct store *st, const char *media_dir, const char *file,
    const char *name, const char *actor, struct media_info *out,
    struct buf *err)
{
	return base(st)->ops->media_add(st, media_dir, file, name, actor, out,
	    err);
}

int
store_media_list(struct store *st, const char *media_dir,
    struct media_info **list, size_t *n, struct buf *err)
{
	return base(st)->ops->media_list(st, media_dir, list, n, err);
}

int
store_change_seq(struct store *st, int64_t *seq, struct buf *err)
{
	return base(st)->ops->change_seq(st, seq, err);
}

int
store_request_build(struct store *st, const char *reason, const char *actor,
    int64_t *request_id, struct buf *err)
{
	return base(st)->ops->request_build(st, reason, actor, request_id, err);
}

int
store_pending_requests(struct store *st, json_t **out, struct buf *err)
{
	return base(st)->ops->pending_requests(st, out, err);
}

int
store_audit_list(struct store *st, size_t limit, json_t **out, struct buf *err)
{
	return base(st)->ops->audit_list(st, limit, out, err);
}

int
store_audit(struct store *st, const char *actor, const char *action,
    const char *path, const char *detail, struct buf *err)
{
	return base(st)->ops->audit(st, actor, action, path, detail, err);
}

int
store_snapshot(struct store *st, const char *media_dir, struct snapshot *snap,
    struct buf *err)
{
	return base(st)->ops->snapshot(st, media_dir, false, snap, err);
}

int
store_snapshot_latest(struct store *st, const char *media_dir,
    struct snapshot *snap, struct buf *err)
{
	return base(st)->ops->snapshot(st, media_dir, true, snap, err);
}

int
store_state_get(struct store *st, const char *key, struct buf *value,
    struct buf *err)
{
	return base(st)->ops->state_get(st, key, value, err);
}

int
store_state_set(struct store *st, const char *key, const void *value,
    size_t len, struct buf *err)
{
	return base(st)->ops->state_set(st, key, value, len, err);
}

int
store_state_delete(struct store *st, const char *key, struct buf *err)
{
	return base(st)->ops->state_delete(st, key, err);
}

int
store_build_claim(struct store *st, const char *worker, int64_t lease_secs,
    int64_t *build_id, int64_t *token, struct buf *err)
{
	return base(st)->ops->build_claim(st, worker, lease_secs, build_id,
	    token, err);
}

int
store_build_heartbeat(struct store *st, int64_t id, int64_t token,
    int64_t lease_secs, struct buf *err)
{
	return base(st)->ops->build_heartbeat(st, id, token, lease_secs, err);
}

int
store_build_append_log(struct store *st, int64_t id, const char *text,
    struct buf *err)
{
	return base(st)->ops->build_append_log(st, id, text, err);
}

int
store_build_set_seq(struct store *st, int64_t id, int64_t seq, struct buf *err)
{
	return base(st)->ops->build_set_seq(st, id, seq, err);
}

int
store_build_finish(struct store *st, int64_t id, int64_t token, bool ok,
    const char *error, const char *counts_json, const char *commit,
    int64_t retry_at, struct buf *err)
{
	return base(st)->ops->build_finish(st, id, token, ok, error,
	    counts_json, commit, retry_at, err);
}

int
store_build_record(struct store *st, const char *reasons, bool ok,
    const char *error, const char *counts_json, const char *worker,
    int64_t *id, struct buf *err)
{
	return base(st)->ops->build_record(st, reasons, ok, error,
	    counts_json, worker, id, err);
}

int
store_build_gc(struct store *st, int keep_builds, int logs_days,
    size_t *removed, size_t *logs_cleared, struct buf *err)
{
	return base(st)->ops->build_gc(st, keep_builds, logs_days, removed,
	    logs_cleared, err);
}

int
store_build_cancel(struct store *st, int64_t id, struct buf *err)
{
	return base(st)->ops->build_cancel(st, id, err);
}

int
store_build_rollback_request(struct store *st, int64_t build, struct buf *err)
{
	return base(st)->ops->build_rollback_request(st, build, err);
}

int
store_build_rollback_take(struct store *st, int64_t *build, struct buf *err)
{
	return base(st)->ops->build_rollback_take(st, build, err);
}

int
store_build_release(struct store *st, int64_t id, struct buf *err)
{
	return base(st)->ops->build_release(st, id, err);
}

int
store_build_list(struct store *st, size_t limit, json_t **out, struct buf *err)
{
	return base(st)->ops->build_list(st, limit, out, err);
}

int
store_build_get(struct store *st, int64_t id, bool with_log, json_t **out,
    struct buf *err)
{
	return base(st)->ops->build_get(st, id, with_log, out, err);
}

int
store_build_stalled(struct store *st, int64_t now, int64_t after,
    struct build_stalled *b, struct buf *err)
{
	return base(st)->ops->build_stalled(st, now, after, b, err);
}

int
store_build_stats(struct store *st, json_t **out, struct buf *err)
{
	return base(st)->ops->build_stats(st, out, err);
}

int
store_build_metrics(struct store *st, struct build_metrics *m, struct buf *err)
{
	return base(st)->ops->build_metrics(st, m, err);
}

int
store_token_create(struct store *st, const char *name, const char *role,
    int64_t expires_at, char token[65], struct buf *err)
{
	return base(st)->ops->token_create(st, name, role, expires_at, token,
	    err);
}

int
store_token_check(struct store *st, const char *token, char *name,
    size_t namesz, char *role, size_t rolesz, struct buf *err)
{
	return base(st)->ops->token_check(st, token, name, namesz, role, rolesz,
	    err);
}

int
store_token_list(struct store *st, json_t **out, struct buf *err)
{
	return base(st)->ops->token_list(st, out, err);
}

int
store_token_revoke(struct store *st, const char *name, struct buf *err)
{
	return base(st)->ops->token_revoke(st, name, err);
}

int
store_user_add(struct store *st, const char *name, const char *role,
    const char *hash, const char *actor, struct buf *err)
{
	return base(st)->ops->user_add(st, name, role, hash, actor, err);
}

int
store_user_get(struct store *st, const char *name, struct user_info *u,
    struct buf *err)
{
	return base(st)->ops->user_get(st, name, u, err);
}

int
store_user_passwd(struct store *st, const char *name, const char *hash,
    const char *actor, struct buf *err)
{
	return base(st)->ops->user_passwd(st, name, hash, actor, err);
}

int
store_user_disable(struct store *st, const char *name, const char *actor,
    struct buf *err)
{
	return base(st)->ops->user_disable(st, name, actor, err);
}

int
store_user_list(struct store *st, json_t **out, struct buf *err)
{
	return base(st)->ops->user_list(st, out, err);
}

int
store_session_create(struct store *st, int64_t user_id, const char *sid_hash,
    struct buf *err)
{
	return base(st)->ops->session_create(st, user_id, sid_hash, err);
}

int
store_session_check(struct store *st, const char *sid_hash, int64_t now,
    int64_t idle, int64_t max, struct user_info *u, struct buf *err)
{
	return base(st)->ops->session_check(st, sid_hash, now, idle, max, u,
	    err);
}

int
store_session_delete(struct store *st, const char *sid_hash, struct buf *err)
{
	return base(st)->ops->session_delete(st, sid_hash, err);
}

int
store_revision_list(struct store *st, int64_t page_id, json_t **out,
    struct buf *err)
{
	return base(st)->ops->revision_list(st, page_id, out, err);
}

int
store_build_actors(struct store *st, int64_t build_id, struct buf *out,
    struct buf *err)
{
	return base(st)->ops->build_actors(st, build_id, out, err);
}

int
store_audit_query(struct store *st, const char *actor, const char *path,
    size_t offset, size_t limit, json_t **out, struct buf *err)
{
	return base(st)->ops->audit_query(st, actor, path, offset, limit, out,
	    err);
}

int
store_review_submit(struct store *st, int64_t page_id, int64_t revision_id,
    int64_t go_live, const char *actor, struct buf *err)
{
	return base(st)->ops->review_submit(st, page_id, revision_id, go_live,
	    actor, err);
}

int
store_review_list(struct store *st, int64_t page_id, json_t **out,
    struct buf *err)
{
	return base(st)->ops->review_list(st, page_id, out, err);
}

int
store_review_decide(struct store *st, int64_t review_id, bool approve,
    const char *comment, const char *actor, struct buf *err)
{
	return base(st)->ops->review_decide(st, review_id, approve, comment,
	    actor, err);
}
