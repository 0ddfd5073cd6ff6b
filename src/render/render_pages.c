/* SPDX-License-Identifier: ISC */
/*
 * render_pages.c: the page outputs of a build (render_int.h).
 *
 * Every live page gives /<path>/index.html; a section gives one output
 * per pagination page (/<path>/page/N/index.html) listing its children;
 * with build.page_json each page also gives /<path>/index.json.  Pages
 * render on the build's thread pool, each worker with its own copies of
 * the shared context.  Each output is keyed by SHA-256 over what its
 * context holds (pages_global_hash, page_key); an output whose key the
 * standby or the live folder already has is kept or hard-linked instead
 * of rendered, so an incremental build is byte-identical to a full one.
 * In a process that keeps its model, a page whose key material is the
 * last build's takes that build's keys (rpage.carry, decision 0380);
 * they are checked against the records like any other.
 */
#include "common/compat.h"

#include <stdatomic.h>

#include "common/arena.h"
#include "common/buf.h"
#include "common/hash.h"
#include "common/xmalloc.h"
#include "conf/conf.h"
#include "render/mdr.h"
#include "render/render_int.h"
#include "render/tmpl.h"

static json_t *
link_json(const struct rpage *p)
{
	return json_pack("{s:s, s:s}", "title", p->sp->title, "url", p->url);
}

void
pager_release(struct pager *pc)
{
	free(pc->url);
	json_decref(pc->pages);
	json_decref(pc->kids);
	json_decref(pc->crumbs);
	json_decref(pc->parent);
	memset(pc, 0, sizeof(*pc));
}

/* page K's entry in a link list: "current" true when it is the shown one */
static void
pager_mark(struct pager *pc, int k, bool current)
{
	if (k >= 1 && k <= pc->npg)
		json_object_set_new(json_array_get(pc->pages, (size_t)k - 1),
		    "current", json_boolean(current));
}

/* the link list of listing URL of NPG pages, page PG current (borrowed) */
static json_t *
pager_links(struct pager *pc, const char *url, int pg, int npg)
{
	if (!pc->pages || pc->npg != npg || strcmp(pc->url, url) != 0) {
		json_decref(pc->pages);
		free(pc->url);
		pc->url = xstrdup(url);
		pc->npg = npg;
		pc->cur = 0;
		pc->pages = json_array();
		for (int k = 1; k <= npg; k++) {
			char *u = k == 1 ? xstrdup(url) :
			    xasprintf("%spage/%d/", url, k);
			json_array_append_new(pc->pages, json_pack(
			    "{s:i, s:s, s:b}", "number", k, "url", u,
			    "current", 0));
			free(u);
		}
	}
	if (pc->cur != pg) {
		pager_mark(pc, pc->cur, false);
		pager_mark(pc, pg, true);
		pc->cur = pg;
	}
	return pc->pages;
}

/* the URL of page K of PC's listing as a new reference, null if none */
static json_t *
pager_url(const struct pager *pc, int k)
{
	if (k < 1 || k > pc->npg)
		return json_null();
	return json_incref(json_object_get(json_array_get(pc->pages,
	    (size_t)k - 1), "url"));
}

json_t *
pages_pagination(struct build *b, struct pager *pc, const char *url,
    const size_t *items, size_t n, int pg, int npg)
{
	json_t *pages = pager_links(pc, url, pg, npg), *sel = json_array();
	size_t ps = (size_t)b->c->build.page_size;

	for (size_t k = (size_t)(pg - 1) * ps; k < n && k < (size_t)pg * ps;
	    k++)
		json_array_append_new(sel, model_summary_ref(b, items[k]));
	return json_pack("{s:O, s:i, s:i, s:o, s:o, s:o}", "pages", pages,
	    "current", pg, "total", npg, "prev_url", pager_url(pc, pg - 1),
	    "next_url", pager_url(pc, pg + 1), "items", sel);
}

/*
 * The summaries of page I's children (borrowed: PC keeps them until the
 * next page's); pages without children share one empty list.
 */
