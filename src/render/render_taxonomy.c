/* SPDX-License-Identifier: ISC */
/*
 * render_taxonomy.c: the listing pages of the site's taxonomies
 * (render_int.h).
 *
 * For each taxonomy NAME of kiln.yaml's taxonomies (default: tags and
 * categories, as in Hugo), the terms of every page (its tags for "tags",
 * else its front matter NAME: a list of strings or one string) give
 * /NAME/ (every term with its page count: template "taxonomy") and
 * /NAME/TERM/ (the pages with that term, paginated like a section, in
 * the same order: template "term"); a site without those templates gets
 * its section template.  Terms are urlized as Hugo does (lowercased,
 * spaces made '-'): "Night Sky" and "night sky" are one term, shown as
 * first written (pages in path order).  A page of the site at /NAME/ or
 * /NAME/TERM/ keeps its URL: that output is not made.  A term longer
 * than TERM_MAX bytes urlized fails the build naming a page that has it.
 *
 * Incremental: each output's key is the build's global hash, the
 * template, the taxonomy and term, the home page's summary hash (its
 * title is in the breadcrumbs) and the summary hashes of its pages
 * (which cover their tags and params) shown on that pagination page,
 * with the term's page count, so a tag change on one page re-renders
 * only the term pages that show it (all of a term's pagination pages
 * when its count changes), and /NAME/.  Only /NAME/
 * has every term (taxonomy.terms, with counts) in its context, and its
 * key covers them all.  A process that keeps its model (decision 0380)
 * keeps each term's pages and keys: a term page showing the pages with
 * the summary hashes it showed, with the same name and count, takes its
 * kept key instead of hashing them again.
 */
#include "common/compat.h"

#include <stdatomic.h>

#include "common/arena.h"
#include "common/buf.h"
#include "common/hash.h"
#include "common/xmalloc.h"
#include "conf/conf.h"
#include "render/render_int.h"
#include "render/tmpl.h"

#define TERM_MAX	200	/* bytes of a urlized term: a file name */

struct term {
	char *slug;		/* "night-sky" */
	const char *name;	/* "Night Sky" (borrowed from the page) */
	size_t first;		/* the page NAME is from: the first in path
				   order */
	size_t *pages;
	size_t n, a;
	size_t job;		/* its first output in the queue + 1, or 0 */
};

struct taxo {
	const char *name;	/* "tags" */
	char *title;		/* "Tags" */
	json_t *terms_json;	/* taxo_terms_json, made once */
	struct term *terms;	/* sorted by slug after taxo_collect */
	size_t n, a;
	json_t *index;		/* slug -> term index + 1 while collecting */
	size_t home;		/* the home page (its title: breadcrumbs) */
};

void
taxonomy_urlize(const char *s, struct buf *out)
{
	/* the characters a URL part cannot hold as they are */
	static const bool drop[0x80] = { ['/'] = true, ['?'] = true,
	    ['#'] = true, ['%'] = true, ['"'] = true, ['\''] = true,
	    ['<'] = true, ['>'] = true, ['\\'] = true, ['&'] = true };

	buf_reset(out);
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;
		if (c == ' ' || c == '\t')
			buf_addch(out, '-');
		else if (c >= 'A' && c <= 'Z')
			buf_addch(out, c - 'A' + 'a');
		else if (c < 0x20 || c == 0x7f || (c < 0x80 && drop[c]) ||
		    (c == '.' && out->len == 0))
			continue;
		else
			buf_addch(out, c);
	}
}

static int
cmp_term(const void *x, const void *y)
{
	return strcmp(((const struct term *)x)->slug,
	    ((const struct term *)y)->slug);
}

/* the index in T of term SLUG, named NAME by page I (made when new) */
static size_t
taxo_term(struct taxo *t, size_t i, const char *name, const char *slug)
{
	json_t *at;
	struct term *m;
	size_t id;

	if ((at = json_object_get(t->index, slug)) != NULL) {
		id = (size_t)json_integer_value(at) - 1;
		m = &t->terms[id];
		if (i < m->first) {	/* named as first written */
			m->name = name;
			m->first = i;
		}
		return id;
	}
	if (t->n == t->a) {
		t->a = t->a ? t->a * 2 : 16;
		t->terms = xreallocarray(t->terms, t->a, sizeof(*t->terms));
	}
	id = t->n;
	m = &t->terms[t->n++];
	memset(m, 0, sizeof(*m));
	m->slug = xstrdup(slug);
	m->name = name;
	m->first = i;
	json_object_set_new(t->index, slug, json_integer((json_int_t)t->n));
	return id;
}

