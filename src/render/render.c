/* SPDX-License-Identifier: ISC */
/*
 * render.c: snapshot -> site (see render.h).
 *
 * Order of work: snapshot; templates parsed once (a tmpl_set over the
 * site's templates/ folder); static assets and media hashed and written
 * under content-hash names, giving a map from original URL to hashed URL;
 * the page model (tree, children, breadcrumbs, summaries, collections);
 * pages rendered in parallel, each keyed by sha256(template set, context)
 * and linked from the previous build when the key is unchanged; then the
 * whole-site outputs (sitemap, robots, feeds, 404); then the manifest and
 * the dependency record; then the folder swap.
 *
 * References to static files and media in rendered HTML and CSS
 * ("/css/site.css", url(/img/x.png)) are rewritten to their hashed names,
 * so templates and content name assets by their source path.
 */
#include "common/compat.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include <jansson.h>

#include "common/arena.h"
#include "common/buf.h"
#include "common/fsutil.h"
#include "common/hash.h"
#include "common/limits.h"
#include "common/log.h"
#include "common/manifest.h"
#include "common/path.h"
#include "common/timeutil.h"
#include "common/utf8.h"
#include "common/walk.h"
#include "common/xmalloc.h"
#include "conf/conf.h"
#include "render/mdr.h"
#include "render/outdir.h"
#include "render/render.h"
#include "render/tmpl.h"
#include "store/store.h"

#define CC_HTML		"public, max-age=60"
#define CC_FEED		"public, max-age=300"
#define CC_IMMUTABLE	"public, max-age=31536000, immutable"
#define SUMMARY_MAX	200

enum pkind { PK_HOME, PK_SECTION, PK_PAGE };

struct rpage {
	const struct snap_page *sp;
	enum pkind kind;
	char *url;		/* "/news/a/" */
	char *out;		/* "news/a/index.html" */
	size_t parent;		/* index, or SIZE_MAX */
	size_t *kids;		/* sorted children */
	size_t nkids, akids;
	char *excerpt;		/* the summary text */
	json_t *summary;	/* list entry: made when first needed
				   (summary_of) */
	char sumhash[65];	/* sha256 of the summary's fields */
	char pagekey[65];	/* what its outputs share: sections and
				   page JSON only (page_key) */
};

struct asset {
	char *from;		/* "/css/site.css" */
	char *to;		/* "/css/site.3fa9c1e2.css" */
};

/* one output file of the build */
struct outfile {
	char *path;
	char sha[65];
	int64_t size;
	enum manifest_kind kind;
	bool immutable;
	char key[65];		/* page outputs: incremental key, else "" */
};

/* outputs recorded by one thread: the main one, or a page worker */
struct filelist {
	struct outfile *v;
	size_t n, alloc;
};

struct loader {
	const char *dir;
};

struct build {
	const struct conf *c;
	struct render_result *res;
	const char *build_id;
	struct buf *log;
	char *site_dir, *tmpl_dir, *static_dir;
	struct outslot slot;	/* slot.standby is written, slot.live read */
	int64_t now;
	struct snapshot snap;
	struct rpage *pages;
	size_t npages;
	struct asset *assets;
	size_t nassets, aassets;
	struct loader loader;
	struct tmpl_set *set;
	char tmpl_hash[65];
	json_t *site;		/* the site object of every context */
	json_t *collections;	/* NAME -> [summaries] */
	char globhash[65];	/* templates, site, collections, assets */
	const char *kind_template[3];	/* by enum pkind: home, section, page */
	struct filelist files;	/* every output; workers merge theirs */
	pthread_mutex_t mu;
	pthread_mutex_t summary_mu;	/* guards rpage.summary */
	/* page workers */
	atomic_size_t next;
	struct outfile *page_files;	/* one per page (+ json) */
	struct buf err;		/* first worker error */
	bool failed;
	bool full;
	bool remember;		/* render_opts.remember */
};

/* ---- small helpers ---- */

/* record output PATH in L (KEY: its incremental key, or NULL) */
static void
add_file(struct filelist *l, const char *path, const char *sha, int64_t size,
    enum manifest_kind kind, bool immutable, const char *key)
{
	struct outfile *f;

	if (l->n == l->alloc) {
		l->alloc = l->alloc ? l->alloc * 2 : 256;
		l->v = xreallocarray(l->v, l->alloc, sizeof(*f));
	}
	f = &l->v[l->n++];
	memset(f, 0, sizeof(*f));
	f->path = xstrdup(path);
	strlcpy(f->sha, sha, sizeof(f->sha));
	f->size = size;
	f->kind = kind;
	f->immutable = immutable;
	if (key)
		strlcpy(f->key, key, sizeof(f->key));
}

/* move the outputs of FROM (a worker's) to the build's list */
static void
merge_files(struct build *b, struct filelist *from)
{
	pthread_mutex_lock(&b->mu);
	if (b->files.n + from->n > b->files.alloc) {
		b->files.alloc = b->files.n + from->n;
		b->files.v = xreallocarray(b->files.v, b->files.alloc,
		    sizeof(*b->files.v));
	}
	if (from->n)
		memcpy(b->files.v + b->files.n, from->v, from->n *
		    sizeof(*from->v));
	b->files.n += from->n;
	pthread_mutex_unlock(&b->mu);
	free(from->v);
	memset(from, 0, sizeof(*from));
}

/*
 * Put DATA (whose SHA-256 is SHA) at PATH in the standby folder, unless
 * the standby already holds exactly that.
 */
static int
put_output(struct build *b, const char *path, const char *data, size_t len,
    const char *sha, struct buf *err)
{
	const struct outrec_ent *e = outrec_find(&b->slot.standby_rec, path);

	if (e && e->size == (int64_t)len && !strcmp(e->sha, sha))
		return 0;
	return slot_write(b->slot.standby, path, data, len, err);
}

/* write DATA as output PATH of the new folder and record it */
static int
emit(struct build *b, const char *path, const char *data, size_t len,
    enum manifest_kind kind, bool immutable, struct buf *err)
{
	char sha[65];

	sha256_hex(data, len, sha);
	if (put_output(b, path, data, len, sha, err) == -1)
		return -1;
	add_file(&b->files, path, sha, (int64_t)len, kind, immutable, NULL);
	return 0;
}

static int
cmp_asset(const void *a, const void *b)
{
	return strcmp(((const struct asset *)a)->from,
	    ((const struct asset *)b)->from);
}

