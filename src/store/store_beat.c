/* SPDX-License-Identifier: ISC */
/* store_beat.c: the lease heartbeat thread (see store_beat.h) */
#include "common/compat.h"

#include <unistd.h>

#include "common/buf.h"
#include "common/log.h"
#include "common/testhook.h"
#include "conf/conf.h"
#include "store/store.h"
#include "store/store_beat.h"

static void *
beat_run(void *arg)
{
	struct store_beat *b = arg;
	struct store *st = NULL;
	struct buf err = BUF_INIT;
	int64_t every = b->c->build.heartbeat > 0 ? b->c->build.heartbeat : 10;
	int64_t lease = b->c->build.lease > 0 ? b->c->build.lease : 60;

	if (store_open_conf(b->c, &st, &err) == -1) {
		log_warnx("%s: %s", b->what, err.buf);
		buf_release(&err);
		return NULL;
	}
	while (!atomic_load(&b->stop)) {
		for (int64_t t = 0; t < every * 10 && !atomic_load(&b->stop);
		    t++)
			usleep(100000);
		/* a test stops the beat as a stopped process would */
		if (atomic_load(&b->stop) ||
		    testhook_file(TESTHOOK_HOLD_HEARTBEAT))
			continue;
		buf_reset(&err);
		if (b->renew(st, b->arg, lease, &err) == -1) {
			log_warnx("%s: %s", b->what, err.buf);
			/* taken over: the build stops at its next step */
			if (store_err_kind(st) == ERR_CONFLICT) {
				atomic_store(&b->lost, 1);
				break;
			}
		}
	}
	store_close(st);
	buf_release(&err);
	return NULL;
}

void
store_beat_start(struct store_beat *b)
{
	atomic_init(&b->stop, 0);
	atomic_init(&b->lost, 0);
	b->running = pthread_create(&b->th, NULL, beat_run, b) == 0;
	if (!b->running)
		log_warnx("%s: no thread: the lease is renewed only between "
		    "steps", b->what);
}

void
store_beat_stop(struct store_beat *b)
{
	atomic_store(&b->stop, 1);
	if (b->running)
		pthread_join(b->th, NULL);
	b->running = false;
}
