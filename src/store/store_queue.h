/* SPDX-License-Identifier: ISC */
/*
 * store_queue.h: the build queue's records (see store_queue.c).  Same
 * conventions as store.h: 0 / -1 with err, one struct store per thread.
 */
#ifndef KILN_STORE_QUEUE_H
#define KILN_STORE_QUEUE_H

#include <jansson.h>

struct buf;
struct store;

/*
 * Claim the next build: take over one whose lease expired, or create one
 * for the pending requests (after a failure: once its backoff passed, or
 * after the last attempt only for a new request).  *build_id is 0 when
 * there is nothing to do or another worker holds a live lease.
 */
int queue_claim(struct store *st, const char *worker, int64_t lease_secs,
    int64_t *build_id, struct buf *err);
int queue_heartbeat(struct store *st, int64_t id, int64_t lease_secs,
    struct buf *err);
int queue_append_log(struct store *st, int64_t id, const char *text,
    struct buf *err);
/* record the change-sequence watermark of the build's snapshot */
int queue_set_seq(struct store *st, int64_t id, int64_t seq,
    struct buf *err);
/*
 * Finish a build.  On success the requests its snapshot covers are
 * satisfied; on failure they stay pending, and RETRY_AT (0: no more
 * attempts) is when the next attempt may start.
 */
int queue_finish(struct store *st, int64_t id, bool ok, const char *error,
    const char *counts_json, const char *commit, int64_t retry_at,
    struct buf *err);
/* record a build that ran outside the queue (a rollback) */
int queue_record(struct store *st, const char *reasons, bool ok,
    const char *error, const char *worker, int64_t *id, struct buf *err);
/*
 * Retention: drop succeeded build records past the newest KEEP_BUILDS
 * (failed builds are kept for inspection), clear logs older than
 * LOGS_DAYS, drop requests of removed builds.
 */
int queue_gc(struct store *st, int keep_builds, int logs_days,
    size_t *removed, size_t *logs_cleared, struct buf *err);
/*
 * Cancel a running build (it stops at its next step, before deploying)
 * or a failed one waiting for its retry.  Its requests stay pending for
 * the next publish.  0 done, 1 nothing to cancel (err says why), -1.
 */
int queue_cancel(struct store *st, int64_t id, struct buf *err);
/* ask the worker to roll the site back to BUILD (the latest ask wins) */
int queue_rollback_request(struct store *st, int64_t build, struct buf *err);
/*
 * Take a pending rollback when no build holds a live lease: *build is the
 * build to roll back to, or 0.
 */
int queue_rollback_take(struct store *st, int64_t *build, struct buf *err);
/* a stopping worker gives its build back */
int queue_release(struct store *st, int64_t id, struct buf *err);
int queue_list(struct store *st, size_t limit, json_t **out,
    struct buf *err);
/* 0 found, 1 absent */
int queue_get(struct store *st, int64_t id, bool with_log, json_t **out,
    struct buf *err);
int queue_stats(struct store *st, json_t **out, struct buf *err);
/*
 * Append Prometheus text for the build history: build duration and
 * publish-to-live histograms, objects and bytes, last deploy per target.
 */
int queue_metrics(struct store *st, struct buf *out, struct buf *err);
/*
 * A new bearer token (64 hex), printed once; the store keeps only its
 * SHA-256.  EXPIRES_AT: when it stops working (0: never; a past time is
 * refused).
 */
int queue_token_create(struct store *st, const char *name, const char *role,
    int64_t expires_at, char token[65], struct buf *err);
/*
 * 0 and name/role if the token is known and not expired, 1 if not (a
 * revoked token is unknown).  Records the token's last use, at most once
 * a minute.
 */
int queue_token_check(struct store *st, const char *token, char *name,
    size_t namesz, char *role, size_t rolesz, struct buf *err);
/*
 * Every token: [{name, role, created, last_used, expires, expired}],
 * times ISO 8601 or null.  Never the secret nor its hash.
 */
int queue_token_list(struct store *st, json_t **out, struct buf *err);
/* revoke (delete) the token NAME: 0 done, 1 no such token (err says) */
int queue_token_revoke(struct store *st, const char *name, struct buf *err);

#endif
