/* SPDX-License-Identifier: ISC */
/*
 * render_feeds.c: the whole-site outputs of a build (render_int.h):
 * sitemap.xml (every page, with its lastmod: feeds_page_lastmod, then
 * the taxonomy listings; past SITEMAP_URLS, the index of sitemap-N.xml
 * files of that many URLs each, as sitemaps.org requires), robots.txt
 * (naming the sitemap), an Atom feed feeds/NAME.xml for every collection
 * with feed: true, and 404.html (the site's 404 template, else a plain
 * page).  They are written after the pages, from the model alone.
 */
#include "common/compat.h"

#include "common/buf.h"
#include "common/testhook.h"
#include "common/timeutil.h"
#include "common/utf8.h"
#include "common/xmalloc.h"
#include "conf/conf.h"
#include "render/render_int.h"
#include "render/tmpl.h"

#define SITEMAP_URLS	50000	/* per file, at most (sitemaps.org) */

/*
 * Text for XML 1.0, which cannot hold most control characters at all: the
 * store refuses them in titles and bodies (page_text_check), and text
 * stored before that rule gets U+FFFD here, so a feed stays well-formed.
 */
void
feeds_xml_escape(struct buf *out, const char *s)
{
	size_t len = strlen(s), i = 0, start = 0, n;
	uint32_t cp;

	while (i < len) {
		n = utf8_decode(s + i, len - i, &cp);
		if (n && (cp >= 0x20 || cp == '\t' || cp == '\n' ||
		    cp == '\r') && cp != 0xfffe && cp != 0xffff) {
			i += n;
			continue;
		}
		buf_add_html(out, s + start, i - start);
		buf_adds(out, "\xef\xbf\xbd");
		i += n ? n : 1;
		start = i;
	}
	buf_add_html(out, s + start, i - start);
}

/*
 * When page I last changed, for the sitemap: its front matter's lastmod
 * (Hugo's, kept in params) when that is an ISO 8601 date, else its last
 * publication, else its date; 0 for none.
 */
int64_t
feeds_lastmod_of(struct build *b, size_t i)
{
	const struct snap_page *sp = b->pages[i].sp;
	const char *s = NULL;
	int64_t t;

	/* most pages have no extra fields: no need to parse them */
	if (strcmp(sp->extra_json, "{}") != 0)
		s = json_string_value(json_object_get(snapshot_extra(&b->snap,
		    i), "lastmod"));

	if (s && time_parse_iso8601(s, &t) == 0 && t > 0)
		return t;
	return sp->last_published_at ? sp->last_published_at : sp->date;
}

int64_t
feeds_page_lastmod(struct build *b, size_t i)
{
	return b->pages[i].lastmod;	/* made once, by make_summary */
}

/*
 * S for XML as feeds_xml_escape writes it, copied as it is when it needs
 * no escaping (printable ASCII without &<>"'): a sitemap has a URL path
 * per page, and the decoding of each was most of its time.
 */
static void
xml_text(struct buf *out, const char *s)
{
	const unsigned char *p = (const unsigned char *)s;

	for (; *p; p++)
		if (*p < 0x20 || *p >= 0x7f || *p == '&' || *p == '<' ||
		    *p == '>' || *p == '"' || *p == '\'')
			break;
	if (*p)
		feeds_xml_escape(out, s);
	else
		buf_add(out, s, (size_t)(p - (const unsigned char *)s));
}

/*
 * one <url> of a sitemap: the site's URL path URL, changed at T (0:
 * unknown); BASE: the site's base URL, escaped
 */
static void
sitemap_url(struct buf *x, const struct buf *base, const char *url,
    int64_t t)
{
	char ymd[16];

	buf_adds(x, "<url><loc>");
	buf_add(x, base->buf, base->len);
	xml_text(x, url);
	buf_adds(x, "</loc>");
	if (t != 0) {
		time_format_ymd(t, ymd);
		buf_adds(x, "<lastmod>");
		buf_adds(x, ymd);
		buf_adds(x, "</lastmod>");
	}
	buf_adds(x, "</url>\n");
}

