/* SPDX-License-Identifier: ISC */
/*
 * clidoc.h: the generated documents of the command line (help.c): the
 * help text, docs/cli.md, kiln(1) and kiln.yaml(5), all made from the
 * option tables (cli.h) and the config key table (conf/conf_keys.c).
 */
#ifndef KILN_CLIDOC_H
#define KILN_CLIDOC_H

#include <stdio.h>

/* the meaning of one kiln.yaml key pattern ("targets.*.bucket") */
struct cli_keydoc {
	const char *pattern;
	const char *text;
};
extern const struct cli_keydoc cli_keydocs[];

/* docs/cli.md */
void clidoc_markdown(FILE *f);
/* man/kiln.1.scd */
void clidoc_man(FILE *f);
/* man/kiln.yaml.5.scd; -1 when a key has no description (named on stderr) */
int clidoc_man_config(FILE *f);
/* man/kiln-api.7.scd and docs/api.md (apidoc.c); -1 when a route has no
   description (named on stderr) */
int clidoc_man_api(FILE *f);
int clidoc_markdown_api(FILE *f);

#endif
