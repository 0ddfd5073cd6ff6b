/* SPDX-License-Identifier: ISC */
/*
 * test_fence.c: deploy_opts.fence (decision 0170) on a real store and a
 * dir target: it is asked before every step that changes the target or
 * its deployed state, in order, and a refusal stops the deploy there:
 * nothing of that step or a later one happens.
 */
#include "test.h"
#include "store_fixture.h"

#include "common/buf.h"
#include "common/fsutil.h"
#include "common/hash.h"
#include "common/manifest.h"
#include "conf/conf.h"
#include "deploy/deploy.h"
#include "store/store.h"

#define DIR_ "fence-t"

struct fence_rec {
	struct buf steps;	/* "step;step;..." */
	const char *fail_at;	/* refuse at this step; NULL: never */
};

static int
fence_cb(void *arg, const char *step, struct buf *err)
{
	struct fence_rec *f = arg;

	buf_printf(&f->steps, "%s;", step);
	if (f->fail_at && !strcmp(step, f->fail_at)) {
		buf_setf(err, "lease lost to take-over");
		return -1;
	}
	return 0;
}

static void
put_file(struct manifest *m, const char *path, const char *body,
    const char *type, enum manifest_kind kind)
{
	struct buf p = BUF_INIT, err = BUF_INIT;
	char sha[65];

	buf_printf(&p, DIR_ "/out/%s", path);
	CHECK_OK(mkdir_parent(p.buf, &err));
	CHECK_OK(file_write(p.buf, body, strlen(body), &err));
	sha256_hex(body, strlen(body), sha);
	manifest_add(m, path, sha, (int64_t)strlen(body), type,
	    "public, max-age=60", false, kind);
	buf_release(&p);
	buf_release(&err);
}

/* a fresh site: a dir target, a built output folder, a store */
static void
setup(struct conf **c, struct store **st)
{
	static const char yaml[] =
	    "site: {title: T, base_url: \"http://example.org/\"}\n"
	    "targets:\n  local:\n    type: dir\n    path: " DIR_ "/www\n";
	struct buf err = BUF_INIT;
	struct manifest m;

	CHECK_OK(rm_rf(DIR_, &err));
	CHECK_OK(mkdir_p(DIR_ "/out", &err));
	manifest_init(&m);
	put_file(&m, "index.html", "<p>home</p>", "text/html", MK_HTML);
	put_file(&m, "style.css", "p{}", "text/css", MK_OTHER);
	CHECK_OK(manifest_sort(&m, &err));
	CHECK_OK(manifest_save(&m, DIR_ "/out", &err));
	manifest_release(&m);
	*c = conf_load_string(yaml, sizeof(yaml) - 1, "kiln.yaml", &err);
	if (!*c)
		test_fail(__FILE__, __LINE__, "conf: %s", err.buf);
	*st = open_store_at(DIR_ "/kiln.db");
	buf_release(&err);
}

static int
deploy(struct conf *c, struct store *st, struct fence_rec *f,
    struct buf *err)
{
	struct deploy_opts o;
	struct deploy_result r;
	int rc;

	memset(&o, 0, sizeof(o));
	o.fence = fence_cb;
	o.fence_arg = f;
	rc = deploy_run(c, st, NULL, DIR_ "/out", &o, &r, err);
	deploy_result_release(&r);
	return rc;
}

TEST(deploy, the_fence_is_asked_before_every_step_in_order)
{
	struct fence_rec f = { BUF_INIT, NULL };
	struct buf err = BUF_INIT;
	struct conf *c;
	struct store *st;

	setup(&c, &st);
	CHECK_OK(deploy(c, st, &f, &err));
	CHECK_STR_EQ(f.steps.buf, "the journal;other;html;the manifest;"
	    "recording the deployed state;");
	CHECK(file_exists(DIR_ "/www/index.html"));
	/* in sync: the next deploy sends nothing and asks nothing */
	buf_reset(&f.steps);
	CHECK_OK(deploy(c, st, &f, &err));
	CHECK_INT_EQ((int)f.steps.len, 0);
	/* a file removed from the build: the deletions are fenced too */
	{
		struct manifest m;
		manifest_init(&m);
		put_file(&m, "index.html", "<p>home</p>", "text/html",
		    MK_HTML);
		CHECK_OK(manifest_save(&m, DIR_ "/out", &err));
		manifest_release(&m);
	}
	CHECK_OK(deploy(c, st, &f, &err));
	CHECK_STR_EQ(f.steps.buf, "the journal;the manifest;the deletions;"
	    "recording the deployed state;");
	CHECK(!file_exists(DIR_ "/www/style.css"));
	store_close(st);
	conf_free(c);
	buf_release(&f.steps);
	buf_release(&err);
}

TEST(deploy, a_refused_fence_stops_the_deploy_there)
{
	struct fence_rec f = { BUF_INIT, "the journal" };
	struct buf err = BUF_INIT;
	struct conf *c;
	struct store *st;

	/* refused before the journal: the target is untouched */
	setup(&c, &st);
	CHECK_INT_EQ(deploy(c, st, &f, &err), -1);
	CHECK(strstr(err.buf, "stopped before the journal: lease lost to "
	    "take-over") != NULL);
	CHECK_STR_EQ(f.steps.buf, "the journal;");
	CHECK(!file_exists(DIR_ "/www/index.html"));
	CHECK(!file_exists(DIR_ "/www/style.css"));
	/* refused before the HTML: the other files only, no manifest */
	buf_reset(&f.steps);
	buf_reset(&err);
	f.fail_at = "html";
	CHECK_INT_EQ(deploy(c, st, &f, &err), -1);
	CHECK_STR_EQ(f.steps.buf, "the journal;other;html;");
	CHECK(file_exists(DIR_ "/www/style.css"));
	CHECK(!file_exists(DIR_ "/www/index.html"));
	CHECK(!file_exists(DIR_ "/www/.kiln/manifest.json"));
	/* refused before the state: every file landed, the state is not in
	   sync, so the next deploy (fenced, allowed) still has work */
	buf_reset(&f.steps);
	buf_reset(&err);
	f.fail_at = "recording the deployed state";
	CHECK_INT_EQ(deploy(c, st, &f, &err), -1);
	CHECK(file_exists(DIR_ "/www/index.html"));
	buf_reset(&f.steps);
	f.fail_at = NULL;
	CHECK_OK(deploy(c, st, &f, &err));
	CHECK(strstr(f.steps.buf, "recording the deployed state;") != NULL);
	store_close(st);
	conf_free(c);
	buf_release(&f.steps);
	buf_release(&err);
}
