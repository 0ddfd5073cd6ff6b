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
#include "cli/site.h"
#include "common/buf.h"
#include "conf/conf.h"
#include "render/render.h"

static const char *const check_examples[] = {
	"kiln check", "kiln -C sites/council check",
	"kiln -c staging.yaml check", NULL
};

const struct cli_cmd cli_cmd_check = {
	"check", "", "Validate kiln.yaml and every template; report every "
	"error at once.",
	"Prints \"configuration OK\", or each error as FILE:LINE: key: "
	"reason (templates: FILE:LINE:COLUMN), exit status 1.",
	NULL, check_examples, NULL, cmd_check, false
};

int
cmd_check(int argc, char **argv)
{
	struct buf err = BUF_INIT;
	struct conf *c = NULL;
	char *file = NULL;
	int ch, rc = EXIT_FAIL;

	if ((ch = cli_getopt(&cli_cmd_check, argc, argv)) != -1 ||
	    optind != argc)
		return cli_bad_usage(&cli_cmd_check);
	if (!(file = site_find_config(&err))) {
		cli_fail(&err);
		goto out;
	}
	if (!(c = conf_load_check(file, &err))) {
		/* "kiln.yaml:LINE: ..." lines as they are; others are ours */
		if (strncmp(err.buf, file, strlen(file)) == 0 &&
		    err.buf[strlen(file)] == ':')
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
	cli_info("configuration OK\n");
	rc = EXIT_OK;
 out:
	conf_free(c);
	free(file);
	buf_release(&err);
	return rc;
}
