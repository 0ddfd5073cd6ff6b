/* SPDX-License-Identifier: ISC */
/*
 * import_export.c: `kiln export DIR`, the store back out as a Hugo-style
 * tree (import.h, decision 0163), so content never lives only in a
 * database.  DIR/content/ gets, for each page, its live revision (a
 * newer draft is left out and counted), else the one scheduled to go
 * live, else, never published, its latest with draft: true:
 *
 *	""			content/_index.md
 *	a page with children	content/PATH/_index.md
 *	a page naming media	content/PATH/index.md, a leaf bundle with
 *				the media files beside it
 *	any other page		content/PATH.md
 *
 * Front matter is YAML written in its JSON-compatible flow form (every
 * value exact, nothing for a YAML reader to guess): the page's params,
 * then title, date, summary, tags, weight, template, draft (not live),
 * publishDate (a scheduled go-live) and expiryDate.  `url` and `slug`
 * params are left out: the file's place says the path.  A bundle file is
 * named so that importing it gives the media its old name back
 * ("posts-trip-cat.png" of page posts/trip is trip/cat.png), so export
 * then import gives the same pages.
 */
#include "common/compat.h"

#include "common/buf.h"
#include "common/fsutil.h"
#include "common/limits.h"
#include "common/timeutil.h"
#include "common/xmalloc.h"
#include "import/import_int.h"
#include "store/store.h"

/* the bundle file name of media NAME on page PATH */
static char *
bundle_name(const char *path, const char *name)
{
	struct buf slug = BUF_INIT;
	size_t n;
	char *s;

	for (const char *c = path; *c; c++)
		buf_addch(&slug, *c == '/' ? '-' : *c);
	n = slug.len;
	if (n && !strncmp(name, slug.buf, n) && name[n] == '-' && name[n + 1])
		s = xstrdup(name + n + 1);
	else
		s = xstrdup(name);
	buf_release(&slug);
	return s;
}

/*
 * url and slug params stay only while they still say the page's path
 * (a page moved in kiln, or imported under --prefix, would go back to
 * the old place); the file's place says it anyway.
 */
static void
keep_if_same(json_t *fm, const struct page_info *p, char *tmp, size_t sz)
{
	json_t *u = json_object_get(fm, "url"), *sl = json_object_get(fm,
	    "slug");
	const char *last = strrchr(p->path, '/');

	last = last ? last + 1 : p->path;
	if (u) {
		const char *s = json_is_string(u) ? json_string_value(u) : "";
		size_t n;
		while (*s == '/')
			s++;
		n = strlen(s);
		while (n && s[n - 1] == '/')
			n--;
		snprintf(tmp, sz, "%.*s", (int)n, s);
		if (strlen(p->path) != n || strncmp(s, p->path, n))
			json_object_del(fm, "url");
	}
	if (sl && (!json_is_string(sl) || strcmp(json_string_value(sl),
	    last)))
		json_object_del(fm, "slug");
}

/* KEY: the time T, unless the param already says T in its own words */
static void
set_time(json_t *fm, const char *key, int64_t t)
{
	json_t *v = json_object_get(fm, key);
	int64_t was;
	char iso[32];

	if (json_is_string(v) && time_parse_iso8601(json_string_value(v),
	    &was) == 0 && was == t)
		return;
	if (!t)		/* e.g. an expiry already past: kept unpublished */
		return;
	time_format_iso8601(t, iso, sizeof(iso));
	json_object_set_new(fm, key, json_string(iso));
}

static void
replace_all(const char *s, const char *from, const char *to, struct buf *out)
{
	size_t n = strlen(from);
	const char *at;

	buf_reset(out);
	while ((at = strstr(s, from))) {
		buf_add(out, s, (size_t)(at - s));
		buf_adds(out, to);
		s = at + n;
	}
	buf_adds(out, s);
}

static void
front_matter(struct buf *out, json_t *fm)
{
	const char *k;
	json_t *v;

	buf_adds(out, "---\n");
	json_object_foreach(fm, k, v) {
		json_t *ks = json_string(k);
		char *kq, *vs;
		kq = json_dumps(ks, JSON_ENCODE_ANY);
		vs = json_dumps(v, JSON_ENCODE_ANY | JSON_COMPACT);
		buf_printf(out, "%s: %s\n", kq, vs);
		free(kq);
		free(vs);
		json_decref(ks);
	}
	buf_adds(out, "---\n");
}

/* what export_page needs of the whole store */
struct export_ctx {
	struct store *st;
	const char *content;	/* DIR/content */
	struct page_info *list;
	size_t n;
	struct media_info *media;
	size_t nmedia;
	size_t held;		/* pages whose newer draft was not written */
};

/*
 * The revision page P is exported as: the live one (a newer draft is
 * an editor's work in progress, not the site); else the one scheduled
 * to go live; else, for a page never published, its latest (written
 * with draft: true).
 */
static int64_t
export_revision(const struct page_info *p)
{
	if (p->live && p->live_revision)
		return p->live_revision;
	if (p->scheduled_revision)
		return p->scheduled_revision;
	return p->latest_revision;
}

/* page I of X has children */
static bool
export_has_children(const struct export_ctx *x, size_t i)
{
	const char *path = x->list[i].path;

	/* children sort right after their parent, but not always first */
	for (size_t k = 0; k < x->n; k++)
		if (x->list[k].parent_path && !strcmp(x->list[k].parent_path,
		    path))
			return true;
	return false;
}

