/* SPDX-License-Identifier: ISC */
/*
 * import_tree.c: a Hugo tree as pages and their resources (import.h).
 *
 * DIR is a site root when it holds content/: then static/ and the config
 * (hugo.toml|yaml|json, config.toml|yaml|json, the first found) come
 * along, and the report says so.  Otherwise DIR is the content tree.
 *
 * Files are sorted into pages and resources as Hugo does: a folder with
 * index.md is a leaf bundle, and every other file below it is a resource
 * of that page (Markdown there too: Hugo does not render it); a folder
 * with _index.md is a branch bundle, and the other files directly in it
 * are its resources; any other .md/.markdown file is a page.  A file
 * that is neither is reported: Hugo does not publish it either.
 *
 * Page paths follow Hugo's URLs: the folders and the file name (without
 * extension; none for index.md and _index.md), lowercased unless the
 * config sets disablePathToLower, characters a kiln slug cannot hold
 * made '-'; front matter `url` replaces the whole path, `slug` the last
 * part; --prefix goes in front.
 */
#include "common/compat.h"

#include <ctype.h>

#include "common/buf.h"
#include "common/fsutil.h"
#include "common/hash.h"
#include "common/limits.h"
#include "common/path.h"
#include "common/walk.h"
#include "common/xmalloc.h"
#include "conf/yaml.h"
#include "import/import_int.h"
#include "store/frontmatter.h"

static const char *const config_names[] = {
	"hugo.toml", "hugo.yaml", "hugo.yml", "hugo.json",
	"config.toml", "config.yaml", "config.yml", "config.json", NULL
};

json_t *
import_cfg_get(json_t *cfg, const char *key)
{
	const char *k;
	json_t *v;

	json_object_foreach(cfg, k, v)
		if (!strcasecmp(k, key))
			return v;
	return NULL;
}

static bool
has_suffix(const char *s, const char *suf)
{
	size_t a = strlen(s), b = strlen(suf);

	return a >= b && !strcasecmp(s + a - b, suf);
}

static bool
is_content(const char *name)
{
	return has_suffix(name, ".md") || has_suffix(name, ".markdown");
}

static const char *
base_name(const char *rel)
{
	const char *s = strrchr(rel, '/');

	return s ? s + 1 : rel;
}

static char *
dir_name(const char *rel)
{
	const char *s = strrchr(rel, '/');

	return s ? xstrndup(rel, (size_t)(s - rel)) : xstrdup("");
}

static bool
is_index(const char *rel, const char *stem)
{
	const char *b = base_name(rel);
	size_t n = strlen(stem);

	return !strncmp(b, stem, n) && b[n] == '.' && is_content(b);
}

void
import_slugify(const char *s, size_t len, struct buf *out, bool *changed)
{
	bool dash = false;

	buf_reset(out);
	*changed = false;
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];
		if (isalnum(c) && c < 0x80) {
			if (dash && out->len)
				buf_addch(out, '-');
			dash = false;
			buf_addch(out, tolower(c));
		} else if ((c == '-' || c == '_' || c == '.') &&
		    !(c == '.' && out->len == 0)) {
			if (dash && out->len)
				buf_addch(out, '-');
			dash = false;
			buf_addch(out, c);
		} else {
			/* Hugo makes spaces '-' too; anything else differs */
			if (c != ' ')
				*changed = true;
			dash = true;
			/* a multibyte character is one '-' */
			while (i + 1 < len && ((unsigned char)s[i + 1] &
			    0xc0) == 0x80)
				i++;
		}
	}
	if (out->len > LIMIT_SLUG) {
		buf_setlen(out, LIMIT_SLUG);
		*changed = true;
	}
	if (out->len == 0) {
		buf_adds(out, "page");
		*changed = true;
	}
}

int
import_key_line(const struct ipage *p, const char *key)
{
	json_t *l = p->lines ? json_object_get(p->lines, key) : NULL;

	return l ? (int)json_integer_value(l) : 1;
}

/* "FILE:LINE: reason" lines as failed items of FILE */
static void
note_located(struct import_report *r, const char *file, const char *msg)
{
	size_t n = strlen(file);

	while (*msg) {
		const char *nl = strchr(msg, '\n'), *rest = msg;
		size_t len = nl ? (size_t)(nl - msg) : strlen(msg);
		int line = 0;
		char *end;

		if (!strncmp(msg, file, n) && msg[n] == ':') {
			long l = strtol(msg + n + 1, &end, 10);
			if (end != msg + n + 1 && *end == ':') {
				line = (int)l;
				rest = end + 1;
				while (*rest == ' ')
					rest++;
			}
		}
		import_note(r, "failed", file, line, NULL, "%.*s",
		    (int)(len - (size_t)(rest - msg)), rest);
		msg += len;
		if (*msg == '\n')
			msg++;
	}
}

