/* SPDX-License-Identifier: ISC */
/*
 * http_metrics.c: the Prometheus text of /metrics, from the numbers the
 * store returns (store_build_stats, store_build_metrics).
 */
#include "common/compat.h"

#include <jansson.h>

#include "common/buf.h"
#include "common/timeutil.h"
#include "feed/feed.h"
#include "http/http_int.h"
#include "store/store.h"
#include "store/store_build.h"
#include "store/store_unit.h"

/* one histogram: HELP, TYPE, the buckets, sum and count */
static void
histogram(struct buf *out, const char *name, const char *help,
    const struct build_hist *h, int64_t count, bool frac_sum)
{
	buf_printf(out, "# HELP %s %s\n# TYPE %s histogram\n", name, help,
	    name);
	for (size_t i = 0; i < BUILD_METRIC_BOUNDS; i++)
		buf_printf(out, "%s_bucket{le=\"%lld\"} %lld\n", name,
		    (long long)store_build_metric_bounds[i],
		    (long long)h->bucket[i]);
	buf_printf(out, "%s_bucket{le=\"+Inf\"} %lld\n", name,
	    (long long)h->bucket[BUILD_METRIC_BOUNDS]);
	if (frac_sum)
		buf_printf(out, "%s_sum %.3f\n", name,
		    (double)h->sum_ms / 1000.0);
	else
		buf_printf(out, "%s_sum %lld\n", name,
		    (long long)(h->sum_ms / 1000));
	buf_printf(out, "%s_count %lld\n", name, (long long)count);
}

static void
gauge(struct buf *out, const char *name, const char *type, const char *help,
    int64_t v)
{
	buf_printf(out, "# HELP %s %s\n# TYPE %s %s\n%s %lld\n", name, help,
	    name, type, name, (long long)v);
}

static void
builds_text(struct buf *out, const struct build_metrics *m)
{
	histogram(out, "kiln_build_duration_seconds", "Build time, start to "
	    "finish (last 1,000 successful builds).", &m->duration, m->count,
	    false);
	histogram(out, "kiln_publish_to_live_seconds", "First request to "
	    "deployed (last 1,000 successful builds).", &m->publish_to_live,
	    m->count, false);
	histogram(out, "kiln_deploy_duration_seconds", "Deploy time (last "
	    "1,000 successful builds).", &m->deploy, m->count, true);
	gauge(out, "kiln_invalidated_urls", "gauge", "URLs invalidated on "
	    "the CDN by those builds.", m->invalidated);
	gauge(out, "kiln_objects_uploaded", "gauge", "Objects uploaded by "
	    "those builds.", m->uploaded);
	gauge(out, "kiln_objects_deleted", "gauge", "Objects deleted by "
	    "those builds.", m->deleted);
	gauge(out, "kiln_bytes_uploaded", "gauge", "Bytes uploaded by those "
	    "builds.", m->bytes);
	buf_adds(out, "# HELP kiln_last_deploy_timestamp_seconds Last "
	    "successful deploy per target and mirror.\n"
	    "# TYPE kiln_last_deploy_timestamp_seconds gauge\n");
	for (size_t i = 0; i < m->nlast_deploy; i++)
		buf_printf(out, "kiln_last_deploy_timestamp_seconds{target="
		    "\"%s\"} %lld\n", m->last_deploy[i].target,
		    (long long)m->last_deploy[i].at);
}

/*
 * Each target's results in the last 100 unit builds (decision 0273):
 * kiln_unit_targets{target, status} from the records' targets lists
 */
