/* SPDX-License-Identifier: ISC */
/*
 * test_render_int.c: the renderer's stages on their own (render_int.h):
 * hashed asset names, relative URL folding and reference rewriting
 * (render_assets.c), XML text (render_feeds.c), the page tree with its
 * child order and the collections with their sort, filter and limit
 * (render_model.c, sorted with qsort_r), alias output paths
 * (render_aliases.c) and term urlizing (render_taxonomy.c).  The model
 * is built from a snapshot made in memory, without a store.
 */
#include "test.h"

#include "common/buf.h"
#include "common/timeutil.h"
#include "conf/conf.h"
#include "render/render_int.h"

#define SHA	"3fa9c1e2d4b5a6978877665544332211" \
		"00ffeeddccbbaa998877665544332211"

/* assets_hashed_name of REL with SHA */
static const char *
hashed(const char *rel)
{
	static char res[256];
	char *s = assets_hashed_name(rel, SHA);

	strlcpy(res, s, sizeof(res));
	free(s);
	return res;
}

TEST(render_assets, hashed_name)
{
	CHECK_STR_EQ(hashed("css/site.css"), "css/site.3fa9c1e2.css");
	CHECK_STR_EQ(hashed("LICENSE"), "LICENSE.3fa9c1e2");
	/* a dot file has no extension, nor has a dotted folder's file */
	CHECK_STR_EQ(hashed("img/.htaccess"), "img/.htaccess.3fa9c1e2");
	CHECK_STR_EQ(hashed("v1.2/readme"), "v1.2/readme.3fa9c1e2");
}

static const char *
resolved(const char *base, const char *ref)
{
	static char res[256];
	struct buf out = BUF_INIT;
	int rc = assets_resolve_rel(base, ref, strlen(ref), &out);

	strlcpy(res, rc == -1 ? "-1" : out.buf, sizeof(res));
	buf_release(&out);
	return res;
}

TEST(render_assets, resolve_rel)
{
	CHECK_STR_EQ(resolved("css", "../img/x.png"), "/img/x.png");
	CHECK_STR_EQ(resolved("css/theme", "./a/./b.png"),
	    "/css/theme/a/b.png");
	CHECK_STR_EQ(resolved("", "font.woff"), "/font.woff");
	CHECK_STR_EQ(resolved("css", "../../x.png"), "-1");
}

TEST(render_assets, rewrite_refs)
{
	static char f1[] = "/css/site.css", t1[] = "/css/site.11111111.css";
	static char f2[] = "/img/x.png", t2[] = "/img/x.22222222.png";
	struct asset a[] = { { f1, t1 }, { f2, t2 } };	/* sorted by from */
	struct build b;
	struct buf out = BUF_INIT;
	const char *html = "<link href=\"/css/site.css?v=2\">"
	    "<img src='/img/x.png'><a href=\"/img/x.pngx\">"
	    "<a href=\"/other\">";
	const char *css = "a{background:url(../img/x.png)} "
	    "b{background:url('/img/x.png')} c{background:url(x.png)}";

	memset(&b, 0, sizeof(b));
	b.assets = a;
	b.nassets = NELEM(a);
	assets_rewrite(&b, html, strlen(html), NULL, &out);
	CHECK_STR_EQ(out.buf, "<link href=\"/css/site.11111111.css?v=2\">"
	    "<img src='/img/x.22222222.png'><a href=\"/img/x.pngx\">"
	    "<a href=\"/other\">");
	buf_reset(&out);
	assets_rewrite(&b, css, strlen(css), "css", &out);
	CHECK_STR_EQ(out.buf, "a{background:url(/img/x.22222222.png)} "
	    "b{background:url('/img/x.22222222.png')} "
	    "c{background:url(x.png)}");
	/* references that cannot name an asset are passed over whole */
	buf_reset(&out);
	html = "<a class=\"x\" title='(/img/x.png' href=\"/img/x.png\">"
	    "(x)('/img/x.png')(\"";
	assets_rewrite(&b, html, strlen(html), NULL, &out);
	CHECK_STR_EQ(out.buf, "<a class=\"x\" title='(/img/x.22222222.png' "
	    "href=\"/img/x.22222222.png\">(x)('/img/x.22222222.png')(\"");
	/* a NUL inside is passed over, the text after it still rewritten */
	buf_reset(&out);
	assets_rewrite(&b, "a\0b\"/img/x.png\"", 15, NULL, &out);
	CHECK_INT_EQ(out.len, 24);
	CHECK(!memcmp(out.buf, "a\0b\"/img/x.22222222.png\"", 24));
	buf_release(&out);
}

