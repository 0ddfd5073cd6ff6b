/* SPDX-License-Identifier: ISC */
/*
 * preview.c: one output of the site with a page's draft in it, rendered
 * in memory (render.h, render_preview; decision record 0130).
 *
 * A preview is a build that writes nothing.  It reads its own snapshot
 * of the live site (a read transaction: a build or a writer running
 * meanwhile is neither blocked nor seen half-done), puts the page's
 * latest revision in place of its live one (snapshot_put_draft, with
 * the unsaved form's fields on top), and then runs the stages of a
 * build up to the model (templates, assets, tree, summaries,
 * collections, site) so that listings, the home page, collections and
 * feeds see the draft exactly as a publish would.  Of the outputs only
 * the one asked for is rendered: struct build's `preview` mode drops
 * every write (render_put_output) and keeps the wanted one.  No output
 * slot is opened, so the worker's output lock and both slots are left
 * alone.
 *
 * What comes out is then made to stay inside the preview: site links
 * point back into it (PREFIX), and HTML gets a banner saying it is not
 * published.  The banner is inline and styled by one <style> element
 * whose hash the HTTP layer puts in its Content-Security-Policy.
 */
#include "common/compat.h"

#include <strings.h>

#include <jansson.h>

#include "common/buf.h"
#include "common/manifest.h"
#include "common/path.h"
#include "common/timeutil.h"
#include "common/xmalloc.h"
#include "conf/conf.h"
#include "render/render_int.h"
#include "render/tmpl.h"
#include "store/store.h"

const char preview_banner_css[] =
    ".kiln-preview-banner{position:sticky;top:0;z-index:2147483647;"
    "margin:0;padding:.5em 1em;background:#5c1f00;color:#fff;"
    "font:bold 1rem/1.4 system-ui,sans-serif;text-align:center}";

static const char banner_html[] =
    "<div class=\"kiln-preview-banner\" role=\"status\">"
    "Preview \xe2\x80\x94 not published</div>";

/* PATH (a site URL without its fragment) URL-encoded into out */
static void
encode_path(struct buf *out, const char *s, size_t n)
{
	static const char hex[] = "0123456789ABCDEF";

	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		    (c >= '0' && c <= '9') || strchr("-._~/", c))
			buf_addch(out, (char)c);
		else
			buf_printf(out, "%%%c%c", hex[c >> 4], hex[c & 15]);
	}
}

/*
 * The site URL a link value V[0..N) names ("/news/"), as an offset into
 * V (*skip: the base URL's length) and whether it is one.
 */
static bool
site_link(const char *v, size_t n, const char *base, size_t *skip)
{
	size_t bl = base ? strlen(base) : 0;

	*skip = 0;
	if (bl && n >= bl && !strncmp(v, base, bl) && (n == bl ||
	    v[bl] == '/')) {
		*skip = bl;
		return true;
	}
	return n >= 1 && v[0] == '/' && (n == 1 || v[1] != '/');
}

/* the link V[0..N) into the preview at PREFIX */
static void
put_link(struct buf *out, const char *v, size_t n, size_t skip,
    const char *prefix, bool query)
{
	const char *frag;
	size_t pn;

	v += skip;
	n -= skip;
	frag = memchr(v, '#', n);
	pn = frag ? (size_t)(frag - v) : n;
	buf_adds(out, prefix);
	if (query) {
		if (pn == 0)
			buf_addch(out, '/');
		encode_path(out, v, pn);
	} else {
		if (pn == 0)
			buf_addch(out, '/');
		buf_add(out, v, pn);
	}
	if (frag)
		buf_add(out, frag, n - pn);
}

void
preview_rewrite(const char *in, size_t len, const char *base_url,
    const char *prefix, bool query, bool banner, struct buf *out)
{
	static const char *const attrs[] = { "href=", "src=", "action=",
	    "url(" };
	size_t i = 0, start = 0;
	bool bannered = !banner;

	if (banner) {
		/* after <body ...>, or first when the page has none */
		const char *body = NULL;
		for (size_t k = 0; k + 5 <= len; k++)
			if (in[k] == '<' && !strncasecmp(in + k + 1, "body",
			    4) && (k + 5 == len || strchr(" \t\n\r>",
			    in[k + 5]))) {
				body = in + k;
				break;
			}
		if (!body) {
			buf_printf(out, "<style>%s</style>%s", preview_banner_css,
			    banner_html);
			bannered = true;
		}
	}
	while (i < len) {
		size_t a, al = 0, s, e;
		char q;

		if (!bannered && in[i] == '<' && i + 5 <= len &&
		    !strncasecmp(in + i + 1, "body", 4)) {
			const char *gt = memchr(in + i, '>', len - i);
			if (gt) {
				size_t at = (size_t)(gt - in) + 1;
				buf_add(out, in + start, at - start);
				buf_printf(out, "<style>%s</style>%s",
				    preview_banner_css, banner_html);
				start = i = at;
				bannered = true;
				continue;
			}
		}
		for (a = 0; a < NELEM(attrs); a++) {
			al = strlen(attrs[a]);
			if (i + al <= len && !memcmp(in + i, attrs[a], al) &&
			    (a == 3 || (i > 0 && strchr(" \t\n\r", in[i - 1]))))
				break;
		}
		if (a == NELEM(attrs)) {
			i++;
			continue;
		}
		s = i + al;
		q = s < len && (in[s] == '"' || in[s] == '\'') ? in[s] : 0;
		if (q)
			s++;
		else if (a != 3) {
			i = s;
			continue;
		}
		e = s;
		while (e < len && (q ? in[e] != q : !strchr(") \t\n\r", in[e])))
			e++;
		{
			size_t skip;
			if (e < len && site_link(in + s, e - s, base_url,
			    &skip)) {
				buf_add(out, in + start, s - start);
				put_link(out, in + s, e - s, skip, prefix,
				    query);
				start = e;
			}
		}
		i = e;
	}
	buf_add(out, in + start, len - start);
}

