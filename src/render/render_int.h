/* SPDX-License-Identifier: ISC */
/*
 * render_int.h: what the files of the renderer share (not an API: only
 * src/render/render*.c and the render unit tests include it).
 *
 * One build is one struct build, owned by render_build (render.c), which
 * runs the stages in this order, each in its own file:
 *
 *   render_model.c      the site model: virtual pages, tree, summaries,
 *                       collections, the site object
 *   render_templates.c  the template set of templates/, default templates
 *   render_assets.c     static files and media under content-hash names,
 *                       and the rewriting of references to them
 *   render_pages.c      page outputs and listings, on the thread pool,
 *                       with the incremental keys
 *   render_feeds.c      sitemap.xml, robots.txt, Atom feeds, 404.html
 *   render_taxonomy.c   /tags/ and /tags/TERM/ of each taxonomy
 *   render_kept.c       the model a long-lived process keeps between
 *                       builds (summaries, the listing order, the
 *                       outputs' keys)
 *   render_menu.c       site.menus from the pages' menu front matter
 *   render_aliases.c    redirect pages at pages' old URLs (aliases)
 *   render_command.c    build.command instead of all of the above
 *
 * Memory: everything a stage hangs on the build (pages, assets, files,
 * the template set, the site and collections JSON) is owned by the build
 * and freed by render_build at the end.  Functions returning json_t * say
 * whether the reference is new or borrowed.
 */
#ifndef KILN_RENDER_INT_H
#define KILN_RENDER_INT_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include <jansson.h>

#include "common/buf.h"
#include "common/manifest.h"
#include "render/outdir.h"
#include "render/render.h"
#include "render/tmpl.h"
#include "store/store.h"

struct conf;
struct conf_collection;
struct kept;
struct kept_taxos;
struct tmpl_set;

enum pkind { PK_HOME, PK_SECTION, PK_PAGE };

/* the incremental keys of one page's outputs (render_pages.c) */
struct pkeys {
	char (*v)[65];		/* page K's (K - 1) of a section, else one */
	size_t n;		/* 0: not all made (the page failed) */
	char json[65];		/* index.json's with build.page_json */
	/*
	 * What each output was recorded with (n + 1: index.json's last),
	 * and whether these keys were recorded in the kept set's held_id
	 * record too (decision 0430).
	 */
	char (*sha)[65];
	int64_t *size;
	bool held;
};
/* K made for N outputs and index.json: one block, freed with K->v */
void pkeys_new(struct pkeys *k, size_t n);

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
				   (model_summary_of) */
	char sumhash[65];	/* sha256 of the summary's fields */
	int64_t lastmod;	/* for the sitemap (feeds_page_lastmod) */
	char pagekey[65];	/* what its outputs share: sections and
				   page JSON only (page_key) */
	struct pkeys keys;	/* its outputs' keys made in this build */
	const char *keys_tname;	/* the template they were made with */
	/*
	 * the keys of the last build's outputs when everything they were
	 * made of is the same, else NULL (kept_carry, decision 0380)
	 */
	struct pkeys *carry;	/* the kept set's: this page's alone */
	const char *carry_tname;	/* the template they were made with */
	/*
	 * Its terms: for each taxonomy in turn, "SLUG\0NAME\0" each, then
	 * "\0".  Read from its kept entry (terms_at, walked taxonomy by
	 * taxonomy) or made by this build (terms, for the next: decision
	 * 0430).
	 */
	const char *terms_at;
	char *terms;
	size_t terms_len;
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
	char *redirect;		/* a redirect page: where to; else NULL */
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
	size_t *order;		/* page indexes in listing order
				   (model_cmp_children): model_build */
	struct asset *assets;
	size_t nassets, aassets;
	struct loader loader;
	struct tmpl_set *set;
	char tmpl_hash[65];
	json_t *site;		/* the site object of every context */
	json_t *collections;	/* NAME -> [summaries] */
	json_t *tax_urls;	/* [[url, lastmod]] of taxonomy pages, for
				   the sitemap (render_taxonomy.c) */
	char globhash[65];	/* templates, site, collections, assets */
	const char *kind_template[3];	/* by enum pkind: home, section, page */
	struct kept *kept;	/* the model kept for this site: kept_take */
	size_t *kept_at;	/* each page's entry in it, or SIZE_MAX */
	atomic_size_t kept_hits;	/* summaries taken from it */
	bool carry_ok;		/* the kept keys' global inputs are this
				   build's (kept_carry_global) */
	atomic_size_t carried;	/* pages whose keys were carried over */
	bool held_ok;		/* the standby's record is the one the kept
				   set's held keys are in (kept_held) */
	atomic_size_t held;	/* outputs recorded unlooked-up (0430) */
	bool terms_ok;		/* the kept entries' terms are of this
				   build's taxonomies (kept_terms) */
	bool kept_in_place;	/* the kept set has page I's entry at I */
	char rec_id[33];	/* the record this build wrote, once saved */
	struct kept_taxos *taxo_keys;	/* this build's term page keys,
					   for the next (render_taxonomy.c) */
	atomic_size_t terms_carried;	/* term pages whose keys were */
	struct filelist files;	/* every output; workers merge theirs */
	pthread_mutex_t mu;
	pthread_mutex_t summary_mu;	/* guards rpage.summary */
	/* page workers */
	atomic_size_t next;
	void *work;		/* what other workers work through */
	struct buf err;		/* first worker error */
	atomic_bool failed;	/* set under mu, read by every worker */
	bool full;
	bool remember;		/* render_opts.remember */
	bool staging;		/* render_opts.staging */
	/*
	 * A preview (preview.c) writes nothing: the output at `want` is
	 * kept in `got` (under mu), every other one is dropped; a media
	 * file at `want` is named in `got_file` instead.
	 */
	bool preview;
	const char *want;
	struct buf *got;
	bool captured;
	char *got_file;
};

