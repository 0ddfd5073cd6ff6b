/* SPDX-License-Identifier: ISC */
/*
 * cmd_check.c: `kiln check`: validate the site's configuration and its
 * templates and report every error at once (STYLE H33).
 *
 * Design: the check is exactly the load every other command does, so a
 * file that passes here loads everywhere.  Errors go to stderr, one per
 * line, "kiln.yaml:LINE: key: reason"; success prints "configuration OK"
 * on stdout, like httpd -n.  Exit 0 when all is well, 1 otherwise.
 */
#include "common/compat.h"

#include <errno.h>

#include "cli/cli.h"
#include "common/buf.h"
#include "conf/conf.h"
#include "render/render.h"

#define CONF_FILE "kiln.yaml"

int
cmd_check(int argc, char **argv)
{
	struct buf err = BUF_INIT;
	struct conf *c;
	int rc = EXIT_FAIL;

	if (cli_wants_help(argc, argv)) {
		cli_usage("check", 0);
		printf("\nValidate ./kiln.yaml (use kiln -C DIR check for "
		    "another folder)\nand report every error with its "
		    "line.\n");
		return EXIT_OK;
	}
	if (argc > 1)
		return cli_usage("check", 1);
	if (access(CONF_FILE, F_OK) == -1)
		return cli_error("no %s in this folder (%s); use 'kiln -C DIR "
		    "check' or 'kiln init'", CONF_FILE, strerror(errno));
	if (!(c = conf_load(CONF_FILE, &err))) {
		/* "kiln.yaml:LINE: ..." lines as they are; others are ours */
		if (strncmp(err.buf, CONF_FILE ":", strlen(CONF_FILE ":")) == 0)
			fprintf(stderr, "%s\n", err.buf);
		else
			cli_error("%s", err.buf);
		goto out;
	}

	/* every template parsed: FILE:LINE:COLUMN: reason for each error */
	if (!c->build.command && render_check_templates(c, &err) == -1) {
		fprintf(stderr, "%s\n", err.buf);
		goto out;
	}
	printf("configuration OK\n");
	rc = EXIT_OK;
 out:
	conf_free(c);
	buf_release(&err);
	return rc;
}