/* page I is listed under term M */
static void
term_add_page(struct term *m, size_t i)
{
	if (m->n == m->a) {
		m->a = m->a ? m->a * 2 : 8;
		m->pages = xreallocarray(m->pages, m->a, sizeof(*m->pages));
	}
	m->pages[m->n++] = i;
}

/* the terms of page I in taxonomy NAME: a new reference, or NULL */
json_t *
taxonomy_page_terms(struct build *b, size_t i, const char *name)
{
	const struct snap_page *sp = b->pages[i].sp;
	json_t *v;

	/* most pages have no terms: no need to parse their JSON */
	if (!strcmp(name, "tags") ? !strcmp(sp->tags_json, "[]") :
	    !strcmp(sp->extra_json, "{}"))
		return NULL;
	if (!strcmp(name, "tags"))
		v = snapshot_tags(&b->snap, i);
	else
		v = json_object_get(snapshot_extra(&b->snap, i), name);
	if (json_is_string(v))
		return json_pack("[O]", v);
	return json_is_array(v) ? json_incref(v) : NULL;
}

json_t *
taxonomy_page_links(struct build *b, size_t i)
{
	json_t *o = json_object();
	struct buf slug = BUF_INIT;

	for (size_t k = 0; k < b->c->ntaxonomies; k++) {
		const char *name = b->c->taxonomies[k];
		json_t *terms = taxonomy_page_terms(b, i, name), *v;
		json_t *links = json_array();
		size_t j;
		json_array_foreach(terms, j, v) {
			char *url;
			if (!json_is_string(v))
				continue;
			taxonomy_urlize(json_string_value(v), &slug);
			if (!slug.len)
				continue;
			url = xasprintf("/%s/%s/", name, slug.buf);
			json_array_append_new(links, json_pack("{s:O, s:s}",
			    "name", v, "url", url));
			free(url);
		}
		json_decref(terms);
		json_object_set_new(o, name, links);
	}
	buf_release(&slug);
	return o;
}

json_t *
taxonomy_list(struct build *b)
{
	json_t *a = json_array();

	for (size_t k = 0; k < b->c->ntaxonomies; k++) {
		const char *name = b->c->taxonomies[k];
		char *url = xasprintf("/%s/", name);
		char *title = xstrdup(name);
		if (title[0] >= 'a' && title[0] <= 'z')
			title[0] = (char)(title[0] - 'a' + 'A');
		json_array_append_new(a, json_pack("{s:s, s:s, s:s}", "name",
		    name, "title", title, "url", url));
		free(url);
		free(title);
	}
	return a;
}

/* a list of term indexes */
struct idlist {
	size_t *v;
	size_t n, a;
};

/* term SLUG (NAME) of page I into T, its index into L once from FROM */
static void
page_term(struct taxo *t, size_t i, const char *slug, const char *name,
    struct idlist *l, size_t from)
{
	size_t id = taxo_term(t, i, name, slug), j;

	for (j = from; j < l->n && l->v[j] != id; j++)
		;
	if (j < l->n)
		return;		/* "Gear" and "gear" on one page */
	if (l->n == l->a) {
		l->a = l->a ? l->a * 2 : 1024;
		l->v = xreallocarray(l->v, l->a, sizeof(*l->v));
	}
	l->v[l->n++] = id;
}

/* S (LEN bytes, with its NUL) added to page P's terms for the next build */
static void
page_terms_add(struct rpage *p, const char *s, size_t len)
{
	p->terms = xreallocarray(p->terms, p->terms_len + len, 1);
	memcpy(p->terms + p->terms_len, s, len);
	p->terms_len += len;
}

/*
 * The terms of page I in T from its row (urlized; kept in the page for
 * the next build when the process keeps its model), into L from FROM
 */
static void
page_terms_read(struct build *b, struct taxo *t, size_t i, struct buf *slug,
    struct idlist *l, size_t from)
{
	json_t *terms = taxonomy_page_terms(b, i, t->name), *v;
	struct rpage *p = &b->pages[i];
	size_t k;

