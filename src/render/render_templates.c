/* SPDX-License-Identifier: ISC */
/*
 * render_templates.c: the template set of a build (render_int.h).
 *
 * Every file of templates/ is parsed up front into one tmpl_set (errors
 * name "templates/FILE:LINE:COL"), so every error shows at once and the
 * set is complete before the page threads share it.  The hash of all the
 * template sources is part of every incremental key.  A page names its
 * template, or gets the one of its kind (home, section, page).
 */
#include "common/compat.h"

#include "common/buf.h"
#include "common/fsutil.h"
#include "common/hash.h"
#include "common/limits.h"
#include "common/path.h"
#include "common/walk.h"
#include "common/xmalloc.h"
#include "conf/conf.h"
#include "render/render_int.h"
#include "render/tmpl.h"

int
templates_loader(void *arg, const char *name, struct buf *src, struct buf *err)
{
	struct loader *l = arg;
	struct buf clean = BUF_INIT, why = BUF_INIT;
	char *f1 = NULL, *f2 = NULL;
	int rc = 1;

	if (path_clean_rel(name, &clean, &why) == -1)
		goto out;
	f1 = xasprintf("%s/%s.mustache", l->dir, clean.buf);
	f2 = xasprintf("%s/partials/%s.mustache", l->dir, clean.buf);
	if (file_exists(f1))
		rc = file_read(f1, src, LIMIT_TEMPLATE, err) == -1 ? -1 : 0;
	else if (file_exists(f2))
		rc = file_read(f2, src, LIMIT_TEMPLATE, err) == -1 ? -1 : 0;
out:
	buf_release(&clean);
	buf_release(&why);
	free(f1);
	free(f2);
	return rc;
}

/*
 * The template set names templates "templates/NAME.mustache" in errors:
 * parse every file of the folder up front, so every error shows at once
 * and the set is complete before threads share it.
 */
int
templates_load(const char *dir, struct tmpl_set *set, char hash[65],
    struct buf *err)
{
	struct walk_list l = WALK_LIST_INIT;
	char **files;
	size_t n;
	struct buf src = BUF_INIT, all = BUF_INIT, one = BUF_INIT;
	int rc = 0;

	if (walk_files(dir, &l, err) == -1) {
		walk_list_release(&l);
		rc = -1;
	}
	files = l.v;
	n = l.n;
	for (size_t i = 0; i < n; i++) {
		size_t len = strlen(files[i]);
		char *path, *name, *shown;
		if (len < 10 || strcmp(files[i] + len - 9, ".mustache") != 0) {
			free(files[i]);
			continue;
		}
		path = xasprintf("%s/%s", dir, files[i]);
		name = xstrndup(files[i], len - 9);
		if (!strncmp(name, "partials/", 9))
			memmove(name, name + 9, strlen(name + 9) + 1);
		shown = xasprintf("templates/%s", files[i]);
		buf_reset(&one);
		if (file_read(path, &src, LIMIT_TEMPLATE, &one) == -1 ||
		    tmpl_set_add(set, name, src.buf, src.len, &one) == -1) {
			/* name the file the way the author knows it */
			const char *msg = one.buf;
			if (!strncmp(msg, name, strlen(name)) &&
			    msg[strlen(name)] == ':')
				msg += strlen(name);
			buf_printf(err, "%s%s%s", rc ? "\n" : "", shown,
			    msg[0] == ':' ? msg : ": ");
			if (msg[0] != ':')
				buf_adds(err, msg);
			rc = -1;
		}
		buf_printf(&all, "%s\n%zu\n", files[i], src.len);
		buf_add(&all, src.buf, src.len);
		free(path);
		free(name);
		free(shown);
		free(files[i]);
	}
	free(files);
	sha256_hex(all.buf, all.len, hash);
	buf_release(&src);
	buf_release(&all);
	buf_release(&one);
	return rc;
}

int
render_check_templates(const struct conf *c, struct buf *err)
{
	char *dir = conf_path(c, "templates"), hash[65];
	struct tmpl_set *set = tmpl_set_new(NULL, NULL);
	int rc;

	rc = templates_load(dir, set, hash, err);
	if (rc == 0 && !tmpl_set_get(set, "page", err)) {
		buf_setf(err, "templates/page.mustache: missing (every site "
		    "needs a page template)");
		rc = -1;
	}
	tmpl_set_free(set);
	free(dir);
	return rc;
}

const char *
templates_for(struct build *b, const struct rpage *p, struct buf *err)
{
	const char *name = p->sp->template;

	if (!name[0])
		return b->kind_template[p->kind];
	if (tmpl_set_get(b->set, name, err))
		return name;
	buf_setf(err, "page '/%s': template '%s' does not exist", p->sp->path,
	    name);
	return NULL;
}

/* the template of each kind of page without one of its own */
void
templates_defaults(struct build *b)
{
	static const char *const names[] = { [PK_HOME] = "home",
	    [PK_SECTION] = "section", [PK_PAGE] = "page" };
	struct buf ignored = BUF_INIT;

	for (size_t k = 0; k < NELEM(names); k++)
		b->kind_template[k] = tmpl_set_get(b->set, names[k],
		    &ignored) ? names[k] : "page";
	buf_release(&ignored);
}
