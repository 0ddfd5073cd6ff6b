/* SPDX-License-Identifier: ISC */
/*
 * cmd_report.c: `kiln report` checks for stalled builds and sends the
 * reports and reminders that are due, once (the daemon does it every few
 * seconds).  Broken builds are reported by the worker when they fail.
 */
#include "common/compat.h"

#include "common/buf.h"
#include "conf/conf.h"
#include "notify/notify.h"
#include "cli/cli.h"
#include "cli/site.h"

int
cmd_report(int argc, char **argv)
{
	struct buf err = BUF_INIT;
	struct site s;
	size_t n = 0;
	int rc = EXIT_FAIL;

	if (cli_wants_help(argc, argv))
		return cli_usage("report", 0);
	if (argc != 1)
		return cli_usage("report", 1);
	if (site_open(&s, &err) == -1) {
		rc = cli_fail(&err);
		buf_release(&err);
		return rc;
	}
	if (notify_check(&s.conf->notify, s.conf->site.title, s.st, 1800, &n,
	    &err) == -1)
		cli_fail(&err);
	else {
		printf("%zu reports sent\n", n);
		rc = EXIT_OK;
	}
	site_close(&s);
	buf_release(&err);
	return rc;
}