/* the config file's keys into t->cfg */
static int
config_load(struct itree *t, struct import_report *r, struct buf *err)
{
	struct buf text = BUF_INIT, why = BUF_INIT;
	json_t *o = NULL;
	int rc = -1;

	if (file_read(t->config, &text, LIMIT_CONFIG_FILE, err) == -1)
		goto out;
	if (has_suffix(t->config, ".toml")) {
		if (import_toml_parse(text.buf ? text.buf : "", text.len,
		    t->config, 0, &o, NULL, &why) == -1)
			goto bad;
	} else if (has_suffix(t->config, ".json")) {
		json_error_t je;
		if (!(o = json_loadb(text.buf ? text.buf : "", text.len, 0,
		    &je)) || !json_is_object(o)) {
			buf_printf(&why, "%s:%d: %s", t->config, je.line,
			    o ? "expected an object" : je.text);
			goto bad;
		}
	} else {
		struct yaml y;
		struct fy_node *root;
		memset(&y, 0, sizeof(y));
		if (yaml_load(&y, text.buf ? text.buf : "", text.len, NULL,
		    NULL) == -1) {
			yaml_release(&y);
			buf_printf(&why, "%s: not valid YAML", t->config);
			goto bad;
		}
		root = y.doc ? fy_document_root(y.doc) : NULL;
		o = root ? fm_node_json(root) : json_object();
		yaml_release(&y);
		if (!json_is_object(o)) {
			buf_printf(&why, "%s:1: expected a mapping",
			    t->config);
			goto bad;
		}
	}
	json_decref(t->cfg);
	t->cfg = o;
	o = NULL;
	rc = 0;
	goto out;
bad:
	buf_setf(err, "%s; fix the site's config, or import its content/ "
	    "folder alone (nothing was imported)", why.buf);
out:
	(void)r;
	json_decref(o);
	buf_release(&text);
	buf_release(&why);
	return rc;
}

static struct ipage *
page_add(struct itree *t, const char *rel, const struct stat *sb)
{
	struct ipage *p;

	if (t->npages == t->apages) {
		t->apages = t->apages ? t->apages * 2 : 64;
		t->pages = xreallocarray(t->pages, t->apages,
		    sizeof(*t->pages));
	}
	p = &t->pages[t->npages++];
	memset(p, 0, sizeof(*p));
	p->rel = xstrdup(rel);
	p->file = xasprintf("%s/%s", t->content, rel);
	p->dir = dir_name(rel);
	import_fast_sig(sb, p->sig);
	/* content/index.md is the home page, not a bundle of everything */
	p->leaf = is_index(rel, "index") && p->dir[0];
	p->branch = is_index(rel, "_index") || (is_index(rel, "index") &&
	    !p->dir[0]);
	return p;
}

static struct ipage *
page_of_dir(struct itree *t, const char *dir, bool leaf)
{
	json_t *i = json_object_get(leaf ? t->leafdirs : t->branchdirs, dir);

	return i ? &t->pages[json_integer_value(i)] : NULL;
}

/* the leaf bundle holding REL (its folder or one above), or NULL */
static struct ipage *
leaf_of(struct itree *t, const char *rel)
{
	char *d = dir_name(rel);
	struct ipage *p = NULL;

	for (;;) {
		char *slash;
		if ((p = page_of_dir(t, d, true)))
			break;
		if (!*d)
			break;
		slash = strrchr(d, '/');
		if (slash)
			*slash = '\0';
		else
			d[0] = '\0';
	}
	free(d);
	return p;
}

static void
res_add(struct ipage *p, struct itree *t, const char *rel,
    const struct stat *sb)
{
	struct iresource *x;
	const char *sub = rel + strlen(p->dir) + (p->dir[0] ? 1 : 0);

	if (p->nres == p->ares) {
		p->ares = p->ares ? p->ares * 2 : 8;
		p->res = xreallocarray(p->res, p->ares, sizeof(*p->res));
	}
	x = &p->res[p->nres++];
	memset(x, 0, sizeof(*x));
	x->file = xasprintf("%s/%s", t->content, rel);
	x->rel = xstrdup(sub);
	import_fast_sig(sb, x->sig);
}

/*
 * The path page P asks for, before slugging: its url (a .html ending
 * dropped and reported), else its permalinks pattern, else its place
 * and slug.  With a pattern, *usual is the path it would have had
 * without it.  NULL when url or slug are not strings (reported).
 */
