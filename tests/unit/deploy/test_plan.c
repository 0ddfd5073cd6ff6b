/* SPDX-License-Identifier: ISC */
/*
 * test_plan.c: the rules of the deploy plan (deploy/plan.h), one test per
 * rule: phases, header-only changes, immutables, grace, max_deletes,
 * mirrors (earlier URLs and the surrogate key), resume and unknown
 * outcomes (dirty paths), --full, and that planning changes nothing.
 */
#include "test.h"

#include <jansson.h>

#include "common/buf.h"
#include "common/manifest.h"
#include "deploy/plan.h"

#define CC_PAGE "no-cache"
#define CC_IMM "public, max-age=31536000, immutable"

static void
add(struct manifest *m, const char *path, char h, bool imm,
    enum manifest_kind kind, const char *cc)
{
	char sha[65];

	memset(sha, h, 64);
	sha[64] = '\0';
	manifest_add(m, path, sha, 10, "text/plain", cc ? cc : (imm ? CC_IMM :
	    CC_PAGE), imm, kind);
}

static void
sorted(struct manifest *m)
{
	struct buf err = BUF_INIT;

	CHECK_OK(manifest_sort(m, &err));
	buf_release(&err);
}

static void
strings(struct buf *b, const char *what, json_t *a)
{
	size_t i;
	json_t *v;

	buf_printf(b, "%s:", what);
	json_array_foreach(a, i, v)
		buf_printf(b, " %s", json_string_value(v));
	buf_addch(b, '\n');
}

/* the plan as text: uploads (phase, path, flags), then the JSON parts */
static void
show(const struct deploy_plan *p, struct buf *b)
{
	char *g;

	buf_reset(b);
	buf_adds(b, "put:");
	for (size_t i = 0; i < p->nputs; i++)
		buf_printf(b, " %s:%s%s%s", deploy_phase_name(p->puts[i].phase),
		    p->puts[i].e->path, p->puts[i].create_only ? "+c" : "",
		    p->puts[i].surrogate_key ? "+k" : "");
	buf_addch(b, '\n');
	strings(b, "delete", p->deletes);
	strings(b, "deferred", p->deferred);
	strings(b, "inval", p->inval);
	g = json_dumps(p->grace, JSON_COMPACT | JSON_SORT_KEYS);
	buf_printf(b, "grace: %s ndeferred=%zu nearlier=%zu\n", g,
	    p->ndeferred, p->nearlier);
	free(g);
}

struct fx {
	struct manifest build, base;
	json_t *dirty, *grace;
	struct deploy_plan_in in;
	struct deploy_plan p;
	struct buf out, err;
};

static void
fx_init(struct fx *f)
{
	memset(f, 0, sizeof(*f));
	manifest_init(&f->build);
	manifest_init(&f->base);
	f->dirty = json_object();
	f->grace = json_object();
	f->in.name = "production";
	f->in.build = &f->build;
	f->in.base = &f->base;
	f->in.dirty = f->dirty;
	f->in.grace = f->grace;
	f->in.now = 10000;
	f->in.delete_grace = 3600;
	f->in.max_deletes = 500;
}

static int
fx_plan(struct fx *f)
{
	int r;

	sorted(&f->build);
	sorted(&f->base);
	deploy_plan_release(&f->p);
	buf_reset(&f->err);
	r = deploy_plan(&f->in, &f->p, &f->err);
	show(&f->p, &f->out);
	return r;
}

static void
fx_release(struct fx *f)
{
	manifest_release(&f->build);
	manifest_release(&f->base);
	json_decref(f->dirty);
	json_decref(f->grace);
	deploy_plan_release(&f->p);
	buf_release(&f->out);
	buf_release(&f->err);
}

