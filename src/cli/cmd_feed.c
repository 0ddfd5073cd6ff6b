/* SPDX-License-Identifier: ISC */
/*
 * cmd_feed.c: `kiln feed [--once] [--dry-run] [--json]`: the feeder of a
 * multi-unit site (src/feed/, docs/units.md).
 */
#include "common/compat.h"

#include <getopt.h>

#include <jansson.h>

#include "common/buf.h"
#include "conf/conf.h"
#include "feed/feed.h"
#include "queue/queue.h"
#include "store/store.h"
#include "store/store_unit.h"
#include "cli/cli.h"
#include "cli/site.h"

static const struct cli_opt feed_opts[] = {
	{ 'o', "once", 0, NULL,
	    "Run one tick and exit: queue the units whose marker is "
	    "missing, at most feed.max_per_tick.", NULL, false },
	{ 'n', "dry-run", 0, NULL,
	    "Say what a tick would queue; queue nothing.", NULL, false },
	{ 'j', "json", 0, NULL,
	    "Print each tick's report as JSON.", NULL, false },
	CLI_OPT_END
};

static const char *const feed_examples[] = {
	"kiln feed --once            # one tick; workers build the units",
	"kiln feed --dry-run --json  # what is missing, per unit",
	"kiln feed                   # ticks until every unit is built",
	NULL
};

const struct cli_cmd cli_cmd_feed = {
	"feed", "", "Queue the units of a multi-unit site whose marker is "
	"missing.",
	"Reads feed.list (a JSON list of {\"id\", \"version\", \"source\"}), "
	"finds the unit versions without their marker "
	"PREFIX/ID/VERSION/.complete on every target (one LIST of "
	"feed.prefix per target; one HEAD per unit version where a target "
	"refuses to list) and queues at most feed.max_per_tick of "
	"them; kiln worker and kiln serve build them, feed.concurrency at a "
	"time each. Bad entries are reported with their index and skipped. "
	"Prints what the tick queued, built (since the previous tick), "
	"skipped (complete) and failed (for good); exits 0 when the tick "
	"ran, even if a unit failed.\n\n"
	"Without --once it ticks again whenever the queue has drained, "
	"until a tick finds nothing to queue; while no kiln worker or kiln "
	"serve consumes the queue, it builds the units itself, one at a "
	"time (docs/units.md).",
	feed_opts, feed_examples, NULL, cmd_feed, false
};

static void
print_tick(const struct feed_tick *t, bool json)
{
	json_t *p;
	size_t i;

	if (json) {
		cli_print_json(t->report);
		return;
	}
	json_array_foreach(json_object_get(t->report, "problems"), i, p)
		fprintf(stderr, "kiln: feed list entry %lld: %s\n",
		    (long long)json_integer_value(json_object_get(p, "index")),
		    json_string_value(json_object_get(p, "error")));
	cli_info("queued %zu, built %zu, skipped %zu, failed %zu (pending "
	    "%zu, deferred %zu, invalid %zu; %zu requests, %s)\n", t->queued,
	    t->built, t->complete, t->failed, t->pending, t->deferred,
	    t->invalid, t->requests, t->method);
}

/*
 * Until no unit build is queued or running: the workers build them; with
 * no worker consuming the queue, this process does, one at a time.
 */
static int
drain(const struct conf *c, struct store *st, struct buf *err)
{
	char name[160], me[160];

	worker_name(me, sizeof(me));
	for (;;) {
		json_t *s = NULL;
		json_int_t left;
		bool ran = false;
		int alive;
		if (store_unit_stats(st, 0, &s, err) == -1)
			return -1;
		left = json_integer_value(json_object_get(s, "queued")) +
		    json_integer_value(json_object_get(s, "running"));
		json_decref(s);
		if (!left)
			return 0;
		if ((alive = queue_worker_alive(st, name, sizeof(name),
		    err)) == -1)
			return -1;
		if (!alive && feed_unit_run(c, st, me, &ran, err) == -1)
			return -1;
		if (!ran)
			usleep(200000);
	}
}

static int
feed_loop(struct site *s, bool once, bool dry, bool json, struct buf *err)
{
	for (;;) {
		struct feed_tick t;
		bool more;
		if (feed_tick(s->conf, s->st, dry, &t, err) == -1)
			return -1;
		print_tick(&t, json);
		more = t.queued || t.pending || t.deferred;
		feed_tick_release(&t);
		if (once || dry || !more)
			return 0;
		if (drain(s->conf, s->st, err) == -1)
			return -1;
	}
}

int
cmd_feed(int argc, char **argv)
{
	struct buf err = BUF_INIT;
	struct site s;
	bool once = false, dry = false, json = false;
	int ch, rc = EXIT_OK;

	while ((ch = cli_getopt(&cli_cmd_feed, argc, argv)) != -1) {
		if (ch == 'o')
			once = true;
		else if (ch == 'n')
			dry = true;
		else if (ch == 'j')
			json = true;
		else
			return cli_bad_usage(&cli_cmd_feed);
	}
	if (optind != argc)
		return cli_bad_usage(&cli_cmd_feed);
	if (site_open(&s, &err) == -1) {
		rc = cli_fail(&err);
		buf_release(&err);
		return rc;
	}
	if (feed_loop(&s, once, dry, json, &err) == -1)
		rc = cli_fail(&err);
	site_close(&s);
	buf_release(&err);
	return rc;
}
