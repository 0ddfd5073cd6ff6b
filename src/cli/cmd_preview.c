/* SPDX-License-Identifier: ISC */
/*
 * cmd_preview.c: shareable preview links (decision record 0131).
 *   kiln preview link PAGE [--expires 7d]   prints /preview/TOKEN/: the
 *                                           page's draft as `kiln serve`
 *                                           shows it, until it expires
 */
#include "common/compat.h"

#include <getopt.h>

#include "common/buf.h"
#include "common/timeutil.h"
#include "http/preview_link.h"
#include "store/store.h"
#include "cli/cli.h"
#include "cli/site.h"

static const struct cli_opt link_opts[] = {
	{ 'e', "expires", 0, "DURATION|TIME",
	    "Stop working after a duration (7d, 12h) or at an ISO 8601 time.",
	    "7d", false },
	CLI_OPT_END
};

static const char *const link_ex[] = {
	"kiln preview link news/budget-2027 --expires 2d", NULL
};

static const struct cli_cmd preview_link_cmd = {
	"preview link", "PAGE", "Print a link that shows a page's draft to "
	"anyone who has it, until it expires.",
	"The link is /preview/TOKEN/ on the address `kiln serve` listens "
	"on. It is read-only and needs no account: the token, signed with "
	"a secret kept in the store, holds the page id and the expiry. "
	"PAGE is a page path or id.", link_opts, link_ex, NULL, NULL, false
};
static const struct cli_cmd *const preview_subs[] = {
	&preview_link_cmd, NULL
};

const struct cli_cmd cli_cmd_preview = {
	"preview", NULL, "Shareable links to drafts.", NULL, NULL, NULL,
	preview_subs, cmd_preview, false
};

static int
preview_link(struct site *s, int argc, char **argv, struct buf *err)
{
	const char *expires = "7d", *page, *errstr;
	struct page_info p;
	char tok[PREVIEW_TOKEN_MAX];
	int64_t at, d, id;
	int ch, got;

	while ((ch = cli_getopt(&preview_link_cmd, argc, argv)) != -1) {
		if (ch == 'e')
			expires = optarg;
		else
			return cli_bad_usage(&preview_link_cmd);
	}
	if (optind != argc - 1)
		return cli_bad_usage(&preview_link_cmd);
	page = argv[optind];
	if (duration_parse(expires, &d) == 0 && d > 0)
		at = time_now() + d;
	else if (time_parse_iso8601(expires, &at) == -1 || at <= time_now()) {
		buf_setf(err, "--expires: expected a duration (7d, 12h) or a "
		    "future ISO 8601 time");
		return cli_fail(err);
	}
	id = strtonum(page, 1, INT64_MAX, &errstr);
	got = errstr ? store_page_get(s->st, page, &p, err) :
	    store_page_get_id(s->st, id, &p, err);
	if (got == 1)
		buf_setf(err, "no page at '%s'", page);
	if (got != 0)
		return cli_fail(err);
	id = p.id;
	page_info_release(&p);
	if (preview_link_make(s->st, id, at, tok, err) == -1)
		return cli_fail(err);
	printf("/preview/%s/\n", tok);
	return EXIT_OK;
}

int
cmd_preview(int argc, char **argv)
{
	struct buf err = BUF_INIT;
	struct site s;
	int rc;

	if (argc < 2 || strcmp(argv[1], "link") != 0)
		return cli_bad_usage(&cli_cmd_preview);
	if (site_open(&s, &err) == -1) {
		rc = cli_fail(&err);
		buf_release(&err);
		return rc;
	}
	rc = preview_link(&s, argc - 1, argv + 1, &err);
	site_close(&s);
	buf_release(&err);
	return rc;
}
