/* SPDX-License-Identifier: ISC */
/*
 * conf_feed.c: the checks of feed: (a multi-unit site, docs/units.md)
 * that a key's row cannot make (decision 0272).  Every load: feed.prefix
 * is a relative folder of safe segments ending in '/', clear of the
 * paths the site writes itself; feed.list and feed.fallback_list are a
 * path or an https URL.  kiln check (conf_load_check) also: the lists
 * named by a path are readable files, and the prefix is clear of the
 * site's static folders.  max_per_tick, concurrency (ranges) and
 * schedule (cron) are checked by their rows.
 */
#include "common/compat.h"

#include <errno.h>
#include <sys/stat.h>

#include "common/buf.h"
#include "common/path.h"
#include "common/xmalloc.h"
#include "conf/conf.h"
#include "conf/conf_int.h"

/*
 * first path segments the site's own build or kiln serve writes or
 * answers (render.c, store_paths.c, http/route.c)
 */
static const char *const site_top[] = {
	"404.html", "admin", "api", "feeds", "healthz", "index.html",
	"index.json", "media", "metrics", "preview", "robots.txt",
	"sitemap.xml",
};

static const char *const https_only[] = { "https", NULL };

/* NULL when P is a relative folder of safe segments ending in '/' */
static const char *
prefix_problem(const char *p)
{
	const char *s = p, *slash;

	if (!*p)
		return "must not be empty: units need a folder of their own, "
		    "e.g. units/";
	if (strlen(p) > 255)
		return "longer than 255 characters";
	while (*s) {
		if (!(slash = strchr(s, '/')))
			return "expected a relative folder ending in '/', "
			    "e.g. units/";
		if (slash == s || !slug_valid(s, (size_t)(slash - s)))
			return "expected a relative folder ending in '/', each "
			    "part lower-case letters, digits, '-', '_' or '.' "
			    "(not first), e.g. units/";
		s = slash + 1;
	}
	return NULL;
}

/* the prefix's first segment: a path of the site's own? */
static void
prefix_clear(struct conf_ctx *ctx, const struct conf *c, int line)
{
	const char *p = c->feed.prefix;
	size_t n = strcspn(p, "/");

	for (size_t i = 0; i < NELEM(site_top); i++)
		if (strlen(site_top[i]) == n && !strncmp(p, site_top[i], n))
			conf_err(ctx, line, "feed", "prefix", "'%.*s/' is a "
			    "path of the site's own (%s): choose another "
			    "folder, e.g. units/", (int)n, p, site_top[i]);
	for (size_t i = 0; i < c->ntaxonomies; i++)
		if (strlen(c->taxonomies[i]) == n && !strncmp(p,
		    c->taxonomies[i], n))
			conf_err(ctx, line, "feed", "prefix", "'%.*s/' holds "
			    "the pages of the taxonomy '%s': choose another "
			    "folder", (int)n, p, c->taxonomies[i]);
}

/* kiln check: a folder of static/ of that name is the site's files */
static void
prefix_static(struct conf_ctx *ctx, const struct conf *c, int line)
{
	size_t n = strcspn(c->feed.prefix, "/");
	char *rel = xasprintf("static/%.*s", (int)n, c->feed.prefix);
	char *path = conf_path(c, rel);
	struct stat sb;

	if (stat(path, &sb) == 0)
		conf_err(ctx, line, "feed", "prefix", "'%.*s/' is a folder "
		    "of the site's static files (%s): choose another folder",
		    (int)n, c->feed.prefix, rel);
	free(rel);
	free(path);
}

/* a list: an https URL or a path; with kiln check, a readable file */
static void
list_check(struct conf_ctx *ctx, const struct conf *c, const char *key,
    const char *v, int line)
{
	struct stat sb;
	char *path;

	if (!*v) {
		conf_err(ctx, line, "feed", key, "must not be empty");
		return;
	}
	if (strstr(v, "://")) {
		if (!conf_url_valid(v, strlen(v), https_only))
			conf_err(ctx, line, "feed", key, "expected a path "
			    "relative to kiln.yaml or an https:// URL");
		return;
	}
	if (!conf_checking_files(ctx))
		return;
	path = conf_path(c, v);
	if (stat(path, &sb) == -1)
		conf_err(ctx, line, "feed", key, "cannot read '%s': %s", v,
		    strerror(errno));
	else if (!S_ISREG(sb.st_mode))
		conf_err(ctx, line, "feed", key, "'%s' is not a file", v);
	else if (access(path, R_OK) == -1)
		conf_err(ctx, line, "feed", key, "cannot read '%s': %s", v,
		    strerror(errno));
	free(path);
}

void
conf_check_feed(struct conf_ctx *ctx, struct conf *c, struct fy_node *root)
{
	struct fy_node *sect = conf_get(root, "feed");
	const char *why;
	int line;

	if (!sect)
		return;
	if (!c->feed.list)
		conf_err(ctx, conf_line(root, "feed"), "feed", "list",
		    "is required: the approved list of units (a path "
		    "relative to kiln.yaml or an https:// URL)");
	else
		list_check(ctx, c, "list", c->feed.list, conf_line(sect,
		    "list"));
	if (c->feed.fallback_list)
		list_check(ctx, c, "fallback_list", c->feed.fallback_list,
		    conf_line(sect, "fallback_list"));
	line = conf_line(sect, "prefix");
	if ((why = prefix_problem(c->feed.prefix)) != NULL) {
		conf_err(ctx, line, "feed", "prefix", "%s", why);
		return;
	}
	prefix_clear(ctx, c, line);
	if (conf_checking_files(ctx))
		prefix_static(ctx, c, line);
}
