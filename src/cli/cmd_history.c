/* SPDX-License-Identifier: ISC */
/*
 * cmd_history.c: `kiln history log|push|export`, the build history kept in
 * git (history/history.h).  Read-only except push; safe to run while the
 * daemon runs (libgit2 locks refs).
 */
#include "common/compat.h"

#include <getopt.h>
#include <jansson.h>

#include "common/buf.h"
#include "common/timeutil.h"
#include "common/xmalloc.h"
#include "conf/conf.h"
#include "history/history.h"
#include "cli/cli.h"
#include "cli/site.h"

struct log_ctx {
	bool json;
	json_t *arr;
};

static int
print_entry(const struct history_entry *e, void *arg)
{
	struct log_ctx *lc = arg;
	char when[32];

	time_format_iso8601(e->time, when, sizeof(when));
	if (lc->json) {
		json_array_append_new(lc->arr, json_pack("{s:s, s:s, s:s, s:s}",
		    "commit", e->commit, "build", e->build, "time", when,
		    "summary", e->summary));
		return 0;
	}
	printf("%.12s  %s  %s\n", e->commit, when, e->summary);
	return 0;
}

static const struct cli_opt log_opts[] = {
	{ 'j', "json", 0, NULL, "Print JSON instead of text.", NULL, false },
	{ 'n', "max-count", 'n', "N", "Show at most N commits (1-1000000).",
	    "all", false },
	CLI_OPT_END
};

static const char *const log_ex[] = {
	"kiln history log -n 5", "kiln history log --json", NULL
};
static const char *const export_ex[] = {
	"kiln history export 41 /tmp/build-41     # build 41's tree",
	"kiln history export 3f2a9c1 /tmp/old", NULL
};

static const struct cli_cmd history_log_cmd = {
	"history log", "", "The commits of deployed builds, newest first.",
	"Columns: commit, time, summary (the build).", log_opts, log_ex,
	NULL, NULL, false
};
static const struct cli_cmd history_push_cmd = {
	"history push", "", "Push the history branch to history.remote now.",
	"Uses history.ssh_key or the token in history.token_env.", NULL,
	NULL, NULL, NULL, false
};
static const struct cli_cmd history_export_cmd = {
	"history export", "BUILD|COMMIT DIR",
	"Write the output tree of a build (a number) or a commit to DIR.",
	NULL, NULL, export_ex, NULL, NULL, false
};

static const struct cli_cmd *const history_subs[] = {
	&history_log_cmd, &history_push_cmd, &history_export_cmd, NULL
};

const struct cli_cmd cli_cmd_history = {
	"history", NULL, "The git history of deployed builds: log, push, "
	"export.", "Read-only except push; safe while the daemon runs.",
	NULL, NULL, history_subs, cmd_history, false
};

int
cmd_history(int argc, char **argv)
{
	const struct cli_cmd *sc;
	char *file = NULL;
	struct buf err = BUF_INIT;
	struct conf *c = NULL;
	struct log_ctx lc = { false, NULL };
	struct history_push_opts po;
	char *repo = NULL, *spec = NULL;
	const char *sub;
	size_t limit = 0;
	int ch, rc = EXIT_FAIL;
	const char *errstr;

	if (!(sc = cli_subcommand(&cli_cmd_history, &argc, &argv, &sub)))
		return cli_bad_usage(&cli_cmd_history);
	optind = 0;
	while ((ch = cli_getopt(sc, argc, argv)) != -1) {
		switch (ch) {
		case 'j':
			lc.json = true;
			break;
		case 'n':
			limit = (size_t)strtonum(optarg, 1, 1000000, &errstr);
			if (errstr) {
				cli_error("-n: '%s' is %s", optarg, errstr);
				return cli_bad_usage(sc);
			}
			break;
		default:
			return cli_bad_usage(sc);
		}
	}
	argc -= optind;
	argv += optind;
	if (!(file = site_find_config(&err))) {
		cli_fail(&err);
		goto out;
	}
	if (!(c = conf_load(file, &err))) {
		fprintf(stderr, "%s", err.buf);
		if (err.len && err.buf[err.len - 1] != '\n')
			fputc('\n', stderr);
		goto out;
	}
	repo = conf_path(c, c->history.path);
	if (strcmp(sub, "log") == 0 && argc == 0) {
		lc.arr = json_array();
		if (history_log(repo, c->history.branch, limit, print_entry,
		    &lc, &err) == -1) {
			cli_error("%s", err.buf);
			goto out;
		}
		if (lc.json) {
			char *s = json_dumps(lc.arr, JSON_INDENT(2));
			printf("%s\n", s);
			free(s);
		}
		rc = EXIT_OK;
	} else if (strcmp(sub, "push") == 0 && argc == 0) {
		if (!c->history.remote) {
			cli_error("history.remote is not set in kiln.yaml");
			goto out;
		}
		po.ssh_key = c->history.ssh_key;
		po.token_env = c->history.token_env;
		if (history_push(repo, c->history.branch, c->history.remote, &po,
		    &err) == -1) {
			cli_error("%s", err.buf);
			goto out;
		}
		rc = EXIT_OK;
	} else if (strcmp(sub, "export") == 0 && argc == 2) {
		/* a plain number names a build, anything else a commit */
		strtonum(argv[0], 1, INT64_MAX, &errstr);
		spec = errstr ? xstrdup(argv[0]) : xasprintf("build:%s",
		    argv[0]);
		if (history_export(repo, c->history.branch, spec, argv[1],
		    &err) == -1) {
			cli_error("%s", err.buf);
			goto out;
		}
		rc = EXIT_OK;
	} else
		rc = cli_bad_usage(sc);
out:
	free(file);
	json_decref(lc.arr);
	conf_free(c);
	free(repo);
	free(spec);
	buf_release(&err);
	return rc;
}