static json_t *
page_children(struct build *b, struct pager *pc, size_t i)
{
	const struct rpage *p = &b->pages[i];

	if (pc->kids_of != i + 1 && !(p->nkids == 0 && pc->kids &&
	    json_array_size(pc->kids) == 0)) {
		json_decref(pc->kids);
		pc->kids = json_array();
		for (size_t k = 0; k < p->nkids; k++)
			json_array_append_new(pc->kids, model_summary_ref(b,
			    p->kids[k]));
	}
	pc->kids_of = i + 1;
	return pc->kids;
}

/* the breadcrumbs and parent link of page I (borrowed), kept in PC */
static void
page_ancestors(struct build *b, struct pager *pc, size_t i, json_t **crumbs,
    json_t **parent)
{
	size_t up = b->pages[i].parent;

	if (!pc->has_crumbs || pc->crumbs_of != up) {
		json_decref(pc->crumbs);
		json_decref(pc->parent);
		pc->crumbs = json_array();
		for (size_t a = up; a != SIZE_MAX; a = b->pages[a].parent)
			json_array_insert_new(pc->crumbs, 0,
			    link_json(&b->pages[a]));
		pc->parent = up == SIZE_MAX ? json_null() :
		    link_json(&b->pages[up]);
		pc->crumbs_of = up;
		pc->has_crumbs = true;
	}
	*crumbs = pc->crumbs;
	*parent = pc->parent;
}

/* what one page worker thread owns */
struct worker {
	struct build *b;
	json_t *site, *colls;	/* its own copies of the shared context */
	struct buf out, tmp, err;	/* reused for every page */
	struct buf md;		/* the page's content as HTML */
	struct buf material;	/* what page_key hashes */
	struct arena arena;	/* one page's scratch, reset after it */
	struct pager pager;	/* what a listing's pages share */
	struct filelist files;	/* merged into the build's at the end */
	size_t rendered, reused;
};

struct tval
ctx_owned(struct render_ctx *c, json_t *v)
{
	c->own[c->nown++] = v;
	return tval_json(v);
}

void
ctx_release(struct render_ctx *c)
{
	for (size_t k = 0; k < c->nown; k++)
		json_decref(c->own[k]);
	c->nown = 0;
}

void
ctx_field(struct tfield *f, size_t *n, const char *key, struct tval v)
{
	f[*n].key = key;
	f[*n].v = v;
	(*n)++;
}

/* date T as contexts show it, {iso, human, year} (null for 0), in A */
static struct tval
date_tval(struct arena *a, int64_t t)
{
	char iso[32], human[64], year[16];
	struct tfield *f;
	size_t n = 0;

	if (!t)
		return tval_json(json_null());
	model_date_forms(t, iso, human, year);
	f = arena_alloc(a, 3 * sizeof(*f));
	ctx_field(f, &n, "iso", tval_str(arena_strdup(a, iso)));
	ctx_field(f, &n, "human", tval_str(arena_strdup(a, human)));
	ctx_field(f, &n, "year", tval_str(arena_strdup(a, year)));
	return tval_obj(f, n);
}

/*
 * The context of page I, pagination page PG (1-based; 0 = none), with
 * CONTENT (NUL-terminated, LEN bytes), into C: in the worker's arena
 * (no jansson tree per page), borrowing the site, the snapshot's and
 * the pager's values; the fields and their names are those the
 * templates have always read.
 */
