/* SPDX-License-Identifier: ISC */
/*
 * cmd_import.c: `kiln import DIR` reads a Hugo-style content tree:
 * DIR/_index.md is the home page, DIR/<section>/_index.md a section page,
 * DIR/<section>/<slug>.md a page (deeper folders nest).  A file with bad
 * front matter is reported as FILE:LINE and skipped; the rest goes on;
 * the command exits 1 if anything failed.  Re-importing makes a new
 * revision only for pages whose content changed.  The whole import is one
 * transaction: a store error leaves the store as it was.
 */
#include "common/compat.h"

#include <errno.h>
#include <getopt.h>

#include "common/buf.h"
#include "common/fsutil.h"
#include "common/limits.h"
#include "common/path.h"
#include "common/walk.h"
#include "common/xmalloc.h"
#include "store/frontmatter.h"
#include "store/store.h"
#include "cli/cli.h"
#include "cli/site.h"

struct mdfile {
	char *file;	/* path on disk */
	char *page;	/* page path it becomes */
};

struct walk {
	struct mdfile *f;
	size_t n, alloc;
	size_t failed;
};

static int
cmp_mdfile(const void *a, const void *b)
{
	return strcmp(((const struct mdfile *)a)->page,
	    ((const struct mdfile *)b)->page);
}

/*
 * The Markdown files under ROOT (common/walk.h: symlinks stay inside the
 * tree, loops and dangling links are errors); -1 with err, nothing read.
 */
static int
collect(struct walk *w, const char *root, struct buf *err)
{
	struct walk_list l = WALK_LIST_INIT;

	if (walk_files(root, &l, err) == -1) {
		walk_list_release(&l);
		return -1;
	}
	for (size_t i = 0; i < l.n; i++) {
		const char *sub = l.v[i], *slash = strrchr(sub, '/');
		const char *name = slash ? slash + 1 : sub;
		size_t len = strlen(name);
		struct mdfile *m;

		if (len <= 3 || strcmp(name + len - 3, ".md") != 0)
			continue;
		if (w->n == w->alloc) {
			w->alloc = w->alloc ? w->alloc * 2 : 256;
			w->f = xreallocarray(w->f, w->alloc, sizeof(*w->f));
		}
		m = &w->f[w->n++];
		m->file = xasprintf("%s/%s", root, sub);
		if (!strcmp(name, "_index.md"))
			m->page = slash ? xstrndup(sub, (size_t)(slash - sub)) :
			    xstrdup("");
		else
			m->page = xstrndup(sub, strlen(sub) - 3);
	}
	walk_list_release(&l);
	return 0;
}

static bool
json_same(json_t *a, json_t *b)
{
	return json_equal(a, b) == 1;
}

/* import one file; 0 done, 1 skipped with a message, -1 store error */
static int
import_one(struct site *s, const struct mdfile *m, bool verbose,
    size_t *created, size_t *updated, size_t *unchanged, struct buf *err)
{
	struct buf text = BUF_INIT, why = BUF_INIT, body = BUF_INIT,
	    canon = BUF_INIT;
	struct page_fields f;
	struct page_info p;
	struct revision_info r;
	struct fm fm;
	const char *actor = cli_actor();
	int got, rc = 1;

	memset(&fm, 0, sizeof(fm));
	memset(&r, 0, sizeof(r));
	if (path_canonicalize(m->page, &canon, &why) == -1) {
		fprintf(stderr, "%s: %s\n", m->file, why.buf);
		goto out;
	}
	if (file_read(m->file, &text, LIMIT_PAGE_BODY + LIMIT_FRONT_MATTER,
	    &why) == -1) {
		fprintf(stderr, "kiln: %s\n", why.buf);
		goto out;
	}
	if (fm_parse(text.buf, text.len, m->file, &fm, &why) == -1) {
		fprintf(stderr, "%s\n", why.buf);
		goto out;
	}
	buf_add(&body, fm.body, fm.body_len);
	memset(&f, 0, sizeof(f));
	f.title = fm.title;
	f.body = body.buf;
	f.summary = fm.summary ? fm.summary : "";
	f.date = fm.date;
	f.tags = fm.tags;
	f.extra = fm.extra;
	f.template = fm.template ? fm.template : "";
	f.weight = fm.weight;
	f.has_weight = true;
	rc = -1;
	got = store_page_get(s->st, canon.buf, &p, err);
	if (got == -1)
		goto out;
	if (got == 1) {
		if (store_page_create(s->st, canon.buf, &f, actor, NULL,
		    err) == -1)
			goto out;
		(*created)++;
		if (!fm.draft && store_page_publish(s->st, canon.buf, 0, actor,
		    err) == -1)
			goto out;
		if (verbose)
			printf("created %s\n", canon.buf[0] ? canon.buf : "/");
		rc = 0;
		goto out;
	}
	if (store_revision_get(s->st, p.latest_revision, &r, err) == -1) {
		page_info_release(&p);
		goto out;
	}
	if (!strcmp(r.title, f.title) && !strcmp(r.body, f.body) &&
	    !strcmp(r.summary, f.summary) && r.date == f.date &&
	    json_same(r.tags, f.tags) && json_same(r.extra, f.extra) &&
	    p.weight == f.weight && !strcmp(p.template, f.template) &&
	    (fm.draft || (p.live && !p.has_unpublished_changes))) {
		(*unchanged)++;
		page_info_release(&p);
		rc = 0;
		goto out;
	}
	if (store_page_edit(s->st, canon.buf, &f, actor, err) == -1 ||
	    (!fm.draft && store_page_publish(s->st, canon.buf, 0, actor,
	    err) == -1)) {
		page_info_release(&p);
		goto out;
	}
	(*updated)++;
	if (verbose)
		printf("updated %s\n", canon.buf[0] ? canon.buf : "/");
	page_info_release(&p);
	rc = 0;
out:
	fm_release(&fm);
	revision_info_release(&r);
	buf_release(&text);
	buf_release(&why);
	buf_release(&body);
	buf_release(&canon);
	return rc;
}

