/* SPDX-License-Identifier: ISC */
/*
 * feed.c: the feeder's tick (feed.h).  Which pairs are complete is asked
 * of the targets, not of the store: the marker in the bucket is the
 * truth (decision 0181).  One LIST of feed.prefix per destination costs
 * one request per 1,000 keys whatever the list's length; a HEAD per
 * pair would cost one request per unit version and tick, and is made
 * only where a destination refuses to list (decision 0274).
 */
#include "common/compat.h"

#include <jansson.h>

#include "common/buf.h"
#include "common/timeutil.h"
#include "common/xmalloc.h"
#include "conf/conf.h"
#include "deploy/deploy.h"
#include "feed/feed.h"
#include "store/store.h"
#include "store/store_unit.h"

#define FEED_LAST_TICK "feed.last_tick"

/* markers seen: "id/version" -> bitmask of destinations */
struct seen {
	json_t *map;
};

static int
seen_cb(const char *key, size_t dest, void *arg)
{
	struct seen *s = arg;
	size_t kl = strlen(key);
	char *pair;
	json_int_t bits;

	if (kl <= 10)
		return 0;
	pair = xstrndup(key, kl - 10);	/* without "/.complete" */
	bits = json_integer_value(json_object_get(s->map, pair));
	if (dest < 62)
		bits |= (json_int_t)1 << dest;
	json_object_set_new(s->map, pair, json_integer(bits));
	free(pair);
	return 0;
}

/* WANT[i]: entry i lacks its marker on some destination */
static int
missing(const struct conf *c, const struct feed_list *l, bool *want,
    struct feed_tick *t, struct buf *err)
{
	struct seen s = { json_object() };
	char **keys = xcalloc(l->n + 1, sizeof(*keys));
	size_t nd;
	int rc;

	/* the markers a HEAD asks for, where a target cannot list */
	for (size_t i = 0; i < l->n; i++)
		keys[i] = xasprintf("%s/%s/.complete", l->e[i].id,
		    l->e[i].version);
	rc = deploy_unit_markers(c, c->feed.prefix, (const char *const *)keys,
	    l->n, seen_cb, &s, &nd, &t->requests, &t->method, err);
	for (size_t i = 0; i < l->n; i++)
		free(keys[i]);
	free(keys);
	if (rc == 0) {
		json_int_t all = nd >= 62 ? -1 : ((json_int_t)1 << nd) - 1;
		for (size_t i = 0; i < l->n; i++) {
			char *pair = xasprintf("%s/%s", l->e[i].id,
			    l->e[i].version);
			want[i] = nd == 0 || (json_integer_value(
			    json_object_get(s.map, pair)) & all) != all;
			free(pair);
		}
	}
	json_decref(s.map);
	return rc;
}

static void
unit_state(struct feed_tick *t, const struct feed_entry *e, const char *st)
{
	json_array_append_new(json_object_get(t->report, "units"),
	    json_pack("{s:s, s:s, s:s}", "id", e->id, "version", e->version,
	    "state", st));
}

static void
count_state(struct feed_tick *t, const char *state)
{
	if (!strcmp(state, "queued"))
		t->queued++;
	else if (!strcmp(state, "pending"))
		t->pending++;
	else
		t->failed++;
}

/* queue the picked entries; the rest that lack a marker are deferred */
static int
queue_missing(const struct conf *c, struct store *st,
    const struct feed_list *l, const bool *want, bool dry_run,
    struct feed_tick *t, struct buf *err)
{
	for (size_t i = 0; i < l->n; i++) {
		const char *state = "queued";
		if (!want[i]) {
			t->complete++;
			unit_state(t, &l->e[i], "complete");
			continue;
		}
		if (t->queued >= (size_t)c->feed.max_per_tick) {
			t->deferred++;
			unit_state(t, &l->e[i], "deferred");
			continue;
		}
		if (!dry_run && store_unit_enqueue(st, l->e[i].id,
		    l->e[i].version, l->e[i].source, &state, err) == -1)
			return -1;
		count_state(t, state);
		unit_state(t, &l->e[i], state);
	}
	return 0;
}