TEST(plan, phases_in_order_and_page_urls)
{
	struct fx f;

	fx_init(&f);
	add(&f.build, "index.html", 'a', false, MK_HTML, NULL);
	add(&f.build, "blog/index.html", 'b', false, MK_HTML, NULL);
	add(&f.build, "feed.xml", 'c', false, MK_FEED, NULL);
	add(&f.build, "css/site.1234.css", 'd', true, MK_ASSET, NULL);
	add(&f.build, "media/ab.png", 'e', true, MK_MEDIA, NULL);
	add(&f.build, "robots.dat", 'f', false, MK_OTHER, NULL);
	CHECK_INT_EQ(fx_plan(&f), 0);
	CHECK_STR_EQ(f.out.buf,
	    "put: immutable:css/site.1234.css+c immutable:media/ab.png+c "
	    "other:robots.dat html:blog/index.html html:feed.xml "
	    "html:index.html\n"
	    "delete:\ndeferred:\n"
	    "inval: /blog/ /feed.xml /\n"
	    "grace: {} ndeferred=0 nearlier=0\n");
	CHECK_INT_EQ((long long)f.p.count[DP_IMMUTABLE], 2);
	CHECK_INT_EQ((long long)f.p.count[DP_OTHER], 1);
	CHECK_INT_EQ((long long)f.p.count[DP_HTML], 3);
	CHECK_INT_EQ((long long)f.p.bytes[DP_HTML], 30);
	/* the same build again: nothing to do */
	manifest_release(&f.base);
	manifest_init(&f.base);
	for (size_t i = 0; i < f.build.nfiles; i++) {
		const struct manifest_entry *e = &f.build.files[i];
		manifest_add(&f.base, e->path, e->sha256, e->size,
		    e->content_type, e->cache_control, e->immutable, e->kind);
	}
	CHECK_INT_EQ(fx_plan(&f), 0);
	CHECK_STR_EQ(f.out.buf, "put:\ndelete:\ndeferred:\ninval:\n"
	    "grace: {} ndeferred=0 nearlier=0\n");
	fx_release(&f);
}

TEST(plan, header_only_change_is_a_change)
{
	struct fx f;

	fx_init(&f);
	add(&f.base, "a.html", 'a', false, MK_HTML, CC_PAGE);
	add(&f.base, "b.html", 'b', false, MK_HTML, CC_PAGE);
	add(&f.build, "a.html", 'a', false, MK_HTML, "max-age=60");
	add(&f.build, "b.html", 'b', false, MK_HTML, CC_PAGE);
	CHECK_INT_EQ(fx_plan(&f), 0);
	CHECK_STR_EQ(f.out.buf, "put: html:a.html\ndelete:\ndeferred:\n"
	    "inval: /a.html\ngrace: {} ndeferred=0 nearlier=0\n");
	fx_release(&f);
}

/* an alias page: its redirect is a header, part of what "same" means */
TEST(plan, redirect_change_is_a_header_change)
{
	struct fx f;
	struct manifest back;
	struct buf json = BUF_INIT, err = BUF_INIT;

	fx_init(&f);
	add(&f.base, "old/index.html", 'a', false, MK_HTML, CC_PAGE);
	manifest_set_redirect(&f.base.files[0], "/new/");
	add(&f.base, "b.html", 'b', false, MK_HTML, CC_PAGE);
	add(&f.build, "old/index.html", 'a', false, MK_HTML, CC_PAGE);
	manifest_set_redirect(&f.build.files[0], "/newer/");
	add(&f.build, "b.html", 'b', false, MK_HTML, CC_PAGE);
	manifest_set_redirect(&f.build.files[1], "/b/");
	CHECK_INT_EQ(fx_plan(&f), 0);
	CHECK_STR_EQ(f.out.buf, "put: html:b.html html:old/index.html\n"
	    "delete:\ndeferred:\ninval: /b.html /old/\n"
	    "grace: {} ndeferred=0 nearlier=0\n");
	/* the redirect survives the manifest's JSON; the same is no change */
	manifest_to_json(&f.build, &json);
	CHECK_OK(manifest_parse(json.buf, json.len, &back, &err));
	CHECK_STR_EQ(back.files[1].redirect, "/newer/");
	CHECK(back.files[0].redirect && !strcmp(back.files[0].redirect, "/b/"));
	manifest_release(&f.base);
	manifest_copy(&f.base, &back);
	CHECK_INT_EQ(fx_plan(&f), 0);
	CHECK_STR_EQ(f.out.buf, "put:\ndelete:\ndeferred:\ninval:\n"
	    "grace: {} ndeferred=0 nearlier=0\n");
	/* a redirect that is no site path is refused */
	buf_reset(&json);
	buf_adds(&json, "{\"version\":1,\"files\":[{\"path\":\"a.html\","
	    "\"sha256\":\"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
	    "aaaaaaaaaaa\",\"size\":1,\"content_type\":\"\","
	    "\"cache_control\":\"\",\"immutable\":false,\"kind\":\"html\","
	    "\"redirect\":\"https://evil.example/\"}]}");
	manifest_release(&back);
	CHECK_INT_EQ(manifest_parse(json.buf, json.len, &back, &err), -1);
	CHECK(strstr(err.buf, "files[0].redirect") != NULL);
	CHECK(manifest_redirect_valid("/a/"));
	CHECK(!manifest_redirect_valid("//evil.example/"));
	CHECK(!manifest_redirect_valid("/\\evil.example/"));
	CHECK(!manifest_redirect_valid("/a b"));
	CHECK(!manifest_redirect_valid(""));
	buf_release(&json);
	buf_release(&err);
	fx_release(&f);
}

