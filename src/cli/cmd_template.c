/* SPDX-License-Identifier: ISC */
/*
 * cmd_template.c: `kiln template render FILE --data JSON_FILE
 * [--partials DIR]` renders one template to stdout, exactly (no newline
 * added).  Partial NAME is DIR/NAME.mustache.  It makes the spec
 * conformance check possible from outside the library.
 */
#include "common/compat.h"

#include <errno.h>
#include <getopt.h>
#include <jansson.h>

#include "common/buf.h"
#include "common/fsutil.h"
#include "common/limits.h"
#include "common/path.h"
#include "common/xmalloc.h"
#include "render/tmpl.h"
#include "cli/cli.h"

static int
dir_loader(void *arg, const char *name, struct buf *src, struct buf *err)
{
	const char *dir = arg;
	struct buf clean = BUF_INIT, ignored = BUF_INIT;
	char *file;
	int rc;

	if (!dir)
		return 1;
	/* a partial name must not climb out of the partials folder */
	if (path_clean_rel(name, &clean, &ignored) == -1) {
		buf_release(&clean);
		buf_release(&ignored);
		return 1;
	}
	file = xasprintf("%s/%s.mustache", dir, clean.buf);
	if (!file_exists(file))
		rc = 1;
	else
		rc = file_read(file, src, LIMIT_TEMPLATE, err) == -1 ? -1 : 0;
	free(file);
	buf_release(&clean);
	buf_release(&ignored);
	return rc;
}

static const struct cli_opt render_opts[] = {
	{ 'd', "data", 'd', "JSON_FILE", "The context: a JSON file.", NULL,
	    true },
	{ 'p', "partials", 'p', "DIR",
	    "Load partials ({{> name}}) from DIR/name.mustache.",
	    "no partials", false },
	CLI_OPT_END
};

static const char *const render_ex[] = {
	"kiln template render templates/page.mustache --data ctx.json "
	    "--partials templates/partials", NULL
};

static const struct cli_cmd template_render = {
	"template render", "FILE", "Render one Mustache template to stdout.",
	"Errors are reported FILE:LINE:COLUMN: reason. Useful to test a "
	"template without a site.", render_opts, render_ex, NULL, NULL, false
};

static const struct cli_cmd *const template_subs[] = {
	&template_render, NULL
};

const struct cli_cmd cli_cmd_template = {
	"template", NULL, "Templates: render one to stdout.", NULL, NULL,
	NULL, template_subs, cmd_template, false
};

int
cmd_template(int argc, char **argv)
{
	const char *data = NULL, *partials = NULL, *file;
	struct buf src = BUF_INIT, out = BUF_INIT, err = BUF_INIT;
	struct tmpl_set *set = NULL;
	struct tmpl *t = NULL;
	json_t *ctx = NULL;
	json_error_t jerr;
	int ch, rc = EXIT_FAIL;

	if (argc < 2 || strcmp(argv[1], "render") != 0)
		return cli_bad_usage(&cli_cmd_template);
	argc--;
	argv++;
	optind = 0;
	while ((ch = cli_getopt(&template_render, argc, argv)) != -1) {
		switch (ch) {
		case 'd':
			data = optarg;
			break;
		case 'p':
			partials = optarg;
			break;
		default:
			return cli_bad_usage(&template_render);
		}
	}
	if (optind != argc - 1 || !data)
		return cli_bad_usage(&template_render);
	file = argv[optind];
	if (!(ctx = json_load_file(data, JSON_DECODE_ANY, &jerr))) {
		cli_error("%s:%d:%d: %s", data, jerr.line, jerr.column,
		    jerr.text);
		goto out;
	}
	buf_init(&src, LIMIT_TEMPLATE);
	if (file_read(file, &src, LIMIT_TEMPLATE, &err) == -1) {
		cli_error("%s", err.buf);
		goto out;
	}
	if (!(t = tmpl_parse(src.buf, src.len, file, &err))) {
		fprintf(stderr, "%s\n", err.buf);
		goto out;
	}
	set = tmpl_set_new(dir_loader, (void *)(uintptr_t)partials);
	if (tmpl_render(set, t, ctx, &out, &err) == -1) {
		fprintf(stderr, "%s\n", err.buf);
		goto out;
	}
	if (fwrite(out.buf, 1, out.len, stdout) != out.len) {
		cli_error("write error: %s", strerror(errno));
		goto out;
	}
	rc = EXIT_OK;
out:
	tmpl_set_free(set);
	tmpl_free(t);
	json_decref(ctx);
	buf_release(&src);
	buf_release(&out);
	buf_release(&err);
	return rc;
}