static char *
path_source(struct itree *t, struct ipage *p, struct import_report *r,
    char **usual)
{
	json_t *url = json_object_get(p->meta, "url");
	json_t *slug = json_object_get(p->meta, "slug");
	struct buf pl = BUF_INIT;
	const char *src;
	char *stem;

	*usual = NULL;
	if (url && !json_is_string(url)) {
		import_note(r, "failed", p->file, import_key_line(p, "url"),
		    NULL, "url: expected a string");
		return NULL;
	}
	if (slug && (!json_is_string(slug) || !*json_string_value(slug))) {
		import_note(r, "failed", p->file, import_key_line(p, "slug"),
		    NULL, "slug: expected a non-empty string");
		return NULL;
	}
	if (url) {
		src = json_string_value(url);
		if (!has_suffix(src, ".html"))
			return xstrdup(src);
		stem = xstrndup(src, strlen(src) - 5);
		import_note(r, "warning", p->file, import_key_line(p, "url"),
		    NULL, "url: '%s' is served as '%s/' (kiln pages are "
		    "folders); add a redirect at the old URL", src, stem);
		return stem;
	}
	stem = xstrdup(p->dir);
	if (!p->leaf && !p->branch) {
		const char *b = base_name(p->rel);
		const char *dot = strrchr(b, '.');
		char *n = slug ? xstrdup(json_string_value(slug)) :
		    xstrndup(b, (size_t)(dot - b));
		free(stem);
		stem = p->dir[0] ? xasprintf("%s/%s", p->dir, n) : xstrdup(n);
		free(n);
	} else if (slug && p->leaf) {
		char *d = dir_name(p->dir);
		free(stem);
		stem = d[0] ? xasprintf("%s/%s", d, json_string_value(slug)) :
		    xstrdup(json_string_value(slug));
		free(d);
	}
	if (import_permalink(t, p, r, &pl) == 1) {
		*usual = stem;
		stem = buf_detach(&pl, NULL);
	}
	buf_release(&pl);
	return stem;
}

/*
 * SRC under PREFIX, each part as a slug, into raw; *any when a part
 * changed beyond case, *upper when one had capitals.
 */
static void
slug_parts(const char *prefix, const char *src, struct buf *raw,
    bool *any, bool *upper)
{
	struct buf part = BUF_INIT;
	const char *s = src;
	bool changed;

	buf_reset(raw);
	if (prefix && *prefix)
		buf_printf(raw, "%s/", prefix);
	while (*s) {
		const char *e;
		while (*s == '/')
			s++;
		if (!*s)
			break;
		e = strchr(s, '/');
		if (!e)
			e = s + strlen(s);
		for (const char *c = s; c < e; c++)
			if (isupper((unsigned char)*c))
				*upper = true;
		import_slugify(s, (size_t)(e - s), &part, &changed);
		if (changed)
			*any = true;
		buf_add(raw, part.buf, part.len);
		buf_addch(raw, '/');
		s = e;
	}
	if (raw->len && raw->buf[raw->len - 1] == '/')
		buf_setlen(raw, raw->len - 1);
	buf_release(&part);
}

/*
 * The path USUAL would have given P, added to P's aliases when its
 * permalinks pattern made another one, so the old URL still answers.
 */
static void
alias_usual(struct ipage *p, const struct import_opts *o, const char *usual)
{
	struct buf raw = BUF_INIT, canon = BUF_INIT, why = BUF_INIT;
	json_t *al = json_object_get(p->meta, "aliases");
	bool any = false, upper = false;

	slug_parts(o->prefix, usual, &raw, &any, &upper);
	if (path_canonicalize(raw.buf ? raw.buf : "", &canon, &why) == 0 &&
	    canon.buf && strcmp(canon.buf, p->path) != 0) {
		char *u = xasprintf("/%s/", canon.buf);
		if (json_is_string(al)) {
			al = json_pack("[O]", al);
			json_object_set_new(p->meta, "aliases", al);
		} else if (!json_is_array(al)) {
			al = json_array();
			json_object_set_new(p->meta, "aliases", al);
		}
		json_array_append_new(al, json_string(u));
		free(u);
	}
	buf_release(&raw);
	buf_release(&canon);
	buf_release(&why);
}

/* PATH of page P from its place, slug, url, permalinks and the prefix */
static int
page_path(struct itree *t, struct ipage *p, const struct import_opts *o,
    struct import_report *r)
{
	struct buf raw = BUF_INIT, canon = BUF_INIT, why = BUF_INIT;
	bool any = false, upper = false, url = json_object_get(p->meta,
	    "url") != NULL;
	char *usual, *src = path_source(t, p, r, &usual);
	int rc = -1;