/* render.c: the outputs of a build and its thread pool */
/* record output PATH in L (copies PATH; KEY: incremental key, or NULL) */
void render_add_file(struct filelist *l, const char *path, const char *sha,
    int64_t size, enum manifest_kind kind, bool immutable, const char *key);
/* move the outputs of FROM (a worker's) to the build's list; empties FROM */
void render_merge_files(struct build *b, struct filelist *from);
/* DATA (whose SHA-256 is SHA) at PATH in the standby, unless already so */
int render_put_output(struct build *b, const char *path, const char *data,
    size_t len, const char *sha, struct buf *err);
/* write DATA as output PATH of the new folder and record it */
int render_emit(struct build *b, const char *path, const char *data,
    size_t len, enum manifest_kind kind, bool immutable, struct buf *err);
/* render_emit of a redirect page to site path TO (manifest "redirect") */
int render_emit_redirect(struct build *b, const char *path, const char *data,
    size_t len, const char *to, struct buf *err);
/* run FN(B) on the build's threads (build.threads, else one per core) */
void render_run_threads(struct build *b, void *(*fn)(void *));
/* a worker's error MSG becomes the build's, unless one came first */
void render_worker_failed(struct build *b, const char *msg);
/* IN to out with <meta name="robots" content="noindex"> in its head */
void render_noindex(const char *in, size_t len, struct buf *out);
/* the build B of C with OPTS, before anything is read; build_release */
void build_init(struct build *b, const struct conf *c,
    const struct render_opts *opts, struct render_result *res);
void build_release(struct build *b);

/* render_model.c: the site model */
/* index of the snapshot page at PATH, or SIZE_MAX (SN sorted by path) */
size_t model_find(const struct snapshot *sn, const char *path);
/* T's forms {iso, human, year} as model_date_json has them (T != 0) */
void model_date_forms(int64_t t, char iso[32], char human[64],
    char year[16]);
/* {iso, human, year} of T, or null for 0 (a new reference) */
json_t *model_date_json(int64_t t);
/* {NAME: date JSON} of the ISO 8601 dates among PARAMS (a new reference) */
json_t *model_param_dates(json_t *params);
/* page I's entry in listings and collections (borrowed: the page owns it) */
json_t *model_summary_of(struct build *b, size_t i);
/* the same, a new reference taken under summary_mu */
json_t *model_summary_ref(struct build *b, size_t i);
/* qsort_r order of page indexes in listings (ARG: the build): weight,
   then newest first, title, path */