static void
page_context(struct worker *w, size_t i, int pg, int npg,
    const char *content, size_t len, struct render_ctx *c)
{
	struct build *b = w->b;
	struct arena *a = &w->arena;
	const struct rpage *p = &b->pages[i];
	const struct snap_page *sp = p->sp;
	struct tfield *f = arena_alloc(a, 21 * sizeof(*f));
	struct tfield *top = arena_alloc(a, 4 * sizeof(*top));
	json_t *kids = page_children(b, &w->pager, i), *crumbs, *parent;
	json_t *extra = snapshot_extra(&b->snap, i);
	struct tval content_v = tval_str(content);
	size_t n = 0, ntop = 0;

	page_ancestors(b, &w->pager, i, &crumbs, &parent);
	c->nown = 0;
	content_v.u.str.len = len;
	ctx_field(f, &n, "title", tval_str(sp->title));
	ctx_field(f, &n, "url", tval_str(p->url));
	ctx_field(f, &n, "path", tval_str(sp->path));
	ctx_field(f, &n, "section", tval_str(sp->section));
	ctx_field(f, &n, "slug", tval_str(sp->slug));
	ctx_field(f, &n, "date", date_tval(a, sp->date));
	ctx_field(f, &n, "summary", tval_str(p->excerpt));
	ctx_field(f, &n, "content", content_v);
	ctx_field(f, &n, "tags", tval_json(snapshot_tags(&b->snap, i)));
	ctx_field(f, &n, "params", tval_json(extra));
	ctx_field(f, &n, "parent", tval_json(parent));
	ctx_field(f, &n, "children", tval_json(kids));
	ctx_field(f, &n, "breadcrumbs", tval_json(crumbs));
	ctx_field(f, &n, "dates", ctx_owned(c, model_param_dates(extra)));
	ctx_field(f, &n, "is_home", tval_json(json_boolean(p->kind ==
	    PK_HOME)));
	ctx_field(f, &n, "is_section", tval_json(json_boolean(p->kind ==
	    PK_SECTION)));
	ctx_field(f, &n, "has_children", tval_json(json_boolean(p->nkids >
	    0)));
	ctx_field(f, &n, "permalink", tval_str(arena_printf(a, "%s%s",
	    b->c->site.base_url, p->url)));
	ctx_field(f, &n, "first_published", date_tval(a,
	    sp->first_published_at));
	ctx_field(f, &n, "last_published", date_tval(a,
	    sp->last_published_at));
	ctx_field(f, &n, "terms", ctx_owned(c, taxonomy_page_links(b, i)));
	ctx_field(top, &ntop, "site", tval_json(w->site));
	ctx_field(top, &ntop, "page", tval_obj(f, n));
	ctx_field(top, &ntop, "collections", tval_json(w->colls));
	if (pg > 0)
		ctx_field(top, &ntop, "pagination", ctx_owned(c,
		    pages_pagination(b, &w->pager, p->url, p->kids, p->nkids,
		    pg, npg)));
	c->v = tval_obj(top, ntop);
}

/* what every page's context shares: templates, site, collections, assets */
void
pages_global_hash(struct build *b)
{
	struct buf g = BUF_INIT;
	char *site = json_dumps(b->site, JSON_COMPACT | JSON_SORT_KEYS);
	char *colls = json_dumps(b->collections, JSON_COMPACT |
	    JSON_SORT_KEYS);

	buf_printf(&g, "%s\n%s\n%s\n%d\n", b->tmpl_hash, site, colls,
	    b->staging);
	for (size_t k = 0; k < b->nassets; k++)
		buf_printf(&g, "%s=%s\n", b->assets[k].from, b->assets[k].to);
	sha256_hex(g.buf, g.len, b->globhash);
	free(site);
	free(colls);
	buf_release(&g);
}

/*
 * What every output of page I shares in its key, without building its
 * context: the page's own fields (its summary's hash covers title, url,
 * path, section, date, summary, tags, params and weight; the content is
 * named by its revision), the template, and the summary hashes of its
 * ancestors (parent, breadcrumbs) and children.
 */