	json_array_foreach(terms, k, v) {
		const char *name = json_string_value(v);
		if (!name)
			continue;
		taxonomy_urlize(name, slug);
		if (!slug->len)
			continue;
		page_term(t, i, slug->buf, name, l, from);
		if (b->kept_at) {
			page_terms_add(p, slug->buf, slug->len + 1);
			page_terms_add(p, name, strlen(name) + 1);
		}
	}
	json_decref(terms);
	if (b->kept_at)
		page_terms_add(p, "", 1);
}

/*
 * The term indexes of each page I of taxonomy T (at[i] to at[i + 1] in
 * ids, each once), the pages visited in their (path) order: read from
 * the row, or, for a row its kept entry has, taken from the terms the
 * entry kept (the same strings: decision 0430).  The taxonomies are
 * collected in turn, so each page's kept terms are walked in turn.
 */
static size_t *
taxo_page_terms(struct build *b, struct taxo *t, size_t k, size_t **at)
{
	struct buf slug = BUF_INIT;
	struct idlist l = { NULL, 0, 0 };

	*at = xcalloc(b->npages + 1, sizeof(**at));
	for (size_t i = 0; i < b->npages; i++) {
		struct rpage *p = &b->pages[i];
		const char *s;
		(*at)[i] = l.n;
		if (k == 0)
			p->terms_at = b->kept_at ? kept_terms(b, i) : NULL;
		if (!(s = p->terms_at)) {
			page_terms_read(b, t, i, &slug, &l, (*at)[i]);
			continue;
		}
		while (*s) {
			const char *name = s + strlen(s) + 1;
			page_term(t, i, s, name, &l, (*at)[i]);
			s = name + strlen(name) + 1;
		}
		p->terms_at = s + 1;
	}
	(*at)[b->npages] = l.n;
	buf_release(&slug);
	return l.v;
}

/*
 * Every term of taxonomy NAME, with its pages in listing order.  The
 * pages' terms are read in page order, where their rows lie in memory
 * (in listing order each was a cache miss: 9% of a worker's edit build
 * at 10,000 pages), then the small lists of term indexes are walked in
 * listing order (b->order), so no term's list is sorted on its own.
 */
static void
taxo_collect(struct build *b, struct taxo *t, size_t k)
{
	const char *name = b->c->taxonomies[k];
	size_t *at, *ids;

	memset(t, 0, sizeof(*t));
	t->name = name;
	t->title = xstrdup(name);
	if (t->title[0] >= 'a' && t->title[0] <= 'z')
		t->title[0] = (char)(t->title[0] - 'a' + 'A');
	t->index = json_object();
	t->home = model_find(&b->snap, "");
	ids = taxo_page_terms(b, t, k, &at);
	for (size_t o = 0; o < b->npages; o++) {
		size_t i = b->order[o];
		for (size_t j = at[i]; j < at[i + 1]; j++)
			term_add_page(&t->terms[ids[j]], i);
	}
	free(at);
	free(ids);
	if (t->n > 1)
		qsort(t->terms, t->n, sizeof(*t->terms), cmp_term);
	json_decref(t->index);
	t->index = NULL;
}

static void
taxo_release(struct taxo *t)
{
	for (size_t k = 0; k < t->n; k++) {
		free(t->terms[k].slug);
		free(t->terms[k].pages);
	}
	free(t->terms);
	free(t->title);
	json_decref(t->terms_json);
}

/* [{name, title, slug, url, count}] of T's terms (a new reference) */
static json_t *
taxo_terms_json(const struct taxo *t)
{
	json_t *a = json_array();

	for (size_t k = 0; k < t->n; k++) {
		char *url = xasprintf("/%s/%s/", t->name, t->terms[k].slug);
		json_array_append_new(a, json_pack("{s:s, s:s, s:s, s:s, "
		    "s:I}", "name", t->terms[k].name, "title",
		    t->terms[k].name, "slug", t->terms[k].slug, "url", url,
		    "count", (json_int_t)t->terms[k].n));
		free(url);
	}
	return a;
}

/* the pagination of /T/ itself: every term on one page */
static json_t *
taxo_index_pagination(const char *url, json_t *terms)
{
	return json_pack("{s:[{s:i, s:s, s:b}], s:i, s:i, s:n, s:n, s:O}",
	    "pages", "number", 1, "url", url, "current", 1, "current", 1,
	    "total", 1, "prev_url", "next_url", "items", terms);
}

