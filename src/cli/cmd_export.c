/* SPDX-License-Identifier: ISC */
/*
 * cmd_export.c: `kiln export DIR` writes the store out as a Hugo-style
 * tree (import_export in src/import/), which `kiln import DIR` reads
 * back to the same pages.
 */
#include "common/compat.h"

#include <getopt.h>

#include "common/buf.h"
#include "import/import.h"
#include "cli/cli.h"
#include "cli/site.h"

static const char *const export_examples[] = {
	"kiln export ~/backup/site-content",
	"kiln export out && kiln -C ../other import out", NULL
};

const struct cli_cmd cli_cmd_export = {
	"export", "DIR", "Write the store out as a Hugo-style tree.",
	"Every page's latest revision goes to DIR/content/ as Markdown with "
	"YAML front matter: _index.md for the home page and pages with "
	"children, a leaf bundle (PATH/index.md with its media files beside "
	"it) for pages that use media, PATH.md otherwise. Params, dates, "
	"tags, weight, drafts, scheduled go-live (publishDate) and expiry "
	"(expiryDate) are written; kiln import DIR reads it back to the same "
	"pages. DIR/content must not exist yet.",
	NULL, export_examples, NULL, cmd_export, false
};

int
cmd_export(int argc, char **argv)
{
	struct buf err = BUF_INIT;
	struct site s;
	size_t n = 0, held = 0;
	int rc;

	if (cli_getopt(&cli_cmd_export, argc, argv) != -1 ||
	    optind != argc - 1)
		return cli_bad_usage(&cli_cmd_export);
	if (site_open(&s, &err) == -1) {
		rc = cli_fail(&err);
		buf_release(&err);
		return rc;
	}
	if (import_export(s.st, argv[optind], s.media_dir, &n, &held,
	    &err) == -1)
		rc = cli_fail(&err);
	else {
		cli_info("exported %zu %s to %s/content\n", n, n == 1 ?
		    "page" : "pages", argv[optind]);
		if (held)
			cli_info("%zu %s unpublished changes: the live "
			    "revision was written, not the newer draft\n",
			    held, held == 1 ? "page has" : "pages have");
		rc = EXIT_OK;
	}
	site_close(&s);
	buf_release(&err);
	return rc;
}