int model_cmp_children(const void *x, const void *y, void *arg);
/* the lastmod of page I's own content, for make_summary (render_feeds.c) */
int64_t feeds_lastmod_of(struct build *b, size_t i);
/* the home and section pages a tree lacks, then the page tree and summaries */
void model_build(struct build *b);
/* b->collections (owned by the build); sets res->next_change */
void model_collections(struct build *b);
/* b->site (owned by the build) */
void model_site(struct build *b);

/* render_kept.c: what a long-lived process keeps of its last model */
/* take the model kept for B's site (b->remember only): after the pages */
void kept_take(struct build *b);
/* b->order from the kept model's: false if it must be sorted anew */
bool kept_order(struct build *b);
/* page I's summary from the kept model: false if it must be made */
bool kept_summary(struct build *b, size_t i);
/* rpage.carry of each page whose key material is the kept one's */
void kept_carry(struct build *b);
/* b->carry_ok: the kept keys were made with B's global inputs */
void kept_carry_global(struct build *b);
/* b->held_ok: the standby's record holds the kept set's held keys */
void kept_held(struct build *b);
/* page I's terms kept by its entry (rpage.terms), else NULL */
const char *kept_terms(const struct build *b, size_t i);
/* page X's summary hash is that of the last build's page J (an entry) */
bool kept_same_sum(const struct build *b, size_t x, size_t j);
/* the last build's term page keys when b->carry_ok, else NULL */
const struct kept_taxos *kept_taxos_of(const struct build *b);
/*
 * keep B's summaries and keys for the next build, the set given back
 * (after its record is saved: b->rec_id names it)
 */
void kept_put(struct build *b);
/* drop what B took and did not put back */
void kept_drop(struct build *b);

/* render_templates.c: the template set */
/* tmpl_set loader for partials of the folder in ARG (a struct loader) */
int templates_loader(void *arg, const char *name, struct buf *src,
    struct buf *err);
/* parse every template under DIR into SET; HASH of them all; every error */
int templates_load(const char *dir, struct tmpl_set *set, char hash[65],
    struct buf *err);
/* the template of each kind of page without one of its own */
void templates_defaults(struct build *b);
/* the template name of page P (borrowed), or NULL with err */
const char *templates_for(struct build *b, const struct rpage *p,
    struct buf *err);

/* render_assets.c: static files and media */
/* media and static/ under hashed names; fills and sorts b->assets */
int assets_build(struct build *b, struct buf *err);
/* IN (NUL at IN[LEN]) to out with every known asset reference replaced
   (BASE: CSS folder) */
void assets_rewrite(struct build *b, const char *in, size_t len,
    const char *base, struct buf *out);
/* IN rewritten so: IN itself when it names no asset, else SCRATCH */
struct buf *assets_rewrite_buf(struct build *b, struct buf *in,
    struct buf *scratch);
/* "css/site.css" + sha -> "css/site.3fa9c1e2.css" (the caller frees) */
char *assets_hashed_name(const char *rel, const char *sha);
/* "/" + BASE + "/" + REF folded into out; -1 if it climbs above the root */
int assets_resolve_rel(const char *base, const char *ref, size_t len,
    struct buf *out);

/* render_pages.c: every page output */
/* b->globhash: what every page's context shares */
void pages_global_hash(struct build *b);
/*
 * What the pagination pages of one listing share, made once for all of
 * them (a listing of N pages has N/page_size pagination pages: made
 * anew for each, its link list and children cost N^2/page_size).  Kept
 * by one thread; a context that holds them is rendered and dropped
 * before the next pagination page is made.
 */
