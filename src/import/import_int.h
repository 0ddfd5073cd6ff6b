/* SPDX-License-Identifier: ISC */
/* import_int.h: shared between the files of src/import/ */
#ifndef KILN_IMPORT_INT_H
#define KILN_IMPORT_INT_H

#include <jansson.h>

#include "import/import.h"

struct buf;

/* one resource of a page bundle */
struct iresource {
	char *file;		/* on disk */
	char *rel;		/* relative to the bundle folder: "img/a.png" */
	char *name;		/* media name it gets */
	char sha256[65];
};

struct ipage {
	char *file;		/* on disk, as shown in messages */
	char *rel;		/* relative to content/ */
	char *dir;		/* its folder, relative to content/ ("") */
	bool leaf, branch;	/* index.md / _index.md */
	char *path;		/* page path (canonical), NULL if failed */
	struct buf *text;	/* the file's bytes */
	json_t *meta, *lines;	/* front matter keys and their lines */
	size_t body_off;
	int body_line;
	struct iresource *res;
	size_t nres, ares;
	bool failed;
	bool drop;		/* not a page after all (import_tree.c) */
};

struct itree {
	char *root;		/* as given */
	char *content;		/* the content folder */
	char *static_src;	/* the site's static/, or NULL */
	char *config;		/* the site's config file, or NULL */
	json_t *cfg;		/* its keys (object, never NULL) */
	bool lower;		/* lowercase paths (no disablePathToLower) */
	struct ipage *pages;
	size_t npages, apages;
	json_t *leafdirs, *branchdirs;	/* folder -> page index */
};

/* an item in the report; FILE may be NULL, LINE 0 */
void import_note(struct import_report *r, const char *action,
    const char *file, int line, const char *page, const char *fmt, ...)
    PRINTF_LIKE(6, 7);

/* find the content tree, config and static folder; list the files */
int import_tree_load(struct itree *t, const struct import_opts *o,
    struct import_report *r, struct buf *err);
void import_tree_release(struct itree *t);
/*
 * import_conf.c: the Hugo config's title, baseURL, languageCode and
 * taxonomies into o->conf_file where it still has kiln init's defaults;
 * each change, or value left out, reported.  0, or -1 with err.
 */
int import_conf_take(const struct itree *t, const struct import_opts *o,
    struct import_report *r, struct buf *err);
/* a Hugo date: ISO 8601, or Go's "2006-01-02 15:04:05 -0700"; 0 or -1 */
int import_hugo_date(const char *s, int64_t *t);
/*
 * import_permalink.c: the path of page P from the config's permalinks
 * pattern for its section (":year/:month/:slug"), in out; 1 when one
 * applies, 0 when none does, -1 reported in r (the caller falls back).
 */
int import_permalink(const struct itree *t, const struct ipage *p,
    struct import_report *r, struct buf *out);
/* a config key, case-insensitively as Hugo reads them; borrowed */
json_t *import_cfg_get(json_t *cfg, const char *key);

/* the line of front matter key KEY in P's file (1 if unknown) */
int import_key_line(const struct ipage *p, const char *key);

#endif