/* a term page's output kept for the next build (decision 0380) */
struct kout {
	char key[65];
	char sha[65];		/* what it was recorded with */
	int64_t size;
	bool held;		/* its key carried over by the build that kept
				   it: in the kept set's held_id record too
				   (decision 0430) */
};

/* one output: /T/ (M NULL) or /T/TERM/ page PG of NPG, at PATH */
struct taxo_job {
	const struct taxo *t;
	const struct term *m;
	int pg, npg;
	char *path;
	const struct kout *kept;	/* its key carried over, or NULL */
	struct kout out;	/* its key, once made, and what it was
				   recorded with */
};

/* every taxonomy output of a build, rendered on the build's threads */
struct taxo_queue {
	struct taxo *taxos;
	size_t ntaxos;
	struct taxo_job *v;
	size_t n, a;
};

/* what one thread rendering taxonomy outputs owns */
struct taxo_worker {
	struct build *b;
	json_t *site, *colls;	/* its own copies of the shared context */
	struct pager pager;	/* what a term's pagination pages share */
	struct arena arena;	/* one output's context, reset after it */
	struct filelist files;	/* merged into the build's at the end */
	struct buf err;
	size_t rendered;
};

/*
 * The context of /T/ (M NULL) or of /T/TERM/ page PG of NPG into C, in
 * the worker's arena (render_ctx): the fields the templates have always
 * read.
 */
static void
taxo_context(struct build *b, struct taxo_worker *w, const struct taxo *t,
    const struct term *m, int pg, int npg, struct render_ctx *c)
{
	struct arena *a = &w->arena;
	char *turl = arena_printf(a, "/%s/", t->name);
	char *url = m ? arena_printf(a, "%s%s/", turl, m->slug) : turl;
	char *path = arena_printf(a, "%.*s", (int)strlen(url) - 2, url + 1);
	struct tfield *f = arena_alloc(a, 18 * sizeof(*f));
	struct tfield *tx = arena_alloc(a, 4 * sizeof(*tx));
	struct tfield *top = arena_alloc(a, 5 * sizeof(*top));
	json_t *crumbs = json_pack("[{s:s, s:s}]", "title",
	    b->pages[t->home].sp->title, "url", "/");
	size_t n = 0, ntx = 0, ntop = 0;

	c->nown = 0;
	if (m)
		json_array_append_new(crumbs, json_pack("{s:s, s:s}", "title",
		    t->title, "url", turl));
	ctx_field(f, &n, "title", tval_str(m ? m->name : t->title));
	ctx_field(f, &n, "url", tval_str(url));
	ctx_field(f, &n, "path", tval_str(path));
	ctx_field(f, &n, "section", tval_str(t->name));
	ctx_field(f, &n, "slug", tval_str(m ? m->slug : t->name));
	ctx_field(f, &n, "summary", tval_str(""));
	ctx_field(f, &n, "content", tval_str(""));
	ctx_field(f, &n, "breadcrumbs", ctx_owned(c, crumbs));
	ctx_field(f, &n, "params", ctx_owned(c, json_object()));
	ctx_field(f, &n, "tags", ctx_owned(c, json_array()));
	ctx_field(f, &n, "is_home", tval_json(json_false()));
	ctx_field(f, &n, "is_section", tval_json(json_true()));
	ctx_field(f, &n, "is_taxonomy", tval_json(json_boolean(m == NULL)));
	ctx_field(f, &n, "is_term", tval_json(json_boolean(m != NULL)));
	ctx_field(f, &n, "taxonomy", tval_str(t->name));
	ctx_field(f, &n, "permalink", tval_str(arena_printf(a, "%s%s",
	    b->c->site.base_url, url)));
	if (m)
		ctx_field(f, &n, "count", ctx_owned(c, json_integer(
		    (json_int_t)m->n)));
	ctx_field(tx, &ntx, "name", tval_str(t->name));
	ctx_field(tx, &ntx, "title", tval_str(t->title));
	ctx_field(tx, &ntx, "url", tval_str(turl));
	/* only /T/ lists every term: a term page's key holds its own */
	if (!m)
		ctx_field(tx, &ntx, "terms", tval_json(t->terms_json));
	ctx_field(top, &ntop, "site", tval_json(w->site));
	ctx_field(top, &ntop, "collections", tval_json(w->colls));
	ctx_field(top, &ntop, "page", tval_obj(f, n));
	ctx_field(top, &ntop, "taxonomy", tval_obj(tx, ntx));
	ctx_field(top, &ntop, "pagination", ctx_owned(c, m ?
	    pages_pagination(b, &w->pager, url, m->pages, m->n, pg, npg) :
	    taxo_index_pagination(url, t->terms_json)));
	c->v = tval_obj(top, ntop);
}