int
site_import(struct site *s, const char *dir, bool verbose, size_t *failed,
    struct buf *err)
{
	struct walk w = { NULL, 0, 0, 0 };
	size_t created = 0, updated = 0, unchanged = 0;
	char nfiles[32];
	int rc = -1, r;

	if (!dir_exists(dir)) {
		buf_setf(err, "cannot import '%s': not a folder", dir);
		return -1;
	}
	if (collect(&w, dir, err) == -1) {
		buf_adds(err, " (nothing was imported)");
		goto out;
	}
	if (w.n)
		qsort(w.f, w.n, sizeof(*w.f), cmp_mdfile);
	if (store_begin(s->st, err) == -1)
		goto out;
	for (size_t i = 0; i < w.n; i++) {
		if (i > 0 && !strcmp(w.f[i].page, w.f[i - 1].page)) {
			fprintf(stderr, "kiln: %s: page '%s' is also "
			    "imported from '%s'\n", w.f[i].file, w.f[i].page,
			    w.f[i - 1].file);
			w.failed++;
			continue;
		}
		r = import_one(s, &w.f[i], verbose, &created, &updated,
		    &unchanged, err);
		if (r == -1) {
			buf_printf(err, " (importing '%s'; nothing was "
			    "imported)", w.f[i].file);
			store_rollback(s->st);
			goto out;
		}
		if (r == 1)
			w.failed++;
	}
	if (store_commit(s->st, err) == -1)
		goto out;
	cli_info("imported %s: %zu created, %zu updated, %zu unchanged, "
	    "%zu failed\n", cli_count(nfiles, sizeof(nfiles), (long long)w.n,
	    "file", NULL), created, updated, unchanged, w.failed);
	*failed = w.failed;
	rc = 0;
out:
	for (size_t i = 0; i < w.n; i++) {
		free(w.f[i].file);
		free(w.f[i].page);
	}
	free(w.f);
	return rc;
}

static const char *const import_examples[] = {
	"kiln import ~/old-site/content", "kiln import -v content", NULL
};

const struct cli_cmd cli_cmd_import = {
	"import", "DIR", "Import a Hugo-style content tree into the store.",
	"DIR/_index.md is the home page, DIR/S/_index.md a section, "
	"DIR/S/SLUG.md a page. YAML front matter: title (required), date, "
	"draft, tags, summary, weight, template; any other key is kept as a "
	"param. Bad files are reported FILE:LINE: key: reason and skipped; "
	"the exit status is 1 if any failed. Re-importing makes revisions "
	"only for pages that changed. -v names every page imported.",
	NULL, import_examples, NULL, cmd_import, false
};

int
cmd_import(int argc, char **argv)
{
	struct buf err = BUF_INIT;
	struct site s;
	size_t failed = 0;
	int rc;

	if (cli_getopt(&cli_cmd_import, argc, argv) != -1 ||
	    optind != argc - 1)
		return cli_bad_usage(&cli_cmd_import);
	if (site_open(&s, &err) == -1) {
		rc = cli_fail(&err);
		buf_release(&err);
		return rc;
	}
	if (site_import(&s, argv[optind], cli_out.verbose > 0, &failed,
	    &err) == -1)
		rc = cli_fail(&err);
	else
		rc = failed ? EXIT_FAIL : EXIT_OK;
	site_close(&s);
	buf_release(&err);
	return rc;
}