TEST(plan, removed_pages_go_now_immutables_wait)
{
	struct fx f;

	fx_init(&f);
	add(&f.base, "old.html", 'a', false, MK_HTML, NULL);
	add(&f.base, "old.txt", 'b', false, MK_OTHER, NULL);
	add(&f.base, "css/site.1.css", 'c', true, MK_ASSET, NULL);
	CHECK_INT_EQ(fx_plan(&f), 0);
	CHECK_STR_EQ(f.out.buf, "put:\ndelete: old.html old.txt\n"
	    "deferred: css/site.1.css\ninval: /old.html\n"
	    "grace: {\"css/site.1.css\":10000} ndeferred=1 nearlier=0\n");
	/* planning changes none of its inputs */
	CHECK_INT_EQ((long long)json_object_size(f.grace), 0);
	fx_release(&f);
}

TEST(plan, grace_counts_from_the_first_deploy_without_it)
{
	struct fx f;

	fx_init(&f);
	add(&f.base, "css/a.1.css", 'a', true, MK_ASSET, NULL);
	add(&f.base, "css/b.1.css", 'b', true, MK_ASSET, NULL);
	json_object_set_new(f.grace, "css/a.1.css", json_integer(6400));
	json_object_set_new(f.grace, "css/b.1.css", json_integer(6401));
	/* removed by earlier deploys (no longer in the manifest) */
	json_object_set_new(f.grace, "css/c.1.css", json_integer(6400));
	json_object_set_new(f.grace, "css/d.1.css", json_integer(6401));
	/* in the build again: it stays and leaves the grace map */
	json_object_set_new(f.grace, "css/e.1.css", json_integer(1));
	add(&f.build, "css/e.1.css", 'e', true, MK_ASSET, NULL);
	CHECK_INT_EQ(fx_plan(&f), 0);
	CHECK_STR_EQ(f.out.buf, "put: immutable:css/e.1.css+c\n"
	    "delete: css/a.1.css css/c.1.css\n"
	    "deferred: css/b.1.css\ninval:\n"
	    "grace: {\"css/a.1.css\":6400,\"css/b.1.css\":6401,"
	    "\"css/c.1.css\":6400,\"css/d.1.css\":6401} ndeferred=2 "
	    "nearlier=0\n");
	fx_release(&f);
}

TEST(plan, max_deletes_refuses_unless_allowed)
{
	struct fx f;

	fx_init(&f);
	add(&f.base, "a.html", 'a', false, MK_HTML, NULL);
	add(&f.base, "b.html", 'b', false, MK_HTML, NULL);
	add(&f.base, "c.html", 'c', false, MK_HTML, NULL);
	f.in.max_deletes = 3;
	CHECK_INT_EQ(fx_plan(&f), 0);
	f.in.max_deletes = 2;
	CHECK_INT_EQ(fx_plan(&f), -1);
	CHECK_STR_EQ(f.err.buf, "production: 3 deletions exceed "
	    "max_deletes (2); nothing was changed: check the build, or "
	    "deploy with --allow-deletes");
	/* the refused plan still says what it would have done */
	CHECK_STR_EQ(f.out.buf, "put:\ndelete: a.html b.html c.html\n"
	    "deferred:\ninval: /a.html /b.html /c.html\n"
	    "grace: {} ndeferred=0 nearlier=0\n");
	f.in.allow_deletes = true;
	CHECK_INT_EQ(fx_plan(&f), 0);
	fx_release(&f);
}

