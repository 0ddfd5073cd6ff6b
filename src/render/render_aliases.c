/* SPDX-License-Identifier: ISC */
/*
 * render_aliases.c: redirect pages at the old URLs of a page
 * (render_int.h).
 *
 * A page's front matter `aliases` (Hugo's, kept by kiln import as
 * params.aliases: a list of URL paths, or one string) gives at each old
 * URL a small HTML page: a meta refresh to the page, its canonical link,
 * a plain link, and noindex; its manifest entry names the page's URL as
 * its redirect, which an S3 target sends as the object's
 * x-amz-website-redirect-location header.  An alias without a leading
 * "/" is relative to the page's folder, as in Hugo; "old/x" gives
 * old/x/index.html, "old/x.html" gives that file.  An alias that climbs
 * out of the site (".."), holds characters a URL path cannot, or lands
 * on another output of the build (a page, a listing page, another
 * page's alias) fails the build naming the page and the alias.
 */
#include "common/compat.h"

#include "common/buf.h"
#include "common/xmalloc.h"
#include "conf/conf.h"
#include "render/render_int.h"

#define ALIAS_MAX	1024

static int
cmp_str(const void *x, const void *y)
{
	return strcmp(*(char *const *)x, *(char *const *)y);
}

static bool
ends_with(const char *s, size_t len, const char *tail)
{
	size_t n = strlen(tail);

	return len >= n && !strcmp(s + len - n, tail);
}

int
aliases_output(const char *page, const char *a, struct buf *out,
    struct buf *err)
{
	struct buf full = BUF_INIT;
	const char *s, *slash;
	size_t len;
	int rc = 0;

	if (!*a || strlen(a) > ALIAS_MAX || strpbrk(a, " \"<>\\?#%'") ||
	    a[strcspn(a, "\x01\x02\x03\x04\x05\x06\x07\x08\x09\x0a\x0b"
	    "\x0c\x0d\x0e\x0f\x10\x11\x12\x13\x14\x15\x16\x17\x18\x19\x1a"
	    "\x1b\x1c\x1d\x1e\x1f\x7f")]) {
		buf_setf(err, "is not a URL path: give it as /old/path/ "
		    "(no spaces, quotes, ?, # or %%)");
		return -1;
	}
	/* relative: from the folder of the page's path */
	if (a[0] != '/' && (slash = strrchr(page, '/')) != NULL)
		buf_add(&full, page, (size_t)(slash - page));
	buf_printf(&full, "/%s", a);
	buf_reset(out);
	for (s = full.buf; *s && rc == 0; s += len) {
		s += strspn(s, "/");
		len = strcspn(s, "/");
		if (len == 0 || (len == 1 && s[0] == '.'))
			continue;
		if (s[0] == '.') {
			buf_setf(err, len == 2 && s[1] == '.' ? "climbs out "
			    "of the site ('..')" : "has a part starting with "
			    "'.'");
			rc = -1;
		} else
			buf_printf(out, "%s%.*s", out->len ? "/" : "",
			    (int)len, s);
	}
	buf_release(&full);
	if (rc == 0 && !ends_with(out->buf, out->len, ".html") &&
	    !ends_with(out->buf, out->len, ".htm"))
		buf_adds(out, out->len ? "/index.html" : "index.html");
	return rc;
}

/* the redirect page to page P into out */
static void
alias_page(struct build *b, const struct rpage *p, struct buf *out)
{
	buf_reset(out);
	buf_printf(out, "<!doctype html>\n<html lang=\"");
	buf_add_html(out, b->c->site.language, strlen(b->c->site.language));
	buf_adds(out, "\">\n<head>\n<meta charset=\"utf-8\">\n<title>");
	buf_add_html(out, p->sp->title, strlen(p->sp->title));
	buf_adds(out, "</title>\n<link rel=\"canonical\" href=\"");
	buf_add_html(out, b->c->site.base_url, strlen(b->c->site.base_url));
	buf_add_html(out, p->url, strlen(p->url));
	buf_adds(out, "\">\n<meta name=\"robots\" content=\"noindex\">\n"
	    "<meta http-equiv=\"refresh\" content=\"0; url=");
	buf_add_html(out, p->url, strlen(p->url));
	buf_adds(out, "\">\n</head>\n<body>\n<main>\n<p>This page has moved "
	    "to <a href=\"");
	buf_add_html(out, p->url, strlen(p->url));
	buf_adds(out, "\">");
	buf_add_html(out, p->sp->title, strlen(p->sp->title));
	buf_adds(out, "</a>.</p>\n</main>\n</body>\n</html>\n");
}

