/* SPDX-License-Identifier: ISC */
/*
 * scheduler.h: the daemon's clock.  Publishes due revisions and takes
 * expired pages down at their time (it sleeps until the next one, at most
 * a second at a time so that new schedules are seen), rebuilds when a
 * time-filtered collection changes, and runs the cron tasks of kiln.yaml
 * (republish, gc, stuck check) once per due minute, remembering the last
 * run in the store so a restart neither repeats nor skips one.
 */
#ifndef KILN_SCHEDULER_H
#define KILN_SCHEDULER_H

#include <stdatomic.h>

struct conf_live;

/*
 * Until *stop: each tick takes LIVE's current configuration, so a reload
 * (SIGHUP) applies from the next tick on.
 */
void scheduler_loop(struct conf_live *live, atomic_int *stop);

#endif
