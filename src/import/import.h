/* SPDX-License-Identifier: ISC */
/*
 * import.h: moving a Hugo site into kiln (issue #15).
 *
 * import_run() reads a Hugo site root (content/, static/, hugo.toml or
 * config.*) or a bare content tree and makes the store match it:
 *
 *	content/_index.md		home page ""
 *	content/news/_index.md		section "news" (a branch bundle)
 *	content/news/First-Post.md	"news/first-post" (lowercased)
 *	content/news/trip/index.md	"news/trip" (a leaf bundle; every
 *					other file under trip/ is a resource)
 *
 * with `slug` and `url` from the front matter, YAML (---), TOML (+++) or
 * JSON ({) front matter, Hugo's dates (publishDate schedules, expiryDate
 * expires), resources and static/ files, and `<!--more-->`.  What kiln
 * has no field for is kept in the page's params.  Re-import is a sync:
 * what the last import of each page was is kept in the store's state
 * table (key "import:PATH"), so an unchanged file does nothing and a page
 * edited in kiln since is a conflict unless opts->force.  Every problem
 * is reported "FILE:LINE: what; what to do" in the report, never printed.
 */
#ifndef KILN_IMPORT_H
#define KILN_IMPORT_H

#include <jansson.h>

struct buf;
struct store;

struct import_opts {
	const char *dir;		/* site root or content tree */
	const char *prefix;		/* page paths under it; NULL = "" */
	const char *media_dir;		/* the store's media folder */
	const char *static_dir;		/* the site's static/ folder */
	const char *templates_dir;	/* the site's templates/ (its
					   shortcodes/NAME.mustache) */
	const char *conf_file;		/* kiln.yaml to take the Hugo
					   config's settings into; NULL:
					   none (import_conf.c) */
	const char *actor;		/* audit log */
	bool dry_run;			/* plan, change nothing */
	bool draft;			/* import everything as drafts */
	bool force;			/* overwrite pages edited in kiln */
	bool prune;			/* delete pages whose file is gone */
	long max_deletes;		/* prune refuses more than this */
	int64_t now;			/* for publishDate / expiryDate */
};

/*
 * What an import did (or would do, dry run).  items: array of {file,
 * line, page, action, reason}; action is one of created, updated,
 * unchanged, skipped, conflict, removed, failed, warning, info.
 */
struct import_report {
	json_t *items;
	size_t files, created, updated, unchanged, skipped, conflicts,
	    removed, failed, warnings;
};

/*
 * Import O->dir into ST.  0 with the report filled (files that failed are
 * counted in r->failed), or -1 with err when nothing could be imported
 * (not a folder, a store error: the store is left as it was).  Release
 * the report with import_report_release.
 */
int import_run(struct store *st, const struct import_opts *o,
    struct import_report *r, struct buf *err);
void import_report_release(struct import_report *r);
/* the report as JSON: {root, items[], summary{...}}; new reference */
json_t *import_report_json(const struct import_report *r);

/*
 * Write every page of ST to DIR as a Hugo-style tree with YAML front
 * matter (import_run reads it back to the same pages): each page's live
 * revision, else its scheduled one, else its latest as a draft.  0, or
 * -1 with err.  *npages counts the pages written, *held those whose
 * newer unpublished revision was left out.
 */
int import_export(struct store *st, const char *dir, const char *media_dir,
    size_t *npages, size_t *held, struct buf *err);

/* ---- the parts, for tests and the fuzz targets ---- */

/*
 * Parse TOML text S (LEN bytes; LINE0 lines precede it in FILE) into a
 * JSON object *out; with LINES, *lines maps each top-level key to its
 * line in FILE.  Date-times are kept as strings.  0, or -1 with
 * "FILE:LINE: reason" in err (appended).
 */
int import_toml_parse(const char *s, size_t len, const char *file,
    int line0, json_t **out, json_t **lines, struct buf *err);

/*
 * Hugo front matter of a file: YAML between "---" lines, TOML between
 * "+++" lines, or a JSON object at the start; a UTF-8 BOM is skipped.
 * A file without front matter is all body.  *meta gets the keys (a JSON
 * object, dates as strings), *lines each key's line, *body_off where
 * the body starts and *body_line its line.  0, or -1 with FILE:LINE
 * errors in err.
 */
int import_fm_split(const char *text, size_t len, const char *file,
    json_t **meta, json_t **lines, size_t *body_off, int *body_line,
    struct buf *err);

/*
 * A Hugo path component as a kiln slug: lowercased, spaces and other
 * characters a slug cannot hold made '-'.  *changed says whether it
 * differs from the input other than by case.
 */
void import_slugify(const char *s, size_t len, struct buf *out,
    bool *changed);

#endif
