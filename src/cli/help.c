/* SPDX-License-Identifier: ISC */
/*
 * help.c: `kiln help [COMMAND [SUBCOMMAND]]` and every generated document
 * of the command line: the help text, docs/cli.md (--markdown), kiln(1)
 * (--man) and kiln.yaml(5) (--man-config).  All of them are made from the
 * option tables the parser uses (cli.h) and the loader's key table
 * (conf/conf_keys.c); tests/integration/cli_docs.sh fails when a file in
 * the repository differs from what the binary prints.
 * (docs/decisions/0090-help-from-option-tables.md)
 */
#include "common/compat.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/buf.h"
#include "conf/conf.h"
#include "conf/conf_int.h"
#include "cli/cli.h"
#include "cli/clidoc.h"

#define WIDTH	78

/* prose of docs/cli.md and kiln(1) that belongs to no single command */
static const char intro[] =
    "One binary, kiln. Global options come before the command; the "
    "common options (-c, -h, -q, -v, --bytes) are also taken after it. "
    "Every command answers --help with its description, every option "
    "with its meaning and default, and examples; kiln help COMMAND "
    "prints the same.\n\n"
    "Commands run on a site project: the folder holding kiln.yaml. kiln "
    "looks for kiln.yaml in the current folder, then in each parent "
    "folder up to / (as git finds .git). $KILN_CONFIG, or -c FILE, names "
    "the file instead; -C DIR first changes to DIR. Relative paths in "
    "kiln.yaml are relative to the folder holding it.";

static const char output[] =
    "Results (lists, pages, JSON) go to stdout; confirmations and "
    "summaries too, unless -q; errors and, with -v, details go to "
    "stderr. Counts are pluralised (1 page, 2 pages). Sizes are "
    "human-readable (1.4 MiB); --bytes prints exact numbers of bytes. "
    "Colour is used only when the output is a terminal, and never when "
    "NO_COLOR is set (to anything) or TERM is dumb. --json output is "
    "never coloured or abbreviated.";

static const char env_text[] =
    "KILN_CONFIG: the kiln.yaml to use (-c wins over it).\n\n"
    "KILN_USER: the actor written to the audit log (else $USER).\n\n"
    "KILN_NOW: overrides the clock (tests), an ISO 8601 time.\n\n"
    "NO_COLOR: set to anything, no colour is ever printed.";

static const char exit_text[] =
    "0 success, 1 failure, 2 bad usage (an unknown command or option, a "
    "missing argument). Times are ISO 8601 (2026-11-24T14:50:00Z).";

/* ---- text ---- */

/* write text wrapped at WIDTH, each line indented by ind */
static void
wrap(FILE *f, int ind, const char *text)
{
	const char *p = text;

	while (*p) {
		int col = ind;
		bool first = true;

		fprintf(f, "%*s", ind, "");
		while (*p && !(p[0] == '\n' && p[1] == '\n')) {
			size_t w;

			while (*p == ' ' || (*p == '\n' && p[1] != '\n'))
				p++;
			w = strcspn(p, " \n");
			if (!w)
				break;
			if (!first && col + 1 + (int)w > WIDTH) {
				fprintf(f, "\n%*s", ind, "");
				col = ind;
				first = true;
			}
			fprintf(f, "%s%.*s", first ? "" : " ", (int)w, p);
			col += (int)w + !first;
			first = false;
			p += w;
		}
		fputc('\n', f);
		if (*p) {
			fputc('\n', f);
			p += 2;
		}
	}
}

/* "kiln page new PATH --title TITLE [--body-file FILE] ..." */
static void
synopsis(struct buf *b, const struct cli_cmd *c)
{
	buf_setf(b, "kiln %s", c->name);
	if (c->subs) {
		buf_printf(b, " COMMAND [ARGS]");
		return;
	}
	if (c->args && *c->args)
		buf_printf(b, " %s", c->args);
	for (const struct cli_opt *o = c->opts; o && o->name; o++) {
		const char *lb = o->required ? "" : "[", *rb = o->required ?
		    "" : "]";
		if (o->arg)
			buf_printf(b, " %s--%s %s%s", lb, o->name, o->arg, rb);
		else
			buf_printf(b, " %s--%s%s", lb, o->name, rb);
	}
}

