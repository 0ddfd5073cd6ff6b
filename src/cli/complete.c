/* SPDX-License-Identifier: ISC */
/*
 * complete.c: `kiln complete -- WORD...`, the hidden helper of the bash
 * completion (contrib/bash-completion/kiln).  Given the words of the
 * command line after "kiln", the last one being completed (maybe empty),
 * it prints the candidates, one a line: commands and subcommands from
 * the command table, options from the option tables, page paths from the
 * store and target names from kiln.yaml.  Candidates are filtered by the
 * prefix here so the script stays a few lines.  It never fails loudly:
 * no site means no paths, not an error.
 * (docs/decisions/0092-completion-from-the-binary.md)
 */
#include "common/compat.h"

#include <stdio.h>
#include <string.h>

#include "common/buf.h"
#include "conf/conf.h"
#include "store/store.h"
#include "cli/cli.h"
#include "cli/site.h"

const struct cli_cmd cli_cmd_complete = {
	"complete", "-- WORD...", "Print completions (for the bash "
	"completion script).", NULL, NULL, NULL, NULL, cmd_complete, true
};

static void
cand(const char *word, const char *prefix)
{
	if (strncmp(word, prefix, strlen(prefix)) == 0)
		printf("%s\n", word);
}

static void
opts_of(const struct cli_opt *o, const char *prefix)
{
	char w[128];

	for (; o && o->name; o++) {
		snprintf(w, sizeof(w), "--%s", o->name);
		cand(w, prefix);
	}
}

/* the option (of c, or a common one) that takes an argument, or NULL */
static const struct cli_opt *
arg_opt(const struct cli_cmd *c, const char *word)
{
	const struct cli_opt *tabs[] = { c ? c->opts : cli_global_opts,
	    cli_common_opts };

	for (size_t t = 0; t < NELEM(tabs); t++)
		for (const struct cli_opt *o = tabs[t]; o && o->name; o++) {
			if (!o->arg)
				continue;
			if (strncmp(word, "--", 2) == 0 &&
			    strcmp(word + 2, o->name) == 0)
				return o;
			if (word[0] == '-' && word[1] == o->letter &&
			    o->letter && !word[2])
				return o;
		}
	return NULL;
}

static void
pages(const char *prefix)
{
	struct buf err = BUF_INIT;
	struct site s;
	struct page_info *l;
	size_t n;
	int v = cli_out.verbose;

	if (site_open(&s, &err) == 0) {
		if (store_page_list(s.st, &l, &n, &err) == 0) {
			for (size_t i = 0; i < n; i++)
				cand(l[i].path[0] ? l[i].path : "/", prefix);
			store_page_list_free(l, n);
		}
		site_close(&s);
	}
	cli_out.verbose = v;
	buf_release(&err);
}

static void
targets(const char *prefix)
{
	struct buf err = BUF_INIT;
	struct conf *c;
	char *file;

	if ((file = site_find_config(&err)) && (c = conf_load(file, &err))) {
		for (size_t i = 0; i < c->ntargets; i++)
			cand(c->targets[i].name, prefix);
		conf_free(c);
	}
	free(file);
	buf_release(&err);
}

int
cmd_complete(int argc, char **argv)
{
	const struct cli_cmd *c = NULL, *s;
	const struct cli_opt *o;
	const char *cur;
	int i = 1, n;

	if (argc >= 2 && strcmp(argv[1], "--") == 0)
		i = 2;
	if (i >= argc)
		return EXIT_OK;
	n = argc - 1;		/* argv[n] is the word being completed */
	cur = argv[n];
	/* global options before the command; -c/-C take effect */
	for (; i < n && argv[i][0] == '-'; i++) {
		if ((o = arg_opt(NULL, argv[i])) && i + 1 < n) {
			if (o->letter == 'c')
				cli_out.config = argv[i + 1];
			else if (o->letter == 'C' && chdir(argv[i + 1]) == -1)
				return EXIT_OK;
			i++;
		}
	}
	if (i == n) {
		if (cur[0] == '-') {
			opts_of(cli_global_opts, cur);
			opts_of(cli_common_opts, cur);
			return EXIT_OK;
		}
		for (size_t k = 0; cli_cmds[k]; k++)
			if (!cli_cmds[k]->hidden)
				cand(cli_cmds[k]->name, cur);
		return EXIT_OK;
	}
	for (size_t k = 0; cli_cmds[k]; k++)
		if (strcmp(cli_cmds[k]->name, argv[i]) == 0)
			c = cli_cmds[k];
	if (!c)
		return EXIT_OK;
	for (i++; i < n && c->subs && (s = cli_sub(c, argv[i])); i++)
		c = s;
	if (c->subs) {
		if (i == n)
			for (size_t k = 0; c->subs[k]; k++)
				cand(strrchr(c->subs[k]->name, ' ') + 1, cur);
		return EXIT_OK;
	}
	/* the argument of an option, e.g. --target NAME, -c FILE */
	o = n >= 2 ? arg_opt(c, argv[n - 1]) : NULL;
	for (int k = i; k < n - 1; k++) {
		const struct cli_opt *a = arg_opt(c, argv[k]);
		if (a && a->letter == 'c')
			cli_out.config = argv[k + 1];
	}
	if (o) {
		if (strcmp(o->name, "target") == 0)
			targets(cur);
		else if (strcmp(o->name, "role") == 0) {
			cand("editor", cur);
			cand("publisher", cur);
			cand("admin", cur);
		} else if (strcmp(o->name, "log-format") == 0) {
			cand("plain", cur);
			cand("json", cur);
		}
		/* FILE, DIR...: the script falls back to file names */
		return EXIT_OK;
	}
	if (cur[0] == '-') {
		opts_of(c->opts, cur);
		opts_of(cli_common_opts, cur);
		return EXIT_OK;
	}
	/* positional arguments: a page PATH */
	if (c->args && strncmp(c->args, "PATH", 4) == 0)
		pages(cur);
	return EXIT_OK;
}