static const char *
asset_lookup(struct build *b, const char *from, size_t len)
{
	size_t lo = 0, hi = b->nassets;

	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		const char *f = b->assets[mid].from;
		int c = strncmp(f, from, len);
		if (c == 0 && f[len] != '\0')
			c = 1;
		if (c == 0)
			return b->assets[mid].to;
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

/*
 * "/" + BASE + "/" + REF with "." and ".." folded, into out; -1 if it
 * climbs above the root.
 */
static int
resolve_rel(const char *base, const char *ref, size_t len, struct buf *out)
{
	struct buf joined = BUF_INIT;
	size_t seg[64], n = 0;
	const char *p;
	int rc = 0;

	buf_printf(&joined, "%s/%.*s", base, (int)len, ref);
	buf_adds(out, "");
	p = joined.buf;
	while (*p) {
		size_t l = strcspn(p, "/");
		if (l == 2 && p[0] == '.' && p[1] == '.') {
			if (n == 0) {
				rc = -1;
				break;
			}
			buf_setlen(out, seg[--n]);
		} else if (l > 0 && !(l == 1 && p[0] == '.')) {
			if (n == NELEM(seg)) {
				rc = -1;
				break;
			}
			seg[n++] = out->len;
			buf_addch(out, '/');
			buf_add(out, p, l);
		}
		p += l;
		if (*p == '/')
			p++;
	}
	buf_release(&joined);
	return rc;
}

/*
 * Copy IN to out with every reference to a known asset ("/x", '/x',
 * (/x) or relative to BASE in CSS) replaced by its hashed URL.
 */
static void
rewrite_refs(struct build *b, const char *in, size_t len, const char *base,
    struct buf *out)
{
	size_t i = 0, start = 0;

	while (i + 1 < len) {
		char c = in[i];
		size_t s, e;
		const char *to;

		if (!(c == '"' || c == '\'' || c == '(') || in[i + 1] == ' ') {
			i++;
			continue;
		}
		s = i + 1;
		if (c == '(' && (in[s] == '"' || in[s] == '\''))
			s++;
		e = s;
		while (e < len && !strchr("\"'()?# \n\t<>", in[e]))
			e++;
		to = NULL;
		if (e > s && in[s] == '/')
			to = asset_lookup(b, in + s, e - s);
		else if (e > s && base && c == '(' && !memchr(in + s, ':',
		    e - s)) {
			/* a relative url() in CSS: resolve against BASE */
			struct buf abs = BUF_INIT;
			if (resolve_rel(base, in + s, e - s, &abs) == 0)
				to = asset_lookup(b, abs.buf, abs.len);
			buf_release(&abs);
		}
		if (to) {
			buf_add(out, in + start, s - start);
			buf_adds(out, to);
			start = i = e;
		} else
			i = s > i + 1 ? s : i + 1;
	}
	buf_add(out, in + start, len - start);
}

/* "css/site.css" + sha -> "css/site.3fa9c1e2.css" */
static char *
hashed_name(const char *rel, const char *sha)
{
	const char *slash = strrchr(rel, '/');
	const char *dot = strrchr(rel, '.');

	if (!dot || (slash && dot < slash) || dot == (slash ? slash + 1 : rel))
		return xasprintf("%s.%.8s", rel, sha);
	return xasprintf("%.*s.%.8s%s", (int)(dot - rel), rel, sha, dot);
}

static void
add_asset(struct build *b, const char *from, const char *to)
{
	if (b->nassets == b->aassets) {
		b->aassets = b->aassets ? b->aassets * 2 : 64;
		b->assets = xreallocarray(b->assets, b->aassets,
		    sizeof(*b->assets));
	}
	b->assets[b->nassets].from = xasprintf("/%s", from);
	b->assets[b->nassets].to = xasprintf("/%s", to);
	b->nassets++;
}

/* ---- static assets and media ---- */

/* the files under ROOT (common/walk.h: symlinks stay inside it) */
static int
list_files(const char *root, char ***out, size_t *n, struct buf *err)
{
	struct walk_list l = WALK_LIST_INIT;

	if (walk_files(root, &l, err) == -1) {
		walk_list_release(&l);
		return -1;
	}
	*out = l.v;
	*n = l.n;
	return 0;
}

static bool
is_css(const char *p)
{
	size_t n = strlen(p);

	return n > 4 && !strcmp(p + n - 4, ".css");
}

static int
do_assets(struct build *b, struct buf *err)
{
	char **files = NULL, sha[65];
	size_t n = 0;
	struct buf data = BUF_INIT, rw = BUF_INIT;
	int rc = -1;

	if (list_files(b->static_dir, &files, &n, err) == -1)
		goto out;
	/* media first, then non-CSS statics, then CSS (which names them) */
	for (size_t i = 0; i < b->snap.nmedia; i++) {
		const struct media_info *m = &b->snap.media[i];
		char *rel = xasprintf("media/%s", m->name);
		char *to = hashed_name(rel, m->sha256);
		const struct outrec_ent *e = outrec_find(&b->slot.standby_rec,
		    to);
		if (!(e && !strcmp(e->sha, m->sha256) && e->size == m->size) &&
		    slot_link(m->file, b->slot.standby, to, err) == -1) {
			free(rel);
			free(to);
			goto out;
		}
		add_file(&b->files, to, m->sha256, m->size, MK_MEDIA, true,
		    NULL);
		add_asset(b, rel, to);
		free(rel);
		free(to);
	}
	for (int pass = 0; pass < 2; pass++) {
		for (size_t i = 0; i < n; i++) {
			char *src, *to, *dir;
			if (is_css(files[i]) != (pass == 1))
				continue;
			src = xasprintf("%s/%s", b->static_dir, files[i]);
			if (file_read(src, &data, LIMIT_MEDIA_FILE, err) == -1) {
				free(src);
				goto out;
			}
			free(src);
			if (pass == 1) {
				if (b->nassets)
					qsort(b->assets, b->nassets,
					    sizeof(*b->assets), cmp_asset);
				dir = xstrdup(files[i]);
				if (strrchr(dir, '/'))
					*strrchr(dir, '/') = '\0';
				else
					dir[0] = '\0';
				buf_reset(&rw);
				rewrite_refs(b, data.buf, data.len, dir, &rw);
				free(dir);
				buf_reset(&data);
				buf_add(&data, rw.buf, rw.len);
			}
			sha256_hex(data.buf, data.len, sha);
			to = hashed_name(files[i], sha);
			if (emit(b, to, data.buf, data.len, MK_ASSET, true,
			    err) == -1) {
				free(to);
				goto out;
			}
			add_asset(b, files[i], to);
			free(to);
		}
	}
	if (b->nassets)
		qsort(b->assets, b->nassets, sizeof(*b->assets), cmp_asset);
	rc = 0;
out:
	for (size_t i = 0; i < n; i++)
		free(files[i]);
	free(files);
	buf_release(&data);
	buf_release(&rw);
	return rc;
}

/* ---- templates ---- */


static int
load_template(void *arg, const char *name, struct buf *src, struct buf *err)
{
	struct loader *l = arg;
	struct buf clean = BUF_INIT, why = BUF_INIT;
	char *f1 = NULL, *f2 = NULL;
	int rc = 1;

	if (path_clean_rel(name, &clean, &why) == -1)
		goto out;
	f1 = xasprintf("%s/%s.mustache", l->dir, clean.buf);
	f2 = xasprintf("%s/partials/%s.mustache", l->dir, clean.buf);
	if (file_exists(f1))
		rc = file_read(f1, src, LIMIT_TEMPLATE, err) == -1 ? -1 : 0;
	else if (file_exists(f2))
		rc = file_read(f2, src, LIMIT_TEMPLATE, err) == -1 ? -1 : 0;
out:
	buf_release(&clean);
	buf_release(&why);
	free(f1);
	free(f2);
	return rc;
}

/*
 * The template set names templates "templates/NAME.mustache" in errors:
 * parse every file of the folder up front, so every error shows at once
 * and the set is complete before threads share it.
 */
static int
load_templates(const char *dir, struct tmpl_set *set, char hash[65],
    struct buf *err)
{
	char **files = NULL;
	size_t n = 0;
	struct buf src = BUF_INIT, all = BUF_INIT, one = BUF_INIT;
	int rc = 0;

	if (list_files(dir, &files, &n, err) == -1)
		rc = -1;
	for (size_t i = 0; i < n; i++) {
		size_t len = strlen(files[i]);
		char *path, *name, *shown;
		if (len < 10 || strcmp(files[i] + len - 9, ".mustache") != 0) {
			free(files[i]);
			continue;
		}
		path = xasprintf("%s/%s", dir, files[i]);
		name = xstrndup(files[i], len - 9);
		if (!strncmp(name, "partials/", 9))
			memmove(name, name + 9, strlen(name + 9) + 1);
		shown = xasprintf("templates/%s", files[i]);
		buf_reset(&one);
		if (file_read(path, &src, LIMIT_TEMPLATE, &one) == -1 ||
		    tmpl_set_add(set, name, src.buf, src.len, &one) == -1) {
			/* name the file the way the author knows it */
			const char *msg = one.buf;
			if (!strncmp(msg, name, strlen(name)) &&
			    msg[strlen(name)] == ':')
				msg += strlen(name);
			buf_printf(err, "%s%s%s", rc ? "\n" : "", shown,
			    msg[0] == ':' ? msg : ": ");
			if (msg[0] != ':')
				buf_adds(err, msg);
			rc = -1;
		}
		buf_printf(&all, "%s\n%zu\n", files[i], src.len);
		buf_add(&all, src.buf, src.len);
		free(path);
		free(name);
		free(shown);
		free(files[i]);
	}
	free(files);
	sha256_hex(all.buf, all.len, hash);
	buf_release(&src);
	buf_release(&all);
	buf_release(&one);
	return rc;
}

int
render_check_templates(const struct conf *c, struct buf *err)
{
	char *dir = conf_path(c, "templates"), hash[65];
	struct tmpl_set *set = tmpl_set_new(NULL, NULL);
	int rc;

	rc = load_templates(dir, set, hash, err);
	if (rc == 0 && !tmpl_set_get(set, "page", err)) {
		buf_setf(err, "templates/page.mustache: missing (every site "
		    "needs a page template)");
		rc = -1;
	}
	tmpl_set_free(set);
	free(dir);
	return rc;
}

/* ---- the page model ---- */

static size_t
find_page(struct build *b, const char *path)
{
	size_t lo = 0, hi = b->npages;

	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		int c = strcmp(b->pages[mid].sp->path, path);
		if (c == 0)
			return mid;
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return SIZE_MAX;
}

static json_t *
date_json(int64_t t)
{
	char iso[32], human[64], year[16];

	if (!t)
		return json_null();
	time_format_iso8601(t, iso, sizeof(iso));
	time_format(t, "%e %B %Y", human, sizeof(human));
	time_format(t, "%Y", year, sizeof(year));
	return json_pack("{s:s, s:s, s:s}", "iso", iso, "human",
	    human[0] == ' ' ? human + 1 : human, "year", year);
}

/*
 * Page P's summary text and the hash of what its entry in listings and
 * collections holds: SHA-256 over the fields, each followed by NUL so
 * that no field can run into the next.  The entry itself is made only
 * for the pages a build needs (summary_of).
 */
static void
make_summary(struct build *b, size_t i, struct buf *g)
{
	struct rpage *p = &b->pages[i];
	const struct snap_page *sp = p->sp;
	const char *text[] = { sp->title, p->url, sp->path, sp->section,
	    sp->tags_json, sp->extra_json };
	struct buf ex = BUF_INIT;

	if (sp->summary[0])
		buf_adds(&ex, sp->summary);
	else {
		/* the snapshot has the bodies of pages without a summary */
		struct buf err = BUF_INIT;
		const char *body = snapshot_body(&b->snap, i, &err);
		if (body)
			mdr_excerpt(body, strlen(body), SUMMARY_MAX, &ex);
		buf_release(&err);
	}
	buf_reset(g);
	for (size_t k = 0; k < NELEM(text); k++)
		buf_add(g, text[k], strlen(text[k]) + 1);
	buf_add_i64(g, sp->date);
	buf_add_i64(g, sp->weight);
	buf_add(g, ex.buf, ex.len);
	sha256_hex(g->buf, g->len, p->sumhash);
	p->excerpt = buf_detach(&ex, NULL);
}

/* page I's entry in listings and collections (borrowed) */
static json_t *
summary_of(struct build *b, size_t i)
{
	struct rpage *p = &b->pages[i];
	const struct snap_page *sp = p->sp;
	json_t *s;

	pthread_mutex_lock(&b->summary_mu);
	if ((s = p->summary) == NULL)
		s = p->summary = json_pack("{s:s, s:s, s:s, s:s, s:o, s:s, "
		    "s:O, s:O, s:i}", "title", sp->title, "url", p->url,
		    "path", sp->path, "section", sp->section, "date",
		    date_json(sp->date), "summary", p->excerpt, "tags",
		    snapshot_tags(&b->snap, i), "params",
		    snapshot_extra(&b->snap, i), "weight", sp->weight);
	pthread_mutex_unlock(&b->summary_mu);
	return s;
}

/* make_summary for every page, on the build's threads */
static void *
summary_worker(void *arg)
{
	struct build *b = arg;
	struct buf g = BUF_INIT;
	size_t i;

	while ((i = atomic_fetch_add(&b->next, 1)) < b->npages)
		make_summary(b, i, &g);
	buf_release(&g);
	return NULL;
}

/* run FN(B) on the build's threads (build.threads, else one per core) */
static void
run_threads(struct build *b, void *(*fn)(void *))
{
	long cores = sysconf(_SC_NPROCESSORS_ONLN);
	int n = b->c->build.threads ? b->c->build.threads : (int)cores;
	pthread_t th[64];

	if (n < 1)
		n = 1;
	if (n > 64)
		n = 64;
	atomic_store(&b->next, 0);
	for (int k = 0; k < n; k++)
		if (pthread_create(&th[k], NULL, fn, b) != 0) {
			n = k;
			break;
		}
	if (n == 0)
		fn(b);
	for (int k = 0; k < n; k++)
		pthread_join(th[k], NULL);
}

static struct build *sort_build;	/* qsort has no argument */

static int
cmp_children(const void *x, const void *y)
{
	const struct snap_page *a = sort_build->pages[*(const size_t *)x].sp;
	const struct snap_page *c = sort_build->pages[*(const size_t *)y].sp;
	int r;

	if (a->weight != c->weight)
		return a->weight < c->weight ? -1 : 1;
	if (a->date != c->date)
		return a->date > c->date ? -1 : 1;
	if ((r = strcmp(a->title, c->title)) != 0)
		return r;
	return strcmp(a->path, c->path);
}

/*
 * As Hugo does: a site without a root page still gets its home page
 * (the home template, empty content, the site's title), and a top-level
 * folder of pages without an _index.md still gets its section listing
 * (titled from its name: "road-works" is "Road works").  Without them,
 * every "home" link of an imported tree without content/_index.md was
 * broken.
 */
static bool
snap_find(const struct snapshot *sn, const char *path)
{
	size_t lo = 0, hi = sn->npages;

	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		int c = strcmp(sn->pages[mid].path, path);
		if (c == 0)
			return true;
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return false;
}

static void
add_missing_pages(struct build *b)
{
	struct snapshot *sn = &b->snap;
	char **paths = xcalloc(sn->npages + 1, sizeof(*paths));
	char **titles = xcalloc(sn->npages + 1, sizeof(*titles));
	size_t n = 0;

	if (!sn->npages || sn->pages[0].path[0] != '\0') {
		paths[n] = xstrdup("");
		titles[n++] = xstrdup(b->c->site.title);
	}
	/* sorted by path: the pages of a section come together */
	for (size_t i = 0, real = sn->npages; i < real; i++) {
		const char *path = sn->pages[i].path;
		size_t len = strcspn(path, "/");
		char *t;
		if (!path[len] || (n > 0 && strlen(paths[n - 1]) == len &&
		    !strncmp(paths[n - 1], path, len)))
			continue;
		t = xstrndup(path, len);
		if (snap_find(sn, t)) {
			free(t);
			continue;
		}
		free(t);
		paths[n] = xstrndup(path, len);
		titles[n] = t = xstrdup(paths[n]);
		for (char *c = t; *c; c++)
			if (*c == '-' || *c == '_')
				*c = ' ';
		if (*t >= 'a' && *t <= 'z')
			*t = (char)(*t - 'a' + 'A');
		n++;
	}
	snapshot_add_virtual(sn, (const char *const *)paths,
	    (const char *const *)titles, n);
	for (size_t i = 0; i < n; i++) {
		free(paths[i]);
		free(titles[i]);
	}
	free(paths);
	free(titles);
}

static void
build_model(struct build *b)
{
	b->npages = b->snap.npages;
	b->pages = xcalloc(b->npages ? b->npages : 1, sizeof(*b->pages));
	for (size_t i = 0; i < b->npages; i++) {
		struct rpage *p = &b->pages[i];
		p->sp = &b->snap.pages[i];
		p->parent = SIZE_MAX;
		if (p->sp->path[0] == '\0') {
			p->url = xstrdup("/");
			p->out = xstrdup("index.html");
		} else {
			p->url = xasprintf("/%s/", p->sp->path);
			p->out = xasprintf("%s/index.html", p->sp->path);
		}
	}
	/* parents: the nearest live ancestor (the home page for top level) */
	for (size_t i = 0; i < b->npages; i++) {
		struct rpage *p = &b->pages[i];
		char *anc = xstrdup(p->sp->path), *slash;
		if (!anc[0]) {
			free(anc);
			continue;
		}
		for (;;) {
			slash = strrchr(anc, '/');
			if (slash)
				*slash = '\0';
			else
				anc[0] = '\0';
			if ((p->parent = find_page(b, anc)) != SIZE_MAX ||
			    !anc[0])
				break;
		}
		free(anc);
		if (p->parent != SIZE_MAX) {
			struct rpage *q = &b->pages[p->parent];
			if (q->nkids == q->akids) {
				q->akids = q->akids ? q->akids * 2 : 8;
				q->kids = xreallocarray(q->kids, q->akids,
				    sizeof(*q->kids));
			}
			q->kids[q->nkids++] = i;
		}
	}
	sort_build = b;
	for (size_t i = 0; i < b->npages; i++) {
		struct rpage *p = &b->pages[i];
		if (p->nkids > 1)
			qsort(p->kids, p->nkids, sizeof(*p->kids),
			    cmp_children);
		p->kind = !p->sp->path[0] ? PK_HOME : p->nkids ? PK_SECTION :
		    PK_PAGE;
	}
	run_threads(b, summary_worker);
}

/* a collection item's sort or date value: date, title, weight, path, params.K */
static json_t *
field_of(struct build *b, size_t i, const char *field)
{
	if (!strncmp(field, "params.", 7))
		return json_object_get(snapshot_extra(&b->snap, i), field + 7);
	return json_object_get(summary_of(b, i), field);
}

static int64_t
field_time(struct build *b, size_t i, const struct conf_collection *cc)
{
	json_t *v;
	int64_t t;

	if (!cc->date_param)
		return b->pages[i].sp->date;
	v = json_object_get(snapshot_extra(&b->snap, i), cc->date_param);
	if (json_is_string(v) && time_parse_iso8601(json_string_value(v),
	    &t) == 0)
		return t;
	return 0;
}

static const struct conf_collection *sort_cc;

static int
cmp_coll(const void *x, const void *y)
{
	const struct rpage *a = &sort_build->pages[*(const size_t *)x];
	const struct rpage *c = &sort_build->pages[*(const size_t *)y];
	int r = 0;

	switch (sort_cc->sort_by) {
	case CONF_SORT_DATE:
		r = a->sp->date < c->sp->date ? -1 : a->sp->date > c->sp->date;
		break;
	case CONF_SORT_TITLE:
		r = strcmp(a->sp->title, c->sp->title);
		break;
	case CONF_SORT_WEIGHT:
		r = a->sp->weight < c->sp->weight ? -1 :
		    a->sp->weight > c->sp->weight;
		break;
	case CONF_SORT_PATH:
		break;
	case CONF_SORT_PARAM: {
		json_t *va = field_of(sort_build, *(const size_t *)x,
		    sort_cc->sort);
		json_t *vc = field_of(sort_build, *(const size_t *)y,
		    sort_cc->sort);
		if (json_is_string(va) && json_is_string(vc))
			r = strcmp(json_string_value(va),
			    json_string_value(vc));
		else if (json_is_number(va) && json_is_number(vc))
			r = json_number_value(va) < json_number_value(vc) ?
			    -1 : json_number_value(va) > json_number_value(vc);
		else
			r = (va != NULL) - (vc != NULL);
		break;
	}
	}
	if (sort_cc->order == CONF_ORDER_DESC)
		r = -r;
	if (r == 0)
		r = strcmp(a->sp->path, c->sp->path);
	return r;
}

static void
build_collections(struct build *b)
{
	b->collections = json_object();
	for (size_t k = 0; k < b->c->ncollections; k++) {
		const struct conf_collection *cc = &b->c->collections[k];
		size_t *sel = xcalloc(b->npages + 1, sizeof(*sel)), n = 0;
		size_t plen = strlen(cc->section);
		json_t *arr = json_array();

		for (size_t i = 0; i < b->npages; i++) {
			const struct rpage *p = &b->pages[i];
			int64_t t;
			if (strncmp(p->sp->path, cc->section, plen) != 0 ||
			    p->sp->path[plen] != '/' || p->kind != PK_PAGE)
				continue;
			t = field_time(b, i, cc);
			if (cc->filter != CONF_FILTER_ALL) {
				/* at its own start time an event has begun */
				bool upcoming = t && t > b->now;
				/* the next moment this collection changes */
				if (t > b->now && (!b->res->next_change ||
				    t < b->res->next_change))
					b->res->next_change = t;
				if (!t || upcoming != (cc->filter ==
				    CONF_FILTER_UPCOMING))
					continue;
			}
			sel[n++] = i;
		}
		sort_build = b;
		sort_cc = cc;
		if (n > 1)
			qsort(sel, n, sizeof(*sel), cmp_coll);
		for (size_t i = 0; i < n && (!cc->limit ||
		    i < (size_t)cc->limit); i++)
			json_array_append(arr, summary_of(b, sel[i]));
		json_object_set_new(b->collections, cc->name, arr);
		free(sel);
	}
}

static void
build_site(struct build *b)
{
	json_t *sections = json_array(), *feeds = json_array();
	size_t home = find_page(b, "");

	for (size_t i = 0; i < b->npages; i++) {
		const struct rpage *p = &b->pages[i];
		if (p->sp->path[0] && p->parent == home &&
		    !strchr(p->sp->path, '/'))
			json_array_append_new(sections, json_pack(
			    "{s:s, s:s, s:s}", "title", p->sp->title, "url",
			    p->url, "name", p->sp->path));
	}
	for (size_t k = 0; k < b->c->ncollections; k++) {
		char *u;
		if (!b->c->collections[k].feed)
			continue;
		u = xasprintf("/feeds/%s.xml", b->c->collections[k].name);
		json_array_append_new(feeds, json_pack("{s:s, s:s}", "name",
		    b->c->collections[k].name, "url", u));
		free(u);
	}
	b->site = json_pack("{s:s, s:s, s:s, s:s, s:s, s:o, s:o, s:{s:s}}",
	    "title", b->c->site.title, "base_url", b->c->site.base_url,
	    "description", b->c->site.description, "language",
	    b->c->site.language, "author", b->c->site.author, "sections",
	    sections, "feeds", feeds, "build", "generator", "kiln");
}

static json_t *
link_json(const struct rpage *p)
{
	return json_pack("{s:s, s:s}", "title", p->sp->title, "url", p->url);
}

/* the context of page I, pagination page PG (1-based; 0 = none) */
static json_t *
page_context(struct build *b, json_t *site, json_t *colls, size_t i, int pg,
    int npg, const char *content)
{
	const struct rpage *p = &b->pages[i];
	const struct snap_page *sp = p->sp;
	json_t *page, *kids = json_array(), *crumbs = json_array(), *ctx;
	char *permalink = xasprintf("%s%s", b->c->site.base_url, p->url);
	size_t a;

	for (size_t k = 0; k < p->nkids; k++)
		json_array_append(kids, summary_of(b, p->kids[k]));
	for (a = p->parent; a != SIZE_MAX; a = b->pages[a].parent)
		json_array_insert_new(crumbs, 0, link_json(&b->pages[a]));
	page = json_pack("{s:s, s:s, s:s, s:s, s:s, s:o, s:s, s:s, s:O, s:O, "
	    "s:o, s:o, s:o, s:b, s:b, s:b, s:s, s:o, s:o}",
	    "title", sp->title, "url", p->url, "path", sp->path, "section",
	    sp->section, "slug", sp->slug, "date", date_json(sp->date),
	    "summary", p->excerpt, "content", content, "tags",
	    snapshot_tags(&b->snap, i), "params", snapshot_extra(&b->snap, i),
	    "parent", p->parent == SIZE_MAX ? json_null() :
	    link_json(&b->pages[p->parent]), "children", kids,
	    "breadcrumbs", crumbs, "is_home", p->kind == PK_HOME,
	    "is_section", p->kind == PK_SECTION, "has_children",
	    p->nkids > 0, "permalink", permalink,
	    "first_published", date_json(sp->first_published_at),
	    "last_published", date_json(sp->last_published_at));
	free(permalink);
	ctx = json_pack("{s:O, s:o, s:O}", "site", site, "page", page,
	    "collections", colls);
	if (pg > 0) {
		json_t *pages = json_array(), *items = json_array();
		size_t ps = (size_t)b->c->build.page_size;
		char *prev = NULL, *next = NULL;
		for (int k = 1; k <= npg; k++) {
			char *u = k == 1 ? xstrdup(p->url) :
			    xasprintf("%spage/%d/", p->url, k);
			json_array_append_new(pages, json_pack("{s:i, s:s, "
			    "s:b}", "number", k, "url", u, "current", k == pg));
			if (k == pg - 1)
				prev = xstrdup(u);
			if (k == pg + 1)
				next = xstrdup(u);
			free(u);
		}
		for (size_t k = (size_t)(pg - 1) * ps; k < p->nkids &&
		    k < (size_t)pg * ps; k++)
			json_array_append(items, summary_of(b, p->kids[k]));
		json_object_set_new(ctx, "pagination", json_pack("{s:o, s:i, "
		    "s:i, s:o, s:o, s:o}", "pages", pages, "current", pg,
		    "total", npg, "prev_url", prev ? json_string(prev) :
		    json_null(), "next_url", next ? json_string(next) :
		    json_null(), "items", items));
		free(prev);
		free(next);
	}
	return ctx;
}

static const char *
template_for(struct build *b, const struct rpage *p, struct buf *err)
{
	const char *name = p->sp->template;

	if (!name[0])
		return b->kind_template[p->kind];
	if (tmpl_set_get(b->set, name, err))
		return name;
	buf_setf(err, "page '/%s': template '%s' does not exist", p->sp->path,
	    name);
	return NULL;
}

/* the template of each kind of page without one of its own */
static void
default_templates(struct build *b)
{
	static const char *const names[] = { [PK_HOME] = "home",
	    [PK_SECTION] = "section", [PK_PAGE] = "page" };
	struct buf ignored = BUF_INIT;

	for (size_t k = 0; k < NELEM(names); k++)
		b->kind_template[k] = tmpl_set_get(b->set, names[k],
		    &ignored) ? names[k] : "page";
	buf_release(&ignored);
}

/* ---- rendering pages ---- */

/* what every page's context shares: templates, site, collections, assets */
static void
global_hash(struct build *b)
{
	struct buf g = BUF_INIT;
	char *site = json_dumps(b->site, JSON_COMPACT | JSON_SORT_KEYS);
	char *colls = json_dumps(b->collections, JSON_COMPACT |
	    JSON_SORT_KEYS);

	buf_printf(&g, "%s\n%s\n%s\n", b->tmpl_hash, site, colls);
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
static int
reuse_output(struct build *b, struct filelist *l, const char *path,
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
	add_file(l, path, e->sha, e->size, kind, false, key);
	return 1;
}

/* what one page worker thread owns */
struct worker {
	struct build *b;
	json_t *site, *colls;	/* its own copies of the shared context */
	struct buf out, tmp, err;	/* reused for every page */
	struct buf material;	/* what page_key hashes */
	struct arena arena;	/* one page's scratch, reset after it */
	struct filelist files;	/* merged into the build's at the end */
	size_t rendered, reused;
};

/* render (or reuse) output PATH of page I, pagination page PG of NPG */
static int
render_output(struct worker *w, size_t i, const char *tname, int pg,
    int npg, const char *path)
{
	struct build *b = w->b;
	const struct rpage *p = &b->pages[i];
	struct buf *tmp = &w->tmp, *out = &w->out, *err = &w->err;
	json_t *ctx;
	char key[65], placeholder[64], sha[65];
	const char *body;
	int rc;

	/* the global hash, the page's key or its material, the pagination */
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
	if ((rc = reuse_output(b, &w->files, path, key, MK_HTML, err)) != 0) {
		w->reused += rc == 1;
		return rc == 1 ? 0 : -1;
	}

	/* render for real: the Markdown, then the template */
	snprintf(placeholder, sizeof(placeholder), "rev:%lld:%d",
	    (long long)p->sp->revision, b->c->build.unsafe_html);
	if (!(body = snapshot_body(&b->snap, i, err)))
		return -1;
	ctx = page_context(b, w->site, w->colls, i, pg, npg, placeholder);
	buf_reset(tmp);
	if (mdr_render(body, strlen(body), b->c->build.unsafe_html ? 0 :
	    MDR_NO_HTML, tmp, err) == -1) {
		buf_printf(err, " (page '/%s')", p->sp->path);
		json_decref(ctx);
		return -1;
	}
	json_object_set_new(json_object_get(ctx, "page"), "content",
	    json_stringn(tmp->buf, tmp->len));
	buf_reset(tmp);
	if (tmpl_set_render_in(b->set, tname, ctx, &w->arena, tmp,
	    err) == -1) {
		json_decref(ctx);
		return -1;
	}
	json_decref(ctx);
	buf_reset(out);
	rewrite_refs(b, tmp->buf, tmp->len, NULL, out);
	sha256_hex(out->buf, out->len, sha);
	if (put_output(b, path, out->buf, out->len, sha, err) == -1)
		return -1;
	add_file(&w->files, path, sha, (int64_t)out->len, MK_HTML, false,
	    key);
	w->rendered++;
	return 0;
}

/* PATH/index.json of page I (build.page_json) */
static int
render_page_json(struct worker *w, size_t i)
{
	struct build *b = w->b;
	const struct rpage *p = &b->pages[i];
	struct buf *out = &w->out, *tmp = &w->tmp, *err = &w->err;
	json_t *o;
	char *path, *dump, key[65], sha[65];
	const char *body;
	int rc;

	path = p->sp->path[0] ? xasprintf("%s/index.json", p->sp->path) :
	    xstrdup("index.json");
	/* the page, and the asset map its content's references go through */
	buf_reset(out);
	buf_printf(out, "json\n%s\n%s\n", p->pagekey, b->globhash);
	sha256_hex(out->buf, out->len, key);
	if ((rc = reuse_output(b, &w->files, path, key, MK_FEED, err)) != 0) {
		w->reused += rc == 1;
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
	rewrite_refs(b, tmp->buf, tmp->len, NULL, out);
	o = json_pack("{s:s, s:s, s:s, s:s, s:s%, s:o, s:o, s:o, s:O, s:O}",
	    "title", p->sp->title, "path", p->sp->path, "url", p->url,
	    "summary", p->excerpt, "content", out->buf, out->len, "date",
	    date_json(p->sp->date), "first_published",
	    date_json(p->sp->first_published_at), "last_published",
	    date_json(p->sp->last_published_at), "tags",
	    snapshot_tags(&b->snap, i), "params", snapshot_extra(&b->snap, i));
	dump = json_dumps(o, JSON_INDENT(1) | JSON_SORT_KEYS);
	json_decref(o);
	sha256_hex(dump, strlen(dump), sha);
	rc = put_output(b, path, dump, strlen(dump), sha, err);
	if (rc == 0)
		add_file(&w->files, path, sha, (int64_t)strlen(dump), MK_FEED,
		    false, key);
	free(path);
	free(dump);
	return rc;
}

/* every output of page I: one, or one per pagination page of a section */
static int
render_page(struct worker *w, size_t i, const char *tname)
{
	const struct rpage *p = &w->b->pages[i];
	size_t ps = (size_t)w->b->c->build.page_size;
	int npg, rc = 0;

	if (p->kind != PK_SECTION)
		return render_output(w, i, tname, 0, 0, p->out);
	npg = (int)((p->nkids + ps - 1) / ps);
	for (int pg = 1; rc == 0 && pg <= npg; pg++)
		rc = render_output(w, i, tname, pg, npg, pg == 1 ? p->out :
		    arena_printf(&w->arena, "%s/page/%d/index.html",
		    p->sp->path, pg));
	return rc;
}

static void *
page_worker(void *arg)
{
	struct build *b = arg;
	struct worker w;
	size_t i;

	memset(&w, 0, sizeof(w));
	w.b = b;
	w.site = json_deep_copy(b->site);
	w.colls = json_deep_copy(b->collections);
	buf_init(&w.out, 0);
	buf_init(&w.tmp, 0);
	buf_init(&w.err, 0);
	buf_init(&w.material, 0);
	while (!b->failed && (i = atomic_fetch_add(&b->next, 1)) <
	    b->npages) {
		const char *tname;
		int rc = -1;
		buf_reset(&w.err);
		if ((tname = template_for(b, &b->pages[i], &w.err)) != NULL) {
			page_key(b, i, tname, &w.material);
			rc = render_page(&w, i, tname);
		}
		if (rc == 0 && b->c->build.page_json)
			rc = render_page_json(&w, i);
		arena_reset(&w.arena);
		if (rc == -1) {
			pthread_mutex_lock(&b->mu);
			if (!b->failed) {
				b->failed = true;
				buf_setf(&b->err, "%s", w.err.buf);
			}
			pthread_mutex_unlock(&b->mu);
		}
	}
	pthread_mutex_lock(&b->mu);
	b->res->rendered += w.rendered;
	b->res->reused += w.reused;
	pthread_mutex_unlock(&b->mu);
	merge_files(b, &w.files);
	json_decref(w.site);
	json_decref(w.colls);
	buf_release(&w.out);
	buf_release(&w.tmp);
	buf_release(&w.err);
	buf_release(&w.material);
	arena_release(&w.arena);
	return NULL;
}

static int
render_pages(struct build *b, struct buf *err)
{
	run_threads(b, page_worker);
	if (b->failed) {
		buf_setf(err, "%s", b->err.buf);
		return -1;
	}
	return 0;
}

/* ---- whole-site outputs ---- */

/*
 * Text for XML 1.0, which cannot hold most control characters at all: the
 * store refuses them in titles and bodies (page_text_check), and text
 * stored before that rule gets U+FFFD here, so a feed stays well-formed.
 */
static void
xml_escape(struct buf *out, const char *s)
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

static int
write_feeds_and_sitemap(struct build *b, struct buf *err)
{
	struct buf x = BUF_INIT;
	char iso[32];
	int rc = -1;

	buf_adds(&x, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<urlset "
	    "xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">\n");
	for (size_t i = 0; i < b->npages; i++) {
		const struct rpage *p = &b->pages[i];
		buf_adds(&x, "<url><loc>");
		xml_escape(&x, b->c->site.base_url);
		xml_escape(&x, p->url);
		buf_adds(&x, "</loc>");
		if (p->sp->last_published_at) {
			time_format(p->sp->last_published_at, "%Y-%m-%d", iso,
			    sizeof(iso));
			buf_printf(&x, "<lastmod>%s</lastmod>", iso);
		}
		buf_adds(&x, "</url>\n");
	}
	buf_adds(&x, "</urlset>\n");
	if (emit(b, "sitemap.xml", x.buf, x.len, MK_FEED, false, err) == -1)
		goto out;
	buf_reset(&x);
	buf_printf(&x, "User-agent: *\nAllow: /\n\nSitemap: %s/sitemap.xml\n",
	    b->c->site.base_url);
	if (emit(b, "robots.txt", x.buf, x.len, MK_FEED, false, err) == -1)
		goto out;
	for (size_t k = 0; k < b->c->ncollections; k++) {
		const struct conf_collection *cc = &b->c->collections[k];
		json_t *items = json_object_get(b->collections, cc->name), *it;
		int64_t updated = 0;
		size_t i;
		char *path;

		if (!cc->feed)
			continue;
		json_array_foreach(items, i, it) {
			size_t pi = find_page(b, json_string_value(
			    json_object_get(it, "path")));
			if (pi != SIZE_MAX && b->pages[pi].sp->last_published_at >
			    updated)
				updated = b->pages[pi].sp->last_published_at;
		}
		buf_reset(&x);
		time_format_iso8601(updated, iso, sizeof(iso));
		buf_adds(&x, "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n"
		    "<feed xmlns=\"http://www.w3.org/2005/Atom\">\n<title>");
		xml_escape(&x, b->c->site.title);
		buf_adds(&x, " – ");
		xml_escape(&x, cc->name);
		buf_printf(&x, "</title>\n<id>%s/feeds/%s.xml</id>\n<link "
		    "rel=\"self\" href=\"%s/feeds/%s.xml\"/>\n<link href=\"%s/\""
		    "/>\n<updated>%s</updated>\n", b->c->site.base_url,
		    cc->name, b->c->site.base_url, cc->name,
		    b->c->site.base_url, iso);
		json_array_foreach(items, i, it) {
			size_t pi = find_page(b, json_string_value(
			    json_object_get(it, "path")));
			const struct snap_page *sp;
			if (pi == SIZE_MAX)
				continue;
			sp = b->pages[pi].sp;
			time_format_iso8601(sp->last_published_at ?
			    sp->last_published_at : sp->date, iso, sizeof(iso));
			buf_adds(&x, "<entry>\n<title>");
			xml_escape(&x, sp->title);
			buf_printf(&x, "</title>\n<link href=\"%s%s\"/>\n<id>"
			    "%s%s</id>\n<updated>%s</updated>\n<summary>",
			    b->c->site.base_url, b->pages[pi].url,
			    b->c->site.base_url, b->pages[pi].url, iso);
			xml_escape(&x, json_string_value(json_object_get(it,
			    "summary")));
			buf_adds(&x, "</summary>\n</entry>\n");
		}
		buf_adds(&x, "</feed>\n");
		path = xasprintf("feeds/%s.xml", cc->name);
		rc = emit(b, path, x.buf, x.len, MK_FEED, false, err);
		free(path);
		if (rc == -1)
			goto out;
		rc = -1;
	}
	/* 404: the site's template if it has one */
	buf_reset(&x);
	if (tmpl_set_get(b->set, "404", err)) {
		json_t *ctx = json_pack("{s:O, s:O, s:{s:s, s:s}}", "site",
		    b->site, "collections", b->collections, "page", "title",
		    "Page not found", "url", "/404.html");
		struct buf raw = BUF_INIT;
		int r = tmpl_set_render(b->set, "404", ctx, &raw, err);
		json_decref(ctx);
		if (r == -1) {
			buf_release(&raw);
			goto out;
		}
		rewrite_refs(b, raw.buf, raw.len, NULL, &x);
		buf_release(&raw);
	} else {
		buf_reset(err);
		buf_adds(&x, "<!doctype html>\n<title>Page not found</title>\n"
		    "<h1>Page not found</h1>\n");
	}
	rc = emit(b, "404.html", x.buf, x.len, MK_HTML, false, err);
out:
	buf_release(&x);
	return rc;
}

static int
cmp_outfile(const void *a, const void *b)
{
	return strcmp(((const struct outfile *)a)->path,
	    ((const struct outfile *)b)->path);
}

/* .kiln/manifest.json of the standby, written beside the record */
struct manifest_job {
	struct build *b;
	struct buf err;
	int rc;
};

static void *
manifest_thread(void *arg)
{
	struct manifest_job *j = arg;
	struct build *b = j->b;
	struct manifest m;
	struct buf json = BUF_INIT;

	manifest_init(&m);
	m.build = xstrdup(b->build_id ? b->build_id : "");
	m.generated = xstrdup("");
	for (size_t i = 0; i < b->files.n; i++) {
		const struct outfile *f = &b->files.v[i];
		manifest_add(&m, f->path, f->sha, f->size,
		    mime_type_for(f->path), f->immutable ? CC_IMMUTABLE :
		    f->kind == MK_FEED ? CC_FEED : CC_HTML, f->immutable,
		    f->kind);
	}
	/*
	 * b->files is sorted and unique (write_manifest), so is m.  The
	 * folder is not live yet: no need to write the file atomically.
	 */
	manifest_to_json(&m, &json);
	j->rc = slot_write(b->slot.standby, MANIFEST_PATH, json.buf, json.len,
	    &j->err);
	if (j->rc == 0 && b->remember)
		manifest_remember(json.buf, json.len, &m);
	manifest_release(&m);
	buf_release(&json);
	return NULL;
}

/*
 * The manifest and the output record of the new folder (on two threads),
 * and the removal of what the standby held that this build does not.
 */
static int
write_manifest(struct build *b, struct buf *err)
{
	struct manifest_job job = { b, BUF_INIT, 0 };
	struct outrec rec;
	pthread_t th;
	bool threaded;
	int rc;

	qsort(b->files.v, b->files.n, sizeof(*b->files.v), cmp_outfile);
	for (size_t i = 1; i < b->files.n; i++)
		if (!strcmp(b->files.v[i - 1].path, b->files.v[i].path)) {
			buf_setf(err, "two outputs at '%s'",
			    b->files.v[i].path);
			return -1;
		}
	b->res->files = b->files.n;
	threaded = pthread_create(&th, NULL, manifest_thread, &job) == 0;
	if (!threaded)
		manifest_thread(&job);
	memset(&rec, 0, sizeof(rec));
	rec.v = xcalloc(b->files.n + 1, sizeof(*rec.v));
	rec.n = b->files.n;
	for (size_t i = 0; i < b->files.n; i++) {
		const struct outfile *f = &b->files.v[i];
		rec.v[i].path = f->path;
		rec.v[i].sha = f->sha;
		rec.v[i].key = f->key;
		rec.v[i].size = f->size;
	}
	rc = outslot_prune(&b->slot, &rec, err);
	if (rc == 0)
		rc = outrec_save(b->slot.standby, &rec, err);
	if (threaded)
		pthread_join(th, NULL);
	if (rc == 0 && job.rc == -1) {
		buf_setf(err, "%s", job.err.buf);
		rc = -1;
	}
	buf_release(&job.err);
	free(rec.v);
	return rc;
}

/* ---- external build command ---- */

static int
hash_tree(struct build *b, const char *root, struct buf *err)
{
	char **files = NULL, sha[65];
	size_t n = 0;
	struct stat st;
	int rc = 0;

	if (list_files(root, &files, &n, err) == -1)
		return -1;
	for (size_t i = 0; i < n; i++) {
		char *full = xasprintf("%s/%s", root, files[i]);
		const char *mt = mime_type_for(files[i]);
		if (rc == 0 && sha256_file_hex(full, sha, err) == -1)
			rc = -1;
		if (rc == 0 && stat(full, &st) == -1) {
			buf_setf(err, "%s: %s", full, strerror(errno));
			rc = -1;
		}
		if (rc == 0)
			add_file(&b->files, files[i], sha, (int64_t)st.st_size,
			    !strncmp(mt, "text/html", 9) ? MK_HTML :
			    (strstr(mt, "xml") || strstr(mt, "json")) ?
			    MK_FEED : MK_OTHER, false, NULL);
		free(full);
		free(files[i]);
	}
	free(files);
	return rc;
}

static int
run_command(struct build *b, struct buf *err)
{
	struct buf cmd = BUF_INIT;
	const char *p = b->c->build.command, *q;
	int pipefd[2], status = 0, rc = -1;
	int64_t deadline = mono_ms() + b->c->build.command_timeout * 1000;
	char chunk[4096];
	pid_t pid;

	while ((q = strstr(p, "{out}")) != NULL) {
		buf_add(&cmd, p, (size_t)(q - p));
		buf_printf(&cmd, "'%s'", b->slot.standby);
		p = q + 5;
	}
	buf_adds(&cmd, p);
	if (pipe2(pipefd, O_CLOEXEC) == -1) {
		buf_setf(err, "build.command: pipe: %s", strerror(errno));
		goto out;
	}
	if ((pid = fork()) == -1) {
		buf_setf(err, "build.command: fork: %s", strerror(errno));
		close(pipefd[0]);
		close(pipefd[1]);
		goto out;
	}
	if (pid == 0) {
		dup2(pipefd[1], 1);
		dup2(pipefd[1], 2);
		if (chdir(b->site_dir) == -1)
			_exit(126);
		setpgid(0, 0);
		execl("/bin/sh", "sh", "-c", cmd.buf, (char *)NULL);
		_exit(127);
	}
	close(pipefd[1]);
	for (;;) {
		struct pollfd pfd = { pipefd[0], POLLIN, 0 };
		int64_t left = deadline - mono_ms();
		ssize_t r;
		if (left <= 0) {
			kill(-pid, SIGKILL);
			kill(pid, SIGKILL);
			waitpid(pid, &status, 0);
			buf_setf(err, "build.command: timed out after %llds",
			    (long long)b->c->build.command_timeout);
			close(pipefd[0]);
			goto out;
		}
		if (poll(&pfd, 1, (int)(left > 1000 ? 1000 : left)) <= 0)
			continue;
		if ((r = read(pipefd[0], chunk, sizeof(chunk))) <= 0)
			break;
		if (b->log)
			buf_add(b->log, chunk, (size_t)r);
	}
	close(pipefd[0]);
	waitpid(pid, &status, 0);
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		buf_setf(err, "build.command failed (%s %d)",
		    WIFEXITED(status) ? "exit status" : "signal",
		    WIFEXITED(status) ? WEXITSTATUS(status) :
		    WTERMSIG(status));
		goto out;
	}
	rc = hash_tree(b, b->slot.standby, err);
out:
	buf_release(&cmd);
	return rc;
}

/* ---- the build ---- */

static void
build_release(struct build *b)
{
	snapshot_release(&b->snap);
	for (size_t i = 0; i < b->npages; i++) {
		free(b->pages[i].url);
		free(b->pages[i].out);
		free(b->pages[i].kids);
		json_decref(b->pages[i].summary);
		free(b->pages[i].excerpt);
	}
	free(b->pages);
	for (size_t i = 0; i < b->nassets; i++) {
		free(b->assets[i].from);
		free(b->assets[i].to);
	}
	free(b->assets);
	for (size_t i = 0; i < b->files.n; i++)
		free(b->files.v[i].path);
	free(b->files.v);
	tmpl_set_free(b->set);
	json_decref(b->site);
	json_decref(b->collections);
	outslot_release(&b->slot);
	free(b->site_dir);
	free(b->tmpl_dir);
	free(b->static_dir);
	buf_release(&b->err);
	pthread_mutex_destroy(&b->mu);
	pthread_mutex_destroy(&b->summary_mu);
}

struct slot_opener {
	struct outslot *slot;
	const char *outdir;
	bool fresh;
	struct buf err;
	int rc;
};

static void *
open_slot(void *arg)
{
	struct slot_opener *op = arg;

	op->rc = outslot_open(op->slot, op->outdir, op->fresh, &op->err);
	return NULL;
}

int
render_build(const struct conf *c, struct store *st,
    const struct render_opts *opts, struct render_result *res,
    struct buf *err)
{
	struct build b;
	struct slot_opener op;
	pthread_t opener;
	bool opening;
	char *outdir, *media_dir;
	int64_t t0 = mono_ms();
	int rc = -1;

	memset(&b, 0, sizeof(b));
	memset(res, 0, sizeof(*res));
	res->lockfd = -1;
	pthread_mutex_init(&b.mu, NULL);
	pthread_mutex_init(&b.summary_mu, NULL);
	b.c = c;
	b.res = res;
	b.log = opts->log;
	b.build_id = opts->build_id;
	b.full = opts->full;
	b.remember = opts->remember;
	b.now = time_now();
	b.site_dir = xstrdup(c->dir);
	b.tmpl_dir = conf_path(c, "templates");
	b.static_dir = conf_path(c, "static");
	outdir = conf_path(c, opts->outdir ? opts->outdir : c->build.out);
	media_dir = conf_path(c, ".kiln/media");
	/*
	 * Prepare the standby folder (lock, read both records) while the
	 * snapshot is read; nothing is written before both are done.  An
	 * external command writes into an empty folder.
	 */
	op.slot = &b.slot;
	op.outdir = outdir;
	op.fresh = opts->full || c->build.command;
	buf_init(&op.err, 0);
	opening = pthread_create(&opener, NULL, open_slot, &op) == 0;
	if (!opening)
		open_slot(&op);
	rc = store_snapshot(st, media_dir, &b.snap, err);
	if (opening)
		pthread_join(opener, NULL);
	if (rc == -1 || op.rc == -1) {
		if (op.rc == -1)
			buf_setf(err, "%s", op.err.buf);
		rc = -1;
		goto out;
	}
	rc = -1;
	res->seq = b.snap.seq;
	res->pages = b.snap.npages;
	if (c->build.command) {
		if (run_command(&b, err) == -1)
			goto out;
	} else {
		b.loader.dir = b.tmpl_dir;
		b.set = tmpl_set_new(load_template, &b.loader);
		if (load_templates(b.tmpl_dir, b.set, b.tmpl_hash, err) == -1)
			goto out;
		if (do_assets(&b, err) == -1)
			goto out;
		add_missing_pages(&b);
		build_model(&b);
		build_collections(&b);
		build_site(&b);
		global_hash(&b);
		default_templates(&b);
		if (render_pages(&b, err) == -1 ||
		    write_feeds_and_sitemap(&b, err) == -1)
			goto out;
	}
	if (write_manifest(&b, err) == -1 || outslot_switch(&b.slot,
	    err) == -1)
		goto out;
	strlcpy(res->dir, b.slot.standby, sizeof(res->dir));
	if (opts->keep_lock) {
		/* no other build may write this folder until it is deployed */
		res->lockfd = b.slot.lockfd;
		b.slot.lockfd = -1;
	}
	res->ms = mono_ms() - t0;
	rc = 0;
out:
	build_release(&b);
	buf_release(&op.err);
	free(outdir);
	free(media_dir);
	return rc;
}
