/* SPDX-License-Identifier: ISC */
/*
 * store_unit.h: the queue of unit builds of a multi-unit site (issue
 * #17, docs/units.md, decision 0180).  One row per (unit id, version):
 * queued by the feeder, claimed under a lease by a worker thread,
 * retried with backoff, finished.  The row is the lock: a (unit,
 * version) is never built twice at once.  Same conventions as store.h.
 */
#ifndef KILN_STORE_UNIT_H
#define KILN_STORE_UNIT_H

#include <jansson.h>

struct buf;
struct store;

/* a claimed unit build */
struct unit_claim {
	int64_t id;			/* 0: nothing to do */
	int64_t attempt;
	char unit[256];
	char version[256];
	char source[4096];
};

/*
 * Queue (UNIT, VERSION) from SOURCE unless it is already queued or
 * running.  A row that succeeded is queued again (its marker is gone:
 * the caller only queues pairs without one); a row that failed for good
 * is not.  *state: "queued" (new), "pending" (queued or running
 * already), "failed" (failed for good).
 */
int store_unit_enqueue(struct store *st, const char *unit,
    const char *version, const char *source, const char **state,
    struct buf *err);
/*
 * Claim the oldest due unit build (queued and past its backoff, or
 * running with an expired lease: its worker died).
 */
int store_unit_claim(struct store *st, const char *worker, int64_t lease,
    struct unit_claim *u, struct buf *err);
/*
 * Renew the lease of claim (ID, ATTEMPT): the attempt is the claim's
 * fencing token.  -1 with kind ERR_CONFLICT when the build was taken
 * over (or finished): the caller stops and writes nothing more.
 */
int store_unit_heartbeat(struct store *st, int64_t id, int64_t attempt,
    int64_t lease, struct buf *err);
int store_unit_append_log(struct store *st, int64_t id, const char *text,
    struct buf *err);
/*
 * Finish claim (ID, ATTEMPT): OK with COUNTS (JSON text) and SHARED
 * (an array of the site paths of the shared files the unit names, or
 * NULL), recorded in the same transaction; a failure with RETRY_AT > 0
 * goes back to the queue, due then; RETRY_AT 0: failed for good.  A
 * stale claim (taken over) records nothing: -1, ERR_CONFLICT.
 */
int store_unit_finish(struct store *st, int64_t id, int64_t attempt, bool ok,
    const char *error, const char *counts, const json_t *shared,
    int64_t retry_at, struct buf *err);
/*
 * The keep set of a site deploy (decision 0270): {path: true} for every
 * shared file a complete unit names, whether or not the unit is still
 * in the list (a complete unit version is never removed).
 */
int store_unit_shared(struct store *st, json_t **out, struct buf *err);
/* the newest LIMIT unit builds: [{id, unit, version, status, ...}] */
int store_unit_list(struct store *st, size_t limit, json_t **out,
    struct buf *err);
/* the versions of UNIT that succeeded, oldest first: [{version, at}] */
int store_unit_versions(struct store *st, const char *unit, json_t **out,
    struct buf *err);
/* {queued, running, succeeded, failed, succeeded_since} (SINCE: time) */
int store_unit_stats(struct store *st, int64_t since, json_t **out,
    struct buf *err);

#endif
