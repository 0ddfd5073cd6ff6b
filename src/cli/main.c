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

static const struct cmd cmds[] = {
	{ "build", cmd_build, "build [--full] [--out DIR]" },
	{ "builds", cmd_builds,
	    "builds list|show|log|retry|rollback|cancel [ARGS] [--json]" },
	{ "check", cmd_check, "check" },
	{ "deploy", cmd_deploy,
	    "deploy [--target NAME] [--dry-run] [--verify] [--full] "
	    "[--allow-deletes] [--json]" },
	{ "feed", cmd_feed, "feed MANIFEST" },
	{ "gc", cmd_gc, "gc" },
	{ "history", cmd_history,
	    "history log [--json] [-n N] | push | export BUILD|COMMIT DIR" },
	{ "import", cmd_import, "import DIR" },
	{ "init", cmd_init, "init [DIR] [--demo]" },
	{ "media", cmd_media, "media add FILE | media list [--json]" },
	{ "page", cmd_page,
	    "page list|show|new|edit|publish|unpublish|schedule|delete ..." },
	{ "publish", cmd_publish, "publish [--wait]" },
	{ "report", cmd_report, "report" },
	{ "republish", cmd_republish, "republish" },
	{ "scheduled", cmd_scheduled, "scheduled [--dry-run]" },
	{ "serve", cmd_serve, "serve [--listen ADDR] [-d] [-n]" },
	{ "template", cmd_template,
	    "template render FILE --data JSON_FILE [--partials DIR]" },
	{ "token", cmd_token,
	    "token create --name NAME [--role editor|publisher|admin]" },
	{ "worker", cmd_worker, "worker" },
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
UNBUILT(build) UNBUILT(builds) UNBUILT(check) UNBUILT(deploy) UNBUILT(feed)
UNBUILT(gc) UNBUILT(import) UNBUILT(init) UNBUILT(media) UNBUILT(page)
UNBUILT(publish) UNBUILT(report) UNBUILT(republish) UNBUILT(scheduled)
UNBUILT(serve) UNBUILT(template) UNBUILT(token) UNBUILT(worker)

int
cli_error(const char *fmt, ...)
{
	va_list ap;

	fputs("kiln: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	return EXIT_FAIL;
}

int
cli_usage(const char *name, int err)
{
	FILE *f = err ? stderr : stdout;

	for (size_t i = 0; i < NELEM(cmds); i++)
		if (strcmp(cmds[i].name, name) == 0)
			fprintf(f, "usage: kiln %s\n", cmds[i].synopsis);
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

static int
usage(FILE *f)
{
	fprintf(f, "usage: kiln [-C DIR] [-v | -q] [--log-format plain|json] "
	    "COMMAND [ARGS]\n\ncommands:\n");
	for (size_t i = 0; i < NELEM(cmds); i++)
		fprintf(f, "   %s\n", cmds[i].synopsis);
	fprintf(f, "\n'kiln COMMAND --help' describes one command.\n");
	return f == stderr ? EXIT_USAGE : EXIT_OK;
}

int
main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ "log-format", required_argument, NULL, 'L' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 }
	};
	int ch, rc;

	log_init(1, 0);
	while ((ch = getopt_long(argc, argv, "+C:hqvV", opts, NULL)) != -1) {
		switch (ch) {
		case 'C':
			if (chdir(optarg) == -1) {
				return cli_error("cannot change to '%s': %s",
				    optarg, strerror(errno));
			}
			break;
		case 'h':
			return usage(stdout);
		case 'L':
			if (strcmp(optarg, "json") == 0)
				log_setformat(LOG_JSON);
			else if (strcmp(optarg, "plain") != 0)
				return usage(stderr);
			break;
		case 'q':
			log_setverbose(-1);
			break;
		case 'v':
			log_setverbose(log_getverbose() + 1);
			break;
		case 'V':
			printf("kiln 0.1.0\n");
			return EXIT_OK;
		default:
			return usage(stderr);
		}
	}
	argc -= optind;
	argv += optind;
	if (argc < 1)
		return usage(stderr);
	for (size_t i = 0; i < NELEM(cmds); i++) {
		if (strcmp(cmds[i].name, argv[0]) != 0)
			continue;
		optind = 0;	/* reset getopt for the command */
		rc = cmds[i].fn(argc, argv);
		if (fflush(stdout) != 0 || ferror(stdout)) {
			fprintf(stderr, "kiln: write error on stdout: %s\n",
			    strerror(errno));
			rc = EXIT_FAIL;
		}
		return rc;
	}
	fprintf(stderr, "kiln: '%s' is not a kiln command\n", argv[0]);
	return usage(stderr);
}
