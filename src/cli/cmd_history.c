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

static int
history_usage(int err)
{
	fprintf(err ? stderr : stdout,
	    "usage: kiln history log [--json] [-n N]\n"
	    "       kiln history push\n"
	    "       kiln history export BUILD|COMMIT DIR\n");
	return err ? EXIT_USAGE : EXIT_OK;
}

int
cmd_history(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ "json", no_argument, NULL, 'j' },
		{ NULL, 0, NULL, 0 }
	};
	struct buf err = BUF_INIT;
	struct conf *c = NULL;
	struct log_ctx lc = { false, NULL };
	struct history_push_opts po;
	char *repo = NULL, *spec = NULL;
	const char *sub;
	size_t limit = 0;
	int ch, rc = EXIT_FAIL;
	const char *errstr;

	if (argc < 2 || cli_wants_help(argc, argv))
		return history_usage(argc < 2);
	sub = argv[1];
	argc--;
	argv++;
	optind = 0;
	while ((ch = getopt_long(argc, argv, "hjn:", opts, NULL)) != -1) {
		switch (ch) {
		case 'j':
			lc.json = true;
			break;
		case 'n':
			limit = (size_t)strtonum(optarg, 1, 1000000, &errstr);
			if (errstr)
				return history_usage(1);
			break;
		default:
			return history_usage(1);
		}
	}
	argc -= optind;
	argv += optind;
	if (!(c = conf_load("kiln.yaml", &err))) {
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
		rc = history_usage(1);
out:
	json_decref(lc.arr);
	conf_free(c);
	free(repo);
	free(spec);
	buf_release(&err);
	return rc;
}