TEST(plan, earlier_urls_first_once_and_surrogate_key)
{
	struct fx f;
	json_t *earlier = json_pack("[s, s, i, s]", "/x/", "/a.html", 3,
	    "/x/");

	fx_init(&f);
	add(&f.build, "a.html", 'a', false, MK_HTML, NULL);
	add(&f.build, "f.xml", 'b', false, MK_FEED, NULL);
	add(&f.build, "s.2.css", 'c', true, MK_ASSET, NULL);
	/* a mirror: no CDN of its own, no earlier URLs */
	CHECK_INT_EQ(fx_plan(&f), 0);
	CHECK_STR_EQ(f.out.buf, "put: immutable:s.2.css+c html:a.html "
	    "html:f.xml\ndelete:\ndeferred:\ninval: /a.html /f.xml\n"
	    "grace: {} ndeferred=0 nearlier=0\n");
	/* the primary, on Fastly, with URLs an earlier deploy left */
	f.in.earlier = earlier;
	f.in.surrogate_key = "kiln-pages";
	CHECK_INT_EQ(fx_plan(&f), 0);
	CHECK_STR_EQ(f.out.buf, "put: immutable:s.2.css+c html:a.html+k "
	    "html:f.xml+k\ndelete:\ndeferred:\ninval: /x/ /a.html /f.xml\n"
	    "grace: {} ndeferred=0 nearlier=2\n");
	json_decref(earlier);
	fx_release(&f);
}

TEST(plan, dirty_paths_are_sent_again_or_deleted)
{
	struct fx f;

	fx_init(&f);
	add(&f.base, "a.html", 'a', false, MK_HTML, NULL);
	add(&f.base, "s.1.css", 'b', true, MK_ASSET, NULL);
	add(&f.base, "t.1.css", 'c', true, MK_ASSET, NULL);
	add(&f.build, "a.html", 'a', false, MK_HTML, NULL);
	add(&f.build, "s.1.css", 'b', true, MK_ASSET, NULL);
	add(&f.build, "t.1.css", 'c', true, MK_ASSET, NULL);
	/* a killed deploy: outcome unknown, whatever the manifest says */
	json_object_set_new(f.dirty, "a.html", json_string("unknown"));
	json_object_set_new(f.dirty, "s.1.css", json_string("unknown"));
	/* --verify found it damaged: replaced, not create-if-absent */
	json_object_set_new(f.dirty, "t.1.css", json_string("repair"));
	/* a reverted build's object that may have landed */
	json_object_set_new(f.dirty, "gone/index.html",
	    json_string("unknown"));
	CHECK_INT_EQ(fx_plan(&f), 0);
	CHECK_STR_EQ(f.out.buf, "put: immutable:s.1.css+c immutable:t.1.css "
	    "html:a.html\ndelete: gone/index.html\ndeferred:\n"
	    "inval: /a.html /gone/\ngrace: {} ndeferred=0 nearlier=0\n");
	fx_release(&f);
}

TEST(plan, full_sends_everything)
{
	struct fx f;

	fx_init(&f);
	add(&f.base, "a.html", 'a', false, MK_HTML, NULL);
	add(&f.base, "s.1.css", 'b', true, MK_ASSET, NULL);
	add(&f.build, "a.html", 'a', false, MK_HTML, NULL);
	add(&f.build, "s.1.css", 'b', true, MK_ASSET, NULL);
	CHECK_INT_EQ(fx_plan(&f), 0);
	CHECK_STR_EQ(f.out.buf, "put:\ndelete:\ndeferred:\ninval:\n"
	    "grace: {} ndeferred=0 nearlier=0\n");
	f.in.full = true;
	CHECK_INT_EQ(fx_plan(&f), 0);
	CHECK_STR_EQ(f.out.buf, "put: immutable:s.1.css+c html:a.html\n"
	    "delete:\ndeferred:\ninval: /a.html\n"
	    "grace: {} ndeferred=0 nearlier=0\n");
	fx_release(&f);
}

