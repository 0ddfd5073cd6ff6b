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

static const struct cli_opt scheduled_opts[] = {
	{ 'n', "dry-run", 0, NULL, "Say what would change; change nothing.",
	    NULL, false },
	{ 'j', "json", 0, NULL, "Print JSON instead of text.", NULL, false },
	CLI_OPT_END
};

static const char *const scheduled_ex[] = {
	"kiln scheduled --dry-run",
	"kiln scheduled   # from cron, without kiln serve", NULL
};

const struct cli_cmd cli_cmd_scheduled = {
	"scheduled", "", "Publish due revisions and take expired pages down, "
	"once.", "kiln serve does this at the exact time; this command is "
	"for sites run from cron.", scheduled_opts, scheduled_ex, NULL,
	cmd_scheduled, false
};

int
cmd_scheduled(int argc, char **argv)
{
	char c1[32], c2[32], c3[32];
	struct buf err = BUF_INIT;
	struct sched_report rep;
	struct site s;
	bool dry = false, json = false;
	size_t i;
	json_t *c;
	int ch, rc = EXIT_FAIL;

	while ((ch = cli_getopt(&cli_cmd_scheduled, argc, argv)) != -1) {
		if (ch == 'n')
			dry = true;
		else if (ch == 'j')
			json = true;
		else
			return cli_bad_usage(&cli_cmd_scheduled);
	}
	if (optind != argc)
		return cli_bad_usage(&cli_cmd_scheduled);
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
		cli_info("%s%s published, %s expired, %s skipped\n",
		    dry ? "dry run: " : "", cli_count(c1, sizeof(c1),
		    (long long)rep.published, "page", NULL), cli_count(c2,
		    sizeof(c2), (long long)rep.expired, "page", NULL),
		    cli_count(c3, sizeof(c3), (long long)rep.skipped, "page",
		    NULL));
	}
	json_decref(rep.changes);
	rc = EXIT_OK;
out:
	site_close(&s);
	buf_release(&err);
	return rc;
}
