/* SPDX-License-Identifier: ISC */
/*
 * render.h: the site renderer.  One consistent snapshot of the store in,
 * a complete static site out: every live page at /<path>/index.html,
 * section listings with pagination, the home page, collections, Atom
 * feeds, sitemap.xml, robots.txt, 404.html, optional per-page JSON, static
 * assets and media under content-hash names, and OUT/.kiln/manifest.json
 * (common/manifest.h).
 *
 * Deterministic: the same content and templates give the same bytes.
 * Incremental: each page output is keyed by the SHA-256 of its template
 * set and its whole template context; an output whose key is unchanged is
 * linked from the previous build instead of rendered, so the result is
 * byte-identical to a full build by construction.  The new site is built
 * in a folder no reader sees (the standby slot, render/outdir.h) and
 * switched in with one rename; a failed build leaves the previous output
 * untouched.  Pages render on a thread pool.
 */
#ifndef KILN_RENDER_H
#define KILN_RENDER_H

struct buf;
struct conf;
struct store;

struct render_opts {
	const char *outdir;	/* NULL: build.out from kiln.yaml */
	bool full;		/* ignore the previous build */
	const char *build_id;	/* recorded in the manifest; may be NULL */
	struct buf *log;	/* progress and external command output; NULL */
	bool keep_lock;		/* return with the output lock held
				   (render_result.lockfd) */
	bool remember;		/* a long-lived process: keep the output
				   record it writes parsed (outrec_save) */
	bool staging;		/* a content: latest target's build: the
				   latest revisions, every page noindex,
				   robots.txt disallowing all (0132) */
	bool once;		/* the process exits after this build:
				   its memory is left to the exit, not
				   freed (decision 0440) */
};

struct render_result {
	size_t pages;		/* live pages in the snapshot */
	size_t rows_read;	/* page rows the snapshot read: all, or
				   those changed since the kept one (0240) */
	int64_t snap_us;	/* reading the snapshot: wall time, */
	int64_t snap_cpu_us;	/* and this thread's CPU time */
	size_t rendered;	/* page outputs rendered */
	size_t reused;		/* page outputs linked from the last build */
	size_t summaries_kept;	/* page summaries the model kept from the
				   last build (decision 0360) */
	size_t pages_carried;	/* pages whose output keys were carried
				   over, not made again (decision 0380) */
	size_t terms_carried;	/* taxonomy term pages whose keys were */
	size_t outputs_held;	/* outputs recorded without a look-up in
				   the records (decision 0430) */
	size_t files;		/* files in the manifest */
	size_t entries_kept;	/* of them, entries whose manifest text a
				   long-lived process kept (decision 0390) */
	int64_t seq;		/* change-sequence watermark of the snapshot */
	int64_t next_change;	/* when a time-filtered collection next
				   changes (0: never): rebuild then */
	int64_t ms;		/* wall time */
	char dir[4096];		/* the folder this build wrote (the slot
				   build.out now names) */
	int lockfd;		/* with keep_lock: close it when done with
				   dir (deployed, committed); else -1 */
};

/*
 * Build the site of C from the store ST into the output folder.  With
 * build.command set, run that command instead and hash what it wrote.
 * 0, or -1 with err ("templates/page.mustache:3:7: ..." for templates).
 */
int render_build(const struct conf *c, struct store *st,
    const struct render_opts *opts, struct render_result *res,
    struct buf *err);
/* parse every template of the site; -1 with every error in err */
int render_check_templates(const struct conf *c, struct buf *err);
/*
 * The output folder of staging target NAME (content: latest), relative
 * to the site: ".kiln/staging/NAME" (the caller frees).
 */
char *render_staging_out(const char *name);

/* ---- draft preview (preview.c) ---- */

struct page_fields;

struct preview_opts {
	int64_t page_id;	/* the page whose latest revision is shown */
	const char *url;	/* the site URL to show ("/news/",
				   "/feeds/news.xml"); NULL: the page's */
	const struct page_fields *over;	/* unsaved form fields; NULL */
	const char *link_prefix;	/* site links are rewritten to it */
	bool link_query;	/* PREFIX + the URL-encoded site URL (a
				   "?path=" prefix); else PREFIX + URL */
};

struct preview_result {
	struct buf *body;	/* the caller's: the output's bytes */
	const char *type;	/* its content type */
	char *file;		/* a media file to send instead of body */
	char *page_url;		/* the previewed page's site URL */
	unsigned status;	/* on error: 400 bad input, 404 no such
				   page or output, 409, 500 */
	int64_t ms;		/* wall time */
};

/*
 * One output of the site as it would be if page O->page_id's latest
 * revision (with O->over on top) were published: the page itself or
 * any listing, home, collection page, feed or asset, rendered in
 * memory from a snapshot of ST with the site's own templates.  Writes
 * no file and takes no output lock, so a build may run meanwhile; only
 * the one output asked for is rendered.  HTML gets the preview banner
 * and its site links rewritten to O->link_prefix; CSS its url()s.
 * 0, or -1 with err and R->status.  preview_result_release(R) after.
 */
int render_preview(const struct conf *c, struct store *st,
    const struct preview_opts *o, struct preview_result *r, struct buf *err);
void preview_result_release(struct preview_result *r);
/* the banner's style sheet, for a CSP hash (the banner is inline) */
extern const char preview_banner_css[];
/*
 * IN to OUT with the site links in href="", src="", action="" and
 * url() (root-relative, or under BASE_URL) pointing into the preview
 * at PREFIX (see preview_opts).  HTML also gets the banner after <body>
 * when BANNER.
 */
void preview_rewrite(const char *in, size_t len, const char *base_url,
    const char *prefix, bool query, bool banner, struct buf *out);

#endif