/* a page that names no asset is handed back, not copied (render_output) */
TEST(render_assets, rewrite_buf_copies_only_to_change)
{
	static char f1[] = "/img/x.png", t1[] = "/img/x.22222222.png";
	struct asset a[] = { { f1, t1 } };
	struct build b;
	struct buf in = BUF_INIT, scratch = BUF_INIT, *res;

	memset(&b, 0, sizeof(b));
	b.assets = a;
	b.nassets = NELEM(a);
	buf_adds(&in, "<p><a href=\"/other\">x</a> (/img/y.png)</p>");
	buf_adds(&scratch, "old");
	res = assets_rewrite_buf(&b, &in, &scratch);
	CHECK(res == &in);
	CHECK_STR_EQ(in.buf, "<p><a href=\"/other\">x</a> (/img/y.png)</p>");
	buf_reset(&in);
	buf_adds(&in, "<img src=\"/img/x.png\"> and '/img/x.png' end");
	res = assets_rewrite_buf(&b, &in, &scratch);
	CHECK(res == &scratch);
	CHECK_STR_EQ(scratch.buf, "<img src=\"/img/x.22222222.png\"> and "
	    "'/img/x.22222222.png' end");
	buf_release(&in);
	buf_release(&scratch);
}

TEST(render_feeds, xml_escape)
{
	struct buf out = BUF_INIT;

	feeds_xml_escape(&out, "a<b & \"c\"\x01\t\xff end");
	CHECK_STR_EQ(out.buf, "a&lt;b &amp; &quot;c&quot;\xef\xbf\xbd\t"
	    "\xef\xbf\xbd end");
	buf_release(&out);
}

/* ---- the model ---- */

struct fixture {
	struct conf c;
	struct conf_collection cc;
	struct render_result res;
	struct build b;
};

/* page PATH of the snapshot: title, weight, date */
static void
page(struct fixture *f, const char *path, const char *title, int weight,
    int64_t date)
{
	const char *p[] = { path }, *t[] = { title };
	struct snap_page *sp;

	snapshot_add_virtual(&f->b.snap, p, t, 1);
	sp = &f->b.snap.pages[f->b.snap.npages - 1];
	sp->weight = weight;
	sp->date = date;
}

static void
fixture_init(struct fixture *f)
{
	static char title[] = "Site", events[] = "events", date[] = "date";

	memset(f, 0, sizeof(*f));
	f->c.site.title = title;
	f->c.build.threads = 2;
	f->cc.name = events;
	f->cc.section = events;
	f->cc.sort = date;
	f->cc.sort_by = CONF_SORT_DATE;
	f->cc.order = CONF_ORDER_DESC;
	f->c.collections = &f->cc;
	f->c.ncollections = 1;
	f->b.c = &f->c;
	f->b.res = &f->res;
	f->b.now = 1000;
	pthread_mutex_init(&f->b.mu, NULL);
	pthread_mutex_init(&f->b.summary_mu, NULL);
	pthread_mutex_init(&f->b.snap.mu, NULL);
	/* by path, as the store gives them; no home page: it is added */
	page(f, "events", "Events", 0, 0);
	page(f, "events/a", "A", 0, 900);
	page(f, "events/b", "B", 0, 1100);
	page(f, "events/c", "C", -1, 500);
	page(f, "events/d", "D", 0, 1200);
	page(f, "news/x", "X", 0, 0);
}

static void
fixture_release(struct fixture *f)
{
	for (size_t i = 0; i < f->b.npages; i++) {
		free(f->b.pages[i].url);
		free(f->b.pages[i].out);
		free(f->b.pages[i].kids);
		json_decref(f->b.pages[i].summary);
		free(f->b.pages[i].excerpt);
	}
	free(f->b.pages);
	json_decref(f->b.collections);
	pthread_mutex_destroy(&f->b.snap.mu);
	snapshot_release(&f->b.snap);
	pthread_mutex_destroy(&f->b.mu);
	pthread_mutex_destroy(&f->b.summary_mu);
}