/* the template of /T/ (TERM false) or /T/TERM/ */
static const char *
taxo_template(struct build *b, bool term)
{
	struct buf ignored = BUF_INIT;
	const char *name = term ? "term" : "taxonomy";

	if (!tmpl_set_get(b->set, name, &ignored))
		name = b->kind_template[PK_SECTION];
	buf_release(&ignored);
	return name;
}

/*
 * The incremental key of /T/ (M NULL: every term's slug, name and
 * count) or of /T/TERM/ page PG of NPG (its count and the summary
 * hashes of the pages it shows).
 */
static void
key_line(struct buf *g, const char *s)
{
	buf_adds(g, s);
	buf_addch(g, '\n');
}

/* "V\n" into the key material G (as buf_printf's "%d\n") */
static void
key_num(struct buf *g, int64_t v)
{
	buf_add_i64(g, v);		/* "V " */
	g->buf[g->len - 1] = '\n';
}

/* a term's slug, name and page count into the key material G */
static void
key_term(struct buf *g, const struct term *m)
{
	key_line(g, m->slug);
	key_line(g, m->name);
	key_num(g, (int64_t)m->n);
}

static void
taxo_key(struct build *b, const struct taxo *t, const struct term *m,
    const char *tname, int pg, int npg, char key[65])
{
	struct buf g = BUF_INIT;

	buf_grow(&g, 256 + (m ? (size_t)b->c->build.page_size * 64 :
	    t->n * 48));
	buf_adds(&g, "taxonomy\n");
	key_line(&g, b->globhash);
	key_line(&g, tname);
	key_line(&g, t->name);
	key_num(&g, pg);
	key_num(&g, npg);
	key_num(&g, b->c->build.page_size);
	/* the home page's title is in the breadcrumbs */
	buf_add(&g, b->pages[t->home].sumhash, 64);
	if (m) {
		/* the page shows the count and its own slice of the pages */
		size_t ps = (size_t)b->c->build.page_size;
		key_term(&g, m);
		for (size_t k = (size_t)(pg - 1) * ps; k < m->n &&
		    k < (size_t)pg * ps; k++)
			buf_add(&g, b->pages[m->pages[k]].sumhash, 64);
	} else
		for (size_t k = 0; k < t->n; k++)
			key_term(&g, &t->terms[k]);
	sha256_hex(g.buf, g.len, key);
	buf_release(&g);
}

/* /T/ (M NULL) or /T/TERM/ in the sitemap, as new as its newest page */
static void
taxo_sitemap(struct build *b, const struct taxo *t, const struct term *m)
{
	int64_t newest = 0, x;
	char *url;

	for (size_t k = 0; k < (m ? 1 : t->n); k++) {
		const struct term *tm = m ? m : &t->terms[k];
		for (size_t j = 0; j < tm->n; j++)
			if ((x = feeds_page_lastmod(b, tm->pages[j])) > newest)
				newest = x;
	}
	url = m ? xasprintf("/%s/%s/", t->name, m->slug) :
	    xasprintf("/%s/", t->name);
	if (!b->tax_urls)
		b->tax_urls = json_array();
	json_array_append_new(b->tax_urls, json_pack("[s, I]", url,
	    (json_int_t)newest));
	free(url);
}

/*
 * Output J recorded without a look-up: its key carried over and held,
 * the standby's record being the one the kept set's held keys are in
 * (b->held_ok; as render_pages.c's output_held, decision 0430).
 */
static bool
taxo_held(struct taxo_worker *w, struct taxo_job *j)
{
	if (!j->kept || !j->kept->held || !w->b->held_ok)
		return false;
	render_add_file(&w->files, j->path, j->kept->sha, j->kept->size,
	    MK_HTML, false, j->kept->key);
	memcpy(j->out.sha, j->kept->sha, sizeof(j->out.sha));
	j->out.size = j->kept->size;
	atomic_fetch_add(&w->b->held, 1);
	return true;
}