/* unit builds that succeeded since the previous tick */
static void
tick_built(struct store *st, bool dry_run, struct feed_tick *t)
{
	struct buf v = BUF_INIT, e = BUF_INIT;
	int64_t since = 0, now = time_now();
	json_t *stats = NULL;
	char txt[32];

	if (store_state_get(st, FEED_LAST_TICK, &v, &e) == 0 && v.len)
		since = strtoll(v.buf, NULL, 10);
	if (store_unit_stats(st, since, &stats, &e) == 0)
		t->built = (size_t)json_integer_value(json_object_get(stats,
		    "succeeded_since"));
	json_decref(stats);
	snprintf(txt, sizeof(txt), "%lld", (long long)now);
	if (!dry_run) {
		json_t *j = json_pack("{s:I, s:I, s:I, s:I, s:I}", "at",
		    (json_int_t)now, "queued", (json_int_t)t->queued,
		    "pending", (json_int_t)t->pending, "deferred",
		    (json_int_t)t->deferred, "depth", (json_int_t)(t->queued +
		    t->pending));
		char *jt = json_dumps(j, JSON_COMPACT);
		store_state_set(st, FEED_LAST_TICK, txt, strlen(txt), &e);
		if (jt)
			store_state_set(st, FEED_TICK_KEY, jt, strlen(jt), &e);
		free(jt);
		json_decref(j);
	}
	buf_release(&v);
	buf_release(&e);
}

static void
tick_report(struct feed_tick *t, const struct feed_list *l, bool dry_run)
{
	json_t *r = t->report;

	json_object_set_new(r, "list", json_string(l->from ? l->from : ""));
	json_object_set_new(r, "dry_run", json_boolean(dry_run));
	json_object_set_new(r, "method", json_string(t->method));
	json_object_set_new(r, "requests", json_integer((json_int_t)
	    t->requests));
	json_object_set_new(r, "listed", json_integer((json_int_t)t->listed));
	json_object_set_new(r, "invalid", json_integer((json_int_t)
	    t->invalid));
	json_object_set_new(r, "skipped", json_integer((json_int_t)
	    t->complete));
	json_object_set_new(r, "queued", json_integer((json_int_t)t->queued));
	json_object_set_new(r, "pending", json_integer((json_int_t)
	    t->pending));
	json_object_set_new(r, "deferred", json_integer((json_int_t)
	    t->deferred));
	json_object_set_new(r, "failed", json_integer((json_int_t)t->failed));
	json_object_set_new(r, "built", json_integer((json_int_t)t->built));
	json_object_set(r, "problems", l->problems);
}

int
feed_tick(const struct conf *c, struct store *st, bool dry_run,
    struct feed_tick *t, struct buf *err)
{
	struct feed_list l;
	bool *want = NULL;
	int rc = -1;

	memset(t, 0, sizeof(*t));
	t->method = "list";
	if (!feed_prefix_ok(c->feed.prefix)) {
		buf_setf(err, "feed.prefix: expected lower-case path segments "
		    "each ending in '/', e.g. units/");
		return -1;
	}
	if (feed_list_load(c, &l, err) == -1)
		return -1;
	t->report = json_pack("{s:[]}", "units");
	t->listed = l.n;
	t->invalid = json_array_size(l.problems);
	want = xcalloc(l.n ? l.n : 1, sizeof(*want));
	if (missing(c, &l, want, t, err) == -1 ||
	    queue_missing(c, st, &l, want, dry_run, t, err) == -1)
		goto out;
	tick_built(st, dry_run, t);
	tick_report(t, &l, dry_run);
	rc = 0;
out:
	if (rc == -1)
		feed_tick_release(t);
	free(want);
	feed_list_release(&l);
	return rc;
}

void
feed_tick_release(struct feed_tick *t)
{
	json_decref(t->report);
	t->report = NULL;
}
