/* SPDX-License-Identifier: ISC */
/*
 * sched.h: the daemon's clock.  Publishes due revisions and takes
 * expired pages down at their time (it sleeps until the next one, at most
 * a second at a time so that new schedules are seen), rebuilds when a
 * time-filtered collection changes, and runs the cron tasks of kiln.yaml
 * (republish, gc, stuck check) once per due minute, remembering the last
 * run in the store so a restart neither repeats nor skips one.
 */
#ifndef KILN_SCHED_H
#define KILN_SCHED_H

#include <stdatomic.h>

struct buf;
struct conf;
struct conf_live;
struct store;

/*
 * Until *stop: each tick takes LIVE's current configuration, so a reload
 * (SIGHUP) applies from the next tick on.
 */
void sched_loop(struct conf_live *live, atomic_int *stop);

struct sched_gc_result {
	size_t removed;			/* build records dropped */
	size_t logs_cleared;
	int pruned;			/* history commits dropped */
};

/*
 * Retention, for `kiln gc` and the gc cron task: build records and logs
 * (retention.*), and the build history when history.keep is set (a
 * history that does not exist yet is not an error).
 */
int sched_gc(const struct conf *c, struct store *st,
    struct sched_gc_result *r, struct buf *err);

#endif
