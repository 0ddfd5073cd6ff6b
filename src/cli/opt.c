/* SPDX-License-Identifier: ISC */
/*
 * opt.c: option parsing from the tables in cli.h.  cli_getopt() makes
 * getopt_long's struct option[] and optstring from a command's cli_opt
 * rows plus the common options, so the parser accepts exactly what the
 * help (help.c) lists.  Model: git's parse-options.
 */
#include "common/compat.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/log.h"
#include "cli/cli.h"

enum {
	OPT_HELP = 0x1000,
	OPT_QUIET,
	OPT_VERBOSE,
	OPT_BYTES,
	OPT_CONFIG,
};

/* accepted by every command (after its name) as well as before it */
static const struct cli_opt common_opts[] = {
	{ OPT_CONFIG, "config", 'c', "FILE",
	    "Use FILE as the site's kiln.yaml instead of looking for one.",
	    "$KILN_CONFIG, else kiln.yaml here or in a parent folder", false },
	{ OPT_HELP, "help", 'h', NULL, "Describe the command and exit.",
	    NULL, false },
	{ OPT_QUIET, "quiet", 'q', NULL,
	    "Print only results and errors: no confirmations, summaries or "
	    "progress.", NULL, false },
	{ OPT_VERBOSE, "verbose", 'v', NULL,
	    "Say more: details on stderr and debug log lines (twice: more).",
	    NULL, false },
	{ OPT_BYTES, "bytes", 0, NULL,
	    "Print sizes as exact numbers of bytes instead of KiB, MiB, GiB.",
	    NULL, false },
	CLI_OPT_END
};

const struct cli_opt *const cli_common_opts = common_opts;

#define MAXOPTS	64

static const struct cli_cmd *cached;
static struct option lopts[MAXOPTS + 1];
static const struct cli_opt *lrows[MAXOPTS];
static char shorts[3 * MAXOPTS + 2];

static bool
taken(const struct cli_opt *o, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (strcmp(lrows[i]->name, o->name) == 0)
			return true;
		if (o->letter && lrows[i]->letter == o->letter)
			return true;
	}
	return false;
}

static void
add_rows(const struct cli_opt *rows, size_t *n, char **sp)
{
	for (const struct cli_opt *o = rows; o && o->name; o++) {
		if (taken(o, *n))
			continue;
		if (*n >= MAXOPTS)
			BUG("too many options");
		lrows[*n] = o;
		lopts[*n].name = o->name;
		lopts[*n].has_arg = o->arg ? required_argument : no_argument;
		lopts[*n].flag = NULL;
		lopts[*n].val = 0x2000 + (int)*n;
		if (o->letter) {
			*(*sp)++ = o->letter;
			if (o->arg)
				*(*sp)++ = ':';
		}
		(*n)++;
	}
}

static void
build(const struct cli_cmd *c)
{
	size_t n = 0;
	char *sp = shorts;

	if (!c)
		*sp++ = '+';	/* global options end at the command */
	*sp++ = ':';	/* ':' for a missing argument, '?' for unknown */
	add_rows(c ? c->opts : cli_global_opts, &n, &sp);
	add_rows(common_opts, &n, &sp);
	*sp = '\0';
	memset(&lopts[n], 0, sizeof(lopts[n]));
	cached = c;
}

static const struct cli_opt *
row_of(int ch)
{
	if (ch >= 0x2000 && ch < 0x2000 + MAXOPTS)
		return lrows[ch - 0x2000];
	for (size_t i = 0; lopts[i].name; i++)
		if (lrows[i]->letter && lrows[i]->letter == ch)
			return lrows[i];
	return NULL;
}

static void
bad_option(const struct cli_cmd *c, int ch, char **argv)
{
	const char *w = argv[optind - 1];

	if (ch == ':')
		fprintf(stderr, "kiln%s%s: option '%s' needs an argument\n",
		    c ? " " : "", c ? c->name : "", w);
	else if (optopt && optopt < 0x2000 && strncmp(w, "--", 2) != 0)
		fprintf(stderr, "kiln%s%s: unknown option '-%c'\n",
		    c ? " " : "", c ? c->name : "", optopt);
	else
		fprintf(stderr, "kiln%s%s: unknown option '%s'\n",
		    c ? " " : "", c ? c->name : "", w);
}

/* the common options act here; true if o was one */
static bool
cli_common(const struct cli_opt *o, const char *arg)
{
	switch (o->val) {
	case OPT_QUIET:
		cli_out.verbose = -1;
		log_setverbose(-1);
		return true;
	case OPT_VERBOSE:
		cli_out.verbose = cli_out.verbose < 0 ? 1 :
		    cli_out.verbose + 1;
		log_setverbose(cli_out.verbose);
		return true;
	case OPT_BYTES:
		cli_out.bytes = true;
		return true;
	case OPT_CONFIG:
		cli_out.config = arg;
		return true;
	default:
		return false;
	}
}

int
cli_getopt(const struct cli_cmd *c, int argc, char **argv)
{
	const struct cli_opt *o;
	int ch;

	if (cached != c || !lopts[0].name)
		build(c);
	for (;;) {
		opterr = 0;
		ch = getopt_long(argc, argv, shorts, lopts, NULL);
		if (ch == -1)
			return -1;
		if (ch == '?' || ch == ':') {
			bad_option(c, ch, argv);
			return '?';
		}
		if (!(o = row_of(ch)))
			return '?';
		if (o->val == OPT_HELP && c) {
			cli_help(c, stdout);
			fflush(stdout);
			exit(EXIT_OK);
		}
		if (o->val == OPT_HELP)
			return 'h';
		if (cli_common(o, optarg))
			continue;
		return o->val;
	}
}

const struct cli_cmd *
cli_sub(const struct cli_cmd *c, const char *sub)
{
	if (!c || !c->subs || !sub)
		return NULL;
	for (size_t i = 0; c->subs[i]; i++) {
		const char *n = strrchr(c->subs[i]->name, ' ');
		if (strcmp(n ? n + 1 : c->subs[i]->name, sub) == 0)
			return c->subs[i];
	}
	return NULL;
}

const struct cli_cmd *
cli_subcommand(const struct cli_cmd *c, int *argc, char ***argv,
    const char **sub)
{
	const struct cli_cmd *sc;

	if (*argc < 2 || !(sc = cli_sub(c, (*argv)[1])))
		return NULL;
	*sub = (*argv)[1];
	(*argc)--;
	(*argv)++;
	return sc;
}

const struct cli_cmd *
cli_find(int argc, char **argv, int *used)
{
	const struct cli_cmd *c = NULL, *s;
	int i = 0;

	if (argc < 1)
		return NULL;
	for (size_t k = 0; cli_cmds[k]; k++)
		if (strcmp(cli_cmds[k]->name, argv[0]) == 0)
			c = cli_cmds[k];
	if (!c)
		return NULL;
	for (i = 1; i < argc && (s = cli_sub(c, argv[i])); i++)
		c = s;
	if (used)
		*used = i;
	return c;
}