struct pager {
	char *url;		/* the listing PAGES links ("/news/") */
	int npg, cur;
	json_t *pages;		/* [{number, url, current}]: current is cur */
	size_t kids_of;		/* 1 + the page KIDS lists, or 0 */
	json_t *kids;		/* its children's summaries */
	/* and what the pages of one parent share (pages come in order) */
	bool has_crumbs;
	size_t crumbs_of;	/* the parent CRUMBS lead to, or SIZE_MAX */
	json_t *crumbs, *parent;	/* breadcrumbs, parent link */
};
void pager_release(struct pager *pc);
/*
 * A context made for one render: struct tval objects in a worker's
 * arena, and the few jansson values made for it (OWN), dropped after
 * the render by ctx_release.
 */
struct render_ctx {
	struct tval v;
	json_t *own[6];
	size_t nown;
};
/* V as a value of C, dropped with it */
struct tval ctx_owned(struct render_ctx *c, json_t *v);
void ctx_release(struct render_ctx *c);
/* field KEY = V as the next of *N fields of F */
void ctx_field(struct tfield *f, size_t *n, const char *key, struct tval v);
/*
 * The pagination object of listing URL ("/news/") page PG of NPG: the
 * summaries of ITEMS (N page indexes) on it, and links (a new reference;
 * its link list is PC's, shared by the listing's pagination pages).
 */
json_t *pages_pagination(struct build *b, struct pager *pc, const char *url,
    const size_t *items, size_t n, int pg, int npg);
/*
 * Reuse output PATH whose incremental key is KEY (kept in the standby or
 * hard-linked from the live folder) and record it in L: 1, 0 when it must
 * be rendered, -1 with err.
 */
int pages_reuse_output(struct build *b, struct filelist *l, const char *path,
    const char *key, enum manifest_kind kind, struct buf *err);
/* render (or reuse) every page output on the build's threads */
int pages_render(struct build *b, struct buf *err);
/*
 * Render only output PATH ("news/index.html", "news/page/2/index.html")
 * on this thread: 0, 1 when PATH is no page output, -1 with err.
 */
int pages_render_only(struct build *b, const char *path, struct buf *err);

/* render_feeds.c: whole-site outputs */
/* when page I last changed: lastmod, else last publication, else date */
int64_t feeds_page_lastmod(struct build *b, size_t i);
/* S escaped for XML 1.0 text, appended to out */
void feeds_xml_escape(struct buf *out, const char *s);
/* sitemap.xml, robots.txt, feeds/NAME.xml, 404.html */
int feeds_write(struct build *b, struct buf *err);

/* render_taxonomy.c: the listing pages of taxonomies and their terms */
/* Hugo's urlize of term S ("Night Sky" -> "night-sky") into out */
void taxonomy_urlize(const char *s, struct buf *out);
/* the terms of page I in taxonomy NAME: a new reference, or NULL */
json_t *taxonomy_page_terms(struct build *b, size_t i, const char *name);
/* {NAME: [{name, url}]}: page I's terms in each taxonomy (new reference) */
json_t *taxonomy_page_links(struct build *b, size_t i);
/* [{name, title, url}] of the taxonomies of kiln.yaml (new reference) */
json_t *taxonomy_list(struct build *b);
/* /NAME/ and /NAME/TERM/ (paginated) of every taxonomy of kiln.yaml */
int taxonomies_write(struct build *b, struct buf *err);
/* the term page keys one build kept for the next (NULL: nothing) */
void kept_taxos_free(struct kept_taxos *kt);

/* render_menu.c: the site's menus */
/* {NAME: [entries]} from every page's params.menu (a new reference) */
json_t *menus_json(struct build *b);

/* render_aliases.c: redirect pages at the old URLs of pages */
/*
 * The output path of alias A of the page at PAGE ("news/a") in out:
 * "/old/x/" gives "old/x/index.html", "x.html" (relative: from the
 * page's folder) "news/x.html"; -1 with err saying what is wrong.
 */
int aliases_output(const char *page, const char *a, struct buf *out,
    struct buf *err);
/* every page's params.aliases as redirect pages; -1 with err on a bad one */
int aliases_write(struct build *b, struct buf *err);

/* render_command.c: the external build command */
/* run build.command into the standby and record what it wrote */
int command_run(struct build *b, struct buf *err);

#endif
