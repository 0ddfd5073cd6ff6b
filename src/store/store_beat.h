/* SPDX-License-Identifier: ISC */
/*
 * store_beat.h: the lease heartbeat of a claimed build (a site build in
 * queue/worker.c, a unit build in feed/feed_unit.c).  A thread with a
 * store handle of its own calls RENEW every build.heartbeat until
 * stopped; when RENEW fails with ERR_CONFLICT (the claim was taken over,
 * decision 0170) it sets LOST and stops beating, and the build stops at
 * its next step.  The test hook KILN_TEST_HOLD_HEARTBEAT skips renewals
 * as a stopped process would.
 */
#ifndef KILN_STORE_BEAT_H
#define KILN_STORE_BEAT_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

struct buf;
struct conf;
struct store;

struct store_beat {
	const struct conf *c;
	const char *what;		/* for the log: "heartbeat" */
	/* renew the lease for LEASE seconds; 0, or -1 with err */
	int (*renew)(struct store *st, void *arg, int64_t lease,
	    struct buf *err);
	void *arg;
	atomic_int stop;
	atomic_int lost;		/* the lease was taken over */
	pthread_t th;
	bool running;
};

/* start beating (B->c, what, renew and arg set by the caller) */
void store_beat_start(struct store_beat *b);
/* stop and join; B->lost stays readable */
void store_beat_stop(struct store_beat *b);

#endif
