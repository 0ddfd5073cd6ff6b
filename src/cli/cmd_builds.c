/* SPDX-License-Identifier: ISC */
/*
 * cmd_builds.c: `kiln builds list|show|log|retry|rollback`.
 */
#include "common/compat.h"

#include <getopt.h>
#include <jansson.h>

#include "common/buf.h"
#include "conf/conf.h"
#include "queue/queue.h"
#include "store/store.h"
#include "store/store_build.h"
#include "store/store_unit.h"
#include "cli/cli.h"
#include "cli/site.h"

static void
print_json(json_t *v)
{
	char *d = json_dumps(v, JSON_INDENT(2));

	printf("%s\n", d);
	free(d);
}

static const struct cli_opt json_opts[] = {
	{ 'j', "json", 0, NULL, "Print JSON instead of text.", NULL, false },
	CLI_OPT_END
};

static const struct cli_opt rollback_opts[] = {
	{ 'w', "wait", 0, NULL,
	    "Re-deploy now, in this process, instead of queueing the "
	    "rollback for the daemon's worker.", NULL, false },
	CLI_OPT_END
};

static const char *const list_ex[] = {
	"kiln builds list", "kiln builds list --json | jq '.[0].status'", NULL
};
static const char *const show_ex[] = { "kiln builds show 42 --json", NULL };
static const char *const rollback_ex[] = {
	"kiln builds rollback 41          # the daemon's worker does it",
	"kiln builds rollback 41 --wait   # do it now", NULL
};

static const struct cli_cmd builds_list = {
	"builds list", "", "The last 100 build records, newest first.",
	"Columns: id, status, start time, history commit, reasons.",
	json_opts, list_ex, NULL, NULL, false
};
static const struct cli_cmd builds_show = {
	"builds show", "ID", "One build record (without its log).",
	"Field targets: per target and mirror, status deployed, failed "
	"(with its error) or skipped (with the reason), and its uploaded, "
	"deleted and unchanged objects.",
	json_opts, show_ex, NULL, NULL, false
};
static const struct cli_cmd builds_log = {
	"builds log", "ID", "The log of one build.", NULL, NULL, NULL, NULL,
	NULL, false
};
static const struct cli_cmd builds_retry = {
	"builds retry", "ID", "Request a new build (as after a failure).",
	NULL, NULL, NULL, NULL, NULL, false
};
static const struct cli_cmd builds_cancel = {
	"builds cancel", "ID", "Cancel a running build before its deploy, or "
	"a failed one waiting for its retry.",
	"Its requests wait for the next publish.", NULL, NULL, NULL, NULL,
	false
};
static const struct cli_cmd builds_rollback = {
	"builds rollback", "ID", "Re-deploy an earlier build from history.",
	"Queued for the worker of a running kiln serve or kiln worker, "
	"before any other build; --wait does it now and records it as a new "
	"build.", rollback_opts, rollback_ex, NULL, NULL, false
};

static const struct cli_cmd builds_units = {
	"builds units", "", "The last 100 unit builds of a multi-unit site.",
	"Columns: id, status, attempt, unit id, unit version, each "
	"target's result (NAME:deployed, failed or skipped), error "
	"(docs/units.md). --json gives every field, counts, targets (with "
	"their counts, error or reason) and the source included.", json_opts,
	NULL, NULL, NULL, false
};

static const struct cli_cmd *const builds_subs[] = {
	&builds_list, &builds_show, &builds_log, &builds_retry,
	&builds_cancel, &builds_rollback, &builds_units, NULL
};

const struct cli_cmd cli_cmd_builds = {
	"builds", NULL, "Build records: list, show, log, retry, cancel, "
	"rollback, units.", NULL, NULL, NULL, builds_subs, cmd_builds, false
};

/* `kiln builds list`: one line a build */
static void
print_build(json_t *b)
{
	const char *started, *commit;

	started = json_string_value(json_object_get(b, "started_at"));
	commit = json_string_value(json_object_get(b, "commit"));
	printf("%5lld  %-9s  %s  %.12s  %s\n",
	    (long long)json_integer_value(json_object_get(b, "id")),
	    json_string_value(json_object_get(b, "status")),
	    started ? started : "-", commit ? commit : "-",
	    json_string_value(json_object_get(b, "reasons")));
}