/*
 * URLs FROM to TO of the sitemap into x: every page, then the taxonomy
 * listings, each as new as its newest page.
 */
static void
sitemap(struct build *b, size_t from, size_t to, struct buf *x)
{
	struct buf base = BUF_INIT;

	feeds_xml_escape(&base, b->c->site.base_url);
	buf_grow(x, (to - from) * (base.len + 80));
	buf_adds(x, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<urlset "
	    "xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">\n");
	for (size_t k = from; k < to; k++) {
		json_t *u;
		if (k < b->npages) {
			sitemap_url(x, &base, b->pages[k].url,
			    feeds_page_lastmod(b, k));
			continue;
		}
		u = json_array_get(b->tax_urls, k - b->npages);
		sitemap_url(x, &base, json_string_value(json_array_get(u, 0)),
		    json_integer_value(json_array_get(u, 1)));
	}
	buf_adds(x, "</urlset>\n");
	buf_release(&base);
}

/* at most this many URLs in one sitemap file (sitemaps.org) */
static size_t
sitemap_max(void)
{
	const char *s = testhook(TESTHOOK_SITEMAP_URLS);
	long n = s ? strtol(s, NULL, 10) : 0;

	return n > 0 ? (size_t)n : SITEMAP_URLS;
}

/*
 * sitemap.xml; a site with more URLs than one file may hold gets
 * sitemap-1.xml, sitemap-2.xml... and sitemap.xml is their index.
 */
static int
sitemaps_write(struct build *b, struct buf *err)
{
	size_t total = b->npages + json_array_size(b->tax_urls);
	size_t max = sitemap_max(), nfiles = (total + max - 1) / max;
	struct buf x = BUF_INIT, index = BUF_INIT;
	int rc = 0;

	if (nfiles <= 1) {
		sitemap(b, 0, total, &x);
		rc = render_emit(b, "sitemap.xml", x.buf, x.len, MK_FEED,
		    false, err);
		buf_release(&x);
		return rc;
	}
	buf_adds(&index, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
	    "<sitemapindex xmlns=\"http://www.sitemaps.org/schemas/sitemap/"
	    "0.9\">\n");
	for (size_t f = 0; f < nfiles && rc == 0; f++) {
		char *name = xasprintf("sitemap-%zu.xml", f + 1);
		buf_reset(&x);
		sitemap(b, f * max, f + 1 == nfiles ? total : (f + 1) * max,
		    &x);
		rc = render_emit(b, name, x.buf, x.len, MK_FEED, false, err);
		buf_adds(&index, "<sitemap><loc>");
		feeds_xml_escape(&index, b->c->site.base_url);
		buf_printf(&index, "/%s</loc></sitemap>\n", name);
		free(name);
	}
	buf_adds(&index, "</sitemapindex>\n");
	if (rc == 0)
		rc = render_emit(b, "sitemap.xml", index.buf, index.len,
		    MK_FEED, false, err);
	buf_release(&x);
	buf_release(&index);
	return rc;
}

/* the Atom feed of collection CC into x */
static void
feed(struct build *b, const struct conf_collection *cc, struct buf *x)
{
	json_t *items = json_object_get(b->collections, cc->name), *it;
	const char *base = b->c->site.base_url;
	int64_t updated = 0;
	char iso[32];
	size_t i;

	json_array_foreach(items, i, it) {
		size_t pi = model_find(&b->snap, json_string_value(
		    json_object_get(it, "path")));
		if (pi != SIZE_MAX && b->pages[pi].sp->last_published_at >
		    updated)
			updated = b->pages[pi].sp->last_published_at;
	}
	time_format_iso8601(updated, iso, sizeof(iso));
	buf_adds(x, "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n"
	    "<feed xmlns=\"http://www.w3.org/2005/Atom\">\n<title>");
	feeds_xml_escape(x, b->c->site.title);
	buf_adds(x, " – ");
	feeds_xml_escape(x, cc->name);
	buf_printf(x, "</title>\n<id>%s/feeds/%s.xml</id>\n<link "
	    "rel=\"self\" href=\"%s/feeds/%s.xml\"/>\n<link href=\"%s/\""
	    "/>\n<updated>%s</updated>\n", base, cc->name, base, cc->name,
	    base, iso);
	json_array_foreach(items, i, it) {
		size_t pi = model_find(&b->snap, json_string_value(
		    json_object_get(it, "path")));
		const struct snap_page *sp;
		if (pi == SIZE_MAX)
			continue;
		sp = b->pages[pi].sp;
		time_format_iso8601(sp->last_published_at ?
		    sp->last_published_at : sp->date, iso, sizeof(iso));
		buf_adds(x, "<entry>\n<title>");
		feeds_xml_escape(x, sp->title);
		buf_printf(x, "</title>\n<link href=\"%s%s\"/>\n<id>"
		    "%s%s</id>\n<updated>%s</updated>\n<summary>", base,
		    b->pages[pi].url, base, b->pages[pi].url, iso);
		feeds_xml_escape(x, json_string_value(json_object_get(it,
		    "summary")));
		buf_adds(x, "</summary>\n</entry>\n");
	}
	buf_adds(x, "</feed>\n");
}

/* 404.html into x: the site's template if it has one */
static int
page_404(struct build *b, struct buf *x, struct buf *err)
{
	json_t *ctx;
	struct buf raw = BUF_INIT;
	int rc;

	if (!tmpl_set_get(b->set, "404", err)) {
		buf_reset(err);
		buf_adds(x, "<!doctype html>\n");
		if (b->staging)
			buf_adds(x, "<meta name=\"robots\" content=\"noindex\">\n");
		buf_adds(x, "<title>Page not found</title>\n"
		    "<h1>Page not found</h1>\n");
		return 0;
	}
	ctx = json_pack("{s:O, s:O, s:{s:s, s:s}}", "site", b->site,
	    "collections", b->collections, "page", "title", "Page not found",
	    "url", "/404.html");
	rc = tmpl_set_render(b->set, "404", ctx, &raw, err);
	json_decref(ctx);
	if (rc == 0 && b->staging) {
		struct buf rw = BUF_INIT;
		assets_rewrite(b, raw.buf, raw.len, NULL, &rw);
		render_noindex(rw.buf, rw.len, x);
		buf_release(&rw);
	} else if (rc == 0)
		assets_rewrite(b, raw.buf, raw.len, NULL, x);
	buf_release(&raw);
	return rc;
}

int
feeds_write(struct build *b, struct buf *err)
{
	struct buf x = BUF_INIT;
	int rc = -1;

	if (sitemaps_write(b, err) == -1)
		goto out;
	/* a staging site is not for search engines: nothing advertised */
	if (b->staging)
		buf_adds(&x, "User-agent: *\nDisallow: /\n");
	else
		buf_printf(&x, "User-agent: *\nAllow: /\n\nSitemap: "
		    "%s/sitemap.xml\n", b->c->site.base_url);
	if (render_emit(b, "robots.txt", x.buf, x.len, MK_FEED, false,
	    err) == -1)
		goto out;
	for (size_t k = 0; k < b->c->ncollections; k++) {
		const struct conf_collection *cc = &b->c->collections[k];
		char *path;
		if (!cc->feed)
			continue;
		buf_reset(&x);
		feed(b, cc, &x);
		path = xasprintf("feeds/%s.xml", cc->name);
		rc = render_emit(b, path, x.buf, x.len, MK_FEED, false, err);
		free(path);
		if (rc == -1)
			goto out;
		rc = -1;
	}
	buf_reset(&x);
	if (page_404(b, &x, err) == -1)
		goto out;
	rc = render_emit(b, "404.html", x.buf, x.len, MK_HTML, false, err);
out:
	buf_release(&x);
	return rc;
}