/* "usage: SYNOPSIS", wrapped between bracketed groups */
static void
print_usage(FILE *f, const char *syn)
{
	const char *p = syn;
	int col = fprintf(f, "usage:"), depth = 0;

	while (*p) {
		const char *e = p;

		/* one word, or one [group] with the spaces inside it */
		for (; *e && (depth > 0 || *e != ' '); e++) {
			if (*e == '[')
				depth++;
			else if (*e == ']')
				depth--;
		}
		if (col + 1 + (int)(e - p) > WIDTH && col > 7) {
			fprintf(f, "\n%*s", 7, "");
			col = 7;
		} else
			col += fprintf(f, " ") - 1;
		col += fprintf(f, "%.*s", (int)(e - p), p) + 1;
		p = *e ? e + 1 : e;
	}
	fputc('\n', f);
}

/* "-t, --title TITLE" */
static void
opt_label(struct buf *b, const struct cli_opt *o)
{
	buf_reset(b);
	if (o->letter)
		buf_printf(b, "-%c, ", o->letter);
	else
		buf_printf(b, "    ");
	buf_printf(b, "--%s", o->name);
	if (o->arg)
		buf_printf(b, " %s", o->arg);
}

static void
opt_text(struct buf *b, const struct cli_opt *o)
{
	buf_setf(b, "%s", o->help);
	if (o->required)
		buf_printf(b, " Required.");
	if (o->def)
		buf_printf(b, " Default: %s.", o->def);
}

static void
print_opts(FILE *f, const struct cli_opt *opts)
{
	struct buf l = BUF_INIT, t = BUF_INIT;

	for (const struct cli_opt *o = opts; o && o->name; o++) {
		opt_label(&l, o);
		opt_text(&t, o);
		fprintf(f, "  %s\n", l.buf);
		wrap(f, 8, t.buf);
	}
	buf_release(&l);
	buf_release(&t);
}

static void
print_list(FILE *f, const struct cli_cmd *const *l, size_t skip)
{
	for (size_t i = 0; l[i]; i++) {
		if (l[i]->hidden)
			continue;
		fprintf(f, "  %-12s %s\n", l[i]->name + skip, l[i]->summary);
	}
}

int
cli_help(const struct cli_cmd *c, FILE *f)
{
	struct buf b = BUF_INIT;

	synopsis(&b, c);
	print_usage(f, b.buf);
	fputc('\n', f);
	wrap(f, 0, c->summary);
	if (c->desc) {
		fputc('\n', f);
		wrap(f, 0, c->desc);
	}
	if (c->subs) {
		fprintf(f, "\ncommands:\n");
		print_list(f, c->subs, strlen(c->name) + 1);
		fprintf(f, "\n'kiln %s COMMAND --help' describes one.\n",
		    c->name);
	}
	if (c->opts && c->opts->name) {
		fprintf(f, "\noptions:\n");
		print_opts(f, c->opts);
	}
	fprintf(f, "\ncommon options: -c FILE, -h, -q, -v, --bytes "
	    "('kiln help' describes them)\n");
	if (c->examples && c->examples[0]) {
		fprintf(f, "\nexamples:\n");
		for (size_t i = 0; c->examples[i]; i++)
			fprintf(f, "  %s\n", c->examples[i]);
	}
	buf_release(&b);
	return EXIT_OK;
}

int
cli_bad_usage(const struct cli_cmd *c)
{
	struct buf b = BUF_INIT;

	synopsis(&b, c);
	print_usage(stderr, b.buf);
	fprintf(stderr, "'kiln help %s' describes it.\n", c->name);
	buf_release(&b);
	return EXIT_USAGE;
}