static void
page_key(struct build *b, size_t i, const char *tname, struct buf *tmp)
{
	struct rpage *p = &b->pages[i];
	const struct snap_page *sp = p->sp;

	buf_reset(tmp);
	buf_add(tmp, p->sumhash, 64);
	buf_add(tmp, tname, strlen(tname) + 1);
	buf_add(tmp, sp->slug, strlen(sp->slug) + 1);
	buf_add_i64(tmp, sp->first_published_at);
	buf_add_i64(tmp, sp->last_published_at);
	buf_add_i64(tmp, p->kind);
	buf_add_i64(tmp, sp->revision);
	buf_add_i64(tmp, b->c->build.unsafe_html);
	for (size_t a = p->parent; a != SIZE_MAX; a = b->pages[a].parent) {
		buf_addch(tmp, '<');
		buf_add(tmp, b->pages[a].sumhash, 64);
	}
	buf_addch(tmp, '\n');
	for (size_t k = 0; k < p->nkids; k++) {
		buf_addch(tmp, '>');
		buf_add(tmp, b->pages[p->kids[k]].sumhash, 64);
	}
	/* hashed on its own only when several outputs share it */
	if (p->kind == PK_SECTION || b->c->build.page_json)
		sha256_hex(tmp->buf, tmp->len, p->pagekey);
}

/*
 * Reuse output PATH whose key is KEY: left alone when the standby
 * already has it, hard-linked from the live folder when that has it.
 * 1 when reused, 0 when it must be rendered, -1 on error.
 */
int
pages_reuse_output(struct build *b, struct filelist *l, const char *path,
    const char *key, enum manifest_kind kind, struct buf *err)
{
	const struct outrec_ent *e;
	char *from;
	int rc;

	if (b->full)
		return 0;
	if (!(e = outrec_find(&b->slot.standby_rec, path)) ||
	    strcmp(e->key, key) != 0) {
		if (!(e = outslot_live_find(&b->slot, path)) ||
		    strcmp(e->key, key) != 0)
			return 0;
		from = xasprintf("%s/%s", b->slot.live, path);
		rc = slot_link(from, b->slot.standby, path, err);
		free(from);
		if (rc == -1)
			return -1;
	}
	render_add_file(l, path, e->sha, e->size, kind, false, key);
	return 1;
}


void
pkeys_new(struct pkeys *k, size_t n)
{
	/* the sizes after both key arrays, 8-aligned */
	size_t at = ((2 * n + 1) * 65 + 7) & ~(size_t)7;
	char *block = xcalloc(1, at + (n + 1) * sizeof(*k->size));

	memset(k, 0, sizeof(*k));
	k->v = (char (*)[65])block;
	k->sha = (char (*)[65])(block + n * 65);
	k->size = (int64_t *)(void *)(block + at);
}

/*
 * Output X of page I (PATH, KIND) recorded without a look-up when its
 * keys CK are carried over and held: this build's standby folder has the
 * record they were recorded in by the build before last (its id,
 * b->held_ok), and they were carried over by the last build too, so
 * that record has each output at its path with its key and with what
 * CK says it was recorded with (kept_held, decision 0430): what
 * pages_reuse_output would find there.
 */
static bool
output_held(struct worker *w, const struct pkeys *ck, size_t x,
    const char *path, enum manifest_kind kind)
{
	if (!ck || !ck->held || !w->b->held_ok)
		return false;
	render_add_file(&w->files, path, ck->sha[x], ck->size[x], kind, false,
	    x < ck->n ? ck->v[x] : ck->json);
	w->reused++;
	atomic_fetch_add(&w->b->held, 1);
	return true;
}

/* what output X was recorded with (the worker's last), kept in K */
static void
output_note(struct worker *w, struct pkeys *k, size_t x)
{
	const struct outfile *f = &w->files.v[w->files.n - 1];

	if (k && k->sha) {
		memcpy(k->sha[x], f->sha, sizeof(k->sha[x]));
		k->size[x] = f->size;
	}
}

/*
 * The key of output PG of NPG of page I: the global hash, the page's key
 * or its material (page_key, made before), the pagination; kept in the
 * page's keys for the next build when it has them.
 */