/* what output J was recorded with (the worker's last output) */
static void
taxo_note(struct taxo_worker *w, struct taxo_job *j)
{
	const struct outfile *f = &w->files.v[w->files.n - 1];

	memcpy(j->out.sha, f->sha, sizeof(j->out.sha));
	j->out.size = f->size;
}

/* render (or reuse) output J of the queue */
static int
taxo_output(struct taxo_worker *w, struct taxo_job *j)
{
	struct build *b = w->b;
	const char *tname = taxo_template(b, j->m != NULL);
	struct buf raw = BUF_INIT, out = BUF_INIT, *err = &w->err;
	char key[65], sha[65];
	struct render_ctx ctx;
	int rc;

	if (j->kept) {
		memcpy(key, j->kept->key, sizeof(key));
		atomic_fetch_add(&b->terms_carried, 1);
	} else
		taxo_key(b, j->t, j->m, tname, j->pg, j->npg, key);
	memcpy(j->out.key, key, sizeof(key));
	if (taxo_held(w, j))
		return 0;
	if ((rc = pages_reuse_output(b, &w->files, j->path, key, MK_HTML,
	    err)) != 0) {
		if (rc == 1)
			taxo_note(w, j);
		return rc == 1 ? 0 : -1;
	}
	taxo_context(b, w, j->t, j->m, j->pg, j->npg, &ctx);
	rc = tmpl_set_render_tv(b->set, tname, &ctx.v, &w->arena, &raw, err);
	/* its page summaries are other threads' too (model_summary_ref) */
	pthread_mutex_lock(&b->summary_mu);
	ctx_release(&ctx);
	pthread_mutex_unlock(&b->summary_mu);
	arena_reset(&w->arena);
	if (rc == 0) {
		assets_rewrite(b, raw.buf, raw.len, NULL, &out);
		if (b->staging) {
			buf_reset(&raw);
			render_noindex(out.buf, out.len, &raw);
			buf_reset(&out);
			buf_add(&out, raw.buf, raw.len);
		}
		sha256_hex(out.buf, out.len, sha);
		rc = render_put_output(b, j->path, out.buf, out.len, sha, err);
	}
	if (rc == 0) {
		render_add_file(&w->files, j->path, sha, (int64_t)out.len,
		    MK_HTML, false, key);
		taxo_note(w, j);
		w->rendered++;
	} else
		buf_printf(err, " (taxonomy page /%s)", j->path);
	buf_release(&raw);
	buf_release(&out);
	return rc;
}

static void
taxo_queue_add(struct taxo_queue *q, const struct taxo *t,
    const struct term *m, int pg, int npg, char *path)
{
	if (q->n == q->a) {
		q->a = q->a ? q->a * 2 : 64;
		q->v = xreallocarray(q->v, q->a, sizeof(*q->v));
	}
	q->v[q->n++] = (struct taxo_job){ t, m, pg, npg, path, NULL,
	    { "", "", 0, false } };
}

/* the outputs of term M of T, one per pagination page, queued */
static void
term_outputs(struct build *b, struct taxo_queue *q, const struct taxo *t,
    struct term *m)
{
	size_t ps = (size_t)b->c->build.page_size;
	int npg = (int)((m->n + ps - 1) / ps);
	char *path = xasprintf("%s/%s", t->name, m->slug);

	if (model_find(&b->snap, path) != SIZE_MAX) {
		free(path);
		return;		/* the site's own page has that URL */
	}
	taxo_sitemap(b, t, m);
	m->job = q->n + 1;
	for (int pg = 1; pg <= npg; pg++)
		taxo_queue_add(q, t, m, pg, npg, pg == 1 ?
		    xasprintf("%s/index.html", path) :
		    xasprintf("%s/page/%d/index.html", path, pg));
	free(path);
}