static int
top_help(FILE *f)
{
	fprintf(f, "usage: kiln [-C DIR] [-c FILE] [-q | -v] [--bytes] "
	    "[--log-format plain|json] COMMAND [ARGS]\n\n");
	wrap(f, 0, "kiln publishes a static site: content store, build "
	    "queue, renderer, deploy to S3-compatible buckets, CDN "
	    "invalidation and git history; kiln serve is the daemon.");
	fprintf(f, "\ncommands:\n");
	print_list(f, cli_cmds, 0);
	fprintf(f, "\nglobal options:\n");
	print_opts(f, cli_global_opts);
	print_opts(f, cli_common_opts);
	fprintf(f, "\n");
	wrap(f, 0, "'kiln help COMMAND' or 'kiln COMMAND --help' describes "
	    "one command; man kiln, man kiln.yaml and man kiln-api describe "
	    "the rest.");
	return f == stderr ? EXIT_USAGE : EXIT_OK;
}

int
cli_top_usage(FILE *f)
{
	return top_help(f);
}

/* ---- markdown: docs/cli.md ---- */

/* text for a markdown table cell: '|' escaped, no newlines */
static void
md_cell(FILE *f, const char *s)
{
	for (; *s; s++) {
		if (*s == '|')
			fputs("\\|", f);
		else if (*s == '\n')
			fputc(' ', f);
		else
			fputc(*s, f);
	}
}

static void
md_opts(FILE *f, const struct cli_opt *opts)
{
	struct buf l = BUF_INIT;

	fprintf(f, "| option | meaning | default |\n| --- | --- | --- |\n");
	for (const struct cli_opt *o = opts; o && o->name; o++) {
		buf_reset(&l);
		if (o->letter)
			buf_printf(&l, "-%c, ", o->letter);
		buf_printf(&l, "--%s%s%s", o->name, o->arg ? " " : "",
		    o->arg ? o->arg : "");
		fputs("| `", f);
		md_cell(f, l.buf);
		fputs("` | ", f);
		md_cell(f, o->help);
		if (o->required)
			fputs(" Required.", f);
		fputs(" | ", f);
		if (o->def)
			md_cell(f, o->def);
		fputs(" |\n", f);
	}
	buf_release(&l);
}

static void
md_para(FILE *f, const char *text)
{
	const char *p = text, *e;

	while (*p) {
		e = strstr(p, "\n\n");
		fprintf(f, "%.*s\n\n", (int)(e ? e - p : (ptrdiff_t)strlen(p)),
		    p);
		if (!e)
			break;
		p = e + 2;
	}
}

static void
md_cmd(FILE *f, const struct cli_cmd *c)
{
	struct buf b = BUF_INIT;

	if (c->hidden)
		return;
	synopsis(&b, c);
	fprintf(f, "### kiln %s\n\n```\n%s\n```\n\n", c->name, b.buf);
	md_para(f, c->summary);
	if (c->desc)
		md_para(f, c->desc);
	if (c->opts && c->opts->name) {
		md_opts(f, c->opts);
		fputc('\n', f);
	}
	if (c->examples && c->examples[0]) {
		fprintf(f, "```\n");
		for (size_t i = 0; c->examples[i]; i++)
			fprintf(f, "%s\n", c->examples[i]);
		fprintf(f, "```\n\n");
	}
	for (size_t i = 0; c->subs && c->subs[i]; i++)
		md_cmd(f, c->subs[i]);
	buf_release(&b);
}

void
clidoc_markdown(FILE *f)
{
	fprintf(f, "# The command line\n\n"
	    "<!-- generated by `kiln help --markdown` from the option tables "
	    "in src/cli/; edit those, then run `kiln help --markdown > "
	    "docs/cli.md` (tests/integration/cli_docs.sh checks it) -->\n\n");
	md_para(f, intro);
	fprintf(f, "## Global options\n\n");
	md_opts(f, cli_global_opts);
	fprintf(f, "\nCommon options, taken before the command and by every "
	    "command:\n\n");
	md_opts(f, cli_common_opts);
	fprintf(f, "\n## Output\n\n");
	md_para(f, output);
	fprintf(f, "## Exit status\n\n");
	md_para(f, exit_text);
	fprintf(f, "## Environment\n\n");
	md_para(f, env_text);
	fprintf(f, "## Commands\n\n| command | what it does |\n"
	    "| --- | --- |\n");
	for (size_t i = 0; cli_cmds[i]; i++) {
		if (cli_cmds[i]->hidden)
			continue;
		fprintf(f, "| [`kiln %s`](#kiln-%s) | ", cli_cmds[i]->name,
		    cli_cmds[i]->name);
		md_cell(f, cli_cmds[i]->summary);
		fputs(" |\n", f);
	}
	fputc('\n', f);
	for (size_t i = 0; cli_cmds[i]; i++)
		md_cmd(f, cli_cmds[i]);
	fprintf(f, "## See also\n\n"
	    "kiln(1), kiln.yaml(5) and kiln-api(7) (`man/`), "
	    "[configuration.md](configuration.md), "
	    "[daemon.md](daemon.md).\n");
}