/* the paths of the pages at indexes V, joined by ' ' */
static const char *
paths(struct build *b, const size_t *v, size_t n)
{
	static char res[256];

	res[0] = '\0';
	for (size_t k = 0; k < n; k++) {
		if (k)
			strlcat(res, " ", sizeof(res));
		strlcat(res, b->pages[v[k]].sp->path, sizeof(res));
	}
	return res;
}

/* the paths in collection NAME */
static const char *
coll_paths(struct build *b, const char *name)
{
	static char res[256];
	json_t *arr = json_object_get(b->collections, name), *it;
	size_t i;

	res[0] = '\0';
	json_array_foreach(arr, i, it) {
		if (i)
			strlcat(res, " ", sizeof(res));
		strlcat(res, json_string_value(json_object_get(it, "path")),
		    sizeof(res));
	}
	return res;
}

TEST(render_model, tree_and_child_order)
{
	struct fixture f;
	size_t home, events, news;

	fixture_init(&f);
	model_build(&f.b);
	/* the home page and the "news" section are added */
	CHECK_INT_EQ(f.b.npages, 8);
	home = model_find(&f.b.snap, "");
	events = model_find(&f.b.snap, "events");
	news = model_find(&f.b.snap, "news");
	CHECK(home != SIZE_MAX && events != SIZE_MAX && news != SIZE_MAX);
	CHECK_INT_EQ(model_find(&f.b.snap, "events/zz"), SIZE_MAX);
	CHECK_STR_EQ(f.b.snap.pages[news].title, "News");
	CHECK_INT_EQ(f.b.pages[home].kind, PK_HOME);
	CHECK_INT_EQ(f.b.pages[events].kind, PK_SECTION);
	CHECK_INT_EQ(f.b.pages[events].parent, home);
	CHECK_STR_EQ(f.b.pages[events].url, "/events/");
	CHECK_STR_EQ(f.b.pages[events].out, "events/index.html");
	/* weight first, then the newest, then title and path */
	CHECK_STR_EQ(paths(&f.b, f.b.pages[events].kids,
	    f.b.pages[events].nkids), "events/c events/d events/b events/a");
	CHECK_STR_EQ(paths(&f.b, f.b.pages[home].kids,
	    f.b.pages[home].nkids), "events news");
	fixture_release(&f);
}

TEST(render_model, collections_sort_filter_limit)
{
	struct fixture f;

	fixture_init(&f);
	model_build(&f.b);
	model_collections(&f.b);
	CHECK_STR_EQ(coll_paths(&f.b, "events"),
	    "events/d events/b events/a events/c");
	CHECK_INT_EQ(f.res.next_change, 0);
	json_decref(f.b.collections);

	/* upcoming, soonest first, two at most: the next change is noted */
	f.cc.filter = CONF_FILTER_UPCOMING;
	f.cc.order = CONF_ORDER_ASC;
	f.cc.limit = 2;
	model_collections(&f.b);
	CHECK_STR_EQ(coll_paths(&f.b, "events"), "events/b events/d");
	CHECK_INT_EQ(f.res.next_change, 1100);
	json_decref(f.b.collections);

	f.cc.filter = CONF_FILTER_PAST;
	f.cc.limit = 0;
	f.cc.sort_by = CONF_SORT_TITLE;
	f.cc.order = CONF_ORDER_DESC;
	model_collections(&f.b);
	CHECK_STR_EQ(coll_paths(&f.b, "events"), "events/c events/a");
	json_decref(f.b.collections);

	/* by weight, ties by path */
	f.cc.filter = CONF_FILTER_ALL;
	f.cc.sort_by = CONF_SORT_WEIGHT;
	f.cc.order = CONF_ORDER_ASC;
	model_collections(&f.b);
	CHECK_STR_EQ(coll_paths(&f.b, "events"),
	    "events/c events/a events/b events/d");
	fixture_release(&f);
}

/* aliases_output of alias A on page PAGE: the path, or "-1: reason" */
static const char *
alias_out(const char *page, const char *a)
{
	static char res[256];
	struct buf out = BUF_INIT, err = BUF_INIT;

	if (aliases_output(page, a, &out, &err) == -1)
		snprintf(res, sizeof(res), "-1: %s", err.buf);
	else
		strlcpy(res, out.buf, sizeof(res));
	buf_release(&out);
	buf_release(&err);
	return res;
}