	if (!src)
		goto out;
	slug_parts(o->prefix, src, &raw, &any, &upper);
	if (any)
		import_note(r, "warning", p->file, url ? import_key_line(p,
		    "url") : 0, NULL, "path '%s' has characters a kiln path "
		    "cannot hold: imported as '%s'", src, raw.buf ? raw.buf :
		    "");
	if (upper && !t->lower)
		import_note(r, "warning", p->file, 0, NULL, "the config sets "
		    "disablePathToLower, but kiln paths are lowercase: "
		    "'%s' is imported as '%s'; add a redirect at the old URL",
		    src, raw.buf ? raw.buf : "");
	if (path_canonicalize(raw.buf ? raw.buf : "", &canon, &why) == -1) {
		import_note(r, "failed", p->file, url ? import_key_line(p,
		    "url") : 0, NULL, "%s", why.buf);
		goto out;
	}
	p->path = buf_detach(&canon, NULL);
	if (!p->path)
		p->path = xstrdup("");
	if (usual)
		alias_usual(p, o, usual);
	rc = 0;
out:
	free(src);
	free(usual);
	buf_release(&raw);
	buf_release(&canon);
	buf_release(&why);
	return rc;
}

/*
 * DIR is a site root when it holds content/: then its config and
 * static/ are found too, and said so; else DIR is the content tree.
 */
static int
tree_root(struct itree *t, const struct import_opts *o,
    struct import_report *r, struct buf *err)
{
	struct buf found = BUF_INIT;
	char *sub;

	if (!dir_exists(o->dir)) {
		buf_setf(err, "cannot import '%s': not a folder", o->dir);
		return -1;
	}
	sub = xasprintf("%s/content", o->dir);
	if (!dir_exists(sub)) {
		free(sub);
		t->content = xstrdup(o->dir);
		return 0;
	}
	t->content = sub;
	for (int i = 0; config_names[i]; i++) {
		char *f = xasprintf("%s/%s", o->dir, config_names[i]);
		if (file_exists(f)) {
			t->config = f;
			break;
		}
		free(f);
	}
	sub = xasprintf("%s/static", o->dir);
	if (dir_exists(sub))
		t->static_src = sub;
	else
		free(sub);
	buf_printf(&found, "'%s' is a Hugo site: content from %s", o->dir,
	    t->content);
	if (t->static_src)
		buf_printf(&found, ", static files from %s", t->static_src);
	if (t->config)
		buf_printf(&found, ", config %s", t->config);
	else
		buf_adds(&found, ", no config file");
	import_note(r, "info", NULL, 0, NULL, "%s", found.buf);
	buf_release(&found);
	return 0;
}

/*
 * The pages among the files L, then their bundles by folder (the first
 * page found wins a clash); Markdown inside a leaf bundle is a resource
 * of it, not a page (marked drop).
 */
static void
tree_pages(struct itree *t, const struct walk_list *l,
    struct import_report *r)
{
	/* pages first: bundles must be known before their resources */
	for (size_t i = 0; i < l->n; i++)
		if (is_content(base_name(l->v[i])))
			page_add(t, l->v[i], &l->st[i]);
	for (size_t i = 0; i < t->npages; i++) {
		struct ipage *p = &t->pages[i];
		json_t *m = p->leaf ? t->leafdirs : p->branch ? t->branchdirs :
		    NULL;
		if (m && !json_object_get(m, p->dir))
			json_object_set_new(m, p->dir, json_integer(
			    (json_int_t)i));
	}
	for (size_t i = 0; i < t->npages; i++) {
		struct ipage *p = &t->pages[i], *leaf;
		leaf = leaf_of(t, p->leaf ? p->dir : p->rel);
		if (!leaf || leaf == p)
			continue;
		import_note(r, "skipped", p->file, 0, NULL, "Markdown inside "
		    "the leaf bundle %s is a resource of that page, not a "
		    "page (as in Hugo); it is not imported", leaf->file);
		r->skipped++;
		p->drop = true;
	}
}

/* every other file of L: a resource of its bundle, else reported */
static void
tree_resources(struct itree *t, const struct walk_list *l,
    struct import_report *r)
{
	for (size_t i = 0; i < l->n; i++) {
		const char *rel = l->v[i], *b = base_name(rel);
		struct ipage *owner;
		char *d, *f;
		if (is_content(b) || b[strlen(b) - 1] == '~')
			continue;
		owner = leaf_of(t, rel);
		if (!owner) {
			d = dir_name(rel);
			owner = page_of_dir(t, d, false);
			free(d);
		}
		if (owner) {
			res_add(owner, t, rel, &l->st[i]);
			continue;
		}
		f = xasprintf("%s/%s", t->content, rel);
		import_note(r, "skipped", f, 0, NULL, "not in a page bundle, "
		    "so Hugo does not publish it either: move it to static/ "
		    "or beside an index.md");
		r->skipped++;
		free(f);
	}
}