/* ---- scdoc: kiln(1), kiln.yaml(5) ---- */

/* text for scdoc: its markup characters escaped, no leading spaces */
static void
sc_text(FILE *f, const char *s)
{
	bool bol = true;

	for (; *s; s++) {
		if (bol && (*s == ' ' || *s == '\t'))
			continue;
		if (*s == '*' || *s == '_' || *s == '\\')
			fputc('\\', f);
		if (*s == '`')
			continue;
		fputc(*s, f);
		bol = *s == '\n';
	}
}

static void
sc_opts(FILE *f, const struct cli_opt *opts)
{
	struct buf t = BUF_INIT;

	for (const struct cli_opt *o = opts; o && o->name; o++) {
		if (o->letter)
			fprintf(f, "*-%c*, ", o->letter);
		fprintf(f, "*--%s*", o->name);
		if (o->arg) {
			fputs(" ", f);
			sc_text(f, o->arg);
		}
		fputs("\n\t", f);
		opt_text(&t, o);
		sc_text(f, t.buf);
		fputs("\n\n", f);
	}
	buf_release(&t);
}

static void
sc_para(FILE *f, const char *text)
{
	sc_text(f, text);
	fputs("\n\n", f);
}

static void
sc_cmd(FILE *f, const struct cli_cmd *c)
{
	struct buf b = BUF_INIT;

	if (c->hidden)
		return;
	synopsis(&b, c);
	fprintf(f, "## kiln %s\n\n", c->name);
	sc_text(f, b.buf);
	fputs("\n\n", f);
	sc_para(f, c->summary);
	if (c->desc)
		sc_para(f, c->desc);
	sc_opts(f, c->opts);
	if (c->examples && c->examples[0]) {
		fputs("```\n", f);
		for (size_t i = 0; c->examples[i]; i++)
			fprintf(f, "%s\n", c->examples[i]);
		fputs("```\n\n", f);
	}
	for (size_t i = 0; c->subs && c->subs[i]; i++)
		sc_cmd(f, c->subs[i]);
	buf_release(&b);
}

void
clidoc_man(FILE *f)
{
	fprintf(f, "kiln(1)\n\n"
	    "; generated by `kiln help --man` from the option tables in "
	    "src/cli/: do not edit\n\n"
	    "# NAME\n\nkiln - static-site publishing pipeline\n\n"
	    "# SYNOPSIS\n\n*kiln* [_global options_] _command_ [_args_]\n\n"
	    "*kiln help* [_command_ [_subcommand_]]\n\n# DESCRIPTION\n\n");
	sc_para(f, intro);
	fputs("# GLOBAL OPTIONS\n\n", f);
	sc_opts(f, cli_global_opts);
	fputs("# COMMON OPTIONS\n\nTaken before the command and by every "
	    "command.\n\n", f);
	sc_opts(f, cli_common_opts);
	fputs("# OUTPUT\n\n", f);
	sc_para(f, output);
	fputs("# COMMANDS\n\n", f);
	for (size_t i = 0; cli_cmds[i]; i++)
		sc_cmd(f, cli_cmds[i]);
	fputs("# EXIT STATUS\n\n", f);
	sc_para(f, exit_text);
	fputs("# ENVIRONMENT\n\n", f);
	sc_para(f, env_text);
	fputs("# FILES\n\n*kiln.yaml*\n\tThe site's configuration: "
	    "*kiln.yaml*(5).\n\n*.kiln/*\n\tState: kiln.db (SQLite), media, "
	    "history.git.\n\n"
	    "# SEE ALSO\n\n*kiln.yaml*(5), *kiln-api*(7)\n", f);
}

