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

int
cmd_gc(int argc, char **argv)
{
	struct buf err = BUF_INIT;
	struct site s;
	size_t removed, cleared;
	int rc = EXIT_FAIL, pruned = 0;

	if (cli_wants_help(argc, argv))
		return cli_usage("gc", 0);
	if (argc != 1)
		return cli_usage("gc", 1);
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
	printf("gc: %zu build records removed, %zu logs cleared, %d history "
	    "commits pruned\n", removed, cleared, pruned);
	rc = EXIT_OK;
out:
	site_close(&s);
	buf_release(&err);
	return rc;
}
