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

int
cmd_template(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "data", required_argument, NULL, 'd' },
		{ "help", no_argument, NULL, 'h' },
		{ "partials", required_argument, NULL, 'p' },
		{ NULL, 0, NULL, 0 }
	};
	const char *data = NULL, *partials = NULL, *file;
	struct buf src = BUF_INIT, out = BUF_INIT, err = BUF_INIT;
	struct tmpl_set *set = NULL;
	struct tmpl *t = NULL;
	json_t *ctx = NULL;
	json_error_t jerr;
	int ch, rc = EXIT_FAIL;

	if (cli_wants_help(argc, argv))
		return cli_usage("template", 0);
	if (argc < 2 || strcmp(argv[1], "render") != 0)
		return cli_usage("template", 1);
	argc--;
	argv++;
	optind = 0;
	while ((ch = getopt_long(argc, argv, "d:p:", opts, NULL)) != -1) {
		switch (ch) {
		case 'd':
			data = optarg;
			break;
		case 'p':
			partials = optarg;
			break;
		default:
			return cli_usage("template", 1);
		}
	}
	if (optind != argc - 1 || !data)
		return cli_usage("template", 1);
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