static const char *
keydoc(const char *pattern)
{
	for (size_t i = 0; cli_keydocs[i].pattern; i++)
		if (strcmp(cli_keydocs[i].pattern, pattern) == 0)
			return cli_keydocs[i].text;
	return NULL;
}

static void
key_type(struct buf *b, const struct conf_key *k)
{
	static const char *const names[] = {
		[CK_SECTION] = "section", [CK_OBJ] = "mapping",
		[CK_NAMED] = "mapping of NAME to settings",
		[CK_LIST] = "list of mappings", [CK_STR] = "string",
		[CK_BOOL] = "bool", [CK_INT] = "integer", [CK_I64] = "integer",
		[CK_DUR] = "duration", [CK_ENUM] = "one of",
		[CK_URL] = "URL", [CK_ENV] = "environment variable name",
		[CK_CRON] = "cron expression", [CK_STRLIST] = "list",
	};

	buf_setf(b, "%s", names[k->type]);
	if (k->type == CK_INT || k->type == CK_I64)
		buf_printf(b, " %lld-%lld", k->min, k->max);
	if (k->type == CK_DUR)
		buf_printf(b, " %llds-%llds", k->min, k->max);
	if ((k->type == CK_ENUM || k->type == CK_URL ||
	    k->type == CK_STRLIST) && k->names) {
		if (k->type == CK_URL || k->type == CK_STRLIST)
			buf_printf(b, "%s (", k->type == CK_STRLIST ?
			    " of URLs" : "");
		for (size_t i = 0; k->names[i]; i++)
			buf_printf(b, "%s%s", i ? ", " :
			    k->type == CK_ENUM ? " " : "", k->names[i]);
		if (k->type == CK_URL || k->type == CK_STRLIST)
			buf_printf(b, ")");
	}
	if (k->flags & CK_MULTILINE)
		buf_printf(b, ", multi-line");
	if (k->flags & CK_REQUIRED)
		buf_printf(b, ", required");
}

int
clidoc_man_config(FILE *f)
{
	struct buf t = BUF_INIT;
	int rc = 0;

	fprintf(f, "kiln.yaml(5)\n\n"
	    "; generated by `kiln help --man-config` from the key table in "
	    "src/conf/conf_keys.c: do not edit\n\n"
	    "# NAME\n\nkiln.yaml - configuration of a kiln site\n\n"
	    "# DESCRIPTION\n\n"
	    "Every kiln site has one *kiln.yaml* at its root; *kiln init* "
	    "writes a commented default and *kiln check* validates one, "
	    "reporting every error as FILE:LINE: key: reason. Keys not listed "
	    "here are errors. Relative paths are relative to the folder "
	    "holding the file. A key with no value, ~ or null takes its "
	    "default.\n\n"
	    "Types: a _duration_ is 90s, 10m, 1h, 7d, a combination such as "
	    "1h30m, or a number of seconds; a _bool_ is true or false; an "
	    "_environment variable name_ names the variable that holds a "
	    "secret, since secrets are never written in kiln.yaml. In a key, "
	    "NAME stands for a name you choose (a target, a collection) and "
	    "[] for each element of a list.\n\n# KEYS\n\n");
	for (size_t i = 0; i < conf_nkeys; i++) {
		const struct conf_key *k = &conf_keys[i];
		const char *d = keydoc(k->pattern);
		char *pat = strdup(k->pattern), *s;

		if (!pat)
			abort();
		while ((s = strstr(pat, "*")))
			*s = '\x01';
		if (!d) {
			fprintf(stderr, "kiln: kiln.yaml key '%s' has no "
			    "description in src/cli/conf_doc.c\n", k->pattern);
			rc = -1;
		}
		if (k->type == CK_SECTION)
			fprintf(f, "## %s\n\n", k->pattern);
		fputs("*", f);
		for (s = pat; *s; s++) {
			if (*s == '\x01')
				fputs("NAME", f);
			else if (*s == '_')
				fputs("\\_", f);
			else
				fputc(*s, f);
		}
		free(pat);
		key_type(&t, k);
		fprintf(f, "* (%s", t.buf);
		if (k->def) {
			fputs("; default: ", f);
			sc_text(f, *k->def ? k->def : "\"\"");
		}
		fputs(")\n\t", f);
		sc_text(f, d ? d : "");
		fputs("\n\n", f);
	}
	fputs("# EXAMPLE\n\n```\nsite:\n  title: Example Council\n"
	    "  base_url: https://www.example.org\ntargets:\n  production:\n"
	    "    type: s3\n    bucket: www-example-org\n    region: eu-west-2\n"
	    "    cdn:\n      type: purge\n"
	    "      urls: [\"http://127.0.0.1:6081\"]\n"
	    "```\n\n# SEE ALSO\n\n*kiln*(1), *kiln-api*(7)\n", f);
	buf_release(&t);
	return rc;
}

