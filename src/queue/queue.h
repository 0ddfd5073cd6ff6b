/* SPDX-License-Identifier: ISC */
/*
 * queue.h: the worker.  One build = claim (lease) -> snapshot + render
 * (incremental) -> deploy to every target -> history commit and push
 * (never fails the build) -> record.  A failure is retried with
 * exponential backoff build.retries times, then the build is failed and
 * its requests wait for the next one.  Builds of a site never overlap:
 * the lease is the lock.
 */
#ifndef KILN_QUEUE_H
#define KILN_QUEUE_H

#include <stdatomic.h>

struct buf;
struct conf;
struct conf_live;
struct store;

/*
 * Claim and run at most one build.  *build_id is 0 if there was nothing
 * to do.  Returns 0 when a build ran (whatever its outcome: see *ok) or
 * nothing was due, -1 on a store error.
 */
int worker_run_once(const struct conf *c, struct store *st,
    const char *worker, int64_t *build_id, bool *ok, struct buf *err);
/*
 * Run builds until *stop is set.  Idle, it polls the store every 200 ms
 * (requests from other processes and hosts) and wakes at once on
 * queue_wake() (requests made in this process: the HTTP API, the
 * scheduler).  It takes LIVE's current configuration before each claim
 * and keeps it for the whole build, so a reload (SIGHUP) applies from
 * the next build on.
 */
void worker_loop(struct conf_live *live, const char *worker,
    atomic_int *stop);
/* a build may have been requested: wake this process's idle workers */
void queue_wake(void);
/*
 * Worker presence: worker_loop writes {worker, until} under this store
 * state key every build.heartbeat (its build's heartbeat thread too),
 * valid for build.lease, and deletes it when it stops.  1 and the
 * worker's name in NAME when a worker is consuming the queue, 0 when
 * none is, -1 on a store error.
 */
#define QUEUE_WORKER_KEY "queue.worker"
int queue_worker_alive(struct store *st, char *name, size_t len,
    struct buf *err);
/*
 * Roll the site back to the tree of build ID from history: export, deploy
 * through the normal deploy, recorded as a build with reason "rollback".
 */
int worker_rollback(const struct conf *c, struct store *st, int64_t id,
    int64_t *new_id, struct buf *err);
/* a name for this worker: host:pid */
void worker_name(char *out, size_t outsz);

#endif
