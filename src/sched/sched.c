/* SPDX-License-Identifier: ISC */
/*
 * sched.c: see sched.h.  Runs on its own thread with its own
 * store handle.
 */
#include "common/compat.h"

#include <jansson.h>

#include "common/buf.h"
#include "common/log.h"
#include "common/timeutil.h"
#include "conf/conf.h"
#include "conf/conf_live.h"
#include "feed/feed.h"
#include "sched/cron.h"
#include "sched/sched.h"
#include "history/history.h"
#include "notify/notify.h"
#include "store/store_build.h"
#include "queue/queue.h"
#include "store/store.h"

/*
 * A time-filtered collection (upcoming events) changes when its next
 * item passes: the last build recorded when; request a build then, once.
 */
static void
collection_change(struct store *st, int64_t now)
{
	json_t *list = NULL, *last, *counts;
	struct buf err = BUF_INIT, v = BUF_INIT;
	int64_t when, done = 0, req;
	char val[32];

	if (store_build_list(st, 1, &list, &err) == -1 ||
	    !json_array_size(list))
		goto out;
	last = json_array_get(list, 0);
	if (strcmp(json_string_value(json_object_get(last, "status")),
	    "succeeded") != 0)
		goto out;
	counts = json_object_get(last, "counts");
	when = json_integer_value(json_object_get(counts, "next_change"));
	if (!when || when > now)
		goto out;
	if (store_state_get(st, "sched.collection_change", &v, &err) == 0)
		done = strtonum(v.buf, 0, INT64_MAX, NULL);
	if (done == when)
		goto out;
	snprintf(val, sizeof(val), "%lld", (long long)when);
	if (store_request_build(st, "collection changed", "scheduler", &req,
	    &err) == 0 && store_state_set(st, "sched.collection_change", val,
	    strlen(val), &err) == 0)
		log_info("scheduler: a time-filtered collection changed; "
		    "rebuild requested");
out:
	if (err.len)
		log_warnx("scheduler: %s", err.buf);
	json_decref(list);
	buf_release(&err);
	buf_release(&v);
}

int
sched_gc(const struct conf *c, struct store *st, struct sched_gc_result *r,
    struct buf *err)
{
	char *repo;
	int pruned;

	memset(r, 0, sizeof(*r));
	if (store_build_gc(st, c->retention.builds, c->retention.logs_days,
	    &r->removed, &r->logs_cleared, err) == -1)
		return -1;
	if (!c->history.enabled || c->history.keep <= 0)
		return 0;
	repo = conf_path(c, c->history.path);
	pruned = history_prune(repo, c->history.branch,
	    (size_t)c->history.keep, err);
	free(repo);
	if (pruned == -1)
		return -1;
	r->pruned = pruned;
	return 0;
}

/* run a cron task if a due minute passed since its last run */
static void
cron_task(const struct conf *c, struct store *st, const char *name,
    const char *expr, const struct cron *cr, int64_t now)
{
	struct buf v = BUF_INIT, err = BUF_INIT;
	char key[64], val[32];
	int64_t last = 0, next;

	if (!expr || !*expr)
		return;
	snprintf(key, sizeof(key), "sched.last.%s", name);
	if (store_state_get(st, key, &v, &err) == 0)
		last = strtonum(v.buf, 0, INT64_MAX, NULL);
	else {
		/* first run of this task: start counting from now */
		snprintf(val, sizeof(val), "%lld", (long long)now);
		store_state_set(st, key, val, strlen(val), &err);
		goto out;
	}
	next = cron_next(cr, last);
	if (next > now)
		goto out;
	snprintf(val, sizeof(val), "%lld", (long long)now);
	/* several nodes share the store: only the one that moves the
	   mark from what it read runs the task */
	if (store_state_swap(st, key, v.buf, val, &err) != 1)
		goto out;
	if (!strcmp(name, "republish")) {
		int64_t req;
		if (store_request_build(st, "republish", "scheduler", &req,
		    &err) == 0)
			log_info("scheduler: periodic republish requested");
	} else if (!strcmp(name, "gc")) {
		struct sched_gc_result r;
		if (sched_gc(c, st, &r, &err) == 0)
			log_info("scheduler: gc removed %zu build records, "
			    "cleared %zu logs", r.removed, r.logs_cleared);
		else {
			log_warnx("scheduler: gc: %s", err.buf);
			buf_reset(&err);
		}
	} else if (!strcmp(name, "feed")) {
		struct feed_tick t;
		if (feed_tick(c, st, false, &t, &err) == 0) {
			log_info("scheduler: feed: queued %zu, skipped %zu, "
			    "failed %zu, deferred %zu", t.queued, t.complete,
			    t.failed, t.deferred);
			feed_tick_release(&t);
		}
	} else if (!strcmp(name, "stuck_check")) {
		size_t n;
		if (notify_check(&c->notify, c->site.title, st, 1800, &n,
		    &err) == 0 && n)
			log_info("scheduler: %zu stalled-build reports", n);
	}
out:
	if (err.len)
		log_warnx("scheduler: %s: %s", name, err.buf);
	buf_release(&v);
	buf_release(&err);
}

void
sched_loop(struct conf_live *live, atomic_int *stop)
{
	struct store *st = NULL;
	struct buf err = BUF_INIT;
	struct sched_report rep;
	int64_t last_check = 0;
	bool ticked = false;
	const struct conf *c = conf_live_get(live, NULL);

	/* the store cannot change without a restart (0065) */
	if (store_open_conf(c, &st, &err) == -1) {
		log_warnx("scheduler: %s", err.buf);
		conf_live_put(live, c);
		buf_release(&err);
		return;
	}
	conf_live_put(live, c);
	while (!atomic_load(stop)) {
		int64_t now = time_now(), next = 0;

		/* each tick: the safe point to take a reloaded conf */
		c = conf_live_get(live, NULL);

		buf_reset(&err);
		if (store_run_scheduled(st, now, false, "scheduler", &rep,
		    &err) == -1)
			log_warnx("scheduler: %s", err.buf);
		else {
			if (rep.published || rep.expired)
				log_info("scheduler: %zu published, %zu "
				    "expired", rep.published, rep.expired);
			json_decref(rep.changes);
		}
		collection_change(st, now);
		cron_task(c, st, "republish", c->schedule.republish,
		    &c->schedule.republish_cron, now);
		queue_wake();	/* cheap; an idle worker only re-polls */
		cron_task(c, st, "gc", c->schedule.gc, &c->schedule.gc_cron,
		    now);
		cron_task(c, st, "stuck_check", c->schedule.stuck_check,
		    &c->schedule.stuck_check_cron, now);
		if (c->feed.list)
			cron_task(c, st, "feed", c->feed.schedule,
			    &c->feed.schedule_cron, now);
		/* stalled builds and due reminders, every few seconds */
		if (now - last_check >= 5) {
			size_t n;
			if (notify_check(&c->notify, c->site.title, st, 1800,
			    &n, &err) == -1)
				log_warnx("scheduler: report: %s", err.buf);
			last_check = now;
		}
		conf_live_put(live, c);
		/* a state a test (or an operator) can wait for */
		if (!ticked) {
			log_info("scheduler: first pass done");
			ticked = true;
		}
		/* sleep to the next due time, at most a second */
		store_next_scheduled(st, now, &next, &err);
		for (int i = 0; i < 10 && !atomic_load(stop); i++) {
			if (next && time_now() >= next)
				break;
			usleep(100000);
		}
	}
	store_close(st);
	buf_release(&err);
}