/* decision 0270: the shared files complete units use are never deleted */
TEST(plan, keep_set_is_never_deleted)
{
	struct fx f;
	json_t *keep = json_object();
	char *kept;

	fx_init(&f);
	json_object_set_new(keep, "css/site.1.css", json_true());
	json_object_set_new(keep, "css/unit.0.css", json_true());
	json_object_set_new(keep, "img/logo.1.svg", json_true());
	f.in.keep = keep;
	f.in.delete_grace = 0;
	f.in.max_deletes = 1;	/* kept objects are not deletions */
	add(&f.base, "css/site.1.css", 'a', true, MK_ASSET, NULL);
	add(&f.base, "css/old.1.css", 'b', true, MK_ASSET, NULL);
	add(&f.build, "css/site.2.css", 'c', true, MK_ASSET, NULL);
	add(&f.build, "img/logo.1.svg", 'd', true, MK_ASSET, NULL);
	/* removed by an earlier deploy, past its grace, a unit uses it */
	json_object_set_new(f.grace, "css/unit.0.css", json_integer(1));
	CHECK_INT_EQ(fx_plan(&f), 0);
	CHECK_STR_EQ(f.out.buf, "put: immutable:css/site.2.css+c "
	    "immutable:img/logo.1.svg+c\ndelete: css/old.1.css\ndeferred:\n"
	    "inval:\ngrace: {\"css/old.1.css\":10000,\"css/site.1.css\":10000,"
	    "\"css/unit.0.css\":1} ndeferred=0 nearlier=0\n");
	kept = json_dumps(f.p.kept, JSON_COMPACT);
	CHECK_STR_EQ(kept, "[\"css/site.1.css\",\"css/unit.0.css\"]");
	free(kept);
	/* the next deploy: still kept, from the grace map alone */
	manifest_release(&f.base);
	manifest_init(&f.base);
	add(&f.base, "css/site.2.css", 'c', true, MK_ASSET, NULL);
	add(&f.base, "img/logo.1.svg", 'd', true, MK_ASSET, NULL);
	json_object_update(f.grace, f.p.grace);
	json_object_del(f.grace, "css/old.1.css");
	CHECK_INT_EQ(fx_plan(&f), 0);
	CHECK_STR_EQ(f.out.buf, "put:\ndelete:\ndeferred:\ninval:\n"
	    "grace: {\"css/site.1.css\":10000,\"css/unit.0.css\":1} "
	    "ndeferred=0 nearlier=0\n");
	CHECK_INT_EQ((long long)json_array_size(f.p.kept), 2);
	/* without a keep set they go */
	f.in.keep = NULL;
	CHECK_INT_EQ(fx_plan(&f), -1);	/* 2 deletions > max_deletes 1 */
	f.in.max_deletes = 500;
	CHECK_INT_EQ(fx_plan(&f), 0);
	CHECK_STR_EQ(f.out.buf, "put:\ndelete: css/unit.0.css "
	    "css/site.1.css\ndeferred:\ninval:\n"
	    "grace: {\"css/site.1.css\":10000,\"css/unit.0.css\":1} "
	    "ndeferred=0 nearlier=0\n");
	fx_release(&f);
	json_decref(keep);
}

/*
 * Decision 0310: a destination that holds the build's base is planned
 * from the build's changes alone: the changed and added files, and the
 * rows of those paths and of the removed ones.  That plan is the full
 * plan, whatever the grace map, the keep set and the clock say.
 */
static void
restrict_to_changes(const struct manifest *build, const struct manifest *base,
    struct manifest *pb, struct manifest *pbase)
{
	for (size_t i = 0; i < build->nfiles; i++) {
		const struct manifest_entry *e = &build->files[i];
		const struct manifest_entry *o = manifest_find(base, e->path);
		/* changes.json lists what is new or whose SHA-256 differs */
		if (o && !strcmp(o->sha256, e->sha256))
			continue;
		manifest_add_copy(pb, e);
		if (o)
			manifest_add_copy(pbase, o);
	}
	for (size_t i = 0; i < base->nfiles; i++)
		if (!manifest_find(build, base->files[i].path))
			manifest_add_copy(pbase, &base->files[i]);
}

