/* SPDX-License-Identifier: ISC */
/*
 * store_build.h: builds, leases and coalescing: the build queue's
 * records, owned by the store (see store_build.c).  Same conventions as
 * store.h: 0 / -1 with err and its kind, one struct store per thread.
 * Every json_t ** result is a new reference the caller decrefs; strings
 * passed in are copied.
 */
#ifndef KILN_STORE_BUILD_H
#define KILN_STORE_BUILD_H

#include <jansson.h>

struct buf;
struct store;

/*
 * Claim the next build: take over one whose lease expired, or create one
 * for the pending requests (after a failure: once its backoff passed, or
 * after the last attempt only for a new request).  *build_id is 0 when
 * there is nothing to do or another worker holds a live lease.  *token
 * is the claim's fencing token (decision 0170): every take-over
 * of a build gives a greater one, and only its holder may renew the lease
 * or record the result.
 */
int store_build_claim(struct store *st, const char *worker, int64_t lease_secs,
    int64_t *build_id, int64_t *token, struct buf *err);
/*
 * Renew the lease for LEASE_SECS from now, if TOKEN still holds it (one
 * UPDATE: the check and the renewal are atomic).  -1 with kind
 * ERR_CONFLICT and "lease lost to take-over" when another claim took the
 * build over: its holder must stop, touching no target.  A build that is
 * no longer running (cancelled) is left alone and is not an error.
 */
int store_build_heartbeat(struct store *st, int64_t id, int64_t token,
    int64_t lease_secs, struct buf *err);
int store_build_append_log(struct store *st, int64_t id, const char *text,
    struct buf *err);
/* record the change-sequence watermark of the build's snapshot */
int store_build_set_seq(struct store *st, int64_t id, int64_t seq,
    struct buf *err);
/*
 * Finish a build.  On success the requests its snapshot covers are
 * satisfied; on failure they stay pending, and RETRY_AT (0: no more
 * attempts) is when the next attempt may start.  Only the holder of
 * TOKEN may: a stale claim's finish changes nothing and is -1 with kind
 * ERR_CONFLICT ("lease lost to take-over").
 */
int store_build_finish(struct store *st, int64_t id, int64_t token, bool ok,
    const char *error, const char *counts_json, const char *commit,
    int64_t retry_at, struct buf *err);
/*
 * record a build that ran outside the queue (a rollback); COUNTS_JSON
 * (may be NULL) as in store_build_finish, e.g. its targets (0230)
 */
int store_build_record(struct store *st, const char *reasons, bool ok,
    const char *error, const char *counts_json, const char *worker,
    int64_t *id, struct buf *err);
/*
 * Retention: drop succeeded build records past the newest KEEP_BUILDS
 * (failed builds are kept for inspection), clear logs older than
 * LOGS_DAYS, drop requests of removed builds.
 */
int store_build_gc(struct store *st, int keep_builds, int logs_days,
    size_t *removed, size_t *logs_cleared, struct buf *err);
/*
 * Cancel a running build (it stops at its next step, before deploying)
 * or a failed one waiting for its retry.  Its requests stay pending for
 * the next publish.  0 done, 1 nothing to cancel (err says why; kind
 * ERR_CONFLICT), -1.
 */
int store_build_cancel(struct store *st, int64_t id, struct buf *err);
/*
 * Ask the worker to roll the site back to BUILD (the latest ask wins):
 * 0; 1 with the reason in ERR when BUILD is none (ERR_NOT_FOUND) or not
 * a succeeded build of production (ERR_CONFLICT: failed, or a staging
 * build, which has no history commit); -1.
 */
int store_build_rollback_request(struct store *st, int64_t build,
    struct buf *err);
/*
 * Take a pending rollback when no build holds a live lease: *build is the
 * build to roll back to, or 0.
 */
int store_build_rollback_take(struct store *st, int64_t *build,
    struct buf *err);
/* a stopping worker gives its build back */
int store_build_release(struct store *st, int64_t id, struct buf *err);
int store_build_list(struct store *st, size_t limit, json_t **out,
    struct buf *err);
/*
 * 0 found, 1 absent (kind ERR_NOT_FOUND, err untouched), -1 when the
 * store cannot answer (never reported as absent).
 */
int store_build_get(struct store *st, int64_t id, bool with_log, json_t **out,
    struct buf *err);
/* a build that looks stalled (store_build_stalled) */
struct build_stalled {
	int64_t id;
	int64_t started_at, heartbeat_at;
	char worker[128];		/* "?" when unknown */
};

/*
 * The oldest running build that started before NOW - AFTER or whose lease
 * expired: 0 and *b filled, 1 if there is none, -1.
 */
int store_build_stalled(struct store *st, int64_t now, int64_t after,
    struct build_stalled *b, struct buf *err);
int store_build_stats(struct store *st, json_t **out, struct buf *err);
/* upper bounds (seconds) of the buckets of struct build_hist */
#define BUILD_METRIC_BOUNDS 8
extern const int64_t store_build_metric_bounds[BUILD_METRIC_BOUNDS];

struct build_hist {
	int64_t bucket[BUILD_METRIC_BOUNDS + 1];	/* cumulative; last
							   is +Inf */
	int64_t sum_ms;
};

struct build_metrics {
	int64_t count;			/* builds measured */
	struct build_hist duration;	/* start to finish */
	struct build_hist publish_to_live;	/* first request to finish */
	struct build_hist deploy;	/* counts.deploy_ms */
	int64_t invalidated, uploaded, deleted, bytes;
	struct {
		char *target;		/* owned */
		int64_t at;
	} *last_deploy;			/* per target and mirror, by name */
	size_t nlast_deploy;
};

/*
 * Numbers for the metrics of the last 1,000 successful builds, and the
 * time of the last full deploy of each target.  Release with
 * store_build_metrics_release (also after -1).
 */
int store_build_metrics(struct store *st, struct build_metrics *m,
    struct buf *err);
void store_build_metrics_release(struct build_metrics *m);

#endif