/*
 * what the build has written before its aliases, sorted, to look paths
 * up in: made for the first alias (most sites have none, and the sort of
 * every output was a fiftieth of a worker's edit build)
 */
struct taken {
	char **v;
	size_t n;
	bool made;
	json_t *alias;		/* output of an alias -> index of its page */
};

static void
taken_init(struct taken *t)
{
	memset(t, 0, sizeof(*t));
	t->alias = json_object();
}

/* the outputs before the first alias's (none is written before it) */
static void
taken_make(struct build *b, struct taken *t)
{
	t->v = xcalloc(b->files.n + 1, sizeof(*t->v));
	for (size_t k = 0; k < b->files.n; k++)
		t->v[t->n++] = b->files.v[k].path;
	qsort(t->v, t->n, sizeof(*t->v), cmp_str);
	t->made = true;
}

static void
taken_release(struct taken *t)
{
	json_decref(t->alias);
	free(t->v);
}

/*
 * Whether output PATH of an alias of page I is new (1), already made by
 * the same page (0), or taken by something else (-1 with err).
 */
static int
taken_claim(struct build *b, struct taken *t, size_t i, const char *path,
    struct buf *err)
{
	const char *pp = path;
	json_t *o;

	if (!t->made)
		taken_make(b, t);
	if (bsearch(&pp, t->v, t->n, sizeof(*t->v), cmp_str)) {
		buf_setf(err, "lands on %s, which the site already has", path);
		return -1;
	}
	if ((o = json_object_get(t->alias, path)) != NULL) {
		size_t k = (size_t)json_integer_value(o);
		if (k == i)
			return 0;
		buf_setf(err, "lands on %s, an alias of page '/%s' too", path,
		    b->pages[k].sp->path);
		return -1;
	}
	json_object_set_new(t->alias, path, json_integer((json_int_t)i));
	return 1;
}

/* the redirect pages of page I */
static int
page_aliases(struct build *b, struct taken *t, size_t i, struct buf *path,
    struct buf *html, struct buf *err)
{
	const struct rpage *p = &b->pages[i];
	json_t *list = json_object_get(snapshot_extra(&b->snap, i),
	    "aliases"), *v;
	struct buf why = BUF_INIT;
	size_t k;
	int rc = 0;

	if (!list)
		return 0;
	if (json_is_string(list) || !json_is_array(list)) {
		json_t *one = json_is_string(list) ? list : NULL;
		if (!one) {
			buf_setf(err, "page '/%s': aliases: expected a list of "
			    "URL paths", p->sp->path);
			return -1;
		}
		list = json_pack("[O]", one);
	} else
		json_incref(list);
	json_array_foreach(list, k, v) {
		const char *a = json_string_value(v);
		int c = 0;
		if (!a) {
			buf_setf(&why, "is not a string");
			rc = -1;
		} else if ((rc = aliases_output(p->sp->path, a, path,
		    &why)) == 0 && strcmp(path->buf, p->out) != 0 &&
		    (c = taken_claim(b, t, i, path->buf, &why)) != 0) {
			rc = c == -1 ? -1 : 0;
			if (c == 1) {
				alias_page(b, p, html);
				rc = render_emit_redirect(b, path->buf,
				    html->buf, html->len, p->url, err);
			}
		}
		if (rc == -1) {
			char *shown = a ? NULL : json_dumps(v,
			    JSON_ENCODE_ANY | JSON_COMPACT);
			if (why.len)
				buf_setf(err, "page '/%s': alias '%s' %s: "
				    "fix its aliases", p->sp->path, a ? a :
				    shown ? shown : "?", why.buf);
			free(shown);
			break;
		}
	}
	json_decref(list);
	buf_release(&why);
	return rc;
}

int
aliases_write(struct build *b, struct buf *err)
{
	struct taken t;
	struct buf path = BUF_INIT, html = BUF_INIT;
	int rc = 0;

	taken_init(&t);
	for (size_t i = 0; i < b->npages && rc == 0; i++)
		rc = page_aliases(b, &t, i, &path, &html, err);
	taken_release(&t);
	buf_release(&path);
	buf_release(&html);
	return rc;
}
