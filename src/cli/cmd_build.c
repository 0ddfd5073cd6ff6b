/* SPDX-License-Identifier: ISC */
/*
 * cmd_build.c: `kiln build [--full] [--out DIR]` renders the site from the
 * store's current content (incremental unless --full).
 */
#include "common/compat.h"

#include <getopt.h>

#include "common/buf.h"
#include "conf/conf.h"
#include "render/render.h"
#include "cli/cli.h"
#include "cli/site.h"

int
cmd_build(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "full", no_argument, NULL, 'f' },
		{ "help", no_argument, NULL, 'h' },
		{ "out", required_argument, NULL, 'o' },
		{ NULL, 0, NULL, 0 }
	};
	struct render_opts ro;
	struct render_result res;
	struct buf err = BUF_INIT, log = BUF_INIT;
	struct site s;
	int ch, rc = EXIT_FAIL;

	if (cli_wants_help(argc, argv))
		return cli_usage("build", 0);
	memset(&ro, 0, sizeof(ro));
	while ((ch = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		if (ch == 'f')
			ro.full = true;
		else if (ch == 'o')
			ro.outdir = optarg;
		else
			return cli_usage("build", 1);
	}
	if (optind != argc)
		return cli_usage("build", 1);
	if (site_open(&s, &err) == -1) {
		rc = cli_fail(&err);
		buf_release(&err);
		return rc;
	}
	ro.log = &log;
	if (render_build(s.conf, s.st, &ro, &res, &err) == -1) {
		if (log.len)
			fprintf(stderr, "%s", log.buf);
		cli_fail(&err);
		goto out;
	}
	if (log.len)
		fprintf(stderr, "%s", log.buf);
	printf("built %zu pages (%zu rendered, %zu reused), %zu files in "
	    "%lld ms\n", res.pages, res.rendered, res.reused, res.files,
	    (long long)res.ms);
	rc = EXIT_OK;
out:
	site_close(&s);
	buf_release(&err);
	buf_release(&log);
	return rc;
}