/* site URL "/news/" -> output "news/index.html" (the caller frees) */
static char *
output_of(const char *url, struct buf *err)
{
	struct buf clean = BUF_INIT, why = BUF_INIT;
	size_t n = strlen(url);
	char *out;

	if (url[0] != '/') {
		buf_setf(err, "path: '%s' is not a site URL (it starts with /)",
		    url);
		return NULL;
	}
	if (!strcmp(url, "/"))
		return xstrdup("index.html");
	if (path_clean_rel(url, &clean, &why) == -1) {
		buf_setf(err, "path: %s", why.buf);
		buf_release(&clean);
		buf_release(&why);
		return NULL;
	}
	buf_release(&why);
	out = url[n - 1] == '/' ? xasprintf("%s/index.html", clean.buf) :
	    xstrdup(clean.buf);
	buf_release(&clean);
	return out;
}

/* the stages of a build up to the model, then output WANT */
static int
preview_stages(struct build *b, struct buf *err)
{
	int rc;

	b->loader.dir = b->tmpl_dir;
	b->set = tmpl_set_new(templates_loader, &b->loader);
	if (templates_load(b->tmpl_dir, b->set, b->tmpl_hash, err) == -1 ||
	    assets_build(b, err) == -1)
		return -1;
	if (b->captured || b->got_file)
		return 0;	/* a static file or media */
	model_build(b);
	model_collections(b);
	model_site(b);
	pages_global_hash(b);
	templates_defaults(b);
	if ((rc = pages_render_only(b, b->want, err)) != 1)
		return rc;
	/* taxonomy listings, sitemap, robots.txt, feeds, 404, aliases */
	if (taxonomies_write(b, err) == -1 || feeds_write(b, err) == -1)
		return -1;
	return aliases_write(b, err);
}

int
render_preview(const struct conf *c, struct store *st,
    const struct preview_opts *o, struct preview_result *r, struct buf *err)
{
	struct render_opts ro = { .full = true };
	struct render_result res;
	struct build b;
	struct buf raw = BUF_INIT;
	char *media_dir = conf_path(c, ".kiln/media"), *want = NULL;
	int64_t t0 = mono_ms();
	size_t i;
	int rc = -1;

	r->status = 500;
	build_init(&b, c, &ro, &res);
	b.preview = true;
	b.got = &raw;
	if (c->build.command) {
		r->status = 409;
		buf_setf(err, "preview needs kiln's own renderer: this site "
		    "is built by build.command");
		goto out;
	}
	store_err_clear(st);
	if (store_snapshot(st, media_dir, &b.snap, err) == -1)
		goto out;
	if (snapshot_put_draft(&b.snap, o->page_id, o->over, err) == -1) {
		r->status = store_err_kind(st) == ERR_NOT_FOUND ? 404 : 400;
		goto out;
	}
	for (i = 0; i < b.snap.npages; i++)
		if (b.snap.pages[i].id == o->page_id)
			break;
	r->page_url = b.snap.pages[i].path[0] ? xasprintf("/%s/",
	    b.snap.pages[i].path) : xstrdup("/");
	if (!(want = output_of(o->url ? o->url : r->page_url, err))) {
		r->status = 400;
		goto out;
	}
	b.want = want;
	if (preview_stages(&b, err) == -1)
		goto out;
	r->type = mime_type_for(want);
	if (b.got_file) {
		r->file = b.got_file;
		b.got_file = NULL;
	} else if (!b.captured) {
		r->status = 404;
		buf_setf(err, "the preview has no output at %s", o->url ?
		    o->url : r->page_url);
		goto out;
	} else if (!strncmp(r->type, "text/html", 9))
		preview_rewrite(raw.buf, raw.len, c->site.base_url,
		    o->link_prefix, o->link_query, true, r->body);
	else if (!strncmp(r->type, "text/css", 8) ||
	    !strncmp(r->type, "application/atom", 16) ||
	    !strncmp(r->type, "application/xml", 15))
		preview_rewrite(raw.buf, raw.len, c->site.base_url,
		    o->link_prefix, o->link_query, false, r->body);
	else
		buf_add(r->body, raw.buf, raw.len);
	r->status = 200;
	rc = 0;
out:
	r->ms = mono_ms() - t0;
	build_release(&b);
	buf_release(&raw);
	free(media_dir);
	free(want);
	return rc;
}

void
preview_result_release(struct preview_result *r)
{
	free(r->file);
	free(r->page_url);
	r->file = r->page_url = NULL;
}