static void
output_key(struct worker *w, size_t i, int pg, int npg, char key[65])
{
	struct build *b = w->b;
	struct rpage *p = &b->pages[i];
	struct buf *tmp = &w->tmp;

	buf_reset(tmp);
	buf_add(tmp, b->globhash, 64);
	if (p->kind == PK_SECTION || b->c->build.page_json)
		buf_add(tmp, p->pagekey, 64);
	else
		buf_add(tmp, w->material.buf, w->material.len);
	buf_add_i64(tmp, pg);
	buf_add_i64(tmp, npg);
	buf_add_i64(tmp, b->c->build.page_size);
	sha256_hex(tmp->buf, tmp->len, key);
	if (p->keys.v)
		memcpy(p->keys.v[pg > 0 ? pg - 1 : 0], key, 65);
}

/*
 * Render (or reuse) output PATH of page I, pagination page PG of NPG;
 * its key CK's when carried over from the last build (decision 0380),
 * else made here.
 */
static int
render_output(struct worker *w, size_t i, const char *tname, int pg,
    int npg, const char *path, struct pkeys *ck)
{
	struct build *b = w->b;
	struct rpage *p = &b->pages[i];
	struct buf *tmp = &w->tmp, *out = &w->out, *err = &w->err, *html;
	size_t x = pg > 0 ? (size_t)pg - 1 : 0;
	struct render_ctx ctx;
	char key[65], sha[65];
	const char *body;
	int rc;

	if (output_held(w, ck, x, path, MK_HTML))
		return 0;
	if (ck)
		memcpy(key, ck->v[x], sizeof(key));
	else
		output_key(w, i, pg, npg, key);
	if ((rc = pages_reuse_output(b, &w->files, path, key, MK_HTML,
	    err)) != 0) {
		w->reused += rc == 1;
		if (rc == 1)
			output_note(w, ck ? ck : &p->keys, x);
		return rc == 1 ? 0 : -1;
	}

	/* render for real: the Markdown, then the template */
	if (!(body = snapshot_body(&b->snap, i, err)))
		return -1;
	buf_reset(&w->md);
	if (mdr_render(body, strlen(body), b->c->build.unsafe_html ? 0 :
	    MDR_NO_HTML, &w->md, err) == -1) {
		buf_printf(err, " (page '/%s')", p->sp->path);
		return -1;
	}
	page_context(w, i, pg, npg, w->md.buf, w->md.len, &ctx);
	buf_reset(tmp);
	rc = tmpl_set_render_tv(b->set, tname, &ctx.v, &w->arena, tmp, err);
	ctx_release(&ctx);
	if (rc == -1)
		return -1;
	/* the page is in TMP or OUT from here on, copied only to change */
	html = assets_rewrite_buf(b, tmp, out);
	if (b->staging) {
		struct buf *other = html == tmp ? out : tmp;
		buf_reset(other);
		render_noindex(html->buf, html->len, other);
		html = other;
	}
	sha256_hex(html->buf, html->len, sha);
	if (render_put_output(b, path, html->buf, html->len, sha, err) == -1)
		return -1;
	render_add_file(&w->files, path, sha, (int64_t)html->len, MK_HTML,
	    false, key);
	output_note(w, ck ? ck : &p->keys, x);
	w->rendered++;
	return 0;
}

/*
 * PATH/index.json of page I (build.page_json), output X of the page, its
 * key CK's or made
 */
