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
#include "store/store.h"
#include "cli/cli.h"
#include "cli/site.h"

static const struct cli_opt build_opts[] = {
	{ 'f', "full", 0, NULL,
	    "Render every page, not only those whose inputs changed (the "
	    "result is byte-identical either way).", NULL, false },
	{ 'o', "out", 0, "DIR",
	    "Write the site to DIR instead of build.out.", "build.out of "
	    "kiln.yaml (public)", false },
	{ 't', "target", 0, "NAME",
	    "Build for target NAME: for a staging target (content: latest), "
	    "its own folder .kiln/staging/NAME from the latest revisions.",
	    "the live site in build.out", false },
	CLI_OPT_END
};

static const char *const build_examples[] = {
	"kiln build                  # incremental: only what changed",
	"kiln build --full --out /tmp/site",
	NULL
};

const struct cli_cmd cli_cmd_build = {
	"build", "", "Render the site from the store's current content.",
	"Incremental unless --full: only outputs whose inputs changed are "
	"rendered again. build.out is a symlink switched to the new build "
	"only when it is complete (docs/rendering.md). With build.command "
	"set, that command builds instead of kiln's renderer.",
	build_opts, build_examples, NULL, cmd_build, false
};

int
cmd_build(int argc, char **argv)
{
	struct render_opts ro;
	struct render_result res;
	struct buf err = BUF_INIT, log = BUF_INIT;
	struct site s;
	char n1[32], n2[32], *staging_out = NULL;
	const char *target = NULL;
	const struct conf_target *t;
	int ch, rc = EXIT_FAIL;

	memset(&ro, 0, sizeof(ro));
	while ((ch = cli_getopt(&cli_cmd_build, argc, argv)) != -1) {
		if (ch == 'f')
			ro.full = true;
		else if (ch == 'o')
			ro.outdir = optarg;
		else if (ch == 't')
			target = optarg;
		else
			return cli_bad_usage(&cli_cmd_build);
	}
	if (optind != argc)
		return cli_bad_usage(&cli_cmd_build);
	if (site_open(&s, &err) == -1) {
		rc = cli_fail(&err);
		buf_release(&err);
		return rc;
	}
	ro.log = &log;
	/* the process ends with the build: nothing kept for a next one */
	ro.once = true;
	store_snapshot_keep(false);
	if (target && !(t = conf_target(s.conf, target))) {
		buf_setf(&err, "--target: no target '%s' in kiln.yaml", target);
		cli_fail(&err);
		goto out;
	}
	if (target && t->content == CONF_CONTENT_LATEST) {
		ro.staging = true;
		if (!ro.outdir)
			ro.outdir = staging_out = render_staging_out(target);
	}
	if (render_build(s.conf, s.st, &ro, &res, &err) == -1) {
		if (log.len)
			fprintf(stderr, "%s", log.buf);
		cli_fail(&err);
		goto out;
	}
	if (log.len)
		fprintf(stderr, "%s", log.buf);
	cli_info("built %s (%zu rendered, %zu reused), %s in %lld ms\n",
	    cli_count(n1, sizeof(n1), (long long)res.pages, "page", NULL),
	    res.rendered, res.reused, cli_count(n2, sizeof(n2),
	    (long long)res.files, "file", NULL), (long long)res.ms);
	rc = EXIT_OK;
out:
	site_close(&s);
	free(staging_out);
	buf_release(&err);
	buf_release(&log);
	return rc;
}
