/* SPDX-License-Identifier: ISC */
/*
 * worker_loop.c: the daemon's worker loop (see queue.h): it wakes on
 * queue_wake() and on every node's build requests (PostgreSQL LISTEN),
 * says that it consumes the queue (QUEUE_WORKER_KEY), runs one build at a
 * time through worker_run_once (worker.c) and takes a reloaded
 * configuration between builds.
 */
#include "common/compat.h"

#include <pthread.h>
#include <stdatomic.h>

#include <jansson.h>

#include "common/buf.h"
#include "common/log.h"
#include "common/timeutil.h"
#include "conf/conf.h"
#include "conf/conf_live.h"
#include "feed/feed.h"
#include "queue/queue.h"
#include "queue/worker_int.h"
#include "store/store.h"

/* set on worker_loop's thread: its builds' heartbeats show presence */
static _Thread_local bool in_loop;

bool
worker_in_loop(void)
{
	return in_loop;
}

void
worker_presence(struct store *st, const char *worker, int64_t lease)
{
	struct buf err = BUF_INIT;
	json_t *j = json_pack("{s:s, s:I}", "worker", worker, "until",
	    (json_int_t)(time_now() + lease));
	char *txt = json_dumps(j, JSON_COMPACT);

	if (txt && store_state_set(st, QUEUE_WORKER_KEY, txt, strlen(txt),
	    &err) == -1)
		log_warnx("worker: presence: %s", err.buf);
	free(txt);
	json_decref(j);
	buf_release(&err);
}

int
queue_worker_alive(struct store *st, char *name, size_t len,
    struct buf *err)
{
	struct buf v = BUF_INIT;
	json_t *j;
	int r;

	if ((r = store_state_get(st, QUEUE_WORKER_KEY, &v, err)) == -1) {
		buf_release(&v);
		return -1;
	}
	r = 0;
	j = v.len ? json_loadb(v.buf, v.len, 0, NULL) : NULL;
	if (j && json_integer_value(json_object_get(j, "until")) >=
	    time_now()) {
		snprintf(name, len, "%s", json_string_value(json_object_get(j,
		    "worker")) ? json_string_value(json_object_get(j,
		    "worker")) : "?");
		r = 1;
	}
	json_decref(j);
	buf_release(&v);
	return r;
}

static pthread_mutex_t wake_mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t wake_cv = PTHREAD_COND_INITIALIZER;
static uint64_t wake_gen;	/* bumped by every queue_wake() */

void
queue_wake(void)
{
	pthread_mutex_lock(&wake_mu);
	wake_gen++;
	pthread_cond_broadcast(&wake_cv);
	pthread_mutex_unlock(&wake_mu);
}

/* sleep up to MS, or until queue_wake() after generation SEEN */
static void
nap(uint64_t seen, int ms)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	ts.tv_nsec += (long)ms * 1000000L;
	ts.tv_sec += ts.tv_nsec / 1000000000L;
	ts.tv_nsec %= 1000000000L;
	pthread_mutex_lock(&wake_mu);
	while (wake_gen == seen &&
	    pthread_cond_timedwait(&wake_cv, &wake_mu, &ts) == 0)
		;
	pthread_mutex_unlock(&wake_mu);
}

struct listener {
	struct store *st;
	atomic_int *stop;
};

/* a connection of its own that hears every node's build requests and
   wakes this process's idle workers (PostgreSQL; decision 0144) */
static void *
listen_thread(void *arg)
{
	struct listener *l = arg;

	while (!atomic_load(l->stop)) {
		int r = store_wait(l->st, 500);
		if (r == 1)
			queue_wake();
		else if (r == -1) {
			/* the server is away: try again in a while */
			struct timespec ts = { 0, 500 * 1000000L };
			nanosleep(&ts, NULL);
		}
	}
	return NULL;
}

static bool
listen_start(const struct conf *c, struct listener *l, pthread_t *t,
    atomic_int *stop)
{
	struct buf err = BUF_INIT;

	l->stop = stop;
	if (store_open_conf(c, &l->st, &err) == -1 ||
	    store_listen(l->st, &err) != 0) {
		if (err.len)
			log_warnx("worker: cannot listen: %s", err.buf);
		store_close(l->st);
		l->st = NULL;
		buf_release(&err);
		return false;
	}
	buf_release(&err);
	return pthread_create(t, NULL, listen_thread, l) == 0;
}

void
worker_loop(struct conf_live *live, const char *worker,
    atomic_int *stop)
{
	struct listener l;
	pthread_t lt;
	bool listening;
	struct store *st = NULL;
	struct buf err = BUF_INIT;
	const struct conf *c;
	uint64_t gen, used;
	int64_t next_presence = 0;

	/* the store cannot change without a restart (0065) */
	c = conf_live_get(live, &used);
	if (store_open_conf(c, &st, &err) == -1) {
		log_warnx("worker: %s", err.buf);
		conf_live_put(live, c);
		buf_release(&err);
		return;
	}
	listening = listen_start(c, &l, &lt, stop);
	/* unit builds of a multi-unit site: threads of their own (feed.h) */
	struct feed_pool *units = feed_pool_start(live, worker, stop);
	in_loop = true;
	while (!atomic_load(stop)) {
		int64_t id = 0, now;
		uint64_t seen;
		bool ok;

		/* presence: every build.heartbeat, valid for build.lease */
		if ((now = time_now()) >= next_presence) {
			worker_presence(st, worker, c->build.lease > 0 ?
			    c->build.lease : 60);
			next_presence = now + (c->build.heartbeat > 0 ?
			    c->build.heartbeat : 10);
		}
		conf_live_put(live, c);
		pthread_mutex_lock(&wake_mu);
		seen = wake_gen;
		pthread_mutex_unlock(&wake_mu);
		buf_reset(&err);
		/* between builds: the safe point to take a reloaded conf */
		c = conf_live_get(live, &gen);
		if (gen != used) {
			log_info("worker: configuration %llu in use",
			    (unsigned long long)gen);
			used = gen;
		}
		if (worker_run_once(c, st, worker, &id, &ok, &err) == -1)
			log_warnx("worker: %s", err.buf);
		if (!id)
			nap(seen, 200);
	}
	conf_live_put(live, c);
	feed_pool_join(units);
	in_loop = false;
	/* stopping: no longer consuming, unless another worker took over */
	{
		char name[160];
		buf_reset(&err);
		if (queue_worker_alive(st, name, sizeof(name), &err) == 1 &&
		    !strcmp(name, worker) && store_state_delete(st,
		    QUEUE_WORKER_KEY, &err) == -1)
			log_warnx("worker: %s", err.buf);
	}
	if (listening) {
		pthread_join(lt, NULL);
		store_close(l.st);
	}
	store_close(st);
	buf_release(&err);
}