/* every term of T makes a file name: -1 with err naming a page if not */
static int
taxo_check(struct build *b, const struct taxo *t, struct buf *err)
{
	for (size_t k = 0; k < t->n; k++) {
		const struct term *m = &t->terms[k];
		if (strlen(m->slug) <= TERM_MAX)
			continue;
		buf_setf(err, "page '/%s': %s: the term '%.40s...' makes a URL "
		    "part of %zu bytes (at most %d): shorten it",
		    b->pages[m->pages[0]].sp->path, t->name, m->name,
		    strlen(m->slug), TERM_MAX);
		return -1;
	}
	return 0;
}

/* every output of taxonomy T (collected into Q's next taxo), queued */
static int
taxo_queue_outputs(struct build *b, struct taxo_queue *q, struct taxo *t,
    struct buf *err)
{
	t->terms_json = taxo_terms_json(t);	/* shared */
	if (taxo_check(b, t, err) == -1)
		return -1;
	if (t->n && model_find(&b->snap, t->name) == SIZE_MAX) {
		taxo_sitemap(b, t, NULL);
		taxo_queue_add(q, t, NULL, 0, 0, xasprintf("%s/index.html",
		    t->name));
	}
	for (size_t i = 0; i < t->n; i++)
		term_outputs(b, q, t, &t->terms[i]);
	return 0;
}

static void *
taxo_thread(void *arg)
{
	struct build *b = arg;
	struct taxo_queue *q = b->work;
	struct taxo_worker w = { .b = b };
	size_t i;

	w.site = json_deep_copy(b->site);
	w.colls = json_deep_copy(b->collections);
	buf_init(&w.err, 0);
	while (!b->failed && (i = atomic_fetch_add(&b->next, 1)) < q->n) {
		buf_reset(&w.err);
		if (taxo_output(&w, &q->v[i]) == -1)
			render_worker_failed(b, w.err.buf);
	}
	pthread_mutex_lock(&b->mu);
	b->res->rendered += w.rendered;
	pthread_mutex_unlock(&b->mu);
	render_merge_files(b, &w.files);
	pager_release(&w.pager);
	arena_release(&w.arena);
	json_decref(w.site);
	json_decref(w.colls);
	buf_release(&w.err);
	return NULL;
}

static void
taxo_queue_release(struct taxo_queue *q)
{
	for (size_t k = 0; k < q->ntaxos; k++)
		taxo_release(&q->taxos[k]);
	for (size_t k = 0; k < q->n; k++)
		free(q->v[k].path);
	free(q->taxos);
	free(q->v);
}

/* ---- term page keys carried over between builds (decision 0380) ---- */

/* one term's pages and output keys in the build that kept them */
struct kterm {
	char *slug, *name;
	size_t *pages;		/* entries of the kept set, listing order */
	size_t n;
	struct kout *outs;	/* pagination page K's (K - 1) */
	int npg;		/* 0: no outputs (a site page has its URL) */
};

/* one taxonomy's, its terms by slug, and what every term key shares */
struct ktaxo {
	char *name, *tname;
	char home[65];		/* the home page's summary hash */
	struct kterm *v;
	size_t n;
};

struct kept_taxos {
	struct ktaxo *v;
	size_t n;
};

void
kept_taxos_free(struct kept_taxos *kt)
{
	if (!kt)
		return;
	for (size_t k = 0; k < kt->n; k++) {
		struct ktaxo *o = &kt->v[k];
		for (size_t x = 0; x < o->n; x++) {
			free(o->v[x].slug);
			free(o->v[x].name);
			free(o->v[x].pages);
			free(o->v[x].outs);
		}
		free(o->v);
		free(o->name);
		free(o->tname);
	}
	free(kt->v);
	free(kt);
}

/*
 * Pagination page PG of term M shows pages with the summary hashes of
 * those kept term OM showed there: with the same name and count (and
 * the global inputs and home page, taxo_carry), the same key material.
 */
static bool
term_slice_same(const struct build *b, const struct term *m,
    const struct kterm *om, int pg)
{
	size_t ps = (size_t)b->c->build.page_size;

	for (size_t k = (size_t)(pg - 1) * ps; k < m->n && k < (size_t)pg * ps;
	    k++)
		if (!kept_same_sum(b, m->pages[k], om->pages[k]))
			return false;
	return true;
}

/*
 * The outputs of T's terms (queued in Q) whose key material is the one
 * the last build kept take its keys: the terms are merged by slug, and
 * only a page of a term whose pages, name or count changed is keyed
 * anew.  /T/ itself (every term's count) is always keyed.
 */
