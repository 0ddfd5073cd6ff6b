/* SPDX-License-Identifier: ISC */
/*
 * cmd_gc.c: `kiln gc` applies retention: build records and logs
 * (retention.*), and the build history only when history.keep is set.
 */
#include "common/compat.h"

#include "common/buf.h"
#include "sched/sched.h"
#include "cli/cli.h"
#include "cli/site.h"

const struct cli_cmd cli_cmd_gc = {
	"gc", "", "Apply retention to build records, logs and history.",
	"Keeps retention.builds succeeded builds and logs younger than "
	"retention.logs_days; prunes history only when history.keep is set.",
	NULL, NULL, NULL, cmd_gc, false
};

int
cmd_gc(int argc, char **argv)
{
	struct buf err = BUF_INIT;
	struct site s;
	struct sched_gc_result r;
	char c1[48], c2[48], c3[48];
	int rc = EXIT_FAIL;

	if (cli_getopt(&cli_cmd_gc, argc, argv) != -1 || optind != argc)
		return cli_bad_usage(&cli_cmd_gc);
	if (site_open(&s, &err) == -1) {
		rc = cli_fail(&err);
		buf_release(&err);
		return rc;
	}
	if (sched_gc(s.conf, s.st, &r, &err) == -1) {
		cli_fail(&err);
		goto out;
	}
	cli_info("gc: %s removed, %s cleared, %s pruned\n",
	    cli_count(c1, sizeof(c1), (long long)r.removed, "build record",
	    NULL), cli_count(c2, sizeof(c2), (long long)r.logs_cleared, "log",
	    NULL), cli_count(c3, sizeof(c3), (long long)r.pruned,
	    "history commit", NULL));
	rc = EXIT_OK;
out:
	site_close(&s);
	buf_release(&err);
	return rc;
}