TEST(render_aliases, output_paths)
{
	CHECK_STR_EQ(alias_out("news/a", "/old/a/"), "old/a/index.html");
	CHECK_STR_EQ(alias_out("news/a", "/old/a"), "old/a/index.html");
	CHECK_STR_EQ(alias_out("news/a", "//old//./a/"), "old/a/index.html");
	CHECK_STR_EQ(alias_out("news/a", "a-old.html"), "news/a-old.html");
	CHECK_STR_EQ(alias_out("news/a", "older"), "news/older/index.html");
	CHECK_STR_EQ(alias_out("about", "me"), "me/index.html");
	CHECK_STR_EQ(alias_out("news/a", "/"), "index.html");
	CHECK_STR_EQ(alias_out("news/a", "/Ünïcode/Path/"),
	    "Ünïcode/Path/index.html");
	CHECK_STR_EQ(alias_out("news/a", "/../../etc/passwd"),
	    "-1: climbs out of the site ('..')");
	CHECK_STR_EQ(alias_out("news/a", "../x"),
	    "-1: climbs out of the site ('..')");
	CHECK_STR_EQ(alias_out("news/a", "/.kiln/manifest.json"),
	    "-1: has a part starting with '.'");
	CHECK(!strncmp(alias_out("news/a", "a b"), "-1: is not a URL", 16));
	CHECK(!strncmp(alias_out("news/a", "/a?b"), "-1: is not a URL", 16));
	CHECK(!strncmp(alias_out("news/a", "/a\\b"), "-1: is not a URL",
	    16));
	CHECK(!strncmp(alias_out("news/a", "/a\nb"), "-1: is not a URL",
	    16));
	CHECK(!strncmp(alias_out("news/a", ""), "-1: is not a URL", 16));
}

static const char *
urlized(const char *term)
{
	static char res[256];
	struct buf out = BUF_INIT;

	taxonomy_urlize(term, &out);
	strlcpy(res, out.buf ? out.buf : "", sizeof(res));
	buf_release(&out);
	return res;
}

TEST(render_taxonomy, urlize_as_hugo)
{
	CHECK_STR_EQ(urlized("Night Sky"), "night-sky");
	CHECK_STR_EQ(urlized("night sky"), "night-sky");
	CHECK_STR_EQ(urlized("C++"), "c++");
	CHECK_STR_EQ(urlized("Équipe"), "Équipe");
	CHECK_STR_EQ(urlized("a/b?c#d%e\"f"), "abcdef");
	CHECK_STR_EQ(urlized("../x"), "x");
	CHECK_STR_EQ(urlized("..."), "");
	CHECK_STR_EQ(urlized("<>"), "");
}

/* model_date_json's own formatting is time_format's, in and out of range */
TEST(render_model, date_forms_as_strftime)
{
	static const int64_t times[] = { 1, 59, 86399, 951782400, 1700000000,
	    1719792000, 1735689599, 4102444800LL, 253402300799LL,
	    -1, -62135596800LL, -30610224000LL, 253402300800LL };
	char iso[32], human[64], year[16];

	for (size_t i = 0; i < NELEM(times); i++) {
		json_t *o = model_date_json(times[i]);
		time_format_iso8601(times[i], iso, sizeof(iso));
		time_format(times[i], "%e %B %Y", human, sizeof(human));
		time_format(times[i], "%Y", year, sizeof(year));
		CHECK_STR_EQ(json_string_value(json_object_get(o, "iso")), iso);
		CHECK_STR_EQ(json_string_value(json_object_get(o, "human")),
		    human[0] == ' ' ? human + 1 : human);
		CHECK_STR_EQ(json_string_value(json_object_get(o, "year")),
		    year);
		json_decref(o);
	}
	for (int64_t t = 0; t < 366LL * 86400 * 4; t += 86400 + 3607) {
		json_t *o = model_date_json(1600000000 + t);
		time_format(1600000000 + t, "%e %B %Y", human, sizeof(human));
		CHECK_STR_EQ(json_string_value(json_object_get(o, "human")),
		    human[0] == ' ' ? human + 1 : human);
		json_decref(o);
	}
	CHECK(json_is_null(model_date_json(0)));
}
