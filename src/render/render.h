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
	bool remember;		/* a deploy follows in this process: keep
				   the manifest parsed (manifest_remember) */
};

struct render_result {
	size_t pages;		/* live pages in the snapshot */
	size_t rendered;	/* page outputs rendered */
	size_t reused;		/* page outputs linked from the last build */
	size_t files;		/* files in the manifest */
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

#endif