static int
render_page_json(struct worker *w, size_t i, size_t x, struct pkeys *ck)
{
	struct build *b = w->b;
	struct rpage *p = &b->pages[i];
	struct buf *out = &w->out, *tmp = &w->tmp, *err = &w->err;
	json_t *o;
	char *path, *dump, key[65], sha[65];
	const char *body;
	int rc;

	path = p->sp->path[0] ? xasprintf("%s/index.json", p->sp->path) :
	    xstrdup("index.json");
	if (output_held(w, ck, x, path, MK_FEED)) {
		free(path);
		return 0;
	}
	/* the page, and the asset map its content's references go through */
	if (ck)
		memcpy(key, ck->json, sizeof(key));
	else {
		buf_reset(out);
		buf_printf(out, "json\n%s\n%s\n", p->pagekey, b->globhash);
		sha256_hex(out->buf, out->len, key);
		memcpy(p->keys.json, key, sizeof(key));
	}
	if ((rc = pages_reuse_output(b, &w->files, path, key, MK_FEED,
	    err)) != 0) {
		w->reused += rc == 1;
		if (rc == 1)
			output_note(w, ck ? ck : &p->keys, x);
		free(path);
		return rc == 1 ? 0 : -1;
	}
	buf_reset(tmp);
	if (!(body = snapshot_body(&b->snap, i, err)) || mdr_render(body,
	    strlen(body), b->c->build.unsafe_html ? 0 : MDR_NO_HTML, tmp,
	    err) == -1) {
		free(path);
		return -1;
	}
	buf_reset(out);
	assets_rewrite(b, tmp->buf, tmp->len, NULL, out);
	o = json_pack("{s:s, s:s, s:s, s:s, s:s%, s:o, s:o, s:o, s:O, s:O}",
	    "title", p->sp->title, "path", p->sp->path, "url", p->url,
	    "summary", p->excerpt, "content", out->buf, out->len, "date",
	    model_date_json(p->sp->date), "first_published",
	    model_date_json(p->sp->first_published_at), "last_published",
	    model_date_json(p->sp->last_published_at), "tags",
	    snapshot_tags(&b->snap, i), "params", snapshot_extra(&b->snap, i));
	dump = json_dumps(o, JSON_INDENT(1) | JSON_SORT_KEYS);
	json_decref(o);
	sha256_hex(dump, strlen(dump), sha);
	rc = render_put_output(b, path, dump, strlen(dump), sha, err);
	if (rc == 0) {
		render_add_file(&w->files, path, sha, (int64_t)strlen(dump),
		    MK_FEED, false, key);
		output_note(w, ck ? ck : &p->keys, x);
	}
	free(path);
	free(dump);
	return rc;
}

/*
 * The last build's keys of page I's NOUT outputs made with template
 * TNAME, when they are this build's (kept_carry: the same material;
 * kept_carry_global: the same global inputs), else NULL.
 */
static struct pkeys *
page_carried(struct build *b, size_t i, const char *tname, size_t nout)
{
	const struct rpage *p = &b->pages[i];

	if (!b->carry_ok || !p->carry || p->carry->n != nout ||
	    strcmp(p->carry_tname, tname) != 0)
		return NULL;
	return p->carry;
}

/*
 * Every output of page I: one, or one per pagination page of a section,
 * and its index.json.  Their keys are the last build's when carried
 * over, else made from page_key's material and kept in the page.
 */
static int
render_page(struct worker *w, size_t i, const char *tname)
{
	struct build *b = w->b;
	struct rpage *p = &b->pages[i];
	size_t ps = (size_t)b->c->build.page_size, nout;
	struct pkeys *ck;
	int npg = 0, rc = 0;

	if (p->kind == PK_SECTION)
		npg = (int)((p->nkids + ps - 1) / ps);
	nout = npg ? (size_t)npg : 1;
	if ((ck = page_carried(b, i, tname, nout)) != NULL)
		atomic_fetch_add(&b->carried, 1);
	else {
		page_key(b, i, tname, &w->material);
		pkeys_new(&p->keys, nout);
		p->keys_tname = tname;
	}
	if (p->kind != PK_SECTION)
		rc = render_output(w, i, tname, 0, 0, p->out, ck);
	for (int pg = 1; rc == 0 && pg <= npg; pg++)
		rc = render_output(w, i, tname, pg, npg, pg == 1 ? p->out :
		    arena_printf(&w->arena, "%s/page/%d/index.html",
		    p->sp->path, pg), ck);
	if (rc == 0 && b->c->build.page_json)
		rc = render_page_json(w, i, nout, ck);
	if (rc == 0 && !ck)
		p->keys.n = nout;
	return rc;
}

static void
worker_init(struct worker *w, struct build *b)
{
	memset(w, 0, sizeof(*w));
	w->b = b;
	w->site = json_deep_copy(b->site);
	w->colls = json_deep_copy(b->collections);
	buf_init(&w->out, 0);
	buf_init(&w->tmp, 0);
	buf_init(&w->err, 0);
	buf_init(&w->material, 0);
	buf_init(&w->md, 0);
}