TEST(plan, from_the_changes_is_the_full_plan)
{
	static const int64_t clocks[] = { 10000, 13599, 13600, 20000 };
	json_t *keep = json_object(), *earlier = json_pack("[s]", "/x/");
	struct fx f;

	fx_init(&f);
	/* the base: pages, assets, a feed */
	add(&f.base, "index.html", 'a', false, MK_HTML, NULL);
	add(&f.base, "a/index.html", 'b', false, MK_HTML, NULL);
	add(&f.base, "b/index.html", 'c', false, MK_HTML, NULL);
	add(&f.base, "c/index.html", 'd', false, MK_HTML, NULL);
	add(&f.base, "css/site.1.css", 'e', true, MK_ASSET, NULL);
	add(&f.base, "img/old.1.png", 'f', true, MK_ASSET, NULL);
	add(&f.base, "shared/unit.txt", '0', false, MK_OTHER, NULL);
	add(&f.base, "feed.xml", '1', false, MK_FEED, NULL);
	add(&f.base, "robots.txt", '2', false, MK_OTHER, NULL);
	/* the build: an edit, a removal, a rename, a new asset */
	add(&f.build, "index.html", 'A', false, MK_HTML, NULL);
	add(&f.build, "a/index.html", 'b', false, MK_HTML, NULL);
	add(&f.build, "b2/index.html", 'c', false, MK_HTML, NULL);
	add(&f.build, "c/index.html", 'd', false, MK_HTML, NULL);
	add(&f.build, "css/site.2.css", 'E', true, MK_ASSET, NULL);
	add(&f.build, "img/back.1.png", '3', true, MK_ASSET, NULL);
	add(&f.build, "feed.xml", '4', false, MK_FEED, NULL);
	add(&f.build, "robots.txt", '2', false, MK_OTHER, NULL);
	/* earlier deploys' removals: one past its grace, one not, one back */
	json_object_set_new(f.grace, "img/gone.1.png", json_integer(6000));
	json_object_set_new(f.grace, "img/late.1.png", json_integer(9000));
	json_object_set_new(f.grace, "img/back.1.png", json_integer(5000));
	json_object_set_new(keep, "shared/unit.txt", json_true());
	f.in.keep = keep;
	f.in.earlier = earlier;
	f.in.surrogate_key = "site";
	for (size_t k = 0; k < sizeof(clocks) / sizeof(clocks[0]); k++) {
		struct manifest fb, fbase;
		struct buf full = BUF_INIT;
		const struct manifest *b = f.in.build, *o = f.in.base;

		f.in.now = clocks[k];
		CHECK_INT_EQ(fx_plan(&f), 0);
		buf_add(&full, f.out.buf, f.out.len);
		manifest_init(&fb);
		manifest_init(&fbase);
		restrict_to_changes(&f.build, &f.base, &fb, &fbase);
		sorted(&fb);
		sorted(&fbase);
		/* 5 changed or added (2 with rows), 4 removed: 6 rows */
		CHECK_INT_EQ((long long)fb.nfiles, 5);
		CHECK_INT_EQ((long long)fbase.nfiles, 6);
		f.in.build = &fb;
		f.in.base = &fbase;
		deploy_plan_release(&f.p);
		CHECK_INT_EQ(deploy_plan(&f.in, &f.p, &f.err), 0);
		show(&f.p, &f.out);
		CHECK_STR_EQ(f.out.buf, full.buf);
		CHECK_INT_EQ((long long)json_array_size(f.p.kept), 1);
		f.in.build = b;
		f.in.base = o;
		manifest_release(&fb);
		manifest_release(&fbase);
		buf_release(&full);
	}
	/* max_deletes counts the same deletions */
	f.in.now = 20000;
	f.in.max_deletes = 2;
	CHECK_INT_EQ(fx_plan(&f), -1);
	fx_release(&f);
	json_decref(keep);
	json_decref(earlier);
}
