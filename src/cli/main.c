/* SPDX-License-Identifier: ISC */
/*
 * main.c: `kiln` entry point.  Global options, then a command from the
 * table (git's git.c).  After the command, a failed write to stdout is
 * reported and turns success into failure.
 */
#include "common/compat.h"

#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/log.h"
#include "cli/cli.h"

/* the command table (STYLE H34), sorted by name */
const struct cli_cmd *const cli_cmds[] = {
	&cli_cmd_backup, &cli_cmd_build, &cli_cmd_builds, &cli_cmd_cdn,
	&cli_cmd_check, &cli_cmd_complete, &cli_cmd_deploy, &cli_cmd_export,
	&cli_cmd_feed, &cli_cmd_gc, &cli_cmd_help, &cli_cmd_history,
	&cli_cmd_import, &cli_cmd_init, &cli_cmd_media, &cli_cmd_page,
	&cli_cmd_preview, &cli_cmd_publish, &cli_cmd_report, &cli_cmd_republish,
	&cli_cmd_restore, &cli_cmd_scheduled, &cli_cmd_serve, &cli_cmd_store,
	&cli_cmd_template, &cli_cmd_token, &cli_cmd_user, &cli_cmd_worker, NULL
};

enum { G_CHDIR = 'C', G_LOGFMT = 'L', G_VERSION = 'V' };

const struct cli_opt cli_global_opts[] = {
	{ G_CHDIR, "directory", 'C', "DIR",
	    "Change to DIR before anything else.", NULL, false },
	{ G_LOGFMT, "log-format", 0, "plain|json",
	    "Format of log lines on stderr.", "plain", false },
	{ G_VERSION, "version", 'V', NULL, "Print the version and exit.",
	    NULL, false },
	CLI_OPT_END
};

/*
 * Commands not linked in yet answer with an error.  Each cmd_<name>.c
 * defines the strong symbol that replaces its weak one here.
 */
#define UNBUILT(name)                                                  \
	__attribute__((weak)) int cmd_##name(int argc, char **argv)     \
	{                                                              \
		(void)argc;                                            \
		(void)argv;                                            \
		return cli_error("'%s' is not available in this build", \
		    #name);                                            \
	}
UNBUILT(build) UNBUILT(builds) UNBUILT(check) UNBUILT(deploy)
UNBUILT(gc) UNBUILT(import) UNBUILT(init) UNBUILT(media) UNBUILT(page)
UNBUILT(publish) UNBUILT(report) UNBUILT(republish) UNBUILT(scheduled)
UNBUILT(serve) UNBUILT(template) UNBUILT(token) UNBUILT(user)
UNBUILT(worker)

int
cli_error(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "%skiln:%s ", cli_sgr(stderr, CLI_RED),
	    cli_sgr(stderr, CLI_RESET));
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	return EXIT_FAIL;
}

int
cli_usage(const char *name, int err)
{
	for (size_t i = 0; cli_cmds[i]; i++) {
		if (strcmp(cli_cmds[i]->name, name) != 0)
			continue;
		return err ? cli_bad_usage(cli_cmds[i]) :
		    cli_help(cli_cmds[i], stdout);
	}
	return err ? EXIT_USAGE : EXIT_OK;
}

bool
cli_wants_help(int argc, char **argv)
{
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--") == 0)
			break;
		if (strcmp(argv[i], "-h") == 0 ||
		    strcmp(argv[i], "--help") == 0)
			return true;
	}
	return false;
}

int
main(int argc, char **argv)
{
	const struct cli_cmd *top = NULL, *c;
	int ch, rc;

	log_init(1, 0);
	while ((ch = cli_getopt(NULL, argc, argv)) != -1) {
		switch (ch) {
		case G_CHDIR:
			if (chdir(optarg) == -1) {
				return cli_error("cannot change to '%s': %s",
				    optarg, strerror(errno));
			}
			break;
		case 'h':
			return cli_top_usage(stdout);
		case G_LOGFMT:
			/* either one overrides log.format of kiln.yaml */
			if (strcmp(optarg, "json") == 0)
				log_setformat(LOG_JSON);
			else if (strcmp(optarg, "plain") == 0)
				log_setformat(LOG_PLAIN);
			else {
				cli_error("--log-format: '%s' is not plain "
				    "or json", optarg);
				return cli_top_usage(stderr);
			}
			break;
		case G_VERSION:
			printf("kiln 0.1.0\n");
			return EXIT_OK;
		default:
			return cli_top_usage(stderr);
		}
	}
	argc -= optind;
	argv += optind;
	if (argc < 1)
		return cli_top_usage(stderr);
	for (size_t i = 0; cli_cmds[i]; i++)
		if (strcmp(cli_cmds[i]->name, argv[0]) == 0)
			top = cli_cmds[i];
	if (!top) {
		cli_error("'%s' is not a kiln command; 'kiln help' lists them",
		    argv[0]);
		return EXIT_USAGE;
	}
	if (cli_wants_help(argc, argv)) {
		/* the deepest (sub)command named: kiln page new --help */
		c = cli_find(argc, argv, NULL);
		rc = cli_help(c ? c : top, stdout);
	} else {
		optind = 0;	/* reset getopt for the command */
		rc = top->fn(argc, argv);
	}
	if (fflush(stdout) != 0 || ferror(stdout)) {
		fprintf(stderr, "kiln: write error on stdout: %s\n",
		    strerror(errno));
		rc = EXIT_FAIL;
	}
	return rc;
}
