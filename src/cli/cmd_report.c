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

const struct cli_cmd cli_cmd_report = {
	"report", "", "Check for stalled builds and send the reports due now.",
	"By email and webhook, as configured under notify in kiln.yaml "
	"(docs/cdn-and-reports.md).", NULL, NULL, NULL, cmd_report, false
};

int
cmd_report(int argc, char **argv)
{
	struct buf err = BUF_INIT;
	struct site s;
	size_t n = 0;
	int rc = EXIT_FAIL;

	if (cli_getopt(&cli_cmd_report, argc, argv) != -1 || optind != argc)
		return cli_bad_usage(&cli_cmd_report);
	if (site_open(&s, &err) == -1) {
		rc = cli_fail(&err);
		buf_release(&err);
		return rc;
	}
	if (notify_check(&s.conf->notify, s.conf->site.title, s.st, 1800, &n,
	    &err) == -1)
		cli_fail(&err);
	else {
		char c[32];

		cli_info("%s sent\n", cli_count(c, sizeof(c), (long long)n,
		    "report", NULL));
		rc = EXIT_OK;
	}
	site_close(&s);
	buf_release(&err);
	return rc;
}