/* the front matter of page P exported as revision RV (a new reference) */
static json_t *
export_front_matter(const struct page_info *p, const struct revision_info *rv)
{
	json_t *fm = rv->extra ? json_deep_copy(rv->extra) : NULL;
	char iso[32];

	if (!fm)
		fm = json_object();
	keep_if_same(fm, p, iso, sizeof(iso));
	json_object_set_new(fm, "title", json_string(rv->title));
	if (rv->date) {
		time_format_iso8601(rv->date, iso, sizeof(iso));
		json_object_set_new(fm, "date", json_string(iso));
	}
	if (rv->summary[0])
		json_object_set_new(fm, "summary", json_string(rv->summary));
	if (json_array_size(rv->tags))
		json_object_set(fm, "tags", rv->tags);
	if (p->weight)
		json_object_set_new(fm, "weight", json_integer(p->weight));
	if (p->template[0])
		json_object_set_new(fm, "template", json_string(p->template));
	if (!p->live && !p->scheduled_revision)
		json_object_set_new(fm, "draft", json_true());
	set_time(fm, "publishDate", p->go_live_at);
	set_time(fm, "expiryDate", p->expire_at);
	return fm;
}

/* BODY names a media file of X */
static bool
export_uses_media(const struct export_ctx *x, const char *body)
{
	bool used = false;

	for (size_t m = 0; m < x->nmedia && !used; m++) {
		char *ref = xasprintf("/media/%s", x->media[m].name);
		used = strstr(body, ref) != NULL;
		free(ref);
	}
	return used;
}

/* media M beside page P's index.md, its references in BODY made local */
static int
export_bundle_file(const struct export_ctx *x, const struct page_info *p,
    const struct media_info *m, struct buf *body, struct buf *err)
{
	char *ref = xasprintf("/media/%s", m->name), *bn, *dest;
	struct buf data = BUF_INIT, nb = BUF_INIT;
	int rc = 0;

	if (!strstr(body->buf, ref)) {
		free(ref);
		return 0;
	}
	bn = bundle_name(p->path, m->name);
	dest = xasprintf("%s/%s/%s", x->content, p->path, bn);
	if (file_read(m->file, &data, LIMIT_MEDIA_FILE, err) == -1 ||
	    mkdir_parent(dest, err) == -1 || file_write_atomic(dest,
	    data.buf ? data.buf : "", data.len, err) == -1)
		rc = -1;
	else {
		/* /media/NAME -> NAME in the body */
		replace_all(body->buf, ref, bn, &nb);
		buf_reset(body);
		buf_add(body, nb.buf, nb.len);
	}
	buf_release(&nb);
	buf_release(&data);
	free(ref);
	free(bn);
	free(dest);
	return rc;
}

/* the file of page I of X: _index.md, a leaf bundle's index.md, PATH.md */
static char *
export_file(const struct export_ctx *x, size_t i, bool bundle)
{
	const char *path = x->list[i].path;

	if (!path[0])
		return xasprintf("%s/_index.md", x->content);
	if (export_has_children(x, i))
		return xasprintf("%s/%s/_index.md", x->content, path);
	if (bundle)
		return xasprintf("%s/%s/index.md", x->content, path);
	return xasprintf("%s/%s.md", x->content, path);
}

/* page I of X written out, with its media when it uses some */
static int
export_page(struct export_ctx *x, size_t i, struct buf *err)
{
	const struct page_info *p = &x->list[i];
	struct revision_info rv;
	struct buf text = BUF_INIT, body = BUF_INIT;
	char *file = NULL;
	json_t *fm;
	bool bundle;
	int rc = -1;

	memset(&rv, 0, sizeof(rv));
	if (store_revision_get(x->st, export_revision(p), &rv, err) == -1)
		goto out;
	if (p->live && p->latest_revision != export_revision(p))
		x->held++;
	buf_adds(&body, rv.body);
	bundle = export_uses_media(x, rv.body);
	file = export_file(x, i, bundle);
	for (size_t m = 0; bundle && m < x->nmedia; m++)
		if (export_bundle_file(x, p, &x->media[m], &body, err) == -1)
			goto out;
	fm = export_front_matter(p, &rv);
	front_matter(&text, fm);
	json_decref(fm);
	buf_add(&text, body.buf ? body.buf : "", body.len);
	if (mkdir_parent(file, err) == -1 || file_write_atomic(file,
	    text.buf, text.len, err) == -1)
		goto out;
	rc = 0;
out:
	revision_info_release(&rv);
	buf_release(&text);
	buf_release(&body);
	free(file);
	return rc;
}

int
import_export(struct store *st, const char *dir, const char *media_dir,
    size_t *npages, size_t *held, struct buf *err)
{
	struct export_ctx x = { .st = st };
	char *content = xasprintf("%s/content", dir);
	int rc = -1;

	*npages = *held = 0;
	x.content = content;
	if (file_exists(content) || dir_exists(content)) {
		buf_setf(err, "'%s' exists: export into a new or empty "
		    "folder", content);
		goto out;
	}
	if (store_page_list(st, &x.list, &x.n, err) == -1 ||
	    store_media_list(st, media_dir, &x.media, &x.nmedia, err) == -1 ||
	    mkdir_p(content, err) == -1)
		goto out;
	for (size_t i = 0; i < x.n; i++) {
		if (export_page(&x, i, err) == -1)
			goto out;
		(*npages)++;
	}
	*held = x.held;
	rc = 0;
out:
	store_page_list_free(x.list, x.n);
	store_media_list_free(x.media, x.nmedia);
	free(content);
	return rc;
}