static void
worker_release(struct worker *w)
{
	json_decref(w->site);
	json_decref(w->colls);
	buf_release(&w->out);
	buf_release(&w->tmp);
	buf_release(&w->err);
	buf_release(&w->material);
	buf_release(&w->md);
	arena_release(&w->arena);
	pager_release(&w->pager);
}

static void *
page_worker(void *arg)
{
	struct build *b = arg;
	struct worker w;
	size_t i;

	worker_init(&w, b);
	while (!b->failed && (i = atomic_fetch_add(&b->next, 1)) <
	    b->npages) {
		const char *tname;
		int rc = -1;
		buf_reset(&w.err);
		if ((tname = templates_for(b, &b->pages[i], &w.err)) != NULL)
			rc = render_page(&w, i, tname);
		arena_reset(&w.arena);
		if (rc == -1)
			render_worker_failed(b, w.err.buf);
	}
	pthread_mutex_lock(&b->mu);
	b->res->rendered += w.rendered;
	b->res->reused += w.reused;
	pthread_mutex_unlock(&b->mu);
	render_merge_files(b, &w.files);
	worker_release(&w);
	return NULL;
}

int
pages_render(struct build *b, struct buf *err)
{
	kept_carry_global(b);
	kept_held(b);
	render_run_threads(b, page_worker);
	if (b->failed) {
		buf_setf(err, "%s", b->err.buf);
		return -1;
	}
	return 0;
}

/*
 * The page and pagination page output PATH belongs to: "x/index.html"
 * is page x (pagination page 1 of a section), "x/page/N/index.html"
 * page N of section x.  The index, or SIZE_MAX; *pg 0 for a plain page.
 */
static size_t
output_page(struct build *b, const char *path, int *pg)
{
	const char *tail = "/index.html", *mark;
	size_t len = strlen(path), tl = strlen(tail), i;
	char *sec;
	long n;

	*pg = 0;
	for (i = 0; i < b->npages; i++)
		if (!strcmp(b->pages[i].out, path))
			return i;
	/* SECTION/page/N/index.html */
	if (len <= tl || strcmp(path + len - tl, tail) != 0)
		return SIZE_MAX;
	sec = xstrndup(path, len - tl);
	if (!(mark = strrchr(sec, '/')) || mark - sec < 5 ||
	    strncmp(mark - 5, "/page", 5) != 0 || !mark[1] ||
	    strspn(mark + 1, "0123456789") != strlen(mark + 1) ||
	    strlen(mark + 1) > 6 || (n = strtol(mark + 1, NULL, 10)) < 2) {
		free(sec);
		return SIZE_MAX;
	}
	sec[mark - 5 - sec] = '\0';
	i = model_find(&b->snap, sec);
	free(sec);
	if (i == SIZE_MAX || b->pages[i].kind != PK_SECTION)
		return SIZE_MAX;
	*pg = (int)n;
	return i;
}

int
pages_render_only(struct build *b, const char *path, struct buf *err)
{
	struct worker w;
	const char *tname;
	size_t i, ps = (size_t)b->c->build.page_size;
	int pg, npg = 0, rc = -1;

	if ((i = output_page(b, path, &pg)) == SIZE_MAX)
		return 1;
	if (b->pages[i].kind == PK_SECTION) {
		npg = (int)((b->pages[i].nkids + ps - 1) / ps);
		if (pg == 0)
			pg = 1;
		if (pg > npg)
			return 1;
	}
	worker_init(&w, b);
	if ((tname = templates_for(b, &b->pages[i], &w.err)) != NULL) {
		page_key(b, i, tname, &w.material);
		rc = render_output(&w, i, tname, pg, npg, path, NULL);
	}
	if (rc == -1)
		buf_setf(err, "%s", w.err.buf);
	for (size_t k = 0; k < w.files.n; k++)
		free(w.files.v[k].path);
	free(w.files.v);
	worker_release(&w);
	return rc;
}
