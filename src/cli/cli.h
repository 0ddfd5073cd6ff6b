/* SPDX-License-Identifier: ISC */
/*
 * cli.h: the `kiln` command line.  One cmd_<name>.c per verb; main.c
 * holds the table.  A command returns its exit code: EXIT_OK, EXIT_FAIL,
 * or EXIT_USAGE for a bad invocation.  Every command answers --help.
 */
#ifndef KILN_CLI_H
#define KILN_CLI_H

#include <stdio.h>

#include <jansson.h>

#define EXIT_OK		0
#define EXIT_FAIL	1
#define EXIT_USAGE	2

/*
 * One option of a command.  The parser (cli_getopt) and every help text
 * (kiln help, docs/cli.md, kiln(1)) are made from these rows only, so help
 * cannot drift from what the parser accepts.
 */
struct cli_opt {
	int val;		/* what cli_getopt returns for it */
	const char *name;	/* long name, without "--" */
	char letter;		/* short option, '\0' for none */
	const char *arg;	/* argument placeholder; NULL: a flag */
	const char *help;	/* what it does, one sentence */
	const char *def;	/* default as a user would write it, or NULL */
	bool required;		/* shown without brackets in the synopsis */
};

/*
 * A command or a subcommand ("page new").  A command with subcommands
 * lists them in subs; a leaf lists its options in opts.
 */
struct cli_cmd {
	const char *name;	/* words after "kiln": "page new" */
	const char *args;	/* positional arguments: "PATH", "[DIR]" */
	const char *summary;	/* one line */
	const char *desc;	/* paragraphs, '\n\n' between them */
	const struct cli_opt *opts;	/* ends with a NULL name; or NULL */
	const char *const *examples;	/* "kiln ...  # why"; NULL-ended */
	const struct cli_cmd *const *subs;	/* NULL-ended, or NULL */
	int (*fn)(int argc, char **argv);	/* top-level commands; a
				   subcommand's if its parent runs it */
	bool hidden;		/* not listed (kiln complete) */
};

/* a cli_opt list ends with this row */
#define CLI_OPT_END	{ 0, NULL, 0, NULL, NULL, NULL, false }

/* main.c: every command, sorted by name, NULL-ended */
extern const struct cli_cmd *const cli_cmds[];
/* main.c: the options taken before the command only */
extern const struct cli_opt cli_global_opts[];
/* opt.c: the options every command takes, before or after its name */
extern const struct cli_opt *const cli_common_opts;

/* the command or subcommand named by argv[0] (argv[1]...), or NULL */
const struct cli_cmd *cli_find(int argc, char **argv, int *used);
/* the subcommand of c named sub, or NULL */
const struct cli_cmd *cli_sub(const struct cli_cmd *c, const char *sub);
/*
 * The subcommand of c named by (*argv)[1]: sets *sub to its name and
 * shifts argc/argv past c's name so cli_getopt() sees the subcommand's
 * arguments.  NULL (nothing shifted) when there is none.
 */
const struct cli_cmd *cli_subcommand(const struct cli_cmd *c, int *argc,
    char ***argv, const char **sub);
/*
 * getopt_long over c->opts and the common options (-h, -q, -v, --bytes,
 * -c), which it handles itself.  Returns an option's val, -1 at the end,
 * '?' for a bad option (already reported).  optarg as getopt's.
 */
int cli_getopt(const struct cli_cmd *c, int argc, char **argv);
/* full help of c to f (kiln help CMD, CMD --help); EXIT_OK */
int cli_help(const struct cli_cmd *c, FILE *f);
/* "usage: ..." of c and "try 'kiln ... --help'" to stderr; EXIT_USAGE */
int cli_bad_usage(const struct cli_cmd *c);
/* the top-level usage to f; EXIT_USAGE for stderr, else EXIT_OK */
int cli_top_usage(FILE *f);
int cmd_help(int, char **);
int cmd_complete(int, char **);

/* each cmd_<name>.c: its table */
extern const struct cli_cmd cli_cmd_backup, cli_cmd_cdn, cli_cmd_restore;
extern const struct cli_cmd cli_cmd_build, cli_cmd_builds, cli_cmd_check,
    cli_cmd_complete, cli_cmd_deploy, cli_cmd_export, cli_cmd_gc,
    cli_cmd_help,
    cli_cmd_history, cli_cmd_import, cli_cmd_init, cli_cmd_media,
    cli_cmd_page, cli_cmd_preview, cli_cmd_publish, cli_cmd_report,
    cli_cmd_republish, cli_cmd_scheduled, cli_cmd_serve, cli_cmd_store,
    cli_cmd_template, cli_cmd_token, cli_cmd_user, cli_cmd_worker;

/* out.c: output conventions shared by every command */
struct cli_out {
	int verbose;		/* -q: -1, default 0, -v: 1, -vv: 2 */
	bool bytes;		/* --bytes: exact sizes */
	const char *config;	/* -c FILE */
};
extern struct cli_out cli_out;
/* "1 page", "3 pages"; plural NULL: singular + "s" */
const char *cli_count(char *dst, size_t len, long long n,
    const char *singular, const char *plural);
/* "1.4 MiB" (or "1468006 bytes" with --bytes) */
const char *cli_size(char *dst, size_t len, long long bytes);
/* printf to stdout unless -q: confirmations and summaries */
void cli_info(const char *fmt, ...) PRINTF_LIKE(1, 2);
/* printf to stderr with -v only: details */
void cli_verbose(const char *fmt, ...) PRINTF_LIKE(1, 2);
/* colour escapes for f, "" when f is not a terminal or NO_COLOR is set */
bool cli_color(FILE *f);
/* seq (CLI_RED...) if cli_color(f), else "" */
const char *cli_sgr(FILE *f, const char *seq);
/* V as indented JSON and a newline on stdout */
void cli_print_json(const json_t *v);
/*
 * The options of a command that takes --json (-j) and no argument: -1
 * to go on (*json set), else the exit status of a bad usage.
 */
int cli_json_only(const struct cli_cmd *c, int argc, char **argv,
    bool *json);
/* a JSON string's value, or "never" (a time not yet reached) */
const char *cli_or_never(const json_t *v);
#define CLI_BOLD	"\033[1m"
#define CLI_RED		"\033[31m"
#define CLI_GREEN	"\033[32m"
#define CLI_YELLOW	"\033[33m"
#define CLI_RESET	"\033[0m"

int cmd_init(int, char **);
int cmd_history(int, char **);
int cmd_import(int, char **);
int cmd_export(int, char **);
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
int cmd_backup(int, char **);
int cmd_cdn(int, char **);
int cmd_restore(int, char **);
int cmd_report(int, char **);
int cmd_feed(int, char **);
extern const struct cli_cmd cli_cmd_feed;
int cmd_template(int, char **);
int cmd_check(int, char **);
int cmd_token(int, char **);
int cmd_store(int, char **);
int cmd_preview(int, char **);
int cmd_user(int, char **);

/*
 * The usage of the named command to stderr and EXIT_USAGE (err=1), or its
 * help to stdout and EXIT_OK.
 */
int cli_usage(const char *name, int err);
/* true if argv holds -h or --help before any "--" */
bool cli_wants_help(int argc, char **argv);
/* print "kiln: <msg>" to stderr and return EXIT_FAIL */
int cli_error(const char *fmt, ...) PRINTF_LIKE(1, 2);

#endif