/* ---- kiln help ---- */

enum { H_MARKDOWN = 1, H_MAN, H_MAN_CONFIG, H_MAN_API, H_MARKDOWN_API };

static const struct cli_opt help_opts[] = {
	{ H_MARKDOWN, "markdown", 0, NULL,
	    "Print the whole command line as Markdown: docs/cli.md.", NULL,
	    false },
	{ H_MAN, "man", 0, NULL,
	    "Print the scdoc source of kiln(1): man/kiln.1.scd.", NULL,
	    false },
	{ H_MAN_CONFIG, "man-config", 0, NULL,
	    "Print the scdoc source of kiln.yaml(5), every key of the "
	    "loader's table: man/kiln.yaml.5.scd.", NULL, false },
	{ H_MAN_API, "man-api", 0, NULL,
	    "Print the scdoc source of kiln-api(7), every route of the "
	    "server's table: man/kiln-api.7.scd.", NULL, false },
	{ H_MARKDOWN_API, "markdown-api", 0, NULL,
	    "Print the same routes as Markdown: docs/api.md.", NULL, false },
	CLI_OPT_END
};

static const char *const help_examples[] = {
	"kiln help page new        # the same as: kiln page new --help",
	"kiln help --markdown > docs/cli.md",
	NULL
};

const struct cli_cmd cli_cmd_help = {
	"help", "[COMMAND [SUBCOMMAND]]",
	"Describe kiln, a command or a subcommand.",
	"Without a command, lists every command and the global options. The "
	"text comes from the tables the option parser uses, as do "
	"docs/cli.md and the man pages.",
	help_opts, help_examples, NULL, cmd_help, false
};

int
cmd_help(int argc, char **argv)
{
	const struct cli_cmd *c;
	int ch, used = 0, what = 0;

	while ((ch = cli_getopt(&cli_cmd_help, argc, argv)) != -1) {
		if (ch == '?')
			return cli_bad_usage(&cli_cmd_help);
		what = ch;
	}
	argc -= optind;
	argv += optind;
	if (what && argc)
		return cli_bad_usage(&cli_cmd_help);
	if (what == H_MARKDOWN) {
		clidoc_markdown(stdout);
		return EXIT_OK;
	}
	if (what == H_MAN) {
		clidoc_man(stdout);
		return EXIT_OK;
	}
	if (what == H_MAN_CONFIG)
		return clidoc_man_config(stdout) == 0 ? EXIT_OK : EXIT_FAIL;
	if (what == H_MAN_API)
		return clidoc_man_api(stdout) == 0 ? EXIT_OK : EXIT_FAIL;
	if (what == H_MARKDOWN_API)
		return clidoc_markdown_api(stdout) == 0 ? EXIT_OK : EXIT_FAIL;
	if (argc == 0)
		return top_help(stdout);
	if (!(c = cli_find(argc, argv, &used)) || used != argc) {
		fprintf(stderr, "kiln help: no command '");
		for (int i = 0; i < argc; i++)
			fprintf(stderr, "%s%s", i ? " " : "", argv[i]);
		fprintf(stderr, "'\n");
		top_help(stderr);
		return EXIT_USAGE;
	}
	return cli_help(c, stdout);
}
