/* SPDX-License-Identifier: ISC */
/*
 * cmd_gc.c: `kiln gc` applies retention: build records and logs
 * (retention.*), and the build history only when history.keep is set.
 */
#include "common/compat.h"

#include "common/buf.h"
#include "conf/conf.h"
#include "history/history.h"
#include "store/store.h"
#include "store/store_queue.h"
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
	size_t removed, cleared;
	char c1[48], c2[48], c3[48];
	int rc = EXIT_FAIL, pruned = 0;

	if (cli_getopt(&cli_cmd_gc, argc, argv) != -1 || optind != argc)
		return cli_bad_usage(&cli_cmd_gc);
	if (site_open(&s, &err) == -1) {
		rc = cli_fail(&err);
		buf_release(&err);
		return rc;
	}
	if (queue_gc(s.st, s.conf->retention.builds,
	    s.conf->retention.logs_days, &removed, &cleared, &err) == -1) {
		cli_fail(&err);
		goto out;
	}
	if (s.conf->history.enabled && s.conf->history.keep > 0) {
		char *repo = conf_path(s.conf, s.conf->history.path);
		pruned = history_prune(repo, s.conf->history.branch,
		    (size_t)s.conf->history.keep, &err);
		free(repo);
		if (pruned == -1 && !strstr(err.buf, "cannot open")) {
			cli_fail(&err);
			goto out;
		}
		if (pruned < 0)
			pruned = 0;
	}
	cli_info("gc: %s removed, %s cleared, %s pruned\n",
	    cli_count(c1, sizeof(c1), (long long)removed, "build record",
	    NULL), cli_count(c2, sizeof(c2), (long long)cleared, "log", NULL),
	    cli_count(c3, sizeof(c3), pruned, "history commit", NULL));
	rc = EXIT_OK;
out:
	site_close(&s);
	buf_release(&err);
	return rc;
}