static void
taxo_carry(struct build *b, struct taxo_queue *q, const struct taxo *t)
{
	const struct kept_taxos *kt = kept_taxos_of(b);
	const struct ktaxo *o = NULL;
	size_t j = 0;

	for (size_t k = 0; kt && k < kt->n && !o; k++)
		if (!strcmp(kt->v[k].name, t->name))
			o = &kt->v[k];
	if (!o || strcmp(o->tname, taxo_template(b, true)) != 0 ||
	    memcmp(o->home, b->pages[t->home].sumhash, 64) != 0)
		return;
	for (size_t k = 0; k < t->n; k++) {
		const struct term *m = &t->terms[k];
		const struct kterm *om;
		while (j < o->n && strcmp(o->v[j].slug, m->slug) < 0)
			j++;
		if (j == o->n || !m->job || strcmp(o->v[j].slug, m->slug))
			continue;
		om = &o->v[j];
		if (om->n != m->n || om->npg != q->v[m->job - 1].npg ||
		    strcmp(om->name, m->name) != 0)
			continue;
		for (int pg = 1; pg <= om->npg; pg++)
			if (term_slice_same(b, m, om, pg))
				q->v[m->job - 1 + (size_t)pg - 1].kept =
				    &om->outs[pg - 1];
	}
}

/* term M's pages and output keys (made in Q) for the next build, in OM */
static void
term_keep(const struct taxo_queue *q, const struct term *m,
    struct kterm *om)
{
	om->slug = xstrdup(m->slug);
	om->name = xstrdup(m->name);
	om->n = m->n;
	om->pages = xreallocarray(NULL, m->n + 1, sizeof(*om->pages));
	memcpy(om->pages, m->pages, m->n * sizeof(*om->pages));
	if (!m->job)
		return;
	om->npg = q->v[m->job - 1].npg;
	om->outs = xcalloc((size_t)om->npg, sizeof(*om->outs));
	for (int pg = 1; pg <= om->npg; pg++) {
		const struct taxo_job *j = &q->v[m->job - 1 + (size_t)pg - 1];
		om->outs[pg - 1] = j->out;
		/* carried: this build's key was the last build's (0430) */
		om->outs[pg - 1].held = j->kept != NULL;
	}
}

/* the term page keys of Q's outputs, kept for the next build (b->remember) */
static void
taxo_keep(struct build *b, const struct taxo_queue *q)
{
	struct kept_taxos *kt;

	if (!b->kept_at)
		return;		/* a process that keeps nothing */
	kt = xcalloc(1, sizeof(*kt));
	kt->v = xcalloc(q->ntaxos + 1, sizeof(*kt->v));
	kt->n = q->ntaxos;
	for (size_t k = 0; k < q->ntaxos; k++) {
		const struct taxo *t = &q->taxos[k];
		struct ktaxo *o = &kt->v[k];
		o->name = xstrdup(t->name);
		o->tname = xstrdup(taxo_template(b, true));
		memcpy(o->home, b->pages[t->home].sumhash, sizeof(o->home));
		o->v = xcalloc(t->n + 1, sizeof(*o->v));
		o->n = t->n;
		for (size_t x = 0; x < t->n; x++)
			term_keep(q, &t->terms[x], &o->v[x]);
	}
	kept_taxos_free(b->taxo_keys);
	b->taxo_keys = kt;
}

int
taxonomies_write(struct build *b, struct buf *err)
{
	struct taxo_queue q = { 0 };
	int rc = 0;

	q.taxos = xcalloc(b->c->ntaxonomies + 1, sizeof(*q.taxos));
	for (size_t k = 0; k < b->c->ntaxonomies && rc == 0; k++) {
		taxo_collect(b, &q.taxos[k], k);
		q.ntaxos = k + 1;
		rc = taxo_queue_outputs(b, &q, &q.taxos[k], err);
		if (rc == 0)
			taxo_carry(b, &q, &q.taxos[k]);
	}
	if (rc == 0 && q.n) {
		b->work = &q;
		render_run_threads(b, taxo_thread);
		b->work = NULL;
		if (b->failed) {
			buf_setf(err, "%s", b->err.buf);
			rc = -1;
		}
	}
	if (rc == 0)
		taxo_keep(b, &q);
	taxo_queue_release(&q);
	return rc;
}
