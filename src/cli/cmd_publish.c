/* SPDX-License-Identifier: ISC */
/*
 * cmd_publish.c: `kiln publish [--wait] [--json]` requests a build; with
 * --wait it runs the build inline (no daemon needed) and prints its
 * record.  `kiln republish` requests a full republish.
 */
#include "common/compat.h"

#include <getopt.h>
#include <jansson.h>

#include "common/buf.h"
#include "common/timeutil.h"
#include "conf/conf.h"
#include "queue/queue.h"
#include "store/store.h"
#include "store/store_build.h"
#include "cli/cli.h"
#include "cli/site.h"

static const struct cli_opt publish_opts[] = {
	{ 'j', "json", 0, NULL, "With --wait: print the build record as "
	    "JSON.", NULL, false },
	{ 'w', "wait", 0, NULL, "Run build, deploy and history now, in this "
	    "process, and print the build record and its log.", NULL, false },
	CLI_OPT_END
};

static const char *const publish_ex[] = {
	"kiln publish              # kiln serve's worker builds it",
	"kiln publish --wait --json", NULL
};
static const char *const republish_ex[] = { "kiln republish --wait", NULL };

const struct cli_cmd cli_cmd_publish = {
	"publish", "", "Request a build of the live content.",
	"Without --wait the request waits for a worker (kiln serve or kiln "
	"worker); if none is consuming the queue (no worker's presence in "
	"the store) it says so on stderr. With --wait, builds run here "
	"until one covering the request has finished, waiting through the "
	"retries of a failed build and for another worker's running build; "
	"the exit status is 1 if the last attempt failed.",
	publish_opts, publish_ex, NULL, cmd_publish, false
};

const struct cli_cmd cli_cmd_republish = {
	"republish", "", "Request a full rebuild and deploy.",
	"As kiln publish, with every page rendered again.", publish_opts,
	republish_ex, NULL, cmd_republish, false
};

/* at most the whole retry schedule and a lease: never forever */
static int64_t
wait_bound(const struct conf *c)
{
	int64_t backoff = c->build.retry_backoff > 0 ? c->build.retry_backoff :
	    10, lease = c->build.lease > 0 ? c->build.lease : 60;
	int retries = c->build.retries < 20 ? c->build.retries : 20;

	return backoff * ((1LL << (retries + 1)) - 1) + 2 * lease;
}

/*
 * Should kiln publish --wait wait for a build it could not start?  Yes
 * while the newest build runs (another worker) or failed with retries
 * left (its requests are pending until the retry).
 */
static bool
must_wait(struct store *st, const struct conf *c, struct buf *err)
{
	json_t *v = NULL, *b;
	const char *status;
	bool r = false;

	if (store_build_list(st, 1, &v, err) != 0)
		return false;
	b = json_array_get(v, 0);
	status = json_string_value(json_object_get(b, "status"));
	if (status && !strcmp(status, "running"))
		r = true;
	else if (status && !strcmp(status, "failed") &&
	    json_integer_value(json_object_get(b, "attempt")) <=
	    c->build.retries)
		r = true;
	json_decref(v);
	return r;
}

static int
request(const struct cli_cmd *cmd, const char *reason, int argc,
    char **argv)
{
	struct buf err = BUF_INIT;
	struct site s;
	bool wait = false, json = false, ok = false;
	int64_t req, id = 0, last = 0;
	int waited = 0;
	json_t *rec = NULL;
	char wname[160];
	int ch, rc = EXIT_FAIL;

	while ((ch = cli_getopt(cmd, argc, argv)) != -1) {
		if (ch == 'w')
			wait = true;
		else if (ch == 'j')
			json = true;
		else
			return cli_bad_usage(cmd);
	}
	if (optind != argc)
		return cli_bad_usage(cmd);
	if (site_open(&s, &err) == -1) {
		rc = cli_fail(&err);
		buf_release(&err);
		return rc;
	}
	if (store_request_build(s.st, reason, cli_actor(), &req, &err) == -1) {
		cli_fail(&err);
		goto out;
	}
	if (!wait) {
		char who[160];

		cli_info("build requested (request %lld)\n", (long long)req);
		rc = EXIT_OK;
		/* a worker's presence in the store says it will be built */
		if (queue_worker_alive(s.st, who, sizeof(who), &err) == 0)
			cli_error("no worker is consuming the queue: start "
			    "kiln serve or kiln worker, or run kiln publish "
			    "--wait");
		else
			cli_verbose("worker %s will build it\n", who);
		goto out;
	}
	/*
	 * Run builds until one covering the request has finished.  When
	 * none can start because another worker's build runs or the last
	 * build failed and waits for its retry, wait for it (polling as an
	 * idle worker does) rather than give up.
	 */
	worker_name(wname, sizeof(wname));
	for (int64_t until = time_now() + wait_bound(s.conf);;) {
		if (worker_run_once(s.conf, s.st, wname, &id, &ok, &err) == -1) {
			cli_fail(&err);
			goto out;
		}
		if (id) {
			last = id;
			if (ok)
				break;
			continue;
		}
		if (!must_wait(s.st, s.conf, &err) || time_now() > until)
			break;
		if (!waited++)
			cli_verbose("waiting for a retry or another worker's "
			    "build\n");
		usleep(200000);
	}
	if (!last) {
		cli_error("no build could start (another worker holds the "
		    "lease, or the last build failed and waits for its retry)");
		goto out;
	}
	if (store_build_get(s.st, last, !json, &rec, &err) != 0) {
		cli_fail(&err);
		goto out;
	}
	if (json) {
		char *d = json_dumps(rec, JSON_INDENT(2));
		printf("%s\n", d);
		free(d);
	} else
		printf("build %lld %s: %s\n%s", (long long)last,
		    json_string_value(json_object_get(rec, "status")),
		    json_string_value(json_object_get(rec, "reasons")),
		    json_string_value(json_object_get(rec, "log")));
	rc = ok ? EXIT_OK : EXIT_FAIL;
out:
	json_decref(rec);
	site_close(&s);
	buf_release(&err);
	return rc;
}

int
cmd_publish(int argc, char **argv)
{
	return request(&cli_cmd_publish, "manual", argc, argv);
}

int
cmd_republish(int argc, char **argv)
{
	return request(&cli_cmd_republish, "republish", argc, argv);
}
