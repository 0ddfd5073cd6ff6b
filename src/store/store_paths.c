/* SPDX-License-Identifier: ISC */
/*
 * store_paths.c: the page paths a build writes files of its own at, so
 * no page may be created there (issue #12).  A page at robots.txt would
 * be rendered to robots.txt/index.html while the build also writes the
 * file robots.txt: every later build failed until an admin deleted the
 * page.  The check runs in store_page_create(), so the CLI, the API and
 * the import all refuse such a path with the same message.
 */
#include "common/compat.h"

#include <dirent.h>
#include <sys/stat.h>

#include "common/buf.h"
#include "common/xmalloc.h"
#include "store/store.h"
#include "store/store_int.h"

/* first components the renderer writes (render.c: emit, do_assets) */
static const char *const top_reserved[] = {
	"404.html", "feeds", "index.html", "index.json", "media", "robots.txt",
	"sitemap.xml",
};

/* components that are a file of the parent page's folder */
static const char *const any_reserved[] = { "index.html", "index.json" };

void
store_reserve_static(struct store *st, const char *static_dir)
{
	struct dirent *e;
	DIR *d;

	if (!(d = opendir(static_dir)))
		return;
	while ((e = readdir(d))) {
		struct stat sb;
		char *full;

		if (e->d_name[0] == '.')
			continue;
		full = xasprintf("%s/%s", static_dir, e->d_name);
		if (stat(full, &sb) == 0 && S_ISDIR(sb.st_mode)) {
			st->reserved = xreallocarray(st->reserved,
			    st->nreserved + 1, sizeof(*st->reserved));
			st->reserved[st->nreserved++] = xstrdup(e->d_name);
		}
		free(full);
	}
	closedir(d);
}

void
store_reserved_free(struct store *st)
{
	for (size_t i = 0; i < st->nreserved; i++)
		free(st->reserved[i]);
	free(st->reserved);
	st->reserved = NULL;
	st->nreserved = 0;
}

static bool
all_digits(const char *s, size_t n)
{
	if (!n)
		return false;
	for (size_t i = 0; i < n; i++)
		if (s[i] < '0' || s[i] > '9')
			return false;
	return true;
}

int
sql_path_check_new(struct store *st, const char *path, struct buf *err)
{
	size_t first = strcspn(path, "/");
	const char *c = path, *prev = NULL, *prev2 = NULL;
	size_t prevlen = 0;

	for (size_t i = 0; i < NELEM(top_reserved); i++)
		if (strlen(top_reserved[i]) == first &&
		    !strncmp(path, top_reserved[i], first))
			goto taken_top;
	for (size_t i = 0; i < st->nreserved; i++)
		if (strlen(st->reserved[i]) == first &&
		    !strncmp(path, st->reserved[i], first)) {
			buf_setf(err, "path: '%s' collides with the asset "
			    "folder static/%s/; choose another path", path,
			    st->reserved[i]);
			store_err_set(st, ERR_INVALID, "path");
			return -1;
		}
	while (*c) {
		size_t n = strcspn(c, "/");
		for (size_t i = 0; i < NELEM(any_reserved); i++)
			if (strlen(any_reserved[i]) == n &&
			    !strncmp(c, any_reserved[i], n)) {
				buf_setf(err, "path: '%s': a component named "
				    "'%s' collides with the file the build "
				    "writes for its parent page; choose "
				    "another path", path, any_reserved[i]);
				store_err_set(st, ERR_INVALID, "path");
				return -1;
			}
		/* SECTION/.../page/N: a section's pagination pages */
		if (prev && prev2 && prevlen == 4 && !strncmp(prev, "page",
		    4) && all_digits(c, n)) {
			buf_setf(err, "path: '%s' collides with the pagination "
			    "pages the build writes under '%.*s/page/'; "
			    "choose another path", path,
			    (int)(prev - path - 1), path);
			store_err_set(st, ERR_INVALID, "path");
			return -1;
		}
		prev2 = prev;
		prev = c;
		prevlen = n;
		c += n;
		if (*c == '/')
			c++;
	}
	return 0;
taken_top:
	buf_setf(err, "path: '%s' collides with '/%.*s', which the build "
	    "writes itself; choose another path", path, (int)first, path);
	store_err_set(st, ERR_INVALID, "path");
	return -1;
}