/* the pages marked drop out of T */
static void
tree_drop(struct itree *t)
{
	size_t k = 0;

	for (size_t i = 0; i < t->npages; i++) {
		struct ipage *p = &t->pages[i];
		if (!p->drop) {
			t->pages[k++] = *p;
			continue;
		}
		free(p->file);
		free(p->rel);
		free(p->dir);
		for (size_t x = 0; x < p->nres; x++) {
			free(p->res[x].file);
			free(p->res[x].rel);
		}
		free(p->res);
	}
	t->npages = k;
}

/* P, unread: the page FAST knows, as its record says (1), else 0 */
static int
read_skip(struct ipage *p, const struct ifast *fast,
    struct import_report *r)
{
	const char *path;

	import_fast_fingerprint(p, fast->ctx, fast->began);
	if (!(path = import_fast_match(p, fast)))
		return 0;
	p->same = true;
	p->path = xstrdup(path);
	import_fast_replay(r, import_fast_notes_of(fast->recs, path, "read"));
	return 1;
}

/* P's front matter and path (failures reported) */
static void
read_page(struct itree *t, struct ipage *p, const struct import_opts *o,
    struct import_report *r, struct buf *why)
{
	size_t from = json_array_size(r->items);

	p->text = xcalloc(1, sizeof(*p->text));
	buf_reset(why);
	if (file_read(p->file, p->text, LIMIT_PAGE_BODY +
	    LIMIT_FRONT_MATTER, why) == -1) {
		import_note(r, "failed", p->file, 0, NULL, "%s", why->buf);
		p->failed = true;
		return;
	}
	if (import_fm_split(p->text->buf ? p->text->buf : "",
	    p->text->len, p->file, &p->meta, &p->lines, &p->body_off,
	    &p->body_line, why) == -1) {
		note_located(r, p->file, why->buf);
		p->failed = true;
		return;
	}
	if (page_path(t, p, o, r) == -1)
		p->failed = true;
	else
		p->notes = import_fast_notes(r, from);
}

void
import_tree_read(struct itree *t, const struct import_opts *o,
    const struct ifast *fast, struct import_report *r)
{
	struct buf why = BUF_INIT;

	for (size_t i = 0; i < t->npages; i++)
		if (!read_skip(&t->pages[i], fast, r))
			read_page(t, &t->pages[i], o, r, &why);
	buf_release(&why);
}

int
import_tree_load(struct itree *t, const struct import_opts *o,
    struct import_report *r, struct buf *err)
{
	struct walk_list l = WALK_LIST_INIT;
	int rc = -1;

	memset(t, 0, sizeof(*t));
	t->root = xstrdup(o->dir);
	t->cfg = json_object();
	t->leafdirs = json_object();
	t->branchdirs = json_object();
	t->lower = true;
	if (tree_root(t, o, r, err) == -1 ||
	    (t->config && config_load(t, r, err) == -1))
		goto out;
	if (json_is_true(import_cfg_get(t->cfg, "disablePathToLower")))
		t->lower = false;
	l.keep_stat = true;	/* the fingerprints' (import_fast.c) */
	if (walk_files(t->content, &l, err) == -1) {
		buf_adds(err, " (nothing was imported)");
		goto out;
	}
	tree_pages(t, &l, r);
	tree_resources(t, &l, r);
	tree_drop(t);
	rc = 0;
out:
	walk_list_release(&l);
	return rc;
}

void
import_tree_release(struct itree *t)
{
	for (size_t i = 0; i < t->npages; i++) {
		struct ipage *p = &t->pages[i];
		free(p->file);
		free(p->rel);
		free(p->dir);
		free(p->path);
		if (p->text) {
			buf_release(p->text);
			free(p->text);
		}
		json_decref(p->meta);
		json_decref(p->lines);
		json_decref(p->notes);
		for (size_t k = 0; k < p->nres; k++) {
			free(p->res[k].file);
			free(p->res[k].rel);
			free(p->res[k].name);
		}
		free(p->res);
	}
	free(t->pages);
	free(t->root);
	free(t->content);
	free(t->static_src);
	free(t->config);
	json_decref(t->cfg);
	json_decref(t->leafdirs);
	json_decref(t->branchdirs);
	memset(t, 0, sizeof(*t));
}
