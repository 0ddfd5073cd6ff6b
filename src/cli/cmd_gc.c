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

int
cmd_gc(int argc, char **argv)
{
	struct buf err = BUF_INIT;
	struct site s;
	struct sched_gc_result r;
	int rc = EXIT_FAIL;

	if (cli_wants_help(argc, argv))
		return cli_usage("gc", 0);
	if (argc != 1)
		return cli_usage("gc", 1);
	if (site_open(&s, &err) == -1) {
		rc = cli_fail(&err);
		buf_release(&err);
		return rc;
	}
	if (sched_gc(s.conf, s.st, &r, &err) == -1) {
		cli_fail(&err);
		goto out;
	}
	printf("gc: %zu build records removed, %zu logs cleared, %d history "
	    "commits pruned\n", r.removed, r.logs_cleared, r.pruned);
	rc = EXIT_OK;
out:
	site_close(&s);
	buf_release(&err);
	return rc;
}
