/* SPDX-License-Identifier: ISC */
/*
 * cli.h: the `kiln` command line.  One cmd_<name>.c per verb; main.c
 * holds the table.  A command returns its exit code: EXIT_OK, EXIT_FAIL,
 * or EXIT_USAGE for a bad invocation.  Every command answers --help.
 */
#ifndef KILN_CLI_H
#define KILN_CLI_H

#define EXIT_OK		0
#define EXIT_FAIL	1
#define EXIT_USAGE	2

struct cmd {
	const char *name;
	int (*fn)(int argc, char **argv);
	const char *synopsis;
};

int cmd_init(int, char **);
int cmd_history(int, char **);
int cmd_import(int, char **);
int cmd_page(int, char **);
int cmd_media(int, char **);
int cmd_build(int, char **);
int cmd_deploy(int, char **);
int cmd_publish(int, char **);
int cmd_serve(int, char **);
int cmd_worker(int, char **);
int cmd_builds(int, char **);
int cmd_scheduled(int, char **);
int cmd_republish(int, char **);
int cmd_gc(int, char **);
int cmd_report(int, char **);
int cmd_feed(int, char **);
int cmd_template(int, char **);
int cmd_check(int, char **);
int cmd_token(int, char **);

/*
 * Print "usage: kiln SYNOPSIS" for the named command to stderr (err=1) or
 * stdout, and return EXIT_USAGE (err=1) or EXIT_OK.
 */
int cli_usage(const char *name, int err);
/* true if argv holds -h or --help before any "--" */
bool cli_wants_help(int argc, char **argv);
/* print "kiln: <msg>" to stderr and return EXIT_FAIL */
int cli_error(const char *fmt, ...) PRINTF_LIKE(1, 2);

#endif
