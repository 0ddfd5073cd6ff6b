/* SPDX-License-Identifier: ISC */
/*
 * cmd_scheduled.c: `kiln scheduled [--dry-run] [--json]` publishes due
 * revisions and takes expired pages down, once (the daemon does this at
 * the exact times).
 */
#include "common/compat.h"

#include <getopt.h>
#include <jansson.h>

#include "common/buf.h"
#include "common/timeutil.h"
#include "store/store.h"
#include "cli/cli.h"
#include "cli/site.h"

int
cmd_scheduled(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "dry-run", no_argument, NULL, 'n' },
		{ "help", no_argument, NULL, 'h' },
		{ "json", no_argument, NULL, 'j' },
		{ NULL, 0, NULL, 0 }
	};
	struct buf err = BUF_INIT;
	struct sched_report rep;
	struct site s;
	bool dry = false, json = false;
	size_t i;
	json_t *c;
	int ch, rc = EXIT_FAIL;

	if (cli_wants_help(argc, argv))
		return cli_usage("scheduled", 0);
	while ((ch = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		if (ch == 'n')
			dry = true;
		else if (ch == 'j')
			json = true;
		else
			return cli_usage("scheduled", 1);
	}
	if (optind != argc)
		return cli_usage("scheduled", 1);
	if (site_open(&s, &err) == -1) {
		rc = cli_fail(&err);
		buf_release(&err);
		return rc;
	}
	if (store_run_scheduled(s.st, time_now(), dry, "scheduler", &rep,
	    &err) == -1) {
		cli_fail(&err);
		goto out;
	}
	if (json) {
		json_t *o = json_pack("{s:b, s:I, s:I, s:I, s:O}",
		    "dry_run", dry, "published", (json_int_t)rep.published,
		    "expired", (json_int_t)rep.expired, "skipped",
		    (json_int_t)rep.skipped, "changes", rep.changes);
		char *d = json_dumps(o, JSON_INDENT(2));
		printf("%s\n", d);
		free(d);
		json_decref(o);
	} else {
		json_array_foreach(rep.changes, i, c)
			printf("%s%s %s\n", dry ? "would be " : "",
			    json_string_value(json_object_get(c, "action")),
			    json_string_value(json_object_get(c, "path")));
		printf("%s%zu published, %zu expired, %zu skipped\n",
		    dry ? "dry run: " : "", rep.published, rep.expired,
		    rep.skipped);
	}
	json_decref(rep.changes);
	rc = EXIT_OK;
out:
	site_close(&s);
	buf_release(&err);
	return rc;
}