static int
units_targets_text(struct store *st, struct buf *out, struct buf *err)
{
	json_t *list = NULL, *by = json_object(), *b, *t, *n;
	const char *name;
	size_t i, k;

	if (store_unit_list(st, 100, &list, err) == -1) {
		json_decref(by);
		return -1;
	}
	json_array_foreach(list, i, b)
		json_array_foreach(json_object_get(b, "targets"), k, t) {
			struct buf key = BUF_INIT;
			buf_printf(&key, "%s\x1f%s", json_string_value(
			    json_object_get(t, "name")), json_string_value(
			    json_object_get(t, "status")));
			n = json_object_get(by, key.buf);
			json_object_set_new(by, key.buf, json_integer(
			    json_integer_value(n) + 1));
			buf_release(&key);
		}
	buf_adds(out, "# HELP kiln_unit_targets Results per target and "
	    "mirror of the last 100 unit builds.\n"
	    "# TYPE kiln_unit_targets gauge\n");
	json_object_foreach(by, name, n) {
		const char *us = strchr(name, '\x1f');
		buf_printf(out, "kiln_unit_targets{target=\"%.*s\",status="
		    "\"%s\"} %lld\n", (int)(us - name), name, us + 1,
		    (long long)json_integer_value(n));
	}
	json_decref(by);
	json_decref(list);
	return 0;
}

/* unit builds of a multi-unit site (src/feed/, docs/units.md) */
static int
units_text(struct store *st, struct buf *out, struct buf *err)
{
	static const char *const states[] = { "queued", "running",
	    "succeeded", "failed" };
	struct buf v = BUF_INIT;
	json_t *s = NULL, *tick;

	if (store_unit_stats(st, time_now() - 3600, &s, err) == -1)
		return -1;
	buf_adds(out, "# HELP kiln_unit_builds Unit builds by status.\n"
	    "# TYPE kiln_unit_builds gauge\n");
	for (size_t i = 0; i < NELEM(states); i++)
		buf_printf(out, "kiln_unit_builds{status=\"%s\"} %lld\n",
		    states[i], (long long)json_integer_value(json_object_get(s,
		    states[i])));
	gauge(out, "kiln_units_per_hour", "gauge", "Unit builds that "
	    "succeeded in the last hour.", json_integer_value(
	    json_object_get(s, "succeeded_since")));
	json_decref(s);
	tick = store_state_get(st, FEED_TICK_KEY, &v, err) == 0 && v.len ?
	    json_loadb(v.buf, v.len, 0, NULL) : NULL;
	buf_reset(err);
	gauge(out, "kiln_feed_queue_depth", "gauge", "Unit builds queued or "
	    "running after the last feeder tick.", json_integer_value(
	    json_object_get(tick, "depth")));
	gauge(out, "kiln_feed_last_tick_queued", "gauge", "Unit builds the "
	    "last feeder tick queued.", json_integer_value(json_object_get(
	    tick, "queued")));
	json_decref(tick);
	buf_release(&v);
	return units_targets_text(st, out, err);
}

int
http_metrics_text(struct store *st, long requests, struct buf *out,
    struct buf *err)
{
	struct build_metrics m;
	json_t *s = NULL, *v;
	const char *k;
	int64_t seq = 0;

	if (store_build_stats(st, &s, err) == -1)
		return -1;
	store_change_seq(st, &seq, err);
	buf_adds(out, "# HELP kiln_builds Builds by status.\n"
	    "# TYPE kiln_builds gauge\n");
	json_object_foreach(json_object_get(s, "builds"), k, v)
		buf_printf(out, "kiln_builds{status=\"%s\"} %lld\n", k,
		    (long long)json_integer_value(v));
	gauge(out, "kiln_pending_requests", "gauge", "Build requests no "
	    "build has satisfied yet.", json_integer_value(json_object_get(s,
	    "pending_requests")));
	gauge(out, "kiln_pending_request_age_seconds", "gauge", "Age of the "
	    "oldest pending request.", json_integer_value(json_object_get(s,
	    "oldest_pending_age")));
	json_decref(s);
	gauge(out, "kiln_change_sequence", "counter", "The content change "
	    "sequence.", seq);
	gauge(out, "kiln_http_requests_total", "counter", "HTTP requests "
	    "served.", requests);
	if (store_build_metrics(st, &m, err) == -1)
		return -1;
	builds_text(out, &m);
	store_build_metrics_release(&m);
	return units_text(st, out, err);
}
