/* SPDX-License-Identifier: ISC */
/*
 * cmd_cdn.c: `kiln cdn purge [--target T] URL...`: invalidate URLs by
 * hand, through the provider of each target's cdn section and the path
 * planning a deploy uses (cdn/cdn.h: a page "/a/" is also "/a" and
 * "/a/index.html"; CloudFront within its limits).  For an operator who
 * changed a bucket by hand, or a cache that kept a stale page.
 */
#include "common/compat.h"

#include <getopt.h>
#include <jansson.h>

#include "common/buf.h"
#include "common/xmalloc.h"
#include "cdn/cdn.h"
#include "conf/conf.h"
#include "conf/conf_secrets.h"
#include "cli/cli.h"
#include "cli/site.h"

static const struct cli_opt purge_opts[] = {
	{ 't', "target", 0, "NAME", "Purge through this target's CDN only.",
	    "every target with a cdn section", false },
	CLI_OPT_END
};
static const char *const purge_ex[] = {
	"kiln cdn purge /news/ /news/park-awards/",
	"kiln cdn purge --target prod https://www.example.org/about/", NULL
};
static const struct cli_cmd cdn_purge_cmd = {
	"cdn purge", "URL...", "Invalidate URLs in the CDN now.",
	"Each URL is a path (/news/a/) or a full URL under the CDN's "
	"base_url (site.base_url by default). A page's path is purged as "
	"/news/a/, /news/a and /news/a/index.html, as after a deploy, "
	"through the same provider (purge, cloudfront, fastly, cloudflare, "
	"webhook) with its retries. Exit 1 if any target fails.",
	purge_opts, purge_ex, NULL, NULL, false
};
static const struct cli_cmd *const cdn_subs[] = { &cdn_purge_cmd, NULL };

const struct cli_cmd cli_cmd_cdn = {
	"cdn", NULL, "The CDN by hand: purge.", NULL, NULL, NULL, cdn_subs,
	cmd_cdn, false
};

/*
 * The URL path of ARG for a CDN at BASE: "/x" as is, "BASE/x" without
 * BASE.  NULL with err otherwise.
 */
static const char *
url_path(const char *arg, const char *base, struct buf *err)
{
	size_t n = strlen(base);
	const char *p = arg;

	while (n && base[n - 1] == '/')
		n--;
	if (*arg != '/') {
		if (strncmp(arg, base, n) != 0 || arg[n] != '/') {
			buf_setf(err, "'%s' is not a path (/news/) nor a URL "
			    "under %.*s/", arg, (int)n, base);
			return NULL;
		}
		p = arg + n;
	}
	for (const char *c = p; *c; c++) {
		if ((unsigned char)*c <= ' ' || *c == 0x7f || *c == '#') {
			buf_setf(err, "'%s': a URL path has no spaces, control "
			    "characters or '#'", arg);
			return NULL;
		}
	}
	return p;
}

static int
purge_target(const struct conf *c, const struct conf_target *t, int argc,
    char **argv, struct buf *err)
{
	const char *base = t->cdn->base_url ? t->cdn->base_url :
	    c->site.base_url;
	struct buf log = BUF_INIT;
	json_t *urls = json_array();
	const char *p;
	int rc = -1;

	for (int i = 0; i < argc; i++) {
		if (!(p = url_path(argv[i], base, err)))
			goto out;
		json_array_append_new(urls, json_string(p));
	}
	if (cdn_invalidate(t->cdn, base, urls, &log, err) == -1)
		goto out;
	cli_info("%s: %s", t->name, log.len ? log.buf : "nothing to purge\n");
	rc = 0;
out:
	json_decref(urls);
	buf_release(&log);
	return rc;
}

int
cmd_cdn(int argc, char **argv)
{
	struct buf err = BUF_INIT;
	struct conf *c = NULL;
	const char *target = NULL;
	char *file;
	size_t done = 0;
	int ch, rc = EXIT_FAIL;

	if (argc < 2 || strcmp(argv[1], "purge") != 0)
		return cli_bad_usage(&cli_cmd_cdn);
	argc--;
	argv++;
	while ((ch = cli_getopt(&cdn_purge_cmd, argc, argv)) != -1) {
		if (ch == 't')
			target = optarg;
		else
			return cli_bad_usage(&cdn_purge_cmd);
	}
	if (optind >= argc)
		return cli_bad_usage(&cdn_purge_cmd);
	if (!(file = site_find_config(&err))) {
		rc = cli_fail(&err);
		goto out;
	}
	c = conf_load(file, &err);
	free(file);
	if (!c) {
		rc = cli_fail(&err);
		goto out;
	}
	conf_register_secrets(c);
	for (size_t i = 0; i < c->ntargets; i++) {
		const struct conf_target *t = &c->targets[i];

		if (target && strcmp(t->name, target) != 0)
			continue;
		if (!t->cdn) {
			if (target) {
				cli_error("cdn purge: target '%s' has no cdn "
				    "section", target);
				goto out;
			}
			continue;
		}
		buf_reset(&err);
		if (purge_target(c, t, argc - optind, argv + optind,
		    &err) == -1) {
			cli_error("cdn purge: %s: %s", t->name, err.buf);
			goto out;
		}
		done++;
	}
	if (!done) {
		if (target)
			cli_error("cdn purge: no target '%s' in %s", target,
			    c->file);
		else
			cli_error("cdn purge: no target of %s has a cdn "
			    "section", c->file);
		goto out;
	}
	rc = EXIT_OK;
out:
	conf_free(c);
	buf_release(&err);
	return rc;
}