/* `kiln builds units`: one line a unit build, its targets' results */
static void
print_unit(json_t *b)
{
	struct buf t = BUF_INIT;
	const char *e = json_string_value(json_object_get(b, "error"));
	size_t k;
	json_t *o;

	json_array_foreach(json_object_get(b, "targets"), k, o)
		buf_printf(&t, "%s%s:%s", k ? "," : "",
		    json_string_value(json_object_get(o, "name")),
		    json_string_value(json_object_get(o, "status")));
	printf("%5lld  %-9s  %lld  %s  %s  %s  %.60s\n",
	    (long long)json_integer_value(json_object_get(b, "id")),
	    json_string_value(json_object_get(b, "status")),
	    (long long)json_integer_value(json_object_get(b, "attempt")),
	    json_string_value(json_object_get(b, "unit")),
	    json_string_value(json_object_get(b, "version")),
	    t.len ? t.buf : "-", e ? e : "");
	buf_release(&t);
}

/* the JSON array V, or one line a row */
static void
print_rows(json_t *v, bool json, void (*row)(json_t *))
{
	size_t i;
	json_t *b;

	if (json) {
		print_json(v);
		return;
	}
	json_array_foreach(v, i, b)
		row(b);
}

int
cmd_builds(int argc, char **argv)
{
	const struct cli_cmd *sc;
	struct buf err = BUF_INIT;
	struct site s;
	const char *sub, *errstr;
	bool json = false, wait = false;
	int64_t id = 0, nid;
	json_t *v = NULL;
	int ch, rc = EXIT_FAIL;

	if (!(sc = cli_subcommand(&cli_cmd_builds, &argc, &argv, &sub)))
		return cli_bad_usage(&cli_cmd_builds);
	while ((ch = cli_getopt(sc, argc, argv)) != -1) {
		if (ch == 'j')
			json = true;
		else if (ch == 'w')
			wait = true;
		else
			return cli_bad_usage(sc);
	}
	if (strcmp(sub, "list") != 0 && strcmp(sub, "units") != 0) {
		if (optind != argc - 1)
			return cli_bad_usage(sc);
		id = strtonum(argv[optind], 1, INT64_MAX, &errstr);
		if (errstr) {
			cli_error("build id '%s': %s", argv[optind], errstr);
			return EXIT_USAGE;
		}
	} else if (optind != argc)
		return cli_bad_usage(sc);
	if (site_open(&s, &err) == -1) {
		rc = cli_fail(&err);
		buf_release(&err);
		return rc;
	}
	if (!strcmp(sub, "list")) {
		if (store_build_list(s.st, 100, &v, &err) == -1)
			goto fail;
		print_rows(v, json, print_build);
	} else if (!strcmp(sub, "units")) {
		if (store_unit_list(s.st, 100, &v, &err) == -1)
			goto fail;
		print_rows(v, json, print_unit);
	} else if (!strcmp(sub, "show") || !strcmp(sub, "log")) {
		int r = store_build_get(s.st, id, true, &v, &err);
		if (r == -1)
			goto fail;
		if (r == 1) {
			cli_error("no build %lld", (long long)id);
			goto out;
		}
		if (!strcmp(sub, "log"))
			printf("%s", json_string_value(json_object_get(v,
			    "log")));
		else if (json)
			print_json(v);
		else {
			json_object_del(v, "log");
			print_json(v);
		}
	} else if (!strcmp(sub, "retry")) {
		if (store_request_build(s.st, "retry", cli_actor(), &nid,
		    &err) == -1)
			goto fail;
		cli_info("build requested (request %lld)\n", (long long)nid);
	} else if (!strcmp(sub, "cancel")) {
		int r = store_build_cancel(s.st, id, &err);
		if (r != 0)
			goto fail;
		cli_info("build %lld cancelled\n", (long long)id);
	} else if (!strcmp(sub, "rollback") && !wait) {
		int r = store_build_rollback_request(s.st, id, &err);
		if (r == -1)
			goto fail;
		if (r == 1) {
			cli_error("%s", err.buf);
			goto out;
		}
		cli_info("rollback to build %lld requested (a running kiln "
		    "serve or kiln worker does it; --wait does it now)\n",
		    (long long)id);
	} else if (!strcmp(sub, "rollback")) {
		if (worker_rollback(s.conf, s.st, id, &nid, &err) == -1)
			goto fail;
		cli_info("rolled back to build %lld (recorded as build %lld)\n",
		    (long long)id, (long long)nid);
	} else {
		rc = cli_bad_usage(sc);
		goto out;
	}
	rc = EXIT_OK;
	goto out;
fail:
	cli_fail(&err);
out:
	json_decref(v);
	site_close(&s);
	buf_release(&err);
	return rc;
}
